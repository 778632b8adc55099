import { TerraformOutput } from "cdktf";
import { DO_DATABASE_PORT, DO_POOL_PORT } from "../../modules/digitalocean/sizes";
import { doFixture, fetchScriptHost, ref, synth } from "../helpers";

function postgres(opts: { protect: boolean; highAvailability: boolean; replicas: number; pooling: boolean; backupRetentionDays?: number }, dr?: string) {
  const f = doFixture({ disasterRecoveryRegion: dr });
  const db = f.factory.createPostgres(f.stack, "postgres", {
    namePrefix: f.namePrefix,
    network: f.network,
    size: "large",
    replicaSize: "medium",
    version: "16",
    storageGiB: 100,
    highAvailability: opts.highAvailability,
    replicas: opts.replicas,
    pooling: opts.pooling,
    backupRetentionDays: opts.backupRetentionDays ?? 7,
    databaseName: "app",
    username: "app",
    deletionProtection: opts.protect,
  });
  const worker = f.factory.createComputePool(f.stack, "worker", {
    namePrefix: f.namePrefix,
    network: f.network,
    role: "worker",
    size: "small",
    minInstances: 1,
    maxInstances: 2,
    host: fetchScriptHost(),
  });
  db.allowFrom(worker);
  return { f, db, s: synth(f.stack) };
}

const production = { protect: true, highAvailability: true, replicas: 2, pooling: true };

