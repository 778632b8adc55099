import { IncomingMessage, ServerResponse } from "node:http";
import { DoApi, DoApiError } from "../../modules/digitalocean/api";
import { PoolMember, RolloutFailure, watchRelease } from "../../modules/digitalocean/rollout";
import { rolloutPools } from "../../modules/stacks/rollout";
import { environments } from "../../environments";
import { separateAppTier } from "../../modules/django/spec";
import { LoopbackServer } from "../fake-api";
import { runScript } from "../tools";

/*
 * `npm run rollout` against a local server that implements exactly the calls it makes
 * (DigitalOcean API v2: autoscale pools by name, a pool's history, its members, paged as
 * DigitalOcean pages them) and checks each request: method, path, query, headers, no body.
 */

const TOKEN = "dop_v1_test_token_0123456789";
const INFIX = "-rev-";
/** Marks a member made from the pool's current template (its droplet carries the revision tag). */
const after = "new";
const before = "old";

interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly authorization?: string;
  readonly accept?: string;
  readonly body: string;
}

/** What the fake answers for one pool at its `look`-th look: its members, those `created_at` "new" carrying the current revision tag. */
type Timeline = (look: number) => PoolMember[];

class FakeDigitalOcean extends LoopbackServer {
  public readonly requests: Recorded[] = [];
  public readonly unexpected: string[] = [];
  private readonly looks = new Map<string, number>();
  /** Answers to give before the real one, by path prefix: a status (and headers), or a delay. */
  public readonly hiccups: { path: string; status?: number; headers?: Record<string, string>; body?: object; delayMs?: number }[] = [];

  constructor(private readonly pools: Record<string, { id: string; timeline: Timeline; status?: string; tags?: string[] }>) {
    super();
  }

  private json(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
    res.writeHead(status, { "Content-Type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      this.requests.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, accept: req.headers.accept, body });
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return this.json(res, 401, { id: "unauthorized", message: "Unable to authenticate you." });
      const hiccup = this.hiccups.findIndex((h) => req.url!.startsWith(h.path));
      if (hiccup >= 0) {
        const h = this.hiccups.splice(hiccup, 1)[0];
        if (h.delayMs) return void setTimeout(() => this.json(res, 200, {}), h.delayMs);
        return this.json(res, h.status!, h.body ?? { id: "too_many_requests", message: "API rate limit exceeded." }, h.headers);
      }
      const url = new URL(req.url!, "http://fake");
      if (req.method !== "GET" || body !== "") return this.reject(res, req);
      if (url.pathname === "/v2/droplets/autoscale" && url.searchParams.get("per_page") === "200") {
        const name = url.searchParams.get("name") ?? "";
        const pool = this.pools[name];
        return this.json(res, 200, { autoscale_pools: pool ? [{ id: pool.id, name, created_at: "2026-11-01T00:00:00Z", status: "active" }] : [], links: {}, meta: { total: pool ? 1 : 0 } });
      }
      const revision = (name: string) => `${name}${INFIX}0123456789ab`;
      if (url.pathname === "/v2/droplets" && url.searchParams.get("per_page") === "200") {
        const entry = Object.entries(this.pools).find(([name]) => revision(name) === url.searchParams.get("tag_name"));
        if (!entry) return this.reject(res, req);
        const droplets = entry[1].timeline(this.looks.get(entry[0]) ?? 0).filter((m) => m.created_at === after).map((m) => ({ id: m.droplet_id, tags: [entry[0], revision(entry[0])] }));
        return this.json(res, 200, { droplets, links: {}, meta: { total: droplets.length } });
      }
      const entry = Object.entries(this.pools).find(([, p]) => url.pathname === `/v2/droplets/autoscale/${p.id}` || url.pathname.startsWith(`/v2/droplets/autoscale/${p.id}/`));
      if (!entry) return this.reject(res, req);
      const [name, pool] = entry;
      if (url.pathname === `/v2/droplets/autoscale/${pool.id}` && url.search === "") {
        // Each look starts with the pool itself.
        this.looks.set(name, (this.looks.get(name) ?? 0) + 1);
        return this.json(res, 200, { autoscale_pool: { id: pool.id, name, status: pool.status ?? "active", droplet_template: { tags: pool.tags ?? [name, revision(name)] } } });
      }
      if (url.pathname.endsWith("/members") && url.searchParams.get("per_page") === "200") {
        // One member a page, as DigitalOcean pages them, its own host in the links.
        const page = Number(url.searchParams.get("page") ?? "1");
        const members = pool.timeline(this.looks.get(name) ?? 0);
        const next = page < members.length ? { next: `https://api.digitalocean.com/v2/droplets/autoscale/${pool.id}/members?page=${page + 1}&per_page=200` } : {};
        return this.json(res, 200, { droplets: members.slice(page - 1, page), links: { pages: next }, meta: { total: members.length } });
      }
      return this.reject(res, req);
    });
  }

