import { HttpApiError } from "../core/http-api";
import { StackDocument } from "../policy/document";
import { Check, CheckGroup, Outcome, PreflightContext, fail, pass, skip } from "../stacks/preflight";
import { CloudflareApi } from "./api";
import { CloudflareSettings } from "./settings";

/*
 * What the Cloudflare edge of a DigitalOcean stack needs of the account and the zone, read
 * from the synthesised stack (which resources it makes: the failover's Worker and its route,
 * zone settings), and the read-only calls of the API v4 that tell whether it is there.
 */

/**
 * The permission each Cloudflare resource type needs, and a GET that needs its read half.
 * A read proves the token holds the permission group at least to read; its Edit half, which
 * the apply needs, cannot be proved without writing. A type missing here fails the check:
 * preflight must learn to probe what a stack starts using.
 */
export const PERMISSIONS: Record<string, { readonly permission: string; readonly probe: (accountId: string, zoneId: string) => string; readonly absentIsReadable?: true }> = {
  cloudflare_dns_record: { permission: "Zone: DNS", probe: (_a, z) => `/zones/${z}/dns_records?per_page=1` },
  cloudflare_zone_setting: { permission: "Zone: Zone Settings", probe: (_a, z) => `/zones/${z}/settings/ssl` },
  cloudflare_origin_ca_certificate: { permission: "Zone: SSL and Certificates", probe: (_a, z) => `/certificates?zone_id=${z}` },
  cloudflare_load_balancer: { permission: "Zone: Load Balancers", probe: (_a, z) => `/zones/${z}/load_balancers` },
  cloudflare_load_balancer_pool: { permission: "Account: Load Balancing: Monitors and Pools", probe: (a) => `/accounts/${a}/load_balancers/pools` },
  cloudflare_load_balancer_monitor: { permission: "Account: Load Balancing: Monitors and Pools", probe: (a) => `/accounts/${a}/load_balancers/monitors` },
  cloudflare_workers_script: { permission: "Account: Workers Scripts", probe: (a) => `/accounts/${a}/workers/scripts` },
  cloudflare_workers_custom_domain: { permission: "Zone: Workers Routes", probe: (a, z) => `/accounts/${a}/workers/domains?zone_id=${z}` },
  cloudflare_workers_route: { permission: "Zone: Workers Routes", probe: (_a, z) => `/zones/${z}/workers/routes` },
  // The firewall's rate limit (and managed rules): a phase's entry point needs "Zone WAF", where listing the
  // zone's rulesets takes any of some twenty permissions; a 404 (no entry point yet) is a read all the same.
  cloudflare_ruleset: { permission: "Zone: Zone WAF", probe: (_a, z) => `/zones/${z}/rulesets/phases/http_ratelimit/entrypoint`, absentIsReadable: true },
};

/** What the stack asks of Cloudflare. */
export interface CloudflareNeeds {
  /** Every `cloudflare_*` resource type in the stack. */
  readonly types: readonly string[];
  /** The zone's SSL mode, when the stack sets it (`cloudflare_zone_setting` ssl). */
  readonly sslMode?: string;
  /** A Workers route (the failover's Worker): the account needs Workers Paid. */
  readonly workersRoute: boolean;
  /** The zone phases the stack writes an entry point ruleset in, with the ruleset's address. */
  readonly rulesetPhases: readonly { readonly phase: string; readonly address: string }[];
  /**
   * The names the stack makes in the zone, as written: its `cloudflare_dns_record` names and
   * the hosts of its Workers route patterns (a pattern with a wildcard host names none).
   */
  readonly hostnames: readonly string[];
}

export function cloudflareNeeds(doc: StackDocument): CloudflareNeeds {
  const types = Object.keys(doc.json.resource ?? {}).filter((t) => t.startsWith("cloudflare_"));
  const ssl = doc.resources("cloudflare_zone_setting").find((r) => r.config.setting_id === "ssl");
  const routes = doc.resources("cloudflare_workers_route");
  const hosts = routes.map((r) => (typeof r.config.pattern === "string" ? r.config.pattern.split("/")[0] : undefined)).filter((h) => h && !h.includes("*"));
  const records = doc.resources("cloudflare_dns_record").map((r) => r.config.name);
  const hostnames = [...new Set([...records, ...hosts].filter((n): n is string => typeof n === "string" && n !== ""))];
  const rulesetPhases = doc.resources("cloudflare_ruleset").map((r) => ({ phase: String(r.config.phase), address: r.address }));
  return { types, sslMode: ssl?.config.value, workersRoute: routes.length > 0, hostnames, rulesetPhases };
}

/** SSL modes that reach an origin serving HTTPS with an origin certificate and redirecting HTTP to it: `flexible` loops, `off` breaks. */
const COMPATIBLE_SSL = ["full", "strict"];

