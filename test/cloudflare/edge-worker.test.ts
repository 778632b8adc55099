import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLOUDFLARE_ORIGIN_TIMEOUT_SECONDS, ORIGIN_TIMEOUT_SECONDS } from "../../modules/cloudflare/edge-worker";
import { NGINX_PROXY_SNIPPET, gunicorn } from "../../modules/django/host";
import { renderMaintenancePage } from "../../modules/django/maintenance-page";
import { doFixture, specWith, synth, synthAwsEnvironment, synthDoEnvironment } from "../helpers";

/*
 * The site's edge Worker, as the failover synthesises it, run in Node (which has fetch,
 * Request, Response and AbortController as Workers do) against a local HTTP server on
 * 127.0.0.1 playing the origin. A request's URL is the origin's, as `fetch(request)` in a
 * Worker on a route goes to the origin the site's DNS record names.
 */

/** The Worker's source as Terraform writes it: the synthesised `content`, whose only escapes are Terraform's for a literal string. */
function deployedSource(content: string): string {
  expect(content).not.toMatch(/(^|[^$])\$\{|(^|[^%])%\{/); // no interpolation: the source is a literal
  return content.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");
}

/** The synthesised Worker of a failover whose maintenance page is `files`, and the load balancer's idle timeout. */
function synthesised(files: Record<string, string>): { worker: string; loadBalancerIdleSeconds: number } {
  const f = doFixture();
  const lb = f.factory.createLoadBalancer(f.stack, "lb", { namePrefix: f.namePrefix, network: f.network, scheme: "public", certificate: f.certificate, targetPort: 80, healthCheck: { path: "/healthz" } });
  const page = f.factory.createStaticSite(f.stack, "maintenance", { namePrefix: f.namePrefix, domain: "www.example.com", zone: f.zone, certificate: f.cdnCertificate, deletionProtection: false, files });
  f.factory.createDnsFailover(f.stack, "dns", { namePrefix: f.namePrefix, zone: f.zone, recordName: "www.example.com", primary: lb, healthCheckPath: "/healthz", secondary: page });
  const s = synth(f.stack);
  return { worker: deployedSource(s.one("cloudflare_workers_script").content), loadBalancerIdleSeconds: s.one("digitalocean_loadbalancer").http_idle_timeout_seconds };
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly ms: number;
}

/**
 * Runs `requests` (a module's body: it has `worker`, `origin` (base URL), `refused` (a
 * base URL nothing listens on), `state` (the origin's switches) and `ask(request, env?)`)
 * through the Worker in a fresh Node, with the fake origin up; returns what `requests` returns.
 */
function run(worker: string, requests: string): Record<string, Answer> & { seen: Record<string, string>[] } {
  const dir = mkdtempSync(join(tmpdir(), "cloudtiers-edge-"));
  try {
    writeFileSync(join(dir, "worker.mjs"), worker);
    writeFileSync(
      join(dir, "probe.mjs"),
      `import http from "node:http";
import worker from "./worker.mjs";
const state = { health: 200 };
const seen = [];
const origin = http.createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    seen.push({ method: req.method, url: req.url, body, client: req.headers["x-client"] ?? "", type: req.headers["content-type"] ?? "" });
    const send = (status, text, headers = {}) => { res.writeHead(status, { "content-type": "text/plain", ...headers }); res.end(text); };
    const path = req.url.split("?")[0];
    if (path === "/healthz") return state.health === 0 ? undefined : send(state.health, "health " + state.health, state.health === 301 ? { location: "https://www.example.com/healthz" } : {});
    if (path === "/ok") return send(200, "hello", { "x-origin": "yes", "set-cookie": "session=abc; Secure" });
    if (path === "/echo") return send(201, req.method + " " + req.headers["content-type"] + " " + body);
    if (path === "/moved") return send(301, "", { location: "https://www.example.com/elsewhere" });
    if (path === "/missing") return send(404, "not here");
    if (path === "/error") return send(500, "the application's own error page");
    if (path === "/not-implemented") return send(501, "no");
    if (path.startsWith("/status/")) return send(Number(path.slice(8)), "origin said " + path.slice(8));
    if (path === "/hang") return; // headers never come
    send(200, "default");
  });
});
await new Promise((r) => origin.listen(0, "127.0.0.1", r));
const base = "http://127.0.0.1:" + origin.address().port;
const closed = http.createServer();
await new Promise((r) => closed.listen(0, "127.0.0.1", r));
const refused = "http://127.0.0.1:" + closed.address().port;
await new Promise((r) => closed.close(r));
async function ask(request, env = {}) {
  const start = Date.now();
  const res = await worker.fetch(request, env);
  const body = await res.text();
  return { status: res.status, headers: Object.fromEntries(res.headers), body, ms: Date.now() - start };
}
const out = await (async () => {
${requests}
})();
origin.closeAllConnections();
origin.close();
console.log(JSON.stringify({ ...out, seen }));
`,
    );
    const node = spawnSync(process.execPath, [join(dir, "probe.mjs")], { encoding: "utf8", timeout: 30_000 });
    expect(node.stderr).toBe("");
    return JSON.parse(node.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const PAGE = "<h1>Back soon</h1>";
const pageAnswer = (body = PAGE, type = "text/html; charset=utf-8", reason?: string) => ({
  status: 503,
  body,
  headers: expect.objectContaining({ "content-type": type, "cache-control": "no-store", "retry-after": "300", ...(reason ? { "x-origin-unavailable": reason } : {}) }),
});

describe("the site's edge Worker (run in Node against a fake origin)", () => {
  const { worker, loadBalancerIdleSeconds } = synthesised({ "index.html": PAGE, "style.css": "h1{color:red}" });

  it("passes the origin's answer through unchanged while it is up: status, headers, body, redirects not followed", () => {
    const out = run(
      worker,
      `return {
        ok: await ask(new Request(base + "/ok?x=1", { headers: { "x-client": "kept" } })),
        moved: await ask(new Request(base + "/moved")),
        missing: await ask(new Request(base + "/missing")),
        notImplemented: await ask(new Request(base + "/not-implemented")),
      };`,
    );
    expect(out.ok).toMatchObject({ status: 200, body: "hello", headers: expect.objectContaining({ "x-origin": "yes", "set-cookie": "session=abc; Secure" }) });
    expect(out.moved).toMatchObject({ status: 301, headers: expect.objectContaining({ location: "https://www.example.com/elsewhere" }) });
    expect(out.missing).toMatchObject({ status: 404, body: "not here" });
    expect(out.notImplemented).toMatchObject({ status: 501, body: "no" });
    expect(out.seen[0]).toEqual({ method: "GET", url: "/ok?x=1", body: "", client: "kept", type: "" });
  });

  it("passes request bodies through as they came (a streamed POST)", () => {
    const out = run(
      worker,
      `const chunks = ["name=Ada&", "basket=", "3"];
      const body = new ReadableStream({ start(c) { for (const chunk of chunks) c.enqueue(new TextEncoder().encode(chunk)); c.close(); } });
      return { post: await ask(new Request(base + "/echo", { method: "POST", body, duplex: "half", headers: { "content-type": "application/x-www-form-urlencoded" } })) };`,
    );
    expect(out.post).toMatchObject({ status: 201, body: "POST application/x-www-form-urlencoded name=Ada&basket=3" });
    expect(out.seen.filter((r) => r.url === "/echo")).toHaveLength(1); // never retried
  });

  it("answers with the page, 503, Retry-After and no-store when the origin refuses the connection", () => {
    const out = run(
      worker,
      `return {
        get: await ask(new Request(refused + "/checkout/basket?x=1")),
        post: await ask(new Request(refused + "/echo", { method: "POST", body: "a=1" })),
        css: await ask(new Request(refused + "/style.css")),
        inherited: await ask(new Request(refused + "/constructor")),
      };`,
    );
    // Why, for whoever looks at the response: the origin could not be reached.
    expect(out.get).toMatchObject(pageAnswer(PAGE, undefined, "unreachable"));
    expect(out.post).toMatchObject(pageAnswer());
    expect(out.css).toMatchObject(pageAnswer("h1{color:red}", "text/css; charset=utf-8"));
    expect(out.inherited).toMatchObject(pageAnswer()); // no path reaches the files object's prototype
  });

  it("answers with the page when the origin sends no headers in time (timeout shortened through env for the test)", () => {
    const out = run(worker, `return { hung: await ask(new Request(base + "/hang"), { ORIGIN_TIMEOUT_MS: 300 }) };`);
    expect(out.hung).toMatchObject(pageAnswer(PAGE, undefined, "timeout"));
    expect(out.hung.ms).toBeGreaterThanOrEqual(290);
    expect(out.hung.ms).toBeLessThan(5_000);
  });

  it("answers with the page for the gateway statuses and Cloudflare's own 52x, never for the application's other answers", () => {
    const out = run(
      worker,
      `const answers = {};
      for (const status of [502, 503, 504, 520, 521, 522, 523, 524, 525, 526, 527, 530, 400, 403, 429, 505]) answers[status] = await ask(new Request(base + "/status/" + status));
      return answers;`,
    );
    // The origin's status said on the page's response: a 526 is the origin's certificate, not an outage.
    for (const status of [502, 503, 504, 520, 521, 522, 523, 524, 525, 526, 527, 530]) {
      expect({ status, answer: out[status] }).toEqual({ status, answer: expect.objectContaining(pageAnswer(PAGE, undefined, String(status))) });
    }
    for (const status of [400, 403, 429, 505]) expect(out[status]).toMatchObject({ status, body: `origin said ${status}` });
  });

  it("passes a 500 through while the health path answers, and answers with the page when the health path fails too", () => {
    const out = run(
      worker,
      `const own = await ask(new Request(base + "/error"));
      state.health = 301; // an HTTP request's health path redirects to HTTPS: the origin answers
      const redirected = await ask(new Request(base + "/error"));
      state.health = 500;
      const down = await ask(new Request(base + "/error"));
      state.health = 0; // no answer within the health timeout (shortened for the test)
      const hung = await ask(new Request(base + "/error"), { HEALTH_TIMEOUT_MS: 300 });
      return { own, redirected, down, hung };`,
    );
    expect(out.own).toMatchObject({ status: 500, body: "the application's own error page" });
    expect(out.redirected).toMatchObject({ status: 500, body: "the application's own error page" });
    expect(out.down).toMatchObject(pageAnswer(PAGE, undefined, "500"));
    expect(out.hung).toMatchObject(pageAnswer(PAGE, undefined, "500"));
    expect(out.seen.map((r) => r.url)).toEqual(["/error", "/healthz", "/error", "/healthz", "/error", "/healthz", "/error", "/healthz"]);
  });

  it("waits longer than the origin's own limits and less than Cloudflare's", () => {
    const command = gunicorn({ wsgiModule: "app.wsgi" }, "small", "127.0.0.1");
    const gunicornTimeout = Number(command[command.indexOf("--timeout") + 1]);
    const nginxRead = Number(/proxy_read_timeout (\d+)s;/.exec(NGINX_PROXY_SNIPPET)![1]);
    expect(ORIGIN_TIMEOUT_SECONDS).toBeGreaterThan(Math.max(gunicornTimeout, nginxRead, loadBalancerIdleSeconds));
    expect(ORIGIN_TIMEOUT_SECONDS).toBeLessThan(CLOUDFLARE_ORIGIN_TIMEOUT_SECONDS);
    expect(worker).toContain(`const ORIGIN_TIMEOUT_MS = ${ORIGIN_TIMEOUT_SECONDS * 1000};`);
  });
});

describe("a spec's maintenance text", () => {
  // Text that reads like a cdktf reference and like Terraform interpolations: the spec's data, never evaluated.
  const title = "${TfToken[TOKEN.1]} back soon";
  const message = "Costs ${price}, 100%{x} \\ sure";
  const spec = specWith({ failover: { title, message } });

  it("is served by the edge Worker exactly as written, never resolved as a reference", () => {
    const content: string = synthDoEnvironment(spec).one("cloudflare_workers_script").content;
    expect(content).not.toMatch(/jsonencode|\$\{(?!TfToken)/);
    const out = run(deployedSource(content), `return { down: await ask(new Request(refused + "/")) };`);
    expect(out.down).toMatchObject({ status: 503, body: renderMaintenancePage(title, message) });
    expect(out.down.body).toContain("<title>&#36;{TfToken[TOKEN.1]} back soon</title>");
  });

  it("is uploaded by the AWS maintenance site exactly as written too", () => {
    const page = synthAwsEnvironment(spec).where("aws_s3_object").find((o) => o.key === "index.html")!;
    expect(page.content).toBe(renderMaintenancePage(title, message).replace(/%\{/g, "%%{"));
    expect(page.content).toContain("<p>Costs &#36;{price}, 100%%{x} \\ sure</p>");
  });
});
