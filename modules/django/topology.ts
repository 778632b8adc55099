import { Construct } from "constructs";
import { TerraformStack, TerraformVariable } from "cdktf";
import { PolicyAtSynth } from "../policy";
import {
  AppConfiguration,
  AppSecret,
  ApplicationSecret,
  ComputePoolProps,
  DEFAULTS,
  HostAccess,
  HostBootstrap,
  HostConfigDelivery,
  ICache,
  IComputePool,
  IDnsFailover,
  IDnsZone,
  IBroker,
  IFirewall,
  ILoadBalancer,
  ILogging,
  IMonitoring,
  INetwork,
  IObjectStoreCdn,
  IPostgresCluster,
  IStaticSite,
  PoolDiscovery,
  PoolRole,
  RegistryAccess,
  TierFactory,
  SpecValidator,
  ValidationError,
  ValidationIssue,
  answeredFor,
  anyOf,
  choose,
  chooseConfiguration,
  concatenated,
  eitherPool,
  equals,
  formatted,
  whenever,
  validateSpecText,
  validateUnescapedText,
  secretLocation,
} from "../core";
import { appConfiguration, postgresUrl, redisUrl, replicaUrls } from "./configuration";
import { databaseRoleSetup } from "./database";
import { APP_UPSTREAM_SETTING, GUNICORN_PORT, HostRenderOptions, NGINX_PORT, REGISTRY_SETTINGS, drainDelaySeconds, readyDeadlineSeconds, renderUserData, stopSeconds } from "./host";
import { renderMaintenancePage } from "./maintenance-page";
import { REGISTRY_PASSWORD, declaredSecrets, secretVariableName } from "./secrets";
import { ApplicationSpec, DjangoTopologyProps, Layout, PoolSpec, failoverOn, separateAppTier } from "./spec";
import { MAX_NAME_PREFIX, RESOURCE_NAME, alertThresholds, namePrefix, validateTopology } from "./validate";
import { cdnDomains } from "../naming/resource-names";

export interface DjangoTopologyConfig {
  /** The cloud to build on. */
  readonly factory: TierFactory;
  /** The environment, in neutral terms. */
  readonly spec: DjangoTopologyProps;
  /**
   * What every resource's name starts with, held to the rules of `<application.name>-<environment>`
   * (a whole-topology module passes its `name_prefix` variable).
   * @default `<application.name>-<environment>`
   */
  readonly namePrefix?: string;
}

/** A value the application (or its operator) needs from the stack. */
export interface TopologyOutput {
  /** The Terraform output's name. */
  readonly name: string;
  readonly value: string | string[];
  readonly description: string;
  readonly sensitive: boolean;
}

/** The pools a spec's topology has: web, app (split and nginx-balanced layouts), worker, beat (unless `pools.worker.beat` is false). */
export function poolRoles(spec: Pick<DjangoTopologyProps, "layout" | "pools">): PoolRole[] {
  return ["web", ...(separateAppTier(spec.layout ?? DEFAULTS.layout) ? ["app" as const] : []), "worker", ...(beatOn(spec) ? ["beat" as const] : [])];
}

/** Whether the spec's topology has a beat pool (`pools.worker.beat`): a literal, or the module's variable. */
function beatOn(spec: Pick<DjangoTopologyProps, "pools">): boolean {
  return spec.pools.worker.beat ?? DEFAULTS.worker.beat;
}

/**
 * How long a task's message stays hidden from other workers once one receives it (SQS), or
 * unacknowledged on a worker (RabbitMQ's `consumer_timeout`), before it is delivered again:
 * longer than any task should run.
 */
export const QUEUE_VISIBILITY_SECONDS = 3600;

/** The name Django's database user and database get. */
export const DATABASE_NAME = "app";
export const DATABASE_USER = "app";

