import { blockOf, checkValues, expectRefused, problemsIn, useModule } from "./support";

const VPC_UUID = "c2a5e4f0-1b3d-4e6f-8a9b-0c1d2e3f4a5b";
const TAGS = ["shop-production-app", "shop-production-worker"];
const SIZE_TABLE = '{ "small" = "db-s-1vcpu-2gb", "medium" = "db-s-2vcpu-4gb", "large" = "db-s-4vcpu-8gb", "xlarge" = "db-s-6vcpu-16gb" }';
const TRUSTED_TAGS = 'dynamic "rule" { for_each = toset(var.allowed_droplet_tags) iterator = each content { type = "tag" value = each.value } }';

describe("the DigitalOcean network module", () => {
  const { module, read } = useModule("cloudtiers-network", "digitalocean");

  it("makes the VPC as the stacks do, from the variables", () => {
    const vpc = blockOf(read("main.tf"), 'resource "digitalocean_vpc" "network_vpc"');
    for (const line of ['description = "${var.name_prefix}: managed by cloudtiers"', "ip_range = var.cidr", "name = var.name_prefix", "region = var.region"]) expect(vpc).toContain(line);
    expect(read("outputs.tf")).toContain("value       = digitalocean_vpc.network_vpc.id");
  });

  it("refuses what the spec refuses", () => {
    expectRefused(module, { name_prefix: "shop", region: "mars1", cidr: "10.0.0.0/8" }, ["The region must be one of", "The cidr must be a /16 to /19 block."]);
    expect(checkValues(module, { name_prefix: "shop", region: "fra1", cidr: "banana" })).toContain('The cidr must be an IPv4 CIDR block such as "10.0.0.0/16".');
    expect(problemsIn(checkValues(module, { name_prefix: "shop", region: "ams3", cidr: "10.20.0.0/19" }))).toEqual([]);
  });
});

