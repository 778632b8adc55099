import { CloudInspector, block } from "../inspectors";
import { Config, Synth, ref } from "../../helpers";
import { AlarmCondition, FirewallProtection, SIZES, SIZE_PROFILES } from "../../../modules/core";

/** The protection each AWS managed rule group gives. */
const RULE_GROUPS: Record<string, FirewallProtection> = {
  AWSManagedRulesCommonRuleSet: "common-attacks",
  AWSManagedRulesKnownBadInputsRuleSet: "known-bad-inputs",
  AWSManagedRulesAmazonIpReputationList: "ip-reputation",
};
import { AWS_POSTGRES_SIZES } from "../../../modules/aws/sizes";

const GIB = 1024 ** 3;
/** A DB instance's memory, from its class's neutral size. */
const memoryGiB = (instanceClass: string) => SIZE_PROFILES[SIZES.find((size) => AWS_POSTGRES_SIZES[size] === instanceClass)!].memoryGiB;

/** The neutral condition a CloudWatch alarm watches, by its metric (or, for a metric math alarm, the metrics it reads). */
function conditionOf(alarm: Config): AlarmCondition | undefined {
  const metrics: string[] = alarm.metric_query ? alarm.metric_query.filter((q: Config) => q.metric).map((q: Config) => block(q.metric)!.metric_name) : [alarm.metric_name];
  if (metrics.includes("HTTPCode_Target_5XX_Count") && metrics.includes("RequestCount")) return "error-rate";
  const byMetric: Record<string, AlarmCondition> = {
    HealthCheckStatus: "site-down",
    TargetResponseTime: "latency-p95",
    HealthyHostCount: "healthy-hosts",
    GroupInServiceInstances: "healthy-hosts",
    CPUUtilization: "database-cpu",
    FreeStorageSpace: "database-storage",
    FreeableMemory: "database-memory",
    DatabaseConnections: "database-connections",
    ReplicaLag: "replica-lag",
    DatabaseMemoryUsagePercentage: "cache-memory",
    Evictions: "cache-evictions",
    ApproximateNumberOfMessagesVisible: "dead-tasks",
    disk_used_percent: "host-disk",
  };
  return byMetric[metrics[0]];
}

