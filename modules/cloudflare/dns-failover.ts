import { Construct } from "constructs";
import { LoadBalancer } from "@cdktf/provider-cloudflare/lib/load-balancer";
import { LoadBalancerMonitor } from "@cdktf/provider-cloudflare/lib/load-balancer-monitor";
import { LoadBalancerPool } from "@cdktf/provider-cloudflare/lib/load-balancer-pool";
import { DnsFailoverProps, IAliasTarget, IDnsFailover } from "../core";
import { ICloudflareZone, proxiedRecord } from "./zone";

/** An origin Cloudflare can send traffic to: the load balancer's public address. */
export interface IOriginTarget extends IAliasTarget {
  readonly originAddress: string;
}

/** The public address of an origin; origins another factory made are refused. */
export function originAddressOf(target: IAliasTarget): string {
  const address = (target as Partial<IOriginTarget>).originAddress;
  if (typeof address !== "string") throw new Error(`Cloudflare can only send traffic to origins with a public address; "${target.hostname}" has none`);
  return address;
}

export interface CloudflareDnsFailoverProps extends DnsFailoverProps {
  readonly zone: ICloudflareZone;
}

/**
 * The site's name on Cloudflare. With a secondary: a Cloudflare load balancer whose
 * default pool is the origin load balancer, watched by an HTTPS monitor of the health
 * path, and whose fallback pool is the maintenance site. Without: one proxied record.
 */
export class CloudflareDnsFailover extends Construct implements IDnsFailover {
  public readonly recordName: string;
  public readonly failover: boolean;
  /** The HTTPS monitor of the primary's health path (with a secondary). */
  public readonly monitor?: LoadBalancerMonitor;
  /** The pool of the origin, and the fallback pool of the maintenance site (with a secondary). */
  public readonly primaryPool?: LoadBalancerPool;
  public readonly fallbackPool?: LoadBalancerPool;
  /** The Cloudflare load balancer that answers for the name (with a secondary). */
  public readonly loadBalancer?: LoadBalancer;

  constructor(scope: Construct, id: string, props: CloudflareDnsFailoverProps) {
    super(scope, id);
    const { zone } = props;
    this.recordName = props.recordName;
    this.failover = props.secondary !== undefined;
    const origin = originAddressOf(props.primary);

    if (!props.secondary) {
      proxiedRecord(zone, this, "site", { name: props.recordName, type: "A", content: origin, comment: `${props.namePrefix}: the load balancer` });
      return;
    }
    const monitor = (this.monitor = new LoadBalancerMonitor(this, "monitor", {
      accountId: zone.accountId,
      description: `${props.namePrefix}: ${props.healthCheckPath}`,
      type: "https",
      method: "GET",
      path: props.healthCheckPath,
      port: props.primary.port,
      expectedCodes: "200",
      header: { Host: [props.recordName] },
      interval: 60,
      timeout: 5,
      retries: 2,
      consecutiveDown: 2,
      consecutiveUp: 2,
      followRedirects: false,
      // Origin CA certificates are trusted by the proxy, not by monitors; the traffic itself is verified (SSL strict).
      allowInsecure: true,
    }));
    const primary = (this.primaryPool = new LoadBalancerPool(this, "primary-pool", {
      accountId: zone.accountId,
      name: `${props.namePrefix}-primary`,
      description: "The origin load balancer",
      monitor: monitor.id,
      minimumOrigins: 1,
      origins: [{ name: "load-balancer", address: origin, enabled: true, header: { host: [props.recordName] } }],
    }));
    const secondary = props.secondary;
    const fallback = (this.fallbackPool = new LoadBalancerPool(this, "maintenance-pool", {
      accountId: zone.accountId,
      name: `${props.namePrefix}-maintenance`,
      description: "The maintenance page, while the origin is unhealthy",
      minimumOrigins: 1,
      origins: [{ name: "maintenance", address: secondary.hostname, enabled: true, header: { host: [secondary.hostname] } }],
    }));
    this.loadBalancer = new LoadBalancer(this, "load-balancer", {
      zoneId: zone.zoneId,
      name: props.recordName,
      description: `${props.namePrefix}: origin, or the maintenance page`,
      defaultPools: [primary.id],
      fallbackPool: fallback.id,
      proxied: true,
      steeringPolicy: "off",
    });
  }
}
