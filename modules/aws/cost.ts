import { Resource, ResourceConfig, StackDocument } from "../policy/document";
import { RDS_PROXY_MINIMUM_VCPUS, RDS_VCPUS, isPricedRegion, price } from "../cost/prices";
import { unpricedRegion } from "../cost/estimate";
import { CACHE, COMPUTE, CloudCost, DNS, LOAD_BALANCER, MONITORING, NETWORK, OBJECT_STORE, POSTGRES, PricingContext, Rule, SECRETS, TERRAFORM_RULES, TLS, charge, count, globalPrice, required, text } from "../cost/rules";

const awsPrice = (ctx: PricingContext, service: string, item: string) => price("aws", service, item, ctx.region);

/** The region a resource lives in: its provider alias's (`aws.disaster_recovery`), else the stack's. */
function regionOf(r: Resource, ctx: PricingContext): string {
  if (typeof r.config.provider !== "string") return ctx.region;
  const found = ctx.doc.providerRegion("aws", r.config.provider);
  if (found === undefined) throw new Error(`cost: ${r.address} names the provider ${r.config.provider}, which the stack does not configure`);
  return found;
}

/**
 * `item`'s price in the resource's region. For a resource in another region than the
 * stack's (the disaster-recovery replica) that the table has no figures for, the stack
 * region's price, and the line says so: the table records the regions the stacks run in.
 */
function priceWhereItIs(r: Resource, ctx: PricingContext, service: string, item: string): { entry: ReturnType<typeof price>; where: string } {
  const region = regionOf(r, ctx);
  if (region === ctx.region) return { entry: awsPrice(ctx, service, item), where: "" };
  if (isPricedRegion("aws", region)) return { entry: price("aws", service, item, region), where: ` in ${region}` };
  return { entry: awsPrice(ctx, service, item), where: ` in ${region}, at ${ctx.region}'s price (the table has none for ${region})` };
}

/** An RDS instance's allocated storage: its own, else (a replica) its source's. */
function allocatedStorage(r: Resource, ctx: PricingContext): number {
  if (typeof r.config.allocated_storage === "number") return r.config.allocated_storage;
  const source = ctx.referenced(r.config.replicate_source_db);
  if (source) return allocatedStorage(source, ctx);
  throw new Error(`cost: ${r.address} has no allocated_storage and no replicate_source_db in the stack to inherit it from`);
}

const awsTransfer = "data transfer out of AWS and between zones (per GB)";

