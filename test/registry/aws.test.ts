import { PoolRole, Size } from "../../modules/core";
import { awsHostDelivery } from "../../modules/aws/host-delivery";
import { renderUserData } from "../../modules/django/host";
import { Layout } from "../../modules/django/spec";
import { blockOf, checkValues, evaluateUserData, expectRefused, problemsIn, useModule } from "./support";

describe("the AWS cache module", () => {
  const { read } = useModule("cloudtiers-cache", "aws");
  const main = read("main.tf");

  it("decides in Terraform what the stacks decide at synth: replicas, node type, engine, snapshots", () => {
    expect(main).toContain("num_cache_clusters         = var.high_availability ? 2 : 1");
    expect(main).toContain("automatic_failover_enabled = var.high_availability");
    expect(main).toContain('node_type                  = coalesce(var.node_type, { "small" = "cache.t4g.small", "medium" = "cache.t4g.medium", "large" = "cache.m7g.large", "xlarge" = "cache.m7g.xlarge" }[var.size])');
    expect(main).toContain('engine_version             = { "7" = "7.2", "8" = "8.0" }[var.engine_version]');
    expect(main).toContain('final_snapshot_identifier  = var.deletion_protection ? "${var.name_prefix}-cache-final" : null');
    expect(main).toContain("snapshot_retention_limit = var.deletion_protection ? 7 : 0");
    expect(main).toContain("recovery_window_in_days = var.deletion_protection ? 30 : 0");
  });

  it("keeps the stacks' secure defaults and admits only the security groups it is given", () => {
    expect(main).toContain("at_rest_encryption_enabled = \"true\"");
    expect(main).toContain("transit_encryption_enabled = true");
    expect(main).toContain("auth_token                 = random_password.cache_auth_token_password.result");
    // Counted, not keyed by id: the ids are other resources', unknown at plan.
    expect(main).toContain("count                        = length(var.allowed_security_group_ids)");
    expect(main).toContain("referenced_security_group_id = element(var.allowed_security_group_ids, count.index)");
    expect(main.match(/resource "aws_vpc_security_group_ingress_rule"/g)).toHaveLength(1);
  });
});

