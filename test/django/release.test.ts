import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RELEASE_PY, RELEASE_TABLE } from "../../modules/django/release";
import { PostgresServer, asRds, ok, startPostgres } from "../postgres";
import { SNIPPET_DIR } from "./app-environments";

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
  if (spawnSync("/usr/bin/python3", ["-c", "import django, psycopg2"]).status !== 0) {
    throw new Error("Django and psycopg2 are not installed for /usr/bin/python3: apt-get install python3-django python3-psycopg2 (.ci/run installs them)");
  }
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

describe("the release step (migrate and collectstatic once per release)", () => {
  it("two hosts starting the same release at once: one migrates and collects, the other waits for it and then finds nothing to do", async () => {
    const db = freshDatabase();
    const env = hostEnv(db, "1");
    const [a, b] = await Promise.all([releaseStep(env, "shop:1"), releaseStep(env, "shop:1")]);
    expect([a.status, b.status]).toEqual([0, 0]);
    const [first, second] = a.output.includes("migrating the database") ? [a, b] : [b, a];
    expect(first.output).toContain("migrating the database for shop:1");
    expect(first.output).toMatch(/Applying shop\.0002_slow\.\.\. OK/);
    expect(first.output).toContain("static files collected");
    expect(second.output).toContain("another host holds the release lock; waiting for it");
    expect(second.output).toMatch(/this release's migrations already ran on \S+; nothing to migrate/);
    expect(second.output).toMatch(/this release's static files were already collected on \S+/);
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
    expect(sql(db, "SELECT column_name FROM information_schema.columns WHERE table_name = 'shop_product' ORDER BY column_name")).toBe("id\nname\nprice_cents");
    const again = await releaseStep(hostEnv(db, "2"), "shop:2");
    expect(again.output).toContain("nothing to migrate");
    expect(sql(db, `SELECT image FROM ${RELEASE_TABLE} ORDER BY image`)).toBe("shop:1\nshop:2");
  }, 60000);

  it("a release whose migration fails: exits non-zero with Django's error, the schema as before, nothing recorded, and the next starter tries again", async () => {
    const db = freshDatabase();
    expect((await releaseStep(hostEnv(db, "1"), "shop:1")).status).toBe(0);
    const broken = await releaseStep(hostEnv(db, "broken"), "shop:broken");
    expect(broken.status).toBe(1);
    expect(broken.output).toContain("division by zero");
    expect(broken.output).toContain("the release of shop:broken failed: its application does not start, and the previous release keeps serving");
    expect(broken.output).not.toContain("collecting static files");
    expect(sql(db, "SELECT column_name FROM information_schema.columns WHERE table_name = 'shop_product' ORDER BY column_name")).toBe("id\nname");
    expect(sql(db, `SELECT image || ':' || (migrated_at IS NULL) FROM ${RELEASE_TABLE} ORDER BY image`)).toBe("shop:1:false\nshop:broken:true");
    const retry = await releaseStep(hostEnv(db, "broken"), "shop:broken");
    expect(retry.status).toBe(1);
    expect(retry.output).toContain("migrating the database for shop:broken");
  }, 60000);

  it("workers migrate but leave static files to the web hosts", async () => {
    const db = freshDatabase();
    const worker = await releaseStep(hostEnv(db, "1"), "shop:1", false);
    expect(worker.status).toBe(0);
    expect(worker.output).not.toContain("static");
    expect(existsSync(join(work, `static-${db}`))).toBe(false);
    const web = await releaseStep(hostEnv(db, "1"), "shop:1");
    expect(web.output).toContain("nothing to migrate");
    expect(web.output).toContain("static files collected");
  }, 60000);
});

describe("the single-instance guard (Celery beat)", () => {
  it("a second copy waits for the first to stop; the two never run at the same time", async () => {
    const db = freshDatabase();
    const log = join(work, "beat.log");
    // Stands in for `celery beat`: logs its start and, on SIGTERM, its end.
    const beat = ["/usr/bin/python3", "-c", `import os, signal, sys, time
log = open(${JSON.stringify(log)}, "a", buffering=1)
log.write(f"start {os.getpid()} {time.time()}\\n")
signal.signal(signal.SIGTERM, lambda *a: (log.write(f"stop {os.getpid()} {time.time()}\\n"), sys.exit(0)))
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
