import { request } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ORIGIN_HEADER } from "../../modules/core";
import { gunicorn } from "../../modules/django/host";
import { Layout } from "../../modules/django/spec";
import { requireTool } from "../required-tools";
import { Processes, freePort, get, waitForHttp } from "../tools";
import { AWS_ENV, SNIPPET_DIR } from "./app-environments";
import { startNginx } from "./nginx";

const DOMAIN = "www.example.com";
const site = join(__dirname, "..", "fixtures", "django_site");

/** Sends only the headers of a POST that announces `length` bytes, and returns the status nginx answers. */
function announcePost(port: number, length: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/info", method: "POST", headers: { Host: DOMAIN, "Content-Length": String(length) }, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on("error", reject);
    req.flushHeaders();
  });
}

describe.each<Layout>(["colocated", "split"])("nginx + gunicorn + Django on loopback, %s layout", (layout) => {
  const processes = new Processes();
  let work: string;
  let nginxPort: number;
  let appPort: number;
  let appEnv: NodeJS.ProcessEnv;

  beforeAll(async () => {
    requireTool("/usr/bin/gunicorn");
    requireTool("python3:django");

    work = mkdtempSync(join(tmpdir(), "cloudtiers-e2e-"));
    appPort = await freePort();

    // gunicorn with the flags the hosts use, only the bind address differs.
    const [, ...args] = gunicorn({ wsgiModule: "wsgi:application" }, "small", "127.0.0.1", appPort);
    // What a production-aws app host receives; the fixture reads it through the shipped settings snippet.
    appEnv = { ...AWS_ENV, PATH: "/usr/bin:/bin", HOME: work, PYTHONDONTWRITEBYTECODE: "1", PYTHONPATH: SNIPPET_DIR, DJANGO_SETTINGS_MODULE: "settings", DJANGO_ALLOWED_HOSTS: DOMAIN };
    processes.start("gunicorn", "/usr/bin/gunicorn", ["--chdir", site, ...args], { env: appEnv });
    nginxPort = await startNginx(processes, work, { layout, domain: DOMAIN, healthCheckPath: "/healthz", appAddress: `127.0.0.1:${appPort}` }, `127.0.0.1:${appPort}`);

    try {
      await waitForHttp(appPort, "/healthz", { Host: DOMAIN });
      await waitForHttp(nginxPort, "/healthz");
    } catch (e) {
      throw new Error(`${String(e)}\n--- gunicorn:\n${processes.output("gunicorn")}\n--- nginx:\n${processes.output("nginx")}`);
    }
  }, 30000);

  afterAll(async () => {
    await processes.stopAll();
    expect(processes.anyAlive()).toBe(false);
    rmSync(work, { recursive: true, force: true });
  });

  it("answers /healthz with 200 through nginx, whatever Host the checker sends", async () => {
    for (const host of [DOMAIN, "internal-lb-123.eu-west-1.elb.amazonaws.com", "10.0.3.7"]) {
      const res = await get(nginxPort, "/healthz", { Host: host });
      expect({ host, status: res.status, body: res.body }).toEqual({ host, status: 200, body: "ok" });
    }
  });

  it("honours the load balancer's X-Forwarded-Proto, so Django sees HTTPS", async () => {
    const secure = await get(nginxPort, "/info", { Host: DOMAIN, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9" });
    expect(secure.status).toBe(200);
    expect(JSON.parse(secure.body)).toEqual({ scheme: "https", secure: true, host: DOMAIN, forwarded_for: "203.0.113.9, 127.0.0.1", origin_header: null });
    const plain = await get(nginxPort, "/info", { Host: DOMAIN });
    expect(JSON.parse(plain.body)).toMatchObject({ scheme: "http", secure: false });
  });

  it("drops the CDN's secret header before Django: neither its error reports nor its logs can hold the value", async () => {
    const res = await get(nginxPort, "/info", { Host: DOMAIN, [ORIGIN_HEADER]: "s3cr3t-value-from-cloudfront" });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ host: DOMAIN, origin_header: null });
  });

  it("passes the real Host on, so Django refuses hosts it does not serve", async () => {
    expect((await get(nginxPort, "/info", { Host: "evil.example.net" })).status).toBe(400);
  });

  it("compresses text and refuses bodies over 25 MiB", async () => {
    const big = await get(nginxPort, "/big", { Host: DOMAIN, "Accept-Encoding": "gzip" });
    expect(big.headers["content-encoding"]).toBe("gzip");
    expect(await announcePost(nginxPort, 26 * 1024 * 1024)).toBe(413);
  });

  it("serves Django configured from the hosts' environment by the shipped settings snippet", async () => {
    const res = await get(nginxPort, "/config", { Host: DOMAIN, "X-Forwarded-Proto": "https" });
    expect({ status: res.status, config: JSON.parse(res.body) }).toEqual({
      status: 200,
      config: {
        allowed_hosts: [DOMAIN],
        csrf_trusted_origins: [AWS_ENV.SITE_URL],
        session_engine: "django.contrib.sessions.backends.cache",
        storages: { default: "storages.backends.s3.S3Storage", staticfiles: "storages.backends.s3.S3Storage" },
        static_url: `https://${AWS_ENV.STATIC_CDN_DOMAIN}/`,
      },
    });
  });

  it("answers 502 once gunicorn is gone", async () => {
    await processes.stop("gunicorn");
    const res = await get(nginxPort, "/healthz", { Host: DOMAIN });
    expect(res.status).toBe(502);
  });

  it("fails the health path while the application cannot start, and answers again once it can", async () => {
    // A release that cannot start: gunicorn, as the hosts run it, exits (the unit restarts it, then gives up).
    const [, ...broken] = gunicorn({ wsgiModule: "broken_wsgi:application" }, "small", "127.0.0.1", appPort);
    const failing = processes.start("gunicorn-broken", "/usr/bin/gunicorn", ["--chdir", site, ...broken], { env: appEnv });
    const code = await new Promise<number | null>((resolve) => failing.once("exit", (c) => resolve(c)));
    expect(code).not.toBe(0);
    expect(processes.output("gunicorn-broken")).toContain("this release cannot start");
    expect((await get(nginxPort, "/healthz", { Host: DOMAIN })).status).toBe(502);
    // The next start of a good release serves again.
    const [, ...good] = gunicorn({ wsgiModule: "wsgi:application" }, "small", "127.0.0.1", appPort);
    processes.start("gunicorn-again", "/usr/bin/gunicorn", ["--chdir", site, ...good], { env: appEnv });
    await waitForHttp(appPort, "/healthz", { Host: DOMAIN });
    const res = await get(nginxPort, "/healthz", { Host: DOMAIN });
    expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: "ok" });
  });
});