/**
 * The whole Django production topology of one environment, composed only through a
 * `TierFactory`: public load balancer → web/app pool (→ internal load balancer → app pool
 * in the `split` layout), Celery workers and beat, PostgreSQL with replicas and pooler,
 * Valkey, media and static buckets behind a CDN, DNS failover to a maintenance page.
 */
export class DjangoTopology extends Construct {
  public readonly layout: Layout;
  public readonly network: INetwork;
  public readonly zone: IDnsZone;
  public readonly postgres: IPostgresCluster;
  public readonly cache: ICache;
  public readonly media: IObjectStoreCdn;
  public readonly staticFiles: IObjectStoreCdn;
  public readonly loadBalancer: ILoadBalancer;
  /** `split` layout only. */
  public readonly internalLoadBalancer?: ILoadBalancer;
  /** Every pool, by role. */
  public readonly pools: Readonly<Partial<Record<PoolRole, IComputePool>>>;
  /** With failover only. */
  public readonly maintenanceSite?: IStaticSite;
  public readonly dns: IDnsFailover;
  /** With `alerts` only: the alarms and where they go. */
  public readonly monitoring?: IMonitoring;
  /** With `logs` only: where the hosts ship their logs. */
  public readonly logging?: ILogging;
  /** With `broker.engine` other than `valkey` only: Celery's broker (else the cache is). */
  public readonly broker?: IBroker;
  /** With `firewall` only: the web application firewall in front of the site. */
  public readonly firewall?: IFirewall;
  /** The site's own name is served by the CDN: `cdn.site`, or a cloud whose edge proxies every site (Cloudflare). */
  public readonly siteBehindCdn: boolean;
  /** How the hosts log in to the image's registry. */
  public readonly registry: RegistryAccess;
  /** The application the hosts run, its image the release deployed. */
  public readonly application: ApplicationSpec;
  /** The path load balancers, the DNS failover and the pipeline's smoke check ask. */
  public readonly healthCheckPath: string;
  /** What Django processes receive as their environment. */
  public readonly appConfiguration: AppConfiguration;
  /**
   * What each pool's hosts receive: `appConfiguration` where they run Django, only the
   * internal load balancer's address on the nginx-only web pool of the `split` layout.
   */
  public readonly hostConfigurations: Readonly<Partial<Record<PoolRole, AppConfiguration>>>;

