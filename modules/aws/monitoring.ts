import { Construct } from "constructs";
import { Fn } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { CloudwatchMetricAlarm, CloudwatchMetricAlarmConfig } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Route53HealthCheck } from "@cdktf/provider-aws/lib/route53-health-check";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { AlarmCondition, IMonitoring, MonitoringProps, SIZE_PROFILES, isReference, listenerPort } from "../core";
import { AwsCache } from "./cache";
import { AwsComputePool } from "./compute-pool";
import { AwsDnsFailover } from "./dns-failover";
import { AwsLoadBalancer } from "./load-balancer";
import { AGENT_NAMESPACE } from "./logging";
import { AwsPostgres } from "./postgres";
import { asAws } from "./shared";
import { alarmName, alertsTopicName, dashboardName } from "../naming/resource-names";

export interface AwsMonitoringProps extends MonitoringProps {
  /** The stack's region, which the dashboard's widgets name. */
  readonly region: string;
  /**
   * The us-east-1 provider: Route 53 publishes its health checks' metrics only in us-east-1,
   * so the site's alarm, and a topic it can reach, live there
   * (docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-check-status.html).
   */
  readonly globalProvider: AwsProvider;
}

const GIB = 1024 ** 3;
/** Why a broker without a dead-letter queue has no dead-tasks alarm. */
export const DEAD_TASKS_GAP = "only an SQS broker sets aside the tasks that failed again and again (its dead-letter queue); the cache and RabbitMQ deliver them again";
/**
 * RDS for PostgreSQL's default `max_connections`: LEAST({DBInstanceClassMemory/9531392}, 5000)
 * (docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.MaxConnections).
 * The instance's whole memory stands in for DBInstanceClassMemory, a little less, so the
 * threshold errs late by the memory RDS keeps for itself.
 */
export const rdsMaxConnections = (memoryGiB: number): number => Math.min(Math.floor((memoryGiB * GIB) / 9531392), 5000);

/**
 * CloudWatch alarms on every neutral condition AWS measures without an agent on the hosts,
 * sent to an SNS topic with the spec's email (and webhook) subscriptions, and a dashboard of
 * the same signals. The site's alarm watches a Route 53 health check (the failover's own,
 * else one of its own) from us-east-1, through a second topic there.
 *
 * The topics are not encrypted: CloudWatch cannot publish to a topic under the AWS-managed
 * key `aws/sns`, only under a customer key whose policy admits it
 * (docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html), and an
 * alarm's message holds no secret.
 */
export class AwsMonitoring extends Construct implements IMonitoring {
  public readonly gaps: IMonitoring["gaps"];
  public readonly topic: SnsTopic;
  public readonly globalTopic: SnsTopic;
  public readonly alarms: CloudwatchMetricAlarm[] = [];
  public readonly dashboard: CloudwatchDashboard;
  private readonly prefix: string;
  /** The region each alarm is in, for the dashboard. */
  private readonly regions = new Map<CloudwatchMetricAlarm, string>();

