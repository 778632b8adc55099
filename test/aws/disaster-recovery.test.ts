import { production } from "../../environments/production";
import { DR_ZONES } from "../../modules/aws/disaster-recovery";
import { AWS_POSTGRES_SIZES } from "../../modules/aws/sizes";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { Config, Synth, ref, synthAwsEnvironment } from "../helpers";

/*
 * The disaster-recovery replica on AWS (aws.disasterRecoveryRegion), from a spec of its own
 * whatever the shipped environments choose: an encrypted cross-region read replica of the
 * primary with its own network, subnet group, parameter group and key in that region, and
 * protected like every database.
 */

const REGION = "eu-central-1";
const CIDR = "10.131.0.0/16";
const spec: EnvironmentSpec = { ...production, aws: { ...production.aws!, disasterRecoveryRegion: REGION, disasterRecoveryCidr: CIDR } };

describe("the disaster-recovery replica on AWS", () => {
  let s: Synth;
  let dr: Config;
  beforeAll(() => {
    s = synthAwsEnvironment(spec);
    dr = s.one("aws_db_instance", "disaster-recovery");
  });
  const onDr = (type: string) => s.where(type, "disaster-recovery");

  it("makes everything it needs in its own region, through the stack's provider for that region", () => {
    expect(s.json.provider.aws).toContainEqual(expect.objectContaining({ alias: "disaster_recovery", region: REGION }));
    const types = ["aws_db_instance", "aws_kms_key", "aws_kms_alias", "aws_vpc", "aws_subnet", "aws_db_subnet_group", "aws_security_group", "aws_db_parameter_group", "aws_default_security_group"];
    for (const type of types) {
      expect({ type, providers: [...new Set(onDr(type).map((r) => r.provider))] }).toEqual({ type, providers: ["aws.disaster_recovery"] });
    }
    // Its zones are that region's.
    expect(Object.values(s.data("aws_availability_zones")).map((z) => z.provider ?? null).sort()).toEqual(["aws.disaster_recovery", null]);
    // Nothing else is made there but what watches it (with alerts: its alarms and their topic, test below).
    const everywhere = Object.values(s.json.resource as Record<string, Record<string, Config>>).flatMap((byId) => Object.values(byId));
    const watching = ["aws_cloudwatch_metric_alarm", "aws_sns_topic", "aws_sns_topic_subscription"].reduce((n, t) => n + s.where(t).filter((r) => r.provider === "aws.disaster_recovery").length, 0);
    expect(everywhere.filter((r) => r.provider === "aws.disaster_recovery")).toHaveLength(types.reduce((n, t) => n + onDr(t).length, 0) + watching);
  });

  it("follows the primary by its ARN (another region's source), encrypted with a key of its region", () => {
    const primary = s.address("aws_db_instance", "postgres_primary");
    expect(dr).toMatchObject({
      replicate_source_db: ref(primary, "arn"),
      storage_encrypted: true,
      kms_key_id: ref(s.address("aws_kms_key", "disaster-recovery"), "arn"),
      instance_class: AWS_POSTGRES_SIZES[spec.postgres.replicaSize ?? spec.postgres.size],
      publicly_accessible: false,
      multi_az: false,
      // Backed up as the primary (PostgreSQL 14.1 and later back read replicas up), growing as it does.
      backup_retention_period: spec.postgres.backupRetentionDays,
      max_allocated_storage: spec.postgres.storageGiB * 4,
    });
    // Its own maintenance window, apart from its backups: RDS would pick one at random, and refuse the backup window should they overlap.
    expect({ backup: dr.backup_window, maintenance: dr.maintenance_window }).toEqual({ backup: "02:00-03:00", maintenance: "sun:03:30-sun:04:30" });
    expect(s.one("aws_kms_key", "disaster-recovery")).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(s.one("aws_kms_alias", "disaster-recovery").target_key_id).toBe(ref(s.address("aws_kms_key", "disaster-recovery"), "key_id"));
  });

  it("keeps the database's logins in its region too (a lost region takes its Secrets Manager with it), and no other secret", () => {
    const replicated = s.entries("aws_secretsmanager_secret").filter(([, x]) => x.replica !== undefined);
    expect(replicated.map(([id]) => id.replace(/_secret_[0-9A-F]{8}$/, "")).sort()).toEqual(["django_postgres_application-credentials", "django_postgres_credentials"]);
    for (const [, secret] of replicated) expect(secret.replica).toEqual([{ region: REGION }]);
  });

  it("is watched where it is: its lag and its storage, alarms of its region telling a topic of its region that the alerts' addresses subscribe to", () => {
    const topic = s.address("aws_sns_topic", "dr-topic");
    expect(s.one("aws_sns_topic", "dr-topic").provider).toBe("aws.disaster_recovery");
    const subscribed = s.where("aws_sns_topic_subscription", "dr-topic").map((x) => [x.provider, x.topic_arn, x.protocol, x.endpoint]);
    expect(subscribed).toEqual(spec.alerts!.emails.map((email) => ["aws.disaster_recovery", ref(topic, "arn"), "email", email]));
    const watched = s.where("aws_cloudwatch_metric_alarm").filter((a) => a.dimensions?.DBInstanceIdentifier === ref(s.address("aws_db_instance", "disaster-recovery"), "identifier"));
    expect(watched.map((a) => [a.metric_name, a.provider, a.alarm_actions, a.threshold]).sort()).toEqual([
      ["FreeStorageSpace", "aws.disaster_recovery", [ref(topic, "arn")], Math.round(spec.postgres.storageGiB * 1024 ** 3 * (1 - (spec.alerts!.databaseStoragePercent ?? 80) / 100))],
      ["ReplicaLag", "aws.disaster_recovery", [ref(topic, "arn")], spec.alerts!.replicaLagSeconds ?? 60],
    ]);
  });

  it("is protected like every database: deletion protection and prevent_destroy, its key kept too", () => {
    expect(dr).toMatchObject({ deletion_protection: true, lifecycle: { prevent_destroy: true } });
    expect(s.one("aws_kms_key", "disaster-recovery").lifecycle).toEqual({ prevent_destroy: true });
    const unprotected = synthAwsEnvironment({ ...spec, environment: "scratch", deletionProtection: false, production: false });
    expect(unprotected.one("aws_db_instance", "disaster-recovery")).toMatchObject({ deletion_protection: false, lifecycle: { prevent_destroy: false } });
  });

  it("lives in database subnets of two zones of its own VPC, with no route out and nothing admitted, and requires TLS", () => {
    const subnets = onDr("aws_subnet");
    expect(subnets).toHaveLength(DR_ZONES);
    expect(new Set(subnets.map((x) => x.availability_zone)).size).toBe(DR_ZONES);
    const vpc = s.address("aws_vpc", "disaster-recovery");
    // Its own block, apart from the site's network, so the two can be peered.
    expect(s.one("aws_vpc", "disaster-recovery").cidr_block).toBe(CIDR);
    for (const subnet of subnets) expect(subnet).toMatchObject({ vpc_id: ref(vpc, "id"), map_public_ip_on_launch: false });
    expect(s.where("aws_internet_gateway").filter((g) => g.vpc_id === ref(vpc, "id"))).toEqual([]);
    expect(s.where("aws_route_table").filter((t) => t.vpc_id === ref(vpc, "id"))).toEqual([]);
    const sg = s.address("aws_security_group", "disaster-recovery");
    expect(s.one("aws_security_group", "disaster-recovery").ingress).toBeUndefined();
    expect(s.where("aws_vpc_security_group_ingress_rule").filter((r) => r.security_group_id === ref(sg, "id"))).toEqual([]);
    expect(dr.vpc_security_group_ids).toEqual([ref(sg, "id")]);
    expect(dr.db_subnet_group_name).toBe(ref(s.address("aws_db_subnet_group", "disaster-recovery"), "name"));
    const parameters = s.one("aws_db_parameter_group", "disaster-recovery");
    expect(parameters.family).toBe(`postgres${spec.postgres.version ?? "16"}`);
    expect(parameters.parameter).toContainEqual({ name: "rds.force_ssl", value: "1" });
  });

  it("starts after the other replicas (a busy primary refuses to start one), and is not one of the application's read replicas", () => {
    const last = s.address("aws_db_instance", `postgres_replica-${spec.postgres.replicas}`);
    expect(dr.depends_on).toEqual([last]);
    expect(JSON.stringify(s.outputs.database_replica_urls.value)).not.toContain("disaster-recovery");
  });

  it("is not made without aws.disasterRecoveryRegion, and neither is its region's provider", () => {
    // Not production: the policy pack asks production for a replica in another region (CT-DB-008).
    const none = synthAwsEnvironment({ ...spec, environment: "scratch", production: false, aws: { ...spec.aws!, disasterRecoveryRegion: undefined, disasterRecoveryCidr: undefined } });
    expect(none.where("aws_db_instance", "disaster-recovery")).toEqual([]);
    expect(none.json.provider.aws.map((p: Config) => p.alias ?? null)).toEqual([null, "us_east_1"]);
    expect(none.where("aws_secretsmanager_secret").filter((x) => x.replica !== undefined)).toEqual([]);
  });
});
