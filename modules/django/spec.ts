import { BrokerEngine, Size } from "../core";

/** How the web and app tiers are laid out (the three of seed 000; docs/topology.md#layouts). */
export type Layout = "colocated" | "split" | "nginx-balanced";
export const LAYOUTS: readonly Layout[] = ["colocated", "split", "nginx-balanced"];

/** Whether a layout runs gunicorn on an app pool of its own (`pools.app`), rather than on the web hosts (false for a module's reference). */
export function separateAppTier(layout: Layout): boolean {
  return layout === "split" || layout === "nginx-balanced";
}

/** The Django application the hosts run. */
export interface ApplicationSpec {
  /**
   * Short name; prefixes every resource name (`<name>-<environment>-...`): lower-case letters,
   * digits and hyphens, starting with a letter, and with the environment's name at most 24
   * characters (`shop-production` is 15).
   */
  readonly name: string;
  /** The container image the hosts pull and run, e.g. `ghcr.io/acme/shop:1.4.2`. */
  readonly image: string;
  /** The WSGI callable gunicorn serves, e.g. `shop.wsgi:application`. */
  readonly wsgiModule: string;
  /** The Celery application workers run (`celery -A <celeryApp>`), e.g. `shop`. */
  readonly celeryApp: string;
  /** `DJANGO_SETTINGS_MODULE`. @default - left to the image */
  readonly settingsModule?: string;
  /**
   * Further plain (non-secret) environment variables for every process. A setting whose
   * name or value looks like a secret is refused: declare it in `secrets`, or name it in
   * `publicSettings` if it is not one. @default {}
   * @see docs/application.md#how-the-application-reaches-a-host
   */
  readonly settings?: Readonly<Record<string, string>>;
  /**
   * Secret environment variables of every Django process, by name, each with where its
   * value comes from; the value itself is never in the spec, in `cdktf.out` or in a plan.
   * `DJANGO_SECRET_KEY: { source: "generated" }` gives Django a 50-character key that
   * stays the same across deploys. @default {}
   * @see docs/secrets.md
   */
  readonly secrets?: Readonly<Record<string, SecretSource>>;
  /**
   * Names of `settings` that look like secrets but are not (a publishable key, a commit
   * SHA): they are kept plain. @default []
   */
  readonly publicSettings?: readonly string[];
  /**
   * How hosts log in to the image's registry, for a private registry other than the
   * cloud's own: ECR images on AWS and DigitalOcean Container Registry images on
   * DigitalOcean need nothing here. @default - the cloud's own registry, else a public image
   * @see docs/secrets.md#private-images
   */
  readonly registry?: RegistrySpec;
}

/** The sources an application secret's value may come from. */
export const SECRET_SOURCES = ["generated", "variable", "existing"] as const;

/**
 * Where an application secret's value comes from. The value is never written in the spec:
 *
 * - `generated`: made by Terraform (letters and digits) and kept in its state, so it stays
 *   the same across deploys until you replace it (`terraform apply -replace=...`).
 * - `variable`: given when Terraform runs, as the sensitive variable `secret_<name in
 *   lower case>` (`TF_VAR_secret_stripe_api_key`, or a sensitive Terraform variable of the
 *   Terraform Cloud workspace).
 * - `existing`: already in the cloud's secret store; the cloud's section says where
 *   (`aws.secrets.<NAME>`). DigitalOcean has no secret store and refuses it.
 */
export interface SecretSource {
  /** Where the value comes from: made by Terraform (`generated`), given when Terraform runs (`variable`), or in the cloud's secret store (`existing`). */
  readonly source: (typeof SECRET_SOURCES)[number];
  /** `generated` only: how many characters. @default 50 */
  readonly length?: number;
}

/** The login of a private container registry. */
export interface RegistrySpec {
  /** The registry's host name, e.g. `ghcr.io`; it must be the image's. @default - the image's registry */
  readonly server?: string;
  /** The user name hosts log in as, e.g. `acme-deploy-bot`. */
  readonly username: string;
  /**
   * The password or access token, a secret the hosts read and the application never
   * receives: `variable` (`secret_registry_password`) or `existing` (`aws.secrets.REGISTRY_PASSWORD`).
   */
  readonly password: SecretSource;
}

