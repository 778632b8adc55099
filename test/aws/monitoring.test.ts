import { Config, Synth, ref, specWith, synthAwsEnvironment } from "../helpers";
import { rdsMaxConnections } from "../../modules/aws/monitoring";
import { production } from "../../environments/production";

/*
 * The AWS monitoring tier (modules/aws/monitoring.ts), read from the synthesised JSON: what
 * each alarm measures, when it fires, and that it reaches the spec's addresses. The neutral
 * conditions both clouds share are held in test/contract/contract.test.ts.
 */

const alerts = { emails: ["oncall@example.com", "dba@example.com"], webhook: "https://events.example.com/alerts", errorRatePercent: 4, latencyP95Ms: 1200 };
const withFailover = synthAwsEnvironment(specWith({ alerts, failover: {} }));
const plain = synthAwsEnvironment(specWith({ alerts, failover: undefined }));
const alarms = (s: Synth) => s.where("aws_cloudwatch_metric_alarm");
const alarm = (s: Synth, name: string) => alarms(s).find((a) => a.alarm_name.endsWith(`-${name}`))!;
const topicId = (s: Synth, name: string) => Object.entries(s.resources("aws_sns_topic")).find(([, t]) => t.name === name)![0];
const providerOf = (r: Config) => r.provider as string | undefined;