  constructor(scope: Construct, id: string, config: DjangoTopologyConfig) {
    super(scope, id);
    const spec = config.spec;
    // Inside a CloudTiersStack (or buildApp) the spec is validated already, and the policy pack runs there.
    if (!answeredFor(spec)) {
      // The neutral rules, then the cloud's own through its factory (region, sizes, names...).
      const issues = [
        ...validateSpecText(spec.environment, spec),
        ...validateUnescapedText(spec.environment, spec),
        ...validateTopology(spec),
        ...validateNamePrefix(spec.environment, config.namePrefix),
        ...validateOptionalTiers(spec, config.factory),
      ];
      if (issues.length === 0) issues.push(...(config.factory.validate?.(spec) ?? []));
      if (issues.length > 0) throw new ValidationError(issues);
      // An environment spec's policy settings, when a library user passes one.
      const policy = spec as { production?: boolean; policy?: { suppress?: readonly { rule: string; cloud: string; resource: string; reason: string }[] } };
      const checks = config.factory.policy;
      if (checks) {
        this.node.addValidation(
          new PolicyAtSynth({
            stack: TerraformStack.of(this).node.id,
            cloud: checks,
            production: policy.production ?? true,
            suppressions: (policy.policy?.suppress ?? []).filter((s) => s.cloud === config.factory.cloud),
            document: () => TerraformStack.of(this).toTerraform(),
          }),
        );
      }
    }

    const f = config.factory;
    const prefix = config.namePrefix ?? namePrefix(spec);
    const protect = spec.deletionProtection ?? DEFAULTS.deletionProtection;
    const healthCheckPath = spec.healthCheckPath ?? DEFAULTS.healthCheckPath;
    this.healthCheckPath = healthCheckPath;
    const { media: mediaDomain, static: staticDomain } = cdnDomains(spec);
    this.layout = spec.layout ?? DEFAULTS.layout;
    this.application = spec.application;
    // Literals in a stack; the module's variables in a whole-topology module, where Terraform decides.
    const split = equals(this.layout, "split");
    const balanced = equals(this.layout, "nginx-balanced");
    const failover = failoverOn(spec);
    // The whole site behind the CDN: where the cloud's edge does not proxy it already.
    const siteCdn = (spec.cdn?.site ?? DEFAULTS.cdn.site) === true && f.proxiesSite !== true;
    this.siteBehindCdn = siteCdn || f.proxiesSite === true;

    this.network = f.createNetwork(this, "network", {
      namePrefix: prefix,
      cidr: spec.network?.cidr ?? DEFAULTS.network.cidr,
      zones: spec.network?.zones ?? DEFAULTS.network.zones,
    });
    this.zone = f.createDnsZone(this, "dns-zone", {
      namePrefix: prefix,
      zoneName: spec.dnsZone,
      create: spec.createDnsZone ?? DEFAULTS.createDnsZone,
      deletionProtection: protect,
    });
    const certificate = f.createCertificate(this, "certificate", {
      namePrefix: prefix,
      zone: this.zone,
      domainName: spec.domain,
      use: "load-balancer",
    });
    const cdnCertificate = f.createCertificate(this, "cdn-certificate", {
      namePrefix: prefix,
      zone: this.zone,
      domainName: mediaDomain,
      alternativeNames: concatenated([staticDomain], siteCdn ? [spec.domain] : choose(failover, [spec.domain], [])),
      use: "cdn",
    });

    const pg = spec.postgres;
    this.postgres = f.createPostgres(this, "postgres", {
      namePrefix: prefix,
      network: this.network,
      size: pg.size,
      replicaSize: pg.replicaSize,
      version: pg.version ?? DEFAULTS.postgres.version,
      storageGiB: pg.storageGiB,
      highAvailability: pg.highAvailability,
      replicas: pg.replicas,
      pooling: pg.pooling ?? DEFAULTS.postgres.pooling,
      backupRetentionDays: pg.backupRetentionDays ?? DEFAULTS.postgres.backupRetentionDays,
      databaseName: DATABASE_NAME,
      username: DATABASE_USER,
      roleSetup: databaseRoleSetup(DATABASE_NAME, DATABASE_USER),
      deletionProtection: protect,
    });
    this.cache = f.createCache(this, "cache", {
      namePrefix: prefix,
      network: this.network,
      size: spec.cache.size,
      highAvailability: spec.cache.highAvailability,
      version: spec.cache.version ?? DEFAULTS.cache.version,
      deletionProtection: protect,
    });
    const corsOrigins = [formatted("https://%s", spec.domain)];
    this.media = f.createObjectStore(this, "media", {
      namePrefix: prefix,
      purpose: "media",
      cdnDomain: mediaDomain,
      zone: this.zone,
      certificate: cdnCertificate,
      corsOrigins,
      deletionProtection: protect,
    });
    this.staticFiles = f.createObjectStore(this, "static", {
      namePrefix: prefix,
      purpose: "static",
      cdnDomain: staticDomain,
      zone: this.zone,
      certificate: cdnCertificate,
      corsOrigins,
      deletionProtection: protect,
    });

    // Celery's broker: the cache, unless the spec names a broker of its own.
    const engine = spec.broker?.engine ?? DEFAULTS.broker.engine;
    if (engine !== "valkey") {
      if (!f.createQueueBroker) throw new Error(`the ${f.cloud} tier factory has no createQueueBroker, but broker.engine is "${engine}"`);
      this.broker = f.createQueueBroker(this, "broker", {
        engine,
        namePrefix: prefix,
        network: this.network,
        // A hosted broker's (the factory defaults them, for every caller alike).
        size: spec.broker?.size,
        highAvailability: spec.broker?.highAvailability,
        deletionProtection: protect,
        visibilityTimeoutSeconds: QUEUE_VISIBILITY_SECONDS,
      });
    }

    const secrets = this.applicationSecrets(f, prefix, protect, spec.application);
    const credentials = spec.application.registry;
    this.registry = f.createRegistryAccess(this, "registry", {
      namePrefix: prefix,
      image: spec.application.image,
      credentials: credentials && secrets.registryPassword ? { username: credentials.username, password: secrets.registryPassword.secret } : undefined,
    });
    this.appConfiguration = appConfiguration({
      domain: spec.domain,
      postgres: this.postgres,
      cache: this.cache,
      broker: this.broker,
      media: this.media,
      staticFiles: this.staticFiles,
      settingsModule: spec.application.settingsModule,
      extra: spec.application.settings,
      extraSecrets: secrets.application,
      host: hostConfiguration(this.registry, secrets.registryPassword),
    });

    if (spec.logs) {
      this.logging = optionalTier(f, "logs")(this, "logging", { namePrefix: prefix, retentionDays: spec.logs.retentionDays ?? DEFAULTS.logs.retentionDays });
    }

    this.loadBalancer = f.createLoadBalancer(this, "load-balancer", {
      namePrefix: prefix,
      network: this.network,
      scheme: "public",
      certificate,
      targetPort: NGINX_PORT,
      healthCheck: { path: healthCheckPath },
      behindCdn: siteCdn,
    });

    const bootstrap = (role: PoolRole, size: PoolSpec["size"], configuration: AppConfiguration, appDiscovery?: PoolDiscovery): HostBootstrap => {
      const options: HostRenderOptions = {
        appDiscovery,
        role,
        layout: this.layout,
        size,
        application: spec.application,
        domain: spec.domain,
        healthCheckPath,
        allowFrom: [this.network.cidr],
        workerConcurrency: spec.pools.worker.concurrency,
        workerStopSeconds: spec.pools.worker.stopTimeoutSeconds,
        registry: this.registry.login === "none" ? undefined : { login: this.registry.login, server: this.registry.server },
        celeryRemoteControl: this.broker?.remoteControl ?? true,
      };
      return {
        configuration,
        render: (delivery: HostConfigDelivery, access?: HostAccess) => renderUserData(options, delivery, access),
        readySeconds: readyDeadlineSeconds(),
        stopSeconds: stopSeconds(options) + drainDelaySeconds(options),
      };
    };
    type PoolOptions = Pick<ComputePoolProps, "port" | "loadBalancer" | "exclusive" | "replaceUnhealthy"> & { configuration?: AppConfiguration; appDiscovery?: PoolDiscovery };
    const configurations: Partial<Record<PoolRole, AppConfiguration>> = {};
    const pool = (role: PoolRole, id: string, p: PoolSpec, { configuration = this.appConfiguration, appDiscovery, ...options }: PoolOptions) => {
      configurations[role] = configuration;
      return f.createComputePool(this, id, {
        ...options,
        namePrefix: prefix,
        network: this.network,
        role,
        size: p.size,
        minInstances: p.min,
        maxInstances: p.max,
        cpuTargetPercent: p.cpuTargetPercent,
        readableSecrets: [...configuration.secrets, ...(configuration.host?.secrets ?? [])].map((s) => s.secret),
        // Only the hosts that run the application's image log in to its registry.
        registry: configuration === this.appConfiguration ? this.registry : undefined,
        host: bootstrap(role, p.size, configuration, appDiscovery),
        logging: this.logging,
      });
    };

    const pools: Partial<Record<PoolRole, IComputePool>> = {};
    const internal = whenever(f, split, () =>
      f.createLoadBalancer(this, "internal-load-balancer", {
        namePrefix: prefix,
        network: this.network,
        scheme: "internal",
        targetPort: GUNICORN_PORT,
        healthCheck: { path: healthCheckPath },
      }),
    );
    this.internalLoadBalancer = internal;
    // Split-layout web hosts run nginx only: the internal load balancer's address is all they are told.
    const upstream: AppConfiguration | undefined = internal && { settings: [{ name: APP_UPSTREAM_SETTING, value: `${internal.hostname}:${internal.port}` }], secrets: [] };
    // An app tier of its own: behind the internal load balancer (split), or listed by the web hosts (nginx-balanced).
    const appTier = anyOf(split, balanced);
    const appPool = () => pool("app", "app-pool", spec.pools.app!, { port: GUNICORN_PORT, loadBalancer: internal });
    // nginx-balanced (or a module's layout, which Terraform decides): the app pool comes first,
    // for the web hosts to know how to list its hosts; they run nginx only, and hold nothing
    // but what the listing needs.
    const discovered = balanced !== false ? whenever(f, appTier, appPool) : undefined;
    const discovery = discovered && discoveryOf(f, discovered);
    const listing: AppConfiguration | undefined = discovery && { settings: [], secrets: [], host: discovery.hostSecrets?.length ? { settings: [], secrets: discovery.hostSecrets } : undefined };
    const proxying = upstream ? chooseConfiguration(split, upstream, this.appConfiguration) : this.appConfiguration;
    pools.web = pool("web", "web-pool", spec.pools.web, {
      port: NGINX_PORT,
      loadBalancer: this.loadBalancer,
      configuration: listing ? chooseConfiguration(balanced, listing, proxying) : proxying,
      appDiscovery: discovery,
      // /healthz on a split or nginx-balanced web host answers through the app tier: an app
      // outage must not get every web host replaced, only take them out of rotation.
      replaceUnhealthy: choose<ComputePoolProps["replaceUnhealthy"]>(appTier, "instance", "load-balancer"),
    });
    internal?.allowFrom(pools.web);
    if (discovered) whenever(f, balanced, () => discovered.grantDiscovery!(pools.web!));
    const app = discovered ?? whenever(f, split, appPool);
    if (app) pools.app = app;
    pools.worker = pool("worker", "worker-pool", spec.pools.worker, {});
    const beat = whenever(f, beatOn(spec), () => pool("beat", "beat-pool", { size: "small", min: 1, max: 1 }, { exclusive: true }));
    if (beat) pools.beat = beat;
    // Only the pools there are: a role the layout or beat leaves out has no key.
    this.pools = pools;
    this.hostConfigurations = configurations;

    // The hosts that run Django: the app servers (web when colocated, app when split), workers and beat.
    const appServers = [pools.app ? eitherPool(f, appTier, pools.app, pools.web) : pools.web];
    const djangoHosts = [...appServers, pools.worker, ...(pools.beat ? [pools.beat] : [])];
    for (const host of djangoHosts) {
      this.postgres.allowFrom(host);
      this.cache.allowFrom(host);
      this.media.grantReadWrite(host);
      // Workers take tasks; the others (the site's hosts, beat) only send them.
      if (host === pools.worker) this.broker?.grantConsume(host);
      else this.broker?.grantSend(host);
    }
    for (const host of appServers) this.staticFiles.grantReadWrite(host);

    this.maintenanceSite = whenever(f, failover, () =>
      f.createStaticSite(this, "maintenance-site", {
        namePrefix: prefix,
        domain: spec.domain,
        zone: this.zone,
        certificate: cdnCertificate,
        deletionProtection: protect,
        servedBySite: siteCdn,
        files: {
          "index.html": renderMaintenancePage(spec.failover?.title ?? DEFAULTS.failover.title, spec.failover?.message ?? DEFAULTS.failover.message),
        },
      }),
    );
    this.dns = f.createDnsFailover(this, "dns", {
      namePrefix: prefix,
      zone: this.zone,
      recordName: spec.domain,
      primary: this.loadBalancer,
      healthCheckPath,
      secondary: this.maintenanceSite,
      cdn: siteCdn ? { certificate: cdnCertificate } : undefined,
    });

    if (spec.firewall) {
      this.firewall = optionalTier(f, "firewall")(this, "firewall", {
        namePrefix: prefix,
        loadBalancer: this.loadBalancer,
        zone: this.zone,
        site: this.dns,
        requestsPerMinute: spec.firewall.requestsPerMinute ?? DEFAULTS.firewall.requestsPerMinute,
      });
    }

    if (spec.alerts) {
      this.monitoring = optionalTier(f, "alerts")(this, "monitoring", {
        namePrefix: prefix,
        emails: spec.alerts.emails,
        webhook: spec.alerts.webhook,
        thresholds: alertThresholds(spec.alerts),
        site: this.dns,
        healthCheckPath,
        loadBalancer: this.loadBalancer,
        pools: Object.values(pools),
        postgres: this.postgres,
        postgresSize: pg.size,
        postgresReplicaSize: pg.replicaSize ?? pg.size,
        postgresStorageGiB: pg.storageGiB,
        cache: this.cache,
        cacheSize: spec.cache.size,
        broker: this.broker,
        logging: this.logging,
      });
    }
  }