  private reject(res: ServerResponse, req: IncomingMessage): void {
    this.unexpected.push(`${req.method} ${req.url}`);
    this.json(res, 404, { id: "not_found", message: "The resource you were accessing could not be found." });
  }
}

const member = (id: number, created: string, status: string, health = "healthy"): PoolMember => ({ droplet_id: id, created_at: created, status, health_status: health });
const OLD = [member(1, before, "active"), member(2, before, "active")];

/** A clock that moves only when the watch sleeps; every sleep recorded. */
function fakeClock() {
  let t = 0;
  const sleeps: number[] = [];
  return { now: () => t, sleep: async (ms: number) => void (sleeps.push(ms), (t += ms)), sleeps };
}

async function watch(fake: FakeDigitalOcean, pools: string[], o: { deadlineMs?: number; timeoutMs?: number; token?: string } = {}) {
  const baseUrl = await fake.start();
  const clock = fakeClock();
  const lines: string[] = [];
  const api = new DoApi({ token: o.token ?? TOKEN, baseUrl, sleep: clock.sleep, timeoutMs: o.timeoutMs ?? 5000, log: (l) => lines.push(l) });
  try {
    await watchRelease({ api, pools, revisionInfix: INFIX, now: clock.now, sleep: clock.sleep, out: (l) => lines.push(l), deadlineMs: o.deadlineMs });
    return { error: undefined, lines, sleeps: clock.sleeps };
  } catch (e) {
    return { error: e as Error, lines, sleeps: clock.sleeps };
  } finally {
    await fake.stop();
  }
}