describe("the AWS PostgreSQL module", () => {
  const { module, read } = useModule("cloudtiers-postgres", "aws");


  it("makes the replicas Terraform's count and the pooler a submodule counted by pooling", () => {
    const main = read("main.tf");
    expect(main).toMatch(/resource "aws_db_instance" "postgres_replica" \{[^]*identifier\s+= "\$\{var.name_prefix\}-postgres-replica-\$\{\(count.index \+ 1\)\}"[^]*count = var.replicas\n\}/);
    expect(main).toMatch(/module "pooler" \{[^]*source\s+= "\.\/modules\/pooler"\n\s+count\s+= var.pooling \? 1 : 0\n\}/);
    expect(read("outputs.tf")).toContain("value       = aws_db_instance.postgres_replica[*].address");
    expect(read("outputs.tf")).toContain("value       = coalesce(var.pooling ? module.pooler[0].host : null, aws_db_instance.postgres_primary.address)");
    expect(read("modules/pooler/main.tf")).toContain('policy = "{\\"Version\\":\\"2012-10-17\\",\\"Statement\\":[{\\"Effect\\":\\"Allow\\",\\"Action\\":[\\"secretsmanager:GetSecretValue\\"],\\"Resource\\":[\\"${var.secret_arn}\\"]}]}"');
  });

  it("keeps the stacks' protections, decided by deletion_protection", () => {
    const main = read("main.tf");
    for (const line of [
      "deletion_protection         = var.deletion_protection",
      "delete_automated_backups    = !var.deletion_protection",
      "skip_final_snapshot       = !var.deletion_protection",
      'final_snapshot_identifier = var.deletion_protection ? "${var.name_prefix}-postgres-final" : null',
      "max_allocated_storage     = (var.storage_gib * 4)",
      "storage_encrypted         = true",
      "publicly_accessible       = false",
    ]) {
      expect(main).toContain(line);
    }
    expect(main).toContain('name  = "rds.force_ssl"');
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

describe("the AWS network module", () => {
  const { module, read } = useModule("cloudtiers-network", "aws");
  const main = read("main.tf");
  const block = (header: string) => blockOf(main, header);

  it("lays the subnets out as the stacks do, one per zone, counted by Terraform", () => {
    const az = "availability_zone = element(data.aws_availability_zones.network_zones.names, count.index)";
    for (const [tier, bits, first] of [["private", 4, 0], ["public", 8, 128], ["database", 8, 144]] as const) {
      const subnet = block(`resource "aws_subnet" "network_${tier}_subnet"`);
      expect(subnet).toContain(`cidr_block = cidrsubnet(var.cidr, ${bits}, (${first} + count.index))`);
      expect(subnet).toContain(az);
      expect(subnet).toContain("count = var.zones");
    }
  });

  it("makes a NAT gateway per zone or one for all, and routes each private subnet through its own or the only one", () => {
    const natCount = 'count = (var.nat_gateways == "single") ? 1 : var.zones';
    for (const header of ['resource "aws_eip" "network_nat_address"', 'resource "aws_nat_gateway" "network_nat_gateway"', 'resource "aws_route_table" "network_private_route_table"']) {
      expect(block(header)).toContain(natCount);
    }
    expect(block('resource "aws_nat_gateway" "network_nat_gateway"')).toContain("depends_on = [ aws_internet_gateway.network_internet_gateway, ]");
    expect(block('resource "aws_route_table_association" "network_private_subnet_routes"')).toContain("route_table_id = element(aws_route_table.network_private_route_table[*].id, count.index)");
    expect(block('resource "aws_vpc_endpoint" "network_s3_endpoint"')).toContain('service_name = "com.amazonaws.${data.aws_region.region.region}.s3"');
    // The database subnets' route table has no route at all.
    expect(block('resource "aws_route_table" "network_database_route_table"')).not.toContain("route {");
  });

  it("refuses what the spec refuses", () => {
    expectRefused(module, { name_prefix: "shop", cidr: "10.0.0.0/8", zones: 1, nat_gateways: "two" }, ["The cidr must be a /16 to /19 block.", "The zones must be a whole number between 2 and 3.", 'The nat_gateways must be one of "per-zone", "single".']);
    expect(checkValues(module, { name_prefix: "shop", cidr: "banana" })).toContain('The cidr must be an IPv4 CIDR block such as "10.0.0.0/16".');
    expect(problemsIn(checkValues(module, { name_prefix: "shop", cidr: "10.20.0.0/19", zones: 3, nat_gateways: "per-zone" }))).toEqual([]);
  });
});

describe("the AWS load balancer module", () => {
  const { module, read } = useModule("cloudtiers-load-balancer", "aws");
  const main = read("main.tf");

  it("serves HTTPS with the modern policy, redirects HTTP, drops invalid headers and checks the health path", () => {
    expect(blockOf(main, 'resource "aws_lb_listener" "load_balancer_https"')).toContain('certificate_arn = var.certificate_arn load_balancer_arn = aws_lb.load_balancer_load_balancer.arn port = 443 protocol = "HTTPS" ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06"');
    expect(blockOf(main, 'resource "aws_lb_listener" "load_balancer_http_redirect"')).toContain('redirect { port = "443" protocol = "HTTPS" status_code = "HTTP_301" }');
    const lb = blockOf(main, 'resource "aws_lb" "load_balancer_load_balancer"');
    for (const line of ["drop_invalid_header_fields = true", "idle_timeout = var.idle_timeout_seconds", "internal = false", 'load_balancer_type = "application"', "subnets = var.subnet_ids"]) expect(lb).toContain(line);
    const group = blockOf(main, 'resource "aws_lb_target_group" "load_balancer_target_group"');
    for (const line of ["deregistration_delay = var.drain_seconds", "port = var.target_port", 'matcher = "200"', "path = var.health_check_path"]) expect(group).toContain(line);
  });

  it("opens to the internet on 443 and 80 only, and reaches only the hosts' groups on the target port", () => {
    expect(main.match(/resource "aws_vpc_security_group_ingress_rule"/g)).toHaveLength(2);
    expect(blockOf(main, 'resource "aws_vpc_security_group_ingress_rule" "load_balancer_security_group_from_internet_443"')).toContain('cidr_ipv4 = "0.0.0.0/0"');
    const egress = blockOf(main, 'resource "aws_vpc_security_group_egress_rule" "load_balancer_security_group_to_security_groups"');
    for (const line of ["from_port = var.target_port", "to_port = var.target_port", "count = length(var.target_security_group_ids)"]) expect(egress).toContain(line);
  });

  it("refuses what the spec refuses", () => {
    const values = { name_prefix: "shop", vpc_id: "vpc-0123456789abcdef0", subnet_ids: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"] };
    expectRefused(module, { ...values, certificate_arn: "my-cert", health_check_path: "healthz", target_port: 0 }, ["The certificate_arn must be an ACM certificate ARN.", 'The health_check_path must be an absolute URL path such as "/healthz".', "The target_port must be a whole number between 1 and 65535."]);
  });
});

describe("the AWS certificate module", () => {
  const { module, read } = useModule("cloudtiers-certificate", "aws");
  const main = read("main.tf");

  it("validates every name through the zone with one record per validation option, and outputs the ARN only once validated", () => {
    const records = blockOf(main, 'resource "aws_route53_record" "certificate_validation_record"');
    expect(records).toContain("for_each = { for key, val in tolist(aws_acm_certificate.certificate_certificate.domain_validation_options) : val.domain_name => val }");
    expect(records).toContain("zone_id = var.zone_id");
    expect(blockOf(main, 'resource "aws_acm_certificate_validation" "certificate_validation"')).toContain(
      "validation_record_fqdns = [for key, val in aws_route53_record.certificate_validation_record : val.fqdn]",
    );
    expect(read("outputs.tf")).toContain("value       = aws_acm_certificate_validation.certificate_validation.certificate_arn");
    expect(blockOf(main, 'resource "aws_acm_certificate" "certificate_certificate"')).toContain("subject_alternative_names = var.alternative_names");
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
  const { read } = useModule("cloudtiers-dns-failover", "aws");
  const main = read("main.tf");

  it("checks the primary over HTTPS on its health path and fails over to the maintenance site", () => {
    const check = blockOf(main, 'resource "aws_route53_health_check" "dns_health_check"');
    for (const line of ["fqdn = var.primary_dns_name", "port = 443", "resource_path = var.health_check_path", 'type = "HTTPS"', "enable_sni = true"]) expect(check).toContain(line);
    const primary = blockOf(main, 'resource "aws_route53_record" "dns_primary"');
    expect(primary).toContain("health_check_id = aws_route53_health_check.dns_health_check.id");
    expect(primary).toContain('failover_routing_policy { type = "PRIMARY" }');
    const secondary = blockOf(main, 'resource "aws_route53_record" "dns_secondary"');
    expect(secondary).toContain('failover_routing_policy { type = "SECONDARY" }');
    expect(secondary).toContain("name = var.secondary_dns_name zone_id = var.secondary_zone_id");
  });
});

describe("the AWS object store module", () => {
  const { module, read } = useModule("cloudtiers-object-store", "aws");
  const main = read("main.tf");

  it("names the bucket as the stacks do and keeps it private, versioned and TLS-only", () => {
    const bucket = blockOf(main, 'resource "aws_s3_bucket" "store_store_bucket"');
    // A random suffix kept in state: nothing public predicts the name, and a second account's copy does not collide.
    expect(bucket).toContain('bucket = "${var.name_prefix}-${var.purpose}-${random_id.store_name_suffix.hex}"');
    expect(blockOf(main, 'resource "random_id" "store_name_suffix"')).toContain("byte_length = 4");
    expect(bucket).toContain("force_destroy = !var.deletion_protection");
    expect(blockOf(main, 'resource "aws_s3_bucket_public_access_block" "store_store_public_access_block"')).toContain("restrict_public_buckets = true");
    expect(blockOf(main, 'resource "aws_s3_bucket_policy" "store_store_policy"')).toContain('\\"aws:SecureTransport\\":\\"false\\"');
    expect(blockOf(main, 'resource "aws_cloudfront_distribution" "store_store_distribution"')).toContain('minimum_protocol_version = "TLSv1.2_2021"');
  });

  it("adds CORS at the edge only when origins are given, and grants each listed role read-write", () => {
    for (const header of ['resource "aws_s3_bucket_cors_configuration" "store_store_cors"', 'resource "aws_cloudfront_response_headers_policy" "store_store_response_headers"']) {
      expect(blockOf(main, header)).toContain("count = (length(var.cors_origins) >= 1) ? 1 : 0");
    }
    expect(blockOf(main, 'resource "aws_cloudfront_distribution" "store_store_distribution"')).toContain(
      'response_headers_policy_id = coalesce(one(aws_cloudfront_response_headers_policy.store_store_response_headers[*].id), "67f7725c-6f97-4210-82d7-5512b31e9d03")',
    );
    const grant = blockOf(main, 'resource "aws_iam_role_policy" "store_roles_read_write"');
    expect(grant).toContain("count = length(var.read_write_role_ids)");
    expect(grant).toContain("role = element(var.read_write_role_ids, count.index)");
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
  const { module, read } = useModule("cloudtiers-compute-pool", "aws");
  const main = read("main.tf");
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

  const userData = (role: PoolRole, layout: string, size: string, extra: Record<string, unknown> = {}) =>
    evaluateUserData(read, role === "web" ? `web-${layout}` : role, "data.aws_vpc.vpc.cidr_block", "10.30.0.0/16", { ...values, role, layout, size, ...extra });

  it("gives each role the user data the stacks render for it, through Terraform", () => {
    const cases: [PoolRole, Layout, Size][] = [["web", "colocated", "medium"], ["web", "split", "small"], ["app", "split", "large"], ["worker", "colocated", "xlarge"], ["beat", "colocated", "small"]];
    for (const [role, layout, size] of cases) {
      const expected = renderUserData(
        { role, layout, size, application, domain: values.domain, healthCheckPath: "/healthz", allowFrom: ["10.30.0.0/16"] },
        awsHostDelivery(`/shop-production/${role}/environment`, `shop-production-${role}`),
      );
      expect({ role, layout, userData: userData(role, layout, size) }).toEqual({ role, layout, userData: expected });
    }
    expect(userData("worker", "colocated", "small", { worker_concurrency: 6, health_check_path: "/up" })).toBe(
      renderUserData(
        { role: "worker", layout: "colocated", size: "small", application, domain: values.domain, healthCheckPath: "/up", allowFrom: ["10.30.0.0/16"], workerConcurrency: 6 },
        awsHostDelivery("/shop-production/worker/environment", "shop-production-worker"),
      ),
    );
  });

  it("picks the role's user data, and keeps the stacks' launch template and rollout", () => {
    const template = blockOf(main, 'resource "aws_launch_template" "pool_launch_template"');
    expect(template).toContain(
      'user_data = base64encode({ "web-colocated" = local.user_data_web_colocated, "web-split" = local.user_data_web_split, "app" = local.user_data_app, "worker" = local.user_data_worker, "beat" = local.user_data_beat }[(var.role == "web") ? format("web-%s", var.layout) : var.role])',
    );
    for (const line of ['http_tokens = "required"', "http_put_response_hop_limit = 1", 'encrypted = "true"', "volume_size = var.disk_gib", 'volume_type = "gp3"']) expect(template).toContain(line);
    const group = blockOf(main, 'resource "aws_autoscaling_group" "pool_group"');
    for (const line of [
      'health_check_type = ((length(var.target_group_arns) >= 1) && var.replace_on_load_balancer_health) ? "ELB" : "EC2"',
      'suspended_processes = (var.role == "beat") ? ["AZRebalance"] : null',
      'max_healthy_percentage = (var.role == "beat") ? 100 : 200',
      'min_healthy_percentage = (var.role == "beat") ? 0 : 100',
      "condition = (!(var.role == \"beat\") || (var.max_instances == 1))",
      "condition = (var.min_instances <= var.max_instances)",
    ]) {
      expect(group).toContain(line);
    }
    expect(blockOf(main, 'resource "aws_autoscaling_policy" "pool_cpu_target"')).toContain("count = (var.max_instances > var.min_instances) ? 1 : 0");
  });

  it("keeps the environment in SSM, lets the role read only the secrets named, and admits connections only on a served port", () => {
    expect(blockOf(main, 'resource "aws_ssm_parameter" "pool_environment"')).toContain(
      'value = jsonencode({ "settings" = var.environment, "secrets" = { for key, val in var.secrets : key => { id = val.secret_arn, jsonKey = val.json_key } } })',
    );
    expect(blockOf(main, 'resource "aws_iam_role_policy" "pool_read_environment"')).toContain(
      '(length([for key, val in var.secrets : val.secret_arn]) >= 1) ? [{ "Sid" = "ReadSecrets", "Effect" = "Allow", "Action" = ["secretsmanager:GetSecretValue"], "Resource" = [for key, val in var.secrets : val.secret_arn] }] : []',
    );
    const ingress = blockOf(main, 'resource "aws_vpc_security_group_ingress_rule" "pool_security_group_from_security_groups"');
    expect(ingress).toContain('from_port = contains(["web", "app"], var.role) ? { "web" = 80, "app" = 8000 }[var.role] : null');
    expect(ingress).toContain('count = length(contains(["web", "app"], var.role) ? var.allowed_security_group_ids : [])');
  });

  it("refuses what the spec refuses", () => {
    expectRefused(module, {
      ...values,
      role: "db",
      layout: "mixed",
      container_image: "Shop Image",
      wsgi_module: "shop/wsgi.py",
      worker_concurrency: 0,
      max_instances: 0,
      cpu_target_percent: 95,
      environment: { debug: "1" },
      secrets: { SECRET_KEY: { secret_arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop-key" } },
    }, [
      'The role must be one of "web", "app", "worker", "beat".',
      'The layout must be one of "colocated", "split".',
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