  /**
   * The application's own secrets and the registry password, kept by the cloud:
   * `generated` ones made by Terraform, `variable` ones given through a sensitive Terraform
   * variable each (declared here, so that no value ever passes through the synthesised
   * stack), `existing` ones where the cloud's section says. The registry password is the
   * host's, never the application's.
   */
  private applicationSecrets(f: TierFactory, prefix: string, protect: boolean, app: ApplicationSpec): { application: AppSecret[]; registryPassword?: AppSecret } {
    const secrets: ApplicationSecret[] = declaredSecrets(app).map(({ name, source: { source, length } }) => {
      if (source === "generated") return { name, source, length };
      if (source === "existing") return { name, source };
      const variable = secretVariableName(name);
      const input = new TerraformVariable(this, variable, {
        type: "string",
        sensitive: true,
        nullable: false,
        description: `${name} of the ${name === REGISTRY_PASSWORD ? "hosts' registry login (application.registry.password)" : "application's processes (application.secrets)"}: set TF_VAR_${variable}, or a sensitive Terraform variable of the workspace`,
        validation: [{ condition: `\${length(var.${variable}) > 0 && !can(regex("[\\r\\n]", var.${variable}))}`, errorMessage: `${variable} must be one line of text, not empty.` }],
      });
      input.overrideLogicalId(variable);
      return { name, source: "given", value: input.stringValue, variable };
    });
    if (secrets.length === 0) return { application: [] };
    const refs = f.createApplicationSecrets(this, "application-secrets", { namePrefix: prefix, secrets, deletionProtection: protect });
    const kept = secrets.map((s) => ({ name: s.name, secret: refs[s.name], origin: secretOrigin(s) }));
    return { application: kept.filter((s) => s.name !== REGISTRY_PASSWORD), registryPassword: kept.find((s) => s.name === REGISTRY_PASSWORD) };
  }

