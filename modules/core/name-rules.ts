/**
 * The rules each cloud puts on the names cloudtiers derives, one row per Terraform
 * resource argument (`<resource type>.<argument>`), each with where the rule is written.
 * `checkName` holds a name to its row; the validators hold every name a spec derives to
 * it before anything is synthesised (`DerivedName`), and test/core/name-rules.test.ts
 * holds every name-like argument of every shipped stack to it, so a new resource type
 * without a row fails there.
 *
 * Rows with `text: true` are free text the clouds limit (descriptions and comments): the
 * same walk holds them, and `fitText` cuts ours where a spec's values (a domain, a list of
 * secret names) could make them too long, rather than refuse a sound spec for a comment.
 * The rest of our texts are fixed words and the name prefix (at most MAX_NAME_PREFIX), so
 * they fit at any spec; the walk over the longest specs shows it.
 *
 * A `name_prefix` row is the prefix's own rule: the provider appends 26 characters
 * (`id.UniqueIDSuffixLength`, terraform-plugin-sdk helper/id), so its `max` is the name's
 * limit less 26.
 */
export interface NameRule {
  /** The resource's name in the cloud's own words. */
  readonly what: string;
  readonly min: number;
  readonly max: number;
  /** The characters (and shape) allowed; `allowed` says it in words. */
  readonly pattern: RegExp;
  readonly allowed: string;
  /** Prefixes and suffixes the cloud reserves. */
  readonly forbiddenPrefixes?: readonly string[];
  readonly forbiddenSuffixes?: readonly string[];
  /** No `--` anywhere (RDS, ElastiCache identifiers). */
  readonly noDoubleHyphen?: boolean;
  /** Where the rule is written. */
  readonly source: string;
  /**
   * Free text (a description or a comment), not a name: `fitText` shortens ours to `max`
   * rather than refusing the spec whose values make it long.
   */
  readonly text?: boolean;
}