describe("the DigitalOcean PostgreSQL module", () => {
  const { module, read } = useModule("cloudtiers-postgres", "digitalocean");
  const main = read("main.tf");
  const block = (header: string) => blockOf(main, header);

  it("decides in Terraform what the stacks decide at synth: standby, sizes, replicas, pool, disaster recovery", () => {
    const cluster = block('resource "digitalocean_database_cluster" "postgres_cluster"');
    for (const line of [
      "node_count = var.high_availability ? 2 : 1",
      `size = coalesce(var.node_size, ${SIZE_TABLE}[var.size])`,
      "private_network_uuid = var.vpc_uuid",
      'engine = "pg"',
      "version = var.engine_version",
    ]) {
      expect(cluster).toContain(line);
    }
    const replica = block('resource "digitalocean_database_replica" "postgres_replica"');
    expect(replica).toContain('name = "${var.name_prefix}-postgres-replica-${(count.index + 1)}"');
    expect(replica).toContain(`size = ${SIZE_TABLE}[coalesce(var.replica_size, var.size)]`);
    expect(replica).toContain("private_network_uuid = var.vpc_uuid");
    expect(replica).toContain("count = var.replicas");
    const dr = block('resource "digitalocean_database_replica" "postgres_disaster_recovery"');
    expect(dr).toContain("region = var.disaster_recovery_region");
    expect(dr).not.toContain("private_network_uuid");
    expect(dr).toContain("count = (var.disaster_recovery_region != null) ? 1 : 0");
    const pool = block('resource "digitalocean_database_connection_pool" "postgres_pooler"');
    for (const line of ['mode = "transaction"', 'size = { "small" = 20, "medium" = 45, "large" = 95, "xlarge" = 190 }[var.size]', "count = var.pooling ? 1 : 0"]) expect(pool).toContain(line);
  });

  it("gives the cluster and every replica trusted sources naming only the droplet tags", () => {
    expect(block('resource "digitalocean_database_firewall" "postgres_trusted_sources_firewall"')).toContain(
      `cluster_id = digitalocean_database_cluster.postgres_cluster.id ${TRUSTED_TAGS}`,
    );
    const replicas = block('resource "digitalocean_database_firewall" "postgres_trusted_sources_replica"');
    expect(replicas).toContain(`cluster_id = element(digitalocean_database_replica.postgres_replica[*].uuid, count.index) ${TRUSTED_TAGS} count = var.replicas`);
    expect(block('resource "digitalocean_database_firewall" "postgres_trusted_sources_disaster_recovery"')).toContain(
      `cluster_id = one(digitalocean_database_replica.postgres_disaster_recovery[*].uuid) ${TRUSTED_TAGS} count = (var.disaster_recovery_region != null) ? 1 : 0`,
    );
    expect(main.match(/resource "digitalocean_database_firewall"/g)).toHaveLength(3);
  });

  it("checks at plan what variables cannot: replicas at least the primary's size, disaster recovery in another region", () => {
    expect(block('resource "digitalocean_database_replica" "postgres_replica"')).toContain(
      'precondition { condition = (index(["small", "medium", "large", "xlarge"], coalesce(var.replica_size, var.size)) >= index(["small", "medium", "large", "xlarge"], var.size))',
    );
    expect(block('resource "digitalocean_database_replica" "postgres_disaster_recovery"')).toContain(
      'precondition { condition = (var.disaster_recovery_region != var.region) error_message = "The disaster_recovery_region must differ from region." }',
    );
  });

  it("writes through the pool when pooling is on, on the pool's port", () => {
    const outputs = read("outputs.tf");
    expect(outputs).toContain("value       = coalesce(one(digitalocean_database_connection_pool.postgres_pooler[*].private_host), digitalocean_database_cluster.postgres_cluster.private_host)");
    expect(outputs).toContain("value       = var.pooling ? 25061 : 25060");
    expect(outputs).toContain("value       = digitalocean_database_replica.postgres_replica[*].private_host");
    expect(blockOf(outputs, 'output "password"')).toContain("sensitive = true");
  });

  it("has no switch it cannot honour: no deletion protection, backup retention or storage", () => {
    expect(main).not.toContain("prevent_destroy");
    expect(read("variables.tf")).not.toMatch(/variable "(deletion_protection|backup_retention_days|storage_gib)"/);
    expect(read("README.md")).toContain("No `deletion_protection` input: DigitalOcean's managed databases have no deletion-protection flag");
  });

  it("refuses what the spec refuses", () => {
    const values = { name_prefix: "shop-production", region: "fra1", vpc_uuid: VPC_UUID, allowed_droplet_tags: TAGS };
    expectRefused(module, {
      ...values,
      vpc_uuid: "vpc-1",
      allowed_droplet_tags: ["app pool"],
      replicas: 6,
      engine_version: "14",
      replica_size: "tiny",
      node_size: "DB_LARGE",
      disaster_recovery_region: "mars1",
      project_id: "default",
      database_name: "App-DB",
    }, [
      'The vpc_uuid must be a VPC id (a UUID such as "c2a5e4f0-1b3d-4e6f-8a9b-0c1d2e3f4a5b").',
      "Every item of allowed_droplet_tags must be a droplet tag (letters, digits, colons, dashes and underscores).",
      "The replicas must be a whole number between 0 and 5.",
      'The engine_version must be one of "15", "16", "17".',
      'The replica_size must be one of "small", "medium", "large", "xlarge".',
      'The node_size must be a DigitalOcean size slug such as "db-s-2vcpu-4gb".',
      'The disaster_recovery_region must be one of "ams3",',
      "The project_id must be a project id (a UUID).",
      "The database_name must be a PostgreSQL identifier (lower-case letters, digits and _).",
    ]);
    expect(checkValues(module, { ...values, allowed_droplet_tags: [] })).toContain("The allowed_droplet_tags must hold at least 1 droplet tag.");
    expect(
      problemsIn(checkValues(module, { ...values, replicas: 2, pooling: true, high_availability: true, size: "medium", replica_size: "large", disaster_recovery_region: "ams3", project_id: VPC_UUID })),
    ).toEqual([]);
  });
});

