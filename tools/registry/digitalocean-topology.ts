import { Construct } from "constructs";
import { Fn, Token } from "cdktf";
import {
  CacheProps,
  CertificateProps,
  ComputePoolProps,
  DnsFailoverProps,
  ICache,
  ICertificate,
  IComputePool,
  IDnsFailover,
  ILoadBalancer,
  INetwork,
  IObjectStoreCdn,
  IPostgresCluster,
  IStaticSite,
  LoadBalancerProps,
  NetworkProps,
  ObjectStoreProps,
  PostgresProps,
  SecretRef,
  StaticSiteProps,
  TierFactory,
  answeringFor,
  listenerPort,
  negate,
  optional,
} from "../../modules/core";
import { ExistingCloudflareZone, proxiedRecord, strictOriginSsl } from "../../modules/cloudflare/zone";
import { DoLoadBalancer } from "../../modules/digitalocean/load-balancer";
import { ExistingDoNetwork } from "../../modules/digitalocean/network";
import { READ_TOKEN, tagDiscovery } from "../../modules/digitalocean/compute-pool";
import { DO_INPUTS, DO_SIZE_SLUG } from "../../modules/digitalocean/settings";
import { stateSecret } from "../../modules/digitalocean/shared";
import { DO_DATABASE_PORT, DO_VALKEY_PORT } from "../../modules/digitalocean/sizes";
import { APP_UPSTREAM_SETTING, GUNICORN_PORT } from "../../modules/django/host";
import { DjangoTopology } from "../../modules/django/topology";
import { CACHE_INPUTS, CDN_INPUTS, NETWORK_INPUTS, NETWORK_PREFIX, POSTGRES_INPUTS, TOPOLOGY_INPUTS } from "../../modules/django/validate";
import { ModuleDefinition, ModuleVariable } from "./definition";
import { DIGITALOCEAN, DO_CACHE_MODULE, DO_NETWORK_MODULE, DO_OBJECT_STORE_MODULE, DO_POSTGRES_MODULE, DROPLET_TAG, projectIdVariable, regionVariable, vpcUuidVariable } from "./digitalocean";
import { DO_COMPUTE_POOL_MODULE } from "./digitalocean-compute";
import { CLOUDFLARE, CLOUDFLARE_DNS_FAILOVER_MODULE, DO_CERTIFICATE_MODULE, DO_LOAD_BALANCER_MODULE, TLS, cloudflareId } from "./digitalocean-edge";
import {
  APPLICATION,
  CORS_ORIGINS_VARIABLE,
  MachineTypeAttribute,
  ModuleTierFactory,
  admitting,
  called,
  calledPool,
  defined,
  environmentVariable,
  failoverVariable,
  moduleSpec,
  poolApplicationInputs,
  poolOutputs,
  poolsType,
  poolRules,
  secretsVariable,
  SETTINGS_MODULE_VARIABLE,
  topologyModuleOutputs,
} from "./topology";
import {
  cidrVariable,
  declaredVariable,
  deletionProtectionVariable,
  domainVariable,
  healthCheckPathVariable,
  matchesRule,
  namePrefixVariable,
  inputAttributes,
  inputRules,
  patternVariable,
  wholeNumberRule,
} from "./variables";

/*
 * The whole Django topology of one environment on DigitalOcean + Cloudflare as one
 * Terraform module: the tier modules called as submodules and wired as DjangoTopology
 * wires the tiers that DigitalOceanTierFactory makes.
 */

const SIZE_SLUG = (example: string) => `a DigitalOcean size slug such as "${example}"`;

/** The spec's PostgreSQL fields a DigitalOcean database honours: it keeps backups and storage its own way. */
const DO_POSTGRES_FIELDS = ["size", "replicaSize", "version", "highAvailability", "replicas", "pooling"];

/** The load balancers' size units, as the stacks' `digitalocean.loadBalancerSizeUnit`. */
const sizeUnitVariable = (name: string, description: string): ModuleVariable => declaredVariable("loadBalancerSizeUnit", DO_INPUTS.loadBalancerSizeUnit, description, name);

