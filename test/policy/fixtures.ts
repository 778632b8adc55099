
/** A synthesised stack with only the given resources: `{ type: { id: config } }`. */
export type Resources = Record<string, Record<string, Record<string, unknown>>>;

/** For one rule on one cloud: a stack it passes, a stack it fails, and the finding it reports. */
export interface RuleFixture {
  readonly rule: string;
  /** The id of the cloud whose registration holds the check. */
  readonly cloud: "aws" | "do";
  readonly pass: Resources;
  readonly fail: Resources;
  readonly finding: { resource: string; message: string };
}

const ref = (address: string, attribute: string) => `\${${address}.${attribute}}`;

const rds = (extra: Record<string, unknown>) => ({ aws_db_instance: { db: { identifier: "db", ...extra } } });
const lbRules = (sg: string, port: number, cidr = "0.0.0.0/0") => ({
  aws_lb: { lb: { internal: false, load_balancer_type: "application", security_groups: [ref("aws_security_group.lb", "id")] } },
  aws_vpc_security_group_ingress_rule: { rule: { security_group_id: ref(`aws_security_group.${sg}`, "id"), cidr_ipv4: cidr, from_port: port, to_port: port, ip_protocol: "tcp" } },
});
const bucket = (extra: Resources = {}) => ({ aws_s3_bucket: { b: { bucket: "b" } }, ...extra });
const forBucket = { bucket: ref("aws_s3_bucket.b", "id") };
const distribution = (extra: Record<string, unknown>) => ({
  aws_cloudfront_distribution: {
    d: {
      origin: [{ domain_name: ref("aws_s3_bucket.b", "bucket_regional_domain_name"), origin_access_control_id: ref("aws_cloudfront_origin_access_control.o", "id") }],
      default_cache_behavior: { viewer_protocol_policy: "redirect-to-https" },
      viewer_certificate: { minimum_protocol_version: "TLSv1.2_2021" },
      ...extra,
    },
  },
});
const alb = (listeners: Record<string, Record<string, unknown>>) => ({
  aws_lb: { lb: { internal: false, load_balancer_type: "application", drop_invalid_header_fields: true } },
  aws_lb_listener: Object.fromEntries(Object.entries(listeners).map(([id, l]) => [id, { load_balancer_arn: ref("aws_lb.lb", "arn"), ...l }])),
});
const https = { port: 443, protocol: "HTTPS", ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06" };
const redirect = { port: 80, protocol: "HTTP", default_action: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", status_code: "HTTP_301" } }] };
const doLb = (extra: Record<string, unknown>) => ({
  digitalocean_loadbalancer: { lb: { network: "EXTERNAL", redirect_http_to_https: true, tls_cipher_policy: "STRONG", forwarding_rule: [{ entry_port: 443, entry_protocol: "https" }], ...extra } },
});
const doFirewall = (rule: Record<string, unknown>) => ({ digitalocean_firewall: { fw: { inbound_rule: [rule] } } });
const doCluster = (extra: Record<string, unknown>) => ({ digitalocean_database_cluster: { pg: { engine: "pg", private_network_uuid: ref("digitalocean_vpc.v", "id"), node_count: 2, ...extra } } });

/** Every rule, on every cloud it applies to. */
export const FIXTURES: readonly RuleFixture[] = [
  { rule: "CT-DB-001", cloud: "aws", pass: rds({ publicly_accessible: false }), fail: rds({ publicly_accessible: true }), finding: { resource: "aws_db_instance.db", message: "publicly_accessible is true" } },
  { rule: "CT-DB-001", cloud: "do", pass: doCluster({}), fail: doCluster({ private_network_uuid: undefined }), finding: { resource: "digitalocean_database_cluster.pg", message: "has no private network (private_network_uuid)" } },
  { rule: "CT-DB-002", cloud: "aws", pass: rds({ storage_encrypted: true }), fail: rds({ storage_encrypted: false }), finding: { resource: "aws_db_instance.db", message: "storage_encrypted is not true" } },
  { rule: "CT-DB-003", cloud: "aws", pass: rds({ backup_retention_period: 7 }), fail: rds({ backup_retention_period: 0 }), finding: { resource: "aws_db_instance.db", message: "backup_retention_period is below 1 day" } },
  { rule: "CT-DB-004", cloud: "aws", pass: rds({ multi_az: true }), fail: rds({ multi_az: false }), finding: { resource: "aws_db_instance.db", message: "multi_az is not true" } },
  { rule: "CT-DB-004", cloud: "do", pass: doCluster({ node_count: 2 }), fail: doCluster({ node_count: 1 }), finding: { resource: "digitalocean_database_cluster.pg", message: "node_count is below 2 (no standby node)" } },
  { rule: "CT-DB-005", cloud: "aws", pass: rds({ deletion_protection: true }), fail: rds({ deletion_protection: false }), finding: { resource: "aws_db_instance.db", message: "deletion_protection is not true" } },
  {
    rule: "CT-DB-006",
    cloud: "aws",
    pass: { ...rds({ parameter_group_name: ref("aws_db_parameter_group.pg", "name") }), aws_db_parameter_group: { pg: { parameter: [{ name: "rds.force_ssl", value: "1" }] } } },
    fail: { ...rds({ parameter_group_name: ref("aws_db_parameter_group.pg", "name") }), aws_db_parameter_group: { pg: { parameter: [] } } },
    finding: { resource: "aws_db_instance.db", message: "its parameter group does not set rds.force_ssl = 1" },
  },
  {
    rule: "CT-DB-007",
    cloud: "do",
    pass: {
      ...doCluster({}),
      digitalocean_database_replica: { r: { cluster_id: ref("digitalocean_database_cluster.pg", "id") } },
      digitalocean_database_firewall: {
        a: { cluster_id: ref("digitalocean_database_cluster.pg", "id"), rule: [{ type: "tag", value: "web" }] },
        b: { cluster_id: ref("digitalocean_database_replica.r", "uuid"), rule: [{ type: "tag", value: "web" }] },
      },
    },
    fail: {
      ...doCluster({}),
      digitalocean_database_replica: { r: { cluster_id: ref("digitalocean_database_cluster.pg", "id") } },
      digitalocean_database_firewall: { a: { cluster_id: ref("digitalocean_database_cluster.pg", "id"), rule: [{ type: "tag", value: "web" }] } },
    },
    finding: { resource: "digitalocean_database_replica.r", message: "has no database firewall with rules" },
  },
  {
    rule: "CT-S3-001",
    cloud: "aws",
    pass: bucket({ aws_s3_bucket_public_access_block: { p: { ...forBucket, block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true } } }),
    fail: bucket({ aws_s3_bucket_public_access_block: { p: { ...forBucket, block_public_acls: true, block_public_policy: false, ignore_public_acls: true, restrict_public_buckets: true } } }),
    finding: { resource: "aws_s3_bucket.b", message: "has no public access block with all four settings on" },
  },
  { rule: "CT-S3-001", cloud: "do", pass: { digitalocean_spaces_bucket: { b: { acl: "private" } } }, fail: { digitalocean_spaces_bucket: { b: { acl: "public-read" } } }, finding: { resource: "digitalocean_spaces_bucket.b", message: "acl is not private" } },
  {
    rule: "CT-S3-002",
    cloud: "aws",
    pass: bucket({ aws_s3_bucket_server_side_encryption_configuration: { e: forBucket } }),
    fail: bucket(),
    finding: { resource: "aws_s3_bucket.b", message: "has no server-side encryption configuration" },
  },
  {
    rule: "CT-S3-003",
    cloud: "aws",
    pass: bucket({ aws_s3_bucket_versioning: { v: { ...forBucket, versioning_configuration: { status: "Enabled" } } } }),
    fail: bucket({ aws_s3_bucket_versioning: { v: { ...forBucket, versioning_configuration: { status: "Suspended" } } } }),
    finding: { resource: "aws_s3_bucket.b", message: "versioning is not enabled" },
  },
  { rule: "CT-S3-003", cloud: "do", pass: { digitalocean_spaces_bucket: { b: { versioning: { enabled: true } } } }, fail: { digitalocean_spaces_bucket: { b: {} } }, finding: { resource: "digitalocean_spaces_bucket.b", message: "versioning is not enabled" } },
  { rule: "CT-S3-004", cloud: "aws", pass: { aws_s3_bucket: { b: { force_destroy: false } } }, fail: { aws_s3_bucket: { b: { force_destroy: true } } }, finding: { resource: "aws_s3_bucket.b", message: "force_destroy is true" } },
  { rule: "CT-S3-004", cloud: "do", pass: { digitalocean_spaces_bucket: { b: { force_destroy: false } } }, fail: { digitalocean_spaces_bucket: { b: { force_destroy: true } } }, finding: { resource: "digitalocean_spaces_bucket.b", message: "force_destroy is true" } },
  {
    rule: "CT-CDN-001",
    cloud: "aws",
    pass: distribution({}),
    fail: distribution({ ordered_cache_behavior: [{ viewer_protocol_policy: "allow-all" }] }),
    finding: { resource: "aws_cloudfront_distribution.d", message: "a cache behaviour allows plain HTTP" },
  },
  {
    rule: "CT-CDN-002",
    cloud: "aws",
    pass: distribution({}),
    fail: distribution({ viewer_certificate: { minimum_protocol_version: "TLSv1_2016" } }),
    finding: { resource: "aws_cloudfront_distribution.d", message: "minimum_protocol_version is below TLS 1.2" },
  },
  {
    rule: "CT-CDN-003",
    cloud: "aws",
    pass: distribution({}),
    fail: distribution({ origin: [{ domain_name: ref("aws_s3_bucket.b", "bucket_regional_domain_name") }] }),
    finding: { resource: "aws_cloudfront_distribution.d", message: "reads a bucket without origin access control" },
  },
  { rule: "CT-LB-001", cloud: "aws", pass: alb({ tls: https, plain: redirect }), fail: alb({ tls: https }), finding: { resource: "aws_lb.lb", message: "has no HTTPS listener on 443 with HTTP on 80 redirected to it" } },
  { rule: "CT-LB-001", cloud: "do", pass: doLb({}), fail: doLb({ redirect_http_to_https: false }), finding: { resource: "digitalocean_loadbalancer.lb", message: "has no HTTPS forwarding on 443 with HTTP redirected to it" } },
  {
    rule: "CT-LB-002",
    cloud: "aws",
    pass: alb({ tls: https }),
    fail: alb({ tls: { ...https, ssl_policy: "ELBSecurityPolicy-2016-08" } }),
    finding: { resource: "aws_lb_listener.tls", message: expectPolicyList() },
  },
  { rule: "CT-LB-002", cloud: "do", pass: doLb({}), fail: doLb({ tls_cipher_policy: "DEFAULT" }), finding: { resource: "digitalocean_loadbalancer.lb", message: "tls_cipher_policy is not STRONG" } },
  {
    rule: "CT-LB-003",
    cloud: "aws",
    pass: alb({}),
    fail: { aws_lb: { lb: { internal: false, load_balancer_type: "application", drop_invalid_header_fields: false } } },
    finding: { resource: "aws_lb.lb", message: "drop_invalid_header_fields is not true" },
  },
  { rule: "CT-NET-001", cloud: "aws", pass: lbRules("lb", 443), fail: lbRules("web", 80), finding: { resource: "aws_vpc_security_group_ingress_rule.rule", message: "admits the internet on 80 outside the public load balancer's 80/443" } },
  {
    rule: "CT-NET-001",
    cloud: "do",
    pass: doFirewall({ protocol: "tcp", port_range: "80", source_load_balancer_uids: [ref("digitalocean_loadbalancer.lb", "id")] }),
    fail: doFirewall({ protocol: "tcp", port_range: "80", source_addresses: ["0.0.0.0/0"] }),
    finding: { resource: "digitalocean_firewall.fw", message: "admits the internet to droplets (only the load balancer may be public)" },
  },
  { rule: "CT-NET-002", cloud: "aws", pass: lbRules("lb", 443), fail: lbRules("lb", 22, "::/0"), finding: { resource: "aws_vpc_security_group_ingress_rule.rule", message: "admits SSH (22) from the internet" } },
  {
    rule: "CT-NET-002",
    cloud: "do",
    pass: doFirewall({ protocol: "tcp", port_range: "22", source_addresses: ["203.0.113.0/24"] }),
    fail: doFirewall({ protocol: "tcp", port_range: "1-65535", source_addresses: ["0.0.0.0/0"] }),
    finding: { resource: "digitalocean_firewall.fw", message: "admits SSH (22) from the internet" },
  },
  {
    rule: "CT-VM-001",
    cloud: "aws",
    pass: { aws_launch_template: { t: { metadata_options: { http_tokens: "required" } } } },
    fail: { aws_launch_template: { t: { metadata_options: { http_tokens: "optional" } } } },
    finding: { resource: "aws_launch_template.t", message: "metadata_options.http_tokens is not required" },
  },
  {
    rule: "CT-CACHE-001",
    cloud: "aws",
    pass: { aws_elasticache_replication_group: { g: { at_rest_encryption_enabled: "true", transit_encryption_enabled: true, auth_token: ref("random_password.p", "result") } } },
    fail: { aws_elasticache_replication_group: { g: { at_rest_encryption_enabled: "true", transit_encryption_enabled: true } } },
    finding: { resource: "aws_elasticache_replication_group.g", message: "lacks at-rest encryption, transit encryption or an auth token" },
  },
  {
    rule: "CT-DNS-001",
    cloud: "aws",
    pass: { aws_route53_record: { a: { failover_routing_policy: { type: "PRIMARY" } }, b: { failover_routing_policy: { type: "SECONDARY" } } } },
    fail: { aws_route53_record: { a: { type: "A" } } },
    finding: { resource: "(stack)", message: "no SECONDARY failover record" },
  },
  {
    rule: "CT-DNS-001",
    cloud: "do",
    pass: { cloudflare_workers_route: { r: { pattern: "www.example.com/*", script: ref("cloudflare_workers_script.w", "script_name") } } },
    fail: { cloudflare_dns_record: { site: { type: "A" } }, cloudflare_workers_route: { r: { pattern: "www.example.com/*" } } },
    finding: { resource: "(stack)", message: "no Workers route running the site's edge Worker (the maintenance page)" },
  },
  {
    rule: "CT-DATA-001",
    cloud: "aws",
    pass: { aws_elasticache_replication_group: { g: { lifecycle: { prevent_destroy: true } } } },
    fail: { aws_elasticache_replication_group: { g: { lifecycle: { prevent_destroy: false } } } },
    finding: { resource: "aws_elasticache_replication_group.g", message: "lifecycle.prevent_destroy is not true" },
  },
  {
    rule: "CT-DATA-001",
    cloud: "do",
    pass: { digitalocean_database_replica: { r: { lifecycle: { prevent_destroy: true } } } },
    fail: { digitalocean_database_replica: { r: {} } },
    finding: { resource: "digitalocean_database_replica.r", message: "lifecycle.prevent_destroy is not true" },
  },
  {
    rule: "CT-DATA-002",
    cloud: "aws",
    pass: rds({ skip_final_snapshot: false, final_snapshot_identifier: "db-final" }),
    fail: rds({ skip_final_snapshot: true }),
    finding: { resource: "aws_db_instance.db", message: "skips its final snapshot" },
  },
];

function expectPolicyList(): string {
  return "ssl_policy is not one of ELBSecurityPolicy-TLS13-1-2-2021-06, ELBSecurityPolicy-TLS13-1-2-Res-2021-06, ELBSecurityPolicy-TLS13-1-3-2021-06, ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04, ELBSecurityPolicy-FS-1-2-Res-2020-10";
}