  /**
   * The stack outputs the Django app and its operators need, the same names on every cloud;
   * a whole-topology module describes its image and passwords in its own terms.
   */
  public outputs(terms: Partial<Pick<ApplicationOutputValues, "imageDescription" | "passwordOutputs">> = {}): TopologyOutput[] {
    const pg = this.postgres;
    return applicationOutputs({
      domain: this.dns.recordName,
      healthCheckPath: this.healthCheckPath,
      image: this.application.image,
      imageDescription: "The image this stack's hosts run: the release deployed (give it back through CLOUDTIERS_IMAGE_<ENVIRONMENT> to return to it).",
      databaseUrl: postgresUrl(pg.pooler ?? pg.primary, pg.username, pg.databaseName),
      replicaUrls: replicaUrls(pg),
      redisUrl: redisUrl(this.cache),
      configuration: this.appConfiguration,
      media: this.media,
      staticFiles: this.staticFiles,
      ...terms,
    });
  }
}

/** What the outputs every stack and every whole-topology module give are made of. */
export interface ApplicationOutputValues {
  /** The site's host name. */
  readonly domain: string;
  readonly healthCheckPath: string;
  readonly image: string;
  /** What `application_image` is: a stack's release, a module's input. */
  readonly imageDescription: string;
  readonly databaseUrl: string;
  readonly replicaUrls: string[];
  readonly redisUrl: string;
  /** Where the database and Redis passwords live. */
  readonly configuration: AppConfiguration;
  /**
   * The outputs a caller reads the passwords from, where it cannot follow `*_password_secret`
   * (a module whose passwords are in its own state: DigitalOcean's).
   * @default - the caller follows database_password_secret and redis_password_secret
   */
  readonly passwordOutputs?: { readonly database: string; readonly redis: string };
  readonly media: Pick<IObjectStoreCdn, "bucketName" | "cdnDomain" | "region" | "endpointUrl">;
  readonly staticFiles: Pick<IObjectStoreCdn, "bucketName" | "cdnDomain">;
}