describe("the AWS alarms", () => {
  it("send to a topic each address and the webhook subscribe to, on alarm and on recovery", () => {
    const regional = topicId(withFailover, "shop-dev-alerts");
    const subscriptions = withFailover.where("aws_sns_topic_subscription").filter((x) => x.topic_arn === ref(`aws_sns_topic.${regional}`, "arn"));
    expect(subscriptions.map((x) => [x.protocol, x.endpoint]).sort()).toEqual([["email", "dba@example.com"], ["email", "oncall@example.com"], ["https", "https://events.example.com/alerts"]]);
    // The endpoint confirms an HTTPS subscription itself: Terraform does not claim it does.
    expect(subscriptions.find((x) => x.protocol === "https")!.endpoint_auto_confirms).toBeUndefined();
    for (const a of alarms(withFailover).filter((x) => !x.alarm_name.endsWith("-site-down-site"))) {
      expect({ alarm: a.alarm_name, alarm_actions: a.alarm_actions, ok_actions: a.ok_actions }).toEqual({ alarm: a.alarm_name, alarm_actions: [ref(`aws_sns_topic.${regional}`, "arn")], ok_actions: [ref(`aws_sns_topic.${regional}`, "arn")] });
      expect(providerOf(a)).toBeUndefined();
    }
  });

  it("watch the site from us-east-1, where Route 53 publishes its health checks' metrics, through a topic there with the same subscribers", () => {
    for (const s of [withFailover, plain]) {
      const site = alarm(s, "site-down-site");
      const global = topicId(s, "shop-dev-global-alerts");
      expect(site.provider).toBe("aws.us_east_1");
      expect(s.resources("aws_sns_topic")[global].provider).toBe("aws.us_east_1");
      expect(site.alarm_actions).toEqual([ref(`aws_sns_topic.${global}`, "arn")]);
      expect(s.where("aws_sns_topic_subscription").filter((x) => x.topic_arn === ref(`aws_sns_topic.${global}`, "arn")).map((x) => x.endpoint).sort()).toEqual(["dba@example.com", "https://events.example.com/alerts", "oncall@example.com"]);
      expect(site).toMatchObject({ namespace: "AWS/Route53", metric_name: "HealthCheckStatus", statistic: "Minimum", comparison_operator: "LessThanThreshold", threshold: 1, treat_missing_data: "breaching" });
    }
  });

  it("watch the failover's own health check when there is one, and one of their own of the site's health path when not", () => {
    const checks = (s: Synth) => Object.entries(s.resources("aws_route53_health_check"));
    expect(checks(withFailover)).toHaveLength(1);
    expect(alarm(withFailover, "site-down-site").dimensions.HealthCheckId).toBe(ref(`aws_route53_health_check.${checks(withFailover)[0][0]}`, "id"));
    const [[id, own]] = checks(plain);
    expect(own).toMatchObject({ type: "HTTPS", fqdn: "dev.example.com", port: 443, resource_path: "/healthz", enable_sni: true });
    expect(alarm(plain, "site-down-site").dimensions.HealthCheckId).toBe(ref(`aws_route53_health_check.${id}`, "id"));
  });

  it("alarm on the share of 5xx responses, the load balancer's and the hosts', of all requests, and on the p95 response time in seconds", () => {
    const rate = alarm(withFailover, "error-rate-site");
    const metrics = Object.fromEntries(rate.metric_query.filter((q: Config) => q.metric).map((q: Config) => [q.id, q.metric.metric_name]));
    expect(metrics).toEqual({ target5xx: "HTTPCode_Target_5XX_Count", elb5xx: "HTTPCode_ELB_5XX_Count", requests: "RequestCount" });
    const expression = rate.metric_query.find((q: Config) => q.return_data === true);
    expect(expression.expression).toBe("IF(requests > 0, 100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests, 0)");
    expect(rate).toMatchObject({ threshold: 4, comparison_operator: "GreaterThanThreshold" });
    expect(alarm(withFailover, "latency-p95-site")).toMatchObject({ metric_name: "TargetResponseTime", extended_statistic: "p95", threshold: 1.2 });
  });

  it("alarm below each pool's minimum: healthy hosts behind its load balancer, else hosts in service", () => {
    const dev = specWith({});
    expect(alarm(withFailover, "healthy-hosts-web")).toMatchObject({ namespace: "AWS/ApplicationELB", metric_name: "HealthyHostCount", threshold: dev.pools.web.min, comparison_operator: "LessThanThreshold" });
    expect(alarm(withFailover, "healthy-hosts-worker")).toMatchObject({ namespace: "AWS/AutoScaling", metric_name: "GroupInServiceInstances", threshold: dev.pools.worker.min });
    // A worker pool that may be empty has no minimum to fall below.
    const idle = synthAwsEnvironment(specWith({ alerts, digitalocean: undefined, cloudflare: undefined, pools: { ...dev.pools, worker: { ...dev.pools.worker, min: 0 } } }));
    expect(alarms(idle).map((a) => a.alarm_name)).not.toContain("shop-dev-healthy-hosts-worker");
    // The split layout's app pool is behind the internal network load balancer.
    const split = synthAwsEnvironment({ ...production, alerts });
    expect(alarm(split, "healthy-hosts-app")).toMatchObject({ namespace: "AWS/NetworkELB", metric_name: "HealthyHostCount", threshold: production.pools.app!.min });
  });

  it("turn the database's percentages into the bytes and connections RDS reports, per instance, with each replica's lag", () => {
    const s = synthAwsEnvironment({ ...production, alerts: { emails: ["oncall@example.com"] } });
    const storage = alarm(s, "database-storage-primary");
    expect(storage).toMatchObject({ metric_name: "FreeStorageSpace", comparison_operator: "LessThanThreshold" });
    expect(storage.threshold).toBe(Math.round(production.postgres.storageGiB * 1024 ** 3 * 0.2));
    // production's database is "large": 8 GiB.
    expect(alarm(s, "database-memory-primary").threshold).toBe(Math.round(8 * 1024 ** 3 * 0.1));
    expect(rdsMaxConnections(8)).toBe(901);
    expect(alarm(s, "database-connections-primary").threshold).toBe(720);
    // Each replica's, and the disaster-recovery replica's in its region (test/aws/disaster-recovery.test.ts).
    const dr = production.aws?.disasterRecoveryRegion ? 1 : 0;
    expect(alarms(s).filter((a) => a.metric_name === "ReplicaLag").map((a) => a.dimensions.DBInstanceIdentifier).length).toBe(production.postgres.replicas + dr);
    expect(alarms(s).filter((a) => a.metric_name === "CPUUtilization")).toHaveLength(1 + production.postgres.replicas);
  });

  it("alarm on each Valkey node by the name ElastiCache gives it, on any eviction by default", () => {
    const s = synthAwsEnvironment({ ...production, alerts: { emails: ["oncall@example.com"] } });
    const group = Object.values(s.resources("aws_elasticache_replication_group"))[0];
    const nodes = alarms(s).filter((a) => a.metric_name === "Evictions");
    expect(nodes.map((a) => a.dimensions.CacheClusterId).sort()).toEqual([`${group.replication_group_id}-001`, `${group.replication_group_id}-002`]);
    expect(nodes.every((a) => a.threshold === 0 && a.statistic === "Sum")).toBe(true);
  });

  it("draw a dashboard with a graph of every alarm, in the alarm's region", () => {
    const [dashboard] = withFailover.where("aws_cloudwatch_dashboard");
    expect(dashboard.dashboard_name).toBe("shop-dev");
    const body: string = dashboard.dashboard_body;
    for (const id of Object.keys(withFailover.resources("aws_cloudwatch_metric_alarm"))) expect(body).toContain(`aws_cloudwatch_metric_alarm.${id}.arn`);
    expect(body.match(/"region" = "us-east-1"/g)).toHaveLength(1);
  });

  it("are not there without an alerts section", () => {
    const none = synthAwsEnvironment(specWith({}));
    expect(Object.keys(none.resources("aws_cloudwatch_metric_alarm"))).toEqual([]);
    expect(Object.keys(none.resources("aws_sns_topic"))).toEqual([]);
  });
});
