import { Config } from "../helpers";
import { checkValues, expectRefused, expr, problemsIn, protectedResources, useModule } from "./support";

const VPC_UUID = "c2a5e4f0-1b3d-4e6f-8a9b-0c1d2e3f4a5b";
const TAGS = ["shop-production-app", "shop-production-worker"];
const SIZE_TABLE = '{ "small" = "db-s-1vcpu-2gb", "medium" = "db-s-2vcpu-4gb", "large" = "db-s-4vcpu-8gb", "xlarge" = "db-s-6vcpu-16gb" }';
/** A database firewall's rules: one `tag` rule per item of `allowed_droplet_tags`, and nothing else. */
const TRUSTS_ONLY_TAGS = { dynamic: { rule: [{ for_each: expr("toset(var.allowed_droplet_tags)"), iterator: expr("each"), content: [{ type: "tag", value: expr("each.value") }] }] } };

describe("the DigitalOcean network module", () => {
  const { module, hcl } = useModule("cloudtiers-network", "digitalocean");

  it("makes the VPC as the stacks do, from the variables", () => {
    expect(hcl("main.tf").one("digitalocean_vpc")).toMatchObject({
      description: "${var.name_prefix}: managed by cloudtiers",
      ip_range: expr("var.cidr"),
      name: expr("var.name_prefix"),
      region: expr("var.region"),
    });
    expect(hcl("outputs.tf").outputs.vpc_uuid.value).toBe(expr("digitalocean_vpc.network_vpc.id"));
  });

  it("refuses what the spec refuses", () => {
    expectRefused(module, { name_prefix: "shop", region: "mars1", cidr: "10.0.0.0/8" }, ["The region must be one of", "The cidr must be a /16 to /19 block."]);
    expect(checkValues(module, { name_prefix: "shop", region: "fra1", cidr: "banana" })).toContain('The cidr must be an IPv4 CIDR block such as "10.0.0.0/16".');
    expect(problemsIn(checkValues(module, { name_prefix: "shop", region: "ams3", cidr: "10.20.0.0/19" }))).toEqual([]);
  });
});

