import { INetwork } from "./network";
import { Size } from "./sizes";
import { Endpoint, IAcceptsTraffic, SecretRef, StatefulTierProps } from "./tier";

/** A managed PostgreSQL primary, optional standby and read replicas, optional pooler. */
export interface PostgresProps extends StatefulTierProps {
  /** The network it lives in; it is never publicly reachable. */
  readonly network: INetwork;
  /** Machine size of the primary (and standby). */
  readonly size: Size;
  /** Machine size of each read replica. @default - the primary's size */
  readonly replicaSize?: Size;
  /** Major PostgreSQL version, e.g. `"16"`. */
  readonly version: string;
  /** Allocated storage. */
  readonly storageGiB: number;
  /** A synchronous standby in another zone that takes over on failure. */
  readonly highAvailability: boolean;
  /** Asynchronous read replicas that follow the primary. */
  readonly replicas: number;
  /** A connection pooler in front of the primary, used as the app's write endpoint. */
  readonly pooling: boolean;
  /** Days of automated backups kept. */
  readonly backupRetentionDays: number;
  /** The application database. */
  readonly databaseName: string;
  /** The application's database user. */
  readonly username: string;
  /**
   * Makes `username` a role of the application's own that owns `databaseName`, run once by
   * the cluster's admin inside the network. @default - nothing runs (a module's caller does it)
   */
  readonly roleSetup?: DatabaseRoleSetup;
}

/** What the database setup runs, and how a one-off host runs it. */
export interface DatabaseRoleSetup {
  /** SQL creating the role, for clouds that make only an admin login (RDS). */
  readonly createRoleSql: string;
  /** SQL making the role the owner of the database, run connected to it. */
  readonly ownerSql: string;
  /** The user data of a one-off host that runs `ownerSql` as the admin (its password a reference), for clouds that cannot invoke code in the network. */
  renderHost(o: { host: string; port: number; database: string; admin: string; adminPassword: string }): string;
}

/** A PostgreSQL cluster. `allowFrom` admits a pool to every endpoint it exposes. */
export interface IPostgresCluster extends IAcceptsTraffic {
  /** The primary, for writes. */
  readonly primary: Endpoint;
  /** One per read replica, in order. */
  readonly replicas: readonly Endpoint[];
  /**
   * The replicas' host names as one Terraform list, on `port`, where Terraform decides how
   * many there are (a whole-topology module): `replicas` is empty then.
   * @default - `replicas`
   */
  readonly countedReplicaHosts?: string[];
  /** The pooler in front of the primary, when pooling is on. */
  readonly pooler?: Endpoint;
  readonly databaseName: string;
  readonly username: string;
  /** The user's password. */
  readonly password: SecretRef;
}