/** The split layout's internal load balancer between the web and the app droplets, as `DoLoadBalancer` builds it (scheme `internal`). */
const DO_INTERNAL_LOAD_BALANCER_SUBMODULE: ModuleDefinition = {
  name: "internal-load-balancer",
  provider: "digitalocean",
  description:
    "The internal load balancer of the split layout: a VPC-only DigitalOcean load balancer passing TCP on 80 through to the app droplets' gunicorn (by their tag), " +
    "health-checking each droplet's health path, and admitting the VPC's range only.",
  providers: [DIGITALOCEAN],
  variables: [
    namePrefixVariable("shop-production"),
    vpcUuidVariable,
    regionVariable,
    cidrVariable(
      `The VPC's range (a /${NETWORK_PREFIX.min} to /${NETWORK_PREFIX.max}): the addresses it admits. DigitalOcean load balancer firewalls name addresses, not droplet tags.`,
      "10.30.0.0/16",
    ),
    patternVariable("droplet_tag", "The tag of the droplets it sends traffic to (the app pool's).", DROPLET_TAG, "a droplet tag (letters, digits, colons, dashes and underscores)", "shop-production-app"),
    { name: "target_port", type: "number", description: "The port the app droplets serve on (gunicorn).", default: GUNICORN_PORT, validation: [wholeNumberRule("target_port", 1, 65535)] },
    healthCheckPathVariable("The path each app droplet answers 200 on when healthy."),
    sizeUnitVariable("size_unit", "Load balancer size units, each about 10,000 connections per second."),
    projectIdVariable,
  ],
  build(scope, inputs) {
    const lb = new DoLoadBalancer(scope, "load-balancer", {
      namePrefix: inputs.name_prefix.string,
      network: new ExistingDoNetwork(inputs.vpc_uuid.string, inputs.region.string, inputs.cidr.string),
      scheme: "internal",
      targetPort: inputs.target_port.number,
      healthCheck: { path: inputs.health_check_path.string },
      sizeUnit: inputs.size_unit.number,
      projectId: inputs.project_id.string,
      // Only a public load balancer admits Cloudflare's ranges.
      edgeCidrs: [],
    });
    lb.targetTag(inputs.droplet_tag.string);
    return [
      { name: "ip", description: "The load balancer's private IPv4 address.", value: lb.hostname },
      { name: "id", description: "The load balancer's id: the app droplets' firewall admits it (`load_balancer_ids`).", value: lb.lb.id },
      { name: "port", description: "The port it listens on.", value: lb.port },
    ];
  },
};

/** A droplet size slug that overrides a pool's size, as the stacks' `digitalocean.sizes.compute`. */
const DROPLET_SIZE_ATTRIBUTE: MachineTypeAttribute = { name: "droplet_size", pattern: DO_SIZE_SLUG, what: 'a droplet size slug such as "s-2vcpu-4gb"' };

/** The compute pool module's own inputs that the topology takes as they are. */
const poolVariable = (name: string) => DO_COMPUTE_POOL_MODULE.variables.find((v) => v.name === name)!;

