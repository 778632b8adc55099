import { TerraformOutput } from "cdktf";
import { awsFixture, ref, synth } from "../helpers";

function cache(highAvailability: boolean, protect: boolean) {
  const f = awsFixture();
  const c = f.factory.createCache(f.stack, "cache", {
    namePrefix: f.namePrefix,
    network: f.network,
    size: "medium",
    highAvailability,
    version: "8",
    deletionProtection: protect,
  });
  new TerraformOutput(f.stack, "password-secret", { value: c.password.id });
  return { s: synth(f.stack), c };
}

describe("AWS cache", () => {
  it("is Valkey encrypted at rest and in transit with an AUTH token generated in state", () => {
    const { s, c } = cache(false, false);
    const group = s.one("aws_elasticache_replication_group");
    const token = ref(s.address("random_password", "cache_auth-token"), "result");
    expect(group).toMatchObject({
      engine: "valkey",
      engine_version: "8.0",
      node_type: "cache.t4g.medium",
      at_rest_encryption_enabled: "true",
      transit_encryption_enabled: true,
      auth_token: token,
      port: 6379,
      num_cache_clusters: 1,
      subnet_group_name: ref(s.address("aws_elasticache_subnet_group"), "name"),
    });
    expect(s.one("random_password", "cache_auth-token")).toMatchObject({ length: 40, special: false });
    expect(c.tls).toBe(true);
    expect(c.endpoint.port).toBe(6379);
  });

  it("copies the token to Secrets Manager, where hosts read it", () => {
    const { s, c } = cache(false, false);
    expect(s.one("aws_secretsmanager_secret_version")).toMatchObject({
      secret_id: ref(s.address("aws_secretsmanager_secret"), "id"),
      secret_string: `\${jsonencode({"password" = ${s.address("random_password")}.result})}`,
    });
    expect(s.one("aws_secretsmanager_secret").name).toBe("shop-test/cache/auth-token");
    expect(c.password).toMatchObject({ store: "aws-secrets-manager", jsonKey: "password" });
    expect(s.outputs["password-secret"].value).toBe(ref(s.address("aws_secretsmanager_secret"), "arn"));
  });

  it("highly available: a replica in another zone with automatic failover; protected: snapshots and prevent_destroy", () => {
    const { s } = cache(true, true);
    expect(s.one("aws_elasticache_replication_group")).toMatchObject({
      num_cache_clusters: 2,
      automatic_failover_enabled: true,
      multi_az_enabled: true,
      snapshot_retention_limit: 7,
      final_snapshot_identifier: "shop-test-cache-final",
      lifecycle: { prevent_destroy: true },
    });
    expect(s.one("aws_secretsmanager_secret")).toMatchObject({ recovery_window_in_days: 30, lifecycle: { prevent_destroy: true } });
  });
});
