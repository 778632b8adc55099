import { Fn } from "cdktf";
import { stringify } from "yaml";
import { DEFAULTS, HostAccess, HostConfigDelivery, ORIGIN_HEADER, PoolDiscovery, PoolRole, SIZES, SIZE_PROFILES, Size, asText, isReference, pick } from "../core";
import { RELEASE_PY, RELEASE_SCRIPT_PATH } from "./release";
import { ApplicationSpec, Layout, separateAppTier } from "./spec";

/** The port nginx listens on, on every web host. */
export const NGINX_PORT = 80;
/** The port gunicorn listens on. */
export const GUNICORN_PORT = 8000;
/** How long gunicorn's workers may finish their requests when it stops. */
const GUNICORN_GRACEFUL_SECONDS = 30;
/** The warm shutdown a Celery worker gets (finishing its running tasks) unless the spec says otherwise. */
/** The environment variable that carries the internal load balancer's address to split web hosts. */
export const APP_UPSTREAM_SETTING = "APP_UPSTREAM";
/** The setting each host appends its own IPs to at every start, so health checks that address it by IP pass. */
export const HOST_ADDRESSES_SETTING = "DJANGO_ALLOWED_HOSTS";

/** Where the rendered files live on a host. */
export const HOST_PATHS = {
  envFile: "/run/cloudtiers/app.env",
  hostEnvFile: "/run/cloudtiers/host.env",
  fetchScript: "/usr/local/sbin/cloudtiers-fetch-env",
  envWrapper: "/usr/local/sbin/cloudtiers-env",
  retry: "/usr/local/sbin/cloudtiers-retry",
  pull: "/usr/local/sbin/cloudtiers-pull",
  release: "/usr/local/sbin/cloudtiers-release",
  releaseScript: RELEASE_SCRIPT_PATH,
  releasedMarker: "/run/cloudtiers/released",
  bootstrap: "/usr/local/sbin/cloudtiers-bootstrap",
  registryLogin: "/usr/local/sbin/cloudtiers-registry-login",
  unhealthy: "/usr/local/sbin/cloudtiers-unhealthy",
  reportUnhealthy: "/usr/local/sbin/cloudtiers-report-unhealthy",
  upstreamWrapper: "/usr/local/sbin/cloudtiers-nginx-upstream",
  upstreamInclude: "/run/cloudtiers/nginx-upstream.conf",
  appUnit: "/etc/systemd/system/cloudtiers-app.service",
  upstreamUnit: "/etc/systemd/system/cloudtiers-nginx-upstream.service",
  appHosts: "/usr/local/sbin/cloudtiers-app-hosts",
  appHostsList: "/usr/local/sbin/cloudtiers-list-app-hosts",
  appHostsInclude: "/run/cloudtiers/nginx-app-hosts.conf",
  appHostsUnit: "/etc/systemd/system/cloudtiers-app-hosts.service",
  appHostsTimer: "/etc/systemd/system/cloudtiers-app-hosts.timer",
  bootstrapUnit: "/etc/systemd/system/cloudtiers-bootstrap.service",
  unhealthyUnit: "/etc/systemd/system/cloudtiers-unhealthy@.service",
  lifecycle: "/usr/local/sbin/cloudtiers-lifecycle",
  ready: "/usr/local/sbin/cloudtiers-ready",
  readyUnit: "/etc/systemd/system/cloudtiers-ready.service",
  drain: "/usr/local/sbin/cloudtiers-drain",
  drainUnit: "/etc/systemd/system/cloudtiers-drain.service",
  nginxSite: "/etc/nginx/sites-available/cloudtiers",
  proxySnippet: "/etc/nginx/snippets/cloudtiers-proxy.conf",
  sshd: "/etc/ssh/sshd_config.d/60-cloudtiers.conf",
  fail2ban: "/etc/fail2ban/jail.d/cloudtiers.local",
  unattendedUpgrades: "/etc/apt/apt.conf.d/52cloudtiers-unattended-upgrades",
  journald: "/etc/systemd/journald.conf.d/60-cloudtiers.conf",
  dockerDaemon: "/etc/docker/daemon.json",
  rsyslogApp: "/etc/rsyslog.d/40-cloudtiers-app.conf",
  rsyslogStop: "/etc/rsyslog.d/49-cloudtiers-stop.conf",
  appLog: "/var/log/cloudtiers/app.log",
  logrotate: "/etc/logrotate.d/cloudtiers",
  nginxAccessLog: "/var/log/nginx/access.log",
  nginxErrorLog: "/var/log/nginx/error.log",
} as const;

/** The tag Docker's journald driver gives the application's containers' lines (SYSLOG_IDENTIFIER), which rsyslog files them by. */
export const APP_LOG_TAG = "cloudtiers-app";
/** The tags of nginx's lines, where a shipper reads its files through rsyslog (imfile). */
export const NGINX_LOG_TAGS = { access: "nginx-access", error: "nginx-error" } as const;
/** Every tag whose lines a shipper sends on. */
export const SHIPPED_LOG_TAGS = [APP_LOG_TAG, NGINX_LOG_TAGS.access, NGINX_LOG_TAGS.error];

/**
 * How hosts recover from a failure and when they give up. Every step that reaches the
 * network (packages, the cloud's tools, the configuration, the registry login, the image)
 * is tried `attempts` times, waiting 5, 10, 20, 40 s between tries; the application's
 * service restarts `restartSeconds` after a failure, and after `startBurst` failed starts
 * within `startLimitIntervalSeconds` systemd gives up and the host reports itself
 * unhealthy (`cloudtiers-unhealthy`). `startLimitIntervalSeconds` outlasts `startBurst`
 * starts that each run into `startTimeoutSeconds`, so the limit always trips.
 */
export const HOST_RECOVERY = {
  attempts: 5,
  firstDelaySeconds: 5,
  maxDelaySeconds: 60,
  startBurst: 3,
  startLimitIntervalSeconds: 3600,
  startTimeoutSeconds: 900,
  restartSeconds: 10,
  bootstrapTimeoutSeconds: 1800,
  readySeconds: 1500,
  readyPollSeconds: 5,
} as const;

/**
 * How long a pool waits for a new host to say it is ready (AWS: the launch lifecycle
 * hook's heartbeat) before it gives up on the host and replaces it: the first boot at its
 * time limit and the wait for the application. A host that is not ready by then is
 * abandoned; the hosts it was to replace keep serving.
 */
export function readyDeadlineSeconds(): number {
  return HOST_RECOVERY.bootstrapTimeoutSeconds + HOST_RECOVERY.readySeconds;
}

/**
 * The longest a host takes from its first boot to report itself unhealthy when it cannot
 * start its application: the first boot's setup at its time limit, then `startBurst`
 * starts each at its own.
 */