const VARIABLES: readonly ModuleVariable[] = [
  namePrefixVariable("shop-production"),
  domainVariable(
    "domain",
    "The site's host name, e.g. `www.example.com`: the load balancer's Origin CA certificate, the Cloudflare record (or load balancer), `DJANGO_ALLOWED_HOSTS` and `SITE_URL`.",
    "www.example.com",
  ),
  regionVariable,
  { ...cloudflareId("account_id", "account", "0123456789abcdef0123456789abcdef"), description: "The Cloudflare account id (32 hexadecimal characters): the failover's monitor, pools and maintenance Worker belong to it." },
  { ...cloudflareId("zone_id", "zone", "fedcba9876543210fedcba9876543210"), description: "The Cloudflare zone holding `domain` (its id, 32 hexadecimal characters; it must exist)." },
  declaredVariable("cidr", NETWORK_INPUTS.cidr, `The VPC's IPv4 range, a /${NETWORK_PREFIX.min} to /${NETWORK_PREFIX.max}; it must not overlap another VPC of the account.`),
  declaredVariable(
    "layout",
    TOPOLOGY_INPUTS.layout,
    "`colocated`: nginx and gunicorn on every web droplet behind the public load balancer. `split`: nginx web droplets, then an internal load balancer (TCP pass-through), then gunicorn app droplets (`pools.app`). " +
      "`nginx-balanced`: nginx on each web droplet balances over the app droplets itself, listing them by tag with `digitalocean_read_token`.",
  ),
  ...APPLICATION.filter((v) => v.name !== "health_check_path"),
  SETTINGS_MODULE_VARIABLE,
  environmentVariable(
    "Further settings of every Django process, by variable name. DigitalOcean has no secret store: they travel in the droplets' user data, as the module's own settings and secrets do, but only the module's secrets are sensitive in plans. " +
      "The module's own settings (`DATABASE_URL`, ...) cannot be redefined.",
  ),
  secretsVariable(
    "map(string)",
    "The application's own secrets (`DJANGO_SECRET_KEY`, API keys), by variable name, with their values: pass `random_password` results or sensitive variables, never literals. " +
      "DigitalOcean has no secret store: they travel in the droplets' user data with the module's own secrets, and are sensitive in plans.",
    [],
    true,
  ),
  APPLICATION.find((v) => v.name === "health_check_path")!,
  {
    name: READ_TOKEN.variable,
    type: "string",
    description:
      "nginx-balanced only: a DigitalOcean API token with the custom scopes droplet:read and tag:read only, with which the web droplets list the app droplets " +
      "(it can also read the app pool's droplet template, whose user data holds the application's secrets: DigitalOcean has no narrower scope). Travels in the web droplets' user data.",
    default: null,
    sensitive: true,
  },
  poolVariable("ssh_keys"),
  poolVariable("admin_cidrs"),
  projectIdVariable,
  {
    name: "pools",
    type: poolsType(DROPLET_SIZE_ATTRIBUTE),
    description:
      "The droplet autoscale pools: `web` (nginx, and gunicorn when colocated), `app` (gunicorn, split and nginx-balanced layouts only) and `worker` (Celery; `concurrency` processes per droplet, one per vCPU when null; " +
      "`beat` adds a one-droplet Celery beat pool). `size` is small, medium, large or xlarge; `droplet_size` overrides it. Each pool scales between `min` (at least 1) and `max` droplets on CPU.",
    default: {},
    nullable: false,
    validation: [...poolRules("web", 1, DROPLET_SIZE_ATTRIBUTE), ...poolRules("app", 1, DROPLET_SIZE_ATTRIBUTE), ...poolRules("worker", 1, DROPLET_SIZE_ATTRIBUTE)],
  },
  {
    name: "postgres",
    type: `object({ ${inputAttributes(POSTGRES_INPUTS, DO_POSTGRES_FIELDS)}, node_size = optional(string), ${inputAttributes(DO_INPUTS, ["disasterRecoveryRegion"])} })`,
    description:
      "Managed PostgreSQL: the primary's `size` (`node_size` overrides its slug), the replicas' (at least the primary's; the primary's when null), major `version`, a standby node (`high_availability`), " +
      "`replicas` read replicas, a PgBouncer pool as the write endpoint (`pooling`), and one more replica in `disaster_recovery_region` (not for reads).",
    default: {},
    nullable: false,
    validation: [
      ...inputRules("postgres", POSTGRES_INPUTS, DO_POSTGRES_FIELDS),
      matchesRule("postgres.node_size", DO_SIZE_SLUG, SIZE_SLUG("db-s-2vcpu-4gb"), true),
      ...inputRules("postgres", DO_INPUTS, ["disasterRecoveryRegion"]),
    ],
  },
  {
    name: "cache",
    type: `object({ ${inputAttributes(CACHE_INPUTS)}, node_size = optional(string) })`,
    description: "Managed Valkey (cache, sessions, Celery broker): `size` (`node_size` overrides its slug), major `version`, and a standby node (`high_availability`).",
    default: {},
    nullable: false,
    validation: [...inputRules("cache", CACHE_INPUTS), matchesRule("cache.node_size", DO_SIZE_SLUG, SIZE_SLUG("db-s-1vcpu-2gb"), true)],
  },
  {
    name: "cdn",
    type: `object({ ${inputAttributes(CDN_INPUTS)} })`,
    description:
      "The host names of media and static files (`media.<domain>` and `static.<domain>` when null). They make the buckets' names: DigitalOcean's CDN serves the files on its own endpoint names (`media_cdn_domain`, `static_cdn_domain`).",
    default: {},
    nullable: false,
    validation: inputRules("cdn", CDN_INPUTS),
  },
  sizeUnitVariable("load_balancer_size_unit", "Size units of the load balancers (the public one, and the internal one when split), each about 10,000 connections per second."),
  CORS_ORIGINS_VARIABLE,
  failoverVariable(
    "DNS failover: the site's name becomes a Cloudflare load balancer whose monitor checks the health path, and while the origin fails it Cloudflare serves a maintenance page (`title`, `message`) from a Worker. Without it, the name is a proxied record of the load balancer.",
  ),
  {
    ...deletionProtectionVariable("the buckets"),
    description:
      "Protect the media and static buckets from deletion (no force_destroy: Terraform cannot delete a bucket that holds objects). DigitalOcean's databases have no protection a module can switch (see the notes).",
  },
];

