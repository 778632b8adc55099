import { Resource, ResourceConfig, StackDocument, reference } from "./document";

/** The clouds the rules know. */
export type PolicyCloud = "aws" | "do";

/** One violation: a resource and what is wrong with it. */
export interface Finding {
  readonly resource: string;
  readonly message: string;
}

/** A check with a stable id, in the spirit of checkov/trivy/cdk-nag. */
export interface PolicyRule {
  /** Stable id, e.g. `CT-DB-001`. Never reused or renumbered. */
  readonly id: string;
  /** The rule, in one line. */
  readonly title: string;
  /** Why it matters, in one line. */
  readonly rationale: string;
  /** Applies to production environments only. */
  readonly productionOnly?: boolean;
  /** What the rule checks on each cloud it applies to; a cloud without an entry cannot express it (see the parity table). */
  readonly checks: Partial<Record<PolicyCloud, (stack: StackDocument) => Finding[]>>;
}

const INTERNET = ["0.0.0.0/0", "::/0"];
const MODERN_ALB_POLICIES = [
  "ELBSecurityPolicy-TLS13-1-2-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
  "ELBSecurityPolicy-TLS13-1-3-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
  "ELBSecurityPolicy-FS-1-2-Res-2020-10",
];

/** One finding per resource for which `ok` is false. */
function each(resources: Resource[], ok: (r: ResourceConfig) => boolean, message: string): Finding[] {
  return resources.filter((r) => !ok(r.config)).map((r) => ({ resource: r.address, message }));
}

const primaries = (s: StackDocument) => s.resources("aws_db_instance").filter((d) => !d.config.replicate_source_db);
const pgClusters = (s: StackDocument) => s.resources("digitalocean_database_cluster").filter((c) => c.config.engine === "pg");
const publicAlbs = (s: StackDocument) => s.resources("aws_lb").filter((lb) => lb.config.internal !== true && (lb.config.load_balancer_type ?? "application") === "application");
const externalDoLbs = (s: StackDocument) => s.resources("digitalocean_loadbalancer").filter((lb) => (lb.config.network ?? "EXTERNAL") === "EXTERNAL");
const listenersOf = (s: StackDocument, lb: Resource) => s.resources("aws_lb_listener").filter((l) => l.config.load_balancer_arn === reference(lb.address, "arn"));
const covers22 = (from?: number, to?: number, protocol?: string) => protocol === "-1" || (from !== undefined && to !== undefined && from <= 22 && 22 <= to);
const doPortCovers22 = (range?: string) => range === undefined || range === "all" || range === "22" || (/^(\d+)-(\d+)$/.test(range) && Number(range.split("-")[0]) <= 22 && 22 <= Number(range.split("-")[1]));

/** Stateful resource types: losing one loses data. */
export const STATEFUL_TYPES: Readonly<Record<PolicyCloud, readonly string[]>> = {
  aws: ["aws_db_instance", "aws_elasticache_replication_group", "aws_s3_bucket", "aws_route53_zone", "aws_secretsmanager_secret", "random_id"],
  do: ["digitalocean_database_cluster", "digitalocean_database_replica", "digitalocean_database_db", "digitalocean_database_user", "digitalocean_spaces_bucket", "random_id"],
};