export function giveUpSeconds(): number {
  const r = HOST_RECOVERY;
  return r.bootstrapTimeoutSeconds + r.startBurst * (r.startTimeoutSeconds + r.restartSeconds);
}

const CONTAINER = "cloudtiers-app";

/**
 * How the web hosts of the `nginx-balanced` layout follow the app hosts: every
 * `intervalSeconds` they read the cloud's list of the app pool; a host new to it joins
 * nginx's upstream once it answers the health path within `probeTimeoutSeconds`; nginx
 * skips a host for `failTimeoutSeconds` after one failed attempt (a refused or timed-out
 * connection: the request goes on to the next host). A terminating app host keeps serving
 * `drainSeconds` after its pool begins to terminate it, so that every web host has dropped
 * it first.
 */
export const APP_DISCOVERY = { intervalSeconds: 10, probeTimeoutSeconds: 3, failTimeoutSeconds: 10, drainSeconds: 20 } as const;

/** What one pool's hosts run. */
export interface HostRenderOptions {
  readonly role: PoolRole;
  readonly layout: Layout;
  readonly size: Size;
  readonly application: ApplicationSpec;
  /** The site's host name: health checks are answered as if addressed to it. */
  readonly domain: string;
  readonly healthCheckPath: string;
  /** IPv4 blocks the host firewall admits to the host's port: the private network. */
  readonly allowFrom: readonly string[];
  /** Celery worker processes per host. @default - the size's vCPU count */
  readonly workerConcurrency?: number;
  /**
   * How long a stopping Celery worker may take to finish its running tasks (a warm
   * shutdown) before it is killed. @default 300
   */
  readonly workerStopSeconds?: number;
  /**
   * How Docker logs in to the image's registry at every start: with the host's cloud
   * identity (`cloud`: the delivery's `registryLogin`), or with `REGISTRY_USERNAME` and
   * `REGISTRY_PASSWORD` of the host's own environment (`password`). @default - no login (a public image)
   */
  readonly registry?: HostRegistryLogin;
  /** `nginx-balanced` web hosts: how they list the app hosts (the app pool's `discovery()`). */
  readonly appDiscovery?: PoolDiscovery;
  /** Whether Celery's remote control works over the broker (`IBroker.remoteControl`): a worker's readiness is its answer to a ping, else its running process. @default true */
  readonly celeryRemoteControl?: boolean;
}

/** How a host logs in to the registry of the application's image. */
export interface HostRegistryLogin {
  readonly login: "cloud" | "password";
  /** The registry's host name, e.g. `ghcr.io`. */
  readonly server: string;
}

/** The host's own settings (not the application's) that carry a `password` registry login. */
export const REGISTRY_SETTINGS = { username: "REGISTRY_USERNAME", password: "REGISTRY_PASSWORD" } as const;

/** gunicorn's usual `2 × vCPU + 1` sync workers, by size. */
const GUNICORN_WORKERS: Readonly<Record<Size, number>> = Object.fromEntries(SIZES.map((s) => [s, SIZE_PROFILES[s].vcpus * 2 + 1])) as Record<Size, number>;
/** A host's vCPUs, by size: Celery's default concurrency. */
const VCPUS: Readonly<Record<Size, number>> = Object.fromEntries(SIZES.map((s) => [s, SIZE_PROFILES[s].vcpus])) as Record<Size, number>;

/** Celery worker processes on a host of `size` unless told otherwise: one per vCPU (looked up by Terraform when `size` is a reference). */
export function celeryConcurrency(size: Size): number {
  return pick(VCPUS, size);
}

/** gunicorn's usual `2 × vCPU + 1` sync workers (looked up by Terraform when `size` is a reference). */
export function gunicornWorkers(size: Size): number {
  return pick(GUNICORN_WORKERS, size);
}

/** The port each role's hosts serve: nginx on web hosts, gunicorn on split app hosts; workers serve none. */
export const SERVED_PORTS: Readonly<Partial<Record<PoolRole, number>>> = { web: NGINX_PORT, app: GUNICORN_PORT };

/** The port a role's hosts serve, if any. */
export function servedPort(role: PoolRole): number | undefined {
  return SERVED_PORTS[role];
}

/** The command the application container runs for a role, if the role runs one. */
function containerCommand(o: HostRenderOptions): string[] | undefined {
  const app = o.application;
  switch (o.role) {
    case "web":
      // Colocated web hosts run gunicorn behind nginx on loopback; the other layouts' web hosts run nginx only.
      return separateAppTier(o.layout) ? undefined : gunicorn(app, o.size, "127.0.0.1");
    case "app":
      return gunicorn(app, o.size, "0.0.0.0");
    case "worker":
      return ["celery", "-A", app.celeryApp, "worker", "--loglevel", "INFO", "--concurrency", asText(o.workerConcurrency ?? celeryConcurrency(o.size))];
    case "beat":
      // Only while it holds beat's lock in PostgreSQL: a replacement host waits for the old beat to stop.
      return ["python3", HOST_PATHS.releaseScript, "exclusive", "beat", "--", "celery", "-A", app.celeryApp, "beat", "--loglevel", "INFO", "--schedule", "/tmp/celerybeat-schedule"];
  }
}

/**
 * gunicorn as the hosts run it. Keep-alive outlasts the load balancers' 60-second idle
 * timeout, so they never reuse a connection gunicorn just closed; forwarded headers are
 * trusted because only nginx or the load balancer can reach gunicorn.
 */
export function gunicorn(app: Pick<ApplicationSpec, "wsgiModule">, size: Size, bindHost: string, port = GUNICORN_PORT): string[] {
  return [
    "gunicorn", "--bind", `${bindHost}:${port}`, "--workers", asText(gunicornWorkers(size)),
    "--timeout", "60", "--graceful-timeout", String(GUNICORN_GRACEFUL_SECONDS), "--keep-alive", "75",
    "--forwarded-allow-ips=*", "--access-logfile", "-", "--error-logfile", "-", app.wsgiModule,
  ];
}

/** `text` as one word of a POSIX shell command: in single quotes, each quote closed, escaped and reopened. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** `cloudtiers-retry <attempts> <command...>`: a command that reaches the network, tried again with backoff. */
export function retried(...command: string[]): string {
  return [HOST_PATHS.retry, String(HOST_RECOVERY.attempts), ...command].join(" ");
}