/**
 * DigitalOcean's and Cloudflare's tiers as calls of their tier modules: DjangoTopology
 * composes cloudtiers-django/digitalocean through it, as it composes a stack through
 * `DigitalOceanTierFactory`. What the topology's props do not say is the module's own input
 * (`region`, `project_id`, `droplet_size`, `node_size`, `cors_origins`, ...).
 */
class DoModuleFactory extends ModuleTierFactory implements TierFactory {
  public readonly cloud = "do";

  /** Where every tier lives. */
  private get placed(): Record<string, unknown> {
    return { region: this.inputs.region.string };
  }

  // DigitalOcean has no secret store: a secret is a submodule's sensitive output, which reaches the droplets in their user data.
  protected secretInput(secret: SecretRef): unknown {
    return secret.id;
  }

  protected secretGiven(value: string): string {
    return `${value} != null`;
  }

  public createNetwork(_scope: Construct, id: string, props: NetworkProps): INetwork {
    const tier = this.submodule("network", id, { name_prefix: props.namePrefix, ...this.placed, cidr: props.cidr });
    return Object.assign(tier, { cidr: props.cidr, zones: props.zones });
  }

  /**
   * The load balancer presents an Origin CA certificate to Cloudflare; proxied names present
   * Cloudflare's edge certificate, which needs nothing here.
   */
  public createCertificate(_scope: Construct, id: string, props: CertificateProps): ICertificate {
    const certificate = { names: [props.domainName, ...(props.alternativeNames ?? [])], use: props.use };
    if (props.use === "cdn") return certificate;
    return Object.assign(this.submodule("certificate", id, { name_prefix: props.namePrefix, domain_name: props.domainName, use: props.use }), certificate);
  }

  public createPostgres(_scope: Construct, id: string, props: PostgresProps): IPostgresCluster {
    const tier = this.submodule("postgres", id, {
      name_prefix: props.namePrefix,
      ...this.placed,
      vpc_uuid: called(props.network).output("vpc_uuid"),
      size: props.size,
      replica_size: props.replicaSize,
      node_size: this.variable("postgres.node_size").string,
      engine_version: props.version,
      high_availability: props.highAvailability,
      replicas: props.replicas,
      pooling: props.pooling,
      database_name: props.databaseName,
      username: props.username,
      disaster_recovery_region: this.variable("postgres.disaster_recovery_region").string,
      project_id: this.inputs.project_id.string,
    });
    return Object.assign(tier, {
      port: DO_DATABASE_PORT,
      primary: { host: tier.output("primary_host"), port: DO_DATABASE_PORT },
      // Writes go to the pool when pooling is on, on the pool's port, else to the primary; the release step's locks always to the primary.
      pooler: { host: tier.output("write_host"), port: Token.asNumber(tier.output("write_port")) },
      // Replicas have no pools: reads connect to them directly.
      replicas: [],
      countedReplicaHosts: tier.list("replica_hosts"),
      databaseName: props.databaseName,
      username: props.username,
      password: stateSecret(tier.output("password"), `module.${id}.password`),
      allowFrom: admitting(tier, "allowed_droplet_tags", "tag"),
    });
  }

