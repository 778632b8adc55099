import { CloudPolicy, INTERNET, each } from "../policy/rules";
import { CLOUDFRONT_ORIGIN_FACING } from "./shared";
import { Resource, ResourceConfig, StackDocument, reference } from "../policy/document";

const MODERN_ALB_POLICIES = [
  "ELBSecurityPolicy-TLS13-1-2-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
  "ELBSecurityPolicy-TLS13-1-3-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
  "ELBSecurityPolicy-FS-1-2-Res-2020-10",
];

const primaries = (s: StackDocument) => s.resources("aws_db_instance").filter((d) => !d.config.replicate_source_db);
const publicAlbs = (s: StackDocument) => s.resources("aws_lb").filter((lb) => lb.config.internal !== true && (lb.config.load_balancer_type ?? "application") === "application");
const listenersOf = (s: StackDocument, lb: Resource) => s.resources("aws_lb_listener").filter((l) => l.config.load_balancer_arn === reference(lb.address, "arn"));
const internetIngress = (s: StackDocument) => s.resources("aws_vpc_security_group_ingress_rule").filter((r) => INTERNET.includes(r.config.cidr_ipv4) || INTERNET.includes(r.config.cidr_ipv6));
/** The CloudFront distributions whose origin is `lb` (the whole site behind the CDN). */
const distributionsBefore = (s: StackDocument, lb: Resource) =>
  s.resources("aws_cloudfront_distribution").filter((d) => (d.config.origin ?? []).some((o: ResourceConfig) => o.domain_name === reference(lb.address, "dns_name")));
/** A public load balancer no viewer reaches but through CloudFront: a distribution's origin, and none of its groups open to the internet. */
const behindCloudFront = (s: StackDocument, lb: Resource) => {
  const groups: string[] = lb.config.security_groups ?? [];
  return distributionsBefore(s, lb).length > 0 && !internetIngress(s).some((r) => groups.includes(r.config.security_group_id));
};
const covers22 = (from?: number, to?: number, protocol?: string) => protocol === "-1" || (from !== undefined && to !== undefined && from <= 22 && 22 <= to);

const AWS_STATEFUL_TYPES = ["aws_db_instance", "aws_kms_key", "aws_sqs_queue", "aws_mq_broker", "aws_elasticache_replication_group", "aws_s3_bucket", "aws_route53_zone", "aws_secretsmanager_secret", "random_id"];