/**
 * DNS records a page of GET /zones/{zone}/dns_records asks for: the documented maximum
 * (`per_page`, 1 to 5,000,000, https://developers.cloudflare.com/api/resources/dns/subresources/records/methods/list/).
 * The pages are followed by `result_info.total_pages` all the same, should it answer fewer.
 */
const DNS_RECORDS_PER_PAGE = 5000000;
/** The SSL/TLS encryption modes as the dashboard names them. */
const MODE_NAMES: Record<string, string> = { off: "Off", flexible: "Flexible", full: "Full", strict: "Full (strict)" };
const modeName = (mode: string) => MODE_NAMES[mode] ?? mode;
/** The other proxied names a failure names before "and N more". */
const NAMED = 10;

/** A record name as the API gives it (the full name, lower case): `@` is the apex, a name outside the zone is relative to it. */
function fullName(name: string, zoneName: string): string {
  const n = name.toLowerCase().replace(/\.$/, "");
  const zone = zoneName.toLowerCase();
  return n === "@" ? zone : n === zone || n.endsWith(`.${zone}`) ? n : `${n}.${zone}`;
}

/** An entry of GET /zones/{zone}/dns_records (the fields read here). */
interface DnsRecord {
  readonly name: string;
}
/** A page of a list: `result_info.total_pages` tells how many there are. */
interface Page<T> {
  readonly result: T[];
  readonly result_info?: { readonly total_pages?: number };
}

/** The zone's proxied records, every page. */
async function proxiedRecords(api: CloudflareApi, zoneId: string): Promise<DnsRecord[]> {
  const records: DnsRecord[] = [];
  for (let page = 1; ; page++) {
    const answer = await api.get<Page<DnsRecord>>(`/zones/${zoneId}/dns_records?proxied=true&page=${page}&per_page=${DNS_RECORDS_PER_PAGE}`);
    records.push(...answer.result);
    if (page >= (answer.result_info?.total_pages ?? 1)) return records;
  }
}

interface TokenStatus {
  readonly id: string;
  readonly status: string;
  readonly expires_on?: string;
}
interface Zone {
  readonly name: string;
  readonly status: string;
  readonly account?: { readonly id: string };
  readonly name_servers?: readonly string[];
}
/** An entry of GET /accounts/{account}/subscriptions (the fields read here). */
interface Subscription {
  readonly rate_plan?: { readonly id?: string; readonly public_name?: string; readonly is_contract?: boolean };
  /** Trial, Provisioned, Paid, AwaitingPayment, Cancelled, Failed or Expired. */
  readonly state?: string;
}

/**
 * The rate plans of Workers Paid, as `rate_plan.id` of the account's subscriptions (any case):
 * Cloudflare's Tenant docs list `WORKERS_PAID` and the partners' `PARTNERS_WORKERS_SS`,
 * `_BASIC` and `_ENT` as samples, not all
 * (https://developers.cloudflare.com/tenant/reference/subscriptions/); self-serve accounts
 * are seen answering `workers_paid`. No other documented call (the Workers account settings
 * give only a default usage model) tells the plan.
 */
const WORKERS_PAID_PLANS = ["workers_paid", "partners_workers_ss", "partners_workers_basic", "partners_workers_ent"];
/** Subscription states that no longer give the plan. */
const ENDED = ["Cancelled", "Failed", "Expired"];

