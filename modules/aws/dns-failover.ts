import { Construct } from "constructs";
import { Route53HealthCheck } from "@cdktf/provider-aws/lib/route53-health-check";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { DnsFailoverProps, IDnsFailover } from "../core";
import { awsCertificateOf } from "./certificate";
import { awsDnsZoneOf } from "./dns-zone";
import { AwsLoadBalancer } from "./load-balancer";
import { aliasZoneOf, asAws } from "./shared";
import { AWS_DEFAULTS } from "./settings";
import { SiteDistribution } from "./site-distribution";
import { AwsStaticSite } from "./static-site";

export interface AwsDnsFailoverProps extends DnsFailoverProps {
  /** CloudFront's price class, for the site's distribution (`cdn`). @default AWS_DEFAULTS.cdnPriceClass */
  readonly priceClass?: string;
}

/**
 * The site's A record in Route 53. With a secondary: an HTTPS health check of the load
 * balancer's health path and a PRIMARY/SECONDARY failover pair, the secondary aliasing
 * the maintenance site's CloudFront distribution. Without: one alias to the load balancer.
 * With `cdn`: A and AAAA aliases to the site's own distribution, which is the failover.
 */
export class AwsDnsFailover extends Construct implements IDnsFailover {
  public readonly recordName: string;
  public readonly failover: boolean;
  public readonly healthCheck?: Route53HealthCheck;
  /** With `cdn`: the distribution in front of the load balancer (the firewall attaches to it). */
  public readonly site?: SiteDistribution;

  constructor(scope: Construct, id: string, props: AwsDnsFailoverProps) {
    super(scope, id);
    const zone = awsDnsZoneOf(props.zone);
    this.recordName = props.recordName;
    this.failover = props.secondary !== undefined;
    if (props.cdn) {
      this.site = new SiteDistribution(this, "cdn", {
        namePrefix: props.namePrefix,
        domain: props.recordName,
        certificateArn: awsCertificateOf(props.cdn.certificate).arn,
        priceClass: props.priceClass ?? AWS_DEFAULTS.cdnPriceClass,
        loadBalancer: asAws(props.primary, AwsLoadBalancer, "load balancer"),
        maintenance: props.secondary && asAws(props.secondary, AwsStaticSite, "maintenance site"),
      });
      const distribution = this.site.distribution;
      const alias = { name: distribution.domainName, zoneId: distribution.hostedZoneId, evaluateTargetHealth: false };
      // The A record keeps the address and routing of the record it replaces, so turning
      // cdn.site on updates it in place: Route 53 refuses a plain record beside failover ones
      // (and a failover one beside a plain one), and Terraform would not order a new record
      // after the old ones' deletion. With the maintenance page, a PRIMARY record alone,
      // unchecked (Route 53 answers with it always): CloudFront is the failover now.
      const records = [
        new Route53Record(this, this.failover ? "primary" : "site", {
          zoneId: zone.zoneId,
          name: props.recordName,
          type: "A",
          ...(this.failover ? { setIdentifier: "primary", failoverRoutingPolicy: { type: "PRIMARY" } } : {}),
          alias,
        }),
        new Route53Record(this, "site-aaaa", { zoneId: zone.zoneId, name: props.recordName, type: "AAAA", alias }),
      ];
      this.site.loadBalancer.closeAfter(...records);
      return;
    }
    const primaryAlias = { name: props.primary.hostname, zoneId: aliasZoneOf(props.primary), evaluateTargetHealth: true };

    if (!props.secondary) {
      new Route53Record(this, "site", { zoneId: zone.zoneId, name: props.recordName, type: "A", alias: primaryAlias });
      return;
    }
    this.healthCheck = new Route53HealthCheck(this, "health-check", {
      type: "HTTPS",
      fqdn: props.primary.hostname,
      port: props.primary.port,
      resourcePath: props.healthCheckPath,
      enableSni: true,
      requestInterval: 30,
      failureThreshold: 3,
      measureLatency: false,
      tags: { Name: `${props.namePrefix}-site` },
    });
    new Route53Record(this, "primary", {
      zoneId: zone.zoneId,
      name: props.recordName,
      type: "A",
      setIdentifier: "primary",
      failoverRoutingPolicy: { type: "PRIMARY" },
      healthCheckId: this.healthCheck.id,
      alias: primaryAlias,
    });
    new Route53Record(this, "secondary", {
      zoneId: zone.zoneId,
      name: props.recordName,
      type: "A",
      setIdentifier: "secondary",
      failoverRoutingPolicy: { type: "SECONDARY" },
      alias: { name: props.secondary.hostname, zoneId: aliasZoneOf(props.secondary), evaluateTargetHealth: false },
    });
  }
}