describe("DigitalOcean PostgreSQL", () => {
  it("is a private cluster on the VPC with a standby node when highly available, protected from destroy", () => {
    const { s } = postgres(production);
    expect(s.one("digitalocean_database_cluster", "postgres")).toMatchObject({
      name: "shop-test-postgres",
      engine: "pg",
      version: "16",
      size: "db-s-4vcpu-8gb",
      node_count: 2,
      region: "fra1",
      private_network_uuid: ref(s.address("digitalocean_vpc"), "id"),
      lifecycle: { prevent_destroy: true },
    });
    expect(postgres({ ...production, highAvailability: false }).s.one("digitalocean_database_cluster", "postgres").node_count).toBe(1);
    // PROVIDER GAP: storage follows the node size; there is no deletion-protection flag or final snapshot.
    expect(s.one("digitalocean_database_cluster", "postgres").storage_size_mib).toBeUndefined();
  });

  it("creates the application's database and user; the password stays a reference to state", () => {
    const { s, db } = postgres(production);
    const cluster = ref(s.address("digitalocean_database_cluster", "postgres"), "id");
    expect(s.one("digitalocean_database_db", "postgres")).toMatchObject({ cluster_id: cluster, name: "app" });
    expect(s.one("digitalocean_database_user", "postgres")).toMatchObject({ cluster_id: cluster, name: "app" });
    expect(db.password).toMatchObject({ store: "terraform-state", location: expect.stringMatching(/^terraform-state:digitalocean_database_user\.[A-Za-z0-9_-]+\.password$/) });
  });

  it("creates N read replicas of the primary on the VPC, and one more in the disaster-recovery region", () => {
    const { s, db } = postgres(production, "ams3");
    const cluster = ref(s.address("digitalocean_database_cluster", "postgres"), "id");
    const replicas = s.where("digitalocean_database_replica", "postgres_replica");
    expect(replicas).toHaveLength(2);
    for (const r of replicas) {
      expect(r).toMatchObject({ cluster_id: cluster, size: "db-s-2vcpu-4gb", region: "fra1", private_network_uuid: ref(s.address("digitalocean_vpc"), "id") });
    }
    const dr = s.one("digitalocean_database_replica", "postgres_disaster-recovery");
    expect(dr).toMatchObject({ cluster_id: cluster, region: "ams3", name: "shop-test-postgres-dr" });
    expect(dr.private_network_uuid).toBeUndefined();
    expect(db.replicas).toHaveLength(2);
    expect(db.replicas.every((r) => r.port === DO_DATABASE_PORT)).toBe(true);
  });

  it("pools connections with PgBouncer in transaction mode, sized for the node, as the write endpoint", () => {
    const { s, db } = postgres(production);
    expect(s.one("digitalocean_database_connection_pool", "postgres")).toMatchObject({
      mode: "transaction",
      size: 95,
      // The database's reference orders the pool after it (terraform-provider-digitalocean#381, #925).
      db_name: ref(s.address("digitalocean_database_db", "postgres"), "name"),
      user: ref(s.address("digitalocean_database_user", "postgres"), "name"),
    });
    expect(db.pooler?.port).toBe(DO_POOL_PORT);
    expect(postgres({ ...production, pooling: false }).s.where("digitalocean_database_connection_pool")).toHaveLength(0);
  });

  it("PROVIDER GAP: replicas have no pools of their own, so reads connect to them directly", () => {
    const { s, db, f } = postgres(production);
    const pools = s.where("digitalocean_database_connection_pool");
    expect(pools.map((p) => p.cluster_id)).toEqual([ref(s.address("digitalocean_database_cluster", "postgres"), "id")]);
    const replicaHosts = Object.keys(s.resources("digitalocean_database_replica")).map((id) => ref(`digitalocean_database_replica.${id}`, "private_host"));
    new TerraformOutput(f.stack, "replica-hosts", { value: db.replicas.map((r) => r.host) });
    expect(synth(f.stack).outputs["replica-hosts"].value).toEqual(replicaHosts);
    expect(db.replicas.map((r) => r.port)).toEqual([DO_DATABASE_PORT, DO_DATABASE_PORT]);
  });

  it("trusts only the tags of the pools it admits, on the primary and on every replica", () => {
    const { s } = postgres(production, "ams3");
    const nodes = [
      ref(s.address("digitalocean_database_cluster", "postgres"), "id"),
      ref(s.address("digitalocean_database_replica", "postgres_replica-1"), "uuid"),
      ref(s.address("digitalocean_database_replica", "postgres_replica-2"), "uuid"),
      ref(s.address("digitalocean_database_replica", "postgres_disaster-recovery"), "uuid"),
    ];
    const firewalls = s.where("digitalocean_database_firewall");
    expect(firewalls.map((f) => f.cluster_id).sort()).toEqual(nodes.sort());
    for (const f of firewalls) expect(f.rule).toEqual([{ type: "tag", value: ref(s.address("digitalocean_tag", "worker/tag"), "name") }]);
  });

  it("says, at synth, that it cannot keep backups other than 7 days (PROVIDER GAP)", () => {
    const { f } = postgres({ ...production, backupRetentionDays: 14 });
    const warnings = f.stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => m.data));
    expect(warnings).toEqual(["PROVIDER GAP: DigitalOcean keeps PostgreSQL backups for 7 days; postgres.backupRetentionDays asks for 14"]);
    expect(postgres(production).f.stack.node.findAll().some((c) => c.node.metadata.some((m) => m.type === "@cdktf/warn"))).toBe(false);
  });
});

describe("DigitalOcean Valkey", () => {
  it("is a private Valkey cluster with TLS, a standby when highly available, volatile-lru eviction, trusted tags only", () => {
    const f = doFixture();
    const cache = f.factory.createCache(f.stack, "cache", { namePrefix: f.namePrefix, network: f.network, size: "medium", highAvailability: true, version: "8", deletionProtection: true });
    const app = f.factory.createComputePool(f.stack, "app", { namePrefix: f.namePrefix, network: f.network, role: "app", size: "small", minInstances: 1, maxInstances: 1, port: 8000, host: fetchScriptHost() });
    cache.allowFrom(app);
    const s = synth(f.stack);
    expect(s.one("digitalocean_database_cluster", "cache")).toMatchObject({
      engine: "valkey",
      version: "8",
      size: "db-s-2vcpu-4gb",
      node_count: 2,
      eviction_policy: "volatile_lru",
      private_network_uuid: ref(s.address("digitalocean_vpc"), "id"),
      lifecycle: { prevent_destroy: true },
    });
    expect(s.one("digitalocean_database_firewall", "cache").rule).toEqual([{ type: "tag", value: ref(s.address("digitalocean_tag", "app/tag"), "name") }]);
    expect(cache.tls).toBe(true);
    expect(cache.password.store).toBe("terraform-state");
  });
});