  public createCache(_scope: Construct, id: string, props: CacheProps): ICache {
    const tier = this.submodule("cache", id, {
      name_prefix: props.namePrefix,
      ...this.placed,
      vpc_uuid: called(props.network).output("vpc_uuid"),
      size: props.size,
      node_size: this.variable("cache.node_size").string,
      engine_version: props.version,
      high_availability: props.highAvailability,
      project_id: this.inputs.project_id.string,
    });
    return Object.assign(tier, {
      port: DO_VALKEY_PORT,
      endpoint: { host: tier.output("host"), port: DO_VALKEY_PORT },
      tls: true,
      password: stateSecret(tier.output("password"), `module.${id}.password`),
      allowFrom: admitting(tier, "allowed_droplet_tags", "tag"),
    });
  }

  public createObjectStore(_scope: Construct, id: string, props: ObjectStoreProps): IObjectStoreCdn {
    const tier = this.submodule("object-store", id, {
      name_prefix: props.namePrefix,
      ...this.placed,
      purpose: props.purpose,
      cdn_domain: props.cdnDomain,
      cors_origins: Token.asList(Fn.coalesce([this.inputs.cors_origins.list, props.corsOrigins])),
      project_id: this.inputs.project_id.string,
      deletion_protection: props.deletionProtection,
    });
    return Object.assign(tier, {
      purpose: props.purpose,
      bucketName: tier.output("bucket_name"),
      region: tier.output("region"),
      endpointUrl: tier.output("endpoint_url"),
      cdnDomain: tier.output("cdn_domain"),
      // A reference to the store's ACL ("public-read": the CDN reads objects anonymously).
      objectAcl: tier.output("object_acl") as IObjectStoreCdn["objectAcl"],
      accessKey: { id: tier.output("access_key_id"), secret: stateSecret(tier.output("secret_access_key"), `module.${id}.secret_access_key`) },
      // The droplets sign with the store's own key.
      grantReadWrite: () => undefined,
    });
  }

  public createLoadBalancer(_scope: Construct, id: string, props: LoadBalancerProps): ILoadBalancer {
    const network = called(props.network);
    const common = { name_prefix: props.namePrefix, vpc_uuid: network.output("vpc_uuid"), ...this.placed };
    const rest = { target_port: props.targetPort, health_check_path: props.healthCheck.path, size_unit: this.inputs.load_balancer_size_unit.number, project_id: this.inputs.project_id.string };
    // The split layout's internal load balancer is its own submodule (only this topology uses it); it admits the VPC's range.
    const tier =
      props.scheme === "public"
        ? this.submodule("load-balancer", id, { ...common, certificate_name: props.certificate && called(props.certificate).output("name"), ...rest })
        : this.submodule("internal-load-balancer", id, { ...common, cidr: network.output("cidr"), ...rest });
    return Object.assign(tier, {
      scheme: props.scheme,
      hostname: tier.output("ip"),
      port: listenerPort(props.scheme),
      targetPort: props.targetPort,
      healthCheckPath: props.healthCheck.path,
      peerName: `${props.scheme} load balancer`,
      // Its firewall admits the VPC's range: DigitalOcean load balancer firewalls name addresses, not droplet tags.
      allowFrom: () => undefined,
    });
  }

