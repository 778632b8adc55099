import { environments } from "../../environments";
import { PERMISSIONS, cloudflareGroup, cloudflareNeeds } from "../../modules/cloudflare/preflight";
import { StackDocument } from "../../modules/policy/document";
import { withScratchSynth } from "../../modules/stacks/app";
import { cloudTiersStacks, writtenDocument } from "../../modules/stacks/policy";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { runChecks } from "../../modules/stacks/preflight";
import { CLOUDFLARE_TOKEN, CloudflareAccount, cloudflareAccount, fakeCloudflare } from "./fake-cloudflare";

/*
 * npm run preflight's Cloudflare checks against a local API v4 that implements exactly the
 * calls they make and checks each request (GET, path and query, the token, JSON asked for,
 * no body). Which checks run follows the synthesised stack: Workers Paid only where it
 * makes a Workers route (the failover's Worker), a permission probe for each resource type it makes.
 */

const stacks = withScratchSynth(environments, ["*-do"], (app) => cloudTiersStacks(app).map((s) => ({ name: s.node.id, spec: s.spec, doc: writtenDocument(app, s) })));
/** The DigitalOcean stack with the most Cloudflare resource types (production's: failover, zone settings). */
const richest = [...stacks].sort((a, b) => cloudflareNeeds(b.doc).types.length - cloudflareNeeds(a.doc).types.length)[0];
/** A shipped DigitalOcean stack without failover: staging's. */
const plain = stacks.find((s) => s.name === "staging-do")!;

/** A copy of a stack's document with resource types taken out, or added with one empty resource. */
function edited(doc: StackDocument, { without = [], with: added = [] }: { without?: string[]; with?: string[] }): StackDocument {
  const json = JSON.parse(JSON.stringify(doc.json));
  for (const t of without) delete json.resource[t];
  for (const t of added) json.resource[t] = { added: { zone_id: "z" } };
  return new StackDocument(json);
}

async function preflight(spec: EnvironmentSpec, doc: StackDocument, account: CloudflareAccount, token = CLOUDFLARE_TOKEN) {
  const fake = fakeCloudflare(spec.cloudflare!, account);
  const url = await fake.start();
  const lines: string[] = [];
  const sleeps: number[] = [];
  try {
    const group = cloudflareGroup({ spec, doc, env: { CLOUDFLARE_API_TOKEN: token, CLOUDFLARE_API_URL: `${url}/client/v4` }, log: (l) => lines.push(`log ${l}`), sleep: async (ms) => void sleeps.push(ms) });
    const failures = await runChecks([group], (l) => lines.push(l));
    return { failures, lines, sleeps, fake };
  } finally {
    await fake.stop();
  }
}

const check = (lines: string[], name: string) => {
  const i = lines.findIndex((l) => l.startsWith(`  `) && l.slice(8).startsWith(`${name}: `));
  return i < 0 ? "" : [lines[i], ...(lines[i + 1]?.startsWith("        fix:") ? [lines[i + 1]] : [])].join("\n");
};

