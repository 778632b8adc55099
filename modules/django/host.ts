import { stringify } from "yaml";
import { HostConfigDelivery, PoolRole, SIZE_PROFILES, Size } from "../core";
import { ApplicationSpec, Layout } from "./spec";

/** The port nginx listens on, on every web host. */
export const NGINX_PORT = 80;
/** The port gunicorn listens on inside and outside the container. */
export const GUNICORN_PORT = 8000;
/** The environment variable that carries the internal load balancer's address to split web hosts. */
export const APP_UPSTREAM_SETTING = "APP_UPSTREAM";

const ENV_FILE = "/run/cloudtiers/app.env";
const FETCH = "/usr/local/sbin/cloudtiers-fetch-env";
const ENV_WRAPPER = "/usr/local/sbin/cloudtiers-env";
const UPSTREAM_WRAPPER = "/usr/local/sbin/cloudtiers-nginx-upstream";
const UPSTREAM_INCLUDE = "/run/cloudtiers/nginx-upstream.conf";
const CONTAINER = "cloudtiers-app";

/** What one pool's hosts run. */
export interface HostRenderOptions {
  readonly role: PoolRole;
  readonly layout: Layout;
  readonly size: Size;
  readonly application: ApplicationSpec;
  /** The site's host name: health checks are answered as if addressed to it. */
  readonly domain: string;
  readonly healthCheckPath: string;
  /** Celery worker processes per host. @default - the size's vCPU count */
  readonly workerConcurrency?: number;
}

/** gunicorn's usual `2 × vCPU + 1` sync workers. */
export function gunicornWorkers(size: Size): number {
  return SIZE_PROFILES[size].vcpus * 2 + 1;
}

/** Does this role run nginx? Web hosts do, in both layouts. */
function runsNginx(role: PoolRole): boolean {
  return role === "web";
}

/** Does this role run the application container, and with which command? */
function containerCommand(o: HostRenderOptions): string[] | undefined {
  const app = o.application;
  switch (o.role) {
    case "web":
      if (o.layout === "split") return undefined;
      return gunicorn(app, o.size);
    case "app":
      return gunicorn(app, o.size);
    case "worker":
      return ["celery", "-A", app.celeryApp, "worker", "--loglevel", "INFO", "--concurrency", String(o.workerConcurrency ?? SIZE_PROFILES[o.size].vcpus)];
    case "beat":
      return ["celery", "-A", app.celeryApp, "beat", "--loglevel", "INFO", "--schedule", "/tmp/celerybeat-schedule"];
  }
}

function gunicorn(app: ApplicationSpec, size: Size): string[] {
  return [
    "gunicorn", "--bind", `0.0.0.0:${GUNICORN_PORT}`, "--workers", String(gunicornWorkers(size)),
    "--timeout", "60", "--graceful-timeout", "30", "--keep-alive", "75",
    "--forwarded-allow-ips=*", "--access-logfile", "-", "--error-logfile", "-", app.wsgiModule,
  ];
}

function envWrapper(): string {
  return `#!/bin/sh
# Fetches the application environment and lets health checks address this host by IP.
set -eu
umask 077
mkdir -p "$(dirname "$1")"
${FETCH} "$1.new"
ip=$(hostname -I | cut -d' ' -f1)
sed -i "s/^DJANGO_ALLOWED_HOSTS=.*/&,$ip/" "$1.new"
mv "$1.new" "$1"
`;
}

function upstreamWrapper(): string {
  return `#!/bin/sh
# Points nginx at the app tier's internal load balancer named in the environment.
set -eu
${ENV_WRAPPER} ${ENV_FILE}
upstream=$(sed -n 's/^${APP_UPSTREAM_SETTING}=//p' ${ENV_FILE})
if [ -z "$upstream" ]; then
  echo "${APP_UPSTREAM_SETTING} is missing from the environment" >&2
  exit 1
fi
printf 'set $cloudtiers_upstream "http://%s";\\n' "$upstream" > ${UPSTREAM_INCLUDE}
`;
}

function appUnit(o: HostRenderOptions, command: string[]): string {
  const publish = o.role === "web" ? `127.0.0.1:${GUNICORN_PORT}:${GUNICORN_PORT}` : o.role === "app" ? `${GUNICORN_PORT}:${GUNICORN_PORT}` : undefined;
  const run = [
    "/usr/bin/docker", "run", "--rm", "--name", CONTAINER, "--env-file", ENV_FILE, "--log-driver", "journald",
    ...(publish ? ["--publish", publish] : []),
    o.application.image, ...command,
  ];
  return `[Unit]
Description=cloudtiers ${o.role}: ${o.application.image}
Requires=docker.service
After=docker.service network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStartPre=${ENV_WRAPPER} ${ENV_FILE}
ExecStartPre=-/usr/bin/docker rm --force ${CONTAINER}
ExecStartPre=/usr/bin/docker pull ${o.application.image}
ExecStart=${run.join(" ")}
ExecStop=/usr/bin/docker stop --time 30 ${CONTAINER}
Restart=always
RestartSec=5
TimeoutStartSec=900

[Install]
WantedBy=multi-user.target
`;
}