describe("the DigitalOcean cache module", () => {
  const { module, read } = useModule("cloudtiers-cache", "digitalocean");
  const main = read("main.tf");

  it("decides the standby and the node size in Terraform, and trusts only the droplet tags", () => {
    const cluster = blockOf(main, 'resource "digitalocean_database_cluster" "cache_cluster"');
    for (const line of [
      'engine = "valkey"',
      'eviction_policy = "volatile_lru"',
      "node_count = var.high_availability ? 2 : 1",
      `size = coalesce(var.node_size, ${SIZE_TABLE}[var.size])`,
      "private_network_uuid = var.vpc_uuid",
      "project_id = var.project_id",
    ]) {
      expect(cluster).toContain(line);
    }
    expect(cluster).not.toContain("lifecycle");
    expect(blockOf(main, 'resource "digitalocean_database_firewall" "cache_trusted_sources_firewall"')).toContain(`cluster_id = digitalocean_database_cluster.cache_cluster.id ${TRUSTED_TAGS}`);
    expect(read("outputs.tf")).toContain('value       = "rediss://${digitalocean_database_cluster.cache_cluster.private_host}:25061/0"');
  });

  it("refuses what the spec refuses", () => {
    const values = { name_prefix: "shop", region: "fra1", vpc_uuid: VPC_UUID, allowed_droplet_tags: TAGS };
    expectRefused(module, { ...values, size: "huge", engine_version: "6", region: "us-east-1" }, ['The size must be one of "small", "medium", "large", "xlarge".', 'The engine_version must be one of "7", "8".', "The region must be one of"]);
    expect(problemsIn(checkValues(module, { ...values, size: "large", high_availability: true, node_size: "db-s-2vcpu-4gb" }))).toEqual([]);
  });
});

describe("the DigitalOcean object store module", () => {
  const { module, read } = useModule("cloudtiers-object-store", "digitalocean");
  const main = read("main.tf");

  it("names the bucket as the stacks do and keeps it versioned, with old versions expired", () => {
    const bucket = blockOf(main, 'resource "digitalocean_spaces_bucket" "store_bucket"');
    for (const line of [
      'name = "${var.name_prefix}-${var.purpose}-${random_id.store_name_suffix.hex}"',
      'acl = "private"',
      "force_destroy = !var.deletion_protection",
      "noncurrent_version_expiration { days = var.noncurrent_version_days }",
      "versioning { enabled = true }",
    ]) {
      expect(bucket).toContain(line);
    }
    expect(bucket).not.toContain("prevent_destroy");
    expect(blockOf(main, 'resource "random_id" "store_name_suffix"')).toContain("byte_length = 4");
    expect(blockOf(main, 'resource "digitalocean_cdn" "store_cdn"')).toContain("origin = digitalocean_spaces_bucket.store_bucket.bucket_domain_name");
    expect(blockOf(main, 'resource "digitalocean_spaces_key" "store_key"')).toContain('grant { bucket = digitalocean_spaces_bucket.store_bucket.name permission = "readwrite" }');
  });

  it("adds CORS only when origins are given, and joins the project only when one is given", () => {
    const cors = blockOf(main, 'resource "digitalocean_spaces_bucket_cors_configuration" "store_cors"');
    expect(cors).toContain("allowed_origins = var.cors_origins");
    expect(cors).toContain("count = (length(var.cors_origins) >= 1) ? 1 : 0");
    expect(blockOf(main, 'resource "digitalocean_project_resources" "store_project"')).toContain("count = (var.project_id != null) ? 1 : 0");
    expect(blockOf(read("outputs.tf"), 'output "secret_access_key"')).toContain("sensitive = true");
  });

  it("refuses what the spec refuses", () => {
    const values = { name_prefix: "shop", region: "fra1", purpose: "media", cdn_domain: "media.example.com" };
    expectRefused(module, { ...values, purpose: "logs", cdn_domain: "Media.example.com", cors_origins: ["http://www.example.com"], noncurrent_version_days: 0 }, [
      'The purpose must be one of "media", "static".',
      'The cdn_domain must be a lower-case domain name such as "www.example.com".',
      'Every item of cors_origins must be an https origin such as "https://www.example.com".',
      "The noncurrent_version_days must be a whole number between 1 and 3650.",
    ]);
    expect(problemsIn(checkValues(module, { ...values, cors_origins: ["https://www.example.com"], noncurrent_version_days: 90, deletion_protection: false }))).toEqual([]);
  });
});
