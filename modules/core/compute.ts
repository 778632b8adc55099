import { Op, TerraformResourceLifecycle } from "cdktf";
import { isReference, negate } from "./decide";
import { HostBootstrap } from "./host";
import { ILoadBalancer } from "./load-balancer";
import { ILogging } from "./logging";
import { INetwork } from "./network";
import { Size } from "./sizes";
import { AppSecret } from "./host";
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

/**
 * How the hosts of one pool find the hosts of another as it scales (the web hosts of the
 * `nginx-balanced` layout, its app hosts): from the cloud's own record of the pool, read with
 * the least the cloud allows, so a host that dies without a word leaves the list when the
 * cloud drops it, and the hosts need no right to write anything.
 */
export interface PoolDiscovery {
  /**
   * A POSIX shell script, run as root on a discovering host with the host's own environment
   * file (`KEY=VALUE` lines) as its argument. It prints one line per host the cloud counts
   * as serving, `<private IPv4> near` for one in the discovering host's zone and
   * `<private IPv4> far` for one in another, and exits non-zero when it cannot tell.
   */
  readonly listScript: string;
  /** Debian/Ubuntu packages it needs. */
  readonly packages: readonly string[];
  /**
   * What the discovering hosts' own environment (never the application's) must hold for it.
   * @default - nothing: the hosts read the list with their cloud identity (`IComputePool.grantDiscovery`)
   */
  readonly hostSecrets?: readonly AppSecret[];
  /** When the cloud lists a new host: in words, for the docs and `npm run settings`. */
  readonly listedWhen: string;
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
  /**
   * How another pool's hosts list this pool's hosts (`grantDiscovery` lets them).
   * @default - none: a layout that needs it cannot be built with this pool
   */
  discovery?(): PoolDiscovery;
  /** Lets `peer`'s hosts list this pool's hosts (`discovery`) and connect to its port. */
  grantDiscovery?(peer: IComputePool): void;
}