describe("npm run rollout: following DigitalOcean's pools through a release", () => {
  it("waits until each pool has replaced its old droplets with healthy new ones, saying how far each pool is", async () => {
    const web: Timeline = (look) =>
      [OLD, [...OLD, member(3, after, "provisioning", "unhealthy"), member(4, after, "provisioning", "unhealthy")], [...OLD, member(3, after, "active"), member(4, after, "active")], [member(3, after, "active"), member(4, after, "active")]][Math.min(look, 4) - 1];
    const worker: Timeline = () => [member(5, after, "active")];
    const fake = new FakeDigitalOcean({ "shop-production-web": { id: "p-web", timeline: web }, "shop-production-worker": { id: "p-worker", timeline: worker } });
    const run = await watch(fake, ["shop-production-web", "shop-production-worker"]);
    expect(run.error).toBeUndefined();
    expect(run.lines).toEqual([
      "watching shop-production-web, shop-production-worker: each pool replaces the droplets made from an earlier template",
      "shop-production-web: 0 of 0 new droplets healthy, 2 old left (0m00s)",
      "shop-production-worker: 1 of 1 new droplets healthy (5 active healthy), 0 old left (0m00s)",
      "shop-production-worker: done (0m00s)",
      "shop-production-web: 0 of 2 new droplets healthy (3 provisioning, 4 provisioning), 2 old left (0m15s)",
      "shop-production-web: 2 of 2 new droplets healthy (3 active healthy, 4 active healthy), 2 old left (0m30s)",
      "shop-production-web: 2 of 2 new droplets healthy (3 active healthy, 4 active healthy), 0 old left (0m45s)",
      "shop-production-web: done (0m45s)",
    ]);
    expect(fake.unexpected).toEqual([]);
    // Every request a GET with the token, asking for JSON, with no body; members paged one by one through DigitalOcean's links.
    expect(fake.requests.every((r) => r.method === "GET" && r.authorization === `Bearer ${TOKEN}` && r.accept === "application/json" && r.body === "")).toBe(true);
    expect(fake.requests.slice(0, 2).map((r) => r.url)).toEqual(["/v2/droplets/autoscale?name=shop-production-web&per_page=200", "/v2/droplets/autoscale?name=shop-production-worker&per_page=200"]);
    // A look at a pool: the pool (its current revision tag), its members page by page through DigitalOcean's links, the droplets of that revision.
    expect(fake.requests.slice(2, 7).map((r) => r.url)).toEqual([
      "/v2/droplets/autoscale/p-web",
      "/v2/droplets/autoscale/p-web/members?per_page=200",
      "/v2/droplets/autoscale/p-web/members?page=2&per_page=200",
      "/v2/droplets?tag_name=shop-production-web-rev-0123456789ab&per_page=200",
      "/v2/droplets/autoscale/p-worker",
    ]);
  });

  it("fails, naming the droplet, when a new droplet stays off: its host gave up on a release that cannot start", async () => {
    const timeline: Timeline = (look) => (look === 1 ? [...OLD, member(7, after, "provisioning", "unhealthy")] : [...OLD, member(7, after, "off", "unhealthy")]);
    const fake = new FakeDigitalOcean({ "shop-production-app": { id: "p-app", timeline } });
    const run = await watch(fake, ["shop-production-app"]);
    expect(run.error).toBeInstanceOf(RolloutFailure);
    expect(run.error!.message).toBe(
      "shop-production-app: new droplet 7 is off: its host gave up (a release that cannot start: see its journal, journalctl -u cloudtiers-app); the pool destroys the old droplets when its cooldown ends: roll back now (docs/releasing.md)",
    );
    // Off at two looks running, not one (a pool that scales in shuts a droplet down a minute before it destroys it).
    expect(run.lines.filter((l) => l.includes("7 off"))).toHaveLength(1);
    const once: Timeline = (look) => [[...OLD, member(7, after, "off", "unhealthy")], [member(8, after, "active")]][Math.min(look, 2) - 1];
    expect((await watch(new FakeDigitalOcean({ "shop-production-app": { id: "p-app", timeline: once } }), ["shop-production-app"])).error).toBeUndefined();
  });

  it("gives up after its deadline when new droplets never become healthy, saying so every minute meanwhile", async () => {
    const fake = new FakeDigitalOcean({ "shop-staging-web": { id: "p-web", timeline: () => [...OLD, member(8, after, "active", "unhealthy")] } });
    const run = await watch(fake, ["shop-staging-web"], { deadlineMs: 3 * 60000 });
    expect(run.error!.message).toBe("shop-staging-web: not through after 3m00s: new droplets that never become healthy; roll back (docs/releasing.md)");
    expect(run.lines.filter((l) => l.startsWith("shop-staging-web: 0 of 1"))).toEqual(["0m00s", "1m00s", "2m00s", "3m00s"].map((t) => `shop-staging-web: 0 of 1 new droplets healthy (8 active unhealthy), 2 old left (${t})`));
  });

  it("fails when the pool is in error, and when its template has no revision tag to tell new droplets by", async () => {
    const broken = new FakeDigitalOcean({ "shop-dev-web": { id: "p-web", timeline: () => OLD, status: "error" } });
    expect((await watch(broken, ["shop-dev-web"])).error!.message).toBe("shop-dev-web: the pool is in error; roll back (docs/releasing.md)");
    const untagged = new FakeDigitalOcean({ "shop-dev-web": { id: "p-web", timeline: () => OLD, tags: ["shop-dev-web"] } });
    expect((await watch(untagged, ["shop-dev-web"])).error!.message).toBe("shop-dev-web: the pool's template has no revision tag (shop-dev-web-rev-…): deploy it with this version of cloudtiers first");
  });

  it("waits as a 429 asks (retry-after), tries again after a timeout, and fails on a bad token with DigitalOcean's words", async () => {
    const fake = new FakeDigitalOcean({ "shop-dev-web": { id: "p-web", timeline: () => [member(3, after, "active")] } });
    fake.hiccups.push({ path: "/v2/droplets/autoscale?", status: 429, headers: { "retry-after": "7", "ratelimit-remaining": "0" } });
    fake.hiccups.push({ path: "/v2/droplets/autoscale/p-web/members", delayMs: 1500 });
    const run = await watch(fake, ["shop-dev-web"], { timeoutMs: 500 });
    expect(run.error).toBeUndefined();
    expect(run.sleeps.slice(0, 2)).toEqual([7000, 2000]);
    expect(run.lines.slice(0, 2)).toEqual([
      "GET /v2/droplets/autoscale?name=shop-dev-web&per_page=200: throttled (429 too_many_requests: API rate limit exceeded.); trying again in 7s (try 1 of 5)",
      "watching shop-dev-web: each pool replaces the droplets made from an earlier template",
    ]);
    expect(run.lines).toContain("GET /v2/droplets/autoscale/p-web/members?per_page=200: no answer within 0.5s; trying again in 2s (try 1 of 5)");

    const refused = await watch(new FakeDigitalOcean({}), ["shop-dev-web"], { token: "dop_v1_revoked" });
    expect(refused.error).toBeInstanceOf(DoApiError);
    expect(refused.error!.message).toBe("DigitalOcean refused the token (401 unauthorized: Unable to authenticate you.): check DIGITALOCEAN_TOKEN");
  });

  it("names a pool that does not exist", async () => {
    const run = await watch(new FakeDigitalOcean({}), ["shop-dev-web"]);
    expect(run.error!.message).toBe("shop-dev-web: no autoscale pool has this name: is the stack deployed, with this token's team?");
  });

  it("watches the pools the stack's spec makes: web, app in the split and nginx-balanced layouts, worker, and beat unless switched off", () => {
    for (const spec of environments.filter((e) => e.digitalocean)) {
      const prefix = `${spec.application.name}-${spec.environment}`;
      const roles = ["web", ...(separateAppTier(spec.layout ?? "colocated") ? ["app"] : []), "worker", ...(spec.pools.worker.beat === false ? [] : ["beat"])];
      expect(rolloutPools(environments, `${spec.environment}-do`)).toEqual(roles.map((r) => `${prefix}-${r}`));
    }
  });
});

