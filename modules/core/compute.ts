import { Op, TerraformResourceLifecycle } from "cdktf";
import { isReference, negate } from "./decide";
import { HostBootstrap } from "./host";
import { ILoadBalancer } from "./load-balancer";
import { ILogging } from "./logging";
import { INetwork } from "./network";
import { Size } from "./sizes";
import { RegistryAccess } from "./secrets";
import { IPeer, SecretRef, TierProps } from "./tier";

/** What a pool's hosts do, after the seeds' server roles. */
export type PoolRole = "web" | "app" | "worker" | "beat";
export const POOL_ROLES: readonly PoolRole[] = ["web", "app", "worker", "beat"];

/**
 * The `lifecycle` of a pool's group when Terraform decides its bounds or whether it is
 * exclusive (a module's inputs): preconditions refusing a maximum below the minimum, and
 * more than one host for an exclusive pool. Literals are checked at synth and get none.
 */
export function poolLifecycle(exclusive: boolean, minInstances: number, maxInstances: number): TerraformResourceLifecycle | undefined {
  if (![exclusive, minInstances, maxInstances].some(isReference)) return undefined;
  return {
    precondition: [
      { condition: Op.lte(minInstances, maxInstances), errorMessage: "A pool's maximum must be at least its minimum." },
      { condition: Op.or(negate(exclusive), Op.eq(maxInstances, 1)), errorMessage: "An exclusive pool (Celery beat) runs one host at most: its maximum must be 1." },
    ],
  };
}

/** An autoscaling group of identical hosts. */
export interface ComputePoolProps extends TierProps {
  /** The network the hosts live in (private addresses only). */
  readonly network: INetwork;
  /** What the hosts do; names the pool's resources. */
  readonly role: PoolRole;
  /** Machine size. */
  readonly size: Size;
  /** Fewest hosts. */
  readonly minInstances: number;
  /** Most hosts. */
  readonly maxInstances: number;
  /** Average CPU the pool scales to hold. @default 60 */
  readonly cpuTargetPercent?: number;
  /** Root volume size. @default 30 */
  readonly diskGiB?: number;
  /**
   * The port the hosts serve on.
   * @default - none: the hosts accept no inbound traffic (workers)
   */
  readonly port?: number;
  /**
   * Registers the hosts with this load balancer and lets it reach `port`.
   * @default - not behind a load balancer
   */
  readonly loadBalancer?: ILoadBalancer;
  /**
   * At most one host may ever run (Celery beat): replacements terminate the old host
   * before launching the new one, and the cloud never rebalances hosts across zones.
   * Requires `maxInstances` 1. @default false
   */
  readonly exclusive?: boolean;
  /**
   * What gets a host replaced: failing the load balancer's health check as well as the
   * machine's own (`load-balancer`), or only the machine's (`instance`), for hosts whose
   * health check also reflects a tier behind them.
   * @default - "load-balancer" behind a load balancer, else "instance"
   */
  readonly replaceUnhealthy?: "load-balancer" | "instance";
  /** Secrets the hosts may read at boot. @default [] */
  readonly readableSecrets?: readonly SecretRef[];
  /** How the hosts log in to the image's registry (a `cloud` login is granted its repositories). @default - a public image */
  readonly registry?: RegistryAccess;
  /** What the hosts run. */
  readonly host: HostBootstrap;
  /** Where the hosts ship their logs. @default - they stay on the hosts */
  readonly logging?: ILogging;
}

/** A pool of hosts. As a peer, it is the source of its hosts' connections. */
export interface IComputePool extends IPeer {
  readonly role: PoolRole;
  readonly size: Size;
  readonly minInstances: number;
  readonly maxInstances: number;
  /** The port the hosts serve on; none for pools that accept no connections. */
  readonly port?: number;
  /** Lets `peer` connect to `port`; throws for a pool that serves no port. */
  allowFrom(peer: IPeer): void;
}
