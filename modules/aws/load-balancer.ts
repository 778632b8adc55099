import { Construct } from "constructs";
import { ITerraformDependable, TerraformResource, dependable } from "cdktf";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbListenerRule } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { DataAwsEc2ManagedPrefixList } from "@cdktf/provider-aws/lib/data-aws-ec2-managed-prefix-list";
import { Password } from "@cdktf/provider-random/lib/password";
import { DEFAULTS, ILoadBalancer, IPeer, LoadBalancerProps, ORIGIN_HEADER, asText, listenerPort } from "../core";
import { awsCertificateOf } from "./certificate";
import { awsNetworkOf } from "./network";
import { TierSecurityGroup } from "./security-group";
import { CLOUDFRONT_ORIGIN_FACING, IAwsAliasTarget, IAwsPeer } from "./shared";
import { loadBalancerName } from "../naming/resource-names";

/** TLS 1.3 with TLS 1.2 fallback, forward-secret ciphers only (the ELB console's recommendation). */
export const ALB_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/**
 * `public`: an internet-facing Application Load Balancer in the public subnets, HTTPS on
 * 443 with the ACM certificate and a modern TLS policy, HTTP 80 redirected to HTTPS,
 * invalid header fields dropped; behind the CDN, HTTPS alone, from CloudFront's addresses
 * alone, forwarded only with the distribution's secret header. `internal`: a Network Load
 * Balancer in the private subnets, TCP pass-through on 80, with a security group.
 */
export class AwsLoadBalancer extends Construct implements ILoadBalancer, IAwsPeer, IAwsAliasTarget {
  public readonly scheme: "public" | "internal";
  public readonly port: number;
  public readonly targetPort: number;
  public readonly healthCheckPath: string;
  public readonly peerName: string;
  public readonly lb: Lb;
  public readonly targetGroup: LbTargetGroup;
  public readonly securityGroup: TierSecurityGroup;
  /** Behind the CDN: what shuts everyone but the CDN out, each made to wait for the site's name to move (`closeAfter`). */
  private readonly closing: TerraformResource[] = [];
  /** Behind the CDN: the header (and its value, a Terraform reference) the load balancer forwards on. */
  public readonly originHeader?: { readonly name: string; readonly value: string };

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    const network = awsNetworkOf(props.network);
    const isPublic = props.scheme === "public";
    const name = loadBalancerName(props.namePrefix, props.scheme);
    this.scheme = props.scheme;
    this.port = listenerPort(props.scheme);
    this.targetPort = props.targetPort;
    this.healthCheckPath = props.healthCheck.path;
    this.peerName = isPublic ? "public load balancer" : "internal load balancer";

    this.securityGroup = new TierSecurityGroup(this, "security-group", {
      vpcId: network.vpcId,
      name,
      // The same behind the CDN: a security group's new description would replace it, and its rules with it.
      description: isPublic ? "Public load balancer: HTTPS and HTTP from the internet" : "Internal load balancer: from the web tier",
    });
    const behindCdn = isPublic && props.behindCdn === true;
    if (behindCdn) {
      const cloudfront = new DataAwsEc2ManagedPrefixList(this, "cloudfront-addresses", { name: CLOUDFRONT_ORIGIN_FACING });
      this.closing.push(this.securityGroup.allowFromPrefixList("cloudfront", cloudfront.id, 443, { replaces: "internet" }));
      // CloudFront's addresses are every distribution's: the header tells this one's traffic apart.
      const secret = new Password(this, "origin-secret", { length: 40, special: false });
      this.originHeader = { name: ORIGIN_HEADER, value: secret.result };
    } else if (isPublic) {
      this.securityGroup.allowFromInternet(443);
      this.securityGroup.allowFromInternet(80);
    }

    this.lb = new Lb(this, "load-balancer", {
      name,
      internal: !isPublic,
      loadBalancerType: isPublic ? "application" : "network",
      subnets: isPublic ? network.subnetIds.public : network.subnetIds.private,
      securityGroups: [this.securityGroup.id],
      ...(isPublic
        ? { dropInvalidHeaderFields: true, idleTimeout: props.idleTimeoutSeconds ?? DEFAULTS.loadBalancer.idleTimeoutSeconds, enableHttp2: true, desyncMitigationMode: "defensive" }
        : { enableCrossZoneLoadBalancing: true }),
      tags: { Name: name },
    });

    const hc = props.healthCheck;
    this.targetGroup = new LbTargetGroup(this, "target-group", {
      name,
      vpcId: network.vpcId,
      targetType: "instance",
      port: props.targetPort,
      protocol: isPublic ? "HTTP" : "TCP",
      deregistrationDelay: asText(props.drainSeconds ?? DEFAULTS.loadBalancer.drainSeconds),
      ...(isPublic ? {} : { preserveClientIp: "false" }),
      healthCheck: {
        enabled: true,
        protocol: "HTTP",
        port: "traffic-port",
        path: hc.path,
        matcher: "200",
        interval: hc.intervalSeconds ?? 15,
        timeout: hc.timeoutSeconds ?? 5,
        healthyThreshold: hc.healthyThreshold ?? 2,
        unhealthyThreshold: hc.unhealthyThreshold ?? 3,
      },
      tags: { Name: name },
    });

    if (isPublic) {
      const certificate = awsCertificateOf(props.certificate);
      const forward = { type: "forward", targetGroupArn: this.targetGroup.arn };
      const https = new LbListener(this, "https", {
        loadBalancerArn: this.lb.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: ALB_SSL_POLICY,
        certificateArn: certificate.arn,
        // Behind the CDN, a request without the distribution's header is refused here.
        defaultAction: [this.originHeader ? { type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "403", messageBody: "Forbidden" } } : forward],
      });
      if (this.originHeader) {
        this.closing.push(https);
        new LbListenerRule(this, "from-cdn", {
          listenerArn: https.arn,
          priority: 1,
          condition: [{ httpHeader: { httpHeaderName: this.originHeader.name, values: [this.originHeader.value] } }],
          action: [forward],
        });
      } else {
        new LbListener(this, "http-redirect", {
          loadBalancerArn: this.lb.arn,
          port: 80,
          protocol: "HTTP",
          defaultAction: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
        });
      }
    } else {
      new LbListener(this, "tcp", {
        loadBalancerArn: this.lb.arn,
        port: 80,
        protocol: "TCP",
        defaultAction: [{ type: "forward", targetGroupArn: this.targetGroup.arn }],
      });
    }
  }

  public get hostname(): string {
    return this.lb.dnsName;
  }

  /**
   * Behind the CDN: the load balancer shuts everyone but the CDN out (the security group's
   * source, the listener's 403) only once `moved` (the site's name on the CDN) is applied,
   * so a live site that turns `cdn.site` on keeps serving the viewers who still resolve the
   * load balancer while CloudFront deploys.
   */
  public closeAfter(...moved: ITerraformDependable[]): void {
    for (const resource of this.closing) resource.dependsOn = [...(resource.dependsOn ?? []), ...moved.map((m) => dependable(m))];
  }

  public get aliasZoneId(): string {
    return this.lb.zoneId;
  }

  public get securityGroupId(): string {
    return this.securityGroup.id;
  }

  /** Internal load balancers admit `peer` on 80; the public one is open to the internet already. */
  public allowFrom(peer: IPeer): void {
    if (this.scheme === "public") return;
    this.securityGroup.allowFromPeer(peer, this.port);
  }

  /** Lets the load balancer reach a pool's hosts on the target port (called by the pool). */
  public allowTo(pool: IPeer): void {
    this.securityGroup.allowToPeer(pool, this.targetPort);
  }
}
