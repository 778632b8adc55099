import { Testing } from "cdktf";
import { Config, specWith, synth, synthDoEnvironment } from "../helpers";
import { MANAGED_RULESETS } from "../../modules/cloudflare/firewall";
import { CLOUDS } from "../../modules/stacks/clouds";
import { CloudTiersStack } from "../../modules/stacks/stack";
import { warnings } from "../../modules/stacks/app";
import { dev } from "../../environments/dev";

/*
 * Cloudflare's WAF in front of a DigitalOcean stack (modules/cloudflare/firewall.ts): the
 * zone's managed rules, rate limit and Security Level, as each plan allows, written only by
 * the environment that manages the zone. The neutral protections: test/contract/contract.test.ts.
 */

const managing = (plan: "free" | "pro" | "business", requestsPerMinute = 600) => specWith({ firewall: { requestsPerMinute }, cloudflare: { ...dev.cloudflare!, manageZoneSettings: true, plan } });
const ruleset = (s: ReturnType<typeof synthDoEnvironment>, phase: string) => s.where("cloudflare_ruleset").filter((r) => r.phase === phase);

describe("the Cloudflare firewall", () => {
  it("on Pro, runs the Cloudflare Managed Ruleset and counts each IP's requests over a minute, for the whole zone", () => {
    const s = synthDoEnvironment(managing("pro", 600));
    const [managed] = ruleset(s, "http_request_firewall_managed");
    expect(managed).toMatchObject({ kind: "zone", zone_id: dev.cloudflare!.zoneId });
    expect(managed.rules).toEqual([expect.objectContaining({ action: "execute", action_parameters: { id: MANAGED_RULESETS.managed }, expression: "true", enabled: true })]);
    const [limit] = ruleset(s, "http_ratelimit");
    expect(limit.rules).toEqual([expect.objectContaining({ action: "block", expression: "true", enabled: true, ratelimit: { characteristics: ["cf.colo.id", "ip.src"], period: 60, requests_per_period: 600, mitigation_timeout: 60 } })]);
    // Security Level no longer turns addresses away by reputation: it is left alone.
    expect(s.where("cloudflare_zone_setting").filter((z: Config) => z.setting_id === "security_level")).toEqual([]);
  });

  it("on Free, leaves the managed phase to the Free Managed Ruleset Cloudflare deploys itself, and counts a sixth of the limit over the 10 seconds Free counts, saying so", () => {
    const app = Testing.app();
    const s = synth(new CloudTiersStack(app, managing("free", 600), CLOUDS.find((c) => c.id === "do")!));
    expect(ruleset(s, "http_request_firewall_managed")).toEqual([]);
    expect(ruleset(s, "http_ratelimit")[0].rules[0].ratelimit).toMatchObject({ period: 10, requests_per_period: 100, mitigation_timeout: 10 });
    expect(warnings(app)).toContain("dev-do/django/firewall: PROVIDER GAP: Cloudflare's Free plan runs the Free Managed Ruleset only (Cloudflare deploys it), and counts requests over 10 seconds (100 per 10 s for 600 a minute)");
  });

  it("writes nothing from an environment that does not manage the zone (a zone has one ruleset a phase), and says whose firewall covers it", () => {
    const app = Testing.app();
    const spec = specWith({ firewall: {}, cloudflare: { ...dev.cloudflare!, manageZoneSettings: false } });
    expect(synth(new CloudTiersStack(app, spec, CLOUDS.find((c) => c.id === "do")!)).where("cloudflare_ruleset")).toEqual([]);
    expect(warnings(app)).toContain(
      "dev-do/django/firewall: PROVIDER GAP: no firewall of its own: the zone's rulesets belong to the environment that manages the zone's settings (cloudflare.manageZoneSettings), whose firewall covers every name of the zone",
    );
  });
});
