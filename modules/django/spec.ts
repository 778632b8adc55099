import { Size } from "../core";

/** How the web and app tiers are laid out (see the seeds). */
export type Layout = "colocated" | "split";
export const LAYOUTS: readonly Layout[] = ["colocated", "split"];

/** The Django application the hosts run. */
export interface ApplicationSpec {
  /** Short name; prefixes every resource name (`<name>-<environment>-...`). */
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
   */
  readonly settings?: Readonly<Record<string, string>>;
  /**
   * Secret environment variables of every Django process, by name, each with where its
   * value comes from; the value itself is never in the spec, in `cdktf.out` or in a plan.
   * `DJANGO_SECRET_KEY: { source: "generated" }` gives Django a 50-character key that
   * stays the same across deploys. @default {}
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
  readonly size: Size;
  /** Fewest hosts. */
  readonly min: number;
  /** Most hosts. */
  readonly max: number;
  /** Average CPU the pool scales to hold. @default 60 */
  readonly cpuTargetPercent?: number;
}

/** The Celery worker pool. */
export interface WorkerPoolSpec extends PoolSpec {
  /** Worker processes per host. @default - the host's vCPU count */
  readonly concurrency?: number;
  /**
   * Seconds a stopping worker may take to finish its running tasks (Celery's warm
   * shutdown, on SIGTERM) before it is killed: a release or a scale-in replaces workers.
   * Keep it above your longest task. @default 300
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
  readonly size: Size;
  /** @default - the primary's size */
  readonly replicaSize?: Size;
  /** Major version. @default "16" */
  readonly version?: string;
  readonly storageGiB: number;
  /** A synchronous standby in another zone. */
  readonly highAvailability: boolean;
  /** Read replicas, 0 to 5. */
  readonly replicas: number;
  /** A connection pooler (PgBouncer / RDS Proxy) as the app's `DATABASE_URL`. @default false */
  readonly pooling?: boolean;
  /** @default 7 */
  readonly backupRetentionDays?: number;
}

/** Managed Valkey for cache, sessions and the Celery broker. */
export interface CacheSpec {
  readonly size: Size;
  /** A replica in another zone with automatic failover. */
  readonly highAvailability: boolean;
  /** Valkey major version. @default "8" */
  readonly version?: string;
}

/** DNS failover to a static maintenance page while the site is unhealthy. */
export interface FailoverSpec {
  /** @default "Down for maintenance" */
  readonly title?: string;
  /** @default "We'll be back shortly." */
  readonly message?: string;
}

/** The whole topology of one environment, in neutral terms. */
export interface DjangoTopologyProps {
  /** The environment's name, e.g. `production`. */
  readonly environment: string;
  readonly application: ApplicationSpec;
  /** The site's host name, e.g. `www.example.com`. */
  readonly domain: string;
  /** The DNS zone holding it, e.g. `example.com`. */
  readonly dnsZone: string;
  /** Create the zone in this stack rather than look up an existing one. @default false */
  readonly createDnsZone?: boolean;
  /** @default "colocated" */
  readonly layout?: Layout;
  readonly network?: {
    /** @default "10.0.0.0/16" */
    readonly cidr?: string;
    /** Availability zones. @default 2 */
    readonly zones?: number;
  };
  readonly pools: {
    /** `colocated`: nginx + gunicorn per host. `split`: nginx only. */
    readonly web: PoolSpec;
    /** `split` only: gunicorn hosts behind the internal load balancer. */
    readonly app?: PoolSpec;
    readonly worker: WorkerPoolSpec;
  };
  readonly postgres: PostgresSpec;
  readonly cache: CacheSpec;
  readonly cdn?: {
    /** @default `media.<domain>` */
    readonly mediaDomain?: string;
    /** @default `static.<domain>` */
    readonly staticDomain?: string;
  };
  /** @default - no failover */
  readonly failover?: FailoverSpec;
  /** Protect databases, caches, buckets and zones from destruction. @default true */
  readonly deletionProtection?: boolean;
  /** The path load balancers and the DNS failover check. @default "/healthz" */
  readonly healthCheckPath?: string;
}
