import { environments } from "../../environments";
import { StackDocument } from "../../modules/policy/document";
import { withScratchSynth } from "../../modules/stacks/app";
import { cloudTiersStacks, writtenDocument } from "../../modules/stacks/policy";
import { DIGITALOCEAN_PREFLIGHT, DigitalOceanNeeds, digitalOceanNeeds } from "../../modules/digitalocean/preflight";
import { runChecks } from "../../modules/stacks/preflight";
import { DO_CACHE_SIZES, DO_COMPUTE_SIZES, DO_POSTGRES_SIZES } from "../../modules/digitalocean/sizes";
import { DEFAULTS } from "../../modules/core";
import { poolRoles } from "../../modules/django/topology";
import { FakeApi, Recorded } from "../fake-api";
import { checkSignature } from "../sigv4";
import { runScript } from "../tools";
import { CLOUDFLARE_TOKEN, cloudflareAccount, fakeCloudflare } from "../cloudflare/fake-cloudflare";

/*
 * npm run preflight's DigitalOcean checks against a local API v2 (and a local Spaces
 * endpoint) that implements exactly the calls they make and checks each request: GET, the
 * path and query, the token, JSON asked for, no body; Spaces' ListBuckets signed with the keys.
 */

const TOKEN = "dop_v1_preflight_token_0123456789";
/** The nginx-balanced web droplets' token: droplet:read and tag:read only. */
const READ = "dop_v1_read_only_listing_token_01";
const SPACES = { accessKeyId: "DO00PREFLIGHTKEY0001", secretAccessKey: "spaces-secret/0123456789abcdef" };

/** How much a stack asks of a team: its pools and database replicas. */
const size = (d: StackDocument) => d.all(["digitalocean_droplet_autoscale", "digitalocean_database_replica"]).length;
/** The shipped DigitalOcean stack that asks most (production's shape), and its synthesised document. */
const { name: STACK, doc } = withScratchSynth(environments, ["*-do"], (app) =>
  cloudTiersStacks(app)
    .map((s) => ({ name: s.node.id, doc: writtenDocument(app, s) }))
    .sort((a, b) => size(b.doc) - size(a.doc))[0],
);
const spec = environments.find((e) => `${e.environment}-do` === STACK)!;
const needs = digitalOceanNeeds(doc);
/** The beat pool the topology adds: one small host, whatever the spec. */
const BEAT_POOL = { size: "small", min: 1, max: 1 } as const;
const droplets = (n: number) => needs.pools.reduce((sum, p) => sum + 2 * p.max, 0) + needs.droplets.length + n;

