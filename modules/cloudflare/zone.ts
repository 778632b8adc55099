import { Construct } from "constructs";
import { DnsRecord } from "@cdktf/provider-cloudflare/lib/dns-record";
import { ZoneSetting } from "@cdktf/provider-cloudflare/lib/zone-setting";
import { DnsZoneProps, IDnsZone } from "../core";

export interface CloudflareZoneProps extends DnsZoneProps {
  readonly accountId: string;
  readonly zoneId: string;
  /** Set the zone's TLS settings ({@link ZONE_TLS_SETTINGS}, zone-wide). */
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

/**
 * The zone's SSL/TLS encryption mode, Full (strict): Cloudflare reaches the origin over
 * HTTPS whenever the visitor used HTTPS, and verifies its certificate (an Origin CA one
 * passes). Every stack that proxies a name sets it, because its origin needs it: the load
 * balancer redirects HTTP to HTTPS, so under Flexible (a zone's default on many plans)
 * Cloudflare would fetch over HTTP, get the redirect and loop. It is zone-wide, so stacks
 * that share a zone each set the same value, and whichever deploys first makes the zone
 * right for all. The provider's delete of a `cloudflare_zone_setting` changes nothing
 * (internal/services/zone_setting/resource.go at v5.14.0), so destroying one stack leaves
 * the others' mode in place. A per-name Configuration Rule cannot do this: it lives in the
 * zone's one `http_config_settings` entry point ruleset ("Each phase has at most one entry
 * point ruleset ... at the zone level",
 * https://developers.cloudflare.com/ruleset-engine/about/rulesets/#entry-point-ruleset),
 * which stacks sharing the zone would overwrite in turn. And a Worker cannot choose for
 * itself: its subrequests to its own zone obey the zone's SSL setting
 * (https://developers.cloudflare.com/workers/configuration/workers-with-page-rules/#ssl).
 */
export const ORIGIN_SSL_MODE = "strict";

/** The zone's encryption mode as this stack needs it ({@link ORIGIN_SSL_MODE}). */
export function strictOriginSsl(zone: ICloudflareZone, scope: Construct, id = "ssl"): ZoneSetting {
  // The binding types `value` as a map; the API takes this setting's value as a string.
  return new ZoneSetting(scope, id, { zoneId: zone.zoneId, settingId: "ssl", value: ORIGIN_SSL_MODE as unknown as Record<string, string> });
}

/**
 * A record proxied through Cloudflare (edge TLS, caching, origin address hidden), made
 * after the zone's encryption mode is strict (`ssl`, {@link strictOriginSsl}), so the
 * name never sends visitors to the origin under another mode.
 */
export function proxiedRecord(
  zone: ICloudflareZone,
  scope: Construct,
  id: string,
  props: { name: string; type: "A" | "CNAME"; content: string; comment: string; ssl: ZoneSetting },
): DnsRecord {
  return new DnsRecord(scope, id, {
    zoneId: zone.zoneId,
    name: props.name,
    type: props.type,
    content: props.content,
    proxied: true,
    ttl: 1,
    comment: props.comment,
    dependsOn: [props.ssl],
  });
}

/**
 * Zone-wide settings one environment manages (`cloudflare.manageZoneSettings`): HTTPS
 * always, TLS 1.2 at least, TLS 1.3. The encryption mode is not among them: every stack
 * sets it ({@link strictOriginSsl}).
 */
export const ZONE_TLS_SETTINGS: Readonly<Record<string, string>> = {
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
