import { INetwork } from "./network";
import { Size } from "./sizes";
import { Endpoint, IAcceptsTraffic, SecretRef, StatefulTierProps } from "./tier";

/** A managed Redis-protocol store (Valkey) for cache, sessions and the Celery broker. */
export interface CacheProps extends StatefulTierProps {
  readonly network: INetwork;
  readonly size: Size;
  /** A replica in another zone with automatic failover. */
  readonly highAvailability: boolean;
  /** Engine major version, e.g. `"8"`. */
  readonly version: string;
}

/** A Redis-protocol store, TLS and password required. */
export interface ICache extends IAcceptsTraffic {
  /** The primary endpoint, for reads and writes. */
  readonly endpoint: Endpoint;
  /** Connections use TLS (`rediss://`). */
  readonly tls: boolean;
  /** The password (AUTH token). */
  readonly password: SecretRef;
}
