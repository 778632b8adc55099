import { Construct } from "constructs";
import { Route53HealthCheck } from "@cdktf/provider-aws/lib/route53-health-check";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { DnsFailoverProps, IDnsFailover } from "../core";
import { awsDnsZoneOf } from "./dns-zone";
import { aliasZoneOf } from "./shared";

/**
 * The site's A record in Route 53. With a secondary: an HTTPS health check of the load
 * balancer's health path and a PRIMARY/SECONDARY failover pair, the secondary aliasing
 * the maintenance site's CloudFront distribution. Without: one alias to the load balancer.
 */
export class AwsDnsFailover extends Construct implements IDnsFailover {
  public readonly recordName: string;
  public readonly failover: boolean;
  public readonly healthCheck?: Route53HealthCheck;

  constructor(scope: Construct, id: string, props: DnsFailoverProps) {
    super(scope, id);
    const zone = awsDnsZoneOf(props.zone);
    this.recordName = props.recordName;
    this.failover = props.secondary !== undefined;
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
