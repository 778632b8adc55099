import { databaseRoleSetup } from "../../modules/django/database";
import { awsFixture, internalLoadBalancer, ref, synth } from "../helpers";

function postgres(opts: { protect: boolean; highAvailability: boolean; replicas: number; pooling: boolean; roleSetup?: false }) {
  const f = awsFixture();
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
    backupRetentionDays: 14,
    databaseName: "app",
    username: "app",
    roleSetup: opts.roleSetup === false ? undefined : databaseRoleSetup("app", "app"),
    deletionProtection: opts.protect,
  });
  return { f, db };
}

const production = { protect: true, highAvailability: true, replicas: 2, pooling: true };

describe("AWS PostgreSQL", () => {
  it("is private, encrypted and backed up, its password generated in state and kept in Secrets Manager", () => {
    const { f, db } = postgres(production);
    const s = synth(f.stack);
    const primary = s.one("aws_db_instance", "postgres_primary");
    expect(primary).toMatchObject({
      identifier: "shop-test-postgres",
      engine: "postgres",
      engine_version: "16",
      instance_class: "db.m7g.large",
      storage_encrypted: true,
      storage_type: "gp3",
      publicly_accessible: false,
      password: ref(s.address("random_password", "postgres_credentials"), "result"),
      backup_retention_period: 14,
      db_name: "app",
      // RDS's master user, never the application's login.
      username: "postgres",
      port: 5432,
      db_subnet_group_name: ref(s.address("aws_db_subnet_group"), "name"),
    });
    // RDS refuses read replicas of an instance whose password it manages itself.
    expect(primary.manage_master_user_password).toBeUndefined();
    expect(s.one("aws_secretsmanager_secret", "postgres_credentials").name).toBe("shop-test/postgres/credentials");
    expect(s.one("aws_secretsmanager_secret_version", "postgres_credentials").secret_string).toBe(
      `\${jsonencode({"username" = "postgres", "password" = ${s.address("random_password", "postgres_credentials")}.result})}`,
    );
    expect(s.one("random_password", "postgres_credentials")).toMatchObject({ length: 40, special: false });
    // The application's own login, which the hosts read.
    expect(s.one("aws_secretsmanager_secret", "postgres_application-credentials").name).toBe("shop-test/postgres/application");
    expect(s.one("aws_secretsmanager_secret_version", "postgres_application-credentials").secret_string).toBe(
      `\${jsonencode({"username" = "app", "password" = ${s.address("random_password", "postgres_application-credentials")}.result})}`,
    );
    expect(db.password).toMatchObject({ store: "aws-secrets-manager", jsonKey: "password" });
    expect(s.one("aws_db_subnet_group").subnet_ids).toEqual([0, 1].map((i) => ref(s.address("aws_subnet", `database-subnet-${i}`), "id")));
  });

  it("without a role setup (a module's caller makes the role), logs the application in as the master user, as before", () => {
    const { f, db } = postgres({ ...production, roleSetup: false });
    const s = synth(f.stack);
    expect(s.one("aws_db_instance", "postgres_primary").username).toBe("app");
    expect(s.where("aws_secretsmanager_secret", "postgres_application-credentials")).toEqual([]);
    expect(s.where("aws_lambda_function")).toEqual([]);
    // RDS Proxy logs in with that one login too.
    expect(JSON.parse(s.one("aws_iam_role_policy", "pooler").policy).Statement[0].Resource).toEqual([ref(s.address("aws_secretsmanager_secret", "postgres_credentials"), "arn")]);
    expect(db.username).toBe("app");
  });

  it("requires TLS from every client through rds.force_ssl", () => {
    const { f } = postgres(production);
    const s = synth(f.stack);
    const group = s.one("aws_db_parameter_group");
    expect(group.family).toBe("postgres16");
    expect(group.parameter).toContainEqual({ name: "rds.force_ssl", value: "1" });
    for (const db of s.where("aws_db_instance")) expect(db.parameter_group_name).toBe(ref(s.address("aws_db_parameter_group"), "name"));
  });

  it("in production: Multi-AZ standby, deletion protection, prevent_destroy, a final snapshot, backups kept", () => {
    const { f } = postgres(production);
    const primary = synth(f.stack).one("aws_db_instance", "postgres_primary");
    expect(primary).toMatchObject({
      multi_az: true,
      deletion_protection: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: "shop-test-postgres-final",
      delete_automated_backups: false,
      lifecycle: { prevent_destroy: true },
    });
  });

  it("unprotected (dev): no standby and nothing left behind on destroy", () => {
    const { f } = postgres({ protect: false, highAvailability: false, replicas: 0, pooling: false });
    const s = synth(f.stack);
    expect(s.one("aws_db_instance", "postgres_primary")).toMatchObject({
      multi_az: false,
      deletion_protection: false,
      skip_final_snapshot: true,
      lifecycle: { prevent_destroy: false },
    });
    expect(s.one("aws_db_instance", "postgres_primary").final_snapshot_identifier).toBeUndefined();
    expect(s.where("aws_db_proxy")).toHaveLength(0);
  });

  it("creates N read replicas that follow the primary, in the replica size, protected like it", () => {
    const { f, db } = postgres(production);
    const s = synth(f.stack);
    const primary = s.address("aws_db_instance", "postgres_primary");
    const replicas = s.where("aws_db_instance", "postgres_replica");
    expect(replicas).toHaveLength(2);
    replicas.forEach((r, i) => {
      expect(r).toMatchObject({
        identifier: `shop-test-postgres-replica-${i + 1}`,
        replicate_source_db: ref(primary, "identifier"),
        instance_class: "db.t4g.medium",
        publicly_accessible: false,
        storage_encrypted: true,
        deletion_protection: true,
        skip_final_snapshot: true,
        lifecycle: { prevent_destroy: true },
      });
      expect(r.username).toBeUndefined();
      expect(r.password).toBeUndefined();
      expect(r.engine).toBeUndefined();
    });
    expect(db.replicas.map((e) => e.port)).toEqual([5432, 5432]);
  });

  it("creates the replicas one after another, after the pooler has registered the primary (RDS refuses work on a busy primary)", () => {
    const s = synth(postgres({ ...production, replicas: 3 }).f.stack);
    const replica = (n: number) => s.one("aws_db_instance", `postgres_replica-${n}`);
    expect(replica(1).depends_on).toEqual([s.address("aws_db_proxy_target")]);
    expect(replica(2).depends_on).toEqual([s.address("aws_db_instance", "postgres_replica-1")]);
    expect(replica(3).depends_on).toEqual([s.address("aws_db_instance", "postgres_replica-2")]);
    const unpooled = synth(postgres({ ...production, pooling: false }).f.stack);
    expect(unpooled.one("aws_db_instance", "postgres_replica-1").depends_on).toBeUndefined();
    expect(unpooled.one("aws_db_instance", "postgres_replica-2").depends_on).toEqual([unpooled.address("aws_db_instance", "postgres_replica-1")]);
  });

  it("pools connections with RDS Proxy: TLS required, the application's login, in front of the primary", () => {
    const { f, db } = postgres(production);
    const s = synth(f.stack);
    const secret = ref(s.address("aws_secretsmanager_secret", "postgres_application-credentials"), "arn");
    const proxy = s.one("aws_db_proxy");
    expect(proxy).toMatchObject({ engine_family: "POSTGRESQL", require_tls: true, name: "shop-test-postgres-pooler" });
    expect(proxy.auth).toEqual([expect.objectContaining({ auth_scheme: "SECRETS", secret_arn: secret, iam_auth: "DISABLED" })]);
    expect(s.one("aws_db_proxy_target")).toMatchObject({ db_instance_identifier: ref(s.address("aws_db_instance", "postgres_primary"), "identifier") });
    expect(JSON.parse(s.one("aws_iam_role_policy", "pooler").policy).Statement).toEqual([
      { Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [secret] },
    ]);
    expect(db.pooler?.host).toBeDefined();
    expect(db.password).toMatchObject({ store: "aws-secrets-manager", jsonKey: "password" });
  });

  it("admits only the peers it is told about, on 5432, to the database and the pooler", () => {
    const { f, db } = postgres(production);
    const lb = internalLoadBalancer(f, "lb");
    db.allowFrom(lb);
    const s = synth(f.stack);
    const peer = ref(s.address("aws_security_group", "lb_security-group"), "id");
    const dbRules = s.where("aws_vpc_security_group_ingress_rule", "postgres_security-group");
    expect(dbRules.map((r) => [r.referenced_security_group_id, r.from_port]).sort()).toEqual(
      [
        [peer, 5432],
        [ref(s.address("aws_security_group", "postgres_pooler-security-group"), "id"), 5432],
        // The database setup's function.
        [ref(s.address("aws_security_group", "postgres_setup_security-group"), "id"), 5432],
      ].sort(),
    );
    expect(s.where("aws_vpc_security_group_ingress_rule", "postgres_pooler-security-group").map((r) => r.referenced_security_group_id)).toEqual([peer]);
    expect(s.where("aws_vpc_security_group_egress_rule", "postgres_security-group")).toHaveLength(0);
  });
});