  public createComputePool(_scope: Construct, id: string, props: ComputePoolProps): IComputePool {
    const lb = props.loadBalancer && called(props.loadBalancer);
    const role = props.role;
    const tier = this.submodule(
      "compute-pool",
      id,
      defined({
        name_prefix: props.namePrefix,
        role,
        vpc_uuid: called(props.network).output("vpc_uuid"),
        ssh_keys: this.inputs.ssh_keys.list,
        admin_cidrs: this.inputs.admin_cidrs.list,
        project_id: this.inputs.project_id.string,
        ...poolApplicationInputs(this.scope, this.inputs, this.inputs.domain.string, this.inputs.health_check_path.string),
        ...this.scaling(props, "droplet_size"),
        ...this.environmentOf(props.host.configuration),
        load_balancer_ids: lb?.each("id"),
      }),
    );
    const pool = calledPool(tier, props);
    // The load balancer sends traffic to the pool's droplet tag.
    lb?.call.set("droplet_tag", tier.output("tag"));
    // nginx-balanced web droplets list the app pool's tag with the read token, and connect to its droplets.
    if (role === "app") {
      const token = stateSecret(this.inputs[READ_TOKEN.variable].string, `var.${READ_TOKEN.variable}`);
      this.discoverable(pool, { ...tagDiscovery(tier.output("tag")), hostSecrets: [{ name: READ_TOKEN.setting, secret: token, origin: `the module's sensitive variable ${READ_TOKEN.variable}` }] }, {
        webInput: "app_tag",
        appOutput: "tag",
        webOutput: "tag",
        admitInput: "allowed_droplet_tags",
      });
    }
    return pool;
  }

  /** The maintenance page is the failover's edge Worker: nothing of its own to make. */
  public createStaticSite(_scope: Construct, _id: string, props: StaticSiteProps): IStaticSite & { condition?: boolean } {
    return { domain: props.domain, hostname: "", condition: this.decision };
  }

  /** The failover (its edge Worker serving the maintenance page) when there is a maintenance site, one proxied record of the load balancer when there is none, as `CloudflareDnsFailover` makes them. */
  public createDnsFailover(_scope: Construct, _id: string, props: DnsFailoverProps): IDnsFailover {
    const primary = props.primary;
    const { failover, made: dns } = this.failoverOf(props.secondary, () =>
      this.submodule(
        "dns-failover",
        "dns-failover",
        {
          name_prefix: props.namePrefix,
          account_id: this.inputs.account_id.string,
          zone_id: this.inputs.zone_id.string,
          record_name: props.recordName,
          origin_address: primary.hostname,
          health_check_path: props.healthCheckPath,
          maintenance_title: this.variable("failover.title").string,
          maintenance_message: this.variable("failover.message").string,
        },
      ),
    );
    const zone = new ExistingCloudflareZone(this.inputs.zone_id.string, this.inputs.account_id.string, "");
    optional(negate(failover), ({ count }) => {
      const ssl = strictOriginSsl(zone, this.scope);
      const record = proxiedRecord(zone, this.scope, "site", { name: props.recordName, type: "A", content: primary.hostname, comment: `${props.namePrefix}: the load balancer`, ssl });
      if (count) {
        ssl.count = count;
        record.count = count;
      }
      return record;
    });
    return Object.assign(dns ?? {}, { recordName: props.recordName, failover });
  }
}

