import { Construct } from "constructs";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbProxy } from "@cdktf/provider-aws/lib/db-proxy";
import { DbProxyDefaultTargetGroup } from "@cdktf/provider-aws/lib/db-proxy-default-target-group";
import { DbProxyTarget } from "@cdktf/provider-aws/lib/db-proxy-target";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Endpoint, IPeer, IPostgresCluster, PostgresProps, SecretRef } from "../core";
import { awsNetworkOf } from "./network";
import { TierSecurityGroup } from "./security-group";
import { GeneratedSecret } from "./generated-secret";
import { assumeRolePolicy, policyDocument } from "./shared";

export const POSTGRES_PORT = 5432;

export interface AwsPostgresProps extends PostgresProps {
  /** RDS instance class of `size`. */
  readonly instanceClass: string;
  /** RDS instance class of `replicaSize`. */
  readonly replicaInstanceClass: string;
}

/**
 * RDS for PostgreSQL: an encrypted, private primary (Multi-AZ standby when highly
 * available); `rds.force_ssl` on; automated backups; read replicas through
 * `replicate_source_db`; RDS Proxy in front of the primary when pooling is asked for.
 * The password is a `GeneratedSecret` (state and Secrets Manager, never code or
 * synthesised output): RDS cannot create read replicas of an instance whose password it
 * manages itself (`manage_master_user_password`). With deletion protection: RDS's own
 * flag, `prevent_destroy`, a final snapshot and automated backups kept after deletion.
 */
export class AwsPostgres extends Construct implements IPostgresCluster {
  public readonly port = POSTGRES_PORT;
  public readonly primary: Endpoint;
  public readonly replicas: readonly Endpoint[];
  public readonly pooler?: Endpoint;
  public readonly databaseName: string;
  public readonly username: string;
  public readonly password: SecretRef;
  public readonly securityGroup: TierSecurityGroup;
  public readonly instance: DbInstance;
  public readonly replicaInstances: readonly DbInstance[];
  public readonly proxy?: DbProxy;
  private readonly proxySecurityGroup?: TierSecurityGroup;

