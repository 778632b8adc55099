import { ICertificate } from "./certificate";
import { INetwork } from "./network";
import { IAcceptsTraffic, IAliasTarget, IPeer, TierProps } from "./tier";

/** How a load balancer decides a host is healthy. */
export interface HealthCheck {
  /** The HTTP path requested, e.g. `/healthz`. A 200 answer is healthy. */
  readonly path: string;
  /** @default 15 */
  readonly intervalSeconds?: number;
  /** @default 5 */
  readonly timeoutSeconds?: number;
  /** Consecutive successes before a host receives traffic. @default 2 */
  readonly healthyThreshold?: number;
  /** Consecutive failures before a host stops receiving traffic. @default 3 */
  readonly unhealthyThreshold?: number;
}

/** A load balancer in front of a compute pool. */
export interface LoadBalancerProps extends TierProps {
  /** The network it lives in. */
  readonly network: INetwork;
  /**
   * `public`: internet-facing, HTTPS on 443 with the certificate, HTTP 80 redirected to 443.
   * `internal`: reachable only from allowed peers inside the network, TCP pass-through on
   * 80 (the web tier of the `split` layout talks to the app tier through it; being layer 4,
   * it leaves the web tier's `X-Forwarded-*` headers untouched).
   */
  readonly scheme: "public" | "internal";
  /** Required for `public`. */
  readonly certificate?: ICertificate;
  /** The port the pool's hosts serve on. */
  readonly targetPort: number;
  /** How hosts are checked. */
  readonly healthCheck: HealthCheck;
  /** Seconds an idle connection is kept open. @default 60 */
  readonly idleTimeoutSeconds?: number;
  /** Seconds a deregistering host keeps draining requests. @default 30 */
  readonly drainSeconds?: number;
  /**
   * `public` only: the whole site is behind the CDN (`cdn.site`), which is all that may
   * reach the load balancer (HTTPS only, no HTTP listener). Cloudflare's proxy is in front
   * of every site already: this changes nothing there.
   * @default false
   */
  readonly behindCdn?: boolean;
}

/** A load balancer. `allowFrom` admits peers to its listener (internal ones only). */
export interface ILoadBalancer extends IPeer, IAliasTarget, IAcceptsTraffic {
  readonly scheme: "public" | "internal";
  /** The port hosts behind it serve on. */
  readonly targetPort: number;
  /** The health check path of its hosts. */
  readonly healthCheckPath: string;
}

/**
 * The header a CDN in front of the load balancer adds to every request, with a value only
 * Terraform state and the CDN hold, so the load balancer can tell its traffic from anyone
 * else's through the same CDN (AWS, `cdn.site`). The web hosts' nginx drops it: Django,
 * its error reports and its logs never see the value.
 */
export const ORIGIN_HEADER = "X-Origin-Verify";

/** The port a load balancer listens on: HTTPS for the public one, HTTP inside the network. */
export function listenerPort(scheme: LoadBalancerProps["scheme"]): number {
  return scheme === "public" ? 443 : 80;
}
