import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { APP_DISCOVERY, appHostsScript, gunicorn } from "../../modules/django/host";
import { requireTool } from "../required-tools";
import { Finished, Processes, freePort, get, runCommand, waitForHttp } from "../tools";
import { AWS_ENV, SNIPPET_DIR } from "./app-environments";
import { startNginx } from "./nginx";

/*
 * The nginx-balanced layout on loopback: Debian's nginx with the web hosts' own site, in
 * front of several gunicorn processes serving the Django fixture, each on an address of its
 * own (127.0.0.2, .3, ...: an app host each), all on one port as app hosts are. The web
 * hosts' cloudtiers-app-hosts script (appHostsScript) points nginx at them: the test plays
 * the cloud's list (a file the list script prints) and runs the script as its timer would,
 * once per discovery interval.
 */

const DOMAIN = "www.example.com";
const site = join(__dirname, "..", "fixtures", "django_site");
const HOSTS = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"];

describe("nginx balancing over the app hosts it discovers (nginx-balanced layout), on loopback", () => {
  const processes = new Processes();
  let work: string;
  let port: number;
  let nginxPort: number;
  let script: string;

  const startApp = async (ip: string) => {
    // gunicorn with the flags the hosts use, but one worker: the test runs several.
    const args = gunicorn({ wsgiModule: "wsgi:application" }, "small", ip, port).slice(1);
    args[args.indexOf("--workers") + 1] = "1";
    const env = { ...AWS_ENV, PATH: "/usr/bin:/bin", HOME: work, PYTHONDONTWRITEBYTECODE: "1", PYTHONPATH: SNIPPET_DIR, DJANGO_SETTINGS_MODULE: "settings", DJANGO_ALLOWED_HOSTS: DOMAIN, TEST_APP_HOST: ip };
    processes.start(ip, "/usr/bin/gunicorn", ["--chdir", site, ...args], { env });
    // Until it answers on its own address (the health path, as the script probes it).
    const deadline = Date.now() + 20000;
    while ((await runCommand("curl", ["-fsS", "-o", "/dev/null", "-H", `Host: ${DOMAIN}`, `http://${ip}:${port}/healthz`])).status !== 0) {
      if (Date.now() > deadline) throw new Error(`gunicorn on ${ip}:${port} did not answer:\n${processes.output(ip)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  /** The cloud's list, as the list script prints it. */
  const list = (lines: string[]) => writeFileSync(join(work, "listed"), lines.map((l) => `${l}\n`).join(""));
  /** One tick of the discovery timer. */
  const discover = (): Promise<Finished> => runCommand("/bin/sh", [script], { env: { PATH: "/usr/bin:/bin" } });
  const upstream = () => readFileSync(join(work, "app-hosts.conf"), "utf8");
  /** Which app host answered each of `n` requests through nginx (a status other than 200 is counted by it). */
  const answers = async (n: number): Promise<Record<string, number>> => {
    const seen: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const res = await get(nginxPort, "/whoami", { Host: DOMAIN });
      const key = res.status === 200 ? res.body : `status ${res.status}`;
      seen[key] = (seen[key] ?? 0) + 1;
    }
    return seen;
  };
  /** Waits until nginx's reload has taken (its old workers finish their connections first). */
  const settle = async (ok: (seen: Record<string, number>) => boolean): Promise<Record<string, number>> => {
    const deadline = Date.now() + 10000;
    let seen = await answers(12);
    while (!ok(seen) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      seen = await answers(12);
    }
    return seen;
  };

  beforeAll(async () => {
    requireTool("nginx");
    requireTool("/usr/bin/gunicorn");
    requireTool("python3:django");
    work = mkdtempSync(join(tmpdir(), "cloudtiers-app-hosts-"));
    port = await freePort();
    writeFileSync(join(work, "list"), `#!/bin/sh\n# The cloud's list of the app hosts, given the host's own environment.\n[ -s "$1" ] || exit 3\ncat ${join(work, "listed")}\n`);
    chmodSync(join(work, "list"), 0o755);
    writeFileSync(join(work, "host.env"), "DIGITALOCEAN_READ_TOKEN=unused\n");
    script = join(work, "app-hosts");
    writeFileSync(
      script,
      appHostsScript({
        domain: DOMAIN,
        healthCheckPath: "/healthz",
        list: join(work, "list"),
        include: join(work, "app-hosts.conf"),
        hostEnvFile: join(work, "host.env"),
        fetchEnvironment: "false",
        reload: `kill -HUP "$(cat ${join(work, "nginx.pid")})"`,
        port,
      }),
    );
    // Before nginx starts, as the unit is ordered: nothing listed yet, an upstream of no host.
    list([]);
    const first = await discover();
    expect(first).toMatchObject({ status: 0 });
    nginxPort = await startNginx(processes, work, { layout: "nginx-balanced", domain: DOMAIN, healthCheckPath: "/healthz" });
    await waitForHttp(nginxPort, "/healthz");
    await Promise.all(HOSTS.slice(0, 3).map(startApp));
  }, 60000);

  afterAll(async () => {
    await processes.stopAll();
    expect(processes.anyAlive()).toBe(false);
    rmSync(work, { recursive: true, force: true });
  });

  it("answers 502 while the cloud lists no app host, and balances over every host once it lists them", async () => {
    expect(await answers(3)).toEqual({ "status 502": 3 });
    expect((await get(nginxPort, "/healthz", { Host: "10.0.3.7" })).status).toBe(502);

    list(HOSTS.slice(0, 3).map((ip) => `${ip} near`));
    const run = await discover();
    expect(run).toMatchObject({ status: 0, stdout: expect.stringContaining("nginx balances over 3 app host(s) of this zone and 0 of others") });
    const seen = await settle((s) => HOSTS.slice(0, 3).every((ip) => s[ip] > 0) && !s["status 502"]);
    expect(Object.keys(seen).sort()).toEqual(HOSTS.slice(0, 3));
    expect((await get(nginxPort, "/healthz", { Host: "10.0.3.7" })).status).toBe(200);
    // Nothing changed: the next tick leaves nginx alone.
    expect(await discover()).toMatchObject({ status: 0, stdout: "" });
  }, 30000);

  it("skips a listed host that stopped answering at once: every request still succeeds", async () => {
    await processes.stop(HOSTS[1]);
    const seen = await answers(30);
    expect(seen).toEqual({ [HOSTS[0]]: expect.any(Number), [HOSTS[2]]: expect.any(Number) });
    expect(seen[HOSTS[0]] + seen[HOSTS[2]]).toBe(30);
  }, 30000);

  it("admits a newly listed host only once it answers the health path, then sends it traffic", async () => {
    list([...HOSTS.slice(0, 3), HOSTS[3]].map((ip) => `${ip} near`));
    // Listed, but its gunicorn has not started: not admitted.
    await discover();
    expect(upstream()).not.toContain(HOSTS[3]);
    await startApp(HOSTS[3]);
    const run = await discover();
    expect(run.stdout).toContain(HOSTS[3]);
    const seen = await settle((s) => s[HOSTS[3]] > 0);
    expect(seen[HOSTS[3]]).toBeGreaterThan(0);
    expect(Object.keys(seen).every((k) => HOSTS.includes(k))).toBe(true);
  }, 40000);

  it("prefers the app hosts of its own zone, and falls back to the others' when none of its zone answers", async () => {
    list([`${HOSTS[0]} near`, `${HOSTS[2]} far`, `${HOSTS[3]} far`]);
    await discover();
    expect(upstream()).toMatch(new RegExp(`server ${HOSTS[2].replace(/\./g, "\\.")}:${port} max_fails=1 fail_timeout=${APP_DISCOVERY.failTimeoutSeconds}s backup;`));
    expect(await settle((s) => Object.keys(s).length === 1)).toEqual({ [HOSTS[0]]: 12 });
    await processes.stop(HOSTS[0]);
    const seen = await answers(20);
    expect(Object.keys(seen).sort()).toEqual([HOSTS[2], HOSTS[3]]);
  }, 30000);

  it("keeps the hosts it has when the cloud's list cannot be read", async () => {
    const before = upstream();
    rmSync(join(work, "listed"));
    const run = await discover();
    expect(run).toMatchObject({ status: 1, stderr: expect.stringContaining("the cloud's list of app hosts could not be read; nginx keeps the 3 it has") });
    expect(upstream()).toBe(before);
    expect((await answers(4))["status 502"]).toBeUndefined();
  });

  it("writes only IPv4 addresses marked near or far into nginx's configuration", async () => {
    list([`${HOSTS[2]} near`, "10.0.0.9;} server evil near", "not-an-address near", "10.0.0.8 nearby", `${HOSTS[3]}`, "10.0.0.7 far; include /etc/passwd"]);
    expect(await discover()).toMatchObject({ status: 0 });
    expect(upstream().match(/^\s+server .*$/gm)).toEqual([`    server ${HOSTS[2]}:${port} max_fails=1 fail_timeout=${APP_DISCOVERY.failTimeoutSeconds}s;`]);
    expect(await settle((s) => Object.keys(s).length === 1 && s[HOSTS[2]] === 12)).toEqual({ [HOSTS[2]]: 12 });
  }, 30000);
});