describe("npm run rollout, the command", () => {
  /** A DigitalOcean stack of the shipped environments, whichever has one. */
  const DO_STACK = `${environments.find((e) => e.digitalocean)!.environment}-do`;
  const rollout = (args: string[], env: Record<string, string>) => runScript("rollout", args, env);

  it("refuses, calling nothing, a stack that matches nothing, an AWS stack, two stacks, and a missing token", async () => {
    const fake = new FakeDigitalOcean({});
    const api = await fake.start();
    try {
      const env = { DIGITALOCEAN_TOKEN: TOKEN, DIGITALOCEAN_API_URL: api };
      const doStacks = environments.filter((e) => e.digitalocean).map((e) => `${e.environment}-do`).join(", ");
      expect(await rollout(["nope-do"], env)).toEqual({ status: 2, stdout: "", stderr: `rollout: "nope-do" matches no stack; the DigitalOcean stacks are ${doStacks}\n` });
      const aws = environments.find((e) => e.aws)!;
      expect((await rollout([`${aws.environment}-aws`], env)).stderr).toBe(`rollout: "${aws.environment}-aws" is not a DigitalOcean stack: on AWS the instance refresh rolls a release out, each host joining once it is ready (docs/releasing.md)\n`);
      expect((await rollout([DO_STACK, DO_STACK], env)).status).toBe(2);
      expect(await rollout([], env)).toMatchObject({ status: 2, stderr: `rollout: usage: npm run rollout -- <stack>, one of ${doStacks}\n` });
      expect(await rollout([DO_STACK], { DIGITALOCEAN_API_URL: api })).toMatchObject({ status: 2, stderr: "rollout: DIGITALOCEAN_TOKEN is not set: a token that can read the team's droplets\n" });
      expect(fake.requests).toEqual([]);
    } finally {
      await fake.stop();
    }
  }, 60000);

  it("exits 0 once every pool of the stack runs healthy new droplets, 1 when the release fails", async () => {
    const pools = rolloutPools(environments, DO_STACK);
    const healthy = new FakeDigitalOcean(Object.fromEntries(pools.map((name, i) => [name, { id: `p${i}`, timeline: () => [member(10 + i, after, "active")] }])));
    const ok = await rollout([DO_STACK], { DIGITALOCEAN_TOKEN: TOKEN, DIGITALOCEAN_API_URL: await healthy.start() });
    await healthy.stop();
    expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: "" });
    expect(ok.stdout.trim().split("\n").at(-1)).toBe(`rollout: ${DO_STACK}: every pool runs its new droplets`);
    const failing = new FakeDigitalOcean(Object.fromEntries(pools.map((name, i) => [name, { id: `p${i}`, timeline: () => [member(10 + i, after, "active")], status: "error" }])));
    const failed = await rollout([DO_STACK], { DIGITALOCEAN_TOKEN: TOKEN, DIGITALOCEAN_API_URL: await failing.start() });
    await failing.stop();
    expect({ status: failed.status, stderr: failed.stderr }).toEqual({ status: 1, stderr: `rollout: ${pools[0]}: the pool is in error; roll back (docs/releasing.md)\n` });
  }, 60000);
});