  constructor(scope: Construct, id: string, props: AwsMonitoringProps) {
    super(scope, id);
    const prefix = props.namePrefix;
    this.prefix = prefix;
    const t = props.thresholds;
    const lb = asAws(props.loadBalancer, AwsLoadBalancer, "load balancer");
    const postgres = asAws(props.postgres, AwsPostgres, "PostgreSQL cluster");
    const cache = asAws(props.cache, AwsCache, "cache");
    const dns = asAws(props.site, AwsDnsFailover, "DNS record");
    const pools = props.pools.map((p) => asAws(p, AwsComputePool, "pool"));
    // The hosts report their disk use through the CloudWatch agent, which shipping their logs installs.
    const agent = props.logging !== undefined;
    this.gaps = {
      ...(agent ? {} : { "host-disk": "EC2 reports no disk use without the CloudWatch agent on the hosts, which a logs section installs" }),
      // Only SQS keeps the tasks it gave up on; the cache and RabbitMQ deliver them again.
      ...(props.broker?.deadLetterQueue ? {} : { "dead-tasks": DEAD_TASKS_GAP }),
    };
    if (isReference(postgres.replicaInstances.length)) throw new Error("AwsMonitoring needs the number of replicas at synth");

    this.topic = this.alertsTopic("topic", alertsTopicName(prefix), props);
    this.globalTopic = this.alertsTopic("global-topic", alertsTopicName(`${prefix}-global`), props, props.globalProvider);

    // The site, from outside: Route 53's checkers, every 30 s from several regions.
    const healthCheck =
      dns.healthCheck ??
      new Route53HealthCheck(this, "site-health-check", {
        type: "HTTPS",
        fqdn: props.site.recordName,
        port: listenerPort("public"),
        resourcePath: props.healthCheckPath,
        enableSni: true,
        requestInterval: 30,
        failureThreshold: 3,
        measureLatency: false,
        tags: { Name: `${prefix}-site-check` },
      });
    this.alarm("site-down", "site", {
      provider: props.globalProvider,
      alarmDescription: `${props.healthCheckPath} fails Route 53's health check of ${dns.healthCheck ? "the public load balancer" : `https://${props.site.recordName}`}`,
      namespace: "AWS/Route53",
      metricName: "HealthCheckStatus",
      dimensions: { HealthCheckId: healthCheck.id },
      statistic: "Minimum",
      period: 60,
      evaluationPeriods: 2,
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      // No data from the checkers is a site nobody can tell is up.
      treatMissingData: "breaching",
    }, this.globalTopic, "us-east-1");

    // The public load balancer: errors and latency.
    const lbDimension = { LoadBalancer: lb.lb.arnSuffix };
    const elbMetric = (metricName: string) => ({ metricName, namespace: "AWS/ApplicationELB", period: 300, stat: "Sum", dimensions: lbDimension });
    this.alarm("error-rate", "site", {
      alarmDescription: `more than ${t.errorRatePercent}% of the public load balancer's responses are 5xx (its own and the hosts')`,
      metricQuery: [
        { id: "target5xx", metric: elbMetric("HTTPCode_Target_5XX_Count"), returnData: false },
        { id: "elb5xx", metric: elbMetric("HTTPCode_ELB_5XX_Count"), returnData: false },
        { id: "requests", metric: elbMetric("RequestCount"), returnData: false },
        { id: "rate", expression: "IF(requests > 0, 100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests, 0)", label: "5xx responses (%)", returnData: true },
      ],
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanThreshold",
      threshold: t.errorRatePercent,
      treatMissingData: "notBreaching",
    });
    this.alarm("latency-p95", "site", {
      alarmDescription: `the public load balancer's 95th percentile response time is above ${t.latencyP95Ms} ms`,
      namespace: "AWS/ApplicationELB",
      metricName: "TargetResponseTime",
      dimensions: lbDimension,
      extendedStatistic: "p95",
      period: 300,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanThreshold",
      threshold: t.latencyP95Ms / 1000,
      treatMissingData: "notBreaching",
    });

    // Each pool: healthy hosts behind its load balancer, else hosts in service.
    for (const pool of pools) {
      if (isReference(pool.minInstances)) throw new Error("AwsMonitoring needs each pool's minimum at synth");
      if (pool.minInstances < 1) continue;
      const behind = pool.loadBalancer;
      this.alarm("healthy-hosts", pool.role, {
        alarmDescription: `fewer than ${pool.minInstances} healthy ${pool.role} hosts (the pool's minimum)`,
        ...(behind
          ? {
              namespace: behind.scheme === "public" ? "AWS/ApplicationELB" : "AWS/NetworkELB",
              metricName: "HealthyHostCount",
              dimensions: { TargetGroup: behind.targetGroup.arnSuffix, LoadBalancer: behind.lb.arnSuffix },
            }
          : { namespace: "AWS/AutoScaling", metricName: "GroupInServiceInstances", dimensions: { AutoScalingGroupName: pool.group.name } }),
        statistic: "Minimum",
        period: 60,
        evaluationPeriods: 5,
        comparisonOperator: "LessThanThreshold",
        threshold: pool.minInstances,
        treatMissingData: "breaching",
      });
    }

    // Each pool's fullest root disk, as the agent reports it by autoscaling group.
    if (agent) {
      for (const pool of pools) {
        this.alarm("host-disk", pool.role, {
          alarmDescription: `a ${pool.role} host's root disk is more than ${t.hostDiskPercent}% full`,
          namespace: AGENT_NAMESPACE,
          metricName: "disk_used_percent",
          dimensions: { AutoScalingGroupName: pool.group.name },
          statistic: "Maximum",
          period: 300,
          evaluationPeriods: 1,
          comparisonOperator: "GreaterThanThreshold",
          threshold: t.hostDiskPercent,
          treatMissingData: "notBreaching",
        });
      }
    }

    // "If no user transactions are occurring on the source DB instance, a PostgreSQL read
    // replica reports a replication lag of up to five minutes" (RDS User Guide, PostgreSQL
    // read replicas): the lag climbs and resets while the primary is idle. Its minimum over
    // 10 minutes stays high only when the replica really falls behind.
    const replicaLag = (subject: string, rds: Pick<CloudwatchMetricAlarmConfig, "namespace" | "dimensions" | "provider">, topic?: SnsTopic, region?: string, what = subject) =>
      this.alarm("replica-lag", subject, {
        ...rds,
        alarmDescription: `the ${what} stayed more than ${t.replicaLagSeconds} s behind the primary for 10 minutes`,
        metricName: "ReplicaLag",
        statistic: "Minimum",
        period: 600,
        evaluationPeriods: 1,
        comparisonOperator: "GreaterThanThreshold",
        threshold: t.replicaLagSeconds,
      }, topic, region);

    // PostgreSQL: every instance's CPU, storage, memory and connections; each replica's lag.
    const instances = [
      { instance: postgres.instance, size: props.postgresSize, subject: "primary" },
      ...postgres.replicaInstances.map((instance, i) => ({ instance, size: props.postgresReplicaSize, subject: `replica-${i + 1}` })),
    ];
    for (const { instance, size, subject } of instances) {
      const rds = { namespace: "AWS/RDS", dimensions: { DBInstanceIdentifier: instance.identifier }, period: 300, evaluationPeriods: 2 };
      const memoryGiB = SIZE_PROFILES[size].memoryGiB;
      this.alarm("database-cpu", subject, { ...rds, alarmDescription: `the ${subject}'s CPU is above ${t.databaseCpuPercent}%`, metricName: "CPUUtilization", statistic: "Average", comparisonOperator: "GreaterThanThreshold", threshold: t.databaseCpuPercent });
      this.alarm("database-storage", subject, {
        ...rds,
        alarmDescription: `more than ${t.databaseStoragePercent}% of the ${subject}'s ${props.postgresStorageGiB} GiB in use`,
        metricName: "FreeStorageSpace",
        statistic: "Minimum",
        comparisonOperator: "LessThanThreshold",
        threshold: Math.round(props.postgresStorageGiB * GIB * (1 - t.databaseStoragePercent / 100)),
      });
      this.alarm("database-memory", subject, {
        ...rds,
        alarmDescription: `more than ${t.databaseMemoryPercent}% of the ${subject}'s ${memoryGiB} GiB of memory in use`,
        metricName: "FreeableMemory",
        statistic: "Minimum",
        comparisonOperator: "LessThanThreshold",
        threshold: Math.round(memoryGiB * GIB * (1 - t.databaseMemoryPercent / 100)),
      });
      const connections = Math.floor((rdsMaxConnections(memoryGiB) * t.databaseConnectionsPercent) / 100);
      this.alarm("database-connections", subject, {
        ...rds,
        alarmDescription: `more than ${connections} connections to the ${subject} (${t.databaseConnectionsPercent}% of its max_connections)`,
        metricName: "DatabaseConnections",
        statistic: "Maximum",
        comparisonOperator: "GreaterThanThreshold",
        threshold: connections,
      });
      if (subject !== "primary") replicaLag(subject, rds);
    }

    // The disaster-recovery replica, in its region: an alarm lives where its metric is, and
    // tells a topic of that region. One that stops replicating (its disk full) would make the
    // primary keep its WAL, and would not be there the day it is needed.
    const dr = postgres.disasterRecovery;
    if (dr) {
      const topic = this.alertsTopic("dr-topic", alertsTopicName(`${prefix}-dr`), props, dr.provider as AwsProvider);
      const rds = { provider: dr.provider, namespace: "AWS/RDS", dimensions: { DBInstanceIdentifier: dr.replica.identifier }, period: 300, evaluationPeriods: 2 };
      replicaLag("disaster-recovery", rds, topic, dr.region, "disaster-recovery replica");
      this.alarm("database-storage", "disaster-recovery", {
        ...rds,
        alarmDescription: `more than ${t.databaseStoragePercent}% of the disaster-recovery replica's ${props.postgresStorageGiB} GiB in use`,
        metricName: "FreeStorageSpace",
        statistic: "Minimum",
        comparisonOperator: "LessThanThreshold",
        threshold: Math.round(props.postgresStorageGiB * GIB * (1 - t.databaseStoragePercent / 100)),
      }, topic, dr.region);
    }

    // Valkey: each node of the replication group, named <group>-001, -002 by ElastiCache.
    for (const [i, node] of cache.memberClusterIds.entries()) {
      const elasticache = { namespace: "AWS/ElastiCache", dimensions: { CacheClusterId: node }, period: 300, evaluationPeriods: 1, comparisonOperator: "GreaterThanThreshold" };
      this.alarm("cache-memory", `node-${i + 1}`, { ...elasticache, alarmDescription: `more than ${t.cacheMemoryPercent}% of ${node}'s memory in use`, metricName: "DatabaseMemoryUsagePercentage", statistic: "Maximum", threshold: t.cacheMemoryPercent });
      this.alarm("cache-evictions", `node-${i + 1}`, {
        ...elasticache,
        alarmDescription: `${node} evicted more than ${t.cacheEvictions} keys in 5 minutes: sessions or Celery tasks lost`,
        metricName: "Evictions",
        statistic: "Sum",
        threshold: t.cacheEvictions,
        treatMissingData: "notBreaching",
      });
    }

    // Celery's dead letters: any task set aside is a task that never ran to its end.
    const deadLetters = props.broker?.deadLetterQueue;
    if (deadLetters) {
      this.alarm("dead-tasks", "broker", {
        alarmDescription: `Celery tasks were set aside in ${deadLetters} after failing to finish again and again: look at them there`,
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: deadLetters },
        statistic: "Maximum",
        period: 300,
        evaluationPeriods: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        treatMissingData: "notBreaching",
      });
    }

