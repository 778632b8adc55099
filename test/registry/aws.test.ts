import { PoolRole, SIZES, Size } from "../../modules/core";
import { AMQPS_PORT, RABBITMQ_VERSION } from "../../modules/aws/rabbitmq";
import { AWS_BROKER_SIZES, AWS_POSTGRES_SIZES } from "../../modules/aws/sizes";
import { QUEUE_VISIBILITY_SECONDS } from "../../modules/django/topology";
import { awsHostDelivery } from "../../modules/aws/host-delivery";
import { EC2_USER_DATA_BYTES, LIST_HOSTS, groupDiscovery } from "../../modules/aws/compute-pool";
import { renderUserData } from "../../modules/django/host";
import { Layout } from "../../modules/django/spec";
import { INSPECTOR as awsInspector } from "../contract/inspectors/aws";
import { checkValues, evaluateBase64, evaluateBytes, evaluateUserData, examples, expectRefused, expr, problemsIn, useModule } from "./support";
import { ALL_VIEWER, CACHING_DISABLED, FAILOVER_STATUSES } from "../../modules/aws/site-distribution";
import { ORIGIN_HEADER } from "../../modules/core";
import { CLOUDFRONT_ORIGIN_FACING } from "../../modules/aws/shared";
import { AWS_SITE_CDN_MODULE } from "../../tools/registry/aws";
import { Config } from "../helpers";

describe("the AWS cache module", () => {
  const { hcl } = useModule("cloudtiers-cache", "aws");
  const group = () => hcl("main.tf").one("aws_elasticache_replication_group");

  it("decides in Terraform what the stacks decide at synth: replicas, node type, engine, snapshots", () => {
    expect(group()).toMatchObject({
      num_cache_clusters: expr("var.high_availability ? 2 : 1"),
      automatic_failover_enabled: expr("var.high_availability"),
      node_type: expr('coalesce(var.node_type, { "small" = "cache.t4g.small", "medium" = "cache.t4g.medium", "large" = "cache.m7g.large", "xlarge" = "cache.m7g.xlarge" }[var.size])'),
      engine_version: expr('{ "7" = "7.2", "8" = "8.0" }[var.engine_version]'),
      final_snapshot_identifier: expr('var.deletion_protection ? "${var.name_prefix}-cache-final" : null'),
      snapshot_retention_limit: expr("var.deletion_protection ? 7 : 0"),
    });
    expect(hcl("main.tf").one("aws_secretsmanager_secret").recovery_window_in_days).toBe(expr("var.deletion_protection ? 30 : 0"));
  });

  it("keeps the stacks' secure defaults and admits only the security groups it is given", () => {
    expect(group()).toMatchObject({
      at_rest_encryption_enabled: "true",
      transit_encryption_enabled: true,
      auth_token: expr("random_password.cache_auth_token_password.result"),
    });
    // Counted, not keyed by id: the ids are other resources', unknown at plan.
    expect(hcl("main.tf").where("aws_vpc_security_group_ingress_rule")).toEqual([
      expect.objectContaining({ count: expr("length(var.allowed_security_group_ids)"), referenced_security_group_id: expr("element(var.allowed_security_group_ids, count.index)") }),
    ]);
  });
});

describe("the AWS RabbitMQ module", () => {
  const { hcl } = useModule("cloudtiers-rabbitmq", "aws");
  const broker = () => hcl("main.tf").one("aws_mq_broker");

  it("decides in Terraform what the stacks decide at synth: one node or a cluster, its subnets and its node type", () => {
    expect(broker()).toMatchObject({
      engine_type: "RabbitMQ",
      engine_version: RABBITMQ_VERSION,
      auto_minor_version_upgrade: true,
      publicly_accessible: false,
      deployment_mode: expr('var.high_availability ? "CLUSTER_MULTI_AZ" : "SINGLE_INSTANCE"'),
      subnet_ids: expr("var.high_availability ? var.subnet_ids : slice(var.subnet_ids, 0, 1)"),
      host_instance_type: expr(`coalesce(var.host_instance_type, { ${SIZES.map((size) => `"${size}" = "${AWS_BROKER_SIZES[size]}"`).join(", ")} }[var.size])`),
    });
    expect(String(hcl("main.tf").one("aws_mq_configuration").data).trim()).toBe(`consumer_timeout = ${QUEUE_VISIBILITY_SECONDS * 1000}`);
    expect(hcl("main.tf").one("aws_secretsmanager_secret").recovery_window_in_days).toBe(expr("var.deletion_protection ? 30 : 0"));
  });

  it("admits only the security groups it is given, on AMQPS", () => {
    expect(hcl("main.tf").where("aws_vpc_security_group_ingress_rule")).toEqual([
      expect.objectContaining({ count: expr("length(var.allowed_security_group_ids)"), referenced_security_group_id: expr("element(var.allowed_security_group_ids, count.index)"), from_port: AMQPS_PORT, to_port: AMQPS_PORT }),
    ]);
  });
});