export function retryScript(): string {
  const r = HOST_RECOVERY;
  return `#!/bin/sh
# cloudtiers-retry ATTEMPTS COMMAND [ARGUMENT...]: runs COMMAND until it succeeds, at most
# ATTEMPTS times, waiting ${r.firstDelaySeconds}, ${r.firstDelaySeconds * 2}, ${r.firstDelaySeconds * 4}, ... seconds (${r.maxDelaySeconds} at most) between tries, and
# exits with its last status. CLOUDTIERS_RETRY_DELAY sets the first wait.
set -u
attempts=$1
shift
delay=\${CLOUDTIERS_RETRY_DELAY:-${r.firstDelaySeconds}}
try=1
while :; do
  "$@" && exit 0
  status=$?
  if [ "$try" -ge "$attempts" ]; then
    echo "cloudtiers-retry: $1 failed $try times (last status $status); giving up" >&2
    exit "$status"
  fi
  echo "cloudtiers-retry: $1 failed (status $status), try $try of $attempts; again in \${delay}s" >&2
  sleep "$delay"
  try=$((try + 1))
  delay=$((delay * 2))
  if [ "$delay" -gt ${r.maxDelaySeconds} ]; then delay=${r.maxDelaySeconds}; fi
done
`;
}

function envWrapper(): string {
  return `#!/bin/sh
# Fetches the application's environment to $1 (and the host's own beside it), retrying, and
# lets health checks address this host by any of its IPs (load balancers reach hosts on
# their private address). When every try fails and an earlier start of this boot left an
# environment (a restart while the configuration store is down), it starts with that one.
set -eu
umask 077
mkdir -p "$(dirname "$1")" "$(dirname ${HOST_PATHS.hostEnvFile})"
if ! ${retried(HOST_PATHS.fetchScript, '"$1.new"', `"${HOST_PATHS.hostEnvFile}.new"`)}; then
  if [ -s "$1" ]; then
    echo "cloudtiers-env: the configuration could not be fetched; starting with the previous start's" >&2
    exit 0
  fi
  exit 1
fi
ips=$(hostname -I | tr -s ' ' '\\n' | grep -v '^$' | paste -sd, -)
sed -i "s/^${HOST_ADDRESSES_SETTING}=.*/&,$ips/" "$1.new"
mv "${HOST_PATHS.hostEnvFile}.new" "${HOST_PATHS.hostEnvFile}"
mv "$1.new" "$1"
`;
}

/**
 * Pulls the application's image, retrying. When the registry cannot be reached (or
 * refuses the login) but the image is already on the host (a restart), it starts with that
 * copy rather than fail: an outage of the registry must not get every restarted host
 * replaced by hosts that cannot pull either.
 */
function pullScript(): string {
  return `#!/bin/sh
# cloudtiers-pull IMAGE: pulls the application's image, or keeps the copy already on this host.
set -u
image=$1
if ${retried("docker", "pull", '"$image"')}; then exit 0; fi
if docker image inspect "$image" > /dev/null 2>&1; then
  echo "cloudtiers-pull: $image could not be pulled; starting with the copy already on this host" >&2
  exit 0
fi
exit 1
`;
}

function upstreamWrapper(): string {
  return `#!/bin/sh
# Points nginx at the app tier's internal load balancer named in the environment.
set -eu
${HOST_PATHS.envWrapper} ${HOST_PATHS.envFile}
upstream=$(sed -n 's/^${APP_UPSTREAM_SETTING}=//p' ${HOST_PATHS.envFile})
if [ -z "$upstream" ]; then
  echo "${APP_UPSTREAM_SETTING} is missing from the environment" >&2
  exit 1
fi
# shellcheck disable=SC2016 # $cloudtiers_upstream is an nginx variable, written literally.
printf 'set $cloudtiers_upstream "http://%s";\\n' "$upstream" > ${HOST_PATHS.upstreamInclude}
`;
}

/**
 * Logs Docker in to the image's registry: with the host's cloud identity (the delivery's
 * commands), or with the user name and password the host's own environment holds. The
 * password goes to `docker login` on its standard input, never in a command's arguments.
 */
function registryLoginScript(registry: HostRegistryLogin, delivery: HostConfigDelivery): string {
  const header = `#!/bin/sh
# Logs Docker in to ${registry.server}, the application image's registry, at every start of the application.
set -eu
`;
  if (registry.login === "cloud") {
    if (!delivery.registryLogin) throw new Error(`this cloud's hosts have no identity to log in to ${registry.server} with: give application.registry a user name and password`);
    return header + delivery.registryLogin(registry.server);
  }
  const { username, password } = REGISTRY_SETTINGS;
  return `${header}env=${HOST_PATHS.hostEnvFile}
username=$(sed -n 's/^${username}=//p' "$env")
password=$(sed -n 's/^${password}=//p' "$env")
if [ -z "$username" ] || [ -z "$password" ]; then
  echo "${username} or ${password} is missing from $env" >&2
  exit 1
fi
printf '%s' "$password" | docker login --username "$username" --password-stdin ${shellQuote(registry.server)}
`;
}

/**
 * The unit's lines that bound its retries: after `startBurst` failed starts within
 * `startLimitIntervalSeconds` systemd stops trying, and the host reports itself unhealthy.
 */
function giveUp(): string {
  const r = HOST_RECOVERY;
  return `# After ${r.startBurst} failed starts within ${r.startLimitIntervalSeconds / 60} minutes systemd stops trying: the host then reports itself unhealthy.
StartLimitIntervalSec=${r.startLimitIntervalSeconds}
StartLimitBurst=${r.startBurst}
OnFailure=cloudtiers-unhealthy@%n.service
`;
}

/**
 * This host's part of a release, before its application starts: migrations (and, on the
 * hosts that serve the site, `collectstatic`) once per release across every host, under
 * PostgreSQL's lock (release.ts), then once per boot here. A release is the image's
 * content id, so a tag pushed again is a new release.
 */
function releaseWrapper(): string {
  const script = HOST_PATHS.releaseScript;
  return `#!/bin/sh
# cloudtiers-release IMAGE [--collectstatic]: the release step of IMAGE (migrations, static
# files) once per release, in the image, with the application's environment.
set -eu
image=$1
shift
release=$(docker image inspect --format '{{.Id}}' "$image")
if [ "$(cat ${HOST_PATHS.releasedMarker} 2>/dev/null || true)" = "$release" ]; then
  echo "cloudtiers-release: $image ($release) is released already; this host did its part at an earlier start"
  exit 0
fi
docker run --rm --network host --env-file ${HOST_PATHS.envFile} --volume ${script}:${script}:ro \
  "$image" python3 ${script} release --release "$release" --image "$image" "$@"
printf '%s\n' "$release" > ${HOST_PATHS.releasedMarker}
`;
}

/** The roles whose hosts serve the site's pages, and so collect its static files. */
function collectsStatic(o: HostRenderOptions): boolean {
  return o.role === "app" || (o.role === "web" && !separateAppTier(o.layout));
}

/** How long the application's container may take to stop: a worker's warm shutdown, gunicorn's graceful one. */
export function stopSeconds(o: Pick<HostRenderOptions, "role" | "workerStopSeconds">): number {
  return o.role === "worker" ? (o.workerStopSeconds ?? DEFAULTS.worker.stopTimeoutSeconds) : GUNICORN_GRACEFUL_SECONDS;
}

