/**
 * How each resource type of a synthesised stack is priced. Every type a stack may hold
 * has a rule: priced (quantities read from its arguments), free (no charge at all), or
 * usage-only (charged only by traffic, requests or stored bytes, which the stack does not
 * say: listed as "not included", never counted as zero). A type with no rule makes the
 * estimate fail, so a new resource never silently costs nothing.
 */
import { Resource, ResourceConfig, StackDocument } from "../policy/document";
import { PriceCloud, PriceEntry, RDS_PROXY_MINIMUM_VCPUS, RDS_VCPUS, monthly, price } from "./prices";

/** The rows of the comparison, in order. */
export const TIERS = [
  "network (incl. NAT gateways)",
  "compute pools",
  "load balancers",
  "PostgreSQL (primary, standby, replicas, pooler)",
  "cache",
  "object store + CDN",
  "DNS + failover, health checks",
  "TLS",
  "secrets + configuration",
] as const;

export type Tier = (typeof TIERS)[number];

const [NETWORK, COMPUTE, LOAD_BALANCER, POSTGRES, CACHE, OBJECT_STORE, DNS, TLS, SECRETS] = TIERS;

/** One priced line: `quantity` units of `entry` a month (and at most `quantityMax`, for pools). */
export interface Charge {
  readonly tier: Tier;
  /** The resource it comes from. */
  readonly address: string;
  readonly description: string;
  readonly quantity: number;
  readonly quantityMax?: number;
  readonly entry: PriceEntry;
}

/** What a rule may read besides its resource. */
export interface PricingContext {
  readonly doc: StackDocument;
  /** The AWS provider's region (the default, unaliased provider). */
  readonly awsRegion: string;
  /** The resource `${type.id.attribute}` points at, if the value is such a reference. */
  referenced(value: unknown): Resource | undefined;
  /** True the first time `key` is asked in this stack (account-wide subscriptions, counted once). */
  once(key: string): boolean;
}

export type Rule =
  | { readonly tier: Tier; readonly free: string }
  | { readonly tier: Tier; readonly usage: readonly string[] }
  | { readonly tier: Tier; readonly charges: (r: Resource, ctx: PricingContext) => Charge[]; readonly usage?: readonly string[] };

/** A month of a charge, at its minimum quantity. */
export function chargeMonthly(c: Charge): number {
  return c.quantity * monthly(c.entry);
}

/** A month of a charge, at its maximum quantity. */
export function chargeMonthlyMax(c: Charge): number {
  return (c.quantityMax ?? c.quantity) * monthly(c.entry);
}

function required(r: Resource, key: string): ResourceConfig[string] {
  const value = r.config[key];
  if (value === undefined || value === null) throw new Error(`cost: ${r.address} has no "${key}", which its price depends on`);
  return value;
}

function count(r: Resource, key: string): number {
  const value = required(r, key);
  if (typeof value !== "number") throw new Error(`cost: ${r.address}.${key} is ${JSON.stringify(value)}, not a number known at synth`);
  return value;
}

function text(r: Resource, key: string): string {
  const value = required(r, key);
  if (typeof value !== "string" || value.includes("${")) throw new Error(`cost: ${r.address}.${key} is ${JSON.stringify(value)}, not a value known at synth`);
  return value;
}

function charge(tier: Tier, r: Resource, description: string, quantity: number, entry: PriceEntry, quantityMax?: number): Charge {
  return { tier, address: r.address, description, quantity, entry, ...(quantityMax !== undefined && quantityMax !== quantity ? { quantityMax } : {}) };
}

const awsPrice = (ctx: PricingContext, service: string, item: string) => price("aws", service, item, ctx.awsRegion);
const globalPrice = (cloud: PriceCloud, service: string, item: string) => price(cloud, service, item, "global");

/** An RDS instance's allocated storage: its own, else (a replica) its source's. */
function allocatedStorage(r: Resource, ctx: PricingContext): number {
  if (typeof r.config.allocated_storage === "number") return r.config.allocated_storage;
  const source = ctx.referenced(r.config.replicate_source_db);
  if (source) return allocatedStorage(source, ctx);
  throw new Error(`cost: ${r.address} has no allocated_storage and no replicate_source_db in the stack to inherit it from`);
}

