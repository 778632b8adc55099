import { Construct } from "constructs";
import { DnsRecord } from "@cdktf/provider-cloudflare/lib/dns-record";
import { ZoneSetting } from "@cdktf/provider-cloudflare/lib/zone-setting";
import { DnsZoneProps, IDnsZone } from "../core";

export interface CloudflareZoneProps extends DnsZoneProps {
  readonly accountId: string;
  readonly zoneId: string;
  /** Set the zone's TLS settings (zone-wide). */
  readonly manageSettings: boolean;
}

/** What Cloudflare tiers need of a zone: its id and its account's. */
export interface ICloudflareZone extends IDnsZone {
  readonly zoneId: string;
  readonly accountId: string;
}

/** A zone (and its account) given by id, which may be references: a module's variables. Sets nothing in the zone. */
export class ExistingCloudflareZone implements ICloudflareZone {
  constructor(
    public readonly zoneId: string,
    public readonly accountId: string,
    public readonly zoneName: string,
  ) {}
}

/** A record proxied through Cloudflare (edge TLS, caching, origin address hidden). */
export function proxiedRecord(
  zone: ICloudflareZone,
  scope: Construct,
  id: string,
  props: { name: string; type: "A" | "CNAME"; content: string; comment: string },
): DnsRecord {
  return new DnsRecord(scope, id, { zoneId: zone.zoneId, name: props.name, type: props.type, content: props.content, proxied: true, ttl: 1, comment: props.comment });
}

/** TLS settings that make the edge verify origins and refuse old clients. */
export const ZONE_TLS_SETTINGS: Readonly<Record<string, string>> = {
  ssl: "strict",
  always_use_https: "on",
  min_tls_version: "1.2",
  tls_1_3: "on",
};

/**
 * An existing Cloudflare zone and the records this stack keeps in it. PROVIDER GAP: the
 * zone is not created here (Cloudflare zones are created with the account and delegated
 * by the registrar); `createDnsZone` is refused for this cloud.
 */
export class CloudflareZone extends Construct implements ICloudflareZone {
  public readonly zoneName: string;
  public readonly zoneId: string;
  public readonly accountId: string;

  constructor(scope: Construct, id: string, props: CloudflareZoneProps) {
    super(scope, id);
    if (props.create) throw new Error(`Cloudflare zones are not created by this stack: give the id of "${props.zoneName}" in cloudflare.zoneId`);
    this.zoneName = props.zoneName;
    this.zoneId = props.zoneId;
    this.accountId = props.accountId;
    if (props.manageSettings) {
      for (const [setting, value] of Object.entries(ZONE_TLS_SETTINGS)) {
        // The binding types `value` as a map; the API takes these settings' values as strings.
        new ZoneSetting(this, `setting-${setting}`, { zoneId: this.zoneId, settingId: setting, value: value as unknown as Record<string, string> });
      }
    }
  }
}