function appUnit(o: HostRenderOptions, command: string[], shipped: boolean): string {
  const script = HOST_PATHS.releaseScript;
  const run = [
    "/usr/bin/docker", "run", "--rm", "--name", CONTAINER, "--network", "host",
    "--env-file", HOST_PATHS.envFile, "--log-driver", "journald", ...(shipped ? ["--log-opt", `tag=${APP_LOG_TAG}`] : []),
    ...(command.includes(script) ? ["--volume", `${script}:${script}:ro`] : []),
    o.application.image, ...command,
  ];
  const stop = stopSeconds(o);
  const r = HOST_RECOVERY;
  return `[Unit]
Description=cloudtiers ${o.role}: ${o.application.image}
Requires=docker.service
After=docker.service network-online.target
Wants=network-online.target
${giveUp()}
[Service]
Type=simple
ExecStartPre=${HOST_PATHS.envWrapper} ${HOST_PATHS.envFile}
ExecStartPre=-/usr/bin/docker rm --force ${CONTAINER}
${o.registry ? `# A failed login leaves the pull to fail, and the copy already here to start.\nExecStartPre=-${retried(HOST_PATHS.registryLogin)}\n` : ""}ExecStartPre=${HOST_PATHS.pull} ${o.application.image}
# Migrations${collectsStatic(o) ? " and static files" : ""} once per release, before this host serves: a failure stops the start.
ExecStartPre=${HOST_PATHS.release} ${o.application.image}${collectsStatic(o) ? " --collectstatic" : ""}
ExecStart=${run.join(" ")}
# SIGTERM, then ${stop} s to finish ${o.role === "worker" ? "running tasks (Celery's warm shutdown)" : "what is in flight"} before the container is killed.
ExecStop=/usr/bin/docker stop --time ${stop} ${CONTAINER}
TimeoutStopSec=${stop + 30}
Restart=always
RestartSec=${r.restartSeconds}
TimeoutStartSec=${r.startTimeoutSeconds}

[Install]
WantedBy=multi-user.target
`;
}

function upstreamUnit(): string {
  const r = HOST_RECOVERY;
  return `[Unit]
Description=cloudtiers: point nginx at the app tier
After=network-online.target
Wants=network-online.target
Before=nginx.service
${giveUp()}
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=${HOST_PATHS.upstreamWrapper}
ExecStartPost=/usr/bin/systemctl --no-block reload-or-restart nginx.service
Restart=on-failure
RestartSec=${r.restartSeconds}
TimeoutStartSec=${r.startTimeoutSeconds}

[Install]
WantedBy=multi-user.target
`;
}

function bootstrapUnit(): string {
  return `[Unit]
Description=cloudtiers: first boot (packages, the cloud's tools, firewall, services)
After=network-online.target
Wants=network-online.target
# Every download retries; if one still fails, the host reports itself unhealthy.
OnFailure=cloudtiers-unhealthy@%n.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=${HOST_PATHS.bootstrap}
TimeoutStartSec=${HOST_RECOVERY.bootstrapTimeoutSeconds}
`;
}

function unhealthyUnit(): string {
  return `[Unit]
Description=cloudtiers: report this host unhealthy if %i gave up

[Service]
Type=oneshot
ExecStart=${HOST_PATHS.unhealthy} %i
`;
}

/**
 * Run by `OnFailure=` with the failed unit's name. A unit that gave up (a one-shot unit
 * that failed, or a service past its start limit) means the host cannot do its work: the
 * cloud's `reportUnhealthy` tells what replaces hosts, and a host that cannot report (or a
 * cloud that has no such call) powers off, which the pool sees as a failed machine. A
 * crash that systemd restarts is not reported.
 */
function unhealthyScript(delivery: HostConfigDelivery): string {
  // A host still waiting to join its pool is abandoned: the pool replaces it, and keeps the hosts it was to replace.
  const abandon = delivery.lifecycle ? `${HOST_PATHS.lifecycle} abandon || echo "cloudtiers-unhealthy: could not abandon the launch" >&2\n` : "";
  const report = delivery.reportUnhealthy
    ? `if ${HOST_PATHS.retry} 3 ${HOST_PATHS.reportUnhealthy}; then exit 0; fi\necho "cloudtiers-unhealthy: could not report it; powering off, which the pool sees as a failed machine" >&2\n`
    : `echo "cloudtiers-unhealthy: powering off, which the pool sees as a failed machine" >&2\n`;
  return `#!/bin/sh
# cloudtiers-unhealthy UNIT: run when one of cloudtiers' units fails (OnFailure=).
set -u
unit=$1
restart=$(systemctl show --property=Restart --value "$unit")
result=$(systemctl show --property=Result --value "$unit")
if [ "$restart" != no ] && [ "$result" != start-limit-hit ]; then
  echo "cloudtiers-unhealthy: $unit failed ($result); systemd starts it again"
  exit 0
fi
echo "cloudtiers-unhealthy: $unit gave up ($result); this host cannot do its work" >&2
${abandon}${report}systemctl poweroff
`;
}

/**
 * The check that tells a role's host does its work, as its load balancer or broker sees
 * it: nginx answers the health path through Django (colocated web hosts), nginx answers
 * at all (split and nginx-balanced web hosts: their health path reflects the app tier, whose outage must not
 * hold web hosts back), gunicorn answers it (app hosts), the worker answers a Celery ping
 * addressed to it over the broker (its container runs, where the broker carries no
 * broadcast: SQS), beat's container runs.
 */
export function readyCheck(o: Pick<HostRenderOptions, "role" | "layout" | "domain" | "healthCheckPath" | "application" | "celeryRemoteControl">): string {
  const containerRunning = `[ "$(docker inspect --format '{{.State.Running}}' ${CONTAINER} 2>/dev/null)" = true ]`;
  const probe = (port: number, strict: boolean) =>
    `curl ${strict ? "-fsS" : "-sS"} -o /dev/null --max-time 5 -H ${shellQuote(`Host: ${o.domain}`)} ${shellQuote(`http://127.0.0.1:${port}${o.healthCheckPath}`)}`;
  switch (o.role) {
    case "web":
      return probe(NGINX_PORT, !separateAppTier(o.layout));
    case "app":
      return probe(GUNICORN_PORT, true);
    case "worker":
      // SQS carries no broadcast, so no ping: the worker's process is what there is to tell.
      if (o.celeryRemoteControl === false) return containerRunning;
      return `docker exec ${CONTAINER} celery -A ${shellQuote(o.application.celeryApp)} inspect ping --destination "celery@$(hostname)" --timeout 10 > /dev/null`;
    case "beat":
      return containerRunning;
  }
}

/**
 * Waits until the host does its work (\`readyCheck\`), then tells its pool (the launch
 * lifecycle hook): only then does a load balancer register it, or a rolling replacement
 * count it and retire an old host. Gives up after \`readySeconds\`; the unit's failure
 * reports the host unhealthy, which abandons it.
 */
function readyScript(o: HostRenderOptions): string {
  const r = HOST_RECOVERY;
  return `#!/bin/sh
# cloudtiers-ready: waits until this ${o.role} host does its work, then tells its pool.
set -u
waited=0
until ${readyCheck(o)}; do
  if [ "$waited" -ge ${r.readySeconds} ]; then
    echo "cloudtiers-ready: not ready after \${waited}s; giving up" >&2
    exit 1
  fi
  if [ $((waited % 60)) -eq 0 ]; then echo "cloudtiers-ready: waiting for the ${o.role} host to do its work (\${waited}s)"; fi
  sleep ${r.readyPollSeconds}
  waited=$((waited + ${r.readyPollSeconds}))
done
echo "cloudtiers-ready: ready after \${waited}s"
exec ${HOST_PATHS.lifecycle} ready
`;
}

function readyUnit(): string {
  return `[Unit]
Description=cloudtiers: tell the pool this host is ready
After=cloudtiers-bootstrap.service
OnFailure=cloudtiers-unhealthy@%n.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=${retried(HOST_PATHS.ready)}
TimeoutStartSec=${HOST_RECOVERY.readySeconds * 2}

[Install]
WantedBy=multi-user.target
`;
}

/** Waits for the pool to terminate this host, stops its work (a worker's warm shutdown), then lets the termination go on. */
/** Where `cloudtiers-app-hosts` reads and writes; the hosts' own paths unless a test moves them. */
export interface AppHostsOptions {
  readonly domain: string;
  readonly healthCheckPath: string;
  /** The cloud's list of the app hosts (`PoolDiscovery.listScript`). @default HOST_PATHS.appHostsList */
  readonly list?: string;
  /** @default HOST_PATHS.appHostsInclude */
  readonly include?: string;
  /** The host's own environment, the list's argument. @default HOST_PATHS.hostEnvFile */
  readonly hostEnvFile?: string;
  /** Fetches it when a boot has none yet. @default - `cloudtiers-env` */
  readonly fetchEnvironment?: string;
  /**
   * Makes nginx read the new upstream. @default - systemd reloads nginx if it runs, without
   * waiting: this unit is ordered before nginx, so a reload job would wait for it to finish
   * (a deadlock until its start timeout; systemd/systemd#7324)
   */
  readonly reload?: string;
  /** The app hosts' port. @default GUNICORN_PORT */
  readonly port?: number;
}

/**
 * `cloudtiers-app-hosts`, run every `APP_DISCOVERY.intervalSeconds` on the web hosts of the
 * `nginx-balanced` layout: it reads the cloud's list of the app hosts and writes nginx's
 * upstream of them. Hosts of this host's zone are the upstream's servers and the others its
 * backups (nginx sends to a backup only when no server of the zone answers); with none in
 * the zone, every host is a server. A host new to the list joins once it answers the health
 * path; one listed before stays while the cloud lists it, nginx skipping it for
 * `failTimeoutSeconds` after each failed attempt. Only dotted IPv4 addresses are written
 * into nginx's configuration. When the list cannot be read, nginx keeps the hosts it has.
 */
export function appHostsScript(o: AppHostsOptions): string {
  const d = APP_DISCOVERY;
  const port = o.port ?? GUNICORN_PORT;
  const include = o.include ?? HOST_PATHS.appHostsInclude;
  const hostEnv = o.hostEnvFile ?? HOST_PATHS.hostEnvFile;
  const probe = `curl -fsS -o /dev/null --max-time ${d.probeTimeoutSeconds} -H ${shellQuote(`Host: ${o.domain}`)} "http://$ip:${port}"${shellQuote(o.healthCheckPath)}`;
  return `#!/bin/sh
# cloudtiers-app-hosts: points nginx at the app hosts the cloud lists (every ${d.intervalSeconds} s,
# cloudtiers-app-hosts.timer), this zone's first; the others are backups.
set -u
include=${shellQuote(include)}
admitted="$include.hosts"
# write_upstream < "IPv4 near|far" lines: nginx's upstream of them, the far ones backups while a near one is listed.
write_upstream() {
  awk '
    $1 ~ /^[0-9]+[.][0-9]+[.][0-9]+[.][0-9]+$/ && ($2 == "near" || $2 == "far") { n++; ip[n] = $1; near[n] = ($2 == "near"); nearby += near[n] }
    END {
      print "# Managed by cloudtiers-app-hosts: the app hosts the cloud lists."
      print "upstream cloudtiers_app {"
      print "    least_conn;"
      if (n == 0) print "    server 127.0.0.1:${port} down;"
      for (i = 1; i <= n; i++) printf "    server %s:${port} max_fails=1 fail_timeout=${d.failTimeoutSeconds}s%s;\\n", ip[i], (nearby > 0 && !near[i]) ? " backup" : ""
      print "    keepalive 16;"
      print "}"
    }' > "$include.new" && mv "$include.new" "$include"
}
mkdir -p "$(dirname "$include")"
if [ ! -f "$include" ]; then
  # The boot's first run: no app host yet (nginx answers 502 until one joins).
  : | write_upstream
  : > "$admitted"
fi
# The host's own environment (the list's credentials, if any), fetched once a boot.
if [ ! -e ${shellQuote(hostEnv)} ]; then ${o.fetchEnvironment ?? `${HOST_PATHS.envWrapper} ${HOST_PATHS.envFile}`} || exit 1; fi
if ! listed=$(${o.list ?? HOST_PATHS.appHostsList} ${shellQuote(hostEnv)}); then
  echo "cloudtiers-app-hosts: the cloud's list of app hosts could not be read; nginx keeps the $(grep -c . "$admitted") it has" >&2
  exit 1
fi
next=$(printf '%s\n' "$listed" | while read -r ip where; do
  case "$ip" in "" | *[!0-9.]*) continue ;; esac
  case "$where" in near | far) ;; *) continue ;; esac
  # A host new to the list joins once it answers; one admitted before stays while listed.
  if grep -qxF "$ip $where" "$admitted" || ${probe}; then
    printf '%s %s\n' "$ip" "$where"
  fi