    this.dashboard = new CloudwatchDashboard(this, "dashboard", {
      dashboardName: dashboardName(prefix),
      dashboardBody: Fn.jsonencode({ widgets: this.alarms.map((alarm, i) => alarmWidget(alarm, this.regions.get(alarm) ?? props.region, i)) }),
    });
  }

  private alertsTopic(id: string, name: string, props: AwsMonitoringProps, provider?: AwsProvider): SnsTopic {
    const topic = new SnsTopic(this, id, { provider, name, displayName: `${props.namePrefix} alerts`, tags: { Name: name } });
    props.emails.forEach((email, i) => new SnsTopicSubscription(this, `${id}-email-${i + 1}`, { provider, topicArn: topic.arn, protocol: "email", endpoint: email }));
    if (props.webhook) new SnsTopicSubscription(this, `${id}-webhook`, { provider, topicArn: topic.arn, protocol: "https", endpoint: props.webhook });
    return topic;
  }

  /** An alarm on `condition` of `subject`, telling `topic` when it fires and when it clears. */
  private alarm(condition: AlarmCondition, subject: string, config: Omit<CloudwatchMetricAlarmConfig, "alarmName">, topic: SnsTopic = this.topic, region?: string): void {
    const alarm = new CloudwatchMetricAlarm(this, `${condition}-${subject}`, {
      ...config,
      alarmName: alarmName(this.prefix, condition, subject),
      alarmActions: [topic.arn],
      okActions: [topic.arn],
      tags: { Condition: condition },
    });
    this.alarms.push(alarm);
    if (region) this.regions.set(alarm, region);
  }
}

/**
 * A dashboard widget graphing one alarm's metric with its threshold, two to a row. A metric
 * widget given an alarm draws the alarm's own metric (or expression) and takes no `metrics`
 * (docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html).
 */
function alarmWidget(alarm: CloudwatchMetricAlarm, region: string, index: number): unknown {
  return {
    type: "metric",
    x: (index % 2) * 12,
    y: Math.floor(index / 2) * 6,
    width: 12,
    height: 6,
    properties: { title: alarm.alarmDescriptionInput, region, annotations: { alarms: [alarm.arn] }, view: "timeSeries", stacked: false },
  };
}
