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
  /** Further plain (non-secret) environment variables for every process. @default {} */
  readonly settings?: Readonly<Record<string, string>>;
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
  /** Run Celery beat, on a separate single-host pool so it runs exactly once. @default true */
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
