/** Props every tier takes. */
export interface TierProps {
  /**
   * Prefix for the names of the cloud resources this tier creates, e.g. `shop-production`.
   * Lower-case letters, digits and hyphens.
   */
  readonly namePrefix: string;
}

/** Props of tiers that hold data: databases, caches, buckets, DNS zones. */
export interface StatefulTierProps extends TierProps {
  /**
   * Refuse destruction: the provider's deletion protection where it exists, Terraform's
   * `prevent_destroy`, a final snapshot on deletion, no `force_destroy` on buckets.
   */
  readonly deletionProtection: boolean;
}

/** A network address a client connects to. Values may be Terraform tokens. */
export interface Endpoint {
  /** Host name or address. */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
}

/**
 * Where a secret lives. The value itself never passes through the topology: hosts fetch
 * it at boot with the cloud's own mechanism.
 */
export interface SecretRef {
  /** The store holding the secret, e.g. `aws-secrets-manager`. */
  readonly store: string;
  /** The secret's identifier in that store (may be a Terraform token). */
  readonly id: string;
  /** For secrets that hold a JSON document: the key of the value inside it. */
  readonly jsonKey?: string;
  /**
   * Where the secret lives, safe to print (never the value itself).
   * @default `<store>:<id>[#<jsonKey>]`
   */
  readonly location?: string;
}

/** Where a secret lives, in words safe to print and output. */
export function secretLocation(ref: SecretRef): string {
  return ref.location ?? (ref.jsonKey ? `${ref.store}:${ref.id}#${ref.jsonKey}` : `${ref.store}:${ref.id}`);
}

/** Anything traffic can come from inside the topology: a load balancer or a compute pool. */
export interface IPeer {
  /** A short name for rule descriptions, e.g. `load balancer web`. */
  readonly peerName: string;
}

/** A tier that accepts connections on its own port from the peers it is told about. */
export interface IAcceptsTraffic {
  /** The port connections arrive on. */
  readonly port: number;
  /** Lets `peer` connect to `port`; nothing else inside the network can. */
  allowFrom(peer: IPeer): void;
}

/** Something a DNS name can point at: a load balancer or a CDN distribution. */
export interface IAliasTarget {
  /** The cloud's own host name for it, e.g. `abc.elb.amazonaws.com`. */
  readonly hostname: string;
}