done | sort -u)
if [ "$next" = "$(cat "$admitted")" ]; then exit 0; fi
printf '%s\n' "$next" | write_upstream
printf '%s\n' "$next" | sed '/^$/d' > "$admitted"
echo "cloudtiers-app-hosts: nginx balances over $(grep -c near "$admitted") app host(s) of this zone and $(grep -c far "$admitted") of others: $(cut -d' ' -f1 "$admitted" | paste -sd' ' -)"
${o.reload ?? "systemctl --no-block try-reload-or-restart nginx.service"}
`;
}

function appHostsUnit(): string {
  return `[Unit]
Description=cloudtiers: point nginx at the app hosts the cloud lists
After=network-online.target
Wants=network-online.target
Before=nginx.service

[Service]
Type=oneshot
ExecStart=${HOST_PATHS.appHosts}
TimeoutStartSec=60

[Install]
WantedBy=multi-user.target
`;
}

function appHostsTimer(): string {
  return `[Unit]
Description=cloudtiers: follow the app hosts every ${APP_DISCOVERY.intervalSeconds} s

[Timer]
OnActiveSec=${APP_DISCOVERY.intervalSeconds}s
OnUnitActiveSec=${APP_DISCOVERY.intervalSeconds}s
AccuracySec=1s

[Install]
WantedBy=timers.target
`;
}

function drainScript(services: readonly string[], delaySeconds: number): string {
  const delay = delaySeconds > 0 ? `echo "cloudtiers-drain: the pool is terminating this host; serving ${delaySeconds} s more, until the web hosts have dropped it"\nsleep ${delaySeconds}\n` : "";
  return `#!/bin/sh
