import { Annotations } from "cdktf";
import { Construct } from "constructs";
import { DatabaseCluster } from "@cdktf/provider-digitalocean/lib/database-cluster";
import { DatabaseConnectionPool } from "@cdktf/provider-digitalocean/lib/database-connection-pool";
import { DatabaseDb } from "@cdktf/provider-digitalocean/lib/database-db";
import { DatabaseReplica } from "@cdktf/provider-digitalocean/lib/database-replica";
import { DatabaseUser } from "@cdktf/provider-digitalocean/lib/database-user";
import { Endpoint, IPeer, IPostgresCluster, PostgresProps, SecretRef } from "../core";
import { DatabaseTrustedSources } from "./database-firewall";
import { DoNetwork } from "./network";
import { DO_DATABASE_PORT, DO_POOL_PORT, DO_POOL_SIZES } from "./sizes";
import { asDo, stateSecret } from "./shared";

export interface DoPostgresProps extends PostgresProps {
  readonly nodeSize: string;
  readonly replicaNodeSize: string;
  readonly projectId?: string;
  /** One more replica, in another region, for disaster recovery. */
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
  public readonly pooler?: Endpoint;
  public readonly databaseName: string;
  public readonly username: string;
  public readonly password: SecretRef;
  public readonly cluster: DatabaseCluster;
  public readonly replicaNodes: readonly DatabaseReplica[];
  public readonly disasterRecoveryReplica?: DatabaseReplica;
  private readonly trusted: DatabaseTrustedSources;

  constructor(scope: Construct, id: string, props: DoPostgresProps) {
    super(scope, id);
    const network = asDo(props.network, DoNetwork, "network");
    const name = `${props.namePrefix}-postgres`;
    const lifecycle = { preventDestroy: props.deletionProtection };
    this.databaseName = props.databaseName;
    this.username = props.username;
    if (props.backupRetentionDays !== DO_BACKUP_DAYS) {
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
      nodeCount: props.highAvailability ? 2 : 1,
      privateNetworkUuid: network.vpcId,
      projectId: props.projectId,
      tags: [props.namePrefix],
      maintenanceWindow: [{ day: "sunday", hour: "03:00:00" }],
      lifecycle,
    });
    new DatabaseDb(this, "database", { clusterId: this.cluster.id, name: props.databaseName, lifecycle });
    const user = new DatabaseUser(this, "user", { clusterId: this.cluster.id, name: props.username, lifecycle });
    this.password = stateSecret(user.password, `digitalocean_database_user.${props.username}.password`);
    this.primary = { host: this.cluster.privateHost, port: DO_DATABASE_PORT };

    const replica = (replicaId: string, replicaName: string, region?: string) =>
      new DatabaseReplica(this, replicaId, {
        clusterId: this.cluster.id,
        name: replicaName,
        size: props.replicaNodeSize,
        // A VPC is regional: a replica in another region joins none.
        ...(region ? { region } : { region: network.region, privateNetworkUuid: network.vpcId }),
        tags: [props.namePrefix],
        lifecycle,
      });
    this.replicaNodes = Array.from({ length: props.replicas }, (_, i) => replica(`replica-${i + 1}`, `${name}-replica-${i + 1}`));
    this.replicas = this.replicaNodes.map((r) => ({ host: r.privateHost, port: DO_DATABASE_PORT }));
    if (props.disasterRecoveryRegion) {
      this.disasterRecoveryReplica = replica("disaster-recovery", `${name}-dr`, props.disasterRecoveryRegion);
    }

    if (props.pooling) {
      const pool = new DatabaseConnectionPool(this, "pooler", {
        clusterId: this.cluster.id,
        name: props.databaseName,
        mode: "transaction",
        size: DO_POOL_SIZES[props.size],
        dbName: props.databaseName,
        user: user.name,
      });
      this.pooler = { host: pool.privateHost, port: DO_POOL_PORT };
    }
    this.trusted = new DatabaseTrustedSources(this, "trusted-sources", {
      firewall: this.cluster.id,
      ...Object.fromEntries(this.replicaNodes.map((r, i) => [`replica-${i + 1}`, r.uuid])),
      ...(this.disasterRecoveryReplica ? { "disaster-recovery": this.disasterRecoveryReplica.uuid } : {}),
    });
  }

  /** Admits a pool's droplets (by tag) to the cluster, its replicas and its pool. */
  public allowFrom(peer: IPeer): void {
    this.trusted.admit(peer);
  }
}
