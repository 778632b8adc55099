import { Annotations, Fn, TerraformCount } from "cdktf";
import { Construct } from "constructs";
import { DatabaseCluster } from "@cdktf/provider-digitalocean/lib/database-cluster";
import { DatabaseConnectionPool } from "@cdktf/provider-digitalocean/lib/database-connection-pool";
import { DatabaseDb } from "@cdktf/provider-digitalocean/lib/database-db";
import { DatabaseReplica } from "@cdktf/provider-digitalocean/lib/database-replica";
import { DatabaseUser } from "@cdktf/provider-digitalocean/lib/database-user";
import { Endpoint, IPeer, IPostgresCluster, PostgresProps, SecretRef, choose, given, isReference, optional, pick, protectedLifecycle, repeat } from "../core";
import { DatabaseTrustedSources } from "./database-firewall";
import { DoDatabaseSetup } from "./database-setup";
import { doNetworkOf } from "./network";
import { DO_DATABASE_PORT, DO_POOL_PORT, DO_POOL_SIZES } from "./sizes";
import { resourceSecret } from "./shared";
import { postgresDisasterRecoveryName, postgresName, postgresReplicaName } from "../naming/resource-names";

export interface DoPostgresProps extends PostgresProps {
  /** SSH keys of the one-off droplet that runs the database setup (`roleSetup`). @default [] */
  readonly sshKeys?: readonly string[];
  readonly nodeSize: string;
  readonly replicaNodeSize: string;
  readonly projectId?: string;
  /** One more replica, in another region, for disaster recovery; a reference that is null makes none. @default - none */
  readonly disasterRecoveryRegion?: string;
}

/** DigitalOcean's fixed point-in-time backup window. */
export const DO_BACKUP_DAYS = 7;

/**
 * DigitalOcean managed PostgreSQL on the VPC: a primary with a standby node when highly
 * available, read replicas, a PgBouncer pool in transaction mode as the application's
 * write endpoint, the application's database and user, and trusted sources naming only
 * the app and worker droplet tags. TLS is always required.
 *
 * PROVIDER GAPS: no deletion-protection flag and no final snapshot (protection is
 * `prevent_destroy`); backups are kept 7 days whatever `backupRetentionDays` says (a
 * warning says so); storage is the node size's own; replicas have no pools of their own,
 * so reads connect to them directly. Every replica has trusted sources of its own, the
 * same as the primary's.
 */
export class DoPostgres extends Construct implements IPostgresCluster {
  public readonly port = DO_DATABASE_PORT;
  public readonly primary: Endpoint;
  public readonly replicas: readonly Endpoint[];
  /** The pool, when pooling is on; when `pooling` is a reference, its host is null while pooling is off. */
  public readonly pooler?: Endpoint;
  public readonly databaseName: string;
  public readonly username: string;
  public readonly password: SecretRef;
  public readonly cluster: DatabaseCluster;
  /** One per replica; the single counted one when `replicas` is a reference. */
  public readonly replicaNodes: readonly DatabaseReplica[];
  /** The replicas' private host names, in order; a list reference when their count is one (then `replicas` is empty). */
  public readonly replicaHosts: string[];
  /** The disaster-recovery replica; counted (0 or 1) when its region is a reference. */
  public readonly disasterRecoveryReplica?: DatabaseReplica;
  /** The one-off droplet that makes the application's user the owner of its database. */
  public readonly setup?: DoDatabaseSetup;
  private readonly trusted: DatabaseTrustedSources;