const awsTransfer = "data transfer out of AWS and between zones (per GB)";

/** Rules by resource type. */
export const RULES: Readonly<Record<string, Rule>> = {
  // AWS network.
  aws_vpc: { tier: NETWORK, free: "VPCs have no charge" },
  aws_subnet: { tier: NETWORK, free: "subnets have no charge" },
  aws_internet_gateway: { tier: NETWORK, free: "internet gateways have no charge (traffic through them is data transfer)" },
  aws_route_table: { tier: NETWORK, free: "route tables have no charge" },
  aws_route_table_association: { tier: NETWORK, free: "no charge" },
  aws_default_security_group: { tier: NETWORK, free: "security groups have no charge" },
  aws_security_group: { tier: NETWORK, free: "security groups have no charge" },
  aws_vpc_security_group_ingress_rule: { tier: NETWORK, free: "no charge" },
  aws_vpc_security_group_egress_rule: { tier: NETWORK, free: "no charge" },
  aws_vpc_endpoint: {
    tier: NETWORK,
    charges: (r) => {
      if (r.config.vpc_endpoint_type !== "Gateway") throw new Error(`cost: ${r.address} is a ${String(r.config.vpc_endpoint_type)} endpoint; only Gateway endpoints (no charge) are priced`);
      return [];
    },
  },
  aws_nat_gateway: {
    tier: NETWORK,
    charges: (r, ctx) => [charge(NETWORK, r, "NAT gateway", 1, awsPrice(ctx, "vpc", "nat-gateway"))],
    usage: ["NAT gateway data processing (per GB, both directions)", awsTransfer],
  },
  aws_eip: { tier: NETWORK, charges: (r, ctx) => [charge(NETWORK, r, "public IPv4 address (Elastic IP)", 1, awsPrice(ctx, "vpc", "public-ipv4"))] },

  // AWS compute.
  aws_autoscaling_group: {
    tier: COMPUTE,
    charges: (r, ctx) => {
      const template = ctx.referenced(required(r, "launch_template").id);
      if (!template || template.type !== "aws_launch_template") throw new Error(`cost: ${r.address} has no launch template in the stack to read its instance type from`);
      const type = text(template, "instance_type");
      const min = count(r, "min_size");
      const max = count(r, "max_size");
      const volumes = (template.config.block_device_mappings ?? []) as { ebs?: { volume_size?: number; volume_type?: string } }[];
      const charges = [charge(COMPUTE, r, `${type} instance`, min, awsPrice(ctx, "ec2", type), max)];
      for (const v of volumes) {
        if (!v.ebs) continue;
        if (typeof v.ebs.volume_size !== "number") throw new Error(`cost: ${template.address} has an EBS volume without a size`);
        const volumeType = v.ebs.volume_type ?? "gp3";
        charges.push(charge(COMPUTE, r, `${v.ebs.volume_size} GB ${volumeType} root volume, a host`, v.ebs.volume_size * min, awsPrice(ctx, "ebs", volumeType), v.ebs.volume_size * max));
      }
      return charges;
    },
    usage: ["T3 unlimited CPU credits above the baseline (per vCPU-hour)", awsTransfer],
  },
  aws_launch_template: { tier: COMPUTE, free: "priced through the autoscaling group that launches it" },
  aws_autoscaling_policy: { tier: COMPUTE, usage: ["CloudWatch alarms that target tracking creates (per alarm-month)"] },
  aws_autoscaling_lifecycle_hook: { tier: COMPUTE, free: "lifecycle hooks have no charge" },
  aws_iam_role: { tier: COMPUTE, free: "IAM has no charge" },
  aws_iam_role_policy: { tier: COMPUTE, free: "IAM has no charge" },
  // The database setup: a Lambda function invoked a few times in the database's life.
  aws_lambda_function: { tier: POSTGRES, usage: ["the database setup's Lambda invocations (a few seconds on each change; within the free tier)"] },
  aws_lambda_invocation: { tier: POSTGRES, free: "an invocation of the setup function, priced with it" },
  aws_cloudwatch_log_group: { tier: POSTGRES, usage: ["CloudWatch Logs ingestion and storage of the database setup's log"] },
  aws_iam_role_policy_attachment: { tier: COMPUTE, free: "IAM has no charge" },
  aws_iam_instance_profile: { tier: COMPUTE, free: "IAM has no charge" },

  // AWS load balancers.
  aws_lb: {
    tier: LOAD_BALANCER,
    charges: (r, ctx) => {
      const type = text(r, "load_balancer_type");
      const charges = [charge(LOAD_BALANCER, r, `${type} load balancer`, 1, awsPrice(ctx, "elb", type))];
      if (r.config.internal !== true) {
        const subnets = required(r, "subnets");
        if (!Array.isArray(subnets)) throw new Error(`cost: ${r.address}.subnets is not a list known at synth`);
        charges.push(charge(LOAD_BALANCER, r, "public IPv4 address, one a zone", subnets.length, awsPrice(ctx, "vpc", "public-ipv4")));
      }
      return charges;
    },
    usage: ["load balancer capacity units (ALB LCU, NLB NLCU; by traffic)"],
  },
  aws_lb_listener: { tier: LOAD_BALANCER, free: "included in the load balancer's price" },
  aws_lb_target_group: { tier: LOAD_BALANCER, free: "included in the load balancer's price" },

  // AWS PostgreSQL.
  aws_db_instance: {
    tier: POSTGRES,
    charges: (r, ctx) => {
      const engine = r.config.engine ?? ctx.referenced(r.config.replicate_source_db)?.config.engine;
      if (engine !== "postgres") throw new Error(`cost: ${r.address} runs ${JSON.stringify(engine)}; only PostgreSQL is priced`);
      const cls = text(r, "instance_class");
      // Multi-AZ bills the standby's instance-hours and storage as well as the primary's
      // (docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_OnDemandDBInstances.html, stored copy).
      const multiAz = r.config.multi_az === true;
      const role = r.config.replicate_source_db ? "read replica" : multiAz ? "primary + Multi-AZ standby" : "primary";
      const nodes = multiAz ? 2 : 1;
      const storageType = r.config.storage_type ?? "gp2";
      const storage = allocatedStorage(r, ctx);
      return [
        charge(POSTGRES, r, `${cls} ${role}`, nodes, awsPrice(ctx, "rds-postgresql", cls)),
        charge(POSTGRES, r, `${storage} GB ${storageType} storage${multiAz ? " × 2 (Multi-AZ)" : ""}`, storage * nodes, awsPrice(ctx, "rds-postgresql", storageType)),
      ];
    },
    usage: [
      "RDS storage growth (storage autoscaling up to max_allocated_storage)",
      "RDS backup storage beyond the database's size, snapshots",
      "CloudWatch Logs ingestion of exported PostgreSQL logs",
      "RDS burstable (db.t*) CPU credits above the baseline (Unlimited mode, per vCPU-hour)",
    ],
  },
  aws_db_proxy: { tier: POSTGRES, free: "priced through its target: RDS Proxy bills the vCPUs of the database it fronts" },
  aws_db_proxy_default_target_group: { tier: POSTGRES, free: "part of the proxy" },
  aws_db_proxy_target: {
    tier: POSTGRES,
    charges: (r, ctx) => {
      const db = ctx.referenced(required(r, "db_instance_identifier"));
      if (!db) throw new Error(`cost: ${r.address} fronts no database in the stack`);
      const cls = text(db, "instance_class");
      const vcpus = RDS_VCPUS[cls];
      if (vcpus === undefined) throw new Error(`cost: no vCPU count for ${cls} in RDS_VCPUS (modules/cost/prices.ts), which RDS Proxy is priced by`);
      const billed = Math.max(vcpus, RDS_PROXY_MINIMUM_VCPUS);
      return [charge(POSTGRES, r, `RDS Proxy, ${billed} vCPUs of ${cls}`, billed, awsPrice(ctx, "rds-proxy", "vcpu"))];
    },
  },
  aws_db_parameter_group: { tier: POSTGRES, free: "no charge" },
  aws_db_subnet_group: { tier: POSTGRES, free: "no charge" },

  // AWS cache.
  aws_elasticache_replication_group: {
    tier: CACHE,
    charges: (r, ctx) => {
      const engine = text(r, "engine");
      const node = text(r, "node_type");
      const nodes =
        typeof r.config.num_cache_clusters === "number"
          ? r.config.num_cache_clusters
          : count(r, "num_node_groups") * (1 + (typeof r.config.replicas_per_node_group === "number" ? r.config.replicas_per_node_group : 0));
      return [charge(CACHE, r, `${node} ${engine} node${nodes > 1 ? "s (primary + replicas)" : ""}`, nodes, awsPrice(ctx, `elasticache-${engine}`, node))];
    },
    usage: ["ElastiCache backup storage beyond the free snapshot"],
  },
  aws_elasticache_subnet_group: { tier: CACHE, free: "no charge" },
  random_password: { tier: SECRETS, free: "generated by Terraform, no cloud resource" },

  // AWS object store + CDN.
  random_id: { tier: OBJECT_STORE, free: "a bucket name's suffix, drawn by Terraform, no cloud resource" },
  aws_s3_bucket: { tier: OBJECT_STORE, usage: ["S3 storage (per GB-month, versions included) and requests"] },
  aws_s3_object: { tier: OBJECT_STORE, usage: ["S3 storage (per GB-month, versions included) and requests"] },
  aws_s3_bucket_cors_configuration: { tier: OBJECT_STORE, free: "part of the bucket" },
  aws_s3_bucket_lifecycle_configuration: { tier: OBJECT_STORE, free: "part of the bucket" },
  aws_s3_bucket_ownership_controls: { tier: OBJECT_STORE, free: "part of the bucket" },
  aws_s3_bucket_policy: { tier: OBJECT_STORE, free: "part of the bucket" },
  aws_s3_bucket_public_access_block: { tier: OBJECT_STORE, free: "part of the bucket" },
  aws_s3_bucket_server_side_encryption_configuration: { tier: OBJECT_STORE, free: "part of the bucket (SSE-S3 has no charge)" },
  aws_s3_bucket_versioning: { tier: OBJECT_STORE, free: "part of the bucket" },
  aws_cloudfront_distribution: { tier: OBJECT_STORE, usage: ["CloudFront data transfer out and HTTPS requests (no monthly fee)"] },
  aws_cloudfront_origin_access_control: { tier: OBJECT_STORE, free: "no charge" },
  aws_cloudfront_response_headers_policy: { tier: OBJECT_STORE, free: "no charge" },

  // AWS DNS + failover.
  aws_route53_zone: { tier: DNS, charges: (r) => [charge(DNS, r, "hosted zone", 1, globalPrice("aws", "route53", "hosted-zone"))], usage: ["Route 53 queries (per million; alias queries to AWS resources are free)"] },
  aws_route53_record: { tier: DNS, usage: ["Route 53 queries (per million; alias queries to AWS resources are free)"] },
  aws_route53_health_check: {
    tier: DNS,
    charges: (r) => {
      const type = text(r, "type");
      const target = String(r.config.fqdn ?? r.config.ip_address ?? "");
      const endpoint = target.startsWith("${aws_") ? "aws-endpoint" : "non-aws-endpoint";
      const features = [type.startsWith("HTTPS") && "HTTPS", type.endsWith("_STR_MATCH") && "string matching", r.config.request_interval === 10 && "fast interval", r.config.measure_latency === true && "latency measurement"].filter(
        (f): f is string => typeof f === "string",
      );
      return [
        charge(DNS, r, `health check (${endpoint.replace("-", " ")})`, 1, globalPrice("aws", "route53", `health-check-${endpoint}`)),
        ...(features.length > 0 ? [charge(DNS, r, `health check options: ${features.join(", ")}`, features.length, globalPrice("aws", "route53", `health-check-feature-${endpoint}`))] : []),
      ];
    },
  },

  // AWS TLS.
  aws_acm_certificate: { tier: TLS, free: "public ACM certificates have no charge" },
  aws_acm_certificate_validation: { tier: TLS, free: "no charge" },

  // AWS secrets + configuration.
  aws_secretsmanager_secret: {
    tier: SECRETS,
    charges: (r, ctx) => [charge(SECRETS, r, "Secrets Manager secret", 1, awsPrice(ctx, "secrets-manager", "secret"))],
    usage: ["Secrets Manager API calls (per 10,000)"],
  },
  aws_secretsmanager_secret_version: { tier: SECRETS, free: "included in the secret's price" },
  aws_ssm_parameter: {
    tier: SECRETS,
    // Intelligent-Tiering stays Standard (no charge) while the value fits 4 KB; past it the
    // parameter is Advanced. The value's references count at 255 characters each, a bound.
    charges: (r, ctx) => {
      const tier = String(r.config.tier ?? "Standard");
      const value = String(r.config.value ?? "");
      const longest = value.replace(/\$\{[^}]*\}/g, "").length + (value.match(/\$\{[^}]*\}/g) ?? []).length * 255;
      const advanced = tier === "Advanced" || (tier === "Intelligent-Tiering" && longest > 4096);
      if (!["Standard", "Advanced", "Intelligent-Tiering"].includes(tier)) throw new Error(`cost: ${r.address} has tier ${tier}, which is not priced`);
      return advanced ? [charge(SECRETS, r, "SSM Advanced parameter", 1, awsPrice(ctx, "ssm", "advanced-parameter"))] : [];
    },
  },

  // DigitalOcean network.
  digitalocean_vpc: { tier: NETWORK, free: "VPCs have no charge" },
  digitalocean_firewall: { tier: NETWORK, free: "cloud firewalls have no charge" },
  digitalocean_tag: { tier: NETWORK, free: "no charge" },
  digitalocean_project_resources: { tier: NETWORK, free: "no charge" },

  // DigitalOcean compute.
  digitalocean_droplet_autoscale: {
    tier: COMPUTE,
    charges: (r) => {
      const config = required(r, "config") as ResourceConfig;
      const size = String(required(r, "droplet_template").size);
      const fixed = config.target_number_instances;
      const min = typeof fixed === "number" ? fixed : config.min_instances;
      const max = typeof fixed === "number" ? fixed : config.max_instances;
      if (typeof min !== "number" || typeof max !== "number") throw new Error(`cost: ${r.address} has no instance counts known at synth`);
      return [charge(COMPUTE, r, `${size} droplet`, min, globalPrice("digitalocean", "droplet", size), max)];
    },
    usage: ["droplet outbound transfer beyond the team's pooled allowance ($0.01/GiB)"],
  },

  digitalocean_droplet: {
    tier: POSTGRES,
    // The database setup's one-off droplet: billed while it exists, powered off or not.
    charges: (r) => [charge(POSTGRES, r, `${String(required(r, "size"))} droplet of the database setup (billed while it exists, powered off too)`, 1, globalPrice("digitalocean", "droplet", String(required(r, "size"))))],
  },

  // DigitalOcean load balancers.
  digitalocean_loadbalancer: {
    tier: LOAD_BALANCER,
    charges: (r) => {
      const nodes = typeof r.config.size_unit === "number" ? r.config.size_unit : 1;
      return [charge(LOAD_BALANCER, r, `load balancer (${String(r.config.network ?? "EXTERNAL").toLowerCase()}), ${nodes} node${nodes > 1 ? "s" : ""}`, nodes, globalPrice("digitalocean", "load-balancer", "node"))];
    },
  },
  digitalocean_certificate: { tier: TLS, free: "no charge" },

  // DigitalOcean PostgreSQL and cache.
  digitalocean_database_cluster: {
    tier: POSTGRES,
    charges: (r) => {
      const engine = text(r, "engine");
      const size = text(r, "size");
      const nodes = count(r, "node_count");
      const tier = engine === "pg" ? POSTGRES : CACHE;
      const what = engine === "pg" ? "PostgreSQL" : engine === "valkey" ? "Valkey" : engine;
      return [charge(tier, r, `${size} ${what} node${nodes > 1 ? `s (primary + ${nodes - 1} standby)` : ""}`, nodes, globalPrice("digitalocean", `database-${engine}`, size))];
    },
    usage: ["managed database storage beyond the plan's disk (added storage, per GiB)"],
  },
  digitalocean_database_replica: {
    tier: POSTGRES,
    charges: (r, ctx) => {
      const cluster = ctx.referenced(required(r, "cluster_id"));
      if (!cluster) throw new Error(`cost: ${r.address} replicates no cluster in the stack`);
      const size = typeof r.config.size === "string" ? r.config.size : text(cluster, "size");
      const engine = text(cluster, "engine");
      return [charge(POSTGRES, r, `${size} read-only node in ${String(r.config.region ?? cluster.config.region)}`, 1, globalPrice("digitalocean", `database-${engine}`, size))];
    },
  },
  digitalocean_database_connection_pool: { tier: POSTGRES, free: "PgBouncer pools are included in the cluster's price" },
  digitalocean_database_db: { tier: POSTGRES, free: "no charge" },
  digitalocean_database_user: { tier: POSTGRES, free: "no charge" },
  digitalocean_database_firewall: { tier: POSTGRES, free: "no charge" },
  digitalocean_container_registry_docker_credentials: { tier: COMPUTE, free: "read-only credentials of the team's existing registry (its plan is not counted)" },

  // DigitalOcean object store + CDN.
  digitalocean_spaces_bucket: {
    tier: OBJECT_STORE,
    charges: (r, ctx) => (ctx.once("spaces") ? [charge(OBJECT_STORE, r, "Spaces subscription (every bucket of the team; 250 GiB, 1 TiB out)", 1, globalPrice("digitalocean", "spaces", "subscription"))] : []),
    usage: ["Spaces storage beyond 250 GiB and outbound transfer beyond 1 TiB (the team's, across environments)"],
  },
  digitalocean_spaces_bucket_cors_configuration: { tier: OBJECT_STORE, free: "part of the bucket" },
  digitalocean_spaces_key: { tier: OBJECT_STORE, free: "no charge" },
  digitalocean_cdn: { tier: OBJECT_STORE, usage: ["Spaces CDN traffic (counts against the Spaces transfer allowance)"] },

  // Cloudflare.
  cloudflare_dns_record: { tier: DNS, free: "DNS records have no charge" },
  cloudflare_workers_script: {
    tier: DNS,
    charges: (r, ctx) => (ctx.once("cloudflare-workers-paid") ? [charge(DNS, r, "Workers Paid subscription (10 million requests a month included)", 1, globalPrice("cloudflare", "workers", "paid-subscription"))] : []),
    usage: ["Cloudflare Workers requests beyond 10 million a month ($0.30 a million) and CPU time beyond 30 million ms ($0.02 a million ms); the edge Worker runs on every request to the site"],
  },
  cloudflare_workers_route: { tier: DNS, free: "no charge (requests are priced with the Worker)" },
  cloudflare_origin_ca_certificate: { tier: TLS, free: "Origin CA certificates have no charge" },
  cloudflare_zone_setting: { tier: TLS, free: "no charge (the zone's plan is not part of the stack)" },
  tls_private_key: { tier: TLS, free: "generated by Terraform, no cloud resource" },
  tls_cert_request: { tier: TLS, free: "generated by Terraform, no cloud resource" },

  // Terraform Cloud bootstrap stacks.
  tfe_workspace: { tier: SECRETS, usage: ["Terraform Cloud (by plan and managed resources)"] },
  tfe_workspace_settings: { tier: SECRETS, free: "part of the workspace" },
  tfe_variable: { tier: SECRETS, free: "part of the workspace" },
  tfe_variable_set: { tier: SECRETS, free: "part of the organization" },
  tfe_workspace_variable_set: { tier: SECRETS, free: "part of the workspace" },
  tfe_run_trigger: { tier: SECRETS, free: "part of the workspace" },
};

/** Charges of things a stack reads rather than creates, which still cost money somewhere. */
export const DATA_SOURCE_NOTES: Readonly<Record<string, string>> = {
  aws_route53_zone: "the existing Route 53 hosted zone the stack looks up ($0.50/month, paid once wherever the zone lives)",
  cloudflare_ip_ranges: "the Cloudflare zone's plan (the zone exists already; the edge Worker works on every plan)",
};

/** Always outside the estimate, whatever the stack holds. */
export const ALWAYS_NOT_INCLUDED: readonly string[] = ["taxes, support plans and discounts (committed use, reserved capacity, credits)"];