/** The checks of the Cloudflare edge with CLOUDFLARE_API_TOKEN. */
export function cloudflareChecks(needs: CloudflareNeeds, settings: CloudflareSettings, zoneName: string, api: CloudflareApi): Check[] {
  const { accountId, zoneId } = settings;
  const checks: Check[] = [
    {
      name: "token",
      gate: true,
      async run() {
        let token: TokenStatus;
        try {
          token = await api.result<TokenStatus>("/user/tokens/verify");
        } catch (e) {
          // An account-owned token is verified under its account.
          if (!(e instanceof HttpApiError && e.status === 401)) throw e;
          token = await api.result<TokenStatus>(`/accounts/${accountId}/tokens/verify`).catch(() => Promise.reject(e));
        }
        if (token.status !== "active") return fail(`CLOUDFLARE_API_TOKEN is ${token.status}`, "create a token that is active (My Profile, API Tokens, or the account's API Tokens) and set it");
        return pass(`CLOUDFLARE_API_TOKEN is active${token.expires_on ? `, until ${token.expires_on}` : ", with no expiry"}`);
      },
    },
    {
      name: "zone",
      async run() {
        const zone = await api.result<Zone>(`/zones/${zoneId}`);
        if (zone.name !== zoneName) return fail(`cloudflare.zoneId ${zoneId} is the zone of ${zone.name}, not of ${zoneName}`, `give the id of ${zoneName}'s zone (its Overview page) in cloudflare.zoneId`);
        if (zone.account?.id !== accountId) return fail(`${zoneName} belongs to account ${zone.account?.id ?? "(unknown)"}, not to cloudflare.accountId ${accountId}`, "give the zone's own account in cloudflare.accountId: the Worker and the Workers plan are the account's");
        if (zone.status !== "active") {
          return fail(`${zoneName} is ${zone.status}`, `point the domain's name servers at the registrar to ${(zone.name_servers ?? []).join(", ") || "the zone's"}, then wait for Cloudflare to activate the zone`);
        }
        return pass(`${zoneName} is active, in account ${accountId}`);
      },
    },
    {
      name: "SSL mode",
      async run() {
        const current = (await api.result<{ value: string }>(`/zones/${zoneId}/settings/ssl`)).value;
        const target = needs.sslMode;
        if (!target) {
          if (!COMPATIBLE_SSL.includes(current)) {
            return fail(`${zoneName}'s SSL mode is ${current}: the origin serves HTTPS and redirects HTTP to it, which ${current === "flexible" ? "loops" : "breaks"}`, "set SSL/TLS to Full (strict) in the zone");
          }
          return pass(`${current}`);
        }
        if (current === target) return pass(`${current}, as this stack sets it`);
        // The stack switches the whole zone: every other proxied name's origin then meets the new mode.
        let records: DnsRecord[];
        try {
          records = await proxiedRecords(api, zoneId);
        } catch (e) {
          if (!(e instanceof HttpApiError && e.status === 403)) throw e;
          return fail(e.message, `give CLOUDFLARE_API_TOKEN Zone: DNS Read, so that preflight can list the zone's proxied names, which this stack's switch from ${current} to ${target} reaches`);
        }
        const own = new Set(needs.hostnames.map((n) => fullName(n, zoneName)));
        const others = [...new Set(records.map((r) => fullName(r.name, zoneName)))].filter((n) => !own.has(n)).sort();
        if (others.length === 0) return pass(`this stack switches ${zoneName} from ${current} to ${target}; no other name in the zone is proxied, so none is affected`);
        const named = others.slice(0, NAMED).join(", ") + (others.length > NAMED ? ` and ${others.length - NAMED} more` : "");
        return fail(
          `this stack switches the whole of ${zoneName} from ${current} to ${target}, under which ${others.length === 1 ? "the other proxied name" : `each of the ${others.length} other proxied names`} (${named}) fails unless its origin serves HTTPS with a certificate Cloudflare trusts: 526 for a self-signed, expired or other name's certificate, 525 or 521 without HTTPS`,
          `give each an origin certificate Cloudflare trusts (a Cloudflare Origin CA certificate, or a publicly trusted one) on HTTPS before this stack puts the zone in ${modeName(target)}; then set SSL/TLS to ${modeName(target)} in the zone yourself, or deploy`,
        );
      },
    },
  ];
  if (needs.workersRoute) {
    checks.push({
      name: "Workers Paid",
      async run() {
        let subscriptions: Subscription[];
        try {
          subscriptions = await api.result<Subscription[]>(`/accounts/${accountId}/subscriptions`);
        } catch (e) {
          if (!(e instanceof HttpApiError && e.status === 403)) throw e;
          return fail(e.message, "give CLOUDFLARE_API_TOKEN Account: Billing Read, the permission that reads them, so that preflight can see the Workers plan");
        }
        const why = "on Workers Free the failover's Worker route (cloudflare_workers_route) fails closed, error 1027, once the day's 100,000 requests are spent";
        const plans = subscriptions.filter((s) => WORKERS_PAID_PLANS.includes(s.rate_plan?.id?.toLowerCase() ?? ""));
        const paid = plans.find((s) => !ENDED.includes(s.state ?? ""));
        if (paid) return pass(`${paid.rate_plan?.public_name || paid.rate_plan?.id}${paid.state ? ` (${paid.state})` : ""}, which the failover's Worker route needs`);
        if (plans.length > 0) return fail(`account ${accountId}'s Workers Paid subscription is ${plans.map((s) => s.state).join(", ")}: ${why}`, "subscribe to Workers Paid again (Workers & Pages, Plans), or take failover out of the spec");
        const contracts = subscriptions.filter((s) => s.rate_plan?.is_contract).map((s) => s.rate_plan?.public_name || s.rate_plan?.id);
        if (contracts.length > 0) {
          return skip(`account ${accountId} has no Workers Paid subscription preflight knows, but a contract (${contracts.join(", ")}) that may include Workers`, `confirm by hand that the account is not on Workers Free (Workers & Pages, Plans): ${why}`);
        }
        const seen = subscriptions.map((s) => s.rate_plan?.id).filter((id) => id);
        return fail(
          `account ${accountId} has no Workers Paid subscription (${seen.length > 0 ? `its rate plans: ${seen.join(", ")}` : "it has none"}): ${why}`,
          "subscribe to Workers Paid (Workers & Pages, Plans), or take failover out of the spec; if one of its rate plans is Workers Paid under another id, add it to WORKERS_PAID_PLANS in modules/cloudflare/preflight.ts",
        );
      },
    });
  }
  if (needs.rulesetPhases.length > 0) {
    checks.push({
      name: "zone rulesets",
      async run() {
        // The provider creates a phase's entry point with a POST, which fails where the zone has one
        // ("exceeded maximum number of zone rulesets", cloudflare/terraform-provider-cloudflare#1210, #6273).
        const taken: string[] = [];
        const imports: string[] = [];
        for (const { phase, address } of needs.rulesetPhases) {
          try {
            const existing = await api.result<{ id: string; name?: string }>(`/zones/${zoneId}/rulesets/phases/${phase}/entrypoint`);
            taken.push(`${phase} (ruleset ${existing.id}${existing.name ? `, "${existing.name}"` : ""})`);
            imports.push(`terraform import '${address}' zones/${zoneId}/${existing.id}`);
          } catch (e) {
            if (!(e instanceof HttpApiError)) throw e;
            if (e.status === 404) continue;
            if (e.status === 403) return fail(e.message, "give CLOUDFLARE_API_TOKEN Zone: Zone WAF Read, so that preflight can see the zone's rulesets (Edit for the apply)");
            throw e;
          }
        }
        if (taken.length > 0) {
          return fail(
            `${zoneName} already has an entry point ruleset in ${taken.join(" and ")}, where this stack creates its own: the apply would fail (exceeded maximum number of zone rulesets)`,
            `take each into the stack's state (${imports.join("; ")}) or delete it in the dashboard, then deploy`,
          );
        }
        return pass(`${zoneName} has no entry point ruleset yet in ${needs.rulesetPhases.map((r) => r.phase).join(", ")}`);
      },
    });
  }
  checks.push({
    name: "token permissions",
    async run() {
      const unknown = needs.types.filter((t) => !PERMISSIONS[t]);
      if (unknown.length > 0) return fail(`the stack makes ${unknown.join(", ")}, whose permission preflight does not know`, "add each to PERMISSIONS in modules/cloudflare/preflight.ts");
      const wanted = [...new Map(needs.types.map((t) => [PERMISSIONS[t].permission, PERMISSIONS[t].probe(accountId, zoneId)])).entries()];
      const refused: string[] = [];
      const absentIsReadable = new Set(needs.types.filter((t) => PERMISSIONS[t].absentIsReadable).map((t) => PERMISSIONS[t].probe(accountId, zoneId)));
      for (const [permission, probe] of wanted) {
        try {
          await api.get(probe);
        } catch (e) {
          if (e instanceof HttpApiError && e.status === 404 && absentIsReadable.has(probe)) continue;
          if (!(e instanceof HttpApiError && (e.status === 403 || e.status === 401))) throw e;
          refused.push(`${permission} (GET ${probe}: ${e.status} ${e.id})`);
        }
      }
      if (refused.length > 0) return fail(`the token may not read ${refused.join("; ")}`, `give CLOUDFLARE_API_TOKEN these permissions, Edit for the apply (docs/preflight.md)`);
      return pass(`reads ${wanted.map(([p]) => p).join(", ")} (the apply needs each one's Edit, which no read can prove)`);
    },
  });
  return checks;
}

/** Cloudflare's refusals, as a failed check. */
function explainCloudflare(error: unknown): Outcome | undefined {
  if (!(error instanceof HttpApiError)) return undefined;
  const fix =
    error.status === 401 || error.status === 400
      ? "CLOUDFLARE_API_TOKEN was refused: create a token that has not expired (My Profile, API Tokens) and set it"
      : error.status === 403
        ? "give the token this permission (docs/preflight.md lists each)"
        : error.status === 404
          ? "check cloudflare.accountId and cloudflare.zoneId: the token sees no such account or zone"
          : "try again later; see www.cloudflarestatus.com";
  return fail(error.message, fix);
}

/** The Cloudflare group of a DigitalOcean stack's preflight. */
export function cloudflareGroup(context: PreflightContext): CheckGroup {
  const api = new CloudflareApi({ token: context.env.CLOUDFLARE_API_TOKEN!, baseUrl: context.env.CLOUDFLARE_API_URL || undefined, log: context.log, sleep: context.sleep });
  return { title: "Cloudflare", checks: cloudflareChecks(cloudflareNeeds(context.doc), context.spec.cloudflare!, context.spec.dnsZone, api), explain: explainCloudflare };
}