/** A team that can take the stack, each part replaceable by a test. */
function team(overrides: Partial<Record<string, unknown>> = {}) {
  const sizes = [...new Set([...needs.pools, ...needs.droplets].map((d) => d.size))];
  const regions = needs.regions;
  const layouts = [1, 2, 3].map((n) => ({ num_nodes: n, sizes: [...new Set([...needs.databases.map((d) => d.size), ...needs.replicas.map((r) => r.size)])] }));
  const engines = Object.fromEntries([...new Set(needs.databases.map((d) => d.engine))].map((e) => [e, { regions, versions: [...new Set([...needs.databases.filter((d) => d.engine === e).map((d) => d.version), "15"])], layouts }]));
  return {
    account: { droplet_limit: droplets(2), email: "ops@example.com", status: "active", team: { name: "Acme" } },
    // Two droplets of other stacks; one of this stack's own (a pool's tag), not counted again.
    droplets: [
      { id: 1, name: "other-1", tags: ["elsewhere"] },
      { id: 2, name: "other-2" },
      { id: 3, name: `${needs.pools[0].name}-abc`, tags: [needs.pools[0].name] },
    ],
    regions: [...regions.map((slug) => ({ slug, available: true })), { slug: "sgp1", available: false }],
    sizes: [...sizes.map((slug) => ({ slug, available: true, regions: [...regions, "nyc1"] })), { slug: "s-32vcpu-64gb", available: true, regions: ["nyc1"] }],
    options: engines,
    vpcs: [
      { name: "other-fra", region: needs.vpcs[0].region, ip_range: "172.16.0.0/20" },
      // Overlapping, but elsewhere, or the stack's own VPC: neither is a clash.
      { name: "other-nyc", region: "nyc1", ip_range: needs.vpcs[0].ipRange },
      { name: needs.vpcs[0].name, region: needs.vpcs[0].region, ip_range: needs.vpcs[0].ipRange },
    ],
    key: { name: "deploy", access_key: SPACES.accessKeyId, grants: [{ bucket: "", permission: "fullaccess" }] },
    buckets: 3,
    readScopes: ["droplet:read", "tag:read"],
    ...overrides,
  } as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** One item a page, with DigitalOcean's own host in the links, for the paged lists. */
function paged(path: string, key: string, items: readonly unknown[]) {
  return (url: URL) => {
    if (url.searchParams.get("per_page") !== "200") return { status: 400, body: { id: "bad_request", message: "per_page" } };
    const page = Number(url.searchParams.get("page") ?? "1");
    const next = page < items.length ? { next: `https://api.digitalocean.com${path}?page=${page + 1}&per_page=200` } : {};
    return { body: { [key]: items.slice(page - 1, page), links: { pages: next }, meta: { total: items.length } } };
  };
}

function fakeDigitalOcean(t: ReturnType<typeof team>) {
  return new FakeApi(
    {
      "GET /v2/account": () => ({ body: { account: t.account } }),
      "GET /v2/droplets": paged("/v2/droplets", "droplets", t.droplets),
      "GET /v2/regions": paged("/v2/regions", "regions", t.regions),
      "GET /v2/sizes": paged("/v2/sizes", "sizes", t.sizes),
      "GET /v2/databases/options": () => ({ body: { options: t.options } }),
      "GET /v2/vpcs": paged("/v2/vpcs", "vpcs", t.vpcs),
      [`GET /v2/spaces/keys/${SPACES.accessKeyId}`]: () => (t.key ? { body: { key: t.key } } : { status: 404, body: { id: "not_found", message: "key not found" } }),
    },
    (r) => {
      if (r.headers.authorization === `Bearer ${TOKEN}`) return undefined;
      // The read token may list droplets by tag, and nothing else; a token without tag:read may not filter by tag.
      if (r.headers.authorization === `Bearer ${t.readToken ?? READ}`) {
        const url = new URL(r.url, "http://fake");
        if (url.pathname !== "/v2/droplets" || !url.searchParams.get("tag_name")) return { status: 403, body: { id: "forbidden", message: "You are not authorized to perform this operation" } };
        return t.readScopes.includes("tag:read") ? undefined : { status: 403, body: { id: "forbidden", message: "You are missing the required scope tag:read." } };
      }
      return { status: 401, body: { id: "unauthorized", message: "Unable to authenticate you." } };
    },
  );
}

/** Spaces' S3 endpoint: ListBuckets only, signed with the keys. */
function fakeSpaces(t: ReturnType<typeof team>) {
  const refuse = (code: string) => ({ status: 403, body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>` });
  return new FakeApi(
    {
      "GET /": (url) =>
        url.searchParams.get("x-id") === "ListBuckets"
          ? { body: `<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult><Owner><ID>1</ID></Owner><Buckets>${"<Bucket><Name>b</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate></Bucket>".repeat(t.buckets)}</Buckets></ListAllMyBucketsResult>` }
          : refuse("NotImplemented"),
    },
    (r) => {
      const signature = checkSignature(r, SPACES.secretAccessKey);
      if (signature?.accessKeyId !== SPACES.accessKeyId) return refuse("InvalidAccessKeyId");
      return signature.valid && signature.service === "s3" && r.body === "" ? undefined : refuse("SignatureDoesNotMatch");
    },
  );
}

/** The DigitalOcean group alone (the Cloudflare group has its own tests, test/cloudflare/preflight.test.ts). */
const digitalOceanGroup = (context: Parameters<typeof DIGITALOCEAN_PREFLIGHT.groups>[0]) => DIGITALOCEAN_PREFLIGHT.groups(context).filter((g) => g.title === "DigitalOcean");

/** Runs the DigitalOcean checks of the stack against the fakes; what they printed, and the failures. */
async function preflight(t: ReturnType<typeof team>, env: Record<string, string | undefined> = {}, document: StackDocument = doc) {
  const api = fakeDigitalOcean(t);
  const spaces = fakeSpaces(t);
  const lines: string[] = [];
  const sleeps: number[] = [];
  const context = {
    spec,
    doc: document,
    env: { DIGITALOCEAN_TOKEN: TOKEN, TF_VAR_digitalocean_read_token: READ, DIGITALOCEAN_API_URL: await api.start(), SPACES_ACCESS_KEY_ID: SPACES.accessKeyId, SPACES_SECRET_ACCESS_KEY: SPACES.secretAccessKey, SPACES_ENDPOINT_URL: await spaces.start(), ...env },
    log: (l: string) => lines.push(`log ${l}`),
    sleep: async (ms: number) => void sleeps.push(ms),
  };
  try {
    const failures = await runChecks(digitalOceanGroup(context), (l) => lines.push(l));
    return { failures, lines, sleeps, api, spaces };
  } finally {
    await api.stop();
    await spaces.stop();
  }
}

const line = (lines: string[], check: string) => lines.filter((l) => l.includes(`  ${check}: `) || (l.startsWith("        fix:") && lines[lines.indexOf(l) - 1]?.includes(`  ${check}: `))).join("\n");

describe("npm run preflight: DigitalOcean", () => {
  it("reads what the stack needs from its synthesised JSON: pools and their maxima, sizes, databases, the VPC, Spaces", () => {
    const expected: Partial<DigitalOceanNeeds> = { regions: expect.arrayContaining([spec.digitalocean!.region]) as unknown as string[] };
    expect(needs).toMatchObject(expected);
    expect(needs.pools.map((p) => p.name)).toEqual(doc.resources("digitalocean_droplet_autoscale").map((r) => r.config.name));
    // Derived from the spec through the size tables: a user's own sizes and counts hold too.
    expect(needs.pools.map((p) => [p.name.split("-").pop(), p.size, p.max])).toEqual(
      poolRoles(spec)
        .map((role) => {
          const pool = role === "beat" ? BEAT_POOL : spec.pools[role]!;
          return [role, DO_COMPUTE_SIZES[pool.size], pool.max];
        })
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    const pg = spec.postgres;
    const region = spec.digitalocean!.region;
    const disasterRecovery = spec.digitalocean!.disasterRecoveryRegion;
    expect(needs.replicas.map((r) => r.region)).toEqual([...(disasterRecovery ? [disasterRecovery] : []), ...Array.from({ length: pg.replicas }, () => region)].sort());
    expect(needs.replicas.filter((r) => r.region === region).map((r) => r.size)).toEqual(Array.from({ length: pg.replicas }, () => DO_POSTGRES_SIZES[pg.replicaSize ?? pg.size]));
    const nodes = (highAvailability: boolean | undefined) => (highAvailability ? 2 : 1);
    expect(needs.databases.map((d) => [d.engine, d.version, d.size, d.nodes])).toEqual([
      ...(spec.cache ? [["valkey", spec.cache.version ?? "8", DO_CACHE_SIZES[spec.cache.size], nodes(spec.cache.highAvailability)]] : []),
      ["pg", pg.version ?? DEFAULTS.postgres.version, DO_POSTGRES_SIZES[pg.size], nodes(pg.highAvailability)],
    ]);
    expect(needs.vpcs).toEqual([{ name: `${spec.application.name}-${spec.environment}`, region: spec.digitalocean!.region, ipRange: spec.network!.cidr }]);
    expect(needs.tags).toEqual(expect.arrayContaining(needs.pools.map((p) => p.name)));
  });

  it("passes a team that can take the stack, each check making only its read-only GETs with the token", async () => {
    const run = await preflight(team());
    expect(run.lines.filter((l) => l.includes("FAIL"))).toEqual([]);
    expect(run.failures).toBe(0);
    expect(run.lines[0]).toBe("DigitalOcean");
    const listing = needs.listedTag ? ["read token"] : [];
    expect(run.lines.map((l) => l.split(":")[0].trim())).toEqual(["DigitalOcean", ...["account", "droplet limit", "regions", "droplet sizes", "database engines", "VPC range", ...listing, "Spaces key", "Spaces keys sign"].map((c) => `pass  ${c}`)]);
    expect(line(run.lines, "account")).toBe('  pass  account: ops@example.com, team "Acme", active');
    expect(line(run.lines, "droplet limit")).toContain(`${droplets(2)} droplets at most`);
    expect(line(run.lines, "droplet limit")).toContain(`and 2 other droplets of the team; the limit is ${droplets(2)}`);
    expect(line(run.lines, "Spaces keys sign")).toBe(`  pass  Spaces keys sign: the key pair lists the team's buckets in ${needs.bucketRegions[0]} (3)`);
    expect(run.api.unexpected).toEqual([]);
    expect(run.spaces.unexpected).toEqual([]);
    for (const r of run.api.requests.filter((x) => x.headers.authorization !== `Bearer ${READ}`)) {
      expect({ url: r.url, method: r.method, authorization: r.headers.authorization, accept: r.headers.accept, body: r.body }).toEqual({ url: r.url, method: "GET", authorization: `Bearer ${TOKEN}`, accept: "application/json", body: "" });
    }
    // The paged lists followed page by page through DigitalOcean's links.
    const urls = run.api.requests.map((r) => r.url);
    expect(urls.slice(0, 4)).toEqual(["/v2/account", "/v2/droplets?per_page=200", "/v2/droplets?page=2&per_page=200", "/v2/droplets?page=3&per_page=200"]);
    expect(urls).toContain("/v2/databases/options");
    expect(urls.at(-1)).toBe(`/v2/spaces/keys/${SPACES.accessKeyId}`);
    expect(run.spaces.requests.map((r) => [r.method, r.url, checkSignature(r, SPACES.secretAccessKey)])).toEqual([["GET", "/?x-id=ListBuckets", { accessKeyId: SPACES.accessKeyId, region: "us-east-1", service: "s3", valid: true }]]);
  });

  it("nginx-balanced: tries the web droplets' read token as they will use it, and fails one that is missing, refused or lacks tag:read", async () => {
    const balanced = { ...spec, environment: "listing", terraformCloud: undefined, layout: "nginx-balanced" as const, network: { ...spec.network!, cidr: "10.77.0.0/16" }, pools: { ...spec.pools, app: spec.pools.app ?? { size: "small", min: 1, max: 2 } } };
    const listing = withScratchSynth([balanced], ["*-do"], (app) => writtenDocument(app, cloudTiersStacks(app)[0]));
    // A team whose droplet limit takes this stack too: only the token is tried here.
    const roomy = (overrides: Record<string, unknown> = {}) => team({ account: { ...team().account, droplet_limit: 1000 }, ...overrides });
    const tag = `${balanced.application.name}-listing-app`;
    expect(digitalOceanNeeds(listing).listedTag).toBe(tag);
    expect(needs.listedTag === undefined || spec.layout === "nginx-balanced").toBe(true);
    const ok = await preflight(roomy(), {}, listing);
    expect(ok.failures).toBe(0);
    expect(line(ok.lines, "read token")).toBe(`  pass  read token: TF_VAR_digitalocean_read_token lists the droplets tagged ${tag}, as the web droplets will`);
    expect(ok.api.requests.filter((r) => r.headers.authorization === `Bearer ${READ}`).map((r) => [r.method, r.url])).toEqual([["GET", `/v2/droplets?tag_name=${tag}&per_page=200`]]);
    const fix = "make a custom-scoped token with droplet:read and tag:read only (API, Tokens), and set TF_VAR_digitalocean_read_token (or the workspace's sensitive variable digitalocean_read_token)";
    const missing = await preflight(roomy(), { TF_VAR_digitalocean_read_token: undefined }, listing);
    expect(line(missing.lines, "read token")).toBe(
      `  FAIL  read token: TF_VAR_digitalocean_read_token is not set: the web droplets list the app droplets with it (nginx-balanced layout), and the plan refuses a stack without it\n        fix: ${fix}`,
    );
    const inCloud = await preflight(roomy(), { TF_VAR_digitalocean_read_token: undefined, TF_CLOUD_ORGANIZATION: "acme" }, listing);
    expect(line(inCloud.lines, "read token")).toMatch(/^ {2}skip {2}read token: TF_VAR_digitalocean_read_token is not set here: in Terraform Cloud/);
    const noTag = await preflight(roomy({ readScopes: ["droplet:read"] }), {}, listing);
    expect(line(noTag.lines, "read token")).toContain("FAIL  read token: TF_VAR_digitalocean_read_token cannot list droplets by tag (HTTP 403: a scope is missing)");
    const refused = await preflight(roomy({ readToken: "dop_v1_other" }), {}, listing);
    expect(line(refused.lines, "read token")).toContain("FAIL  read token: TF_VAR_digitalocean_read_token cannot list droplets by tag (HTTP 401: DigitalOcean refused it)");
    expect([missing, noTag, refused].map((r) => r.failures)).toEqual([1, 1, 1]);
  }, 60000);

  it("fails the droplet limit one droplet short, counting other stacks' droplets but not the stack's own", async () => {
    const t = team();
    t.account = { ...t.account, droplet_limit: droplets(2) - 1 };
    const run = await preflight(t);
    expect(run.failures).toBe(1);
    expect(line(run.lines, "droplet limit")).toMatch(new RegExp(`FAIL  droplet limit: ${droplets(2)} droplets at most: .* the limit is ${droplets(2) - 1}\n        fix: ask DigitalOcean to raise the team's droplet limit to ${droplets(2)} or more`));
  });

  it("stops at an account that is not active, and at a refused token, skipping the rest", async () => {
    const t = team();
    t.account = { ...t.account, status: "locked", status_message: "Payment overdue" };
    const locked = await preflight(t);
    expect(locked.failures).toBe(1);
    expect(line(locked.lines, "account")).toBe('  FAIL  account: ops@example.com, team "Acme" is locked (Payment overdue)\n        fix: settle what the control panel asks (billing, e-mail verification): a locked or warned account cannot create resources');
    expect(locked.lines.filter((l) => l.startsWith("  skip"))).toHaveLength(7);
    expect(locked.api.requests.map((r) => r.url)).toEqual(["/v2/account"]);

    const refused = await preflight(team(), { DIGITALOCEAN_TOKEN: "dop_v1_expired" });
    expect(refused.lines.slice(1, 3)).toEqual([
      "  FAIL  account: DigitalOcean refused the token (401 unauthorized: Unable to authenticate you.): check DIGITALOCEAN_TOKEN",
      "        fix: DIGITALOCEAN_TOKEN was refused: create a token (API, Tokens) that has not expired, and set it",
    ]);
    expect(refused.lines[3]).toBe("  skip  droplet limit: not checked, as account failed");
    expect(refused.spaces.requests).toEqual([]);
  });

  it("fails a region that is not available, a size the region does not offer, and a database the region cannot run", async () => {
    const t = team();
    const region = spec.digitalocean!.region;
    t.regions = t.regions.map((r: { slug: string }) => (r.slug === region ? { ...r, available: false } : r));
    t.sizes = t.sizes.map((s: { slug: string; regions: string[] }) => (s.slug === needs.pools[0].size ? { ...s, regions: ["nyc1"] } : s));
    const pg = needs.databases.find((d) => d.engine === "pg")!;
    t.options = { ...t.options, pg: { ...t.options.pg, versions: ["15"], layouts: t.options.pg.layouts.filter((l: { num_nodes: number }) => l.num_nodes !== pg.nodes) } };
    const run = await preflight(t);
    expect(run.failures).toBe(3);
    expect(line(run.lines, "regions")).toMatch(new RegExp(`FAIL  regions: ${region}: not an available region\n        fix: choose a region`));
    expect(line(run.lines, "droplet sizes")).toContain(`FAIL  droplet sizes: ${needs.pools[0].size} in ${region}: not offered`);
    expect(line(run.lines, "database engines")).toContain(`FAIL  database engines: ${pg.name}: pg ${pg.version} is not offered (15 are); ${pg.name}: ${pg.size} is not offered with ${pg.nodes} node(s)`);
  });

  it("fails a VPC range that overlaps another VPC of the region", async () => {
    const t = team();
    const mine = needs.vpcs[0];
    const inside = mine.ipRange.replace(/\/\d+$/, "/24");
    t.vpcs = [...t.vpcs, { name: "legacy", region: mine.region, ip_range: inside }];
    const run = await preflight(t);
    expect(line(run.lines, "VPC range")).toBe(`  FAIL  VPC range: ${mine.ipRange} overlaps legacy (${inside}) in ${mine.region}\n        fix: give network.cidr a range no VPC of the region uses (GET /v2/vpcs lists them)`);
  });

  it("fails a Spaces key limited to some buckets, one that does not exist, keys Spaces refuses, and a token without the Spaces keys scope", async () => {
    const limited = await preflight(team({ key: { name: "ci", access_key: SPACES.accessKeyId, grants: [{ bucket: "media", permission: "readwrite" }] } }));
    expect(line(limited.lines, "Spaces key")).toBe('  FAIL  Spaces key: SPACES_ACCESS_KEY_ID is "ci", limited to readwrite on media\n        fix: the stack creates buckets: give it a key with full access (Spaces Object Storage, Access Keys, Full Access)');
    const missing = await preflight(team({ key: undefined }));
    expect(line(missing.lines, "Spaces key")).toContain("fix: SPACES_ACCESS_KEY_ID names no key of this team");
    const wrongSecret = await preflight(team(), { SPACES_SECRET_ACCESS_KEY: "not-the-secret" });
    expect(line(wrongSecret.lines, "Spaces keys sign")).toBe(
      "  FAIL  Spaces keys sign: Spaces refused the keys (403 SignatureDoesNotMatch: SignatureDoesNotMatch)\n        fix: SPACES_ACCESS_KEY_ID and SPACES_SECRET_ACCESS_KEY must be a pair of a key that exists (Spaces Object Storage, Access Keys)",
    );
    const t = team();
    const api = fakeDigitalOcean(t);
    api.routes[`GET /v2/spaces/keys/${SPACES.accessKeyId}`] = () => ({ status: 403, body: { id: "forbidden", message: "You are not authorized to perform this operation" } });
    const unscoped = await (async () => {
      const url = await api.start();
      const lines: string[] = [];
      try {
        await runChecks(digitalOceanGroup({ spec, doc, env: { DIGITALOCEAN_TOKEN: TOKEN, DIGITALOCEAN_API_URL: url, SPACES_ACCESS_KEY_ID: SPACES.accessKeyId }, log: () => {} }), (l) => lines.push(l));
      } finally {
        await api.stop();
      }
      return lines;
    })();
    expect(line(unscoped, "Spaces key")).toBe(
      `  FAIL  Spaces key: GET /v2/spaces/keys/${SPACES.accessKeyId}: 403 forbidden: You are not authorized to perform this operation: the token in DIGITALOCEAN_TOKEN may not read this\n        fix: give the token read scope on this resource (a custom-scoped token needs each resource's :read scope)`,
    );
    // Without the secret (read-only credentials) the pair is not tried, and that is no failure.
    expect(line(unscoped, "Spaces keys sign")).toBe("  skip  Spaces keys sign: SPACES_SECRET_ACCESS_KEY is not set (read-only credentials): the key's secret is not tried");
  });

  it("waits as a 429 asks and tries a 5xx again, saying so", async () => {
    const t = team();
    const api = fakeDigitalOcean(t);
    api.hiccups.push({ path: "/v2/sizes", answer: { status: 429, body: { id: "too_many_requests", message: "API rate limit exceeded." }, headers: { "retry-after": "7" } } });
    api.hiccups.push({ path: "/v2/vpcs", answer: { status: 503, body: { id: "service_unavailable", message: "down" } } });
    const url = await api.start();
    const lines: string[] = [];
    const sleeps: number[] = [];
    try {
      const failures = await runChecks(
        digitalOceanGroup({ spec, doc, env: { DIGITALOCEAN_TOKEN: TOKEN, DIGITALOCEAN_API_URL: url, SPACES_ACCESS_KEY_ID: SPACES.accessKeyId }, log: (l) => lines.push(`log ${l}`), sleep: async (ms) => void sleeps.push(ms) }),
        (l) => lines.push(l),
      );
      expect(failures).toBe(0);
    } finally {
      await api.stop();
    }
    expect(sleeps).toEqual([7000, 2000]);
    expect(lines).toContain("log GET /v2/sizes?per_page=200: throttled (429 too_many_requests: API rate limit exceeded.); trying again in 7s (try 1 of 5)");
    expect(lines).toContain("log GET /v2/vpcs?per_page=200: 503 service_unavailable: down; trying again in 2s (try 1 of 5)");
    expect(api.requests.filter((r: Recorded) => r.url === "/v2/sizes?per_page=200")).toHaveLength(2);
  });
});