/** The rule pack. Ids are stable: a rule that goes away leaves its id unused. */
export const RULES: readonly PolicyRule[] = [
  {
    id: "CT-DB-001",
    title: "Databases are not reachable from the internet",
    rationale: "A database is only ever the app's backend; a public endpoint is an attack surface with nothing to gain.",
    checks: {
      aws: (s) => each(s.resources("aws_db_instance"), (d) => d.publicly_accessible !== true, "publicly_accessible is true"),
      do: (s) => each(s.resources("digitalocean_database_cluster"), (c) => typeof c.private_network_uuid === "string", "has no private network (private_network_uuid)"),
    },
  },
  {
    id: "CT-DB-002",
    title: "Database storage is encrypted",
    rationale: "Snapshots and disks leave the instance; encryption keeps them unreadable.",
    checks: { aws: (s) => each(s.resources("aws_db_instance"), (d) => d.storage_encrypted === true, "storage_encrypted is not true") },
  },
  {
    id: "CT-DB-003",
    title: "Databases keep automated backups",
    rationale: "Point-in-time recovery is the only undo for a bad migration or a deleted table.",
    checks: { aws: (s) => each(primaries(s), (d) => (d.backup_retention_period ?? 0) >= 1, "backup_retention_period is below 1 day") },
  },
  {
    id: "CT-DB-004",
    title: "Production databases have a standby",
    rationale: "A standby in another failure domain turns a host failure into a failover, not an outage.",
    productionOnly: true,
    checks: {
      aws: (s) => each(primaries(s), (d) => d.multi_az === true, "multi_az is not true"),
      do: (s) => each(pgClusters(s), (c) => (c.node_count ?? 1) >= 2, "node_count is below 2 (no standby node)"),
    },
  },
  {
    id: "CT-DB-005",
    title: "Production databases have the provider's deletion protection",
    rationale: "The provider refuses to delete a protected database, whatever Terraform plans.",
    productionOnly: true,
    checks: { aws: (s) => each(s.resources("aws_db_instance"), (d) => d.deletion_protection === true, "deletion_protection is not true") },
  },
  {
    id: "CT-DB-006",
    title: "Database connections require TLS",
    rationale: "Credentials and data cross the network; without TLS they cross it in clear.",
    checks: {
      aws: (s) =>
        each(primaries(s), (d) => {
          const group = s.resources("aws_db_parameter_group").find((g) => d.parameter_group_name === reference(g.address, "name"));
          return (group?.config.parameter ?? []).some((p: ResourceConfig) => p.name === "rds.force_ssl" && String(p.value) === "1");
        }, "its parameter group does not set rds.force_ssl = 1"),
    },
  },
  {
    id: "CT-DB-007",
    title: "Every DigitalOcean database node has trusted sources",
    rationale: "A DigitalOcean database node without firewall rules accepts connections from every address.",
    checks: {
      do: (s) => {
        const guarded = new Set(
          s.resources("digitalocean_database_firewall").filter((f) => (f.config.rule ?? []).length > 0).map((f) => f.config.cluster_id as string),
        );
        // A firewall names a cluster by its id and a replica by its uuid.
        const nodes = [
          ...s.resources("digitalocean_database_cluster").map((c) => [c, reference(c.address, "id")] as const),
          ...s.resources("digitalocean_database_replica").map((r) => [r, reference(r.address, "uuid")] as const),
        ];
        return nodes.filter(([, id]) => !guarded.has(id)).map(([node]) => ({ resource: node.address, message: "has no database firewall with rules" }));
      },
    },
  },
  {
    id: "CT-S3-001",
    title: "Buckets are not public",
    rationale: "Public buckets leak uploads; the CDN is the only way in.",
    checks: {
      aws: (s) =>
        s.resources("aws_s3_bucket").flatMap((b) => {
          const block = s.resources("aws_s3_bucket_public_access_block").find((p) => p.config.bucket === reference(b.address, "id"))?.config;
          const closed = block && block.block_public_acls && block.block_public_policy && block.ignore_public_acls && block.restrict_public_buckets;
          return closed ? [] : [{ resource: b.address, message: "has no public access block with all four settings on" }];
        }),
      do: (s) => each(s.resources("digitalocean_spaces_bucket"), (b) => (b.acl ?? "private") === "private", "acl is not private"),
    },
  },
  {
    id: "CT-S3-002",
    title: "Buckets are encrypted at rest",
    rationale: "Objects outlive the servers that wrote them; encryption keeps copies unreadable.",
    checks: {
      aws: (s) =>
        s.resources("aws_s3_bucket").flatMap((b) =>
          s.resources("aws_s3_bucket_server_side_encryption_configuration").some((e) => e.config.bucket === reference(b.address, "id"))
            ? []
            : [{ resource: b.address, message: "has no server-side encryption configuration" }],
        ),
    },
  },
  {
    id: "CT-S3-003",
    title: "Buckets are versioned",
    rationale: "Versions undo overwrites and deletions, by people or by code.",
    checks: {
      aws: (s) =>
        s.resources("aws_s3_bucket").flatMap((b) =>
          s.resources("aws_s3_bucket_versioning").some((v) => v.config.bucket === reference(b.address, "id") && v.config.versioning_configuration?.status === "Enabled")
            ? []
            : [{ resource: b.address, message: "versioning is not enabled" }],
        ),
      do: (s) => each(s.resources("digitalocean_spaces_bucket"), (b) => b.versioning?.enabled === true, "versioning is not enabled"),
    },
  },
  {
    id: "CT-S3-004",
    title: "Production buckets are never emptied on destroy",
    rationale: "force_destroy deletes every object with the bucket, with no way back.",
    productionOnly: true,
    checks: {
      aws: (s) => each(s.resources("aws_s3_bucket"), (b) => b.force_destroy !== true, "force_destroy is true"),
      do: (s) => each(s.resources("digitalocean_spaces_bucket"), (b) => b.force_destroy !== true, "force_destroy is true"),
    },
  },
  {
    id: "CT-CDN-001",
    title: "CDN viewers use HTTPS only",
    rationale: "Plain HTTP lets anyone on the path read or change what users download.",
    checks: {
      aws: (s) =>
        each(
          s.resources("aws_cloudfront_distribution"),
          (d) => [d.default_cache_behavior, ...(d.ordered_cache_behavior ?? [])].every((b: ResourceConfig) => ["redirect-to-https", "https-only"].includes(b.viewer_protocol_policy)),
          "a cache behaviour allows plain HTTP",
        ),
    },
  },
  {
    id: "CT-CDN-002",
    title: "CDN requires TLS 1.2 or newer",
    rationale: "TLS 1.0 and 1.1 are broken and deprecated by every browser.",
    checks: {
      aws: (s) => each(s.resources("aws_cloudfront_distribution"), (d) => /^TLSv1\.[23]/.test(d.viewer_certificate?.minimum_protocol_version ?? ""), "minimum_protocol_version is below TLS 1.2"),
    },
  },
  {
    id: "CT-CDN-003",
    title: "CDN reads buckets through origin access control",
    rationale: "With origin access control the bucket stays private and only this distribution can read it.",
    checks: {
      aws: (s) =>
        each(
          s.resources("aws_cloudfront_distribution"),
          (d) => (d.origin ?? []).every((o: ResourceConfig) => !String(o.domain_name).includes("aws_s3_bucket.") || typeof o.origin_access_control_id === "string"),
          "reads a bucket without origin access control",
        ),
    },
  },
  {
    id: "CT-LB-001",
    title: "Public load balancers serve HTTPS and redirect HTTP to it",
    rationale: "Users who type the bare name must still end up on an encrypted connection.",
    checks: {
      aws: (s) =>
        each(publicAlbs(s).map((lb) => ({ ...lb, config: { ...lb.config, listeners: listenersOf(s, lb).map((l) => l.config) } })), (lb) => {
          const https = lb.listeners.some((l: ResourceConfig) => l.port === 443 && l.protocol === "HTTPS");
          const redirect = lb.listeners.some((l: ResourceConfig) => l.port === 80 && l.default_action?.[0]?.type === "redirect" && l.default_action[0].redirect?.protocol === "HTTPS");
          return https && redirect;
        }, "has no HTTPS listener on 443 with HTTP on 80 redirected to it"),
      do: (s) =>
        each(
          externalDoLbs(s),
          (lb) => lb.redirect_http_to_https === true && (lb.forwarding_rule ?? []).some((r: ResourceConfig) => r.entry_protocol === "https" && r.entry_port === 443),
          "has no HTTPS forwarding on 443 with HTTP redirected to it",
        ),
    },
  },
  {
    id: "CT-LB-002",
    title: "Load balancers use a modern TLS policy",
    rationale: "Old protocol versions and ciphers let a network attacker downgrade and break the connection.",
    checks: {
      aws: (s) =>
        each(
          s.resources("aws_lb_listener").filter((l) => l.config.protocol === "HTTPS"),
          (l) => MODERN_ALB_POLICIES.includes(l.ssl_policy),
          `ssl_policy is not one of ${MODERN_ALB_POLICIES.join(", ")}`,
        ),
      do: (s) => each(externalDoLbs(s), (lb) => lb.tls_cipher_policy === "STRONG", "tls_cipher_policy is not STRONG"),
    },
  },
  {
    id: "CT-LB-003",
    title: "Application load balancers drop invalid header fields",
    rationale: "Malformed headers are a request-smuggling vector between the load balancer and the app.",
    checks: { aws: (s) => each(publicAlbs(s), (lb) => lb.drop_invalid_header_fields === true, "drop_invalid_header_fields is not true") },
  },
  {
    id: "CT-NET-001",
    title: "Nothing but the public load balancer's 80 and 443 is open to the internet",
    rationale: "Every other tier is reached through the load balancer or the private network.",
    checks: {
      aws: (s) => {
        const lbGroups = new Set(publicAlbs(s).flatMap((lb) => lb.config.security_groups ?? []));
        return s
          .resources("aws_vpc_security_group_ingress_rule")
          .filter((r) => INTERNET.includes(r.config.cidr_ipv4) || INTERNET.includes(r.config.cidr_ipv6))
          .filter((r) => !(lbGroups.has(r.config.security_group_id) && [80, 443].includes(r.config.from_port) && r.config.from_port === r.config.to_port))
          .map((r) => ({ resource: r.address, message: `admits the internet on ${r.config.from_port ?? "all ports"} outside the public load balancer's 80/443` }));
      },
      do: (s) =>
        s
          .resources("digitalocean_firewall")
          .filter((f) => (f.config.inbound_rule ?? []).some((r: ResourceConfig) => (r.source_addresses ?? []).some((a: string) => INTERNET.includes(a))))
          .map((f) => ({ resource: f.address, message: "admits the internet to droplets (only the load balancer may be public)" })),
    },
  },
  {
    id: "CT-NET-002",
    title: "SSH is never open to the internet",
    rationale: "SSH from anywhere invites credential stuffing; admin access comes from known addresses or the cloud's console.",
    checks: {
      aws: (s) =>
        s
          .resources("aws_vpc_security_group_ingress_rule")
          .filter((r) => (INTERNET.includes(r.config.cidr_ipv4) || INTERNET.includes(r.config.cidr_ipv6)) && covers22(r.config.from_port, r.config.to_port, r.config.ip_protocol))
          .map((r) => ({ resource: r.address, message: "admits SSH (22) from the internet" })),
      do: (s) =>
        s
          .resources("digitalocean_firewall")
          .filter((f) =>
            (f.config.inbound_rule ?? []).some(
              (r: ResourceConfig) => (r.source_addresses ?? []).some((a: string) => INTERNET.includes(a)) && r.protocol === "tcp" && doPortCovers22(r.port_range),
            ),
          )
          .map((f) => ({ resource: f.address, message: "admits SSH (22) from the internet" })),
    },
  },
  {
    id: "CT-VM-001",
    title: "Hosts require IMDSv2",
    rationale: "IMDSv1 hands the instance role's credentials to any request an SSRF can forge.",
    checks: { aws: (s) => each(s.resources("aws_launch_template"), (t) => t.metadata_options?.http_tokens === "required", "metadata_options.http_tokens is not required") },
  },
  {
    id: "CT-CACHE-001",
    title: "Caches encrypt in transit and at rest and require authentication",
    rationale: "Sessions and task payloads in the cache are as sensitive as the database.",
    checks: {
      aws: (s) =>
        each(
          s.resources("aws_elasticache_replication_group"),
          (g) => String(g.at_rest_encryption_enabled) === "true" && g.transit_encryption_enabled === true && typeof g.auth_token === "string",
          "lacks at-rest encryption, transit encryption or an auth token",
        ),
    },
  },
  {
    id: "CT-DNS-001",
    title: "Production sites fail over to a maintenance page",
    rationale: "When the origin is down, users should get a page that says so, not a timeout.",
    productionOnly: true,
    checks: {
      aws: (s) =>
        s.resources("aws_route53_record").some((r) => r.config.failover_routing_policy?.type === "SECONDARY")
          ? []
          : [{ resource: "(stack)", message: "no SECONDARY failover record" }],
      // The site's edge Worker, on a route for its name, serves the maintenance page when the origin cannot answer.
      do: (s) =>
        s.resources("cloudflare_workers_route").some((r) => typeof r.config.script === "string" && r.config.script.includes("cloudflare_workers_script."))
          ? []
          : [{ resource: "(stack)", message: "no Workers route running the site's edge Worker (the maintenance page)" }],
    },
  },
  {
    id: "CT-DATA-001",
    title: "Production data stores are protected by prevent_destroy",
    rationale: "Terraform refuses any plan that would destroy them, whatever changed in the code.",
    productionOnly: true,
    checks: {
      aws: (s) => each(s.all(STATEFUL_TYPES.aws), (r) => r.lifecycle?.prevent_destroy === true, "lifecycle.prevent_destroy is not true"),
      do: (s) => each(s.all(STATEFUL_TYPES.do), (r) => r.lifecycle?.prevent_destroy === true, "lifecycle.prevent_destroy is not true"),
    },
  },
  {
    id: "CT-DATA-002",
    title: "Production databases and caches take a final snapshot",
    rationale: "If one is deleted after all, its last state survives as a snapshot.",
    productionOnly: true,
    checks: {
      aws: (s) => [
        ...each(primaries(s), (d) => d.skip_final_snapshot === false && typeof d.final_snapshot_identifier === "string", "skips its final snapshot"),
        ...each(s.resources("aws_elasticache_replication_group"), (g) => typeof g.final_snapshot_identifier === "string", "has no final_snapshot_identifier"),
      ],
    },
  },
];
