import { execFile, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { parse, stringify } from "yaml";
import { awsHostDelivery, groupHostsScript } from "../../modules/aws/host-delivery";
import { HostConfigDelivery, PoolRole } from "../../modules/core";
import { inlineHostDelivery } from "../../modules/digitalocean/host-delivery";
import { HOST_PATHS, HostRenderOptions, cloudConfig, renderUserData, writeFile } from "../../modules/django/host";
import { Layout, separateAppTier } from "../../modules/django/spec";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { application } from "../../environments/defaults";
import { SHIPPED_STACKS, decodeUserData, dropletUserData, synthAwsEnvironment, synthDoEnvironment } from "../helpers";
import { requireTool } from "../required-tools";
import { cloudInitSchema } from "../tools";

const run = promisify(execFile);

interface Document {
  /** `stack` for a shipped stack's launch template, `renderer` for the role × layout matrix. */
  readonly source: "stack" | "renderer";
  readonly name: string;
  readonly text: string;
  readonly files: { path: string; content: string }[];
}

/** Every user data document the project renders: each shipped stack's pools, and every role × layout. */
function documents(): Document[] {
  const texts: [Document["source"], string, string][] = [];
  for (const { name, spec, cloud } of SHIPPED_STACKS) {
    if (cloud === "aws") {
      for (const [id, lt] of Object.entries(synthAwsEnvironment(spec).resources("aws_launch_template"))) texts.push(["stack", `${name} ${id}`, decodeUserData(lt)]);
      continue;
    }
    const digitalocean = synthDoEnvironment(spec);
    for (const id of Object.keys(digitalocean.resources("digitalocean_droplet_autoscale"))) {
      // The text the droplet receives: Terraform turns the template's escaped `$${` and `%%{` back into `${` and `%{`.
      texts.push(["stack", `${name} ${id}`, dropletUserData(digitalocean, id).replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{")]);
    }
    // The one-off droplet that runs the database setup.
    for (const [id, droplet] of Object.entries(digitalocean.resources("digitalocean_droplet"))) {
      texts.push(["stack", `${name} ${id}`, (droplet.user_data as string).replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{")]);
    }
  }
  const combos: [Layout, PoolRole][] = [
    ["colocated", "web"], ["colocated", "worker"], ["colocated", "beat"],
    ["split", "web"], ["split", "app"], ["split", "worker"], ["split", "beat"],
    ["nginx-balanced", "web"], ["nginx-balanced", "app"],
  ];
  const appDiscovery = { listScript: groupHostsScript("shop-test-app"), packages: [], listedWhen: "-" };
  for (const [layout, role] of combos) {
    const text = renderUserData(
      { role, layout, size: "large", application, domain: "shop.example.org", healthCheckPath: "/-/health", allowFrom: ["10.1.0.0/16", "10.2.0.0/16"], workerConcurrency: 3, appDiscovery },
      awsHostDelivery(`/shop-test/${role}/environment`),
    );
    texts.push(["renderer", `${layout} ${role}`, text]);
  }
  // A registry login of each kind: ECR through the instance role, a user name and password on DigitalOcean.
  const login = (registry: HostRenderOptions["registry"], delivery: HostConfigDelivery) =>
    renderUserData({ role: "app", layout: "split", size: "small", application, domain: "shop.example.org", healthCheckPath: "/healthz", allowFrom: ["10.1.0.0/16"], registry }, delivery);
  texts.push(["renderer", "ECR login", login({ login: "cloud", server: "123456789012.dkr.ecr.eu-west-1.amazonaws.com" }, awsHostDelivery("/shop-test/app/environment"))]);
  const withLogin = { settings: [], secrets: [], host: { settings: [{ name: "REGISTRY_USERNAME", value: "acme-bot" }], secrets: [{ name: "REGISTRY_PASSWORD", secret: { store: "terraform-state", id: "token" } }] } };
  texts.push(["renderer", "password login", login({ login: "password", server: "ghcr.io" }, inlineHostDelivery(withLogin))]);
  return texts.map(([source, name, text]) => ({ source, name, text, files: parse(text).write_files }));
}

const docs = documents();
let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "cloudtiers-host-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function safe(name: string): string {
  return name.replace(/[^a-z0-9]+/gi, "-");
}

async function outcome(command: string, args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(command, args, { encoding: "utf8" });
    return { code: 0, output: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === "number" ? err.code : 1, output: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

describe("rendered host configuration, checked by the real tools", () => {
  it("covers every shipped pool on both clouds and every role of every layout", () => {
    const pools = (e: EnvironmentSpec) => (separateAppTier(e.layout ?? "colocated") ? 2 : 1) + 1 + (e.pools.worker.beat === false ? 0 : 1);
    // Each DigitalOcean stack also has the database setup's droplet.
    expect(docs.filter((d) => d.source === "stack")).toHaveLength(SHIPPED_STACKS.reduce((n, { spec, cloud }) => n + pools(spec) + (cloud === "do" ? 1 : 0), 0));
    expect(docs.filter((d) => d.source === "renderer")).toHaveLength(11);
  });

  it("every user data document is, byte for byte, yaml's rendering of the whole document (cloudConfig renders each file once a process)", () => {
    for (const d of docs) expect({ name: d.name, text: `#cloud-config\n${stringify(parse(d.text), { lineWidth: 0 })}` }).toEqual({ name: d.name, text: d.text });
    // Rendered again by cloudConfig, whose memory now holds every file above, each document is what yaml makes of it alone.
    for (const d of docs) {
      const doc = parse(d.text);
      expect({ name: d.name, text: cloudConfig(doc) }).toEqual({ name: d.name, text: `#cloud-config\n${stringify(doc, { lineWidth: 0 })}` });
    }
    // Files alike but for one field each are told apart.
    const alike = { users: ["default"], write_files: [writeFile("/a", "same\n"), writeFile("/b", "same\n"), writeFile("/a", "same\n", "0700"), writeFile("/a", "other\n")] };
    expect(cloudConfig(alike)).toBe(`#cloud-config\n${stringify(alike, { lineWidth: 0 })}`);
  });

  it("cloud-init schema accepts every user data document, without deprecations", () => {
    const paths = docs.map((d) => {
      const path = join(work, `${safe(d.name)}.yaml`);
      writeFileSync(path, d.text);
      return path;
    });
    const results = cloudInitSchema(paths);
    expect(results.map((r) => r.path)).toEqual(paths);
    results.forEach((r, i) => {
      const name = docs[i].name;
      expect({ name, code: r.code, output: r.output.trim() }).toEqual({ name, code: 0, output: `Valid cloud-config: ${r.path}` });
    });
  });

  it("shellcheck passes every shell script the user data installs", async () => {
    const shellcheck = requireTool("shellcheck");
    const scripts = new Map<string, string>();
    for (const d of docs) for (const f of d.files) if (f.content.startsWith("#!/bin/sh")) scripts.set(f.content, `${safe(d.name)}-${safe(f.path)}.sh`);
    expect(scripts.size).toBeGreaterThanOrEqual(3);
    const paths = [...scripts].map(([content, name]) => {
      const path = join(work, name);
      writeFileSync(path, content);
      return path;
    });
    const result = await outcome(shellcheck, ["--shell=sh", "--severity=style", "--format=gcc", ...paths]);
    expect(result).toEqual({ code: 0, output: "" });
  });

  it("systemd-analyze verify (Debian's systemd) accepts every unit the user data installs, without a word", () => {
    const analyze = requireTool("systemd-analyze");
    // Each distinct unit, in a root of its own name: the system's units (targets), the hosts' files, stubs for docker and systemctl.
    const units = new Map<string, { path: string; content: string; doc: Document }>();
    for (const d of docs) for (const f of d.files) if (f.path.startsWith("/etc/systemd/system/")) units.set(`${f.path}\n${f.content}`, { ...f, doc: d });
    expect(new Set([...units.values()].map((u) => u.path.split("/").pop()))).toEqual(
      new Set([
        "cloudtiers-app.service",
        "cloudtiers-nginx-upstream.service",
        "cloudtiers-app-hosts.service",
        "cloudtiers-app-hosts.timer",
        "cloudtiers-bootstrap.service",
        "cloudtiers-unhealthy@.service",
        "cloudtiers-database-setup.service",
        "cloudtiers-ready.service",
        "cloudtiers-drain.service",
      ]),
    );
    const system = join(work, "system-units");
    cpSync("/lib/systemd/system", system, { recursive: true });
    const roots: { dir: string; names: Set<string> }[] = [];
    for (const unit of units.values()) {
      const name = unit.path.split("/").pop()!;
      let root = roots.find((r) => !r.names.has(name));
      if (!root) {
        root = { dir: mkdtempSync(join(work, "systemd-root-")), names: new Set() };
        roots.push(root);
        cpSync(system, join(root.dir, "lib/systemd/system"), { recursive: true });
        for (const f of unit.doc.files) if (!f.path.startsWith("/etc/systemd/system/")) writeAt(root.dir, f.path, f.content, 0o755);
        for (const stub of ["/usr/bin/docker", "/usr/bin/systemctl"]) writeAt(root.dir, stub, "#!/bin/sh\n", 0o755);
        writeAt(root.dir, "/etc/systemd/system/docker.service", "[Unit]\nDescription=Docker\n[Service]\nExecStart=/usr/bin/docker\n", 0o644);
        const unhealthy = unit.doc.files.find((f) => f.path === HOST_PATHS.unhealthyUnit);
        if (unhealthy) writeAt(root.dir, HOST_PATHS.unhealthyUnit, unhealthy.content, 0o644);
      }
      root.names.add(name);
      writeAt(root.dir, unit.path, unit.content, 0o644);
      // The scripts the unit runs, from the same host's user data.
      for (const f of unit.doc.files) if (f.path.startsWith("/usr/local/sbin/")) writeAt(root.dir, f.path, f.content, 0o755);
    }
    for (const root of roots) {
      const paths = [...root.names].map((n) => `/etc/systemd/system/${n}`);
      const run = spawnSync(analyze, ["verify", `--root=${root.dir}`, ...paths], { encoding: "utf8" });
      // 252 exits 0 on an unknown key, so its words are held too.
      expect({ paths, status: run.status, output: run.stdout + run.stderr }).toEqual({ paths, status: 0, output: "" });
    }
  });

  it("rsyslogd -N1 (Debian's rsyslog) accepts every rsyslog configuration the user data installs, together, as the host loads them", async () => {
    const rsyslogd = requireTool("/usr/sbin/rsyslogd");
    const shipping = docs.filter((d) => d.files.some((f) => f.path.startsWith("/etc/rsyslog.d/")));
    // Every shipped stack whose spec ships logs: each pool of it.
    const shipped = SHIPPED_STACKS.filter((x) => x.spec.logs !== undefined).map((x) => x.name);
    expect(shipped.every((name) => shipping.some((d) => d.name.startsWith(`${name} `)))).toBe(true);
    for (const d of shipping) {
      const dir = mkdtempSync(join(work, "rsyslog-"));
      const confs = d.files.filter((f) => f.path.startsWith("/etc/rsyslog.d/")).sort((a, b) => (a.path < b.path ? -1 : 1));
      for (const f of confs) writeFileSync(join(dir, f.path.split("/").pop()!), f.content);
      // Ubuntu's rsyslog.conf sets the work directory (the forwarding queue's) and includes /etc/rsyslog.d/*.conf in name order.
      writeFileSync(join(dir, "rsyslog.conf"), `global(workDirectory="${dir}")\n${confs.map((f) => `include(file="${join(dir, f.path.split("/").pop()!)}")`).join("\n")}\n`);
      const result = await outcome(rsyslogd, ["-N1", "-f", join(dir, "rsyslog.conf")]);
      expect({ host: d.name, code: result.code, errors: result.output.split("\n").filter((l) => /error|warning/i.test(l)) }).toEqual({ host: d.name, code: 0, errors: [] });
    }
  });

  it("nginx -t accepts every nginx site the user data installs", async () => {
    const nginx = requireTool("nginx");
    const sites = docs.filter((d) => d.files.some((f) => f.path === HOST_PATHS.nginxSite));
    // One web pool per shipped stack on each cloud, and the three layouts' web roles.
    expect(sites).toHaveLength(SHIPPED_STACKS.length + 3);
    for (const d of sites) {
      const dir = mkdtempSync(join(work, "nginx-"));
      const content = (path: string) => d.files.find((f) => f.path === path)!.content;
      writeFileSync(join(dir, "proxy.conf"), content(HOST_PATHS.proxySnippet));
      writeFileSync(join(dir, "upstream.conf"), 'set $cloudtiers_upstream "http://10.0.1.10:80";\n');
      // What cloudtiers-app-hosts writes (test/django/app-hosts.test.ts serves through it).
      writeFileSync(join(dir, "app-hosts.conf"), "upstream cloudtiers_app {\n    least_conn;\n    server 10.0.1.10:8000 max_fails=1 fail_timeout=10s;\n    server 10.0.2.10:8000 max_fails=1 fail_timeout=10s backup;\n}\n");
      // Only the absolute include paths move into the scratch directory; the site is otherwise as rendered.
      const site = content(HOST_PATHS.nginxSite)
        .split(HOST_PATHS.proxySnippet)
        .join(join(dir, "proxy.conf"))
        .split(HOST_PATHS.upstreamInclude)
        .join(join(dir, "upstream.conf"))
        .split(HOST_PATHS.appHostsInclude)
        .join(join(dir, "app-hosts.conf"));
      writeFileSync(join(dir, "site.conf"), site);
      writeFileSync(join(dir, "nginx.conf"), `pid ${join(dir, "nginx.pid")};\nerror_log ${join(dir, "error.log")};\nevents {}\nhttp {\n    include ${join(dir, "site.conf")};\n}\n`);
      const result = await outcome(nginx, ["-t", "-q", "-e", join(dir, "error.log"), "-c", join(dir, "nginx.conf")]);
      expect({ site: d.name, ...result }).toEqual({ site: d.name, code: 0, output: "" });
    }
  });
});

/** Writes `content` at `path` under `root`. */
function writeAt(root: string, path: string, content: string, mode: number): void {
  mkdirSync(join(root, dirname(path)), { recursive: true });
  writeFileSync(join(root, path), content, { mode });
}