const AWS_RULES: Readonly<Record<string, Rule>> = {
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
  aws_cloudwatch_log_group: { tier: MONITORING, usage: ["CloudWatch Logs ingestion ($0.50 per GB) and storage ($0.03 per GB-month) of the hosts' logs and the database setup's"] },
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
  aws_lb_listener_rule: { tier: LOAD_BALANCER, free: "included in the load balancer's price (its first 10 rules' evaluations are free)" },
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
      const role = r.config.replicate_source_db ? (regionOf(r, ctx) === ctx.region ? "read replica" : "disaster-recovery replica") : multiAz ? "primary + Multi-AZ standby" : "primary";
      const nodes = multiAz ? 2 : 1;
      const storageType = r.config.storage_type ?? "gp2";
      const storage = allocatedStorage(r, ctx);
      const instance = priceWhereItIs(r, ctx, "rds-postgresql", cls);
      const disk = priceWhereItIs(r, ctx, "rds-postgresql", storageType);
      return [
        charge(POSTGRES, r, `${cls} ${role}${instance.where}`, nodes, instance.entry),
        charge(POSTGRES, r, `${storage} GB ${storageType} storage${multiAz ? " × 2 (Multi-AZ)" : ""}${disk.where}`, storage * nodes, disk.entry),
      ];
    },
    usage: [
      "RDS storage growth (storage autoscaling up to max_allocated_storage)",
      "RDS backup storage beyond the database's size, snapshots",
      "CloudWatch Logs ingestion of exported PostgreSQL logs",
      "RDS burstable (db.t*) CPU credits above the baseline (Unlimited mode, per vCPU-hour)",
      "a disaster-recovery replica's replication stream between regions (inter-region data transfer, per GB)",
    ],
  },
  aws_kms_key: {
    tier: POSTGRES,
    charges: (r, ctx) => [charge(POSTGRES, r, `KMS key${regionOf(r, ctx) === ctx.region ? "" : ` in ${regionOf(r, ctx)}`}`, 1, globalPrice("aws", "kms", "key"))],
    usage: ["KMS requests beyond the free tier (per 10,000)", "a KMS key's first two yearly rotations ($1/month each, then no more)"],
  },
  aws_kms_alias: { tier: POSTGRES, free: "aliases have no charge" },
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
  // AWS object store + CDN.
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
    // "Replica secrets are considered a distinct secret and will be billed at $0.40 per replica per month" (Secrets Manager's pricing).
    charges: (r, ctx) => {
      const replicas = ((r.config.replica ?? []) as { region: string }[]).map((x) => x.region);
      return [
        charge(SECRETS, r, "Secrets Manager secret", 1, awsPrice(ctx, "secrets-manager", "secret")),
        ...replicas.map((region) => charge(SECRETS, r, `its replica in ${region}`, 1, isPricedRegion("aws", region) ? price("aws", "secrets-manager", "secret", region) : awsPrice(ctx, "secrets-manager", "secret"))),
      ];
    },
    usage: ["Secrets Manager API calls (per 10,000)"],
  },
  aws_secretsmanager_secret_version: { tier: SECRETS, free: "included in the secret's price" },
  // A queue has no charge of its own; its requests do, past the first million a month.
  aws_mq_broker: {
    tier: CACHE,
    charges: (r, ctx) => {
      const node = text(r, "host_instance_type");
      const nodes = r.config.deployment_mode === "CLUSTER_MULTI_AZ" ? 3 : 1;
      return [charge(CACHE, r, `${node} RabbitMQ node${nodes > 1 ? "s (a cluster of three)" : ""}`, nodes, awsPrice(ctx, "amazon-mq-rabbitmq", node))];
    },
    usage: ["Amazon MQ broker storage (per GB-month used) and data transfer between zones of a cluster"],
  },
  aws_mq_configuration: { tier: CACHE, free: "no charge" },
  aws_sqs_queue: { tier: CACHE, usage: ["SQS requests beyond the first million a month (per million; long polling keeps idle workers' receives few)"] },
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

  // AWS monitoring.
  aws_cloudwatch_metric_alarm: {
    tier: MONITORING,
    // A metric math alarm is billed for every metric its expression reads.
    charges: (r) => {
      const metrics = Array.isArray(r.config.metric_query) ? (r.config.metric_query as ResourceConfig[]).filter((q) => q.metric !== undefined).length : 1;
      return [charge(MONITORING, r, `CloudWatch alarm (${metrics} metric${metrics > 1 ? "s" : ""})`, metrics, globalPrice("aws", "cloudwatch", "alarm-metric"))];
    },
  },
  aws_cloudwatch_dashboard: { tier: MONITORING, charges: (r) => [charge(MONITORING, r, "CloudWatch dashboard", 1, globalPrice("aws", "cloudwatch", "dashboard"))] },
  aws_sns_topic: { tier: MONITORING, free: "SNS topics have no charge" },

  // AWS edge protection.
  aws_wafv2_web_acl: {
    tier: LOAD_BALANCER,
    charges: (r) => {
      const rules = Array.isArray(r.config.rule) ? r.config.rule.length : 0;
      return [
        charge(LOAD_BALANCER, r, "WAF web ACL", 1, globalPrice("aws", "waf", "web-acl")),
        ...(rules > 0 ? [charge(LOAD_BALANCER, r, `WAF rules and managed rule groups (${rules})`, rules, globalPrice("aws", "waf", "rule"))] : []),
      ];
    },
    usage: ["WAF requests ($0.60 per million)"],
  },
  aws_wafv2_web_acl_association: { tier: LOAD_BALANCER, free: "no charge (priced with the web ACL)" },
  aws_sns_topic_subscription: { tier: MONITORING, usage: ["SNS notifications beyond the free tier (email $2.00 per 100,000, HTTPS $0.60 per million)"] },
};

/** How `npm run cost` prices an AWS stack: in its default provider's region, which the price table must have figures for. */
export const AWS_COST: CloudCost = {
  title: "AWS",
  rules: { ...TERRAFORM_RULES, ...AWS_RULES },
  region(doc: StackDocument, stack: string, environment: string) {
    const region = doc.providerRegion("aws");
    const refusal = typeof region === "string" ? unpricedRegion(environment, stack, "aws", region) : undefined;
    if (refusal) throw refusal;
    return region;
  },
  dataSourceNotes: {
    aws_route53_zone: "the existing Route 53 hosted zone the stack looks up ($0.50/month, paid once wherever the zone lives)",
  },
};