/** An autoscaling pool. */
export interface PoolSpec {
  /**
   * Each host's size: 1, 2, 4 or 8 vCPUs with 2 GiB of memory per vCPU, mapped to a machine type
   * by the cloud's table (`aws.sizes.compute`, `digitalocean.sizes.compute`).
   */
  readonly size: Size;
  /** Fewest hosts, 1 to 100 (the worker pool's may be 0, except on DigitalOcean, whose pools keep one droplet at least). */
  readonly min: number;
  /** Most hosts, 1 to 100 and at least `min`. */
  readonly max: number;
  /** Average CPU the pool scales to hold, in percent: 10 to 90. @default 60 */
  readonly cpuTargetPercent?: number;
}

/** The Celery worker pool. */
export interface WorkerPoolSpec extends PoolSpec {
  /** Worker processes per host, 1 to 64. @default - the host's vCPU count */
  readonly concurrency?: number;
  /**
   * Seconds a stopping worker may take to finish its running tasks (Celery's warm
   * shutdown, on SIGTERM) before it is killed: a release or a scale-in replaces workers.
   * Keep it above your longest task: 10 to 3600. @default 300
   */
  readonly stopTimeoutSeconds?: number;
  /**
   * Run Celery beat, on a separate single-host pool, only while it holds a lock in
   * PostgreSQL: never twice, even while a replacement host starts beside the old one. @default true
   */
  readonly beat?: boolean;
}

/** Managed PostgreSQL. */
export interface PostgresSpec {
  /** The primary's size (and its standby's), mapped to an instance class by the cloud's table (`aws.sizes.postgres`, `digitalocean.sizes.postgres`). */
  readonly size: Size;
  /** The read replicas' size; on DigitalOcean at least `size`. @default - the primary's size */
  readonly replicaSize?: Size;
  /** PostgreSQL's major version: "15", "16" or "17". @default "16" */
  readonly version?: string;
  /**
   * Allocated storage in GiB, 20 to 16384; AWS grows it automatically up to four times this,
   * DigitalOcean gives the node size's own storage whatever this says.
   * @see docs/topology.md#parity-what-each-cloud-does-with-the-same-spec
   */
  readonly storageGiB: number;
  /** A synchronous standby in another zone, which takes over when the primary fails (Multi-AZ on AWS, a standby node on DigitalOcean). */
  readonly highAvailability: boolean;
  /** Read replicas, 0 to 5, each with its own URL for a database router. */
  readonly replicas: number;
  /** A connection pooler (PgBouncer / RDS Proxy) as the app's `DATABASE_URL`. @default false */
  readonly pooling?: boolean;
  /**
   * Days automated backups are kept, 1 to 35. DigitalOcean keeps 7 whatever this says, and
   * synth warns when it differs.
   * @default 7
   * @see docs/topology.md#parity-what-each-cloud-does-with-the-same-spec
   */
  readonly backupRetentionDays?: number;
}

/** Managed Valkey for cache, sessions and the Celery broker. */
export interface CacheSpec {
  /** The node's size, mapped to a node type by the cloud's table (`aws.sizes.cache`, `digitalocean.sizes.cache`). */
  readonly size: Size;
  /** A replica in another zone with automatic failover. */
  readonly highAvailability: boolean;
  /** Valkey's major version: "7" or "8". @default "8" */
  readonly version?: string;
}

/** DNS failover to a static maintenance page while the site is unhealthy. */
export interface FailoverSpec {
  /** Fail over at all: `false` keeps the section (its text is still checked) but turns failover off. @default true */
  readonly enabled?: boolean;
  /** The maintenance page's title, 1 to 500 characters. @default "Down for maintenance" */
  readonly title?: string;
  /** The maintenance page's text, 1 to 500 characters. @default "We'll be back shortly." */
  readonly message?: string;
}

/**
 * Who is told when the site is unwell, and when. Every alarm goes to every destination; each
 * threshold has a default a production site can start from.
 */
