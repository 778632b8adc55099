import { IBroker } from "./broker";
import { ICache } from "./cache";
import { IComputePool } from "./compute";
import { IDnsFailover } from "./dns";
import { ILoadBalancer } from "./load-balancer";
import { ILogging } from "./logging";
import { IPostgresCluster } from "./postgres";
import { Size } from "./sizes";
import { TierProps } from "./tier";

/**
 * What the monitoring tier alarms on, in neutral terms: each cloud alarms on every one it
 * can measure, and names why for the rest (`IMonitoring.gaps`).
 */
export const ALARM_CONDITIONS = [
  /** The site's health path fails when asked from outside. */
  "site-down",
  /** 5xx responses at the public load balancer, as a share of its requests. */
  "error-rate",
  /** The public load balancer's 95th percentile response time. */
  "latency-p95",
  /** Fewer healthy hosts in a pool than its minimum. */
  "healthy-hosts",
  "database-cpu",
  "database-storage",
  "database-memory",
  "database-connections",
  "replica-lag",
  "cache-memory",
  "cache-evictions",
  /** Celery tasks the broker set aside after failing to finish again and again (its dead-letter queue). */
  "dead-tasks",
  /** A host's root disk filling up. */
  "host-disk",
] as const;
export type AlarmCondition = (typeof ALARM_CONDITIONS)[number];

/** Where each alarm fires (the spec's `alerts`, where each is documented). */
export interface AlarmThresholds {
  readonly errorRatePercent: number;
  readonly latencyP95Ms: number;
  readonly databaseCpuPercent: number;
  readonly databaseStoragePercent: number;
  readonly databaseMemoryPercent: number;
  readonly databaseConnectionsPercent: number;
  readonly replicaLagSeconds: number;
  readonly cacheMemoryPercent: number;
  readonly cacheEvictions: number;
  readonly hostDiskPercent: number;
}

/** Alarms on the other tiers, sent to people. */
export interface MonitoringProps extends TierProps {
  /** Email addresses every alarm goes to. */
  readonly emails: readonly string[];
  /** An HTTPS endpoint every alarm is also posted to, where the cloud can. */
  readonly webhook?: string;
  readonly thresholds: AlarmThresholds;
  /** The site's DNS record: its failover health check, where there is one, tells whether the site is up. */
  readonly site: IDnsFailover;
  /** The path that answers whether the site is up. */
  readonly healthCheckPath: string;
  /** The public load balancer. */
  readonly loadBalancer: ILoadBalancer;
  /** Every pool of hosts. */
  readonly pools: readonly IComputePool[];
  readonly postgres: IPostgresCluster;
  /** The database's sizes and storage, which the clouds that measure in bytes turn percentages into. */
  readonly postgresSize: Size;
  readonly postgresReplicaSize: Size;
  readonly postgresStorageGiB: number;
  readonly cache: ICache;
  readonly cacheSize: Size;
  /** Celery's broker where it is not the cache. @default - the cache */
  readonly broker?: IBroker;
  /** Where the hosts ship their logs (and, on some clouds, their disk use). @default - nowhere */
  readonly logging?: ILogging;
}

export interface IMonitoring {
  /** The conditions of `ALARM_CONDITIONS` this cloud cannot alarm on, each with why. */
  readonly gaps: Readonly<Partial<Record<AlarmCondition, string>>>;
}