  constructor(scope: Construct, id: string, props: DoPostgresProps) {
    super(scope, id);
    const network = doNetworkOf(props.network);
    const name = postgresName(props.namePrefix);
    const lifecycle = protectedLifecycle(props.deletionProtection);
    this.databaseName = props.databaseName;
    this.username = props.username;
    if (!isReference(props.backupRetentionDays) && props.backupRetentionDays !== DO_BACKUP_DAYS) {
      Annotations.of(this).addWarning(
        `PROVIDER GAP: DigitalOcean keeps PostgreSQL backups for ${DO_BACKUP_DAYS} days; postgres.backupRetentionDays asks for ${props.backupRetentionDays}`,
      );
    }

    this.cluster = new DatabaseCluster(this, "cluster", {
      name,
      engine: "pg",
      version: props.version,
      size: props.nodeSize,
      region: network.region,
      nodeCount: choose(props.highAvailability, 2, 1),
      privateNetworkUuid: network.vpcId,
      projectId: props.projectId,
      tags: [props.namePrefix],
      maintenanceWindow: [{ day: "sunday", hour: "03:00:00" }],
      lifecycle,
    });
    const database = new DatabaseDb(this, "database", { clusterId: this.cluster.id, name: props.databaseName, lifecycle });
    const user = new DatabaseUser(this, "user", { clusterId: this.cluster.id, name: props.username, lifecycle });
    this.password = resourceSecret(user.password, user, "password");
    this.primary = { host: this.cluster.privateHost, port: DO_DATABASE_PORT };

    const replica = (replicaId: string, replicaName: string, meta: { count?: TerraformCount }, region?: string) =>
      new DatabaseReplica(this, replicaId, {
        ...meta,
        clusterId: this.cluster.id,
        name: replicaName,
        size: props.replicaNodeSize,
        // A VPC is regional: a replica in another region joins none.
        ...(region ? { region } : { region: network.region, privateNetworkUuid: network.vpcId }),
        tags: [props.namePrefix],
        lifecycle,
      });
    const replicas = repeat(props.replicas, "replica", (replicaId, { ordinal }, meta) => replica(replicaId, postgresReplicaName(props.namePrefix, ordinal), meta));
    this.replicaNodes = replicas.constructs;
    this.replicaHosts = replicas.all("private_host");
    this.replicas = isReference(props.replicas) ? [] : this.replicaNodes.map((r) => ({ host: r.privateHost, port: DO_DATABASE_PORT }));
    const drRegion = props.disasterRecoveryRegion;
    const withDr = given(drRegion);
    const dr = optional(withDr, (meta) => replica("disaster-recovery", postgresDisasterRecoveryName(props.namePrefix), meta, drRegion));
    this.disasterRecoveryReplica = dr.constructs[0];

    const pool = optional(props.pooling, (meta) =>
      new DatabaseConnectionPool(this, "pooler", {
        ...meta,
        clusterId: this.cluster.id,
        name: props.databaseName,
        mode: "transaction",
        size: pick(DO_POOL_SIZES, props.size),
        // A reference, not the name: Terraform must create the database before the pool that
        // points at it, or the API refuses the pool (terraform-provider-digitalocean#381, #925).
        dbName: database.name,
        user: user.name,
      }),
    );
    if (isReference(props.pooling)) this.pooler = { host: Fn.one(pool.all("private_host")), port: DO_POOL_PORT };
    else if (pool.constructs[0]) this.pooler = { host: pool.constructs[0].privateHost, port: DO_POOL_PORT };

    this.trusted = new DatabaseTrustedSources(this, "trusted-sources", { firewall: this.cluster.id });
    if (props.roleSetup) {
      // doadmin makes the API's user the owner of the API's database, from inside the VPC.
      this.setup = new DoDatabaseSetup(this, "setup", {
        namePrefix: props.namePrefix,
        region: network.region,
        vpcUuid: network.vpcId,
        sshKeys: props.sshKeys ?? [],
        host: this.cluster.privateHost,
        port: DO_DATABASE_PORT,
        database: props.databaseName,
        admin: this.cluster.user,
        adminPassword: this.cluster.password,
        setup: props.roleSetup,
        dependsOn: [database, user],
      });
      this.trusted.admitTagTo(this.trusted.firewalls[0], this.setup.tag.name);
    }
    repeat(props.replicas, "replica", (node, { index }, meta) => this.trusted.guard(node, replicas.at(index, "uuid"), meta));
    optional(withDr, (meta) => this.trusted.guard("disaster-recovery", isReference(withDr) ? Fn.one(dr.all("uuid")) : dr.constructs[0].uuid, meta));
  }

  /** Admits a pool's droplets (by tag) to the cluster, its replicas and its pool. */
  public allowFrom(peer: IPeer): void {
    this.trusted.admit(peer);
  }

  /** Admits the droplets carrying any of `tags` (which may be a reference) to the cluster, its replicas and its pool. */
  public allowFromTags(tags: string[]): void {
    this.trusted.admitTags(tags);
  }
}