export interface AlertsSpec {
  /**
   * Email addresses every alert goes to, 1 to 10. On AWS each address first receives a
   * message from SNS asking to confirm the subscription: alerts reach it only once confirmed.
   */
  readonly emails: readonly string[];
  /**
   * An HTTPS endpoint alerts are also posted to (a paging tool's or a chat's webhook). It is
   * written into the stack and its state like any other argument: use one whose URL is not
   * itself a credential. AWS posts SNS notifications to it (the endpoint confirms the
   * subscription); DigitalOcean's alerts reach only email and Slack, and synth says so.
   * @default - email only
   * @see docs/operations.md#alerts
   */
  readonly webhook?: string;
  /** 5xx responses at the public load balancer, as a percentage of its requests over 5 minutes: 1 to 100. @default 5 */
  readonly errorRatePercent?: number;
  /** The public load balancer's 95th percentile response time over 5 minutes, in milliseconds: 50 to 60000. @default 2000 */
  readonly latencyP95Ms?: number;
  /** The database's CPU, in percent, over 10 minutes: 10 to 100. @default 80 */
  readonly databaseCpuPercent?: number;
  /** The database's storage in use, as a percentage of its allocated storage: 10 to 99. @default 80 */
  readonly databaseStoragePercent?: number;
  /** The database's memory in use, in percent: 10 to 99. @default 90 */
  readonly databaseMemoryPercent?: number;
  /** Connections to the database, as a percentage of the most it takes: 10 to 100. @default 80 */
  readonly databaseConnectionsPercent?: number;
  /** A read replica's lag behind the primary, in seconds: 1 to 3600. @default 60 */
  readonly replicaLagSeconds?: number;
  /** The cache's memory in use, in percent: 10 to 99. @default 80 */
  readonly cacheMemoryPercent?: number;
  /**
   * Keys the cache evicts in 5 minutes before it alarms: 0 to 1000000. Valkey is the
   * sessions' store and Celery's broker, where an evicted key is a lost session or task, so
   * the default alarms on any. @default 0
   */
  readonly cacheEvictions?: number;
  /** A host's root disk in use, in percent: 10 to 99. @default 85 */
  readonly hostDiskPercent?: number;
}

/** Protection at the edge against floods and malicious requests, in place of fail2ban on a host. */
export interface FirewallSpec {
  /**
   * Requests one client (an IP address) may send in a minute before the edge blocks it for a
   * while: 10 to 100000. Above what the health checkers send (2 a minute each), and AWS WAF's
   * smallest limit. On Cloudflare's Free plan the window is 10 seconds (a sixth of this).
   * @default 600
   * @see docs/operations.md#edge-protection
   */
  readonly requestsPerMinute?: number;
}

/** What carries Celery's tasks. */
export interface BrokerSpec {
  /**
   * `valkey`: the cache, as a Redis broker. `sqs` (AWS only): an SQS queue per environment
   * (and a dead-letter queue), each pool allowed only what it does with it; the image needs
   * Celery's SQS extra (`celery[sqs]`). `rabbitmq` (AWS only: Amazon MQ for RabbitMQ),
   * private, over TLS, its password in Secrets Manager. The results stay in the cache.
   * @default "valkey"
   */
  readonly engine?: BrokerEngine;
  /** `rabbitmq` only: the broker's node size. @default "small" */
  readonly size?: Size;
  /** `rabbitmq` only: a three-node cluster across zones rather than one node. @default false */
  readonly highAvailability?: boolean;
}

/** Logs that leave every host: the application's (gunicorn, Celery) and nginx's. */
export interface LogsSpec {
  /**
   * Days the cloud keeps them, where it keeps them (AWS: CloudWatch Logs); one of the values
   * CloudWatch takes: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
   * 1827, 2192, 2557, 2922, 3288, 3653. DigitalOcean keeps none: the endpoint named in
   * `digitalocean.logDestination` keeps them as long as it does.
   * @default 30
   * @see docs/operations.md#logs
   */
  readonly retentionDays?: number;
}

/** Whether the site fails over to a maintenance page: a `failover` section, not turned off. */
export function failoverOn(spec: Pick<DjangoTopologyProps, "failover">): boolean {
  // Not an object (a spec's mistake, which its validator reports): no failover.
  const failover: unknown = spec.failover;
  if (typeof failover !== "object" || failover === null) return false;
  return (failover as FailoverSpec).enabled ?? true;
}