# cloudtiers-drain: when the pool terminates this host, its work stops first.
set -eu
${HOST_PATHS.lifecycle} wait-terminating
${delay}echo "cloudtiers-drain: the pool is terminating this host; stopping ${services.join(" ")}"
systemctl stop ${services.join(" ")} || true
exec ${HOST_PATHS.lifecycle} terminated
`;
}

/** How long a terminating host keeps serving before it stops: an `nginx-balanced` app host until every web host has dropped it. */
export function drainDelaySeconds(o: Pick<HostRenderOptions, "role" | "layout">): number {
  return o.role === "app" && o.layout === "nginx-balanced" ? APP_DISCOVERY.drainSeconds : 0;
}

function drainUnit(stopSeconds: number): string {
  return `[Unit]
Description=cloudtiers: stop this host's work before the pool terminates it
After=cloudtiers-bootstrap.service

[Service]
Type=simple
ExecStart=${HOST_PATHS.drain}
Restart=on-failure
RestartSec=${HOST_RECOVERY.restartSeconds}
TimeoutStopSec=${stopSeconds + 30}

[Install]
WantedBy=multi-user.target
`;
}

/**
 * How long nginx waits for gunicorn's answer: under every wait in front of it (the load
 * balancers' 60 s idle timeout, CloudFront's 60 s for an origin, Cloudflare's Worker's 70 s),
 * so a view that slow gets nginx's 504, which no proxy in front retries (CloudFront would send
 * a GET again after its own timeout, and the view would run twice).
 */
export const NGINX_READ_TIMEOUT_SECONDS = 55;

/** The proxy settings every nginx location includes (nginx drops inherited `proxy_set_header`s once a location sets one). */
export const NGINX_PROXY_SNIPPET = `proxy_http_version 1.1;
proxy_set_header Connection "";
proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
proxy_set_header X-Forwarded-Proto $cloudtiers_forwarded_proto;
proxy_set_header X-Real-IP $remote_addr;
proxy_set_header ${ORIGIN_HEADER} "";
proxy_connect_timeout 5s;
proxy_send_timeout 60s;
proxy_read_timeout ${NGINX_READ_TIMEOUT_SECONDS}s;
`;

/**
 * nginx-balanced: a request that failed to reach an app host (refused, or no connection in
 * 5 s) goes on to one more, within 10 s of its first try. A request that timed out waiting
 * for its answer (55 s) is not replayed on another host, nor is a POST once sent (nginx's
 * rule), and one slow request cannot take every host out of the upstream in turn.
 */
const NEXT_APP_HOST = `    proxy_next_upstream error timeout;
    proxy_next_upstream_tries 2;
    proxy_next_upstream_timeout 10s;
`;

/** What the nginx site needs to know; ports and paths default to the hosts' own. */
export interface NginxSiteOptions {
  readonly layout: Layout;
  readonly domain: string;
  readonly healthCheckPath: string;
  /** @default 80 */
  readonly listenPort?: number;
  /** Colocated: where gunicorn listens. @default "127.0.0.1:8000" */
  readonly appAddress?: string;
  /** @default HOST_PATHS.proxySnippet */
  readonly proxySnippet?: string;
  /** Split: the file that sets `$cloudtiers_upstream`. @default HOST_PATHS.upstreamInclude */
  readonly upstreamInclude?: string;
  /** nginx-balanced: the file holding the app hosts' upstream (`cloudtiers-app-hosts`). @default HOST_PATHS.appHostsInclude */
  readonly appHostsInclude?: string;
}

/**
 * The nginx site of web hosts: the health path answered as if addressed to the site (load
 * balancer and DNS checks send other `Host`s, which Django would refuse), everything
 * proxied with the original scheme in `X-Forwarded-Proto`, bounded bodies, gzip.
 */
export function renderNginxSite(o: NginxSiteOptions): string {
  const split = o.layout === "split";
  const snippet = o.proxySnippet ?? HOST_PATHS.proxySnippet;
  const target = split ? "$cloudtiers_upstream" : "http://cloudtiers_app";
  const upstream = {
    colocated: `upstream cloudtiers_app {\n    server ${o.appAddress ?? `127.0.0.1:${GUNICORN_PORT}`};\n    keepalive 16;\n}\n`,
    // The internal load balancer's addresses change: resolve its name as its DNS TTL says.
    split: `resolver 127.0.0.53 valid=30s ipv6=off;\n`,
    // The app hosts come and go: cloudtiers-app-hosts writes the upstream as the cloud lists them.
    "nginx-balanced": `include ${o.appHostsInclude ?? HOST_PATHS.appHostsInclude};\n`,
  }[o.layout];
  return `# Managed by cloudtiers.
map $http_x_forwarded_proto $cloudtiers_forwarded_proto {
    default $http_x_forwarded_proto;
    "" $scheme;
}

${upstream}
server {
    listen ${o.listenPort ?? NGINX_PORT} default_server;
    server_name _;
${split ? `    include ${o.upstreamInclude ?? HOST_PATHS.upstreamInclude};\n` : ""}${o.layout === "nginx-balanced" ? NEXT_APP_HOST : ""}
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
        include ${snippet};
        proxy_set_header Host ${o.domain};
        proxy_pass ${target};
    }

    location / {
        include ${snippet};
        proxy_set_header Host $host;
        proxy_pass ${target};
    }
}
`;
}

const SSHD = `# Managed by cloudtiers: keys only, never passwords (SSH itself is closed unless the cloud's
# settings admit addresses to it).
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
`;

/**
 * Only the sshd jail: behind a load balancer every web request comes from the load
 * balancer's addresses, so a jail on nginx's logs would ban the load balancer itself.
 */
const FAIL2BAN = `[sshd]
enabled = true
backend = systemd
maxretry = 5
findtime = 10m
bantime = 1h
`;

const UNATTENDED_UPGRADES = `APT::Periodic::Update-Package-Lists "1";
APT::Periodic::Unattended-Upgrade "1";
APT::Periodic::AutocleanInterval "7";
Unattended-Upgrade::Automatic-Reboot "false";
`;

/**
 * Container and system logs go to the journal; it keeps at most 1 GiB or two weeks. nginx's
 * logs rotate with Ubuntu's logrotate. Where logs are shipped, the journal hands every line
 * to rsyslog too, which files the application's by their tag.
 */
function journald(shipped: boolean): string {
  return `[Journal]