/** Reads an AWS stack (modules/aws) in the contract's terms. */
export const INSPECTOR: CloudInspector = {
  firewall(s) {
    const association = s.where("aws_wafv2_web_acl_association").find((a) => a.resource_arn === ref(`aws_lb.${publicLb(s)}`, "arn"));
    // Behind CloudFront, the distribution holds the web ACL (scope CLOUDFRONT).
    const aclArn = siteDistribution(s)?.web_acl_id ?? association?.web_acl_arn;
    const acls = s.resources("aws_wafv2_web_acl");
    const aclId = aclArn && Object.keys(acls).find((id) => aclArn === ref(`aws_wafv2_web_acl.${id}`, "arn"));
    if (!aclId) return { protections: [] };
    const statements: Config[] = acls[aclId].rule.map((r: Config) => r.statement);
    const rate = statements.find((st) => st.rate_based_statement)?.rate_based_statement;
    const groups = statements.filter((st) => st.managed_rule_group_statement?.vendor_name === "AWS").map((st) => RULE_GROUPS[st.managed_rule_group_statement.name]);
    return {
      protections: [...groups, ...(rate ? ["rate-limit" as const] : [])].sort(),
      requestsPerMinute: rate ? (rate.limit * 60) / (rate.evaluation_window_sec ?? 300) : undefined,
    };
  },
  alarms(s) {
    const instances = s.resources("aws_db_instance");
    const instance = (alarm: Config) => Object.values(instances).find((i) => ref(`aws_db_instance.${Object.keys(instances).find((k) => instances[k] === i)}`, "identifier") === alarm.dimensions?.DBInstanceIdentifier)!;
    const primary = Object.values(instances).find((i) => !i.replicate_source_db)!;
    const topics = Object.keys(s.resources("aws_sns_topic"));
    const emailsOf = (topicArn: string) => s.where("aws_sns_topic_subscription").filter((sub) => sub.topic_arn === topicArn && sub.protocol === "email").map((sub) => sub.endpoint).sort();
    return s.where("aws_cloudwatch_metric_alarm").map((alarm) => {
      const condition = conditionOf(alarm)!;
      const actions: string[] = alarm.alarm_actions;
      const emails = [...new Set(actions.filter((a) => topics.some((t) => a === ref(`aws_sns_topic.${t}`, "arn"))).flatMap(emailsOf))].sort();
      let threshold: number = alarm.threshold;
      if (condition === "latency-p95") threshold = Math.round(threshold * 1000);
      if (condition === "database-storage") threshold = Math.round(100 - (100 * threshold) / ((instance(alarm).allocated_storage ?? primary.allocated_storage) * GIB));
      if (condition === "database-memory") threshold = Math.round(100 - (100 * threshold) / (memoryGiB(instance(alarm).instance_class) * GIB));
      if (condition === "database-connections") threshold = Math.round((100 * threshold) / Math.min(Math.floor((memoryGiB(instance(alarm).instance_class) * GIB) / 9531392), 5000));
      return { condition, threshold, emails };
    });
  },
  poolBounds(s, role) {
    const [, asg] = Object.entries(s.resources("aws_autoscaling_group")).find(([, g]) => g.name.endsWith(`-${role}`))!;
    return { min: asg.min_size, max: asg.max_size };
  },
  poolHealthPath(s, role) {
    const [, asg] = Object.entries(s.resources("aws_autoscaling_group")).find(([, g]) => g.name.endsWith(`-${role}`))!;
    const tgRef: string | undefined = asg.target_group_arns?.[0];
    if (!tgRef) return undefined;
    const [, tg] = Object.entries(s.resources("aws_lb_target_group")).find(([id]) => tgRef === ref(`aws_lb_target_group.${id}`, "arn"))!;
    return block(tg.health_check)?.path;
  },
  redirectsHttpToHttps(s) {
    const listeners = s.where("aws_lb_listener");
    const https = listeners.some((l) => l.port === 443 && l.protocol === "HTTPS" && l.certificate_arn);
    const redirect = listeners.some((l) => {
      const to = block(block(l.default_action)?.redirect);
      return l.port === 80 && to?.protocol === "HTTPS" && to.status_code === "HTTP_301";
    });
    // Behind CloudFront: the distribution redirects, and the load balancer has no HTTP at all.
    const site = siteDistribution(s);
    const cdnRedirects = site !== undefined && block(site.default_cache_behavior)?.viewer_protocol_policy === "redirect-to-https" && !listeners.some((l) => l.port === 80 && l.protocol === "HTTP");
    return https && (redirect || cdnRedirects);
  },
  replicasOfPrimary(s) {
    const primary = Object.entries(s.resources("aws_db_instance")).find(([, d]) => !d.replicate_source_db)!;
    return s.where("aws_db_instance").filter((d) => d.replicate_source_db === ref(`aws_db_instance.${primary[0]}`, "identifier")).length;
  },
  disasterRecovery(s) {
    const [primary] = Object.entries(s.resources("aws_db_instance")).find(([, d]) => !d.replicate_source_db)!;
    const dr = s.where("aws_db_instance").find((d) => d.provider !== undefined);
    if (!dr) return undefined;
    const region = (s.json.provider.aws as Config[]).find((p) => `aws.${p.alias}` === dr.provider)?.region;
    // Encrypted with a key of its own region (RDS copies an encrypted instance across regions only so).
    const key = Object.entries(s.resources("aws_kms_key")).find(([id]) => dr.kms_key_id === ref(`aws_kms_key.${id}`, "arn"))?.[1];
    return {
      region,
      followsPrimary: dr.replicate_source_db === ref(`aws_db_instance.${primary}`, "arn"),
      encrypted: dr.storage_encrypted === true && key?.provider === dr.provider,
      protected: dr.deletion_protection === true && dr.lifecycle?.prevent_destroy === true && key?.lifecycle?.prevent_destroy === true,
    };
  },
  poolerFrontsPrimary(s) {
    const primary = Object.entries(s.resources("aws_db_instance")).find(([, d]) => !d.replicate_source_db)!;
    const targets = s.where("aws_db_proxy_target").filter((t) => t.db_instance_identifier === ref(`aws_db_instance.${primary[0]}`, "identifier"));
    const proxy = Object.keys(s.resources("aws_db_proxy"))[0];
    return targets.length === 1 && proxy !== undefined && String(s.outputs.database_url.value).includes(ref(`aws_db_proxy.${proxy}`, "endpoint"));
  },
  publicEntryPoints(s) {
    const publicLbs = s.where("aws_lb").filter((lb) => lb.internal === false);
    const publicSgs = new Set(Object.entries(s.resources("aws_security_group")).filter(([, g]) => g.name_prefix?.endsWith("-public-")).map(([id]) => ref(`aws_security_group.${id}`, "id")));
    const other = [
      ...s.where("aws_vpc_security_group_ingress_rule").filter((r) => (r.cidr_ipv4 || r.cidr_ipv6) && !publicSgs.has(r.security_group_id)).map((r) => `ingress ${r.description}`),
      ...s.where("aws_db_instance").filter((d) => d.publicly_accessible !== false).map((d) => `database ${d.identifier}`),
      ...s.where("aws_subnet").filter((sn) => sn.map_public_ip_on_launch !== false).map((sn) => `subnet ${sn.cidr_block}`),
      ...s.where("aws_s3_bucket_public_access_block").filter((b) => !(b.block_public_acls && b.block_public_policy && b.ignore_public_acls && b.restrict_public_buckets)).map((b) => `bucket ${b.bucket}`),
    ];
    // The maintenance site's distribution answers every miss with its page and a 503; the object stores' do not.
    // The site's own distribution (the whole site behind CloudFront) is the site, not a CDN name for files.
    const distributions = s.where("aws_cloudfront_distribution");
    const site = siteDistribution(s);
    const cdnNames = distributions.filter((d) => d !== site && !servesOutagePage(d)).flatMap((d) => d.aliases as string[]);
    const maintenanceSites = distributions.filter(servesOutagePage).length;
    return { loadBalancers: publicLbs.length, cdnNames: cdnNames.sort(), maintenanceSites, other };
  },
  siteEdge(s) {
    const site = siteDistribution(s);
    if (!site) return undefined;
    const lb = publicLb(s);
    const behaviour = block(site.default_cache_behavior)!;
    const groups: string[] = s.resources("aws_lb")[lb].security_groups;
    const ingress = s.where("aws_vpc_security_group_ingress_rule").filter((r) => groups.includes(r.security_group_id));
    const prefixLists = Object.entries(s.data("aws_ec2_managed_prefix_list"));
    const [header] = site.origin.find((o: Config) => o.domain_name === ref(`aws_lb.${lb}`, "dns_name")).custom_header;
    const listenerIds = Object.keys(s.resources("aws_lb_listener")).filter((id) => s.resources("aws_lb_listener")[id].load_balancer_arn === ref(`aws_lb.${lb}`, "arn"));
    const forwards = s.where("aws_lb_listener_rule").filter((r) => listenerIds.some((id) => r.listener_arn === ref(`aws_lb_listener.${id}`, "arn")));
    return {
      name: site.aliases[0],
      uncached: behaviour.cache_policy_id === CACHING_DISABLED_ID,
      viewerRequestPassed: behaviour.origin_request_policy_id === ALL_VIEWER_ID && behaviour.allowed_methods.length === 7,
      originOnlyFromEdge:
        ingress.length > 0 &&
        ingress.every((r) => prefixLists.some(([id, p]) => p.name === "com.amazonaws.global.cloudfront.origin-facing" && r.prefix_list_id === ref(`data.aws_ec2_managed_prefix_list.${id}`, "id"))) &&
        listenerIds.every((id) => block(s.resources("aws_lb_listener")[id].default_action)?.type === "fixed-response") &&
        forwards.length > 0 &&
        forwards.every((r) => block(block(r.condition)?.http_header)?.values?.[0] === header.value && header.value.startsWith("${random_password.")),
    };
  },
  failoverTarget(s) {
    const site = siteDistribution(s);
    if (site) {
      // CloudFront is the failover: the load balancer's failures answered with the page from the maintenance bucket.
      const errors = (site.custom_error_response ?? []).filter((e: Config) => [502, 503, 504].includes(e.error_code) && e.response_code === 503);
      if (errors.length !== 3) return undefined;
      const path: string = errors[0].response_page_path;
      const behaviour = (site.ordered_cache_behavior ?? []).find((b: Config) => path.startsWith(String(b.path_pattern).replace(/\*$/, "")));
      const origin = site.origin.find((o: Config) => o.origin_id === behaviour?.target_origin_id);
      const bucket = Object.keys(s.resources("aws_s3_bucket")).find((b) => origin?.domain_name === ref(`aws_s3_bucket.${b}`, "bucket_regional_domain_name"));
      const page = s.where("aws_s3_object").some((o) => `/${o.key}` === path && o.bucket === ref(`aws_s3_bucket.${bucket}`, "id"));
      return page ? { maintenanceFor: site.aliases[0] } : { maintenanceFor: "not a maintenance page: the site's error page is not the bucket's" };
    }
    const secondary = s.where("aws_route53_record").find((r) => r.failover_routing_policy?.type === "SECONDARY");
    if (!secondary) return undefined;
    const [id, distribution] = Object.entries(s.resources("aws_cloudfront_distribution")).find(([d]) => secondary.alias.name === ref(`aws_cloudfront_distribution.${d}`, "domain_name"))!;
    // It must be the maintenance site: a distribution whose bucket holds the uploaded page.
    const bucketOrigin: string = distribution.origin[0].domain_name;
    const bucket = Object.keys(s.resources("aws_s3_bucket")).find((b) => bucketOrigin === ref(`aws_s3_bucket.${b}`, "bucket_regional_domain_name"));
    const page = s.where("aws_s3_object").some((o) => o.key === "index.html" && o.bucket === ref(`aws_s3_bucket.${bucket}`, "id"));
    return page && servesOutagePage(distribution) ? { maintenanceFor: distribution.aliases[0] } : { maintenanceFor: `not a maintenance site: ${id}` };
  },
};

/** A distribution that answers misses, or the site's failures, with the uploaded page and a 503: the maintenance site. */
function servesOutagePage(distribution: Config): boolean {
  return (distribution.custom_error_response ?? []).some((e: Config) => e.response_code === 503 && String(e.response_page_path).endsWith("/index.html"));
}

/** AWS's managed policies, by the ids AWS documents (docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html). */
const CACHING_DISABLED_ID = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
const ALL_VIEWER_ID = "216adef6-5c7f-47e4-b989-5492eafa07d3";

/** The internet-facing load balancer's id. */
function publicLb(s: Synth): string {
  const lbs = s.resources("aws_lb");
  return Object.keys(lbs).find((id) => lbs[id].internal !== true)!;
}

/** The distribution whose origin is the public load balancer: the whole site behind CloudFront. */
function siteDistribution(s: Synth): Config | undefined {
  const lb = publicLb(s);
  return s.where("aws_cloudfront_distribution").find((d: Config) => d.origin.some((o: Config) => o.domain_name === ref(`aws_lb.${lb}`, "dns_name")));
}
