import { parse } from "yaml";
import { HostConfigDelivery } from "../../modules/core";
import { GUNICORN_PORT, HostRenderOptions, gunicornWorkers, renderNginxSite, renderUserData } from "../../modules/django/host";
import { application } from "../../environments/defaults";

const delivery: HostConfigDelivery = {
  packages: ["awscli-test"],
  setupCommands: ["echo setup"],
  fetchScript: "#!/bin/sh\necho 'DJANGO_ALLOWED_HOSTS=www.example.com' > \"$1\"\n",
};

function render(o: Partial<HostRenderOptions>) {
  const text = renderUserData(
    { role: "web", layout: "colocated", size: "medium", application, domain: "www.example.com", healthCheckPath: "/healthz", ...o },
    delivery,
  );
  const doc = parse(text);
  const file = (path: string): string | undefined => doc.write_files.find((f: { path: string }) => f.path === path)?.content;
  return { text, doc, file };
}

describe("host user data", () => {
  it("is a #cloud-config document with the packages of the role and of the cloud's delivery", () => {
    const { text, doc } = render({});
    expect(text.startsWith("#cloud-config\n")).toBe(true);
    expect(doc.packages).toEqual(["awscli-test", "docker.io", "jq", "nginx"]);
    expect(doc.ssh_pwauth).toBe(false);
    expect(doc.runcmd[0]).toEqual(["sh", "-c", "echo setup"]);
    expect(render({ role: "worker" }).doc.packages).not.toContain("nginx");
  });

  it("colocated web hosts run gunicorn on loopback behind nginx, workers sized from the instance", () => {
    const { file, doc } = render({});
    const unit = file("/etc/systemd/system/cloudtiers-app.service")!;
    expect(unit).toContain(`--publish 127.0.0.1:${GUNICORN_PORT}:${GUNICORN_PORT}`);
    expect(unit).toContain(`gunicorn --bind 0.0.0.0:8000 --workers ${gunicornWorkers("medium")} `);
    expect(gunicornWorkers("medium")).toBe(5);
    expect(unit).toContain("ExecStartPre=/usr/local/sbin/cloudtiers-env /run/cloudtiers/app.env");
    expect(unit).toContain("Restart=always");
    expect(unit).toContain(`${application.image} gunicorn`);
    expect(unit).toMatch(/shop\.wsgi:application\n/);
    expect(file("/etc/nginx/sites-available/cloudtiers")).toContain("server 127.0.0.1:8000;");
    expect(doc.runcmd).toContainEqual(["systemctl", "enable", "--now", "cloudtiers-app.service"]);
  });

  it("split web hosts run nginx only, pointed at the app tier's load balancer named in the environment", () => {
    const { file, doc } = render({ layout: "split" });
    expect(file("/etc/systemd/system/cloudtiers-app.service")).toBeUndefined();
    expect(file("/etc/nginx/sites-available/cloudtiers")).toContain("proxy_pass $cloudtiers_upstream;");
    expect(file("/usr/local/sbin/cloudtiers-nginx-upstream")).toContain("sed -n 's/^APP_UPSTREAM=//p'");
    expect(doc.runcmd).toContainEqual(["systemctl", "enable", "--now", "cloudtiers-nginx-upstream.service"]);
    const unit = file("/etc/systemd/system/cloudtiers-nginx-upstream.service")!;
    expect(unit).toContain("Restart=on-failure");
    expect(unit).toContain("ExecStartPost=/usr/bin/systemctl --no-block reload-or-restart nginx.service");
  });

  it("split app hosts publish gunicorn to the network and run no nginx", () => {
    const { file } = render({ role: "app", layout: "split" });
    expect(file("/etc/systemd/system/cloudtiers-app.service")).toContain(`--publish ${GUNICORN_PORT}:${GUNICORN_PORT} `);
    expect(file("/etc/nginx/sites-available/cloudtiers")).toBeUndefined();
  });

  it("workers run Celery with the asked concurrency; beat runs the scheduler", () => {
    const worker = render({ role: "worker", workerConcurrency: 7 }).file("/etc/systemd/system/cloudtiers-app.service")!;
    expect(worker).toContain("celery -A shop worker --loglevel INFO --concurrency 7");
    expect(worker).not.toContain("--publish");
    expect(render({ role: "worker", size: "large" }).file("/etc/systemd/system/cloudtiers-app.service")).toContain("--concurrency 4");
    expect(render({ role: "beat" }).file("/etc/systemd/system/cloudtiers-app.service")).toContain("celery -A shop beat");
  });

  it("installs the cloud's fetch script for root only and lets health checks address the host by IP", () => {
    const { doc, file } = render({});
    const fetch = doc.write_files.find((f: { path: string }) => f.path === "/usr/local/sbin/cloudtiers-fetch-env");
    expect(fetch).toMatchObject({ permissions: "0700", owner: "root:root", content: delivery.fetchScript });
    expect(file("/usr/local/sbin/cloudtiers-env")).toContain('sed -i "s/^DJANGO_ALLOWED_HOSTS=.*/&,$ip/"');
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
  });

  it("bounds request bodies and compresses text", () => {
    expect(site).toContain("client_max_body_size 25m;");
    expect(site).toContain("gzip on;");
  });
});