describe("npm run preflight: Cloudflare", () => {
  const { spec, doc } = richest;
  const settings = spec.cloudflare!;
  /** Why Workers Free cannot take the failover, as the Workers Paid check says it. */
  const why = "on Workers Free the failover's Worker route (cloudflare_workers_route) fails closed, error 1027, once the day's 100,000 requests are spent";
  /** An account whose subscriptions are these, each the Workers Paid one with its fields replaced. */
  const subscribed = (...changes: Record<string, unknown>[]) => {
    const account = cloudflareAccount(settings, spec.dnsZone);
    account.subscriptions = changes.map((c) => ({ ...account.subscriptions[0], ...c }));
    return account;
  };

  it("knows the permission of every Cloudflare resource type a shipped stack makes", () => {
    for (const s of stacks) for (const t of cloudflareNeeds(s.doc).types) expect({ stack: s.name, type: t, known: t in PERMISSIONS }).toEqual({ stack: s.name, type: t, known: true });
  });

  it("passes an account that can take the stack, with only read-only GETs carrying the token", async () => {
    const run = await preflight(spec, doc, cloudflareAccount(settings, spec.dnsZone));
    expect(run.lines.filter((l) => l.includes("FAIL"))).toEqual([]);
    // The zone's rulesets are looked at where the stack writes any (a firewall of the environment that manages the zone).
    const phases = cloudflareNeeds(doc).rulesetPhases;
    const rulesets = phases.length > 0 ? ["  pass  zone rulesets"] : [];
    expect(run.lines.map((l) => l.slice(0, 8) + l.slice(8).split(":")[0])).toEqual(["Cloudflare", "  pass  token", "  pass  zone", "  pass  SSL mode", "  pass  Workers Paid", ...rulesets, "  pass  token permissions"]);
    expect(check(run.lines, "token")).toBe("  pass  token: CLOUDFLARE_API_TOKEN is active, until 2027-06-30T00:00:00Z");
    expect(check(run.lines, "zone")).toBe(`  pass  zone: ${spec.dnsZone} is active, in account ${settings.accountId}`);
    expect(check(run.lines, "Workers Paid")).toBe("  pass  Workers Paid: Workers Paid (Paid), which the failover's Worker route needs");
    expect(run.fake.unexpected).toEqual([]);
    for (const r of run.fake.requests) expect({ url: r.url, method: r.method, auth: r.headers.authorization, body: r.body }).toEqual({ url: r.url, method: "GET", auth: `Bearer ${CLOUDFLARE_TOKEN}`, body: "" });
    const urls = run.fake.requests.map((r) => r.url.replace("/client/v4", ""));
    expect(urls.slice(0, 4)).toEqual(["/user/tokens/verify", `/zones/${settings.zoneId}`, `/zones/${settings.zoneId}/settings/ssl`, `/accounts/${settings.accountId}/subscriptions`]);
    // One probe per permission the stack's resource types need, each once.
    const probes = [...new Set(cloudflareNeeds(doc).types.map((t) => PERMISSIONS[t].permission))];
    expect(urls.slice(4, 4 + phases.length)).toEqual(phases.map((p) => `/zones/${settings.zoneId}/rulesets/phases/${p.phase}/entrypoint`));
    expect(urls.slice(4 + phases.length)).toHaveLength(probes.length);
    expect(check(run.lines, "token permissions")).toBe(`  pass  token permissions: reads ${probes.join(", ")} (the apply needs each one's Edit, which no read can prove)`);
  });

  it("fails a zone that already has an entry point ruleset where the stack's firewall creates one, naming the import; and a token without Zone WAF", async () => {
    const phases = cloudflareNeeds(doc).rulesetPhases;
    expect(phases.map((p) => p.phase)).toContain("http_ratelimit");
    const account = cloudflareAccount(settings, spec.dnsZone);
    account.entrypoints.http_ratelimit = { id: "0f1e2d3c4b5a69788796a5b4c3d2e1f0", name: "default" };
    const taken = await preflight(spec, doc, account);
    const address = phases.find((p) => p.phase === "http_ratelimit")!.address;
    expect(check(taken.lines, "zone rulesets")).toBe(
      `  FAIL  zone rulesets: ${spec.dnsZone} already has an entry point ruleset in http_ratelimit (ruleset 0f1e2d3c4b5a69788796a5b4c3d2e1f0, "default"), where this stack creates its own: the apply would fail (exceeded maximum number of zone rulesets)\n` +
        `        fix: take each into the stack's state (terraform import '${address}' zones/${settings.zoneId}/0f1e2d3c4b5a69788796a5b4c3d2e1f0) or delete it in the dashboard, then deploy`,
    );
    const denied = cloudflareAccount(settings, spec.dnsZone);
    denied.forbidden.push(`/zones/${settings.zoneId}/rulesets`);
    const run = await preflight(spec, doc, denied);
    expect(check(run.lines, "zone rulesets")).toMatch(/^ {2}FAIL {2}zone rulesets: .+\n {8}fix: give CLOUDFLARE_API_TOKEN Zone: Zone WAF Read/);
    expect(check(run.lines, "token permissions")).toContain("Zone: Zone WAF (GET /zones/");
  });

  it("checks Workers Paid only where the stack makes a Workers route: production's failover, not staging without one", async () => {
    expect(cloudflareNeeds(doc).workersRoute).toBe(true);
    expect(cloudflareNeeds(plain.doc).workersRoute).toBe(false);
    const run = await preflight(plain.spec, plain.doc, cloudflareAccount(plain.spec.cloudflare!, plain.spec.dnsZone));
    expect(run.lines.map((l) => l.slice(0, 8) + l.slice(8).split(":")[0])).toEqual(["Cloudflare", "  pass  token", "  pass  zone", "  pass  SSL mode", "  pass  token permissions"]);
    expect(run.fake.requests.some((r) => r.url.includes("/subscriptions"))).toBe(false);
    // The route is what fails closed on Workers Free; a Worker script alone does not call for the check.
    const scriptOnly = await preflight(spec, edited(doc, { without: ["cloudflare_workers_route"] }), cloudflareAccount(settings, spec.dnsZone));
    expect(scriptOnly.lines.some((l) => l.includes("Workers Paid:"))).toBe(false);
  });

  it("fails an account on Workers Free or whose Workers Paid has ended, and knows a partner's Workers plan in any case", async () => {
    const free = await preflight(spec, doc, subscribed());
    expect(free.failures).toBe(1);
    expect(check(free.lines, "Workers Paid")).toBe(
      `  FAIL  Workers Paid: account ${settings.accountId} has no Workers Paid subscription (it has none): ${why}\n        fix: subscribe to Workers Paid (Workers & Pages, Plans), or take failover out of the spec; if one of its rate plans is Workers Paid under another id, add it to WORKERS_PAID_PLANS in modules/cloudflare/preflight.ts`,
    );
    const others = subscribed({ price: 0, state: "Provisioned", rate_plan: { id: "teams_free", public_name: "Teams Free Base", scope: "account", is_contract: false } });
    expect(check((await preflight(spec, doc, others)).lines, "Workers Paid")).toContain(`FAIL  Workers Paid: account ${settings.accountId} has no Workers Paid subscription (its rate plans: teams_free): ${why}`);
    expect(check((await preflight(spec, doc, subscribed({ state: "Cancelled" }))).lines, "Workers Paid")).toBe(
      `  FAIL  Workers Paid: account ${settings.accountId}'s Workers Paid subscription is Cancelled: ${why}\n        fix: subscribe to Workers Paid again (Workers & Pages, Plans), or take failover out of the spec`,
    );
    // Cloudflare's Tenant docs write the ids in capitals; self-serve accounts answer in lower case.
    const partner = subscribed({ state: "Provisioned", rate_plan: { id: "PARTNERS_WORKERS_SS", public_name: "Cloudflare Workers", is_contract: false } });
    expect(check((await preflight(spec, doc, partner)).lines, "Workers Paid")).toBe("  pass  Workers Paid: Cloudflare Workers (Provisioned), which the failover's Worker route needs");
  });

  it("skips, saying what to confirm by hand, an account whose contract may hold Workers under a plan preflight does not know", async () => {
    const contract = subscribed({ price: 0, rate_plan: { id: "enterprise", public_name: "Enterprise Website", scope: "zone", is_contract: true } });
    const run = await preflight(spec, doc, contract);
    expect(run.failures).toBe(0);
    expect(check(run.lines, "Workers Paid")).toBe(
      `  skip  Workers Paid: account ${settings.accountId} has no Workers Paid subscription preflight knows, but a contract (Enterprise Website) that may include Workers\n        fix: confirm by hand that the account is not on Workers Free (Workers & Pages, Plans): ${why}`,
    );
  });

  it("fails a token that may not read the account's subscriptions, naming the permission", async () => {
    const account = cloudflareAccount(settings, spec.dnsZone);
    account.forbidden = [`/accounts/${settings.accountId}/subscriptions`];
    const run = await preflight(spec, doc, account);
    expect(check(run.lines, "Workers Paid")).toBe(
      `  FAIL  Workers Paid: GET /accounts/${settings.accountId}/subscriptions: 403 9109: Unauthorized to access requested resource: the token in CLOUDFLARE_API_TOKEN may not read this\n        fix: give CLOUDFLARE_API_TOKEN Account: Billing Read, the permission that reads them, so that preflight can see the Workers plan`,
    );
    // The other checks still run.
    expect(check(run.lines, "token permissions")).toContain("pass  token permissions");
  });

  it("fails a zone that is pending, of another name, or of another account", async () => {
    const pending = cloudflareAccount(settings, spec.dnsZone);
    pending.zone = { ...pending.zone, status: "pending" };
    expect(check((await preflight(spec, doc, pending)).lines, "zone")).toBe(
      `  FAIL  zone: ${spec.dnsZone} is pending\n        fix: point the domain's name servers at the registrar to ada.ns.cloudflare.com, bob.ns.cloudflare.com, then wait for Cloudflare to activate the zone`,
    );
    const other = cloudflareAccount(settings, spec.dnsZone);
    other.zone = { ...other.zone, name: "example.org" };
    expect(check((await preflight(spec, doc, other)).lines, "zone")).toContain(`FAIL  zone: cloudflare.zoneId ${settings.zoneId} is the zone of example.org, not of ${spec.dnsZone}`);
    const foreign = cloudflareAccount(settings, spec.dnsZone);
    foreign.zone = { ...foreign.zone, account: { id: "f".repeat(32) } };
    expect(check((await preflight(spec, doc, foreign)).lines, "zone")).toContain(`belongs to account ${"f".repeat(32)}, not to cloudflare.accountId`);
  });

  describe("SSL mode", () => {
    const zoneId = settings.zoneId;
    /** A proxied A record in the zone. */
    const proxied = (name: string) => ({ name, type: "A", content: "192.0.2.10", proxied: true });
    /** A zone in `ssl` mode holding these records. */
    const zone = (ssl: string, records: CloudflareAccount["records"]) => ({ ...cloudflareAccount(settings, spec.dnsZone), ssl, records });
    /** The listing requests of the SSL mode check, as method, path, query and token. */
    const listings = (run: Awaited<ReturnType<typeof preflight>>) =>
      run.fake.requests
        .filter((r) => r.url.startsWith(`/client/v4/zones/${zoneId}/dns_records?`) && !r.url.endsWith("?per_page=1"))
        .map((r) => {
          const url = new URL(r.url, "http://fake");
          return { method: r.method, path: url.pathname, query: Object.fromEntries(url.searchParams), token: r.headers.authorization };
        });
    const listing = (page: number) => ({ method: "GET", path: `/client/v4/zones/${zoneId}/dns_records`, query: { proxied: "true", page: String(page), per_page: "5000000" }, token: `Bearer ${CLOUDFLARE_TOKEN}` });

    it("reads the names the stack makes from its document: records and Workers route hosts", () => {
      expect(cloudflareNeeds(doc).sslMode).toBe("strict");
      expect(cloudflareNeeds(doc).hostnames).toEqual([spec.domain]);
      expect(cloudflareNeeds(plain.doc).hostnames).toEqual([plain.spec.domain]);
      // A route's host counts without a record of the name; a wildcard host names nothing.
      const json = JSON.parse(JSON.stringify(doc.json));
      delete json.resource.cloudflare_dns_record;
      json.resource.cloudflare_workers_route.wild = { zone_id: "z", pattern: `*.${spec.dnsZone}/*`, script: "s" };
      expect(cloudflareNeeds(new StackDocument(json)).hostnames).toEqual([spec.domain]);
    });

    it("passes a zone already in Full (strict) without listing its records", async () => {
      const run = await preflight(spec, doc, zone("strict", [proxied(`legacy.${spec.dnsZone}`)]));
      expect(check(run.lines, "SSL mode")).toBe("  pass  SSL mode: strict, as this stack sets it");
      expect(listings(run)).toEqual([]);
    });

    it("passes a switch to strict that reaches no other proxied name: the stack's own names and unproxied records excluded", async () => {
      const records = [proxied(spec.domain.toUpperCase()), { ...proxied(`mail.${spec.dnsZone}`), proxied: false }];
      for (const ssl of ["flexible", "full"]) {
        const run = await preflight(spec, doc, zone(ssl, records));
        expect(check(run.lines, "SSL mode")).toBe(`  pass  SSL mode: this stack switches ${spec.dnsZone} from ${ssl} to strict; no other name in the zone is proxied, so none is affected`);
        expect(listings(run)).toEqual([listing(1)]);
        expect(run.fake.unexpected).toEqual([]);
      }
    });

    it("fails a switch that reaches other proxied names, following the pages and naming ten of them", async () => {
      const others = Array.from({ length: 12 }, (_, i) => `app${String(i).padStart(2, "0")}.${spec.dnsZone}`);
      // Two records of one name count once; the stack's own is not another's.
      const account = zone("full", [proxied(spec.domain), ...others.map(proxied), { ...proxied(others[0]), type: "AAAA", content: "2001:db8::1" }]);
      account.pageSize = 8;
      const run = await preflight(spec, doc, account);
      expect(run.failures).toBe(1);
      expect(check(run.lines, "SSL mode")).toBe(
        `  FAIL  SSL mode: this stack switches the whole of ${spec.dnsZone} from full to strict, under which each of the 12 other proxied names (${others.slice(0, 10).join(", ")} and 2 more) fails unless its origin serves HTTPS with a certificate Cloudflare trusts: 526 for a self-signed, expired or other name's certificate, 525 or 521 without HTTPS\n` +
          "        fix: give each an origin certificate Cloudflare trusts (a Cloudflare Origin CA certificate, or a publicly trusted one) on HTTPS before this stack puts the zone in Full (strict); then set SSL/TLS to Full (strict) in the zone yourself, or deploy",
      );
      expect(listings(run)).toEqual([listing(1), listing(2)]);
      expect(run.fake.unexpected).toEqual([]);
      // One other name on the second page alone is still found.
      const one = zone("flexible", [...Array.from({ length: 3 }, () => proxied(spec.domain)), proxied(`shop.${spec.dnsZone}`)]);
      one.pageSize = 3;
      const single = await preflight(spec, doc, one);
      expect(check(single.lines, "SSL mode")).toContain(`from flexible to strict, under which the other proxied name (shop.${spec.dnsZone}) fails unless`);
      expect(listings(single)).toEqual([listing(1), listing(2)]);
    });

    it("fails a token that may not list the zone's records, naming the permission", async () => {
      const account = zone("flexible", [proxied(`shop.${spec.dnsZone}`)]);
      account.forbidden = [`/zones/${zoneId}/dns_records`];
      const run = await preflight(spec, doc, account);
      expect(check(run.lines, "SSL mode")).toBe(
        `  FAIL  SSL mode: GET /zones/${zoneId}/dns_records?proxied=true&page=1&per_page=5000000: 403 9109: Unauthorized to access requested resource: the token in CLOUDFLARE_API_TOKEN may not read this\n` +
          "        fix: give CLOUDFLARE_API_TOKEN Zone: DNS Read, so that preflight can list the zone's proxied names, which this stack's switch from flexible to strict reaches",
      );
      expect(listings(run)).toEqual([listing(1)]);
    });

    it("fails a flexible or off SSL mode where the stack does not set the mode, listing nothing", async () => {
      const unmanaged = edited(doc, { without: ["cloudflare_zone_setting"] });
      expect(cloudflareNeeds(unmanaged).sslMode).toBeUndefined();
      const account = zone("flexible", [proxied(`shop.${spec.dnsZone}`)]);
      const flexible = await preflight(spec, unmanaged, account);
      expect(check(flexible.lines, "SSL mode")).toBe(
        `  FAIL  SSL mode: ${spec.dnsZone}'s SSL mode is flexible: the origin serves HTTPS and redirects HTTP to it, which loops\n        fix: set SSL/TLS to Full (strict) in the zone`,
      );
      expect(listings(flexible)).toEqual([]);
      account.ssl = "off";
      expect(check((await preflight(spec, unmanaged, account)).lines, "SSL mode")).toContain(`FAIL  SSL mode: ${spec.dnsZone}'s SSL mode is off: the origin serves HTTPS and redirects HTTP to it, which breaks`);
      account.ssl = "full";
      expect(check((await preflight(spec, unmanaged, account)).lines, "SSL mode")).toBe("  pass  SSL mode: full");
    });
  });

  it("names each permission the token may not read, and a resource type it knows no probe for", async () => {
    const account = cloudflareAccount(settings, spec.dnsZone);
    account.forbidden = [`/accounts/${settings.accountId}/workers/scripts`, `/zones/${settings.zoneId}/dns_records`];
    const withBoth = edited(doc, { with: ["cloudflare_dns_record", "cloudflare_workers_script"] });
    const run = await preflight(spec, withBoth, account);
    expect(check(run.lines, "token permissions")).toBe(
      `  FAIL  token permissions: the token may not read ${[
        ["Zone: DNS", `/zones/${settings.zoneId}/dns_records?per_page=1`],
        ["Account: Workers Scripts", `/accounts/${settings.accountId}/workers/scripts`],
      ]
        .sort((a, b) => cloudflareNeeds(withBoth).types.findIndex((t) => PERMISSIONS[t].permission === a[0]) - cloudflareNeeds(withBoth).types.findIndex((t) => PERMISSIONS[t].permission === b[0]))
        .map(([p, path]) => `${p} (GET ${path}: 403 9109)`)
        .join("; ")}\n        fix: give CLOUDFLARE_API_TOKEN these permissions, Edit for the apply (docs/preflight.md)`,
    );
    const unknown = await preflight(spec, edited(doc, { with: ["cloudflare_page_rule"] }), cloudflareAccount(settings, spec.dnsZone));
    expect(check(unknown.lines, "token permissions")).toBe(
      "  FAIL  token permissions: the stack makes cloudflare_page_rule, whose permission preflight does not know\n        fix: add each to PERMISSIONS in modules/cloudflare/preflight.ts",
    );
  });

  it("fails an invalid or expired token with Cloudflare's words, skipping the rest; verifies an account-owned token under its account", async () => {
    const bad = await preflight(spec, doc, cloudflareAccount(settings, spec.dnsZone), "cf-revoked");
    expect(bad.lines.slice(1, 3)).toEqual([
      "  FAIL  token: Cloudflare refused the token (401 1000: Invalid API Token): check CLOUDFLARE_API_TOKEN",
      "        fix: CLOUDFLARE_API_TOKEN was refused: create a token that has not expired (My Profile, API Tokens) and set it",
    ]);
    expect(bad.lines.slice(3).every((l) => l.startsWith("  skip"))).toBe(true);
    const expired = cloudflareAccount(settings, spec.dnsZone);
    expired.token = { ...expired.token, status: "expired" };
    expect(check((await preflight(spec, doc, expired)).lines, "token")).toContain("FAIL  token: CLOUDFLARE_API_TOKEN is expired");
    const owned = cloudflareAccount(settings, spec.dnsZone);
    owned.accountOwned = true;
    owned.token = { id: "t2", status: "active" };
    const run = await preflight(spec, doc, owned);
    expect(check(run.lines, "token")).toBe("  pass  token: CLOUDFLARE_API_TOKEN is active, with no expiry");
    expect(run.fake.requests.slice(0, 2).map((r) => r.url)).toEqual(["/client/v4/user/tokens/verify", `/client/v4/accounts/${settings.accountId}/tokens/verify`]);
  });

  it("waits as a 429 asks (retry-after), then goes on", async () => {
    const account = cloudflareAccount(settings, spec.dnsZone);
    const fake = fakeCloudflare(settings, account);
    fake.hiccups.push({ path: `/client/v4/zones/${settings.zoneId}`, answer: { status: 429, body: { success: false, errors: [{ code: 10000, message: "Rate limited" }] }, headers: { "retry-after": "3" } } });
    const url = await fake.start();
    const lines: string[] = [];
    const sleeps: number[] = [];
    try {
      const group = cloudflareGroup({ spec, doc, env: { CLOUDFLARE_API_TOKEN: CLOUDFLARE_TOKEN, CLOUDFLARE_API_URL: `${url}/client/v4` }, log: (l) => lines.push(`log ${l}`), sleep: async (ms) => void sleeps.push(ms) });
      expect(await runChecks([group], (l) => lines.push(l))).toBe(0);
    } finally {
      await fake.stop();
    }
    expect(sleeps).toEqual([3000]);
    expect(lines).toContain(`log GET /zones/${settings.zoneId}: throttled (429 10000: Rate limited); trying again in 3s (try 1 of 5)`);
  });
});