describe("the AWS Celery queue module", () => {
  const { hcl } = useModule("cloudtiers-celery-queue", "aws");

  it("keeps the stacks' queue and dead-letter queue, and grants each listed role only what it does with the queue", () => {
    const queues = hcl("main.tf").where("aws_sqs_queue");
    expect(queues.map((q) => [q.sqs_managed_sse_enabled, q.message_retention_seconds])).toEqual([
      [true, 1209600],
      [true, 1209600],
    ]);
    expect(queues.find((q) => q.redrive_policy)).toMatchObject({ visibility_timeout_seconds: QUEUE_VISIBILITY_SECONDS, receive_wait_time_seconds: 20 });
    const grants = hcl("main.tf").where("aws_iam_role_policy");
    const take = ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"];
    const byRoles = Object.fromEntries(grants.map((g) => [String(g.count), { role: g.role, actions: JSON.stringify(g.policy) }]));
    expect(byRoles[expr("length(var.sender_role_ids)") as string].role).toBe(expr("element(var.sender_role_ids, count.index)"));
    expect(byRoles[expr("length(var.consumer_role_ids)") as string].role).toBe(expr("element(var.consumer_role_ids, count.index)"));
    // Senders may not take tasks; the workers may.
    expect(byRoles[expr("length(var.sender_role_ids)") as string].actions).not.toContain("sqs:ReceiveMessage");
    for (const action of take) expect(byRoles[expr("length(var.consumer_role_ids)") as string].actions).toContain(action);
  });
});