describe("npm run preflight, the command", () => {
  const command = (args: string[], env: Record<string, string>) => runScript("preflight", args, env);

  it("refuses, calling nothing, no pattern, a pattern matching nothing, and missing credentials", async () => {
    const api = fakeDigitalOcean(team());
    const url = await api.start();
    try {
      const all = environments.flatMap((e) => [...(e.aws ? [`${e.environment}-aws`] : []), ...(e.digitalocean ? [`${e.environment}-do`] : [])]).join(", ");
      expect(await command([], {})).toEqual({ status: 2, stdout: "", stderr: `preflight: usage: npm run preflight -- <stack pattern>..., the stacks being ${all}\n` });
      expect(await command(["nope-*", STACK], {})).toEqual({ status: 2, stdout: "", stderr: `preflight: "nope-*" matches no stack; the stacks are ${all}\n` });
      expect(await command([STACK], { DIGITALOCEAN_TOKEN: TOKEN, DIGITALOCEAN_API_URL: url })).toEqual({
        status: 2,
        stdout: "",
        stderr: `preflight: ${STACK}: SPACES_ACCESS_KEY_ID, CLOUDFLARE_API_TOKEN are not set: a DigitalOcean stack is checked with its own credentials (docs/preflight.md)\n`,
      });
      expect(api.requests).toEqual([]);
    } finally {
      await api.stop();
    }
  }, 60000);

  it("checks a stack's DigitalOcean team and Cloudflare account, printing each check, exit 0 when all pass and 1 when one fails", async () => {
    const t = team();
    const account = cloudflareAccount(spec.cloudflare!, spec.dnsZone);
    const api = fakeDigitalOcean(t);
    const spaces = fakeSpaces(t);
    const cloudflare = fakeCloudflare(spec.cloudflare!, account);
    try {
      const env = {
        DIGITALOCEAN_TOKEN: TOKEN,
        DIGITALOCEAN_API_URL: await api.start(),
        SPACES_ACCESS_KEY_ID: SPACES.accessKeyId,
        SPACES_SECRET_ACCESS_KEY: SPACES.secretAccessKey,
        SPACES_ENDPOINT_URL: await spaces.start(),
        CLOUDFLARE_API_TOKEN: CLOUDFLARE_TOKEN,
        CLOUDFLARE_API_URL: `${await cloudflare.start()}/client/v4`,
      };
      const ok = await command([STACK], env);
      expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: "" });
      const lines = ok.stdout.trim().split("\n");
      expect(lines[0]).toBe(`preflight: ${STACK}`);
      expect(lines.filter((l) => /^ {2}(pass|FAIL|skip) /.test(l)).length).toBeGreaterThanOrEqual(12);
      expect(lines).toContain("DigitalOcean");
      expect(lines).toContain("Cloudflare");
      expect(lines.at(-1)).toBe(`preflight: ${STACK}: every check passed`);
      expect([api.unexpected, spaces.unexpected, cloudflare.unexpected]).toEqual([[], [], []]);

      account.zone = { ...account.zone, status: "moved" };
      const failed = await command([STACK], env);
      expect({ status: failed.status, stderr: failed.stderr }).toEqual({ status: 1, stderr: `preflight: 1 check failed for ${STACK}: fix it before the apply\n` });
      expect(failed.stdout).toContain(`  FAIL  zone: ${spec.dnsZone} is moved\n        fix: point the domain's name servers`);
    } finally {
      await Promise.all([api.stop(), spaces.stop(), cloudflare.stop()]);
    }
  }, 60000);
});
