import { Construct } from "constructs";
import { Annotations } from "cdktf";
import { MonitorAlert, MonitorAlertConfig } from "@cdktf/provider-digitalocean/lib/monitor-alert";
import { UptimeAlert } from "@cdktf/provider-digitalocean/lib/uptime-alert";
import { UptimeCheck } from "@cdktf/provider-digitalocean/lib/uptime-check";
import { AlarmCondition, IMonitoring, MonitoringProps } from "../core";
import { DoCache } from "./cache";
import { DoComputePool } from "./compute-pool";
import { DoLoadBalancer } from "./load-balancer";
import { DoPostgres } from "./postgres";
import { asDo } from "./shared";
import { alarmName } from "../naming/resource-names";

/** Where DigitalOcean's uptime checkers ask from: every region it offers (the API's own list; the provider checks none). */
export const UPTIME_REGIONS = ["us_east", "us_west", "eu_west", "se_asia"];

/**
 * DigitalOcean Monitoring alert policies (free) on the load balancers, the database and
 * cache clusters and the pools' droplets, and an Uptime check of the site's health path
 * ($1 a month) with an alert when it is down. Policies name their load balancers and
 * clusters by id and their droplets by the pool's tag: a policy with neither applies to every
 * resource of its type on the account (the API's alert policy reference).
 *
 * PROVIDER GAPS: no alert types for database connections, replica lag, cache evictions or a
 * pool's healthy hosts;
 * alerts reach email and Slack only, and only addresses verified on the DigitalOcean
 * account (digitalocean/openapi#830).
 */
export class DoMonitoring extends Construct implements IMonitoring {
  public readonly gaps: IMonitoring["gaps"] = {
    "database-connections": "DigitalOcean Monitoring has no alert on a database's connections",
    "replica-lag": "DigitalOcean Monitoring has no alert on a read replica's lag",
    "cache-evictions": "DigitalOcean Monitoring has no alert on a cache's evictions",
    "dead-tasks": "Celery's broker on DigitalOcean is the cache, which sets no failing task aside",
    "healthy-hosts":
      "DigitalOcean documents no meaning for the value of a load balancer's droplet_health alert, and the provider (v2.71.0) refuses the autoscale pools' current_instances alert",
  };
  public readonly uptimeCheck: UptimeCheck;
  public readonly alerts: MonitorAlert[] = [];
  private readonly props: MonitoringProps;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.props = props;
    const t = props.thresholds;
    const lb = asDo(props.loadBalancer, DoLoadBalancer, "load balancer");
    const postgres = asDo(props.postgres, DoPostgres, "PostgreSQL cluster");
    const cache = asDo(props.cache, DoCache, "cache");
    const pools = props.pools.map((p) => asDo(p, DoComputePool, "pool"));
    if (props.webhook) {
      Annotations.of(this).addWarning(`PROVIDER GAP: DigitalOcean's alerts reach email and Slack only; alerts.webhook (${props.webhook}) gets none of them`);
    }

    // The site, from outside: every region's checkers ask its health path.
    this.uptimeCheck = new UptimeCheck(this, "site-check", {
      name: alarmName(props.namePrefix, "site", "check"),
      target: `https://${props.site.recordName}${props.healthCheckPath}`,
      type: "https",
      regions: UPTIME_REGIONS,
      enabled: true,
    });
    new UptimeAlert(this, "site-down", {
      checkId: this.uptimeCheck.id,
      name: alarmName(props.namePrefix, "site-down", "site"),
      // Down from every region, as Route 53 decides from most of its checkers: not one region's network blip.
      type: "down_global",
      // The API answers 500 without a period (digitalocean/openapi#828).
      period: "2m",
      notifications: [{ email: [...props.emails] }],
      // A down alert has no comparison or threshold, and what the API fills in is read back
      // into these optional, not computed, attributes: a diff on every plan otherwise.
      lifecycle: { ignoreChanges: ["comparison", "threshold"] },
    });

    // The public load balancer: errors and latency (the response time metrics are in seconds).
    this.alert("error-rate", "site", { type: "v1/insights/lbaas/increase_in_http_error_rate_percentage_5xx", entities: [lb.lb.id], compare: "GreaterThan", value: t.errorRatePercent, window: "5m" });
    this.alert("latency-p95", "site", { type: "v1/insights/lbaas/high_http_request_response_time_95p", entities: [lb.lb.id], compare: "GreaterThan", value: t.latencyP95Ms / 1000, window: "5m" });

    // PostgreSQL (the primary's cluster and each replica's) and Valkey: averages across each cluster's nodes.
    const databases = [postgres.cluster.id, ...postgres.replicaNodes.map((r) => r.uuid)];
    this.alert("database-cpu", "postgres", { type: "v1/dbaas/alerts/cpu_alerts", entities: databases, compare: "GreaterThan", value: t.databaseCpuPercent, window: "10m" });
    this.alert("database-storage", "postgres", { type: "v1/dbaas/alerts/disk_utilization_alerts", entities: databases, compare: "GreaterThan", value: t.databaseStoragePercent, window: "10m" });
    this.alert("database-memory", "postgres", { type: "v1/dbaas/alerts/memory_utilization_alerts", entities: databases, compare: "GreaterThan", value: t.databaseMemoryPercent, window: "10m" });
    this.alert("cache-memory", "cache", { type: "v1/dbaas/alerts/memory_utilization_alerts", entities: [cache.cluster.id], compare: "GreaterThan", value: t.cacheMemoryPercent, window: "5m" });

    // Every pool's droplets, by the pool's tag (their template installs the metrics agent: with_droplet_agent).
    this.alert("host-disk", "hosts", { type: "v1/insights/droplet/disk_utilization_percent", tags: pools.map((p) => p.tag.name), compare: "GreaterThan", value: t.hostDiskPercent, window: "5m" });
  }

  /** An alert policy on `condition` of `subject`, sent to the spec's addresses. */
  private alert(condition: AlarmCondition, subject: string, config: Omit<MonitorAlertConfig, "description" | "alerts" | "enabled">): void {
    this.alerts.push(
      new MonitorAlert(this, `${condition}-${subject}`, {
        ...config,
        description: alarmName(this.props.namePrefix, condition, subject),
        enabled: true,
        alerts: { email: [...this.props.emails] },
      }),
    );
  }
}