/** The policy pack's checks on an AWS stack (the rules themselves are in modules/policy/rules.ts). */
export const AWS_POLICY: CloudPolicy = {
  statefulTypes: AWS_STATEFUL_TYPES,
  checks: {
    "CT-DB-001": (s) => each(s.resources("aws_db_instance"), (d) => d.publicly_accessible !== true, "publicly_accessible is true"),
    "CT-DB-002": (s) => each(s.resources("aws_db_instance"), (d) => d.storage_encrypted === true, "storage_encrypted is not true"),
    "CT-DB-003": (s) => each(primaries(s), (d) => (d.backup_retention_period ?? 0) >= 1, "backup_retention_period is below 1 day"),
    "CT-DB-004": (s) => each(primaries(s), (d) => d.multi_az === true, "multi_az is not true"),
    "CT-DB-005": (s) => each(s.resources("aws_db_instance"), (d) => d.deletion_protection === true, "deletion_protection is not true"),
    // Every instance: a disaster-recovery replica has a parameter group of its own region, and becomes a primary when promoted.
    "CT-DB-006": (s) =>
      each(s.resources("aws_db_instance"), (d) => {
        const group = s.resources("aws_db_parameter_group").find((g) => d.parameter_group_name === reference(g.address, "name"));
        return (group?.config.parameter ?? []).some((p: ResourceConfig) => p.name === "rds.force_ssl" && String(p.value) === "1");
      }, "its parameter group does not set rds.force_ssl = 1"),
    "CT-S3-001": (s) =>
      s.resources("aws_s3_bucket").flatMap((b) => {
        const block = s.resources("aws_s3_bucket_public_access_block").find((p) => p.config.bucket === reference(b.address, "id"))?.config;
        const closed = block && block.block_public_acls && block.block_public_policy && block.ignore_public_acls && block.restrict_public_buckets;
        return closed ? [] : [{ resource: b.address, message: "has no public access block with all four settings on" }];
      }),
    "CT-S3-002": (s) =>
      s.resources("aws_s3_bucket").flatMap((b) =>
        s.resources("aws_s3_bucket_server_side_encryption_configuration").some((e) => e.config.bucket === reference(b.address, "id"))
          ? []
          : [{ resource: b.address, message: "has no server-side encryption configuration" }],
      ),
    "CT-S3-003": (s) =>
      s.resources("aws_s3_bucket").flatMap((b) =>
        s.resources("aws_s3_bucket_versioning").some((v) => v.config.bucket === reference(b.address, "id") && v.config.versioning_configuration?.status === "Enabled")
          ? []
          : [{ resource: b.address, message: "versioning is not enabled" }],
      ),
    "CT-S3-004": (s) => each(s.resources("aws_s3_bucket"), (b) => b.force_destroy !== true, "force_destroy is true"),
    "CT-CDN-001": (s) =>
      each(
        s.resources("aws_cloudfront_distribution"),
        (d) => [d.default_cache_behavior, ...(d.ordered_cache_behavior ?? [])].every((b: ResourceConfig) => ["redirect-to-https", "https-only"].includes(b.viewer_protocol_policy)),
        "a cache behaviour allows plain HTTP",
      ),
    "CT-CDN-002": (s) => each(s.resources("aws_cloudfront_distribution"), (d) => /^TLSv1\.[23]/.test(d.viewer_certificate?.minimum_protocol_version ?? ""), "minimum_protocol_version is below TLS 1.2"),
    "CT-CDN-003": (s) =>
      each(
        s.resources("aws_cloudfront_distribution"),
        (d) => (d.origin ?? []).every((o: ResourceConfig) => !String(o.domain_name).includes("aws_s3_bucket.") || typeof o.origin_access_control_id === "string"),
        "reads a bucket without origin access control",
      ),
    "CT-LB-001": (s) =>
      publicAlbs(s).flatMap((lb) => {
        const listeners = listenersOf(s, lb).map((l) => l.config);
        const https = listeners.some((l) => l.port === 443 && l.protocol === "HTTPS");
        const redirect = listeners.some((l) => l.port === 80 && l.default_action?.[0]?.type === "redirect" && l.default_action[0].redirect?.protocol === "HTTPS");
        // Behind CloudFront, CloudFront redirects the viewers' HTTP; the load balancer has HTTPS alone.
        return https && (redirect || behindCloudFront(s, lb)) ? [] : [{ resource: lb.address, message: "has no HTTPS listener on 443 with HTTP on 80 redirected to it" }];
      }),
    "CT-LB-002": (s) =>
      each(
        s.resources("aws_lb_listener").filter((l) => l.config.protocol === "HTTPS"),
        (l) => MODERN_ALB_POLICIES.includes(l.ssl_policy),
        `ssl_policy is not one of ${MODERN_ALB_POLICIES.join(", ")}`,
      ),
    "CT-LB-003": (s) => each(publicAlbs(s), (lb) => lb.drop_invalid_header_fields === true, "drop_invalid_header_fields is not true"),
    // Every public load balancer CloudFront fronts: its groups admit a prefix list and nothing else, and its HTTPS listener forwards only what carries the distribution's header.
    "CT-CDN-004": (s) =>
      publicAlbs(s)
        .filter((lb) => distributionsBefore(s, lb).length > 0)
        .flatMap((lb) => {
          const groups: string[] = lb.config.security_groups ?? [];
          const ingress = s.resources("aws_vpc_security_group_ingress_rule").filter((r) => groups.includes(r.config.security_group_id));
          const cloudfront = s.dataSources("aws_ec2_managed_prefix_list").filter((l) => l.config.name === CLOUDFRONT_ORIGIN_FACING).map((l) => reference(l.address, "id"));
          const admitsOnlyPrefixList = ingress.length > 0 && ingress.every((r) => cloudfront.includes(r.config.prefix_list_id) && r.config.cidr_ipv4 === undefined && r.config.cidr_ipv6 === undefined);
          const headers = distributionsBefore(s, lb).flatMap((d) =>
            (d.config.origin ?? []).filter((o: ResourceConfig) => o.domain_name === reference(lb.address, "dns_name")).flatMap((o: ResourceConfig) => o.custom_header ?? []),
          );
          const listeners = listenersOf(s, lb);
          const guarded = listeners.every((l) => {
            if (l.config.default_action?.[0]?.type === "forward") return false;
            const rules = s.resources("aws_lb_listener_rule").filter((r) => r.config.listener_arn === reference(l.address, "arn") && (r.config.action ?? []).some((a: ResourceConfig) => a.type === "forward"));
            return rules.every((r) =>
              (r.config.condition ?? []).some((c: ResourceConfig) => headers.some((h: ResourceConfig) => c.http_header?.http_header_name === h.name && c.http_header.values?.length === 1 && c.http_header.values[0] === h.value)),
            );
          });
          const problems = [
            ...(admitsOnlyPrefixList ? [] : [`its security group admits more than CloudFront's prefix list (${CLOUDFRONT_ORIGIN_FACING})`]),
            ...(guarded ? [] : ["a listener forwards requests without the distribution's secret header"]),
          ];
          return problems.map((message) => ({ resource: lb.address, message }));
        }),
    "CT-NET-001": (s) => {
      const lbGroups = new Set(publicAlbs(s).flatMap((lb) => lb.config.security_groups ?? []));
      return internetIngress(s)
        .filter((r) => !(lbGroups.has(r.config.security_group_id) && [80, 443].includes(r.config.from_port) && r.config.from_port === r.config.to_port))
        .map((r) => ({ resource: r.address, message: `admits the internet on ${r.config.from_port ?? "all ports"} outside the public load balancer's 80/443` }));
    },
    "CT-NET-002": (s) =>
      s
        .resources("aws_vpc_security_group_ingress_rule")
        .filter((r) => (INTERNET.includes(r.config.cidr_ipv4) || INTERNET.includes(r.config.cidr_ipv6)) && covers22(r.config.from_port, r.config.to_port, r.config.ip_protocol))
        .map((r) => ({ resource: r.address, message: "admits SSH (22) from the internet" })),
    "CT-VM-001": (s) => each(s.resources("aws_launch_template"), (t) => t.metadata_options?.http_tokens === "required", "metadata_options.http_tokens is not required"),
    "CT-MQ-001": (s) => each(s.resources("aws_sqs_queue"), (q) => q.sqs_managed_sse_enabled === true || typeof q.kms_master_key_id === "string", "neither sqs_managed_sse_enabled nor kms_master_key_id is set"),
    "CT-MQ-002": (s) =>
      each(s.resources("aws_mq_broker"), (b) => b.publicly_accessible === false && Array.isArray(b.security_groups) && b.security_groups.length > 0, "is publicly accessible, or has no security group"),
    "CT-CACHE-001": (s) =>
      each(
        s.resources("aws_elasticache_replication_group"),
        (g) => String(g.at_rest_encryption_enabled) === "true" && g.transit_encryption_enabled === true && typeof g.auth_token === "string",
        "lacks at-rest encryption, transit encryption or an auth token",
      ),
    // A Route 53 failover pair, or the site's distribution answering its load balancer's failures with a page.
    "CT-DNS-001": (s) =>
      s.resources("aws_route53_record").some((r) => r.config.failover_routing_policy?.type === "SECONDARY") ||
      publicAlbs(s).some((lb) =>
        distributionsBefore(s, lb).some((d) => [502, 503, 504].every((code) => (d.config.custom_error_response ?? []).some((e: ResourceConfig) => e.error_code === code && typeof e.response_page_path === "string"))),
      )
        ? []
        : [{ resource: "(stack)", message: "no SECONDARY failover record, nor a CloudFront distribution that answers its load balancer's 502, 503 and 504 with a page" }],
    // A replica of each primary through another region's provider (a cross-region replica), encrypted.
    "CT-DB-008": (s) =>
      primaries(s).flatMap((p) =>
        s.resources("aws_db_instance").some((r) => typeof r.config.provider === "string" && r.config.replicate_source_db === reference(p.address, "arn") && r.config.storage_encrypted === true)
          ? []
          : [{ resource: p.address, message: "has no encrypted replica in another region (aws.disasterRecoveryRegion)" }],
      ),
    // Alarms whose actions publish to a topic someone subscribes to.
    "CT-OPS-001": (s) => {
      const heard = s.resources("aws_sns_topic").filter((t) => s.resources("aws_sns_topic_subscription").some((sub) => sub.config.topic_arn === reference(t.address, "arn")));
      const alarmed = s.resources("aws_cloudwatch_metric_alarm").some((a) => (a.config.alarm_actions ?? []).some((action: string) => heard.some((t) => action === reference(t.address, "arn"))));
      return alarmed ? [] : [{ resource: "(stack)", message: "no CloudWatch alarm publishes to an SNS topic with a subscription" }];
    },
    // A web ACL with a rate-based rule and a managed rule group, on every public load balancer.
    "CT-EDGE-001": (s) => {
      const guarded = s.resources("aws_wafv2_web_acl").filter((acl) => {
        const statements = (acl.config.rule ?? []).map((r: ResourceConfig) => r.statement ?? {});
        return statements.some((st: ResourceConfig) => st.rate_based_statement) && statements.some((st: ResourceConfig) => st.managed_rule_group_statement);
      });
      const associated = (lb: Resource) =>
        s.resources("aws_wafv2_web_acl_association").some((a) => a.config.resource_arn === reference(lb.address, "arn") && guarded.some((acl) => a.config.web_acl_arn === reference(acl.address, "arn")));
      // Behind CloudFront, the distribution holds the web ACL (its web_acl_id), where the rate limit sees viewers.
      const fronted = (lb: Resource) =>
        behindCloudFront(s, lb) && distributionsBefore(s, lb).every((d) => guarded.some((acl) => acl.config.scope === "CLOUDFRONT" && d.config.web_acl_id === reference(acl.address, "arn")));
      const open = s.resources("aws_lb").filter((lb) => lb.config.internal !== true && !associated(lb) && !fronted(lb));
      return open.map((lb) => ({ resource: lb.address, message: "has no web ACL with a rate-based rule and a managed rule group" }));
    },
    "CT-DATA-001": (s) => each(s.all(AWS_STATEFUL_TYPES), (r) => r.lifecycle?.prevent_destroy === true, "lifecycle.prevent_destroy is not true"),
    "CT-DATA-002": (s) => [
      ...each(primaries(s), (d) => d.skip_final_snapshot === false && typeof d.final_snapshot_identifier === "string", "skips its final snapshot"),
      ...each(s.resources("aws_elasticache_replication_group"), (g) => typeof g.final_snapshot_identifier === "string", "has no final_snapshot_identifier"),
    ],
  },
};
