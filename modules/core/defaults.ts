/**
 * Every default of the topology, in one table: what an environment spec (or a tier's props,
 * or a Terraform module's caller) gets for what it leaves out. The topology and the tiers
 * read it for the stacks, the modules' variables and their object attributes take their
 * defaults from it, and the names derived for the validators follow it.
 */
export const DEFAULTS = {
  /** `layout`: nginx and gunicorn on each web host. */
  layout: "colocated",
  /** `healthCheckPath`: what load balancers and the DNS failover request. */
  healthCheckPath: "/healthz",
  /** `deletionProtection`: databases, caches, buckets and zones are protected. */
  deletionProtection: true,
  /** `createDnsZone`: look up the zone rather than create it. */
  createDnsZone: false,
  network: {
    cidr: "10.0.0.0/16",
    /** Availability zones. */
    zones: 2,
  },
  /** Every pool (`pools.web`, `pools.app`, `pools.worker`). */
  pool: {
    cpuTargetPercent: 60,
    /** Root volume, GiB. */
    diskGiB: 30,
  },
  worker: {
    /** Celery's warm shutdown before a stopping worker is killed. */
    stopTimeoutSeconds: 300,
    /** A one-host Celery beat pool. */
    beat: true,
  },
  postgres: {
    /** Major version. */
    version: "16",
    pooling: false,
    backupRetentionDays: 7,
  },
  cache: {
    /** Valkey major version. */
    version: "8",
  },
  failover: {
    title: "Down for maintenance",
    message: "We'll be back shortly.",
  },
  /** `alerts`: the thresholds a production site starts from. */
  alerts: {
    errorRatePercent: 5,
    latencyP95Ms: 2000,
    databaseCpuPercent: 80,
    databaseStoragePercent: 80,
    databaseMemoryPercent: 90,
    databaseConnectionsPercent: 80,
    replicaLagSeconds: 60,
    cacheMemoryPercent: 80,
    cacheEvictions: 0,
    hostDiskPercent: 85,
  },
  /** `broker`: Celery's broker is the cache (Valkey); a RabbitMQ broker is one small node. */
  broker: {
    engine: "valkey",
    size: "small",
    highAvailability: false,
  },
  /** `logs`: days CloudWatch Logs keeps them. */
  logs: {
    retentionDays: 30,
  },
  /** `firewall`: requests one client may send a minute. */
  firewall: {
    requestsPerMinute: 600,
  },
  loadBalancer: {
    idleTimeoutSeconds: 60,
    drainSeconds: 30,
  },
  /** `cdn.site`: the site's name points at its load balancer (Cloudflare proxies it regardless). */
  cdn: {
    site: false,
  },
  objectStore: {
    /** Days a replaced or deleted object's old version is kept. */
    noncurrentVersionDays: 30,
  },
  /**
   * What a Terraform module's caller gets for what a spec must say (a spec names its sizes,
   * pool bounds, replicas and availability): the smallest topology.
   */
  module: {
    size: "small",
    highAvailability: false,
    replicas: 0,
    /** `pools.<pool>` of the whole-topology modules. */
    pool: { min: 1, max: 2 },
    /** A compute pool module on its own: one host. */
    computePool: { min: 1, max: 1 },
  },
} as const;