describe("the DigitalOcean PostgreSQL module", () => {
  const { module, hcl, read } = useModule("cloudtiers-postgres", "digitalocean");
  const resource = (type: string, name: string) => hcl("main.tf").resources(type)[name];
  const preconditions = (r: Config) => r.lifecycle[0].precondition.map((p: Config) => p.condition);

  it("decides in Terraform what the stacks decide at synth: standby, sizes, replicas, pool, disaster recovery", () => {
    expect(resource("digitalocean_database_cluster", "postgres_cluster")).toMatchObject({
      node_count: expr("var.high_availability ? 2 : 1"),
      size: expr(`coalesce(var.node_size, ${SIZE_TABLE}[var.size])`),
      private_network_uuid: expr("var.vpc_uuid"),
      engine: "pg",
      version: expr("var.engine_version"),
    });
    expect(resource("digitalocean_database_replica", "postgres_replica")).toMatchObject({
      name: "${var.name_prefix}-postgres-replica-${(count.index + 1)}",
      size: expr(`${SIZE_TABLE}[coalesce(var.replica_size, var.size)]`),
      private_network_uuid: expr("var.vpc_uuid"),
      count: expr("var.replicas"),
    });
    const dr = resource("digitalocean_database_replica", "postgres_disaster_recovery");
    expect(dr).toMatchObject({ region: expr("var.disaster_recovery_region"), count: expr("(var.disaster_recovery_region != null) ? 1 : 0") });
    expect(dr.private_network_uuid).toBeUndefined();
    expect(resource("digitalocean_database_connection_pool", "postgres_pooler")).toMatchObject({
      mode: "transaction",
      size: expr('{ "small" = 20, "medium" = 45, "large" = 95, "xlarge" = 190 }[var.size]'),
      count: expr("var.pooling ? 1 : 0"),
    });
  });

  it("gives the cluster and every replica trusted sources naming only the droplet tags", () => {
    const firewalls = hcl("main.tf").resources("digitalocean_database_firewall");
    expect(firewalls).toEqual({
      postgres_trusted_sources_firewall: { cluster_id: expr("digitalocean_database_cluster.postgres_cluster.id"), ...TRUSTS_ONLY_TAGS },
      postgres_trusted_sources_replica: { cluster_id: expr("element(digitalocean_database_replica.postgres_replica[*].uuid, count.index)"), count: expr("var.replicas"), ...TRUSTS_ONLY_TAGS },
      postgres_trusted_sources_disaster_recovery: {
        cluster_id: expr("one(digitalocean_database_replica.postgres_disaster_recovery[*].uuid)"),
        count: expr("(var.disaster_recovery_region != null) ? 1 : 0"),
        ...TRUSTS_ONLY_TAGS,
      },
    });
  });

  it("checks at plan what variables cannot: replicas at least the primary's size, disaster recovery in another region", () => {
    const atLeastPrimary = expr('(index(["small", "medium", "large", "xlarge"], coalesce(var.replica_size, var.size)) >= index(["small", "medium", "large", "xlarge"], var.size))');
    expect(preconditions(resource("digitalocean_database_replica", "postgres_replica"))).toEqual([atLeastPrimary]);
    expect(resource("digitalocean_database_replica", "postgres_disaster_recovery").lifecycle[0].precondition).toContainEqual({
      condition: expr("(var.disaster_recovery_region != var.region)"),
      error_message: "The disaster_recovery_region must differ from region.",
    });
  });

  it("writes through the pool when pooling is on, on the pool's port", () => {
    const outputs = hcl("outputs.tf").outputs;
    expect(outputs.write_host.value).toBe(expr("coalesce(one(digitalocean_database_connection_pool.postgres_pooler[*].private_host), digitalocean_database_cluster.postgres_cluster.private_host)"));
    expect(outputs.write_port.value).toBe(expr("var.pooling ? 25061 : 25060"));
    expect(outputs.replica_hosts.value).toBe(expr("digitalocean_database_replica.postgres_replica[*].private_host"));
    expect(outputs.password.sensitive).toBe(true);
  });

  it("has no switch it cannot honour: no deletion protection, backup retention or storage", () => {
    expect(protectedResources(hcl("main.tf"))).toEqual([]);
    for (const name of ["deletion_protection", "backup_retention_days", "storage_gib"]) expect({ name, declared: name in hcl("variables.tf").json.variable }).toEqual({ name, declared: false });
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
  const { module, hcl } = useModule("cloudtiers-cache", "digitalocean");

  it("decides the standby and the node size in Terraform, and trusts only the droplet tags", () => {
    const main = hcl("main.tf");
    const cluster = main.one("digitalocean_database_cluster");
    expect(cluster).toMatchObject({
      engine: "valkey",
      eviction_policy: "volatile_lru",
      node_count: expr("var.high_availability ? 2 : 1"),
      size: expr(`coalesce(var.node_size, ${SIZE_TABLE}[var.size])`),
      private_network_uuid: expr("var.vpc_uuid"),
      project_id: expr("var.project_id"),
    });
    expect(cluster.lifecycle).toBeUndefined();
    expect(main.one("digitalocean_database_firewall")).toEqual({ cluster_id: expr("digitalocean_database_cluster.cache_cluster.id"), ...TRUSTS_ONLY_TAGS });
    expect(hcl("outputs.tf").outputs.url.value).toBe("rediss://${digitalocean_database_cluster.cache_cluster.private_host}:25061/0");
  });

  it("refuses what the spec refuses", () => {
    const values = { name_prefix: "shop", region: "fra1", vpc_uuid: VPC_UUID, allowed_droplet_tags: TAGS };
    expectRefused(module, { ...values, size: "huge", engine_version: "6", region: "us-east-1" }, ['The size must be one of "small", "medium", "large", "xlarge".', 'The engine_version must be one of "7", "8".', "The region must be one of"]);
    expect(problemsIn(checkValues(module, { ...values, size: "large", high_availability: true, node_size: "db-s-2vcpu-4gb" }))).toEqual([]);
  });
});

describe("the DigitalOcean object store module", () => {
  const { module, hcl } = useModule("cloudtiers-object-store", "digitalocean");
  const resource = (type: string) => hcl("main.tf").one(type);

  it("names the bucket as the stacks do and keeps it versioned, with old versions expired", () => {
    expect(resource("digitalocean_spaces_bucket")).toMatchObject({
      name: "${var.name_prefix}-${var.purpose}-${random_id.store_name_suffix.hex}",
      acl: "private",
      force_destroy: expr("!var.deletion_protection"),
      lifecycle_rule: [expect.objectContaining({ enabled: true, noncurrent_version_expiration: [{ days: expr("var.noncurrent_version_days") }] })],
      versioning: [{ enabled: true }],
    });
    expect(protectedResources(hcl("main.tf"))).toEqual([]);
    expect(resource("random_id").byte_length).toBe(4);
    expect(resource("digitalocean_cdn").origin).toBe(expr("digitalocean_spaces_bucket.store_bucket.bucket_domain_name"));
    expect(resource("digitalocean_spaces_key").grant).toEqual([{ bucket: expr("digitalocean_spaces_bucket.store_bucket.name"), permission: "readwrite" }]);
  });

  it("adds CORS only when origins are given, and joins the project only when one is given", () => {
    expect(resource("digitalocean_spaces_bucket_cors_configuration")).toMatchObject({
      cors_rule: [expect.objectContaining({ allowed_origins: expr("var.cors_origins") })],
      count: expr("(length(var.cors_origins) >= 1) ? 1 : 0"),
    });
    expect(resource("digitalocean_project_resources").count).toBe(expr("(var.project_id != null) ? 1 : 0"));
    expect(hcl("outputs.tf").outputs.secret_access_key.sensitive).toBe(true);
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
