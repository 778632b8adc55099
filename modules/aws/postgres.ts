import { TerraformProvider, TerraformResource } from "cdktf";
import { Construct } from "constructs";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbProxy } from "@cdktf/provider-aws/lib/db-proxy";
import { DbProxyDefaultTargetGroup } from "@cdktf/provider-aws/lib/db-proxy-default-target-group";
import { DbProxyTarget } from "@cdktf/provider-aws/lib/db-proxy-target";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Endpoint, IPeer, IPostgresCluster, PostgresProps, SecretRef, choose, isReference, negate, protectedLifecycle, repeat, times } from "../core";
import { awsNetworkOf } from "./network";
import { TierSecurityGroup } from "./security-group";
import { AwsDatabaseSetup } from "./database-setup";
import { AwsDisasterRecovery, RDS_WINDOWS, postgresParameters } from "./disaster-recovery";
import { GeneratedSecret } from "./generated-secret";
import { IAwsPeer, assumeRolePolicy, policyDocument } from "./shared";
import { finalSnapshotName, parameterGroupPrefix, poolerName, postgresName, postgresReplicaName, secretName } from "../naming/resource-names";

export const POSTGRES_PORT = 5432;
/** RDS's master user: the cluster's admin, never the application's login. */
export const RDS_MASTER_USERNAME = "postgres";

export interface AwsPostgresProps extends PostgresProps {
  /** RDS instance class of `size`. */
  readonly instanceClass: string;
  /** RDS instance class of `replicaSize`. */
  readonly replicaInstanceClass: string;
  /**
   * An encrypted read replica in another region, with its network, subnet group and key there
   * (`AwsDisasterRecovery`), of the replicas' class.
   * @default - none
   */
  readonly disasterRecovery?: { readonly region: string; readonly cidr: string; readonly provider: TerraformProvider };
  /**
   * Regions Secrets Manager keeps a copy of the logins in, for a disaster-recovery replica
   * made elsewhere (a module's `cloudtiers-postgres-disaster-recovery`).
   * @default - the disaster-recovery region, when there is one
   */
  readonly credentialsReplicaRegions?: readonly string[];
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
  /** The replicas' host names, in order; a list reference when their count is one (then `replicas` is empty). */
  public readonly replicaHosts: string[];
  public readonly proxy?: DbProxy;
  /** The pooler's registration of the primary, which the replicas wait for. */
  public readonly poolerTarget?: DbProxyTarget;
  /** With `disasterRecovery` only. */
  public readonly disasterRecovery?: AwsDisasterRecovery;
  /** The Lambda function that makes the application's role the owner of its database. */
  public readonly setup?: AwsDatabaseSetup;
  private readonly proxySecurityGroup?: TierSecurityGroup;

