import { SpecValidator, ValidationIssue, fieldsOf } from "../core";

/** Cloudflare's plans, which decide what the zone's firewall may run. */
export const CLOUDFLARE_PLANS = ["free", "pro", "business", "enterprise"] as const;
export type CloudflarePlan = (typeof CLOUDFLARE_PLANS)[number];

/** What a `cloudflare` section gets for what it leaves out. */
export const CLOUDFLARE_DEFAULTS = { plan: "free" as CloudflarePlan };

/** Settings of the Cloudflare edge in front of a DigitalOcean stack: the `cloudflare` section. */
export interface CloudflareSettings {
  /** The account that owns the site's edge Worker (32 hex characters). */
  readonly accountId: string;
  /** The existing zone of `dnsZone` (32 hex characters). */
  readonly zoneId: string;
  /**
   * Set the zone's TLS settings: HTTPS always, TLS 1.2 minimum, TLS 1.3 on. They are
   * zone-wide: let exactly one environment sharing the zone manage them. (The SSL/TLS
   * encryption mode is not among them: every stack sets it to Full (strict), which its
   * origin needs, whatever deploys first.)
   * @default false
   */
  readonly manageZoneSettings?: boolean;
  /**
   * The zone has an Advanced Certificate covering deeper names; without it Cloudflare's
   * Universal SSL covers only the apex and first-level names (`media.example.com`, not
   * `media.staging.example.com`), so those are all the proxied names may be.
   * @default false
   */
  readonly advancedCertificates?: boolean;
  /**
   * The zone's Cloudflare plan: `free`, `pro`, `business` or `enterprise`. It decides what a
   * `firewall` runs at the edge: the Free Managed Ruleset and a 10-second rate window on
   * Free, the Cloudflare Managed Ruleset and a one-minute window above it.
   * @default "free"
   * @see docs/operations.md#edge-protection
   */
  readonly plan?: CloudflarePlan;
}

/** A Cloudflare account or zone id: 32 hexadecimal characters. */
export const CLOUDFLARE_ID = /^[0-9a-f]{32}$/;

/** The names this stack proxies through Cloudflare, for the certificate coverage rule. */
export interface ProxiedName {
  readonly path: string;
  readonly name: string;
}

/** Cloudflare's own limits on a spec. */
export function validateCloudflareSettings(
  environment: string,
  settings: CloudflareSettings | undefined,
  zone: string,
  proxied: readonly ProxiedName[],
): ValidationIssue[] {
  const v = new SpecValidator(environment);
  if (settings === undefined) {
    v.fail("cloudflare", "is required with digitalocean: Cloudflare serves the DNS, TLS edge and failover");
    return [...v.issues];
  }
  if (!v.fields("cloudflare", settings, fieldsOf<CloudflareSettings>({ accountId: true, zoneId: true, manageZoneSettings: true, advancedCertificates: true, plan: true }))) return [...v.issues];
  v.matches("cloudflare.accountId", settings.accountId, CLOUDFLARE_ID, "a Cloudflare account id (32 hexadecimal characters)");
  v.matches("cloudflare.zoneId", settings.zoneId, CLOUDFLARE_ID, "a Cloudflare zone id (32 hexadecimal characters)");
  if (settings.manageZoneSettings !== undefined) v.boolean("cloudflare.manageZoneSettings", settings.manageZoneSettings);
  if (settings.advancedCertificates !== undefined) v.boolean("cloudflare.advancedCertificates", settings.advancedCertificates);
  if (settings.plan !== undefined) v.oneOf("cloudflare.plan", settings.plan, CLOUDFLARE_PLANS);
  if (!settings.advancedCertificates) {
    for (const { path, name } of proxied) {
      if (name !== zone && !(name.endsWith(`.${zone}`) && !name.slice(0, -zone.length - 1).includes("."))) {
        v.fail(
          path,
          `must be "${zone}" or one level below it on Cloudflare, whose Universal SSL covers no deeper names, got "${name}" (set cloudflare.advancedCertificates if the zone has an Advanced Certificate)`,
        );
      }
    }
  }
  return [...v.issues];
}
