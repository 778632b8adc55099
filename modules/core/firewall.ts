import { IDnsFailover, IDnsZone } from "./dns";
import { ILoadBalancer } from "./load-balancer";
import { TierProps } from "./tier";

/**
 * What the edge protects the site from, in neutral terms: each cloud's firewall provides
 * every one it can, and names what its plan or service leaves out (`IFirewall.gaps`).
 */
export const FIREWALL_PROTECTIONS = [
  /** Common web attacks (injection, cross-site scripting, path traversal...): the cloud's core managed rules. */
  "common-attacks",
  /** Request patterns known to exploit vulnerabilities (Log4Shell and the like). */
  "known-bad-inputs",
  /** Addresses with a bad reputation (bots, scanners, known attackers). */
  "ip-reputation",
  /** A per-client limit on requests. */
  "rate-limit",
] as const;
export type FirewallProtection = (typeof FIREWALL_PROTECTIONS)[number];

/** A web application firewall in front of the site. */
export interface FirewallProps extends TierProps {
  /** The public load balancer the site's traffic reaches. */
  readonly loadBalancer: ILoadBalancer;
  /** The zone and the site's record, for a firewall that lives at the DNS edge. */
  readonly zone: IDnsZone;
  readonly site: IDnsFailover;
  /** Requests one client (an IP address) may send a minute before it is blocked for a while. */
  readonly requestsPerMinute: number;
}

export interface IFirewall {
  /** The protections of `FIREWALL_PROTECTIONS` this cloud gives only in part, or not at all, each with why. */
  readonly gaps: Readonly<Partial<Record<FirewallProtection, string>>>;
}