/**
 * The outputs the Django app and its operators need, written once: the stacks give them
 * (`DjangoTopology.outputs`), and so does each cloud's whole-topology module, after which it
 * adds its own.
 */
export function applicationOutputs(o: ApplicationOutputValues): TopologyOutput[] {
  const secretText = (name: string) => secretLocation(o.configuration.secrets.find((s) => s.name === name)!.secret);
  const password = (output: string | undefined, secret: string) => (output ? `the password is the ${output} output` : `the password is in ${secret}`);
  return [
    { name: "site_url", value: `https://${o.domain}`, description: "The site's public URL.", sensitive: false },
    { name: "health_check_url", value: `https://${o.domain}${o.healthCheckPath}`, description: "The site's health path, as a smoke check asks it.", sensitive: false },
    { name: "application_image", value: o.image, description: o.imageDescription, sensitive: false },
    { name: "database_url", value: o.databaseUrl, description: `DATABASE_URL for writes (through the pooler when there is one); ${password(o.passwordOutputs?.database, "database_password_secret")}.`, sensitive: true },
    { name: "database_replica_urls", value: o.replicaUrls, description: "One URL per read replica, for a Django database router.", sensitive: true },
    { name: "database_password_secret", value: secretText("DATABASE_PASSWORD"), description: "Where the database password lives (store:id#key).", sensitive: false },
    { name: "redis_url", value: o.redisUrl, description: `REDIS_URL for cache, sessions and the Celery broker; ${password(o.passwordOutputs?.redis, "redis_password_secret")}.`, sensitive: true },
    { name: "redis_password_secret", value: secretText("REDIS_PASSWORD"), description: "Where the Redis password lives (store:id#key).", sensitive: false },
    { name: "media_bucket", value: o.media.bucketName, description: "Bucket for user uploads (MEDIA).", sensitive: false },
    { name: "static_bucket", value: o.staticFiles.bucketName, description: "Bucket for collected static files.", sensitive: false },
    { name: "media_cdn_domain", value: o.media.cdnDomain, description: "CDN host name serving media.", sensitive: false },
    { name: "static_cdn_domain", value: o.staticFiles.cdnDomain, description: "CDN host name serving static files.", sensitive: false },
    { name: "storage_region", value: o.media.region, description: "Region of the buckets.", sensitive: false },
    { name: "storage_endpoint_url", value: o.media.endpointUrl, description: "S3-compatible endpoint of the buckets.", sensitive: false },
  ];
}