SystemMaxUse=1G
MaxRetentionSec=14day
${shipped ? "ForwardToSyslog=yes\n" : ""}`;
}

/** rsyslog files the application's containers' lines (the release step's among them) apart, for the shipper to read. */
const RSYSLOG_APP = `# Managed by cloudtiers: the application's container logs (Docker's journald driver tags
# them ${APP_LOG_TAG}; the journal forwards them), in a file of their own.
if $programname == "${APP_LOG_TAG}" then {
    action(type="omfile" file="${HOST_PATHS.appLog}" fileCreateMode="0640" dirCreateMode="0750")
}
`;

/**
 * Once filed (40-) and forwarded (45-, where the cloud forwards), the shipped lines go no
 * further: Ubuntu's 50-default.conf would copy each into /var/log/syslog as well.
 */
const RSYSLOG_STOP = `# Managed by cloudtiers: the shipped lines are filed and sent already; not into /var/log/syslog as well.
if ${SHIPPED_LOG_TAGS.map((t) => `$programname == "${t}"`).join(" or ")} then stop
`;

/** The application's log file rotates daily, a week kept on the host (the shipper has sent it on). */
const LOGROTATE = `${HOST_PATHS.appLog} {
    daily
    rotate 7
    compress
    delaycompress
    missingok
    notifempty
    postrotate
        /usr/lib/rsyslog/rsyslog-rotate
    endscript
}
`;

/**
 * The host firewall: nothing in but the role's port from the private network, and SSH
 * from the addresses the cloud admits (none by default); everything out.
 */
function firewallCommands(o: HostRenderOptions, access: HostAccess): string[] {
  const port = servedPort(o.role);
  const allow = (cidr: string, p: number | string) => `ufw allow proto tcp from ${cidr} to any port ${p}`;
  return [
    "ufw default deny incoming",
    "ufw default allow outgoing",
    ...(port === undefined ? [] : o.allowFrom.map((cidr) => allow(cidr, port))),
    ...(isReference(access.sshFrom)
      ? // A list Terraform knows (a module's input): one loop over it.
        [`for cidr in ${Fn.join(" ", access.sshFrom as string[])}; do ${allow('"$cidr"', 22)}; done`]
      : (access.sshFrom ?? []).map((cidr) => allow(cidr, 22))),
    "ufw --force enable",
  ];
}

/** The packages a role's hosts install at first boot: Docker and the hardening ones, nginx on web hosts, the delivery's. */
function packagesOf(o: HostRenderOptions, delivery: HostConfigDelivery): string[] {
  const nginx = o.role === "web";
  const shipping = delivery.logShipping ? ["rsyslog", ...delivery.logShipping.packages] : [];
  const discovery = o.role === "web" ? (o.appDiscovery?.packages ?? []) : [];
  return [...new Set(["curl", "docker.io", "jq", "ufw", "fail2ban", "python3-systemd", "unattended-upgrades", ...(nginx ? ["nginx"] : []), ...delivery.packages, ...shipping, ...discovery])].sort();
}

/**
 * The first boot, run once by `cloudtiers-bootstrap.service`: the packages and the cloud's
 * tools, each download retried with backoff (apt waits for a held dpkg lock), then the
 * firewall, the services' configuration, and the services. The application's services are
 * started without waiting: their own retries and start limit take it from there.
 */
function bootstrapScript(o: HostRenderOptions, delivery: HostConfigDelivery, access: HostAccess, services: readonly string[]): string {
  const nginx = o.role === "web";
  return [
    "#!/bin/sh",
    "# First boot: packages and the cloud's tools (every download retried), the firewall, the services.",
    "set -eu",
    "export DEBIAN_FRONTEND=noninteractive",
    ...aptInstall(packagesOf(o, delivery)),
    ...delivery.setupCommands.map((c) => retried("sh", "-c", shellQuote(c))),
    // Shipping logs is no reason to give up on a host: one whose shipper cannot be set up serves all the same, its logs in its journal.
    ...(delivery.logShipping
      ? ["systemctl restart rsyslog.service", ...delivery.logShipping.setupCommands.map((c) => `${retried("sh", "-c", shellQuote(c))} || echo "cloudtiers-bootstrap: the log shipper did not set up; this host's logs stay in its journal" >&2`)]
      : []),
    ...firewallCommands(o, access),
    ...(nginx ? ["rm -f /etc/nginx/sites-enabled/default", `ln -sf ${HOST_PATHS.nginxSite} /etc/nginx/sites-enabled/cloudtiers`] : []),
    "systemctl daemon-reload",
    "systemctl restart systemd-journald.service ssh.service docker.service",
    "systemctl enable --now fail2ban.service",
    ...(services.length > 0 ? [`systemctl enable ${services.join(" ")}`, `systemctl start --no-block ${services.join(" ")}`] : []),
    ...(nginx ? ["systemctl restart nginx.service"] : []),
    "",
  ].join("\n");
}

/** apt's update and install of `packages`, each retried; apt waits up to 10 minutes for a held dpkg lock. */
export function aptInstall(packages: readonly string[]): string[] {
  const apt = "apt-get -q -o DPkg::Lock::Timeout=600";
  return [retried(apt, "update", "--error-on=any"), retried(apt, "install", "-y", ...packages)];
}

export interface WriteFile {
  path: string;
  permissions: string;
  owner: string;
  content: string;
}

/** One of cloud-init's `write_files`, owned by root. */
export const writeFile = (path: string, content: string, permissions = "0644"): WriteFile => ({ path, permissions, owner: "root:root", content });

/** A `write_files` entry as `stringify` writes it inside a document: rendered as the one entry of a document's `write_files`, less that key's line. */
function fileText(file: WriteFile): string {
  return stringify({ write_files: [file] }, { lineWidth: 0 }).slice("write_files:\n".length);
}

/** Each entry's text by content, then its other fields: most are the same in every pool and stack. */
const renderedFiles = new Map<string, Map<string, string>>();

function renderedFile(file: WriteFile): string {
  // A file that refers to a resource (a cdktf token) is its stack's alone: rendered, not kept.
  if (file.content.includes("${TfToken[")) return fileText(file);
  const byContent = renderedFiles.get(file.content) ?? renderedFiles.set(file.content, new Map()).get(file.content)!;
  const key = JSON.stringify(Object.entries(file).filter(([field]) => field !== "content"));
  const text = byContent.get(key) ?? fileText(file);
  byContent.set(key, text);
  return text;
}

/**
 * `doc` as cloud-init user data: `stringify`'s YAML of it, each top-level key in turn, with
 * each `write_files` entry rendered once a process (rendering them was 8% of a synth of
 * many stacks). A test proves it byte-identical to `stringify` of the whole document.
 */
export function cloudConfig(doc: { write_files?: readonly WriteFile[] } & object): string {
  const parts = Object.entries(doc).map(([key, value]) =>
    key === "write_files" && Array.isArray(value) && value.length > 0 ? `write_files:\n${value.map(renderedFile).join("")}` : stringify({ [key]: value }, { lineWidth: 0 }),
  );
  return `#cloud-config\n${parts.join("")}`;
}

