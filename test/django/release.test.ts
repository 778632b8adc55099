import { ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { awsHostDelivery } from "../../modules/aws/host-delivery";
import { GUNICORN_PORT, HOST_PATHS, gunicorn, renderUserData } from "../../modules/django/host";
import { RELEASE_PY, RELEASE_TABLE } from "../../modules/django/release";
import { application } from "../../environments/defaults";
import { PostgresServer, asRds, ok, startPostgres } from "../postgres";
import { requireTool } from "../required-tools";
import { Processes, freePort, get, waitForHttp } from "../tools";
import { SNIPPET_DIR } from "./app-environments";
import { HostRoot } from "./host-root";
import { startNginx } from "./nginx";

/*
 * The release step and the single-instance guard, as the hosts run them (the very script
 * their user data writes), against Debian's PostgreSQL 15 and Django 3.2: two hosts
 * starting one release at once, a release whose migration fails, static files collected
 * once, and Celery beat's guard.
 */

const PROJECT = join(__dirname, "..", "fixtures", "django_release");
const USER = { user: "app", password: "app-password-0123456789" };

let server: PostgresServer;
let work: string;
let script: string;
let database = 0;

beforeAll(async () => {
  requireTool("python3:django");
  requireTool("python3:psycopg2");
  server = await startPostgres("15");
  work = mkdtempSync(join(tmpdir(), "cloudtiers-release-"));
  script = join(work, "release.py");
  writeFileSync(script, RELEASE_PY);
}, 60000);

afterAll(() => {
  server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A fresh database the application's role owns, as the setup leaves it on RDS. */
function freshDatabase(): string {
  const name = `shop_${++database}`;
  if (database === 1) asRds(server, { master: USER.user, password: USER.password, database: name });
  else ok(server.psql(`CREATE DATABASE ${name} OWNER ${USER.user};`));
  return name;
}

/** The environment of a Django host of `release` (the fixture's code of that release). */
function hostEnv(db: string, release: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: "/usr/bin:/bin",
    PYTHONPATH: `${SNIPPET_DIR}:${PROJECT}`,
    PYTHONDONTWRITEBYTECODE: "1",
    DJANGO_SETTINGS_MODULE: "release_settings",
    FIXTURE_RELEASE: release,
    FIXTURE_STATIC_ROOT: join(work, `static-${db}`),
    // The pooler's address (nothing listens there): the step must use the direct one.
    DATABASE_URL: `postgres://${USER.user}@127.0.0.1:1/${db}?sslmode=require`,
    DATABASE_DIRECT_URL: `postgres://${USER.user}@${server.host}:${server.port}/${db}?sslmode=require`,
    DATABASE_PASSWORD: USER.password,
    ...extra,
  };
}

interface Run {
  readonly status: number | null;
  readonly output: string;
}

function start(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn("/usr/bin/python3", [script, ...args], { cwd: work, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const done = new Promise<Run>((resolve) => child.on("close", (status) => resolve({ status, output })));
  return { child, done };
}

/** `release.py release` as a host runs it for `image` (its content id: `release`). */
function releaseStep(env: NodeJS.ProcessEnv, image: string, collectstatic = true): Promise<Run> {
  return start(["release", "--release", `sha256:${image.replace(/\W/g, "")}`, "--image", image, ...(collectstatic ? ["--collectstatic"] : [])], env).done;
}

function sql(db: string, query: string): string {
  return ok(server.psql(query, { database: db })).trim();
}

/** The columns of the fixture's table, one a line: its schema as the migrations left it. */
function productColumns(db: string): string {
  return sql(db, "SELECT column_name FROM information_schema.columns WHERE table_name = 'shop_product' ORDER BY column_name");
}

describe("the release step (migrate and collectstatic once per release)", () => {
  it("two hosts starting the same release at once: one migrates and collects, the other waits for it and then finds nothing to do", async () => {
    const db = freshDatabase();
    const env = hostEnv(db, "1");
    const [a, b] = await Promise.all([releaseStep(env, "shop:1"), releaseStep(env, "shop:1")]);
    expect([a.status, b.status]).toEqual([0, 0]);
    const [first, second] = a.output.includes("manage.py migrate") ? [a, b] : [b, a];
    expect(first.output).toContain("migrations of shop:1: manage.py migrate");
    expect(first.output).toMatch(/Applying shop\.0002_slow\.\.\. OK/);
    expect(first.output).toContain("static files done");
    expect(second.output).toContain("another host holds the release lock; waiting for it");
    expect(second.output).toMatch(/migrations of this release already done on \S+; nothing to do/);
    expect(second.output).toMatch(/static files of this release already done on \S+; nothing to do/);
    expect(second.output).not.toContain("Applying");
    // Each migration applied once; the release recorded as done, by one host.
    expect(sql(db, "SELECT name || ':' || count(*) FROM django_migrations WHERE app = 'shop' GROUP BY name ORDER BY name")).toBe("0001_initial:1\n0002_slow:1");
    expect(sql(db, `SELECT image, migrated_at IS NOT NULL, collected_at IS NOT NULL FROM ${RELEASE_TABLE}`)).toBe("shop:1|t|t");
    // collectstatic wrote through the project's static storage.
    expect(readFileSync(join(work, `static-${db}`, "shop", "site.css"), "utf8")).toBe("body { color: #333; }\n");
  }, 60000);

  it("a later release migrates only its own migrations; a restart of a release already done touches nothing", async () => {
    const db = freshDatabase();
    expect((await releaseStep(hostEnv(db, "1"), "shop:1")).status).toBe(0);
    const two = await releaseStep(hostEnv(db, "2"), "shop:2");
    expect(two.status).toBe(0);
    expect(two.output).toMatch(/Applying shop\.0003_price\.\.\. OK/);
    expect(two.output).not.toContain("0002_slow... OK");
    expect(productColumns(db)).toBe("id\nname\nprice_cents");
    const again = await releaseStep(hostEnv(db, "2"), "shop:2");
    expect(again.output).toContain("migrations of this release already done");
    expect(sql(db, `SELECT image FROM ${RELEASE_TABLE} ORDER BY image`)).toBe("shop:1\nshop:2");
  }, 60000);

  it("a release whose migration fails: exits non-zero with Django's error, the schema as before, nothing recorded, and the next starter tries again", async () => {
    const db = freshDatabase();
    expect((await releaseStep(hostEnv(db, "1"), "shop:1")).status).toBe(0);
    const broken = await releaseStep(hostEnv(db, "broken"), "shop:broken");
    expect(broken.status).toBe(1);
    expect(broken.output).toContain("division by zero");
    expect(broken.output).toContain("the release of shop:broken failed: its application does not start, and the previous release keeps serving");
    expect(broken.output).not.toContain("manage.py collectstatic");
    expect(productColumns(db)).toBe("id\nname");
    expect(sql(db, `SELECT image || ':' || (migrated_at IS NULL) FROM ${RELEASE_TABLE} ORDER BY image`)).toBe("shop:1:false\nshop:broken:true");
    const retry = await releaseStep(hostEnv(db, "broken"), "shop:broken");
    expect(retry.status).toBe(1);
    expect(retry.output).toContain("migrations of shop:broken: manage.py migrate");
  }, 60000);

  it("workers migrate but leave static files to the web hosts", async () => {
    const db = freshDatabase();
    const worker = await releaseStep(hostEnv(db, "1"), "shop:1", false);
    expect(worker.status).toBe(0);
    expect(worker.output).not.toContain("static");
    expect(existsSync(join(work, `static-${db}`))).toBe(false);
    const web = await releaseStep(hostEnv(db, "1"), "shop:1");
    expect(web.output).toContain("migrations of this release already done");
    expect(web.output).toContain("static files done");
  }, 60000);
});

describe("the single-instance guard (Celery beat)", () => {
  it("a second copy waits for the first to stop; the two never run at the same time", async () => {
    const db = freshDatabase();
    const log = join(work, "beat.log");
    // Stands in for `celery beat`: logs its start and, on SIGTERM, its end. The handler is in
    // place before the start is logged: a SIGTERM sent as soon as the start shows is logged too.
    const beat = ["/usr/bin/python3", "-c", `import os, signal, sys, time
log = open(${JSON.stringify(log)}, "a", buffering=1)
signal.signal(signal.SIGTERM, lambda *a: (log.write(f"stop {os.getpid()} {time.time()}\\n"), sys.exit(0)))
log.write(f"start {os.getpid()} {time.time()}\\n")
while True: time.sleep(0.1)`];
    const env = hostEnv(db, "1");
    const old = start(["exclusive", "beat", "--", ...beat], env);
    const waitFor = async (predicate: () => boolean, what: string) => {
      for (let i = 0; i < 200 && !predicate(); i++) await new Promise((r) => setTimeout(r, 50));
      if (!predicate()) throw new Error(`timed out waiting for ${what}`);
    };
    const starts = () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter((l) => l.startsWith("start")).length : 0);
    await waitFor(() => starts() === 1, "the first beat");
    const replacement = start(["exclusive", "beat", "--", ...beat], env);
    await new Promise((r) => setTimeout(r, 2000));
    expect(starts()).toBe(1);
    old.child.kill("SIGTERM");
    const first = await old.done;
    expect(first.status).toBe(0);
    await waitFor(() => starts() === 2, "the replacement beat");
    replacement.child.kill("SIGTERM");
    const second = await replacement.done;
    expect(second.output).toContain("another host holds the exclusive:beat lock; waiting for it");
    const events = readFileSync(log, "utf8").trim().split("\n").map((l) => l.split(" "));
    expect(events.map((e) => e[0])).toEqual(["start", "stop", "start", "stop"]);
    expect(Number(events[2][2])).toBeGreaterThanOrEqual(Number(events[1][2]));
  }, 60000);
});

describe("a release on a new host, as its unit runs it, behind the real nginx", () => {
  const processes = new Processes();
  const roots: HostRoot[] = [];
  let db: string;
  let nginxPort: number;

  /** gunicorn as the hosts run it, serving the fixture's code of `release` on `port`. */
  function serve(name: string, release: string, port: number): void {
    const [, ...args] = gunicorn({ wsgiModule: "release_wsgi:application" }, "small", "127.0.0.1", port);
    processes.start(name, "/usr/bin/gunicorn", ["--chdir", PROJECT, ...args], { env: { ...hostEnv(db, release), DATABASE_URL: hostEnv(db, release).DATABASE_DIRECT_URL } });
  }

  /**
   * A new app host's start, in the unit's order: the release step, and only if it succeeds
   * gunicorn; then its readiness check (the rendered cloudtiers-ready, its address moved to
   * this host's port, its waits not waited), which tells the pool (a recording stub).
   */
  async function newHost(release: string, image: string): Promise<{ step: Run; ready: { status: number | null; stderr: string }; told: string[]; port: number }> {
    const port = await freePort();
    const step = await releaseStep(hostEnv(db, release), image);
    if (step.status === 0) {
      serve(`gunicorn-${release}`, release, port);
      await waitForHttp(port, "/healthz", { Host: "www.example.com" }, 30000);
    }
    const root = new HostRoot(renderUserData({ role: "app", layout: "split", size: "small", application, domain: "www.example.com", healthCheckPath: "/healthz", allowFrom: ["10.0.0.0/16"] }, awsHostDelivery("/shop/app/environment", "shop-test-app")));
    roots.push(root);
    root.write(HOST_PATHS.ready, root.file(HOST_PATHS.ready).replace(`127.0.0.1:${GUNICORN_PORT}/`, `127.0.0.1:${port}/`), 0o700);
    root.stub("sleep");
    root.stub(HOST_PATHS.lifecycle);
    const ready = root.run(HOST_PATHS.ready);
    return { step, ready: { status: ready.status, stderr: ready.stderr }, told: root.calls().filter((c) => c.startsWith("cloudtiers-lifecycle")), port };
  }

  beforeAll(async () => {
    requireTool("/usr/bin/gunicorn");
    db = freshDatabase();
    expect((await releaseStep(hostEnv(db, "1"), "shop:1")).status).toBe(0);
    const old = await freePort();
    serve("gunicorn-old", "1", old);
    await waitForHttp(old, "/healthz", { Host: "www.example.com" }, 30000);
    const nginxDir = mkdtempSync(join(work, "nginx-"));
    nginxPort = await startNginx(processes, nginxDir, { layout: "colocated", domain: "www.example.com", healthCheckPath: "/healthz", appAddress: `127.0.0.1:${old}` });
    await waitForHttp(nginxPort, "/healthz", {}, 30000);
  }, 60000);

  afterAll(async () => {
    await processes.stopAll();
    roots.forEach((r) => r.remove());
  });

  it("a release whose migration fails never starts, so its host never reports ready; the previous release keeps answering through nginx", async () => {
    expect((await get(nginxPort, "/healthz")).status).toBe(200);
    const host = await newHost("broken", "shop:broken");
    expect(host.step.status).toBe(1);
    expect((await get(host.port, "/healthz").catch((e: Error) => ({ status: e.message }))).status).toMatch(/ECONNREFUSED/);
    expect(host.ready).toEqual({ status: 1, stderr: expect.stringContaining("cloudtiers-ready: not ready after") });
    expect(host.told).toEqual([]);
    const res = await get(nginxPort, "/healthz");
    expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: "ok" });
  }, 120000);

  it("a good release migrates, starts, reports ready, and serves beside the previous one", async () => {
    const host = await newHost("2", "shop:2");
    expect(host.step.status).toBe(0);
    expect(host.ready.status).toBe(0);
    expect(host.told).toEqual(["cloudtiers-lifecycle ready"]);
    expect((await get(host.port, "/healthz", { Host: "www.example.com" })).status).toBe(200);
    expect((await get(nginxPort, "/healthz")).status).toBe(200);
  }, 120000);
});