  constructor(scope: Construct, id: string, props: AwsPostgresProps) {
    super(scope, id);
    const network = awsNetworkOf(props.network);
    const name = `${props.namePrefix}-postgres`;
    const protect = props.deletionProtection;
    this.databaseName = props.databaseName;
    this.username = props.username;

    this.securityGroup = new TierSecurityGroup(this, "security-group", {
      vpcId: network.vpcId,
      name,
      description: "PostgreSQL: from the app tier only",
    });
    const subnets = new DbSubnetGroup(this, "subnet-group", {
      name,
      description: `${name}: database subnets`,
      subnetIds: network.databaseSubnetIds,
      tags: { Name: name },
    });
    const parameters = new DbParameterGroup(this, "parameter-group", {
      namePrefix: `${name}-${props.version}-`,
      family: `postgres${props.version}`,
      description: `${name}: TLS required`,
      parameter: [
        { name: "rds.force_ssl", value: "1" },
        { name: "log_min_duration_statement", value: "1000" },
      ],
      tags: { Name: name },
      lifecycle: { createBeforeDestroy: true },
    });

    const credentials = new GeneratedSecret(this, "credentials", {
      name: `${props.namePrefix}/postgres/credentials`,
      description: `Login of ${name}`,
      username: props.username,
      protect,
    });
    this.password = credentials.ref;

    const common = {
      storageType: "gp3",
      storageEncrypted: true,
      maxAllocatedStorage: props.storageGiB * 4,
      vpcSecurityGroupIds: [this.securityGroup.id],
      parameterGroupName: parameters.name,
      publiclyAccessible: false,
      port: POSTGRES_PORT,
      caCertIdentifier: "rds-ca-rsa2048-g1",
      autoMinorVersionUpgrade: true,
      copyTagsToSnapshot: true,
      deletionProtection: protect,
      enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
      lifecycle: { preventDestroy: protect },
    };
    this.instance = new DbInstance(this, "primary", {
      ...common,
      identifier: name,
      engine: "postgres",
      engineVersion: props.version,
      allowMajorVersionUpgrade: false,
      instanceClass: props.instanceClass,
      allocatedStorage: props.storageGiB,
      dbName: props.databaseName,
      username: props.username,
      password: credentials.password,
      multiAz: props.highAvailability,
      dbSubnetGroupName: subnets.name,
      backupRetentionPeriod: props.backupRetentionDays,
      backupWindow: "02:00-03:00",
      maintenanceWindow: "sun:03:30-sun:04:30",
      deleteAutomatedBackups: !protect,
      skipFinalSnapshot: !protect,
      finalSnapshotIdentifier: protect ? `${name}-final` : undefined,
      tags: { Name: name, Role: "primary" },
    });
    this.primary = { host: this.instance.address, port: POSTGRES_PORT };

    this.replicaInstances = Array.from({ length: props.replicas }, (_, i) => {
      const replicaName = `${name}-replica-${i + 1}`;
      return new DbInstance(this, `replica-${i + 1}`, {
        ...common,
        identifier: replicaName,
        replicateSourceDb: this.instance.identifier,
        instanceClass: props.replicaInstanceClass,
        multiAz: false,
        backupRetentionPeriod: 0,
        // RDS takes no final snapshot of a read replica.
        skipFinalSnapshot: true,
        tags: { Name: replicaName, Role: "replica" },
      });
    });
    this.replicas = this.replicaInstances.map((r) => ({ host: r.address, port: POSTGRES_PORT }));

    if (props.pooling) {
      this.proxySecurityGroup = new TierSecurityGroup(this, "pooler-security-group", {
        vpcId: network.vpcId,
        name: `${name}-pooler`,
        description: "RDS Proxy: from the app tier, to PostgreSQL",
      });
      this.proxySecurityGroup.allowToPeer(this.securityGroup.asPeer("postgres"), POSTGRES_PORT);
      this.securityGroup.allowFromPeer(this.proxySecurityGroup.asPeer("pooler"), POSTGRES_PORT);

      const role = new IamRole(this, "pooler-role", {
        name: `${name}-pooler`,
        assumeRolePolicy: assumeRolePolicy("rds.amazonaws.com"),
        tags: { Name: `${name}-pooler` },
      });
      new IamRolePolicy(this, "pooler-read-secret", {
        name: "read-master-secret",
        role: role.id,
        policy: policyDocument([{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [this.password.id] }]),
      });
      this.proxy = new DbProxy(this, "pooler", {
        name: `${name}-pooler`,
        engineFamily: "POSTGRESQL",
        roleArn: role.arn,
        vpcSubnetIds: network.databaseSubnetIds,
        vpcSecurityGroupIds: [this.proxySecurityGroup.id],
        requireTls: true,
        idleClientTimeout: 1800,
        auth: [
          {
            authScheme: "SECRETS",
            secretArn: this.password.id,
            iamAuth: "DISABLED",
            clientPasswordAuthType: "POSTGRES_SCRAM_SHA_256",
            description: "the application user",
          },
        ],
        tags: { Name: `${name}-pooler` },
      });
      const targetGroup = new DbProxyDefaultTargetGroup(this, "pooler-target-group", {
        dbProxyName: this.proxy.name,
        connectionPoolConfig: { maxConnectionsPercent: 90, maxIdleConnectionsPercent: 50, connectionBorrowTimeout: 120 },
      });
      new DbProxyTarget(this, "pooler-target", {
        dbProxyName: this.proxy.name,
        targetGroupName: targetGroup.name,
        dbInstanceIdentifier: this.instance.identifier,
      });
      this.pooler = { host: this.proxy.endpoint, port: POSTGRES_PORT };
    }
  }

  /** Admits `peer` to the primary, the replicas and the pooler. */
  public allowFrom(peer: IPeer): void {
    this.securityGroup.allowFromPeer(peer, POSTGRES_PORT);
    this.proxySecurityGroup?.allowFromPeer(peer, POSTGRES_PORT);
  }
}