/** The whole topology of one environment, in neutral terms. */
export interface DjangoTopologyProps {
  /**
   * The environment's name, e.g. `production`: lower-case letters, digits and hyphens,
   * starting with a letter. It names the stacks (`<environment>-<cloud>`) and, after
   * `application.name`, every resource.
   */
  readonly environment: string;
  /** The Django application the hosts run. */
  readonly application: ApplicationSpec;
  /** The site's host name, e.g. `www.example.com`: `dnsZone` itself or a name inside it. */
  readonly domain: string;
  /** The DNS zone holding it, e.g. `example.com`. */
  readonly dnsZone: string;
  /** Create the zone in this stack rather than look up an existing one. @default false */
  readonly createDnsZone?: boolean;
  /**
   * How the web and app tiers are laid out: `colocated`, nginx and gunicorn on each web host
   * behind the public load balancer; `split`, nginx on the web hosts, gunicorn on app hosts
   * (`pools.app`) behind an internal load balancer; `nginx-balanced`, nginx on the web hosts
   * balancing over the app hosts themselves, which they discover as the app pool scales,
   * preferring those of their own zone (no internal load balancer).
   * @default "colocated"
   * @see docs/topology.md
   */
  readonly layout?: Layout;
  /** The private network the hosts, databases and caches live in. @default - each field's default */
  readonly network?: {
    /**
     * The network's private address block, a /16 to /19; on DigitalOcean the VPC's range,
     * which must be private (RFC 1918) and clear of the ranges DigitalOcean reserves.
     * @default "10.0.0.0/16"
     */
    readonly cidr?: string;
    /**
     * Availability zones the pools, databases and caches are spread over, 1 to 3 (at least 2
     * on AWS; DigitalOcean has none: a region is one zone).
     * @default 2
     * @see docs/topology.md#parity-what-each-cloud-does-with-the-same-spec
     */
    readonly zones?: number;
  };
  /** The autoscaling pools of hosts: web, app (`split` and `nginx-balanced`) and Celery workers. */
  readonly pools: {
    /** `colocated`: nginx + gunicorn per host. `split` and `nginx-balanced`: nginx only. */
    readonly web: PoolSpec;
    /**
     * `split` and `nginx-balanced`: the gunicorn hosts, behind the internal load balancer or
     * balanced over by the web hosts' nginx.
     * @default - none: required with `split` and `nginx-balanced`, refused with `colocated`
     */
    readonly app?: PoolSpec;
    /** Celery workers, and Celery beat on a single host of its own. */
    readonly worker: WorkerPoolSpec;
  };
  /** The managed PostgreSQL cluster: primary, standby, read replicas, pooler. */
  readonly postgres: PostgresSpec;
  /** The managed Valkey cache, also the sessions' store and Celery's broker. */
  readonly cache: CacheSpec;
  /** The CDN's host names, in front of the media and static files' bucket. @default - each field's default */
  readonly cdn?: {
    /** The media files' host name, inside `dnsZone`. @default `media.<domain>` */
    readonly mediaDomain?: string;
    /** The static files' host name, inside `dnsZone`. @default `static.<domain>` */
    readonly staticDomain?: string;
    /**
     * The whole site behind the CDN (seed 004): on AWS, CloudFront answers for `domain`,
     * passes every request to the public load balancer uncached with all its headers,
     * cookies and query string, serves the maintenance page itself when the load balancer
     * fails (502, 503, 504), and holds the firewall; the load balancer answers CloudFront
     * alone. Cloudflare proxies every site already: on DigitalOcean this changes nothing.
     * Not in the standalone Terraform modules.
     * @default false
     */
    readonly site?: boolean;
  };
  /**
   * DNS failover to a static maintenance page while the site is unhealthy: Route 53 and
   * CloudFront on AWS, an edge Worker on Cloudflare.
   * @default - no failover
   * @see docs/topology.md#the-edge-on-cloudflare-failover-and-what-the-account-needs
   */
  readonly failover?: FailoverSpec;
  /**
   * Alarms on the site, its load balancer, pools, database and cache, sent to people.
   * @default - no alarms (the policy pack requires them in production)
   * @see docs/operations.md#alerts
   */
  readonly alerts?: AlertsSpec;
  /**
   * A web application firewall in front of the site: the cloud's managed rules for common
   * attacks, known bad inputs and addresses with a bad reputation, and a per-client rate limit.
   * @default - none (the policy pack requires it in production)
   * @see docs/operations.md#edge-protection
   */
  readonly firewall?: FirewallSpec;
  /**
   * Ship the application's and nginx's logs off every host as they are written, so that
   * they outlive a host the pool replaces: to CloudWatch Logs on AWS, to the syslog-over-TLS
   * endpoint `digitalocean.logDestination` on DigitalOcean. On AWS the hosts' disk use is
   * reported too, which the `host-disk` alarm needs.
   * @default - logs stay on each host, in its journal
   * @see docs/operations.md#logs
   */
  readonly logs?: LogsSpec;
  /**
   * Celery's broker.
   * @default - the cache (Valkey)
   * @see docs/application.md#celery
   */
  readonly broker?: BrokerSpec;
  /**
   * Protect databases, caches, buckets and zones from destruction.
   * @default true
   * @see docs/safety.md#data-loss-guards-and-stable-addresses
   */
  readonly deletionProtection?: boolean;
  /**
   * The path load balancers and the DNS failover check, which Django must answer (nginx
   * passes it on with the site's own `Host`): absolute, without `//`, `.` or `..` segments.
   * @default "/healthz"
   * @see docs/application.md#how-the-application-reaches-a-host
   */
  readonly healthCheckPath?: string;
}
