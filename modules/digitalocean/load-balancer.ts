import { Construct } from "constructs";
import { Loadbalancer } from "@cdktf/provider-digitalocean/lib/loadbalancer";
import { DEFAULTS, ILoadBalancer, IPeer, LoadBalancerProps, listenerPort } from "../core";
import { IOriginTarget } from "../cloudflare/dns-failover";
import { doCertificateOf } from "./certificate";
import { IDoNetwork, doNetworkOf } from "./network";
import { IDoPeer } from "./shared";
import { loadBalancerName } from "../naming/resource-names";

export interface DoLoadBalancerProps extends LoadBalancerProps {
  readonly sizeUnit: number;
  readonly projectId?: string;
  /** Who may reach a public load balancer: Cloudflare's address ranges. */
  readonly edgeCidrs: string[];
}

/**
 * `public`: a DigitalOcean load balancer that terminates HTTPS with the Cloudflare origin
 * certificate (strong cipher policy), redirects HTTP to HTTPS and admits only Cloudflare's
 * address ranges, so the origin is reachable only through the edge. `internal`: a
 * VPC-only load balancer, TCP pass-through on 80, admitting the private network.
 * Hosts register by droplet tag.
 */
export class DoLoadBalancer extends Construct implements ILoadBalancer, IDoPeer, IOriginTarget {
  public readonly scheme: "public" | "internal";
  public readonly port: number;
  public readonly targetPort: number;
  public readonly healthCheckPath: string;
  public readonly peerName: string;
  public readonly lb: Loadbalancer;
  private readonly network: IDoNetwork;

  constructor(scope: Construct, id: string, props: DoLoadBalancerProps) {
    super(scope, id);
    this.network = doNetworkOf(props.network);
    const isPublic = props.scheme === "public";
    this.scheme = props.scheme;
    this.port = listenerPort(props.scheme);
    this.targetPort = props.targetPort;
    this.healthCheckPath = props.healthCheck.path;
    this.peerName = isPublic ? "public load balancer" : "internal load balancer";
    const hc = props.healthCheck;
    const certificate = isPublic ? doCertificateOf(props.certificate) : undefined;

    this.lb = new Loadbalancer(this, "load-balancer", {
      name: loadBalancerName(props.namePrefix, props.scheme),
      region: this.network.region,
      vpcUuid: this.network.vpcId,
      projectId: props.projectId,
      sizeUnit: props.sizeUnit,
      network: isPublic ? "EXTERNAL" : "INTERNAL",
      forwardingRule: certificate
        ? [
            { entryPort: 443, entryProtocol: "https", targetPort: props.targetPort, targetProtocol: "http", certificateName: certificate.name },
            { entryPort: 80, entryProtocol: "http", targetPort: props.targetPort, targetProtocol: "http" },
          ]
        : [{ entryPort: 80, entryProtocol: "tcp", targetPort: props.targetPort, targetProtocol: "tcp" }],
      redirectHttpToHttps: isPublic,
      tlsCipherPolicy: isPublic ? "STRONG" : undefined,
      httpIdleTimeoutSeconds: isPublic ? (props.idleTimeoutSeconds ?? DEFAULTS.loadBalancer.idleTimeoutSeconds) : undefined,
      enableBackendKeepalive: isPublic,
      healthcheck: {
        protocol: "http",
        port: props.targetPort,
        path: hc.path,
        checkIntervalSeconds: hc.intervalSeconds ?? 10,
        responseTimeoutSeconds: hc.timeoutSeconds ?? 5,
        healthyThreshold: hc.healthyThreshold ?? 2,
        unhealthyThreshold: hc.unhealthyThreshold ?? 3,
      },
      firewall: { allow: isPublic ? props.edgeCidrs : [`cidr:${this.network.cidr}`] },
    });
  }

  public get hostname(): string {
    return this.lb.ip;
  }

  public get originAddress(): string {
    return this.lb.ip;
  }

  public get firewallSources(): { loadBalancerUids: string[] } {
    return { loadBalancerUids: [this.lb.id] };
  }

  /**
   * Internal load balancers already admit the whole private network. PROVIDER GAP:
   * DigitalOcean load balancer firewalls name addresses, not droplet tags, so a peer
   * cannot be admitted alone.
   */
  public allowFrom(_peer: IPeer): void {}

  /** Sends traffic to the droplets carrying `tag` (called by the pool). */
  public targetTag(tag: string): void {
    this.lb.dropletTag = tag;
  }
}