describe("DigitalOcean object store + CDN", () => {
  function media(protect: boolean) {
    const f = doFixture({ projectId: "3a1b2c3d-1111-2222-3333-444455556666" });
    const store = f.factory.createObjectStore(f.stack, "media", {
      namePrefix: f.namePrefix,
      purpose: "media",
      cdnDomain: "media.example.com",
      zone: f.zone,
      certificate: f.cdnCertificate,
      corsOrigins: ["https://www.example.com"],
      deletionProtection: protect,
    });
    return { store, s: synth(f.stack) };
  }

  it("is a Spaces bucket with private listing, versioning, expiring old versions, and CORS for the site", () => {
    const { s } = media(true);
    const bucket = s.one("digitalocean_spaces_bucket", "media");
    expect(bucket).toMatchObject({ acl: "private", region: "fra1", versioning: { enabled: true }, force_destroy: false, lifecycle: { prevent_destroy: true } });
    // Unique to the account, stable in state, predicted by nothing public (docs/safety.md, "Bucket names").
    expect(bucket.name).toBe(`shop-test-media-${ref(s.address("random_id", "media"), "hex")}`);
    expect(s.one("random_id", "media")).toEqual({ byte_length: 4, lifecycle: { prevent_destroy: true } });
    // Fixed at creation: the provider takes a new name as an in-place change that renames nothing (name is not ForceNew).
    expect(bucket.lifecycle).toEqual({ prevent_destroy: true, ignore_changes: ["name"] });
    expect(bucket.lifecycle_rule[0]).toMatchObject({ enabled: true, noncurrent_version_expiration: { days: 30 }, abort_incomplete_multipart_upload_days: 7 });
    expect(s.one("digitalocean_spaces_bucket_cors_configuration", "media").cors_rule).toEqual([
      { allowed_methods: ["GET", "HEAD"], allowed_origins: ["https://www.example.com"], allowed_headers: ["*"], max_age_seconds: 3600 },
    ]);
    expect(media(false).s.one("digitalocean_spaces_bucket", "media")).toMatchObject({ force_destroy: true, lifecycle: { prevent_destroy: false } });
  });

  it("is served by the CDN; PROVIDER GAP: on the CDN's own endpoint name, said at synth", () => {
    const f = doFixture();
    const store = f.factory.createObjectStore(f.stack, "media", {
      namePrefix: f.namePrefix,
      purpose: "media",
      cdnDomain: "media.example.com",
      zone: f.zone,
      certificate: f.cdnCertificate,
      deletionProtection: true,
    });
    new TerraformOutput(f.stack, "cdn-domain", { value: store.cdnDomain });
    const s = synth(f.stack);
    const cdn = s.address("digitalocean_cdn", "media");
    expect(s.one("digitalocean_cdn", "media")).toEqual({ origin: ref(s.address("digitalocean_spaces_bucket", "media"), "bucket_domain_name"), ttl: 3600 });
    expect(s.outputs["cdn-domain"].value).toBe(ref(cdn, "endpoint"));
    expect(s.where("cloudflare_dns_record")).toHaveLength(0);
    const warnings = f.stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => m.data));
    expect(warnings).toEqual([`PROVIDER GAP: DigitalOcean's CDN serves media on its own endpoint name, not "media.example.com" (it refuses Cloudflare Origin CA certificates)`]);
  });

  it("gives the application a key limited to this bucket; PROVIDER GAP: objects are public-read, no origin access control", () => {
    const { s, store } = media(true);
    expect(s.one("digitalocean_spaces_key", "media").grant).toEqual([{ bucket: ref(s.address("digitalocean_spaces_bucket", "media"), "name"), permission: "readwrite" }]);
    expect(store.objectAcl).toBe("public-read");
    expect(store.accessKey?.secret.store).toBe("terraform-state");
    expect(store.endpointUrl).toBe("https://fra1.digitaloceanspaces.com");
    expect(s.one("digitalocean_project_resources", "media").resources).toEqual([ref(s.address("digitalocean_spaces_bucket", "media"), "urn")]);
  });
});