/** The whole DjangoTopology of one environment on DigitalOcean + Cloudflare, as `DjangoTopology` and `DigitalOceanTierFactory` build it for the stacks. */
export const DO_DJANGO_MODULE: ModuleDefinition = {
  name: "cloudtiers-django",
  provider: "digitalocean",
  description:
    "The whole production topology of a Django application on DigitalOcean behind Cloudflare, as the cloudtiers stacks build it for one environment: a VPC; " +
    "a public load balancer (HTTPS with a Cloudflare Origin CA certificate, 80→443, admitting only Cloudflare) in front of autoscaling web droplets (nginx and gunicorn, or in the split layout " +
    "nginx in front of an internal load balancer and gunicorn app droplets); Celery workers and a one-droplet beat pool; managed PostgreSQL with a standby, read replicas, a disaster-recovery " +
    "replica and a PgBouncer pool; managed Valkey; media and static Spaces buckets behind DigitalOcean's CDN; and the site's proxied name on Cloudflare, with failover to a maintenance page " +
    "when asked. Each tier is its cloudtiers module, called from `modules/`; the droplets receive the application's environment (database, cache and storage settings, and the passwords and " +
    "keys as secrets) built from the tiers' outputs.",
  providers: [DIGITALOCEAN, CLOUDFLARE, TLS],
  variables: VARIABLES,
  submodules: [
    { ...DO_NETWORK_MODULE, name: "network" },
    { ...DO_CERTIFICATE_MODULE, name: "certificate" },
    { ...DO_POSTGRES_MODULE, name: "postgres" },
    { ...DO_CACHE_MODULE, name: "cache" },
    { ...DO_OBJECT_STORE_MODULE, name: "object-store" },
    { ...DO_LOAD_BALANCER_MODULE, name: "load-balancer" },
    DO_INTERNAL_LOAD_BALANCER_SUBMODULE,
    { ...DO_COMPUTE_POOL_MODULE, name: "compute-pool" },
    { ...CLOUDFLARE_DNS_FAILOVER_MODULE, name: "dns-failover" },
  ],
  build(scope, inputs, context) {
    const factory = new DoModuleFactory(scope, inputs, context);
    const spec = moduleSpec(scope, inputs, { network: { cidr: inputs.cidr.string }, postgresFields: DO_POSTGRES_FIELDS });
    const topology = answeringFor([spec], () => new DjangoTopology(scope, "topology", { factory, spec, namePrefix: inputs.name_prefix.string }));
    const postgres = called(topology.postgres);
    const cache = called(topology.cache);
    return [
      ...topologyModuleOutputs(topology, { passwordOutputs: { database: "database_password", redis: "redis_password" } }),
      // DigitalOcean has no secret store: the passwords themselves (*_password_secret names the submodules' state, which a caller cannot read).
      { name: "database_password", description: "The database password (DigitalOcean has no secret store).", value: postgres.output("password"), sensitive: true },
      { name: "redis_password", description: "The Redis password (DigitalOcean has no secret store).", value: cache.output("password"), sensitive: true },
      { name: "media_cdn_id", description: "The media CDN endpoint, for cache purges.", value: called(topology.media).output("cdn_id") },
      { name: "static_cdn_id", description: "The static CDN endpoint, for cache purges after collectstatic.", value: called(topology.staticFiles).output("cdn_id") },
      { name: "vpc_uuid", description: "The VPC.", value: called(topology.network).output("vpc_uuid") },
      { name: "load_balancer_ip", description: "The public load balancer's address (the origin Cloudflare proxies to).", value: topology.loadBalancer.hostname },
      { name: "autoscale_pool_ids", description: "Each pool's droplet autoscale pool, by role (null for a pool the layout or beat leaves out).", value: poolOutputs(topology, "autoscale_pool_id") },
      { name: "droplet_tags", description: "Each pool's droplet tag, by role (null for a pool the layout or beat leaves out).", value: poolOutputs(topology, "tag") },
      { name: "edge_worker_script_name", description: "The site's edge Worker, which serves the maintenance page, when failover is on, else null.", value: called(topology.dns).output("worker_script_name") },
    ];
  },
  notes: [
    "`deletion_protection` (on by default) keeps the media and static buckets (no `force_destroy`). DigitalOcean's managed databases have no deletion-protection flag and take no final snapshot, " +
      "and Terraform takes `prevent_destroy` only as a literal, so this module cannot refuse to destroy the database cluster, its replicas or the cache, as the cloudtiers stacks do in production: " +
      "guard production state at the workspace instead (cloudtiers' Terraform Cloud bootstrap turns destroy plans off there).",
    "Pass three providers: `digitalocean` (an API token, and Spaces keys for the buckets), `cloudflare` (a token that may create Origin CA certificates, DNS records, and with failover " +
      "Workers scripts and routes; failover needs Workers Paid on the account, not Load Balancing) and `tls`, which generates the Origin CA certificate's key (kept in state).",
    "Every tier is its own cloudtiers module under `modules/` (`network`, `certificate`, `postgres`, `cache`, `object-store` for media and static, `load-balancer`, `compute-pool` for each role, " +
      "`dns-failover` with the site's edge Worker), so its resources read the same as when you call that module yourself. Optional parts are counted submodules: the app pool and the internal " +
      "load balancer in the split layout, the beat pool when `pools.worker.beat`, the failover (and its Worker) when `failover.enabled`. Without failover the site's name is one proxied record " +
      "of the load balancer, in this module.",
    "The split layout's internal load balancer has no module of its own in the registry (only this topology uses it), so it is a submodule here (`internal-load-balancer`): " +
      "Terraform switches a resource made only in one layout on and off as a counted module. It admits the VPC's range (DigitalOcean load balancer firewalls name addresses, not droplet tags); " +
      "the app droplets' firewall admits only it.",
    "The droplets get the application's environment from the tiers' outputs, with the names the stacks use: `DATABASE_URL` (the pool when pooling, without the password), `DATABASE_DIRECT_URL` (the primary, for the release step), `DATABASE_REPLICA_URLS`, " +
      "`REDIS_URL`, `SITE_URL`, `DJANGO_ALLOWED_HOSTS`, `STORAGE_*`, `MEDIA_*` and `STATIC_*` (the buckets' keys' ids among them), then `environment`. DigitalOcean has no secret store, so " +
      "`DATABASE_PASSWORD`, `REDIS_PASSWORD`, `MEDIA_SECRET_ACCESS_KEY` and `STATIC_SECRET_ACCESS_KEY` go to the compute pools' sensitive `secrets`: both travel in the droplets' user data " +
      `and sit in Terraform state. Split-layout web droplets get only \`${APP_UPSTREAM_SETTING}\` (the internal load balancer) and no secrets; nginx-balanced ones only \`${READ_TOKEN.setting}\` (\`${READ_TOKEN.variable}\`), which lists the app droplets. ` +
      "User data is fixed when a droplet is created: a changed environment (pooling turned on, a replica added, a key replaced) reaches new droplets only, so replace the pools' droplets to roll it out.",
    "The tiers find each other by droplet tag: the public load balancer sends traffic to the web pool's tag (and the internal one to the app pool's), each pool's firewall admits its load " +
      "balancer by id, and the database, its replicas, its pool and the cache trust only the tags of the droplets that run Django (app servers, workers, beat).",
    "Sizes map to DigitalOcean's slugs by the stacks' tables; where the stacks take overriding tables (`digitalocean.sizes`), the module takes one slug per pool (`pools.<pool>.droplet_size`), " +
      "for the primary (`postgres.node_size`) and for the cache (`cache.node_size`); read replicas take the table's slug of `postgres.replica_size`.",
    "The module sets the zone's SSL/TLS encryption mode to Full (strict) before it proxies the site's name, as every cloudtiers stack does: the load balancer presents an Origin CA certificate " +
      "and redirects HTTP to HTTPS, so under Flexible the name would loop. The mode is zone-wide: every proxied origin in the zone must then present a certificate Cloudflare trusts. " +
      "The zone's other TLS settings (HTTPS always, TLS 1.2 at least, TLS 1.3) are not this module's business: set them once for the zone (the stacks do it for the one environment with `cloudflare.manageZoneSettings`).",
    "The zone must exist: this module takes its id. It cannot check that `domain` lies in the zone, at its apex or one level below (Universal SSL covers no deeper names unless the zone has an " +
      "Advanced Certificate), as the stacks' validator does; nor that `postgres.disaster_recovery_region` differs from `region` and `postgres.replica_size` is at least `postgres.size` " +
      "before plan (the postgres submodule's preconditions refuse them at plan).",
  ],
};