/** The spec's optional sections, each with the factory method that builds its tier (a factory may leave it out). */
const OPTIONAL_TIERS = { alerts: "createMonitoring", firewall: "createFirewall", logs: "createLogging" } as const satisfies Partial<Record<keyof DjangoTopologyProps, keyof TierFactory>>;
type OptionalSection = keyof typeof OPTIONAL_TIERS;

/** A spec that asks for an optional section needs a factory that builds its tier. */
function validateOptionalTiers(spec: DjangoTopologyProps, factory: TierFactory): ValidationIssue[] {
  const v = new SpecValidator(spec.environment);
  for (const [section, method] of Object.entries(OPTIONAL_TIERS) as [OptionalSection, keyof TierFactory][]) {
    if (spec[section] !== undefined && !factory[method]) v.fail(section, `cannot be built by the ${factory.cloud} tier factory, which has no ${method}`);
  }
  const engine = spec.broker?.engine;
  if (engine !== undefined && engine !== "valkey" && !factory.createQueueBroker) v.fail("broker.engine", `"${engine}" cannot be built by the ${factory.cloud} tier factory, which has no createQueueBroker`);
  return [...v.issues];
}

/** The factory's method for `section`'s tier, bound to it: every registered cloud has one, and a library user's spec is refused first (`validateOptionalTiers`). */
function optionalTier<S extends OptionalSection>(f: TierFactory, section: S): NonNullable<TierFactory[(typeof OPTIONAL_TIERS)[S]]> {
  const method = f[OPTIONAL_TIERS[section]];
  if (!method) throw new Error(`the ${f.cloud} tier factory has no ${OPTIONAL_TIERS[section]}, but the spec has ${section}`);
  return method.bind(f) as NonNullable<TierFactory[(typeof OPTIONAL_TIERS)[S]]>;
}

