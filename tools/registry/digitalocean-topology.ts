import { Fn, Token } from "cdktf";
import { DEFAULTS, DOMAIN_NAME, ICache, IObjectStoreCdn, IPostgresCluster, equals, negate, optional } from "../../modules/core";
import { ExistingCloudflareZone, proxiedRecord, strictOriginSsl } from "../../modules/cloudflare/zone";
import { DoLoadBalancer } from "../../modules/digitalocean/load-balancer";
import { ExistingDoNetwork } from "../../modules/digitalocean/network";
import { DO_LB_SIZE_UNITS, DO_REGIONS, DO_SIZE_SLUG } from "../../modules/digitalocean/settings";
import { stateSecret } from "../../modules/digitalocean/shared";
import { DO_DATABASE_PORT, DO_VALKEY_PORT } from "../../modules/digitalocean/sizes";
import { appConfiguration } from "../../modules/django/configuration";
import { APP_UPSTREAM_SETTING, GUNICORN_PORT, NGINX_PORT } from "../../modules/django/host";
import { LAYOUTS } from "../../modules/django/spec";
import { DATABASE_NAME, DATABASE_USER } from "../../modules/django/topology";
import { CACHE_INPUTS, NETWORK_PREFIX, POSTGRES_INPUTS } from "../../modules/django/validate";
import { ModuleDefinition, ModuleVariable } from "./definition";
import { DIGITALOCEAN, DO_CACHE_MODULE, DO_NETWORK_MODULE, DO_OBJECT_STORE_MODULE, DO_POSTGRES_MODULE, DROPLET_TAG, projectIdVariable, regionVariable, vpcUuidVariable } from "./digitalocean";
import { DO_COMPUTE_POOL_MODULE } from "./digitalocean-compute";
import { CLOUDFLARE, CLOUDFLARE_DNS_FAILOVER_MODULE, DO_CERTIFICATE_MODULE, DO_LOAD_BALANCER_MODULE, TLS, cloudflareId } from "./digitalocean-edge";
import {
  APPLICATION,
  applicationModuleOutputs,
  appSecretsLocal,
  attribute,
  CORS_ORIGINS_VARIABLE,
  environmentLocals,
  environmentVariable,
  failoverVariable,
  MachineTypeAttribute,
  poolApplicationInputs,
  PoolName,
  poolsType,
  poolRules,
  poolScalingInputs,
  replicaUrlsOf,
  secretsVariable,
  SETTINGS_MODULE_VARIABLE,
  storeOutputs,
  webPoolEnvironment,
  wiredBySubmodules,
} from "./topology";
import {
  cidrVariable,
  deletionProtectionVariable,
  domainVariable,
  healthCheckPathVariable,
  matchesRule,
  namePrefixVariable,
  oneOfRule,
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

const DOMAIN_EXAMPLE = 'a lower-case domain name such as "www.example.com"';
const SIZE_SLUG = (example: string) => `a DigitalOcean size slug such as "${example}"`;

/** The spec's PostgreSQL fields a DigitalOcean database honours: it keeps backups and storage its own way. */
const DO_POSTGRES_FIELDS = ["size", "replicaSize", "version", "highAvailability", "replicas", "pooling"];

/** The load balancers' size units, as the stacks' `digitalocean.loadBalancerSizeUnit`. */
const sizeUnitVariable = (name: string, description: string): ModuleVariable => ({
  name,
  type: "number",
  description,
  default: 1,
  validation: [wholeNumberRule(name, DO_LB_SIZE_UNITS.min, DO_LB_SIZE_UNITS.max)],
});

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
      { name: "upstream", description: `\`<ip>:<port>\`: the web droplets' ${APP_UPSTREAM_SETTING} setting.`, value: `${lb.hostname}:${lb.port}` },
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
  {
    ...cidrVariable(`The VPC's IPv4 range, a /${NETWORK_PREFIX.min} to /${NETWORK_PREFIX.max}; it must not overlap another VPC of the account.`, DEFAULTS.network.cidr),
    default: DEFAULTS.network.cidr,
  },
  {
    name: "layout",
    type: "string",
    description:
      "`colocated`: nginx and gunicorn on every web droplet behind the public load balancer. `split`: nginx web droplets, then an internal load balancer (TCP pass-through), then gunicorn app droplets (`pools.app`).",
    default: DEFAULTS.layout,
    validation: [oneOfRule("layout", LAYOUTS)],
  },
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
  poolVariable("ssh_keys"),
  poolVariable("admin_cidrs"),
  projectIdVariable,
  {
    name: "pools",
    type: poolsType(DROPLET_SIZE_ATTRIBUTE),
    description:
      "The droplet autoscale pools: `web` (nginx, and gunicorn when colocated), `app` (gunicorn, split layout only) and `worker` (Celery; `concurrency` processes per droplet, one per vCPU when null; " +
      "`beat` adds a one-droplet Celery beat pool). `size` is small, medium, large or xlarge; `droplet_size` overrides it. Each pool scales between `min` (at least 1) and `max` droplets on CPU.",
    default: {},
    nullable: false,
    validation: [...poolRules("web", 1, DROPLET_SIZE_ATTRIBUTE), ...poolRules("app", 1, DROPLET_SIZE_ATTRIBUTE), ...poolRules("worker", 1, DROPLET_SIZE_ATTRIBUTE)],
  },
  {
    name: "postgres",
    type: `object({ ${inputAttributes(POSTGRES_INPUTS, DO_POSTGRES_FIELDS)}, node_size = optional(string), disaster_recovery_region = optional(string) })`,
    description:
      "Managed PostgreSQL: the primary's `size` (`node_size` overrides its slug), the replicas' (at least the primary's; the primary's when null), major `version`, a standby node (`high_availability`), " +
      "`replicas` read replicas, a PgBouncer pool as the write endpoint (`pooling`), and one more replica in `disaster_recovery_region` (not for reads).",
    default: {},
    nullable: false,
    validation: [
      ...inputRules("postgres", POSTGRES_INPUTS, DO_POSTGRES_FIELDS),
      matchesRule("postgres.node_size", DO_SIZE_SLUG, SIZE_SLUG("db-s-2vcpu-4gb"), true),
      oneOfRule("postgres.disaster_recovery_region", DO_REGIONS, true),
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
    type: "object({ media_domain = optional(string), static_domain = optional(string) })",
    description:
      "The host names of media and static files (`media.<domain>` and `static.<domain>` when null). They make the buckets' names: DigitalOcean's CDN serves the files on its own endpoint names (`media_cdn_domain`, `static_cdn_domain`).",
    default: {},
    nullable: false,
    validation: [matchesRule("cdn.media_domain", DOMAIN_NAME, DOMAIN_EXAMPLE, true), matchesRule("cdn.static_domain", DOMAIN_NAME, DOMAIN_EXAMPLE, true)],
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
    const v = (path: string) => attribute(scope, path);
    const namePrefix = inputs.name_prefix.string;
    const domain = inputs.domain.string;
    const region = inputs.region.string;
    const projectId = inputs.project_id.string;
    const split = equals(inputs.layout.string, "split");
    const failover = v("failover.enabled").boolean;
    const healthCheckPath = inputs.health_check_path.string;
    const sizeUnit = inputs.load_balancer_size_unit.number;
    // Inside a function, text with references in it must be format()'s: cdktf renders templates there as plain text.
    const mediaDomain = Token.asString(Fn.coalesce([v("cdn.media_domain").string, Fn.format("media.%s", [domain])]));
    const staticDomain = Token.asString(Fn.coalesce([v("cdn.static_domain").string, Fn.format("static.%s", [domain])]));
    const corsOrigins = Token.asList(Fn.coalesce([inputs.cors_origins.list, [Fn.format("https://%s", [domain])]]));

    const network = context.submodule("network", { name_prefix: namePrefix, region, cidr: inputs.cidr.string });
    const vpc = network.output("vpc_uuid");
    // The load balancer presents an Origin CA certificate to Cloudflare; proxied names present Cloudflare's edge certificate, which needs nothing here.
    const certificate = context.submodule("certificate", { name_prefix: namePrefix, domain_name: domain, use: "load-balancer" });

    const postgres = context.submodule("postgres", {
      name_prefix: namePrefix,
      region,
      vpc_uuid: vpc,
      size: v("postgres.size").string,
      replica_size: v("postgres.replica_size").string,
      node_size: v("postgres.node_size").string,
      engine_version: v("postgres.version").string,
      high_availability: v("postgres.high_availability").boolean,
      replicas: v("postgres.replicas").number,
      pooling: v("postgres.pooling").boolean,
      database_name: DATABASE_NAME,
      username: DATABASE_USER,
      disaster_recovery_region: v("postgres.disaster_recovery_region").string,
      project_id: projectId,
    });
    const cache = context.submodule("cache", {
      name_prefix: namePrefix,
      region,
      vpc_uuid: vpc,
      size: v("cache.size").string,
      node_size: v("cache.node_size").string,
      engine_version: v("cache.version").string,
      high_availability: v("cache.high_availability").boolean,
      project_id: projectId,
    });
    const store = (purpose: "media" | "static", cdnDomain: string) =>
      context.submodule(
        "object-store",
        { name_prefix: namePrefix, region, purpose, cdn_domain: cdnDomain, cors_origins: corsOrigins, project_id: projectId, deletion_protection: inputs.deletion_protection.boolean },
        { as: purpose },
      );
    const media = store("media", mediaDomain);
    const statics = store("static", staticDomain);

    // The application's environment, as appConfiguration makes it for the stacks, from the submodules' outputs.
    // DigitalOcean has no secret store: a secret is a submodule's sensitive output, which reaches the droplets in their user data.
    const secret = (call: string, output: string, tier: { output(name: string): string }) => stateSecret(tier.output(output), `module.${call}.${output}`);
    const storeTier = (purpose: "media" | "static", tier: typeof media): IObjectStoreCdn => ({
      purpose,
      bucketName: tier.output("bucket_name"),
      region: tier.output("region"),
      endpointUrl: tier.output("endpoint_url"),
      cdnDomain: tier.output("cdn_domain"),
      // A reference to the store's ACL ("public-read": the CDN reads objects anonymously).
      objectAcl: tier.output("object_acl") as IObjectStoreCdn["objectAcl"],
      accessKey: { id: tier.output("access_key_id"), secret: secret(purpose, "secret_access_key", tier) },
      grantReadWrite: wiredBySubmodules,
    });
    const postgresTier: IPostgresCluster = {
      port: DO_DATABASE_PORT,
      // Writes go to the pool when pooling is on, on the pool's port, else to the primary; the release step's locks always to the primary.
      primary: { host: postgres.output("primary_host"), port: DO_DATABASE_PORT },
      pooler: { host: postgres.output("write_host"), port: Token.asNumber(postgres.output("write_port")) },
      // The replicas' URLs are made below, by Terraform, for however many there are.
      replicas: [],
      databaseName: DATABASE_NAME,
      username: DATABASE_USER,
      password: secret("postgres", "password", postgres),
      allowFrom: wiredBySubmodules,
    };
    const cacheTier: ICache = {
      port: DO_VALKEY_PORT,
      endpoint: { host: cache.output("host"), port: DO_VALKEY_PORT },
      tls: true,
      password: secret("cache", "password", cache),
      allowFrom: wiredBySubmodules,
    };
    const configuration = appConfiguration({
      domain,
      postgres: postgresTier,
      cache: cacheTier,
      media: storeTier("media", media),
      staticFiles: storeTier("static", statics),
      settingsModule: v("settings_module").string,
    });
    const replicaHosts = postgres.list("replica_hosts");
    // Replicas have no pools: reads connect to them directly.
    const replicaUrls = replicaUrlsOf(replicaHosts, DO_DATABASE_PORT, DATABASE_USER, DATABASE_NAME);
    // Settings without a value (no settings module, no replicas) are left out, as the stacks leave them out.
    const { settings, environment } = environmentLocals(scope, configuration, { hosts: replicaHosts, urls: replicaUrls }, inputs.environment.any);
    const secrets = appSecretsLocal(scope, Object.fromEntries(configuration.secrets.map((s) => [s.name, s.secret.id])), inputs.secrets.any);

    const loadBalancer = context.submodule(
      "load-balancer",
      {
        name_prefix: namePrefix,
        vpc_uuid: vpc,
        region,
        certificate_name: certificate.output("name"),
        target_port: NGINX_PORT,
        health_check_path: healthCheckPath,
        size_unit: sizeUnit,
        project_id: projectId,
      },
      { as: "load_balancer" },
    );
    const internal = context.submodule(
      "internal-load-balancer",
      {
        name_prefix: namePrefix,
        vpc_uuid: vpc,
        region,
        cidr: network.output("cidr"),
        target_port: GUNICORN_PORT,
        health_check_path: healthCheckPath,
        size_unit: sizeUnit,
        project_id: projectId,
      },
      { as: "internal_load_balancer", enabled: split },
    );

    const pool = (role: string, as: string, inputsOf: Record<string, unknown>, enabled?: boolean) =>
      context.submodule(
        "compute-pool",
        {
          name_prefix: namePrefix,
          role,
          vpc_uuid: vpc,
          ssh_keys: inputs.ssh_keys.list,
          admin_cidrs: inputs.admin_cidrs.list,
          project_id: projectId,
          ...poolApplicationInputs(scope, inputs, domain, healthCheckPath),
          ...inputsOf,
        },
        { as, enabled },
      );
    const scaling = (name: PoolName) => poolScalingInputs(scope, name, DROPLET_SIZE_ATTRIBUTE);
    const web = pool("web", "web_pool", {
      ...scaling("web"),
      ...webPoolEnvironment(split, internal.instance("upstream"), environment, secrets),
      load_balancer_ids: [loadBalancer.output("id")],
    });
    const app = pool("app", "app_pool", { ...scaling("app"), environment, secrets, load_balancer_ids: internal.each("id") }, split);
    const worker = pool("worker", "worker_pool", { ...scaling("worker"), environment, secrets });
    const beat = pool("beat", "beat_pool", { size: "small", min_instances: 1, max_instances: 1, environment, secrets }, v("pools.worker.beat").boolean);

    loadBalancer.set("droplet_tag", web.output("tag"));
    internal.set("droplet_tag", app.output("tag"));
    // The droplets that run Django: the app servers (web when colocated, app when split), workers and beat.
    const appServers = Token.asList(Fn.conditional(split, [app.instance("tag")], [web.output("tag")]));
    const djangoTags = Token.asList(Fn.concat([appServers, worker.each("tag"), beat.each("tag")]));
    postgres.set("allowed_droplet_tags", djangoTags);
    cache.set("allowed_droplet_tags", djangoTags);

    const dns = context.submodule(
      "dns-failover",
      {
        name_prefix: namePrefix,
        account_id: inputs.account_id.string,
        zone_id: inputs.zone_id.string,
        record_name: domain,
        origin_address: loadBalancer.output("ip"),
        health_check_path: healthCheckPath,
        maintenance_title: v("failover.title").string,
        maintenance_message: v("failover.message").string,
      },
      { as: "dns_failover", enabled: failover },
    );
    // Without failover, one proxied record of the load balancer, as CloudflareDnsFailover makes it.
    const zone = new ExistingCloudflareZone(inputs.zone_id.string, inputs.account_id.string, "");
    optional(negate(failover), ({ count }) => {
      const ssl = strictOriginSsl(zone, scope);
      const record = proxiedRecord(zone, scope, "site", { name: domain, type: "A", content: loadBalancer.output("ip"), comment: `${namePrefix}: the load balancer`, ssl });
      if (count) {
        ssl.count = count;
        record.count = count;
      }
      return record;
    });

    const byRole = (output: string) => ({ web: web.output(output), app: app.output(output), worker: worker.output(output), beat: beat.output(output) });
    return [
      ...applicationModuleOutputs({
        domain,
        healthCheckPath,
        image: inputs.container_image.string,
        databaseUrl: settings.DATABASE_URL,
        replicaUrls,
        redisUrl: settings.REDIS_URL,
        configuration,
        media: storeOutputs(media),
        staticFiles: storeOutputs(statics),
        passwordOutputs: { database: "database_password", redis: "redis_password" },
      }),
      // DigitalOcean has no secret store: the passwords themselves (*_password_secret names the submodules' state, which a caller cannot read).
      { name: "database_password", description: "The database password (DigitalOcean has no secret store).", value: postgres.output("password"), sensitive: true },
      { name: "redis_password", description: "The Redis password (DigitalOcean has no secret store).", value: cache.output("password"), sensitive: true },
      { name: "media_cdn_id", description: "The media CDN endpoint, for cache purges.", value: media.output("cdn_id") },
      { name: "static_cdn_id", description: "The static CDN endpoint, for cache purges after collectstatic.", value: statics.output("cdn_id") },
      { name: "vpc_uuid", description: "The VPC.", value: vpc },
      { name: "load_balancer_ip", description: "The public load balancer's address (the origin Cloudflare proxies to).", value: loadBalancer.output("ip") },
      { name: "autoscale_pool_ids", description: "Each pool's droplet autoscale pool, by role (null for a pool the layout or beat leaves out).", value: byRole("autoscale_pool_id") },
      { name: "droplet_tags", description: "Each pool's droplet tag, by role (null for a pool the layout or beat leaves out).", value: byRole("tag") },
      { name: "edge_worker_script_name", description: "The site's edge Worker, which serves the maintenance page, when failover is on, else null.", value: dns.output("worker_script_name") },
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
      `and sit in Terraform state. Split-layout web droplets get only \`${APP_UPSTREAM_SETTING}\` (the internal load balancer) and no secrets. ` +
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
