import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { DEFAULTS, HostConfigDelivery } from "../../modules/core";
import { GUNICORN_PORT, HOST_PATHS, HOST_RECOVERY, HostRenderOptions, NGINX_PROXY_SNIPPET, gunicornWorkers, renderNginxSite, renderUserData } from "../../modules/django/host";
import { application } from "../../environments/defaults";

const delivery: HostConfigDelivery = {
  packages: ["awscli-test"],
  setupCommands: ["echo setup"],
  fetchScript: "#!/bin/sh\necho 'DJANGO_ALLOWED_HOSTS=www.example.com' > \"$1\"\n: > \"$2\"\n",
};

/** `text` for a RegExp, matched literally. */
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function render(o: Partial<HostRenderOptions>) {
  const options: HostRenderOptions = {
    role: "web",
    layout: "colocated",
    size: "medium",
    application,
    domain: "www.example.com",
    healthCheckPath: "/healthz",
    allowFrom: ["10.0.0.0/16"],
    ...o,
  };
  const text = renderUserData(options, delivery);
  const doc = parse(text);
  const file = (path: string): string | undefined => doc.write_files.find((f: { path: string }) => f.path === path)?.content;
  return { text, doc, file, options };
}

describe("host user data", () => {
  it("is a #cloud-config document that writes the files and starts the first boot's unit, which installs the packages", () => {
    const { text, doc, file } = render({});
    expect(text.startsWith("#cloud-config\n")).toBe(true);
    expect(doc.users).toEqual(["default"]);
    expect(doc.ssh_pwauth).toBe(false);
    // cloud-init's own package step has no retry: the bootstrap installs them instead.
    expect(doc.packages).toBeUndefined();
    expect(doc.package_update).toBeUndefined();
    expect(doc.runcmd).toEqual([
      ["systemctl", "daemon-reload"],
      ["systemctl", "start", "--no-block", "cloudtiers-bootstrap.service"],
    ]);
    const bootstrap = file(HOST_PATHS.bootstrap)!;
    const install = (role: Partial<HostRenderOptions>) => render(role).file(HOST_PATHS.bootstrap)!.split("\n").find((l) => l.includes(" install -y "));
    expect(install({})).toBe(`${HOST_PATHS.retry} 5 apt-get -q -o DPkg::Lock::Timeout=600 install -y awscli-test curl docker.io fail2ban jq nginx python3-systemd ufw unattended-upgrades`);
    expect(install({ role: "worker" })).not.toContain("nginx");
    expect(bootstrap).toContain(`${HOST_PATHS.retry} 5 apt-get -q -o DPkg::Lock::Timeout=600 update --error-on=any\n`);
    expect(bootstrap).toContain(`${HOST_PATHS.retry} 5 sh -c 'echo setup'\n`);
    expect(file(HOST_PATHS.bootstrapUnit)).toContain(`ExecStart=${HOST_PATHS.bootstrap}\nTimeoutStartSec=${HOST_RECOVERY.bootstrapTimeoutSeconds}`);
  });

  it("colocated web hosts run gunicorn on loopback behind nginx, with workers sized from the instance", () => {
    const { file } = render({});
    const unit = file(HOST_PATHS.appUnit)!;
    expect(unit).toContain(`gunicorn --bind 127.0.0.1:${GUNICORN_PORT} --workers ${gunicornWorkers("medium")} `);
    expect(gunicornWorkers("small")).toBe(3);
    expect(gunicornWorkers("medium")).toBe(5);
    expect(gunicornWorkers("xlarge")).toBe(17);
    expect(unit).toContain("--network host");
    expect(unit).toContain(`ExecStartPre=${HOST_PATHS.envWrapper} ${HOST_PATHS.envFile}`);
    expect(unit).toContain(`ExecStartPre=${HOST_PATHS.pull} ${application.image}`);
    expect(unit).not.toContain(HOST_PATHS.registryLogin);
    expect(unit).toContain("Restart=always");
    expect(unit).toMatch(/shop\.wsgi:application\n/);
    expect(file(HOST_PATHS.nginxSite)).toBe(renderNginxSite({ layout: "colocated", domain: "www.example.com", healthCheckPath: "/healthz" }));
    expect(file(HOST_PATHS.proxySnippet)).toBe(NGINX_PROXY_SNIPPET);
    expect(file(HOST_PATHS.bootstrap)).toContain("systemctl enable cloudtiers-app.service\nsystemctl start --no-block cloudtiers-app.service\n");
  });

  it("split web hosts run nginx only, pointed at the app tier's load balancer named in the environment", () => {
    const { file } = render({ layout: "split" });
    expect(file(HOST_PATHS.appUnit)).toBeUndefined();
    expect(file(HOST_PATHS.nginxSite)).toContain("proxy_pass $cloudtiers_upstream;");
    expect(file(HOST_PATHS.upstreamWrapper)).toContain("sed -n 's/^APP_UPSTREAM=//p'");
    expect(file(HOST_PATHS.bootstrap)).toContain("systemctl enable cloudtiers-nginx-upstream.service\n");
    const unit = file(HOST_PATHS.upstreamUnit)!;
    expect(unit).toContain(`ExecStart=${HOST_PATHS.upstreamWrapper}`);
    expect(unit).toContain("Restart=on-failure");
    expect(unit).toContain("ExecStartPost=/usr/bin/systemctl --no-block reload-or-restart nginx.service");
    // Split web hosts pull no image, so they never log in to a registry.
    expect(render({ layout: "split", registry: { login: "password", server: "ghcr.io" } }).file(HOST_PATHS.registryLogin)).toBeUndefined();
  });

  it("split app hosts serve gunicorn on the host network and run no nginx", () => {
    const { file } = render({ role: "app", layout: "split" });
    expect(file(HOST_PATHS.appUnit)).toContain(`gunicorn --bind 0.0.0.0:${GUNICORN_PORT} `);
    expect(file(HOST_PATHS.nginxSite)).toBeUndefined();
  });

  it("workers run Celery with the asked concurrency, or one process per vCPU; beat runs the scheduler", () => {
    expect(render({ role: "worker", workerConcurrency: 7 }).file(HOST_PATHS.appUnit)).toContain("celery -A shop worker --loglevel INFO --concurrency 7");
    expect(render({ role: "worker", size: "large" }).file(HOST_PATHS.appUnit)).toContain("--concurrency 4");
    expect(render({ role: "beat" }).file(HOST_PATHS.appUnit)).toContain("celery -A shop beat");
  });

  it("beat runs only while it holds its lock in PostgreSQL, through the release script mounted read-only", () => {
    const unit = render({ role: "beat" }).file(HOST_PATHS.appUnit)!;
    const script = HOST_PATHS.releaseScript;
    expect(unit).toMatch(new RegExp(`--volume ${script}:${script}:ro ${escape(application.image)} python3 ${script} exclusive beat -- celery -A shop beat `));
  });

  it("stops workers with a warm shutdown as long as the spec allows, gunicorn with its graceful timeout, systemd waiting longer than either", () => {
    const stops = (o: Partial<HostRenderOptions>) => render(o).file(HOST_PATHS.appUnit)!.split("\n").filter((l) => /^(ExecStop|TimeoutStopSec)=/.test(l));
    expect(stops({ role: "worker", workerStopSeconds: 1200 })).toEqual(["ExecStop=/usr/bin/docker stop --time 1200 cloudtiers-app", "TimeoutStopSec=1230"]);
    expect(stops({ role: "worker" })).toEqual([`ExecStop=/usr/bin/docker stop --time ${DEFAULTS.worker.stopTimeoutSeconds} cloudtiers-app`, `TimeoutStopSec=${DEFAULTS.worker.stopTimeoutSeconds + 30}`]);
    expect(stops({ role: "web" })).toEqual(["ExecStop=/usr/bin/docker stop --time 30 cloudtiers-app", "TimeoutStopSec=60"]);
  });

  it("runs the release step before the application, with collectstatic only on the hosts that serve pages", () => {
    const release = (o: Partial<HostRenderOptions>) => {
      const lines = render(o).file(HOST_PATHS.appUnit)!.split("\n");
      const step = lines.findIndex((l) => l.startsWith(`ExecStartPre=${HOST_PATHS.release} `));
      expect(step).toBeGreaterThan(lines.findIndex((l) => l.startsWith(`ExecStartPre=${HOST_PATHS.pull} `)));
      expect(step).toBeLessThan(lines.findIndex((l) => l.startsWith("ExecStart=")));
      return lines[step].replace(/^ExecStartPre=\S+ /, "");
    };
    expect(release({ role: "web", layout: "colocated" })).toBe(`${application.image} --collectstatic`);
    expect(release({ role: "app", layout: "split" })).toBe(`${application.image} --collectstatic`);
    expect(release({ role: "worker" })).toBe(application.image);
    expect(release({ role: "beat" })).toBe(application.image);
    // Split web hosts run nginx only: no image, no release step.
    expect(render({ role: "web", layout: "split" }).file(HOST_PATHS.release)).toBeUndefined();
  });

  it("lets only the private network reach the role's port through ufw, and nothing reach workers", () => {
    const rules = (o: Partial<HostRenderOptions>, access = {}) =>
      renderUserData({ ...render(o).options }, delivery, access)
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l.startsWith("ufw "));
    const base = ["ufw default deny incoming", "ufw default allow outgoing"];
    expect(rules({})).toEqual([...base, "ufw allow proto tcp from 10.0.0.0/16 to any port 80", "ufw --force enable"]);
    expect(rules({ role: "app", layout: "split" })).toEqual([...base, "ufw allow proto tcp from 10.0.0.0/16 to any port 8000", "ufw --force enable"]);
    expect(rules({ role: "worker" })).toEqual([...base, "ufw --force enable"]);
    expect(rules({ role: "worker" }, { sshFrom: ["203.0.113.0/24"] })).toContain("ufw allow proto tcp from 203.0.113.0/24 to any port 22");
    const bootstrap = render({}).file(HOST_PATHS.bootstrap)!;
    expect(bootstrap.indexOf("ufw --force enable")).toBeLessThan(bootstrap.indexOf("cloudtiers-app.service"));
  });

  it("turns password logins off, guards sshd with fail2ban, installs security updates, bounds the journal", () => {
    const { file } = render({ role: "worker" });
    expect(file(HOST_PATHS.sshd)).toMatch(/^PasswordAuthentication no$/m);
    expect(file(HOST_PATHS.sshd)).toMatch(/^PermitRootLogin prohibit-password$/m);
    expect(file(HOST_PATHS.fail2ban)).toMatch(/^\[sshd\]\nenabled = true\nbackend = systemd$/m);
    expect(file(HOST_PATHS.fail2ban)).not.toContain("nginx");
    expect(file(HOST_PATHS.unattendedUpgrades)).toContain('APT::Periodic::Unattended-Upgrade "1";');
    expect(file(HOST_PATHS.journald)).toContain("SystemMaxUse=1G");
    expect(file(HOST_PATHS.bootstrap)).toContain("systemctl enable --now fail2ban.service\n");
  });

  it("installs the cloud's fetch script for root only and lets health checks address the host by IP", () => {
    const { doc, file } = render({});
    const fetch = doc.write_files.find((f: { path: string }) => f.path === HOST_PATHS.fetchScript);
    expect(fetch).toMatchObject({ permissions: "0700", owner: "root:root", content: delivery.fetchScript });
    // Run the wrapper: every address of the host joins DJANGO_ALLOWED_HOSTS (load balancers use the private one).
    const dir = mkdtempSync(join(tmpdir(), "cloudtiers-wrapper-"));
    try {
      writeFileSync(join(dir, "hostname"), "#!/bin/sh\necho '203.0.113.5 10.0.1.7 '\n", { mode: 0o755 });
      writeFileSync(join(dir, "fetch"), "#!/bin/sh\nprintf 'DJANGO_ALLOWED_HOSTS=www.example.com\\nOTHER=1\\n' > \"$1\"\nprintf 'REGISTRY_USERNAME=bot\\n' > \"$2\"\n", { mode: 0o755 });
      const wrapper = file(HOST_PATHS.envWrapper)!
        .split(HOST_PATHS.fetchScript)
        .join(join(dir, "fetch"))
        .split(HOST_PATHS.hostEnvFile)
        .join(join(dir, "run", "host.env"))
        .split(HOST_PATHS.retry)
        .join(join(dir, "retry"));
      writeFileSync(join(dir, "retry"), '#!/bin/sh\nshift\nexec "$@"\n', { mode: 0o755 });
      writeFileSync(join(dir, "wrapper"), wrapper, { mode: 0o755 });
      const run = spawnSync(join(dir, "wrapper"), [join(dir, "run", "app.env")], { env: { PATH: `${dir}:/usr/bin:/bin` }, encoding: "utf8" });
      expect(run.stderr).toBe("");
      expect(readFileSync(join(dir, "run", "app.env"), "utf8")).toBe("DJANGO_ALLOWED_HOSTS=www.example.com,203.0.113.5,10.0.1.7\nOTHER=1\n");
      expect(readFileSync(join(dir, "run", "host.env"), "utf8")).toBe("REGISTRY_USERNAME=bot\n");
      for (const env of ["app.env", "host.env"]) expect(statSync(join(dir, "run", env)).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("nginx site", () => {
  const site = renderNginxSite({ layout: "colocated", domain: "www.example.com", healthCheckPath: "/healthz" });

  it("answers the health path as the site, whatever Host the checker sent", () => {
    expect(site).toMatch(/location = \/healthz \{[^}]*proxy_set_header Host www\.example\.com;/);
  });

  it("passes the original scheme on so Django sees HTTPS behind the load balancer", () => {
    expect(site).toContain("map $http_x_forwarded_proto $cloudtiers_forwarded_proto");
    expect(site).toMatch(/location \/ \{[^}]*include \/etc\/nginx\/snippets\/cloudtiers-proxy\.conf;[^}]*proxy_set_header Host \$host;/);
    expect(NGINX_PROXY_SNIPPET).toContain("proxy_set_header X-Forwarded-Proto $cloudtiers_forwarded_proto;");
  });

  it("bounds request bodies and time, and compresses text", () => {
    expect(site).toContain("client_max_body_size 25m;");
    expect(NGINX_PROXY_SNIPPET).toContain("proxy_read_timeout 55s;");
    expect(site).toContain("gzip on;");
  });
});
