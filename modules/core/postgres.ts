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
}

/** A PostgreSQL cluster. `allowFrom` admits a pool to every endpoint it exposes. */
export interface IPostgresCluster extends IAcceptsTraffic {
  /** The primary, for writes. */
  readonly primary: Endpoint;
  /** One per read replica, in order. */
  readonly replicas: readonly Endpoint[];
  /** The pooler in front of the primary, when pooling is on. */
  readonly pooler?: Endpoint;
  readonly databaseName: string;
  readonly username: string;
  /** The user's password. */
  readonly password: SecretRef;
}