  constructor(scope: Construct, id: string, props: AwsPostgresProps) {
    super(scope, id);
    const network = awsNetworkOf(props.network);
    const name = postgresName(props.namePrefix);
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
      subnetIds: network.subnetIds.database,
      tags: { Name: name },
    });
    const parameters = postgresParameters(this, { namePrefix: parameterGroupPrefix(props.namePrefix, props.version), version: props.version, name });

    // With a role setup, the master user is RDS's admin (no superuser: rds_superuser,
    // CREATEROLE, CREATEDB) and the application logs in as a role of its own, which the
    // setup makes and gives the database. Without one (a module whose caller sets up the
    // role), the application logs in as the master user, `username`.
    const setup = props.roleSetup;
    // The logins are kept in the disaster-recovery region too: a lost region takes its Secrets Manager with it.
    const replicaRegions = props.credentialsReplicaRegions ?? (props.disasterRecovery ? [props.disasterRecovery.region] : undefined);
    const credentials = new GeneratedSecret(this, "credentials", {
      name: secretName(props.namePrefix, "postgres/credentials"),
      description: setup ? `Master user of ${name}` : `Login of ${name}`,
      username: setup ? RDS_MASTER_USERNAME : props.username,
      protect,
      replicaRegions,
    });
    const application = setup
      ? new GeneratedSecret(this, "application-credentials", {
          name: secretName(props.namePrefix, "postgres/application"),
          description: `Login of ${props.username}, the application's role on ${name}`,
          username: props.username,
          protect,
          replicaRegions,
        })
      : credentials;
    this.password = application.ref;

    const common = {
      storageType: "gp3",
      storageEncrypted: true,
      maxAllocatedStorage: times(props.storageGiB, 4),
      vpcSecurityGroupIds: [this.securityGroup.id],
      parameterGroupName: parameters.name,
      publiclyAccessible: false,
      port: POSTGRES_PORT,
      caCertIdentifier: "rds-ca-rsa2048-g1",
      autoMinorVersionUpgrade: true,
      copyTagsToSnapshot: true,
      deletionProtection: protect,
      enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
      lifecycle: protectedLifecycle(protect),
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
      username: setup ? RDS_MASTER_USERNAME : props.username,
      password: credentials.password,
      multiAz: props.highAvailability,
      dbSubnetGroupName: subnets.name,
      backupRetentionPeriod: props.backupRetentionDays,
      backupWindow: RDS_WINDOWS.backup,
      maintenanceWindow: RDS_WINDOWS.maintenance,
      deleteAutomatedBackups: negate(protect),
      skipFinalSnapshot: negate(protect),
      finalSnapshotIdentifier: choose(protect, finalSnapshotName(name), undefined),
      tags: { Name: name, Role: "primary" },
    });
    this.primary = { host: this.instance.address, port: POSTGRES_PORT };

    if (isReference(props.pooling)) {
      throw new Error("AwsPostgres takes pooling as a literal; a module makes the pooler with addRdsProxy, as its own submodule");
    }
    if (props.pooling) {
      const pooler = addRdsProxy(this, {
        name,
        vpcId: network.vpcId,
        subnetIds: network.subnetIds.database,
        secretArn: application.secret.arn,
        instanceIdentifier: this.instance.identifier,
        admitToPostgres: (peer) => this.securityGroup.allowFromPeer(peer, POSTGRES_PORT),
        postgres: this.securityGroup.asPeer("postgres"),
      });
      this.proxy = pooler.proxy;
      this.proxySecurityGroup = pooler.securityGroup;
      this.pooler = pooler.endpoint;
      this.poolerTarget = pooler.target;
    }

    // One at a time, after the pooler's target: RDS refuses to start a replica, or to register
    // a proxy target, while the primary is busy with another (InvalidDBInstanceState,
    // hashicorp/terraform-provider-aws#43474, terraform-aws-modules/terraform-aws-rds#192).
    // A module's counted replicas are created together: Terraform cannot order a count.
    let previous: TerraformResource | undefined = this.poolerTarget;
    const replicas = repeat(props.replicas, "replica", (id, { ordinal }, meta) => {
      const replicaName = postgresReplicaName(props.namePrefix, ordinal);
      const after = previous;
      return (previous = new DbInstance(this, id, {
        ...meta,
        ...common,
        dependsOn: after ? [after] : undefined,
        identifier: replicaName,
        replicateSourceDb: this.instance.identifier,
        instanceClass: props.replicaInstanceClass,
        multiAz: false,
        backupRetentionPeriod: 0,
        // RDS takes no final snapshot of a read replica.
        skipFinalSnapshot: true,
        tags: { Name: replicaName, Role: "replica" },
      }));
    });
    this.replicaInstances = replicas.constructs;
    this.replicaHosts = replicas.all("address");
    if (props.disasterRecovery) {
      this.disasterRecovery = new AwsDisasterRecovery(this, "disaster-recovery", {
        ...props.disasterRecovery,
        namePrefix: props.namePrefix,
        sourceArn: this.instance.arn,
        storageGiB: props.storageGiB,
        backupRetentionDays: props.backupRetentionDays,
        instanceClass: props.replicaInstanceClass,
        version: props.version,
        port: POSTGRES_PORT,
        deletionProtection: protect,
        after: previous,
      });
    }
    this.replicas = isReference(props.replicas) ? [] : this.replicaInstances.map((r) => ({ host: r.address, port: POSTGRES_PORT }));

    if (setup) {
      this.setup = new AwsDatabaseSetup(this, "setup", {
        namePrefix: props.namePrefix,
        vpcId: network.vpcId,
        subnetIds: network.subnetIds.private,
        postgres: this.securityGroup.asPeer("postgres"),
        admitToPostgres: (peer) => this.securityGroup.allowFromPeer(peer, POSTGRES_PORT),
        host: this.instance.address,
        port: POSTGRES_PORT,
        database: props.databaseName,
        role: props.username,
        masterSecretArn: credentials.secret.arn,
        appSecretArn: application.secret.arn,
        appSecretVersion: application.version.versionId,
        instance: this.instance.resourceId,
        setup,
        egressReady: network.egressReady,
      });
    }
  }

  /** Admits `peer` to the primary, the replicas and the pooler. */
  public allowFrom(peer: IPeer): void {
    this.securityGroup.allowFromPeer(peer, POSTGRES_PORT);
    this.proxySecurityGroup?.allowFromPeer(peer, POSTGRES_PORT);
  }
}

