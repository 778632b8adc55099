import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { connect } from "node:net";
import { RABBITMQ_SETTINGS } from "../../modules/core";
import { RABBITMQ_USER } from "../../modules/aws/rabbitmq";
import { requireTool } from "../required-tools";
import { Processes, freePort, runCommand } from "../tools";
import { SNIPPET_DIR } from "./app-environments";

/*
 * RabbitMQ as Celery's broker, for real: Debian's RabbitMQ on loopback with TLS only (a
 * throwaway node, its own CA), and Debian's Celery configured the way a project is, from
 * Django's settings with the snippet at their end, given exactly the variables the hosts get
 * (RABBITMQ_URL, RABBITMQ_USER, RABBITMQ_PASSWORD). A task crosses the broker, the hosts'
 * readiness ping reaches the worker, and the certificate's authority and name are checked.
 */

const SITE = join(__dirname, "..", "fixtures", "celery_site");
/** Characters a URL would misread, which the snippet must quote. */
const PASSWORD = "p@ss/w+rd=Rabbit42";

jest.setTimeout(120_000);

describe("Celery over RabbitMQ with TLS, configured by the settings snippet", () => {
  const processes = new Processes();
  let dir: string;
  let port: number;
  let epmdPort: number;
  let python: string;
  const env = (overrides: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    PATH: "/usr/bin:/bin",
    PYTHONDONTWRITEBYTECODE: "1",
    PYTHONPATH: `${SITE}:${SNIPPET_DIR}`,
    DJANGO_SETTINGS_MODULE: "settings",
    // The test's authority is the system's, as Amazon's public one is on the hosts.
    SSL_CERT_FILE: join(dir, "ca.pem"),
    [RABBITMQ_SETTINGS.url]: `amqps://localhost:${port}`,
    [RABBITMQ_SETTINGS.user]: RABBITMQ_USER,
    [RABBITMQ_SETTINGS.password]: PASSWORD,
    ...overrides,
  });
  const send = (args: string[], overrides: Record<string, string> = {}) => runCommand(python, [join(SITE, "send.py"), ...args], { cwd: SITE, env: env(overrides) });

  beforeAll(async () => {
    const server = requireTool("/usr/lib/rabbitmq/bin/rabbitmq-server");
    python = requireTool("python3:celery");
    const openssl = requireTool("openssl");
    dir = mkdtempSync(join(tmpdir(), "cloudtiers-rabbitmq-"));
    const ssl = (args: string[]) => {
      const run = spawnSync(openssl, args, { cwd: dir, encoding: "utf8" });
      if (run.status !== 0) throw new Error(`openssl ${args[0]}: ${run.stderr}`);
    };
    ssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=cloudtiers test authority"]);
    ssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"]);
    // The name `localhost` only: a client that reaches it as 127.0.0.1 must refuse it.
    writeFileSync(join(dir, "san.ext"), "subjectAltName=DNS:localhost\n");
    ssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "1", "-extfile", "san.ext"]);
    [port, epmdPort] = [await freePort(), await freePort()];
    const distPort = await freePort();
    for (const sub of ["home", "mnesia", "log"]) mkdirSync(join(dir, sub));
    writeFileSync(
      join(dir, "rabbitmq.conf"),
      [
        "listeners.tcp = none",
        `listeners.ssl.1 = 127.0.0.1:${port}`,
        `ssl_options.cacertfile = ${join(dir, "ca.pem")}`,
        `ssl_options.certfile = ${join(dir, "server.pem")}`,
        `ssl_options.keyfile = ${join(dir, "server.key")}`,
        "ssl_options.verify = verify_none",
        "loopback_users = none",
        `default_user = ${RABBITMQ_USER}`,
        `default_pass = ${PASSWORD}`,
        "",
      ].join("\n"),
    );
    processes.start("rabbitmq", server, [], {
      env: {
        PATH: "/usr/bin:/bin:/usr/sbin:/sbin",
        HOME: join(dir, "home"),
        RABBITMQ_NODENAME: `cloudtiers${port}@localhost`,
        RABBITMQ_CONFIG_FILE: join(dir, "rabbitmq.conf"),
        RABBITMQ_MNESIA_BASE: join(dir, "mnesia"),
        RABBITMQ_LOG_BASE: join(dir, "log"),
        RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, "enabled_plugins"),
        RABBITMQ_DIST_PORT: String(distPort),
        ERL_EPMD_PORT: String(epmdPort),
      },
    });
    await waitForPort(port, 60_000, () => processes.output("rabbitmq"));
    // The worker, as the hosts run it: one process, named so the readiness ping can address it.
    processes.start("worker", python, ["-m", "celery", "-A", "proj", "worker", "--pool", "solo", "--hostname", "celery@testhost", "--loglevel", "INFO"], { cwd: SITE, env: env() });
    await waitFor(() => processes.output("worker").includes("ready."), 60_000, () => processes.output("worker"));
  });

  afterAll(async () => {
    await processes.stopAll();
    spawnSync("epmd", ["-port", String(epmdPort), "-kill"]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("carries a task from a sender to the worker", async () => {
    const out = join(dir, "task.txt");
    const sent = await send(["send", out, "delivered over AMQPS"]);
    expect({ status: sent.status, stdout: sent.stdout.trim() }).toEqual({ status: 0, stdout: "sent" });
    await waitFor(() => existsSync(out) && readFileSync(out, "utf8") === "delivered over AMQPS", 30_000, () => processes.output("worker"));
  });

  it("answers the hosts' readiness check, Celery's ping to the worker by name", async () => {
    const ping = await runCommand(python, ["-m", "celery", "-A", "proj", "inspect", "ping", "--destination", "celery@testhost", "--timeout", "10"], { cwd: SITE, env: env() });
    expect({ status: ping.status, pong: ping.stdout.includes("pong") }).toEqual({ status: 0, pong: true });
  });

  it("refuses a broker whose certificate no authority of the system vouches for", async () => {
    const refused = await send(["check"], { SSL_CERT_FILE: "/etc/ssl/certs/ca-certificates.crt" });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain("CERTIFICATE_VERIFY_FAILED");
  });

  it("refuses a certificate made out to another name than the URL's", async () => {
    const refused = await send(["check"], { [RABBITMQ_SETTINGS.url]: `amqps://127.0.0.1:${port}` });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/CERTIFICATE_VERIFY_FAILED|match/);
    // The same broker by the certificate's name connects.
    const accepted = await send(["check"]);
    expect({ status: accepted.status, stdout: accepted.stdout.trim() }).toEqual({ status: 0, stdout: "connected" });
  });

  it("is refused with another password: the one the snippet puts in the URL is the one that logs in", async () => {
    const refused = await send(["check"], { [RABBITMQ_SETTINGS.password]: "not-the-password" });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain("ACCESS_REFUSED");
  });
});

async function waitFor(done: () => boolean, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s; output:\n${output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function waitForPort(port: number, timeoutMs: number, output: () => string): Promise<void> {
  const open = () =>
    new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
  const deadline = Date.now() + timeoutMs;
  while (!(await open())) {
    if (Date.now() > deadline) throw new Error(`RabbitMQ did not listen on ${port} within ${timeoutMs / 1000} s:\n${output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