const AWS_API = "https://docs.aws.amazon.com";
const DO_API = "digitalocean/openapi specification/resources";
/** Letters, digits and hyphens, starting with a letter, not ending with a hyphen. */
const IDENTIFIER = /^[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const IDENTIFIER_WORDS = "letters, digits and hyphens, starting with a letter and not ending with a hyphen";
/** Letters, digits and hyphens, not starting or ending with a hyphen. */
const ALNUM_HYPHEN = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const ALNUM_HYPHEN_WORDS = "letters, digits and hyphens, not starting or ending with a hyphen";
/** A DNS name: labels of 1-63 letters, digits and inner hyphens. */
const DNS_NAME = /^(?:[A-Za-z0-9*](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const DNS_WORDS = "a DNS name of labels of 1 to 63 letters, digits and inner hyphens";
const IAM_NAME = /^[\w+=,.@-]+$/;
/** Free text: any characters but control characters (a line break among them). */
const FREE_TEXT = /^[^\u0000-\u001f\u007f]*$/;
const FREE_TEXT_WORDS = "text without control characters";
/** EC2's description characters (security groups and their rules). */
const EC2_TEXT = /^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/;
const EC2_TEXT_WORDS = "letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*";
const IAM_WORDS = "letters, digits and + = , . @ _ -";

export const NAME_RULES = {
  // ---- AWS ----
  "aws_s3_bucket.bucket": {
    what: "S3 bucket name", min: 3, max: 63,
    pattern: /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/, allowed: "lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit",
    forbiddenPrefixes: ["xn--", "sthree-", "amzn-s3-demo-"], forbiddenSuffixes: ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"],
    source: `${AWS_API}/AmazonS3/latest/userguide/bucketnamingrules.html (general purpose buckets)`,
  },
  "aws_lb.name": {
    what: "load balancer name", min: 1, max: 32, pattern: ALNUM_HYPHEN, allowed: ALNUM_HYPHEN_WORDS, forbiddenPrefixes: ["internal-"],
    source: `${AWS_API}/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html (Name)`,
  },
  "aws_lb_target_group.name": {
    what: "target group name", min: 1, max: 32, pattern: ALNUM_HYPHEN, allowed: ALNUM_HYPHEN_WORDS,
    source: `${AWS_API}/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html (Name)`,
  },
  "aws_acm_certificate.domain_name": {
    what: "ACM certificate's first domain name", min: 1, max: 64, pattern: DNS_NAME, allowed: DNS_WORDS,
    source: `${AWS_API}/acm/latest/APIReference/API_RequestCertificate.html (DomainName: "The first domain name you enter cannot exceed 64 octets")`,
  },
  "aws_route53_health_check.resource_path": {
    what: "Route 53 health check resource path", min: 1, max: 255, pattern: /^\/\S*$/, allowed: "an absolute path without spaces",
    source: `${AWS_API}/Route53/latest/APIReference/API_HealthCheckConfig.html (ResourcePath: maximum length of 255)`,
  },
  "aws_sns_topic.name": {
    what: "SNS topic name", min: 1, max: 256, pattern: /^[A-Za-z0-9_-]+$/, allowed: "letters, digits, underscores and hyphens",
    source: `${AWS_API}/sns/latest/api/API_CreateTopic.html (Name: "between 1 and 256 characters long")`,
  },
  "aws_cloudwatch_metric_alarm.alarm_name": {
    what: "CloudWatch alarm name", min: 1, max: 255, pattern: /^[\x20-\x7e]+$/, allowed: "printable ASCII characters",
    source: `${AWS_API}/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html (AlarmName: 1-255, ASCII)`,
  },
  "aws_cloudwatch_dashboard.dashboard_name": {
    what: "CloudWatch dashboard name", min: 1, max: 255, pattern: /^[A-Za-z0-9_-]+$/, allowed: "letters, digits, underscores and hyphens",
    source: `${AWS_API}/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html (DashboardName: "up to 255 characters"; "only alphanumerics, dash (-), and underscore (_)")`,
  },
  "aws_wafv2_web_acl.name": {
    what: "WAF web ACL name", min: 1, max: 128, pattern: /^[\w-]+$/, allowed: "letters, digits, underscores and hyphens",
    source: `${AWS_API}/waf/latest/APIReference/API_CreateWebACL.html (Name: 1-128, ^[\\w\\-]+$)`,
  },
  "aws_route53_record.set_identifier": {
    what: "Route 53 record set identifier", min: 1, max: 128, pattern: /^\S+$/, allowed: "characters other than spaces",
    source: `${AWS_API}/Route53/latest/APIReference/API_ResourceRecordSet.html (SetIdentifier: 1-128)`,
  },
  "aws_route53_record.name": {
    what: "Route 53 record name", min: 1, max: 253, pattern: DNS_NAME, allowed: DNS_WORDS,
    source: `${AWS_API}/Route53/latest/APIReference/API_ResourceRecordSet.html (Name: maximum length of 1024, DNS names at most 255 octets, RFC 1035 2.3.4)`,
  },
  "aws_mq_broker.broker_name": {
    what: "Amazon MQ broker name", min: 1, max: 50, pattern: /^[A-Za-z0-9_-]+$/, allowed: "letters, digits, hyphens and underscores",
    source: `${AWS_API}/amazon-mq/latest/api-reference/brokers.html (brokerName: 1-50 characters, alphanumerics, dashes or underscores, no spaces)`,
  },
  "aws_mq_configuration.name": {
    what: "Amazon MQ configuration name", min: 1, max: 150, pattern: /^[A-Za-z0-9_-]+$/, allowed: "letters, digits, hyphens and underscores",
    source: `${AWS_API}/amazon-mq/latest/api-reference/configurations.html (name: 1-150 characters, alphanumerics, dashes, periods, underscores and tildes)`,
  },
  "aws_sqs_queue.name": {
    what: "SQS queue name", min: 1, max: 80, pattern: /^[A-Za-z0-9_-]+$/, allowed: "letters, digits, hyphens and underscores",
    source: `${AWS_API}/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html (QueueName: up to 80 characters, alphanumeric, hyphens and underscores)`,
  },
  "aws_ssm_parameter.name": {
    what: "SSM parameter name", min: 1, max: 1011, pattern: /^\/(?:[A-Za-z0-9_.-]+\/){0,14}[A-Za-z0-9_.-]+$/,
    allowed: "letters, digits, . - _ in at most 15 levels separated by /", forbiddenPrefixes: ["/aws", "/ssm", "aws", "ssm"],
    source: `${AWS_API}/systems-manager/latest/userguide/sysman-paramstore-su-create.html (name requirements: 1011 characters for the name, 15 levels, no aws/ssm prefix)`,
  },
  "aws_iam_role.name": {
    what: "IAM role name", min: 1, max: 64, pattern: IAM_NAME, allowed: IAM_WORDS,
    source: `${AWS_API}/IAM/latest/APIReference/API_CreateRole.html (RoleName: 1-64)`,
  },
  "aws_iam_instance_profile.name": {
    what: "IAM instance profile name", min: 1, max: 128, pattern: IAM_NAME, allowed: IAM_WORDS,
    source: `${AWS_API}/IAM/latest/APIReference/API_CreateInstanceProfile.html (InstanceProfileName: 1-128)`,
  },
  "aws_iam_role_policy.name": {
    what: "IAM inline policy name", min: 1, max: 128, pattern: IAM_NAME, allowed: IAM_WORDS,
    source: `${AWS_API}/IAM/latest/APIReference/API_PutRolePolicy.html (PolicyName: 1-128)`,
  },
  "aws_security_group.name_prefix": {
    what: "security group name prefix", min: 1, max: 229, pattern: /^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]+$/, allowed: "letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*",
    forbiddenPrefixes: ["sg-"],
    source: `${AWS_API}/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html (GroupName: up to 255, cannot start with sg-; less the provider's 26-character suffix)`,
  },
  "aws_autoscaling_group.name": {
    what: "Auto Scaling group name", min: 1, max: 255, pattern: /^[^:\s][^:]*$/, allowed: "printable characters other than ':'",
    source: `${AWS_API}/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html (AutoScalingGroupName: 1-255; ':' would read as an ARN)`,
  },
  "aws_autoscaling_policy.name": {
    what: "scaling policy name", min: 1, max: 255, pattern: /^[^:\s][^:]*$/, allowed: "printable characters other than ':'",
    source: `${AWS_API}/autoscaling/ec2/APIReference/API_PutScalingPolicy.html (PolicyName: 1-255)`,
  },
  "aws_autoscaling_lifecycle_hook.name": {
    what: "lifecycle hook name", min: 1, max: 255, pattern: /^[A-Za-z0-9\-_/]+$/, allowed: "letters, digits, - _ /",
    source: `${AWS_API}/autoscaling/ec2/APIReference/API_PutLifecycleHook.html (LifecycleHookName: 1-255, [A-Za-z0-9\\-_\\/]+)`,
  },
  "aws_launch_template.name": {
    what: "launch template name", min: 3, max: 128, pattern: /^[A-Za-z0-9().\-/_]+$/, allowed: "letters, digits and ( ) . - / _",
    source: `${AWS_API}/AWSEC2/latest/APIReference/API_CreateLaunchTemplate.html (LaunchTemplateName: 3-128)`,
  },
  "aws_lambda_function.function_name": {
    what: "Lambda function name", min: 1, max: 64, pattern: /^[A-Za-z0-9_-]+$/, allowed: "letters, digits, - and _",
    source: `${AWS_API}/lambda/latest/api/API_CreateFunction.html (FunctionName: up to 64 characters for a name)`,
  },
  "aws_cloudwatch_log_group.name": {
    what: "CloudWatch log group name", min: 1, max: 512, pattern: /^[.\-_/#A-Za-z0-9]+$/, allowed: "letters, digits and . - _ / #",
    source: `${AWS_API}/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html (logGroupName: 1-512)`,
  },
  "aws_kms_alias.name": {
    what: "KMS alias name", min: 7, max: 256, pattern: /^alias\/(?!aws\/)[A-Za-z0-9/_-]+$/, allowed: "alias/ then letters, digits, slashes, underscores and hyphens (not alias/aws/)",
    source: `${AWS_API}/kms/latest/APIReference/API_CreateAlias.html (AliasName: 1-256, ^[a-zA-Z0-9:/_-]+$, begins with alias/, not alias/aws/)`,
  },
  "aws_kms_key.description": {
    what: "KMS key description", min: 0, max: 8192, pattern: FREE_TEXT, allowed: FREE_TEXT_WORDS, text: true,
    source: `${AWS_API}/kms/latest/APIReference/API_CreateKey.html (Description: 0-8192 characters)`,
  },
  "aws_secretsmanager_secret.name": {
    what: "Secrets Manager secret name", min: 1, max: 512, pattern: /^[A-Za-z0-9/_+=.@-]+$/, allowed: "letters, digits and / _ + = . @ -",
    source: `${AWS_API}/secretsmanager/latest/apireference/API_CreateSecret.html (Name: 1-512; avoid ending in a hyphen and six characters)`,
  },
  "aws_db_instance.identifier": {
    what: "RDS DB instance identifier", min: 1, max: 63, pattern: IDENTIFIER, allowed: IDENTIFIER_WORDS, noDoubleHyphen: true,
    source: `${AWS_API}/AmazonRDS/latest/APIReference/API_CreateDBInstance.html (DBInstanceIdentifier: 1-63, no two consecutive hyphens)`,
  },
  "aws_db_instance.final_snapshot_identifier": {
    what: "RDS final snapshot identifier", min: 1, max: 255, pattern: IDENTIFIER, allowed: IDENTIFIER_WORDS, noDoubleHyphen: true,
    source: `${AWS_API}/AmazonRDS/latest/APIReference/API_DeleteDBInstance.html (FinalDBSnapshotIdentifier: 1-255, no two consecutive hyphens)`,
  },
  "aws_db_parameter_group.name_prefix": {
    what: "RDS parameter group name prefix", min: 1, max: 229, pattern: /^[a-z][a-z0-9-]*$/, allowed: "lower-case letters, digits and hyphens, starting with a letter", noDoubleHyphen: true,
    source: `${AWS_API}/AmazonRDS/latest/APIReference/API_CreateDBParameterGroup.html (DBParameterGroupName: 1-255, letter first, no two consecutive hyphens; less the provider's 26-character suffix)`,
  },
  "aws_db_subnet_group.name": {
    what: "RDS subnet group name", min: 1, max: 255, pattern: /^[a-z0-9 ._-]+$/, allowed: "lower-case letters, digits, spaces, periods, underscores and hyphens",
    source: `${AWS_API}/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html (DBSubnetGroupName: up to 255, not "default")`,
  },
  "aws_db_proxy.name": {
    what: "RDS Proxy name", min: 1, max: 60, pattern: IDENTIFIER, allowed: IDENTIFIER_WORDS, noDoubleHyphen: true,
    source: `${AWS_API}/AmazonRDS/latest/APIReference/API_CreateDBProxy.html (DBProxyName: letter first, no trailing hyphen, no two consecutive hyphens); 60: the RDS console's limit (the API states none), the lower of the two`,
  },
  "aws_elasticache_replication_group.replication_group_id": {
    what: "ElastiCache replication group id", min: 1, max: 40, pattern: IDENTIFIER, allowed: IDENTIFIER_WORDS, noDoubleHyphen: true,
    source: `${AWS_API}/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html (ReplicationGroupId: 1-40, letter first, no two consecutive hyphens)`,
  },
  "aws_elasticache_replication_group.final_snapshot_identifier": {
    what: "ElastiCache final snapshot name", min: 1, max: 255, pattern: IDENTIFIER, allowed: IDENTIFIER_WORDS, noDoubleHyphen: true,
    source: `${AWS_API}/AmazonElastiCache/latest/APIReference/API_DeleteReplicationGroup.html (FinalSnapshotIdentifier; held to the replication group id's shape)`,
  },
  "aws_elasticache_subnet_group.name": {
    what: "ElastiCache subnet group name", min: 1, max: 255, pattern: /^[a-z0-9-]+$/, allowed: "lower-case letters, digits and hyphens",
    source: `${AWS_API}/AmazonElastiCache/latest/APIReference/API_CreateCacheSubnetGroup.html (CacheSubnetGroupName: up to 255 letters, digits or hyphens)`,
  },
  "aws_cloudfront_origin_access_control.name": {
    what: "CloudFront origin access control name", min: 1, max: 64, pattern: /^\S(?:.*\S)?$/, allowed: "characters, not starting or ending with a space",
    source: `${AWS_API}/cloudfront/latest/APIReference/API_OriginAccessControlConfig.html (Name: up to 64 characters)`,
  },
  "aws_cloudfront_response_headers_policy.name": {
    what: "CloudFront response headers policy name", min: 1, max: 128, pattern: /^[A-Za-z0-9_-]+$/, allowed: "letters, digits, - and _",
    source: `${AWS_API}/cloudfront/latest/APIReference/API_ResponseHeadersPolicyConfig.html (Name; 128 and [A-Za-z0-9_-] per the CloudFront console)`,
  },
  // ---- DigitalOcean ----
  "digitalocean_spaces_bucket.name": {
    what: "Spaces bucket name", min: 3, max: 63, pattern: /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, allowed: "lower-case letters, digits and hyphens, starting and ending with a letter or digit",
    source: "https://docs.digitalocean.com/products/spaces/how-to/create/ (names: 3-63 lower-case letters, numbers and dashes, starting and ending with a letter or number)",
  },
  "digitalocean_spaces_key.name": {
    what: "Spaces access key name", min: 1, max: 255, pattern: /^\S(?:.*\S)?$/, allowed: "characters, not starting or ending with a space",
    source: `${DO_API}/spaces/models (key name: free text; held to 255)`,
  },
  "digitalocean_vpc.name": {
    what: "VPC name", min: 1, max: 255, pattern: /^[a-zA-Z0-9\-.]+$/, allowed: "letters, digits, dashes and periods",
    source: `${DO_API}/vpcs/models/vpc.yml (name: ^[a-zA-Z0-9\\-\\.]+$; 255 as its other fields)`,
  },
  "digitalocean_tag.name": {
    what: "tag name", min: 1, max: 255, pattern: /^[a-zA-Z0-9_\-:]+$/, allowed: "letters, digits, colons, dashes and underscores",
    source: `${DO_API}/tags/models/tags.yml (letters, numbers, colons, dashes, underscores; 255 characters)`,
  },
  "digitalocean_firewall.name": {
    what: "firewall name", min: 2, max: 255, pattern: /^[a-zA-Z0-9][a-zA-Z0-9.-]+$/, allowed: "letters, digits, periods and dashes, starting with a letter or digit",
    source: `${DO_API}/firewalls/models/firewall.yml (name: ^[a-zA-Z0-9][a-zA-Z0-9\\.-]+$)`,
  },
  "digitalocean_droplet.name": {
    what: "Droplet name", min: 1, max: 255, pattern: /^[a-zA-Z0-9]?[a-z0-9A-Z.-]*[a-z0-9A-Z]$/, allowed: "letters, digits, periods and dashes, ending with a letter or digit",
    source: `${DO_API}/droplets/models/droplet_single_create.yml (name: maxLength 255, ^[a-zA-Z0-9]?[a-z0-9A-Z.\\-]*[a-z0-9A-Z]$)`,
  },
  "digitalocean_droplet_autoscale.name": {
    what: "autoscale pool name", min: 1, max: 63, pattern: ALNUM_HYPHEN, allowed: ALNUM_HYPHEN_WORDS,
    source: `${DO_API}/autoscale_pools/models/autoscale_pool_create.yml (name: no limit stated); its droplets are named <pool>-<suffix>, so held to a DNS label`,
  },
  "digitalocean_loadbalancer.name": {
    what: "load balancer name", min: 1, max: 63, pattern: ALNUM_HYPHEN, allowed: ALNUM_HYPHEN_WORDS,
    source: `${DO_API}/load_balancers/models/load_balancer_base.yml (name: no limit stated, example-lb-01); held to a DNS label (unverified upper bound)`,
  },
  "digitalocean_database_cluster.name": {
    what: "database cluster name", min: 3, max: 63, pattern: /^[a-z](?:[a-z0-9-]*[a-z0-9])?$/, allowed: "lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen",
    source: `${DO_API}/databases/models/database_cluster.yml (name: no limit stated); the name starts the cluster's host name (<name>-do-user-….db.ondigitalocean.com), so held to a DNS label (unverified upper bound)`,
  },
  "cloudflare_ruleset.name": {
    what: "ruleset name", min: 1, max: 255, pattern: FREE_TEXT, allowed: FREE_TEXT_WORDS,
    source: "https://developers.cloudflare.com/api/resources/rulesets/methods/create/ (name: no limit stated; held to 255, unverified)",
  },
  "digitalocean_uptime_check.name": {
    what: "uptime check name", min: 1, max: 255, pattern: FREE_TEXT, allowed: FREE_TEXT_WORDS,
    source: `${DO_API}/uptime/models/check.yml (name: no limit stated; held to 255, unverified)`,
  },
  "digitalocean_uptime_alert.name": {
    what: "uptime alert name", min: 1, max: 255, pattern: FREE_TEXT, allowed: FREE_TEXT_WORDS,
    source: `${DO_API}/uptime/models/alert.yml (name: no limit stated; held to 255, unverified)`,
  },
  "digitalocean_database_replica.name": {
    what: "database replica name", min: 3, max: 63, pattern: /^[a-z](?:[a-z0-9-]*[a-z0-9])?$/, allowed: "lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen",
    source: `${DO_API}/databases/models/database_replica.yml (name: no limit stated; starts a host name like the cluster's)`,
  },
  "digitalocean_database_connection_pool.name": {
    what: "connection pool name", min: 3, max: 60, pattern: /^[A-Za-z0-9_-]+$/, allowed: "letters, digits, - and _",
    source: `${DO_API}/databases/models/connection_pool.yml (name: "Must be between 3 and 60 characters")`,
  },
  "digitalocean_database_db.name": {
    what: "database name", min: 1, max: 63, pattern: /^[A-Za-z_][A-Za-z0-9_$-]*$/, allowed: "letters, digits, _ $ -, starting with a letter or _",
    source: "https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS (NAMEDATALEN - 1 = 63 bytes)",
  },
  "digitalocean_database_user.name": {
    what: "database user name", min: 1, max: 63, pattern: /^[A-Za-z_][A-Za-z0-9_$-]*$/, allowed: "letters, digits, _ $ -, starting with a letter or _",
    source: "https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS (NAMEDATALEN - 1 = 63 bytes)",
  },
  "digitalocean_certificate.name": {
    what: "certificate name", min: 1, max: 255, pattern: /^[A-Za-z0-9._-]+$/, allowed: "letters, digits, . _ -",
    source: `${DO_API}/certificates/models/certificate_create.yml (name: no limit stated; held to 255)`,
  },
  // ---- Cloudflare ----
  "cloudflare_workers_script.script_name": {
    what: "Worker script name", min: 1, max: 63, pattern: /^[a-z0-9_][a-z0-9_-]*$/, allowed: "lower-case letters, digits, - and _, not starting with -",
    source: "Cloudflare API schema workers_script_name (^[a-z0-9_][a-z0-9-_]*$); 63 characters: Workers script naming conventions (developers.cloudflare.com/workers, API scripts)",
  },
  "cloudflare_dns_record.name": {
    what: "DNS record name", min: 1, max: 253, pattern: DNS_NAME, allowed: DNS_WORDS,
    source: "RFC 1035 2.3.4 (names of at most 255 octets, labels of 63); Cloudflare API dns-records name: maxLength 255",
  },
  "tls_cert_request.subject.common_name": {
    what: "origin certificate common name", min: 1, max: 64, pattern: DNS_NAME, allowed: DNS_WORDS,
    source: "RFC 5280 appendix A.1 (ub-common-name INTEGER ::= 64); Cloudflare Origin CA signs the CSR's subject",
  },
  // ---- Descriptions and comments (free text; `text: true`) ----
  "aws_cloudfront_distribution.comment": {
    what: "CloudFront distribution comment", min: 0, max: 128, pattern: FREE_TEXT, allowed: FREE_TEXT_WORDS, text: true,
    source: `${AWS_API}/cloudfront/latest/APIReference/API_DistributionConfig.html (Comment: "cannot be longer than 128 characters")`,
  },
  "aws_cloudfront_response_headers_policy.comment": {
    what: "CloudFront response headers policy comment", min: 0, max: 128, pattern: FREE_TEXT, allowed: FREE_TEXT_WORDS, text: true,
    source: `${AWS_API}/cloudfront/latest/APIReference/API_ResponseHeadersPolicyConfig.html (Comment: "cannot be longer than 128 characters")`,
  },
  "aws_cloudfront_origin_access_control.description": {
    what: "CloudFront origin access control description", min: 0, max: 256, pattern: FREE_TEXT, allowed: FREE_TEXT_WORDS, text: true,
    source: `${AWS_API}/cloudfront/latest/APIReference/API_OriginAccessControlConfig.html (Description: no limit stated); 256: the AWS provider's schema (unverified here)`,
  },
  "aws_security_group.description": {
    what: "security group description", min: 0, max: 255, pattern: EC2_TEXT, allowed: EC2_TEXT_WORDS, text: true,
    source: `${AWS_API}/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html (GroupDescription: up to 255 characters, a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*)`,
  },
  "aws_vpc_security_group_ingress_rule.description": {
    what: "security group rule description", min: 0, max: 255, pattern: EC2_TEXT, allowed: EC2_TEXT_WORDS, text: true,
    source: `${AWS_API}/AWSEC2/latest/APIReference/API_IpRange.html (Description: up to 255 characters, a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*)`,
  },
  "aws_vpc_security_group_egress_rule.description": {
    what: "security group rule description", min: 0, max: 255, pattern: EC2_TEXT, allowed: EC2_TEXT_WORDS, text: true,
    source: `${AWS_API}/AWSEC2/latest/APIReference/API_IpRange.html (Description: up to 255 characters, a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*)`,
  },
  "aws_launch_template.description": {
    what: "launch template version description", min: 0, max: 255, pattern: FREE_TEXT, allowed: FREE_TEXT_WORDS, text: true,
    source: `${AWS_API}/AWSEC2/latest/APIReference/API_LaunchTemplateVersion.html (versionDescription: 0-255)`,
  },
  "aws_ssm_parameter.description": {
    what: "SSM parameter description", min: 0, max: 1024, pattern: FREE_TEXT, allowed: FREE_TEXT_WORDS, text: true,
    source: `${AWS_API}/systems-manager/latest/APIReference/API_PutParameter.html (Description: 0-1024)`,
  },
  "aws_secretsmanager_secret.description": {
    what: "Secrets Manager secret description", min: 0, max: 2048, pattern: FREE_TEXT, allowed: FREE_TEXT_WORDS, text: true,
    source: `${AWS_API}/secretsmanager/latest/apireference/API_CreateSecret.html (Description: maximum length of 2048)`,
  },
  "aws_lambda_function.description": {
    what: "Lambda function description", min: 0, max: 256, pattern: FREE_TEXT, allowed: FREE_TEXT_WORDS, text: true,
    source: `${AWS_API}/lambda/latest/api/API_CreateFunction.html (Description: 0-256)`,
  },
  "aws_db_parameter_group.description": {
    what: "RDS parameter group description", min: 0, max: 255, pattern: FREE_TEXT, allowed: FREE_TEXT_WORDS, text: true,
    source: `${AWS_API}/AmazonRDS/latest/APIReference/API_CreateDBParameterGroup.html (Description: no limit stated; held to 255)`,
  },
  "aws_db_subnet_group.description": {
    what: "RDS subnet group description", min: 0, max: 255, pattern: FREE_TEXT, allowed: FREE_TEXT_WORDS, text: true,
    source: `${AWS_API}/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html (DBSubnetGroupDescription: no limit stated; held to 255)`,
  },
  "aws_db_proxy.auth.description": {
    what: "RDS Proxy authentication description", min: 0, max: 255, pattern: FREE_TEXT, allowed: FREE_TEXT_WORDS, text: true,
    source: `${AWS_API}/AmazonRDS/latest/APIReference/API_UserAuthConfig.html (Description: no limit stated; held to 255)`,
  },
  "aws_elasticache_replication_group.description": {
    what: "ElastiCache replication group description", min: 0, max: 255, pattern: FREE_TEXT, allowed: FREE_TEXT_WORDS, text: true,
    source: `${AWS_API}/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html (ReplicationGroupDescription: no limit stated; held to 255)`,
  },
  "aws_elasticache_subnet_group.description": {
    what: "ElastiCache subnet group description", min: 0, max: 255, pattern: FREE_TEXT, allowed: FREE_TEXT_WORDS, text: true,
    source: `${AWS_API}/AmazonElastiCache/latest/APIReference/API_CreateCacheSubnetGroup.html (CacheSubnetGroupDescription: no limit stated; held to 255)`,
  },
  "aws_cloudwatch_metric_alarm.alarm_description": {
    what: "CloudWatch alarm description", min: 0, max: 1024, pattern: FREE_TEXT, allowed: FREE_TEXT_WORDS, text: true,
    source: `${AWS_API}/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html (AlarmDescription: 0-1024)`,
  },
  "digitalocean_monitor_alert.description": {
    what: "alert policy description", min: 0, max: 255, pattern: FREE_TEXT, allowed: FREE_TEXT_WORDS, text: true,
    source: `${DO_API}/monitoring/models/alert_policy.yml (description: required, no limit stated; held to 255, unverified)`,
  },
  "aws_wafv2_web_acl.description": {
    what: "WAF web ACL description", min: 0, max: 256, pattern: /^[\w+=:#@/\-,. ]*$/, allowed: "letters, digits, spaces and + = : # @ / - , . _", text: true,
    source: `${AWS_API}/waf/latest/APIReference/API_CreateWebACL.html (Description: 1-256, ^[\\w+=:#@/\\-,\\.][\\w+=:#@/\\-,\\.\\s]+[\\w+=:#@/\\-,\\.]$)`,
  },
  "cloudflare_ruleset.description": {
    what: "ruleset description", min: 0, max: 500, pattern: FREE_TEXT, allowed: FREE_TEXT_WORDS, text: true,
    source: "https://developers.cloudflare.com/api/resources/rulesets/methods/create/ (description: no limit stated; held to 500, unverified)",
  },
  "cloudflare_ruleset.rules.description": {
    what: "ruleset rule description", min: 0, max: 500, pattern: FREE_TEXT, allowed: FREE_TEXT_WORDS, text: true,
    source: "https://developers.cloudflare.com/api/resources/rulesets/methods/create/ (rules[].description: no limit stated; held to 500, unverified)",
  },
  "digitalocean_vpc.description": {
    what: "VPC description", min: 0, max: 255, pattern: FREE_TEXT, allowed: FREE_TEXT_WORDS, text: true,
    source: `${DO_API}/vpcs/models/vpc.yml (description: "a maximum of 255 characters")`,
  },
  "cloudflare_dns_record.comment": {
    what: "DNS record comment", min: 0, max: 100, pattern: FREE_TEXT, allowed: FREE_TEXT_WORDS, text: true,
    source: "https://developers.cloudflare.com/dns/manage-dns-records/reference/record-attributes/ (comment length depends on the plan; 100: the Free plan's, the lowest; unverified here)",
  },
} as const satisfies Record<string, NameRule>;

/** A row of `NAME_RULES`: `<resource type>.<argument>`. */
export type NameRuleId = keyof typeof NAME_RULES;

/** The rule `id`, or undefined when the table has no such row. */
export function nameRule(id: string): NameRule | undefined {
  return Object.hasOwn(NAME_RULES, id) ? (NAME_RULES as Record<string, NameRule>)[id] : undefined;
}

/** What `name` breaks of row `id`, in words (empty when it keeps every rule). */
export function checkName(id: NameRuleId, name: string): string[] {
  const rule: NameRule = NAME_RULES[id];
  const broken: string[] = [];
  if (name.length < rule.min || name.length > rule.max) broken.push(`must be ${rule.min} to ${rule.max} characters, not ${name.length}`);
  if (!rule.pattern.test(name)) broken.push(`must be ${rule.allowed}`);
  if (rule.noDoubleHyphen && name.includes("--")) broken.push("must not contain two hyphens in a row");
  const lower = name.toLowerCase();
  for (const p of rule.forbiddenPrefixes ?? []) if (lower.startsWith(p)) broken.push(`must not start with "${p}"`);
  for (const s of rule.forbiddenSuffixes ?? []) if (lower.endsWith(s)) broken.push(`must not end with "${s}"`);
  return broken;
}

/** Where `fitText` cuts a text that is too long, and what it puts there. */
const ELLIPSIS = "...";

/**
 * `text`, fitted to the row's length: itself when it fits, else cut and ended with `...`
 * (in every row's characters). For our own descriptions whose spec part (a domain, a list
 * of secret names) can make them long: a description is no reason to refuse a spec.
 * A Terraform reference is given back as it is (its length is unknown at synth).
 */
export function fitText(id: NameRuleId, text: string): string {
  const rule: NameRule = NAME_RULES[id];
  if (!rule.text) throw new Error(`${id} is a name, not a text: names are checked, never cut`);
  if (text.length <= rule.max || text.includes("${")) return text;
  return `${text.slice(0, rule.max - ELLIPSIS.length).trimEnd()}${ELLIPSIS}`;
}

/** A name cloudtiers derives from a spec, the row it answers to, and the spec fields it comes from. */
export interface DerivedName {
  readonly rule: NameRuleId;
  readonly name: string;
  /** Spec fields the name is made of, e.g. `["application.name", "environment"]`. */
  readonly from: readonly string[];
}

/**
 * One issue per derived name that breaks its row: the path is the fields it comes from,
 * the message the name, the rules it breaks and where they are written.
 */
export function nameIssues(environment: string, names: readonly DerivedName[]): { environment: string; path: string; message: string }[] {
  const seen = new Set<string>();
  const issues: { environment: string; path: string; message: string }[] = [];
  for (const d of names) {
    const key = `${d.rule}\u0000${d.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const broken = checkName(d.rule, d.name);
    if (broken.length === 0) continue;
    const rule: NameRule = NAME_RULES[d.rule];
    issues.push({
      environment,
      path: d.from.join(" + "),
      message: `${d.from.length > 1 ? "give" : "gives"} the ${rule.what} (${d.rule}) ${JSON.stringify(d.name)}, which ${broken.join(" and ")} (${rule.source})`,
    });
  }
  return issues;
}