/** How the web hosts list the app pool's hosts: a pool of a factory that cannot say is refused here. */
function discoveryOf(f: TierFactory, app: IComputePool): PoolDiscovery {
  if (!app.discovery || !app.grantDiscovery) throw new Error(`the ${f.cloud} tier factory's pools cannot be discovered (IComputePool.discovery), which the nginx-balanced layout needs`);
  return app.discovery();
}

/** A prefix given in place of `<application.name>-<environment>` follows the same rules. */
function validateNamePrefix(environment: string, prefix: string | undefined): ValidationIssue[] {
  if (prefix === undefined) return [];
  const v = new SpecValidator(environment);
  if (v.matches("namePrefix", prefix, RESOURCE_NAME, "lower-case letters, digits and hyphens, starting with a letter") && prefix.length > MAX_NAME_PREFIX) {
    v.fail("namePrefix", `must be at most ${MAX_NAME_PREFIX} characters, got ${prefix.length}`);
  }
  return [...v.issues];
}

/** Where an application secret's value comes from, in words (`npm run settings`). */
function secretOrigin(s: ApplicationSecret): string {
  switch (s.source) {
    case "generated":
      return "generated by Terraform (application.secrets), kept in its state";
    case "given":
      return `given to Terraform as the sensitive variable ${s.variable} (TF_VAR_${s.variable})`;
    case "existing":
      return "an existing secret of the cloud's store (application.secrets)";
  }
}

/**
 * The host's own configuration: the registry login's user name and password, where hosts
 * log in with them; `declared` is the password the spec declares, if the login is its.
 */
function hostConfiguration(registry: RegistryAccess, declared?: AppSecret): AppConfiguration["host"] {
  if (registry.login !== "password") return undefined;
  if (registry.username === undefined || registry.password === undefined) throw new Error(`the login to ${registry.server} has no user name or password`);
  const origin = registry.password === declared?.secret ? declared.origin : `read-only credentials of ${registry.server} the stack makes`;
  return {
    settings: [{ name: REGISTRY_SETTINGS.username, value: registry.username }],
    secrets: [{ name: REGISTRY_SETTINGS.password, secret: registry.password, origin }],
  };
}