/**
 * The cloud-init user data of a pool's hosts (Ubuntu 24.04). cloud-init only writes the
 * files and starts `cloudtiers-bootstrap.service`, which installs the packages and the
 * cloud's tools (retrying every download), sets up the firewall and starts the services.
 * Docker runs the application image under systemd on the host's network, with its
 * environment fetched through `delivery`, the registry logged in to and the image pulled
 * at every start, each retried; web hosts run nginx in front. A host that still cannot
 * set itself up or start its application reports itself unhealthy (`cloudtiers-unhealthy`).
 * ufw admits only the role's port from the private network (and SSH from
 * `access.sshFrom`), fail2ban guards sshd, security updates install themselves, password
 * logins are off. The same function serves every cloud and role.
 */
export function renderUserData(o: HostRenderOptions, delivery: HostConfigDelivery, access: HostAccess = {}): string {
  const command = containerCommand(o);
  const nginx = o.role === "web";
  const shipped = delivery.logShipping !== undefined;
  const files: WriteFile[] = [
    writeFile(HOST_PATHS.retry, retryScript(), "0755"),
    writeFile(HOST_PATHS.fetchScript, delivery.fetchScript, "0700"),
    writeFile(HOST_PATHS.envWrapper, envWrapper(), "0700"),
    writeFile(HOST_PATHS.unhealthy, unhealthyScript(delivery), "0700"),
    ...(delivery.reportUnhealthy ? [writeFile(HOST_PATHS.reportUnhealthy, delivery.reportUnhealthy, "0700")] : []),
    writeFile(HOST_PATHS.unhealthyUnit, unhealthyUnit()),
    writeFile(HOST_PATHS.bootstrapUnit, bootstrapUnit()),
    writeFile(HOST_PATHS.dockerDaemon, `${JSON.stringify({ "log-driver": "journald", ...(shipped ? { "log-opts": { tag: APP_LOG_TAG } } : {}), "live-restore": true }, null, 2)}\n`),
    writeFile(HOST_PATHS.sshd, SSHD),
    writeFile(HOST_PATHS.fail2ban, FAIL2BAN),
    writeFile(HOST_PATHS.unattendedUpgrades, UNATTENDED_UPGRADES),
    writeFile(HOST_PATHS.journald, journald(shipped)),
    ...(delivery.logShipping
      ? [
          writeFile(HOST_PATHS.rsyslogApp, RSYSLOG_APP),
          writeFile(HOST_PATHS.rsyslogStop, RSYSLOG_STOP),
          writeFile(HOST_PATHS.logrotate, LOGROTATE),
          ...delivery.logShipping.files.map((f) => writeFile(f.path, f.content, f.permissions)),
        ]
      : []),
  ];
  const services: string[] = [];
  if (command) {
    if (o.registry) files.push(writeFile(HOST_PATHS.registryLogin, registryLoginScript(o.registry, delivery), "0700"));
    files.push(
      writeFile(HOST_PATHS.pull, pullScript(), "0700"),
      writeFile(HOST_PATHS.releaseScript, RELEASE_PY),
      writeFile(HOST_PATHS.release, releaseWrapper(), "0700"),
      writeFile(HOST_PATHS.appUnit, appUnit(o, command, shipped)),
    );
    services.push("cloudtiers-app.service");
  }
  if (nginx) {
    files.push(writeFile(HOST_PATHS.proxySnippet, NGINX_PROXY_SNIPPET), writeFile(HOST_PATHS.nginxSite, renderNginxSite(o)));
    if (o.layout === "split") {
      files.push(writeFile(HOST_PATHS.upstreamWrapper, upstreamWrapper(), "0700"), writeFile(HOST_PATHS.upstreamUnit, upstreamUnit()));
      services.push("cloudtiers-nginx-upstream.service");
    }
    if (o.layout === "nginx-balanced") {
      if (!o.appDiscovery) throw new Error("nginx-balanced web hosts need the app pool's discovery (HostRenderOptions.appDiscovery)");
      files.push(
        writeFile(HOST_PATHS.appHostsList, o.appDiscovery.listScript, "0700"),
        writeFile(HOST_PATHS.appHosts, appHostsScript(o), "0700"),
        writeFile(HOST_PATHS.appHostsUnit, appHostsUnit()),
        writeFile(HOST_PATHS.appHostsTimer, appHostsTimer()),
      );
      services.push("cloudtiers-app-hosts.service", "cloudtiers-app-hosts.timer");
    }
  }
  if (delivery.lifecycle) {
    // Stopped before the pool terminates the host: the application, or nginx on split web hosts.
    const work = command ? ["cloudtiers-app.service"] : ["nginx.service"];
    files.push(
      writeFile(HOST_PATHS.lifecycle, delivery.lifecycle, "0700"),
      writeFile(HOST_PATHS.ready, readyScript(o), "0700"),
      writeFile(HOST_PATHS.readyUnit, readyUnit()),
      writeFile(HOST_PATHS.drain, drainScript(work, drainDelaySeconds(o)), "0700"),
      writeFile(HOST_PATHS.drainUnit, drainUnit(stopSeconds(o) + drainDelaySeconds(o))),
    );
    services.push("cloudtiers-ready.service", "cloudtiers-drain.service");
  }
  files.push(writeFile(HOST_PATHS.bootstrap, bootstrapScript(o, delivery, access, services), "0700"));
  const doc = {
    users: ["default"],
    ssh_pwauth: false,
    // Root keeps the cloud's keys where the image logs in as root (DigitalOcean); sshd allows keys only.
    disable_root: false,
    write_files: files,
    runcmd: [
      ["systemctl", "daemon-reload"],
      ["systemctl", "start", "--no-block", "cloudtiers-bootstrap.service"],
    ],
  };
  return cloudConfig(doc);
}