function upstreamUnit(): string {
  return `[Unit]
Description=cloudtiers: point nginx at the app tier
After=network-online.target
Wants=network-online.target
Before=nginx.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=${UPSTREAM_WRAPPER}
ExecStartPost=/usr/bin/systemctl --no-block reload-or-restart nginx.service
Restart=on-failure
RestartSec=10

[Install]
WantedBy=multi-user.target
`;
}

const PROXY_HEADERS = `proxy_http_version 1.1;
proxy_set_header Connection "";
proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
proxy_set_header X-Forwarded-Proto $cloudtiers_forwarded_proto;
proxy_set_header X-Real-IP $remote_addr;
proxy_connect_timeout 5s;
proxy_send_timeout 60s;
proxy_read_timeout 60s;
`;

/** The nginx site for web hosts: `/healthz` answered as the site, the rest proxied with forwarded headers. */
export function renderNginxSite(o: Pick<HostRenderOptions, "layout" | "domain" | "healthCheckPath">): string {
  const split = o.layout === "split";
  const target = split ? "$cloudtiers_upstream" : "http://cloudtiers_app";
  const upstream = split
    ? `resolver 127.0.0.53 valid=30s ipv6=off;\n`
    : `upstream cloudtiers_app {\n    server 127.0.0.1:${GUNICORN_PORT};\n    keepalive 16;\n}\n`;
  return `# Managed by cloudtiers.
map $http_x_forwarded_proto $cloudtiers_forwarded_proto {
    default $http_x_forwarded_proto;
    "" $scheme;
}

${upstream}
server {
    listen ${NGINX_PORT} default_server;
    listen [::]:${NGINX_PORT} default_server;
    server_name _;
${split ? `    include ${UPSTREAM_INCLUDE};\n` : ""}
    client_max_body_size 25m;
    client_body_timeout 60s;
    keepalive_timeout 75s;

    gzip on;
    gzip_vary on;
    gzip_proxied any;
    gzip_min_length 1024;
    gzip_types text/plain text/css text/xml application/json application/javascript application/xml image/svg+xml;

    location = ${o.healthCheckPath} {
        access_log off;
        include /etc/nginx/snippets/cloudtiers-proxy.conf;
        proxy_set_header Host ${o.domain};
        proxy_pass ${target};
    }

    location / {
        include /etc/nginx/snippets/cloudtiers-proxy.conf;
        proxy_set_header Host $host;
        proxy_pass ${target};
    }
}
`;
}

interface WriteFile {
  path: string;
  permissions: string;
  owner: string;
  content: string;
}

/**
 * The cloud-init user data of a pool's hosts (Ubuntu 24.04): Docker runs the application
 * image under systemd with its environment fetched at every start through `delivery`;
 * web hosts run nginx in front. The same function serves every cloud and role.
 */
export function renderUserData(o: HostRenderOptions, delivery: HostConfigDelivery): string {
  const command = containerCommand(o);
  const nginx = runsNginx(o.role);
  const files: WriteFile[] = [
    { path: FETCH, permissions: "0700", owner: "root:root", content: delivery.fetchScript },
    { path: ENV_WRAPPER, permissions: "0700", owner: "root:root", content: envWrapper() },
    { path: "/etc/docker/daemon.json", permissions: "0644", owner: "root:root", content: `${JSON.stringify({ "log-driver": "journald", "live-restore": true }, null, 2)}\n` },
  ];
  const enable: string[] = [];
  if (command) {
    files.push({ path: "/etc/systemd/system/cloudtiers-app.service", permissions: "0644", owner: "root:root", content: appUnit(o, command) });
    enable.push("cloudtiers-app.service");
  }
  if (nginx) {
    files.push(
      { path: "/etc/nginx/snippets/cloudtiers-proxy.conf", permissions: "0644", owner: "root:root", content: PROXY_HEADERS },
      { path: "/etc/nginx/sites-available/cloudtiers", permissions: "0644", owner: "root:root", content: renderNginxSite(o) },
    );
    if (o.layout === "split") {
      files.push(
        { path: UPSTREAM_WRAPPER, permissions: "0700", owner: "root:root", content: upstreamWrapper() },
        { path: "/etc/systemd/system/cloudtiers-nginx-upstream.service", permissions: "0644", owner: "root:root", content: upstreamUnit() },
      );
      enable.push("cloudtiers-nginx-upstream.service");
    }
  }
  const packages = [...new Set(["docker.io", "jq", ...(nginx ? ["nginx"] : []), ...delivery.packages])].sort();
  const runcmd: (string | string[])[] = [
    ...delivery.setupCommands.map((c) => ["sh", "-c", c]),
    ...(nginx
      ? [
          ["rm", "-f", "/etc/nginx/sites-enabled/default"],
          ["ln", "-sf", "/etc/nginx/sites-available/cloudtiers", "/etc/nginx/sites-enabled/cloudtiers"],
        ]
      : []),
    ["systemctl", "daemon-reload"],
    ["systemctl", "restart", "docker.service"],
    ...enable.map((unit) => ["systemctl", "enable", "--now", unit]),
    ...(nginx ? [["systemctl", "restart", "nginx.service"]] : []),
  ];
  const doc = {
    package_update: true,
    packages,
    ssh_pwauth: false,
    disable_root: true,
    write_files: files,
    runcmd,
  };
  return `#cloud-config\n${stringify(doc, { lineWidth: 0 })}`;
}