export interface RdsProxyProps {
  /** The cluster's name; the pooler's resources are `<name>-pooler`. */
  readonly name: string;
  readonly vpcId: string;
  /** The database subnets. */
  readonly subnetIds: string[];
  /** The Secrets Manager secret with the application user's `username` and `password`. */
  readonly secretArn: string;
  /** The primary instance the pooler forwards to. */
  readonly instanceIdentifier: string;
  /** The primary's security group, which the pooler connects to. */
  readonly postgres: IAwsPeer;
  /** Opens the primary's security group to the pooler. */
  readonly admitToPostgres: (pooler: IAwsPeer) => void;
}

/**
 * RDS Proxy in front of a primary, in `scope`: its own security group (to PostgreSQL
 * only), a role that reads the credentials secret, TLS required, SCRAM authentication.
 * `AwsPostgres` adds it when pooling is on; a module makes it a submodule it can count.
 */
export function addRdsProxy(scope: Construct, props: RdsProxyProps): { proxy: DbProxy; target: DbProxyTarget; securityGroup: TierSecurityGroup; endpoint: Endpoint } {
  const name = poolerName(props.name);
  const securityGroup = new TierSecurityGroup(scope, "pooler-security-group", {
    vpcId: props.vpcId,
    name,
    description: "RDS Proxy: from the app tier, to PostgreSQL",
  });
  securityGroup.allowToPeer(props.postgres, POSTGRES_PORT);
  props.admitToPostgres(securityGroup.asPeer("pooler"));

  const role = new IamRole(scope, "pooler-role", {
    name,
    assumeRolePolicy: assumeRolePolicy("rds.amazonaws.com"),
    tags: { Name: name },
  });
  new IamRolePolicy(scope, "pooler-read-secret", {
    name: "read-master-secret",
    role: role.id,
    policy: policyDocument([{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [props.secretArn] }]),
  });
  const proxy = new DbProxy(scope, "pooler", {
    name,
    engineFamily: "POSTGRESQL",
    roleArn: role.arn,
    vpcSubnetIds: props.subnetIds,
    vpcSecurityGroupIds: [securityGroup.id],
    requireTls: true,
    idleClientTimeout: 1800,
    auth: [
      {
        authScheme: "SECRETS",
        secretArn: props.secretArn,
        iamAuth: "DISABLED",
        clientPasswordAuthType: "POSTGRES_SCRAM_SHA_256",
        description: "the application user",
      },
    ],
    tags: { Name: name },
  });
  const targetGroup = new DbProxyDefaultTargetGroup(scope, "pooler-target-group", {
    dbProxyName: proxy.name,
    connectionPoolConfig: { maxConnectionsPercent: 90, maxIdleConnectionsPercent: 50, connectionBorrowTimeout: 120 },
  });
  const target = new DbProxyTarget(scope, "pooler-target", {
    dbProxyName: proxy.name,
    targetGroupName: targetGroup.name,
    dbInstanceIdentifier: props.instanceIdentifier,
  });
  return { proxy, target, securityGroup, endpoint: { host: proxy.endpoint, port: POSTGRES_PORT } };
}
