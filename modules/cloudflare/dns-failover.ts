import { Construct } from "constructs";
import { DnsRecord } from "@cdktf/provider-cloudflare/lib/dns-record";
import { WorkersRoute } from "@cdktf/provider-cloudflare/lib/workers-route";
import { WorkersScript } from "@cdktf/provider-cloudflare/lib/workers-script";
import { ZoneSetting } from "@cdktf/provider-cloudflare/lib/zone-setting";
import { DnsFailoverProps, IAliasTarget, IDnsFailover, isReference, terraformLiteral, terraformTemplate } from "../core";
import { edgeWorker } from "./edge-worker";
import { maintenancePageOf } from "./maintenance-site";
import { ICloudflareZone, proxiedRecord, strictOriginSsl } from "./zone";
import { edgeWorkerName } from "../naming/resource-names";

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
  /**
   * The record's type: `A` for the load balancer's address; `CNAME` when the origin is a host name.
   * @default "A"
   */
  readonly recordType?: "A" | "CNAME";
}

/**
 * The site's name on Cloudflare: one proxied record of the origin load balancer, made once
 * the zone's encryption mode is Full (strict), which this stack sets itself. With a
 * secondary, a Worker on a route for the name (the site's edge, {@link edgeWorker}) sends
 * every request on to the origin and answers with the maintenance page when the origin
 * gives no answer of its own. No Load Balancing: a load balancer's fallback pool cannot
 * use the Worker, whose name Cloudflare proxies, as its origin.
 */
export class CloudflareDnsFailover extends Construct implements IDnsFailover {
  public readonly recordName: string;
  public readonly failover: boolean;
  /** The zone's encryption mode, Full (strict), which the origin needs ({@link strictOriginSsl}). */
  public readonly ssl: ZoneSetting;
  /** The proxied record of the origin. */
  public readonly record: DnsRecord;
  /** The site's edge Worker and its route on the name (with a secondary). */
  public readonly worker?: WorkersScript;
  public readonly route?: WorkersRoute;

  constructor(scope: Construct, id: string, props: CloudflareDnsFailoverProps) {
    super(scope, id);
    const { zone } = props;
    this.recordName = props.recordName;
    this.failover = props.secondary !== undefined;
    const origin = originAddressOf(props.primary);
    const page = props.secondary && maintenancePageOf(props.secondary);

    this.ssl = strictOriginSsl(zone, this);
    this.record = proxiedRecord(zone, this, "site", { name: props.recordName, type: props.recordType ?? "A", content: origin, comment: `${props.namePrefix}: the load balancer`, ssl: this.ssl });
    if (!page) return;

    const source = edgeWorker({ files: page.files, healthPath: props.healthCheckPath, references: page.references || isReference(props.healthCheckPath) });
    this.worker = new WorkersScript(this, "worker", {
      accountId: zone.accountId,
      scriptName: edgeWorkerName(props.namePrefix),
      mainModule: "worker.js",
      content: isReference(source) ? terraformTemplate(source) : terraformLiteral(source),
      // No `global_fetch_strictly_public` flag (opt-in, whatever the date): with it, fetch(request) would go back to
      // Cloudflare's front door and this route instead of to the origin (https://developers.cloudflare.com/workers/configuration/compatibility-flags/).
      compatibilityDate: "2025-01-01",
    });
    // Every request for the name, HTTP and HTTPS, any path and query. Routes created through the API fail closed when
    // the Workers Free plan's 100,000 requests a day are spent (error 1027, https://developers.cloudflare.com/workers/platform/limits/#daily-request),
    // and the provider cannot set them to fail open (cloudflare/terraform-provider-cloudflare#1506): the account needs Workers Paid.
    // The Worker's subrequests to the origin obey the zone's encryption mode too.
    this.route = new WorkersRoute(this, "route", {
      zoneId: zone.zoneId,
      pattern: `${props.recordName}/*`,
      script: this.worker.scriptName,
      dependsOn: [this.ssl],
    });
  }
}
