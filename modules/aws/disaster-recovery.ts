import { Construct } from "constructs";
import { Fn, TerraformProvider, TerraformResource } from "cdktf";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { protectedLifecycle, times } from "../core";
import { subnetCidr } from "./network";
import { parameterGroupPrefix, postgresDisasterRecoveryName } from "../naming/resource-names";

/**
 * The parameter group every PostgreSQL instance of the stacks has, in its region: TLS
 * required (`rds.force_ssl`), statements slower than a second logged.
 */
export function postgresParameters(scope: Construct, p: { provider?: TerraformProvider; namePrefix: string; version: string; name: string }): DbParameterGroup {
  return new DbParameterGroup(scope, "parameter-group", {
    provider: p.provider,
    namePrefix: p.namePrefix,
    family: `postgres${p.version}`,
    description: `${p.name}: TLS required`,
    parameter: [
      { name: "rds.force_ssl", value: "1" },
      { name: "log_min_duration_statement", value: "1000" },
    ],
    tags: { Name: p.name },
    lifecycle: { createBeforeDestroy: true },
  });
}

/**
 * When RDS backs an instance up and when it may apply maintenance, apart: RDS refuses windows
 * that overlap ("The backup window and maintenance window must not overlap"), and gives an
 * instance without a maintenance window a random one, as it does a read replica, which the
 * provider then sets the backup window on (hashicorp/terraform-provider-aws#7046).
 */
export const RDS_WINDOWS = { backup: "02:00-03:00", maintenance: "sun:03:30-sun:04:30" } as const;

/** The zones of the disaster-recovery region its database subnets span: a DB subnet group needs two. */
export const DR_ZONES = 2;

export interface AwsDisasterRecoveryProps {
  readonly namePrefix: string;
  /** The provider of the disaster-recovery region (the stack's `aws.disaster_recovery` alias). @default - the scope's: a module's, which its caller passes */
  readonly provider?: TerraformProvider;
  readonly region: string;
  /** The recovery network's own range (`aws.disasterRecoveryCidr`), apart from the primary's so the two can be peered; laid out as the primary's, its database subnets only. */
  readonly cidr: string;
  /** The primary's storage: the replica grows as it does, to 4× (a replica that fills up stops, and its slot holds the primary's WAL). */
  readonly storageGiB: number;
  /** Days of automated backups kept, as the primary's (RDS for PostgreSQL 14.1 and later backs a read replica up). */
  readonly backupRetentionDays: number;
  /** The ARN of the primary it follows: another region's source is named by its ARN. */
  readonly sourceArn: string;
  readonly instanceClass: string;
  readonly version: string;
  readonly port: number;
  readonly deletionProtection: boolean;
  /** Created after this (the primary busy with another replica refuses to start one). */
  readonly after?: TerraformResource;
}

/**
 * An encrypted read replica of the primary in another region, ready to be promoted when the
 * primary's region is lost, with what it needs there: a VPC of database subnets in two zones
 * (no route out, nothing admitted: only RDS's replication reaches the instance), a subnet
 * group, a parameter group requiring TLS, and a KMS key of that region. RDS copies an
 * encrypted instance to another region only with a key of the destination region
 * (`kms_key_id`), and a cross-region source is named by its ARN
 * (docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.XRgn.html). Protected like
 * every database: deletion protection, `prevent_destroy`, the key kept 30 days after a delete.
 * Its own automated backups, as the primary's ("Automated backups for read replicas are
 * supported only for RDS for PostgreSQL 14.1 and higher", and with them a promotion takes no
 * first backup), and storage that grows as the primary's: a cross-region replica holds its
 * place with a replication slot on the primary, so one that stops (its disk full) makes the
 * primary keep its WAL (docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Replication.ReadReplicas.html).
 * Promotion: docs/database.md#disaster-recovery.
 */
export class AwsDisasterRecovery extends Construct {
  public readonly replica: DbInstance;
  public readonly key: KmsKey;
  public readonly vpc: Vpc;
  public readonly region: string;
  /** The provider of its region, for what watches it (the alarms). */
  public readonly provider?: TerraformProvider;

  constructor(scope: Construct, id: string, props: AwsDisasterRecoveryProps) {
    super(scope, id);
    const name = postgresDisasterRecoveryName(props.namePrefix);
    const provider = props.provider;
    const protect = props.deletionProtection;
    this.region = props.region;
    this.provider = provider;

    this.key = new KmsKey(this, "key", {
      provider,
      description: `${name}: the disaster-recovery replica's storage`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      tags: { Name: name },
      lifecycle: protectedLifecycle(protect),
    });
    new KmsAlias(this, "key-alias", { provider, name: `alias/${name}`, targetKeyId: this.key.keyId });

    const zones = new DataAwsAvailabilityZones(this, "zones", { provider, state: "available", filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] });
    this.vpc = new Vpc(this, "vpc", { provider, cidrBlock: props.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: name } });
    new DefaultSecurityGroup(this, "default-security-group", { provider, vpcId: this.vpc.id, tags: { Name: `${name}-default-closed` } });
    const subnets = Array.from({ length: DR_ZONES }, (_, zone) =>
      new Subnet(this, `database-subnet-${zone}`, {
        provider,
        vpcId: this.vpc.id,
        cidrBlock: subnetCidr(props.cidr, "database", zone),
        availabilityZone: Fn.element(zones.names, zone),
        mapPublicIpOnLaunch: false,
        tags: { Name: `${name}-database-${zone}`, Tier: "database" },
      }),
    );
    const subnetGroup = new DbSubnetGroup(this, "subnet-group", { provider, name, description: `${name}: database subnets`, subnetIds: subnets.map((s) => s.id), tags: { Name: name } });
    // Nothing admitted until a recovery: the instance only replicates (AWS carries that).
    const securityGroup = new SecurityGroup(this, "security-group", { provider, namePrefix: `${name}-`, description: "PostgreSQL disaster recovery: nothing admitted until a recovery", vpcId: this.vpc.id, tags: { Name: name }, lifecycle: { createBeforeDestroy: true } });
    const parameters = postgresParameters(this, { provider, namePrefix: parameterGroupPrefix(`${props.namePrefix}-dr`, props.version), version: props.version, name });

    this.replica = new DbInstance(this, "replica", {
      provider,
      identifier: name,
      // Another region's source is named by its ARN.
      replicateSourceDb: props.sourceArn,
      instanceClass: props.instanceClass,
      storageType: "gp3",
      storageEncrypted: true,
      kmsKeyId: this.key.arn,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [securityGroup.id],
      parameterGroupName: parameters.name,
      publiclyAccessible: false,
      port: props.port,
      caCertIdentifier: "rds-ca-rsa2048-g1",
      autoMinorVersionUpgrade: true,
      copyTagsToSnapshot: true,
      multiAz: false,
      maxAllocatedStorage: times(props.storageGiB, 4),
      backupRetentionPeriod: props.backupRetentionDays,
      backupWindow: RDS_WINDOWS.backup,
      maintenanceWindow: RDS_WINDOWS.maintenance,
      skipFinalSnapshot: true,
      deletionProtection: protect,
      enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
      dependsOn: props.after ? [props.after] : undefined,
      tags: { Name: name, Role: "disaster-recovery" },
      lifecycle: protectedLifecycle(protect),
    });
  }
}
