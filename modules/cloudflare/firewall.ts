import { Construct } from "constructs";
import { Annotations } from "cdktf";
import { Ruleset } from "@cdktf/provider-cloudflare/lib/ruleset";
import { FIREWALL_PROTECTIONS, FirewallProps, IFirewall } from "../core";
import { CloudflarePlan } from "./settings";
import { ICloudflareZone } from "./zone";

/**
 * The WAF managed rulesets, by id (developers.cloudflare.com/waf/managed-rules/): the
 * Cloudflare Managed Ruleset on Pro and above, the Free Managed Ruleset ("available on all
 * Cloudflare plans ... mitigation against high and wide impacting vulnerabilities") on Free.
 */
export const MANAGED_RULESETS = { managed: "efb7b8c949ac4650a09736fc376e9aee", free: "77454fe2d30c4220b5701f6fdfb893ba" } as const;

/** The zone phases the firewall writes an entry point ruleset in. */
export const FIREWALL_PHASES = { managed: "http_request_firewall_managed", rateLimit: "http_ratelimit" } as const;

/**
 * What each plan's rate limiting rules may count over and block for, in seconds
 * (developers.cloudflare.com/waf/rate-limiting-rules/, "Availability": Free counts over 10 s
 * and mitigates for 10 s; Pro up to 1 min and 1 h; Business up to 10 min and a day).
 */
export const RATE_LIMIT_PERIODS: Readonly<Record<CloudflarePlan, { period: number; mitigation: number }>> = {
  free: { period: 10, mitigation: 10 },
  pro: { period: 60, mitigation: 60 },
  business: { period: 60, mitigation: 60 },
  enterprise: { period: 60, mitigation: 60 },
};

/**
 * No zone-level control blocks addresses by reputation any longer: Security Level now only
 * turns Under Attack mode on or off, and "the threat score is always 0"
 * (developers.cloudflare.com/waf/tools/security-level/).
 */
const NO_IP_REPUTATION = "Cloudflare retired the threat score behind Security Level: no zone setting blocks addresses by reputation (Bot Management, Enterprise, is not managed here)";

export interface CloudflareFirewallProps extends FirewallProps {
  readonly zone: ICloudflareZone;
  readonly plan: CloudflarePlan;
  /** Whether this stack owns the zone's zone-wide settings and rulesets (`cloudflare.manageZoneSettings`). */
  readonly manageZone: boolean;
}

/**
 * Cloudflare's WAF in front of the site, for the whole zone: a rate limiting rule per client
 * IP and, on Pro and above, the Cloudflare Managed Ruleset. A zone has one entry point
 * ruleset per phase ("Each phase has at most one entry point ruleset ... at the zone level",
 * developers.cloudflare.com/ruleset-engine/about/rulesets/#entry-point-ruleset; the provider
 * creates one with a POST, which fails with "exceeded maximum number of zone rulesets" where
 * one exists, cloudflare/terraform-provider-cloudflare#1210 and #6273, and preflight looks
 * first), so only the environment that manages the zone's settings writes them, and they
 * protect every name of the zone. On Free, Cloudflare deploys the Free Managed Ruleset itself
 * ("deployed by default on Free plans", developers.cloudflare.com/waf/get-started/), so the
 * stack leaves that phase alone. PROVIDER GAPS: on Free, only the Free Managed Ruleset and a
 * 10-second rate window; no blocking by IP reputation on any plan.
 */
export class CloudflareFirewall extends Construct implements IFirewall {
  public readonly gaps: IFirewall["gaps"];

  constructor(scope: Construct, id: string, props: CloudflareFirewallProps) {
    super(scope, id);
    if (!props.manageZone) {
      const why = "the zone's rulesets belong to the environment that manages the zone's settings (cloudflare.manageZoneSettings), whose firewall covers every name of the zone";
      this.gaps = { ...Object.fromEntries(FIREWALL_PROTECTIONS.map((p) => [p, why])), "ip-reputation": NO_IP_REPUTATION };
      Annotations.of(this).addWarning(`PROVIDER GAP: no firewall of its own: ${why}`);
      return;
    }
    const free = props.plan === "free";
    const freeRules = "Cloudflare's Free plan runs only the Free Managed Ruleset (high-impact vulnerabilities), which Cloudflare deploys itself, not the Cloudflare Managed Ruleset";
    this.gaps = free
      ? { "common-attacks": freeRules, "known-bad-inputs": freeRules, "ip-reputation": NO_IP_REPUTATION, "rate-limit": "Cloudflare's Free plan counts over 10 seconds, so the limit is a sixth of the spec's a minute" }
      : { "ip-reputation": NO_IP_REPUTATION };
    if (free) Annotations.of(this).addWarning(`PROVIDER GAP: Cloudflare's Free plan runs the Free Managed Ruleset only (Cloudflare deploys it), and counts requests over 10 seconds (${Math.ceil(props.requestsPerMinute / 6)} per 10 s for ${props.requestsPerMinute} a minute)`);

    if (!free) {
      new Ruleset(this, "managed-rules", {
        zoneId: props.zone.zoneId,
        kind: "zone",
        phase: FIREWALL_PHASES.managed,
        name: `${props.namePrefix}: managed WAF rules`,
        description: "Cloudflare's managed WAF rules for the zone",
        rules: [{ action: "execute", actionParameters: { id: MANAGED_RULESETS.managed }, expression: "true", description: "Cloudflare Managed Ruleset", enabled: true }],
      });
    }
    const { period, mitigation } = RATE_LIMIT_PERIODS[props.plan];
    new Ruleset(this, "rate-limit", {
      zoneId: props.zone.zoneId,
      kind: "zone",
      phase: FIREWALL_PHASES.rateLimit,
      name: `${props.namePrefix}: rate limit`,
      description: "Requests per client IP address",
      rules: [
        {
          action: "block",
          expression: "true",
          description: `more than ${props.requestsPerMinute} requests a minute from one IP address`,
          enabled: true,
          // Every plan counts by IP, within a Cloudflare data centre (`cf.colo.id` is required).
          ratelimit: { characteristics: ["cf.colo.id", "ip.src"], period, requestsPerPeriod: Math.ceil((props.requestsPerMinute * period) / 60), mitigationTimeout: mitigation },
        },
      ],
    });
  }
}