describe("the AWS PostgreSQL module", () => {
  const { module, hcl } = useModule("cloudtiers-postgres", "aws");

  it("makes the replicas Terraform's count and the pooler a submodule counted by pooling", () => {
    const main = hcl("main.tf");
    expect(main.resources("aws_db_instance").postgres_replica).toMatchObject({
      identifier: "${var.name_prefix}-postgres-replica-${(count.index + 1)}",
      count: expr("var.replicas"),
      replicate_source_db: expr("aws_db_instance.postgres_primary.identifier"),
    });
    expect(main.json.module.pooler).toMatchObject({ source: "./modules/pooler", count: expr("var.pooling ? 1 : 0") });
    const outputs = hcl("outputs.tf").outputs;
    expect(outputs.replica_hosts.value).toBe(expr("aws_db_instance.postgres_replica[*].address"));
    expect(outputs.write_host.value).toBe(expr("coalesce(var.pooling ? module.pooler[0].host : null, aws_db_instance.postgres_primary.address)"));
    // The pooler may read the credentials' secret, and only it.
    const policy = JSON.parse(hcl("modules/pooler/main.tf").one("aws_iam_role_policy").policy);
    expect(policy.Statement).toEqual([{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [expr("var.secret_arn")] }]);
  });

  it("keeps the stacks' protections, decided by deletion_protection", () => {
    const main = hcl("main.tf");
    expect(main.resources("aws_db_instance").postgres_primary).toMatchObject({
      deletion_protection: expr("var.deletion_protection"),
      delete_automated_backups: expr("!var.deletion_protection"),
      skip_final_snapshot: expr("!var.deletion_protection"),
      final_snapshot_identifier: expr('var.deletion_protection ? "${var.name_prefix}-postgres-final" : null'),
      max_allocated_storage: expr("(var.storage_gib * 4)"),
      storage_encrypted: true,
      publicly_accessible: false,
    });
    expect(main.one("aws_db_parameter_group").parameter).toContainEqual(expect.objectContaining({ name: "rds.force_ssl", value: "1" }));
  });

  it("refuses what the spec refuses", () => {
    const values = { name_prefix: "shop-production", vpc_id: "vpc-0123456789abcdef0", subnet_ids: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"] };
    expectRefused(module, { ...values, replicas: 6, storage_gib: 10, backup_retention_days: 40, engine_version: "14", replica_size: "tiny", database_name: "App-DB" }, [
      "The replicas must be a whole number between 0 and 5.",
      "The storage_gib must be a whole number between 20 and 16384.",
      "The backup_retention_days must be a whole number between 1 and 35.",
      'The engine_version must be one of "15", "16", "17".',
      'The replica_size must be one of "small", "medium", "large", "xlarge".',
      "The database_name must be a PostgreSQL identifier (lower-case letters, digits and _).",
    ]);
    expect(problemsIn(checkValues(module, { ...values, replicas: 2, pooling: true, size: "large", replica_size: "medium" }))).toEqual([]);
  });
});

describe("the AWS site CDN module", () => {
  const { module, hcl } = useModule("cloudtiers-site-cdn", "aws");
  const resource = (type: string, name: string) => hcl("main.tf").resources(type)[name];

  it("lets only CloudFront, with this distribution's secret header, reach the load balancer, once the site's name has moved to it", () => {
    const main = hcl("main.tf");
    const ingress = main.where("aws_vpc_security_group_ingress_rule");
    expect(ingress).toEqual([expect.objectContaining({ prefix_list_id: expr("data.aws_ec2_managed_prefix_list.load_balancer_cloudfront_addresses.id"), from_port: 443, to_port: 443 })]);
    expect(Object.values(main.data("aws_ec2_managed_prefix_list"))).toEqual([{ name: CLOUDFRONT_ORIGIN_FACING }]);
    // HTTPS only (CloudFront redirects viewers), and a request without the header is refused.
    expect(main.where("aws_lb_listener")).toEqual([expect.objectContaining({ port: 443, protocol: "HTTPS", certificate_arn: expr("var.certificate_arn") })]);
    expect(resource("aws_lb_listener", "load_balancer_https").default_action).toEqual([{ type: "fixed-response", fixed_response: [{ content_type: "text/plain", message_body: "Forbidden", status_code: "403" }] }]);
    expect(main.one("aws_lb_listener_rule")).toMatchObject({
      action: [{ type: "forward", target_group_arn: expr("aws_lb_target_group.load_balancer_target_group.arn") }],
      condition: [{ http_header: [{ http_header_name: ORIGIN_HEADER, values: [expr("random_password.load_balancer_origin_secret.result")] }] }],
    });
    const records = [expr("aws_route53_record.dns_primary"), expr("aws_route53_record.dns_site_aaaa")];
    expect(main.one("aws_vpc_security_group_ingress_rule").depends_on).toEqual(records);
    expect(resource("aws_lb_listener", "load_balancer_https").depends_on).toEqual(records);
  });

  it("passes every request through uncached with what Django reads, and serves the maintenance page for the load balancer's failures", () => {
    const distribution = hcl("main.tf").one("aws_cloudfront_distribution");
    expect(distribution).toMatchObject({
      aliases: [expr("var.domain")],
      viewer_certificate: [expect.objectContaining({ acm_certificate_arn: expr("var.cdn_certificate_arn"), ssl_support_method: "sni-only" })],
      default_cache_behavior: [expect.objectContaining({ target_origin_id: "load-balancer", cache_policy_id: CACHING_DISABLED, origin_request_policy_id: ALL_VIEWER, viewer_protocol_policy: "redirect-to-https" })],
    });
    const origin = distribution.origin.find((o: Config) => o.origin_id === "load-balancer");
    expect(origin).toMatchObject({
      domain_name: expr("aws_lb.load_balancer_load_balancer.dns_name"),
      custom_header: [{ name: ORIGIN_HEADER, value: expr("random_password.load_balancer_origin_secret.result") }],
      custom_origin_config: [expect.objectContaining({ origin_protocol_policy: "https-only" })],
    });
    expect(distribution.custom_error_response.map((r: Config) => [r.error_code, r.response_code, r.error_caching_min_ttl])).toEqual(Object.entries(FAILOVER_STATUSES).map(([status, ttl]) => [Number(status), 503, ttl]));
    for (const type of ["A", "AAAA"]) {
      expect(hcl("main.tf").where("aws_route53_record").find((r) => r.type === type)).toMatchObject({
        zone_id: expr("var.zone_id"),
        name: expr("var.domain"),
        alias: [{ name: expr("aws_cloudfront_distribution.dns_cdn_distribution.domain_name"), zone_id: expr("aws_cloudfront_distribution.dns_cdn_distribution.hosted_zone_id"), evaluate_target_health: false }],
      });
    }
    // The stacks' moved blocks name the stacks' former addresses: none in a module.
    expect(hcl("main.tf").json.moved).toBeUndefined();
  });

  it("refuses what the spec refuses", () => {
    const values = examples(AWS_SITE_CDN_MODULE);
    expectRefused(module, { ...values, cdn_certificate_arn: "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b", price_class: "PriceClass_0" }, [
      "The cdn_certificate_arn must be an ACM certificate ARN in us-east-1.",
      'The price_class must be one of "PriceClass_100", "PriceClass_200", "PriceClass_All".',
    ]);
    expect(problemsIn(checkValues(module, values))).toEqual([]);
  });
});

describe("the AWS PostgreSQL disaster-recovery module", () => {
  const { module, hcl } = useModule("cloudtiers-postgres-disaster-recovery", "aws");
  const postgres = useModule("cloudtiers-postgres", "aws");

  it("follows the primary by its ARN from its own network, key and subnet group in the provider's region, as the stacks' replica does", () => {
    const main = hcl("main.tf");
    expect(main.one("aws_db_instance")).toMatchObject({
      replicate_source_db: expr("var.source_db_arn"),
      storage_encrypted: true,
      kms_key_id: expr("aws_kms_key.disaster_recovery_key.arn"),
      instance_class: expr(`coalesce(var.instance_class, { ${SIZES.map((size) => `"${size}" = "${AWS_POSTGRES_SIZES[size]}"`).join(", ")} }[var.size])`),
      max_allocated_storage: expr("(var.storage_gib * 4)"),
      backup_retention_period: expr("var.backup_retention_days"),
      deletion_protection: expr("var.deletion_protection"),
      publicly_accessible: false,
    });
    // No provider of its own: the one the caller passes is the recovery region's.
    expect(main.where("aws_db_instance")[0].provider).toBeUndefined();
    expect(main.one("aws_kms_key")).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(main.one("aws_db_parameter_group")).toMatchObject({ family: "postgres${var.engine_version}" });
    // Laid out as the network module's database subnets (the 144th /24 of a /16 on), in two zones.
    expect(main.where("aws_subnet").map((s) => s.cidr_block)).toEqual([expr("cidrsubnet(var.cidr, 8, 144)"), expr("cidrsubnet(var.cidr, 8, 145)")]);
    // Nothing reaches it until a recovery: its group admits nothing, and its network has no route out.
    expect(main.where("aws_vpc_security_group_ingress_rule")).toEqual([]);
    expect(main.where("aws_internet_gateway")).toEqual([]);
  });

  it("is followed by the primary module's ARN, whose credentials Secrets Manager copies into the regions given", () => {
    expect(postgres.hcl("outputs.tf").outputs.primary_arn.value).toBe(expr("aws_db_instance.postgres_primary.arn"));
    const secrets = postgres.hcl("main.tf").where("aws_secretsmanager_secret");
    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(secret.dynamic).toEqual({ replica: [{ for_each: expr("toset(var.credentials_replica_regions)"), iterator: expr("each"), content: [{ region: expr("each.value") }] }] });
  });

  it("refuses to be called with the primary's own region", () => {
    const values = { name_prefix: "shop-production", source_db_arn: "arn:aws:rds:eu-west-1:123456789012:db:shop-production-postgres", cidr: "10.40.0.0/16" };
    const condition = String(Object.values(hcl("main.tf").data("aws_region"))[0].lifecycle[0].postcondition[0].condition).slice(2, -1);
    const holds = (region: string) => checkValues(module, values, condition.replace("self.region", JSON.stringify(region))).trim().endsWith("true");
    expect({ recovery: holds("eu-central-1"), primary: holds("eu-west-1") }).toEqual({ recovery: true, primary: false });
  });

  it("refuses what the spec refuses", () => {
    const values = { name_prefix: "shop-production", source_db_arn: "arn:aws:rds:eu-west-1:123456789012:db:shop-production-postgres", cidr: "10.40.0.0/16" };
    expectRefused(module, { ...values, source_db_arn: "shop-production-postgres", cidr: "10.40.0.0/12", engine_version: "14", storage_gib: 10 }, [
      "The source_db_arn must be an RDS instance ARN.",
      "The cidr must be a /16 to /19 block.",
      'The engine_version must be one of "15", "16", "17".',
      "The storage_gib must be a whole number between 20 and 16384.",
    ]);
    expect(problemsIn(checkValues(module, { ...values, size: "large", engine_version: "17", storage_gib: 100 }))).toEqual([]);
    expectRefused(postgres.module, { name_prefix: "shop-production", vpc_id: "vpc-0123456789abcdef0", subnet_ids: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"], credentials_replica_regions: ["Frankfurt"] }, [
      'Every item of credentials_replica_regions must be an AWS region such as "eu-central-1".',
    ]);
  });
});

describe("the AWS network module", () => {
  const { module, hcl } = useModule("cloudtiers-network", "aws");
  const resource = (type: string, name: string) => hcl("main.tf").resources(type)[name];

  it("lays the subnets out as the stacks do, one per zone, counted by Terraform", () => {
    for (const [tier, bits, first] of [["private", 4, 0], ["public", 8, 128], ["database", 8, 144]] as const) {
      expect(resource("aws_subnet", `network_${tier}_subnet`)).toMatchObject({
        cidr_block: expr(`cidrsubnet(var.cidr, ${bits}, (${first} + count.index))`),
        availability_zone: expr("element(data.aws_availability_zones.network_zones.names, count.index)"),
        count: expr("var.zones"),
      });
    }
  });

  it("makes a NAT gateway per zone or one for all, and routes each private subnet through its own or the only one", () => {
    const natCount = expr('(var.nat_gateways == "single") ? 1 : var.zones');
    for (const [type, name] of [["aws_eip", "network_nat_address"], ["aws_nat_gateway", "network_nat_gateway"], ["aws_route_table", "network_private_route_table"]]) {
      expect({ type, count: resource(type, name).count }).toEqual({ type, count: natCount });
    }
    expect(resource("aws_nat_gateway", "network_nat_gateway").depends_on).toEqual([expr("aws_internet_gateway.network_internet_gateway")]);
    expect(resource("aws_route_table_association", "network_private_subnet_routes").route_table_id).toBe(expr("element(aws_route_table.network_private_route_table[*].id, count.index)"));
    expect(resource("aws_vpc_endpoint", "network_s3_endpoint").service_name).toBe("com.amazonaws.${data.aws_region.region.region}.s3");
    // The database subnets' route table has no route at all.
    expect(resource("aws_route_table", "network_database_route_table").route).toBeUndefined();
  });

  it("refuses what the spec refuses", () => {
    expectRefused(module, { name_prefix: "shop", cidr: "10.0.0.0/8", zones: 1, nat_gateways: "two" }, ["The cidr must be a /16 to /19 block.", "The zones must be a whole number between 2 and 3.", 'The nat_gateways must be one of "per-zone", "single".']);
    expect(checkValues(module, { name_prefix: "shop", cidr: "banana" })).toContain('The cidr must be an IPv4 CIDR block such as "10.0.0.0/16".');
    expect(problemsIn(checkValues(module, { name_prefix: "shop", cidr: "10.20.0.0/19", zones: 3, nat_gateways: "per-zone" }))).toEqual([]);
  });
});

describe("the AWS load balancer module", () => {
  const { module, hcl } = useModule("cloudtiers-load-balancer", "aws");
  const resource = (type: string, name: string) => hcl("main.tf").resources(type)[name];

  it("serves HTTPS with the modern policy, redirects HTTP, drops invalid headers and checks the health path", () => {
    expect(awsInspector.redirectsHttpToHttps(hcl("main.tf"))).toBe(true);
    expect(resource("aws_lb_listener", "load_balancer_https")).toMatchObject({
      certificate_arn: expr("var.certificate_arn"),
      load_balancer_arn: expr("aws_lb.load_balancer_load_balancer.arn"),
      ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
    });
    expect(resource("aws_lb_listener", "load_balancer_http_redirect").default_action).toEqual([{ type: "redirect", redirect: [{ port: "443", protocol: "HTTPS", status_code: "HTTP_301" }] }]);
    expect(resource("aws_lb", "load_balancer_load_balancer")).toMatchObject({
      drop_invalid_header_fields: true,
      idle_timeout: expr("var.idle_timeout_seconds"),
      internal: false,
      load_balancer_type: "application",
      subnets: expr("var.subnet_ids"),
    });
    expect(resource("aws_lb_target_group", "load_balancer_target_group")).toMatchObject({
      deregistration_delay: expr("var.drain_seconds"),
      port: expr("var.target_port"),
      health_check: [expect.objectContaining({ matcher: "200", path: expr("var.health_check_path") })],
    });
  });

  it("opens to the internet on 443 and 80 only, and reaches only the hosts' groups on the target port", () => {
    const ingress = hcl("main.tf").where("aws_vpc_security_group_ingress_rule");
    expect(ingress.map((r) => [r.cidr_ipv4, r.from_port, r.to_port]).sort()).toEqual([["0.0.0.0/0", 443, 443], ["0.0.0.0/0", 80, 80]]);
    expect(resource("aws_vpc_security_group_egress_rule", "load_balancer_security_group_to_security_groups")).toMatchObject({
      from_port: expr("var.target_port"),
      to_port: expr("var.target_port"),
      count: expr("length(var.target_security_group_ids)"),
    });
  });

  it("refuses what the spec refuses", () => {
    const values = { name_prefix: "shop", vpc_id: "vpc-0123456789abcdef0", subnet_ids: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"] };
    expectRefused(module, { ...values, certificate_arn: "my-cert", health_check_path: "healthz", target_port: 0 }, ["The certificate_arn must be an ACM certificate ARN.", 'The health_check_path must be an absolute URL path such as "/healthz".', "The target_port must be a whole number between 1 and 65535."]);
  });
});

describe("the AWS certificate module", () => {
  const { module, hcl } = useModule("cloudtiers-certificate", "aws");

  it("validates every name through the zone with one record per validation option, and outputs the ARN only once validated", () => {
    const main = hcl("main.tf");
    expect(main.one("aws_route53_record")).toMatchObject({
      for_each: expr("{ for key, val in tolist(aws_acm_certificate.certificate_certificate.domain_validation_options) : val.domain_name => val }"),
      zone_id: expr("var.zone_id"),
    });
    expect(main.one("aws_acm_certificate_validation").validation_record_fqdns).toBe(expr("[for key, val in aws_route53_record.certificate_validation_record : val.fqdn]"));
    expect(hcl("outputs.tf").outputs.arn.value).toBe(expr("aws_acm_certificate_validation.certificate_validation.certificate_arn"));
    expect(main.one("aws_acm_certificate").subject_alternative_names).toBe(expr("var.alternative_names"));
  });

  it("refuses what the spec refuses", () => {
    expectRefused(module, { name_prefix: "shop", domain_name: "Example.com", zone_id: "zone", alternative_names: ["ok.example.com", "not a name"], use: "edge" }, [
      'The domain_name must be a lower-case domain name such as "www.example.com".',
      'The zone_id must be a Route 53 hosted zone id such as "Z0123456789ABCDEFGHIJ".',
      'Every item of alternative_names must be a lower-case domain name such as "www.example.com".',
      'The use must be one of "load-balancer", "cdn".',
    ]);
  });
});

describe("the AWS DNS failover module", () => {
  const { hcl } = useModule("cloudtiers-dns-failover", "aws");

  it("checks the primary over HTTPS on its health path and fails over to the maintenance site", () => {
    const main = hcl("main.tf");
    expect(main.one("aws_route53_health_check")).toMatchObject({ fqdn: expr("var.primary_dns_name"), port: 443, resource_path: expr("var.health_check_path"), type: "HTTPS", enable_sni: true });
    const records = main.resources("aws_route53_record");
    expect(records.dns_primary).toMatchObject({ health_check_id: expr("aws_route53_health_check.dns_health_check.id"), failover_routing_policy: [{ type: "PRIMARY" }] });
    expect(records.dns_secondary).toMatchObject({
      failover_routing_policy: [{ type: "SECONDARY" }],
      alias: [expect.objectContaining({ name: expr("var.secondary_dns_name"), zone_id: expr("var.secondary_zone_id") })],
    });
  });
});

describe("the AWS object store module", () => {
  const { module, hcl } = useModule("cloudtiers-object-store", "aws");
  const resource = (type: string) => hcl("main.tf").one(type);

  it("names the bucket as the stacks do and keeps it private, versioned and TLS-only", () => {
    // A random suffix kept in state: nothing public predicts the name, and a second account's copy does not collide.
    expect(resource("aws_s3_bucket")).toMatchObject({ bucket: "${var.name_prefix}-${var.purpose}-${random_id.store_name_suffix.hex}", force_destroy: expr("!var.deletion_protection") });
    expect(resource("random_id").byte_length).toBe(4);
    expect(resource("aws_s3_bucket_public_access_block")).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    const deny = JSON.parse(resource("aws_s3_bucket_policy").policy).Statement.find((s: { Sid: string }) => s.Sid === "TlsOnly");
    expect(deny).toMatchObject({ Effect: "Deny", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } });
    expect(resource("aws_cloudfront_distribution").viewer_certificate).toEqual([expect.objectContaining({ minimum_protocol_version: "TLSv1.2_2021" })]);
  });

  it("adds CORS at the edge only when origins are given, and grants each listed role read-write", () => {
    for (const type of ["aws_s3_bucket_cors_configuration", "aws_cloudfront_response_headers_policy"]) {
      expect({ type, count: resource(type).count }).toEqual({ type, count: expr("(length(var.cors_origins) >= 1) ? 1 : 0") });
    }
    expect(resource("aws_cloudfront_distribution").default_cache_behavior[0].response_headers_policy_id).toBe(
      expr('coalesce(one(aws_cloudfront_response_headers_policy.store_store_response_headers[*].id), "67f7725c-6f97-4210-82d7-5512b31e9d03")'),
    );
    expect(resource("aws_iam_role_policy")).toMatchObject({ count: expr("length(var.read_write_role_ids)"), role: expr("element(var.read_write_role_ids, count.index)") });
  });

  it("refuses what the spec refuses", () => {
    expectRefused(module, {
      name_prefix: "shop",
      purpose: "logs",
      cdn_domain: "media.example.com",
      zone_id: "Z0123456789ABCDEFGHIJ",
      certificate_arn: "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
      cors_origins: ["http://www.example.com"],
      price_class: "PriceClass_1",
    }, [
      'The purpose must be one of "media", "static".',
      "The certificate_arn must be an ACM certificate ARN in us-east-1.",
      'Every item of cors_origins must be an https origin such as "https://www.example.com".',
      'The price_class must be one of "PriceClass_100", "PriceClass_200", "PriceClass_All".',
    ]);
  });
});

describe("the AWS compute pool module", () => {
  const { module, read, hcl } = useModule("cloudtiers-compute-pool", "aws");
  const application = { name: "shop-production", image: "ghcr.io/acme/shop:1.4.2", wsgiModule: "shop.wsgi:application", celeryApp: "shop" };
  const values = {
    name_prefix: "shop-production",
    vpc_id: "vpc-0123456789abcdef0",
    subnet_ids: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
    container_image: application.image,
    wsgi_module: application.wsgiModule,
    celery_app: application.celeryApp,
    domain: "www.example.com",
  };

  const VPC = "data.aws_vpc.vpc.cidr_block";
  const appGroup = "shop-production-app";
  const userData = (role: PoolRole, layout: string, size: string, extra: Record<string, unknown> = {}) =>
    evaluateUserData(read, role === "web" ? `web-${layout}` : role === "app" && layout === "nginx-balanced" ? "app-nginx-balanced" : role, VPC, "10.30.0.0/16", {
      ...values,
      role,
      layout,
      size,
      app_autoscaling_group_name: appGroup,
      ...extra,
    });

  it("gives each role the user data the stacks render for it, through Terraform", () => {
    const cases: [PoolRole, Layout, Size][] = [
      ["web", "colocated", "medium"],
      ["web", "split", "small"],
      ["web", "nginx-balanced", "small"],
      ["app", "split", "large"],
      ["app", "nginx-balanced", "medium"],
      ["worker", "colocated", "xlarge"],
      ["beat", "colocated", "small"],
    ];
    for (const [role, layout, size] of cases) {
      const expected = renderUserData(
        { role, layout, size, application, domain: values.domain, healthCheckPath: "/healthz", allowFrom: ["10.30.0.0/16"], appDiscovery: role === "web" && layout === "nginx-balanced" ? groupDiscovery(appGroup) : undefined },
        awsHostDelivery(`/shop-production/${role}/environment`, `shop-production-${role}`),
      );
      expect({ role, layout, userData: userData(role, layout, size) }).toEqual({ role, layout, userData: expected });
    }
    // Over SQS, which carries no broadcast, a worker is ready once its process runs.
    const silent = evaluateUserData(read, "worker-without-remote-control", VPC, "10.30.0.0/16", { ...values, role: "worker", layout: "colocated", size: "small", celery_remote_control: false });
    expect(silent).toBe(
      renderUserData(
        { role: "worker", layout: "colocated", size: "small", application, domain: values.domain, healthCheckPath: "/healthz", allowFrom: ["10.30.0.0/16"], celeryRemoteControl: false },
        awsHostDelivery("/shop-production/worker/environment", "shop-production-worker"),
      ),
    );
    expect(silent).not.toBe(userData("worker", "colocated", "small"));
    expect(userData("worker", "colocated", "small", { worker_concurrency: 6, health_check_path: "/up" })).toBe(
      renderUserData(
        { role: "worker", layout: "colocated", size: "small", application, domain: values.domain, healthCheckPath: "/up", allowFrom: ["10.30.0.0/16"], workerConcurrency: 6 },
        awsHostDelivery("/shop-production/worker/environment", "shop-production-worker"),
      ),
    );
  });

  it("picks the role's user data, and keeps the stacks' launch template and rollout", () => {
    const main = hcl("main.tf");
    const template = main.one("aws_launch_template");
    // Each role and layout gets its own variant: app hosts differ only when nginx-balanced (they drain), workers and beat never.
    const given = (role: PoolRole, layout: Layout) => ({ ...values, role, layout, app_autoscaling_group_name: appGroup });
    const picked = (role: PoolRole, layout: Layout) => evaluateBase64(read, String(template.user_data).slice(2, -1), VPC, "10.30.0.0/16", given(role, layout));
    for (const [role, layout, variant] of [
      ["web", "colocated", "web-colocated"],
      ["web", "split", "web-split"],
      ["web", "nginx-balanced", "web-nginx-balanced"],
      ["app", "colocated", "app"],
      ["app", "nginx-balanced", "app-nginx-balanced"],
      ["worker", "nginx-balanced", "worker"],
    ] as const) {
      expect({ role, layout, picked: picked(role, layout) }).toEqual({ role, layout, picked: evaluateUserData(read, variant, VPC, "10.30.0.0/16", given(role, layout)) });
      // Gzipped by Terraform, within what EC2 takes.
      const sent = evaluateBytes(read, String(template.user_data).slice(2, -1), VPC, "10.30.0.0/16", given(role, layout)).length;
      expect({ role, layout, fits: sent <= EC2_USER_DATA_BYTES }).toEqual({ role, layout, fits: true });
    }
    const overSqs = { ...given("worker", "colocated"), celery_remote_control: false };
    expect(evaluateBase64(read, String(template.user_data).slice(2, -1), VPC, "10.30.0.0/16", overSqs)).toBe(evaluateUserData(read, "worker-without-remote-control", VPC, "10.30.0.0/16", overSqs));
    expect(template.metadata_options).toEqual([expect.objectContaining({ http_tokens: "required", http_put_response_hop_limit: 1 })]);
    expect(template.block_device_mappings[0].ebs).toEqual([expect.objectContaining({ encrypted: "true", volume_size: expr("var.disk_gib"), volume_type: "gp3" })]);
    const group = main.one("aws_autoscaling_group");
    expect(group).toMatchObject({
      health_check_type: expr('((length(var.target_group_arns) >= 1) && var.replace_on_load_balancer_health) ? "ELB" : "EC2"'),
      suspended_processes: expr('(var.role == "beat") ? ["AZRebalance"] : null'),
      instance_refresh: [expect.objectContaining({ preferences: [{ max_healthy_percentage: expr('(var.role == "beat") ? 100 : 200'), min_healthy_percentage: expr('(var.role == "beat") ? 0 : 100') }] })],
    });
    expect(group.lifecycle[0].precondition.map((p: { condition: string }) => p.condition).sort()).toEqual([expr('(!(var.role == "beat") || (var.max_instances == 1))'), expr("(var.min_instances <= var.max_instances)")]);
    // nginx-balanced web hosts: told the app pool's group, and their role may list it (LIST_HOSTS), nobody else's.
    expect(main.one("aws_ssm_parameter").lifecycle[0].precondition.map((p: { condition: string }) => p.condition)).toContainEqual(
      expr('(!((var.role == "web") && (var.layout == "nginx-balanced")) || (var.app_autoscaling_group_name != null))'),
    );
    expect(main.resources("aws_iam_role_policy").discover_app_hosts).toMatchObject({
      count: expr('((var.role == "web") && (var.layout == "nginx-balanced")) ? 1 : 0'),
      role: expr("aws_iam_role.pool_role.id"),
    });
    expect(JSON.parse(main.resources("aws_iam_role_policy").discover_app_hosts.policy).Statement).toEqual([LIST_HOSTS]);
    expect(main.one("aws_autoscaling_policy").count).toBe(expr("(var.max_instances > var.min_instances) ? 1 : 0"));
  });

  it("keeps the environment in SSM, lets the role read only the secrets named, and admits connections only on a served port", () => {
    const main = hcl("main.tf");
    expect(main.one("aws_ssm_parameter").value).toBe(expr('jsonencode({ "settings" = var.environment, "secrets" = { for key, val in var.secrets : key => { id = val.secret_arn, jsonKey = val.json_key } } })'));
    expect(main.resources("aws_iam_role_policy").pool_read_environment.policy).toContain(
      '(length([for key, val in var.secrets : val.secret_arn]) >= 1) ? [{ "Sid" = "ReadSecrets", "Effect" = "Allow", "Action" = ["secretsmanager:GetSecretValue"], "Resource" = [for key, val in var.secrets : val.secret_arn] }] : []',
    );
    expect(main.one("aws_vpc_security_group_ingress_rule")).toMatchObject({
      from_port: expr('contains(["web", "app"], var.role) ? { "web" = 80, "app" = 8000 }[var.role] : null'),
      count: expr('length(contains(["web", "app"], var.role) ? var.allowed_security_group_ids : [])'),
    });
  });

  it("refuses what the spec refuses", () => {
    expectRefused(module, {
      ...values,
      role: "db",
      layout: "mixed",
      app_autoscaling_group_name: "shop's app",
      container_image: "Shop Image",
      wsgi_module: "shop/wsgi.py",
      worker_concurrency: 0,
      max_instances: 0,
      cpu_target_percent: 95,
      environment: { debug: "1" },
      secrets: { SECRET_KEY: { secret_arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop-key" } },
    }, [
      'The role must be one of "web", "app", "worker", "beat".',
      'The layout must be one of "colocated", "split", "nginx-balanced".',
      "The app_autoscaling_group_name must be an autoscaling group name (letters, digits, dots, dashes and underscores).",
      'The container_image must be a container image reference such as "ghcr.io/acme/shop:1.4.2".',
      'The wsgi_module must be a WSGI callable such as "shop.wsgi:application".',
      "The worker_concurrency must be a whole number between 1 and 64.",
      "The max_instances must be a whole number between 1 and 100.",
      "The cpu_target_percent must be a whole number between 10 and 90.",
      "Every key of environment must be named like an environment variable (A-Z, 0-9, _; not starting with a digit).",
      "Every secret_arn of secrets must be a whole Secrets Manager secret ARN (ending in the six characters Secrets Manager appends).",
    ]);
    const secrets = { SECRET_KEY: { secret_arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop-key-AbCdEf" }, DATABASE_PASSWORD: { secret_arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf", json_key: "password" } };
    expect(problemsIn(checkValues(module, { ...values, role: "worker", worker_concurrency: 4, environment: { DJANGO_SETTINGS_MODULE: "shop.settings" }, secrets }))).toEqual([]);
  });
});
