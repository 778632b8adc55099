import { readFileSync, writeFileSync } from "node:fs";
import { NO_LIFECYCLE_ACTION, awsHostDelivery } from "../../modules/aws/host-delivery";
import { AppConfiguration, HostConfigDelivery } from "../../modules/core";
import { inlineHostDelivery } from "../../modules/digitalocean/host-delivery";
import { HOST_PATHS, HOST_RECOVERY, HostRenderOptions, giveUpSeconds, readyCheck, renderUserData } from "../../modules/django/host";
import { application } from "../../environments/defaults";
import { HostRoot } from "./host-root";

/*
 * The hosts' own scripts, as their user data writes them, run against stubbed commands
 * (apt-get, snap, systemctl, docker, aws, the metadata service): retries, the first boot,
 * the registry login, the configuration fetch and the report of a host that gave up.
 */

const ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
/** The content id Docker gives the pulled image: one release. */
const RELEASE_ID = "sha256:5f1e0c7a9b2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f";
const base: HostRenderOptions = { role: "web", layout: "colocated", size: "small", application, domain: "www.example.com", healthCheckPath: "/healthz", allowFrom: ["10.0.0.0/16"] };

/** The metadata service of an instance in eu-west-1, through curl (IMDSv2: a token first). */
const IMDS = `case "$*" in
  *"-X PUT"*api/token*) echo token-1 ;;
  *"X-aws-ec2-metadata-token: token-1"*meta-data/placement/region*) echo eu-west-1 ;;
  *"X-aws-ec2-metadata-token: token-1"*meta-data/instance-id*) echo i-0abc123 ;;
  *) echo "curl stub: unexpected $*" >&2; exit 22 ;;
esac`;

function host(options: Partial<HostRenderOptions>, delivery: HostConfigDelivery): HostRoot {
  return new HostRoot(renderUserData({ ...base, ...options }, delivery));
}

const roots: HostRoot[] = [];
function track(root: HostRoot): HostRoot {
  roots.push(root);
  return root;
}
afterAll(() => roots.forEach((r) => r.remove()));

describe("cloudtiers-retry", () => {
  const root = track(host({}, awsHostDelivery("/shop/web/environment")));

  it("tries a failing command again until it succeeds, saying so", () => {
    root.stub("flaky", 'n=$(cat "$STATE/flaky" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > "$STATE/flaky"; [ $n -ge 3 ]');
    const run = root.run(HOST_PATHS.retry, ["5", "flaky", "--now"]);
    expect(run.status).toBe(0);
    expect(root.calls()).toEqual(["flaky --now", "flaky --now", "flaky --now"]);
    expect(run.stderr).toBe("cloudtiers-retry: flaky failed (status 1), try 1 of 5; again in 0s\ncloudtiers-retry: flaky failed (status 1), try 2 of 5; again in 0s\n");
  });

  it("gives up after the attempts it was given, with the command's own status", () => {
    root.clearCalls();
    root.stub("broken", "exit 7");
    const run = root.run(HOST_PATHS.retry, ["4", "broken"]);
    expect(run.status).toBe(7);
    expect(root.calls()).toHaveLength(4);
    expect(run.stderr).toMatch(/cloudtiers-retry: broken failed 4 times \(last status 7\); giving up\n$/);
  });

  it("waits 5, 10, 20, 40 seconds between tries, 60 at most", () => {
    const waits: number[] = [];
    let delay: number = HOST_RECOVERY.firstDelaySeconds;
    for (let i = 0; i < 6; i++, delay = Math.min(delay * 2, HOST_RECOVERY.maxDelaySeconds)) waits.push(delay);
    expect(waits).toEqual([5, 10, 20, 40, 60, 60]);
    root.clearCalls();
    root.stub("sleep", "exit 0");
    root.run(HOST_PATHS.retry, ["6", "broken"], { CLOUDTIERS_RETRY_DELAY: "5" });
    expect(root.calls().filter((c) => c.startsWith("sleep "))).toEqual(["sleep 5", "sleep 10", "sleep 20", "sleep 40", "sleep 60"]);
  });
});

describe("the first boot (cloudtiers-bootstrap)", () => {
  const stubs = (root: HostRoot, apt: string) => {
    root.stub("apt-get", apt);
    for (const name of ["snap", "ufw", "systemctl"]) root.stub(name);
  };

  it("installs the packages and the cloud's tools, retrying what fails, then sets up the firewall and starts the services", () => {
    const root = track(host({ registry: { login: "cloud", server: ECR } }, awsHostDelivery("/shop/web/environment")));
    // The package index fails twice (a mirror's hiccup), then works.
    stubs(root, 'case "$*" in *update*) n=$(cat "$STATE/update" 2>/dev/null || echo 0); echo $((n + 1)) > "$STATE/update"; [ $n -ge 2 ];; esac');
    const run = root.run(HOST_PATHS.bootstrap);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: expect.stringContaining("apt-get failed (status 1), try 2 of 5") });
    const apt = "apt-get -q -o DPkg::Lock::Timeout=600";
    expect(root.calls()).toEqual([
      `${apt} update --error-on=any`,
      `${apt} update --error-on=any`,
      `${apt} update --error-on=any`,
      `${apt} install -y curl docker.io fail2ban jq nginx python3-systemd snapd ufw unattended-upgrades`,
      "snap wait system seed.loaded",
      "snap install aws-cli --classic",
      "ufw default deny incoming",
      "ufw default allow outgoing",
      "ufw allow proto tcp from 10.0.0.0/16 to any port 80",
      "ufw --force enable",
      "systemctl daemon-reload",
      "systemctl restart systemd-journald.service ssh.service docker.service",
      "systemctl enable --now fail2ban.service",
      "systemctl enable cloudtiers-app.service",
      "systemctl start --no-block cloudtiers-app.service",
      "systemctl restart nginx.service",
    ]);
  });

  it("fails, starting nothing, when a download still fails after every retry", () => {
    const root = track(host({ role: "worker" }, inlineHostDelivery({ settings: [], secrets: [] })));
    stubs(root, 'case "$*" in *update*) exit 100;; esac');
    const run = root.run(HOST_PATHS.bootstrap);
    expect(run.status).toBe(100);
    expect(root.calls()).toEqual(Array(HOST_RECOVERY.attempts).fill("apt-get -q -o DPkg::Lock::Timeout=600 update --error-on=any"));
  });
});

describe("a host that gives up reports itself unhealthy (cloudtiers-unhealthy)", () => {
  /** A host whose units systemd reports as `Restart=<restart>` with `Result=<result>`. */
  const scenario = (delivery: HostConfigDelivery, restart: string, result: string, aws = "exit 0") => {
    const root = track(host({ role: "worker" }, delivery));
    root.stub("systemctl", `case "$*" in
  "show --property=Restart --value "*) echo ${restart} ;;
  "show --property=Result --value "*) echo ${result} ;;
esac`);
    root.stub("curl", IMDS);
    root.stub("/snap/bin/aws", aws);
    const run = root.run(HOST_PATHS.unhealthy, ["cloudtiers-app.service"]);
    return { run, calls: root.calls().filter((c) => !c.startsWith("curl ") && !c.startsWith("systemctl show")) };
  };
  const aws = awsHostDelivery("/shop/worker/environment");
  const digitalocean = inlineHostDelivery({ settings: [], secrets: [] });
  const setHealth = "aws autoscaling set-instance-health --region eu-west-1 --instance-id i-0abc123 --health-status Unhealthy --no-should-respect-grace-period";

  it("leaves a crash systemd restarts alone", () => {
    expect(scenario(aws, "always", "exit-code")).toEqual({ run: expect.objectContaining({ status: 0 }), calls: [] });
    expect(scenario(digitalocean, "always", "exit-code").calls).toEqual([]);
  });

  it("on AWS marks the instance unhealthy in its group, past the grace period, when the application hit its start limit or the first boot failed", () => {
    for (const [restart, result] of [["always", "start-limit-hit"], ["no", "exit-code"], ["on-failure", "start-limit-hit"]]) {
      const { run, calls } = scenario(aws, restart, result);
      expect({ restart, result, status: run.status, calls }).toEqual({ restart, result, status: 0, calls: [setHealth] });
      expect(run.stderr).toContain(`cloudtiers-app.service gave up (${result}); this host cannot do its work`);
    }
  });

  it("on AWS powers off when it cannot reach the autoscaling API, after retrying", () => {
    const { calls, run } = scenario(aws, "always", "start-limit-hit", "exit 255");
    expect(calls).toEqual([setHealth, setHealth, setHealth, "systemctl poweroff"]);
    expect(run.stderr).toContain("could not report it; powering off, which the pool sees as a failed machine");
  });

  it("on DigitalOcean, which has no such call, powers off", () => {
    expect(scenario(digitalocean, "always", "start-limit-hit").calls).toEqual(["systemctl poweroff"]);
  });

  it("gives up within a bounded time: the start limit outlasts its starts, so it always trips", () => {
    const r = HOST_RECOVERY;
    expect(r.startLimitIntervalSeconds).toBeGreaterThan(r.startBurst * (r.startTimeoutSeconds + r.restartSeconds));
    expect(giveUpSeconds()).toBe(r.bootstrapTimeoutSeconds + r.startBurst * (r.startTimeoutSeconds + r.restartSeconds));
    const root = track(host({}, aws));
    const unit = root.file(HOST_PATHS.appUnit);
    expect(unit).toContain(`StartLimitIntervalSec=${r.startLimitIntervalSeconds}\nStartLimitBurst=${r.startBurst}\nOnFailure=cloudtiers-unhealthy@%n.service\n`);
    expect(unit).toContain(`Restart=always\nRestartSec=${r.restartSeconds}\nTimeoutStartSec=${r.startTimeoutSeconds}\n`);
    expect(root.file(HOST_PATHS.bootstrapUnit)).toContain("OnFailure=cloudtiers-unhealthy@%n.service");
  });
});

describe("joining and leaving the pool (AWS lifecycle hooks: cloudtiers-lifecycle, cloudtiers-ready, cloudtiers-drain)", () => {
  const GROUP = "shop-production-worker";
  /** The metadata service, the instance's target lifecycle state read from $STATE/target (InService until a test says otherwise). */
  const LIFECYCLE_IMDS = `case "$*" in
  *"-X PUT"*api/token*) echo token-1 ;;
  *"X-aws-ec2-metadata-token: token-1"*meta-data/placement/region*) echo eu-west-1 ;;
  *"X-aws-ec2-metadata-token: token-1"*meta-data/instance-id*) echo i-0abc123 ;;
  *"X-aws-ec2-metadata-token: token-1"*meta-data/autoscaling/target-lifecycle-state*) cat "$STATE/target" 2>/dev/null || echo InService ;;
  *) echo "curl stub: unexpected $*" >&2; exit 22 ;;
esac`;
  const complete = (hook: string, result: string) =>
    `aws autoscaling complete-lifecycle-action --region eu-west-1 --auto-scaling-group-name ${GROUP} --lifecycle-hook-name ${hook} --instance-id i-0abc123 --lifecycle-action-result ${result}`;
  const awsCalls = (root: HostRoot) => root.calls().filter((c) => c.startsWith("aws ") || c.startsWith("systemctl ") || c.startsWith("docker "));
  function lifecycleHost(options: Partial<HostRenderOptions>, aws = "exit 0"): HostRoot {
    const root = track(host(options, awsHostDelivery("/shop/worker/environment", GROUP)));
    root.stub("curl", LIFECYCLE_IMDS);
    root.stub("/snap/bin/aws", aws);
    root.stub("sleep", 'if [ -f "$STATE/terminate-after-sleep" ]; then echo Terminated > "$STATE/target"; fi');
    return root;
  }

  it("completes the launch hook with CONTINUE once ready, ABANDON when the host gave up, and the termination hook once stopped", () => {
    const root = lifecycleHost({ role: "worker" });
    for (const action of ["ready", "abandon", "terminated"]) expect(root.run(HOST_PATHS.lifecycle, [action]).status).toBe(0);
    expect(awsCalls(root)).toEqual([complete("cloudtiers-launch", "CONTINUE"), complete("cloudtiers-launch", "ABANDON"), complete("cloudtiers-terminate", "CONTINUE")]);
  });

  it("is content when no action is pending (a host the group launched before its hook existed), and fails on any other error", () => {
    const none = lifecycleHost({ role: "worker" }, `echo "An error occurred (ValidationError) when calling the CompleteLifecycleAction operation: ${NO_LIFECYCLE_ACTION} with instance ID i-0abc123" >&2; exit 254`);
    const run = none.run(HOST_PATHS.lifecycle, ["ready"]);
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 0, stdout: "cloudtiers-lifecycle: cloudtiers-launch: no action pending for this instance\n" });
    const denied = lifecycleHost({ role: "worker" }, 'echo "An error occurred (AccessDenied) when calling the CompleteLifecycleAction operation" >&2; exit 254');
    const failed = denied.run(HOST_PATHS.lifecycle, ["ready"]);
    expect({ status: failed.status, stderr: failed.stderr }).toEqual({ status: 1, stderr: expect.stringContaining("AccessDenied") });
    expect(denied.run(HOST_PATHS.lifecycle, ["restart"]).status).toBe(2);
  });

  it("looks for the termination action for a while: the target state turns Terminated while a load balancer still drains the instance", () => {
    const noAction = `echo "An error occurred (ValidationError) when calling the CompleteLifecycleAction operation: ${NO_LIFECYCLE_ACTION} with instance ID i-0abc123" >&2; exit 254`;
    const root = lifecycleHost({ role: "web" }, `n=$(cat "$STATE/tries" 2>/dev/null || echo 0); echo $((n + 1)) > "$STATE/tries"; if [ $n -lt 3 ]; then ${noAction}; fi`);
    const run = root.run(HOST_PATHS.lifecycle, ["terminated"]);
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 0, stdout: "cloudtiers-lifecycle: cloudtiers-terminate: CONTINUE\n" });
    expect(root.calls().filter((c) => c.startsWith("sleep "))).toEqual(["sleep 5", "sleep 5", "sleep 5"]);
    // Never there: it gives up after 60 looks, 5 minutes, and lets the instance go.
    const never = lifecycleHost({ role: "web" }, noAction);
    expect(never.run(HOST_PATHS.lifecycle, ["terminated"]).stdout).toBe("cloudtiers-lifecycle: cloudtiers-terminate: no action pending for this instance\n");
    expect(never.calls().filter((c) => c.startsWith("aws "))).toHaveLength(60);
  });

  it("tells the pool only once the role's check passes (here the third try), and gives up, telling nothing, when it never does", () => {
    const root = lifecycleHost({ role: "app", layout: "split" });
    root.stub("curl", `case "$*" in *127.0.0.1:8000/healthz*) n=$(cat "$STATE/probe" 2>/dev/null || echo 0); echo $((n + 1)) > "$STATE/probe"; [ $n -ge 2 ]; exit ;; esac\n${LIFECYCLE_IMDS}`);
    root.stub("/snap/bin/aws");
    const ready = root.run(HOST_PATHS.ready);
    expect(ready.status).toBe(0);
    expect(root.calls().filter((c) => c.includes("127.0.0.1:8000"))).toEqual(Array(3).fill("curl -fsS -o /dev/null --max-time 5 -H Host: www.example.com http://127.0.0.1:8000/healthz"));
    expect(ready.stdout).toContain("cloudtiers-ready: ready after 10s");
    expect(awsCalls(root).filter((c) => c.startsWith("aws "))).toEqual([complete("cloudtiers-launch", "CONTINUE")]);

    const never = lifecycleHost({ role: "app", layout: "split" });
    never.stub("curl", `case "$*" in *127.0.0.1:8000*) exit 7 ;; esac\n${LIFECYCLE_IMDS}`);
    const gaveUp = never.run(HOST_PATHS.ready);
    expect(gaveUp.status).toBe(1);
    expect(gaveUp.stderr).toBe(`cloudtiers-ready: not ready after ${HOST_RECOVERY.readySeconds}s; giving up\n`);
    expect(never.calls().filter((c) => c.startsWith("aws "))).toEqual([]);
  });

  it("on a host that gave up, abandons the launch before it reports itself unhealthy", () => {
    const root = lifecycleHost({ role: "worker" });
    root.stub("systemctl", `case "$*" in
  "show --property=Restart --value "*) echo always ;;
  "show --property=Result --value "*) echo start-limit-hit ;;
esac`);
    expect(root.run(HOST_PATHS.unhealthy, ["cloudtiers-app.service"]).status).toBe(0);
    expect(awsCalls(root).filter((c) => !c.startsWith("systemctl show"))).toEqual([
      complete("cloudtiers-launch", "ABANDON"),
      "aws autoscaling set-instance-health --region eu-west-1 --instance-id i-0abc123 --health-status Unhealthy --no-should-respect-grace-period",
    ]);
  });

  it("stops a worker (its warm shutdown) only once the group terminates the host, then lets the termination go on", () => {
    const root = lifecycleHost({ role: "worker", workerStopSeconds: 900 });
    root.stub("systemctl");
    // In service for a while: the metadata says Terminated after the first wait.
    writeFileSync(root.path("state/terminate-after-sleep"), "");
    const run = root.run(HOST_PATHS.drain);
    expect(run.status).toBe(0);
    expect(root.calls().filter((c) => c.startsWith("sleep ") || c.startsWith("systemctl ") || c.startsWith("aws "))).toEqual([
      "sleep 5",
      "systemctl stop cloudtiers-app.service",
      complete("cloudtiers-terminate", "CONTINUE"),
    ]);
    expect(root.file(HOST_PATHS.appUnit)).toContain("ExecStop=/usr/bin/docker stop --time 900 cloudtiers-app\nTimeoutStopSec=930\n");
  });

  it("checks each role as its load balancer or broker would", () => {
    const check = (o: Partial<HostRenderOptions>) => readyCheck({ ...base, ...o });
    expect(check({ role: "web", layout: "colocated" })).toBe("curl -fsS -o /dev/null --max-time 5 -H 'Host: www.example.com' 'http://127.0.0.1:80/healthz'");
    // Split web hosts: nginx answering at all; their health path goes through the app tier.
    expect(check({ role: "web", layout: "split" })).toBe("curl -sS -o /dev/null --max-time 5 -H 'Host: www.example.com' 'http://127.0.0.1:80/healthz'");
    expect(check({ role: "worker" })).toBe(`docker exec cloudtiers-app celery -A 'shop' inspect ping --destination "celery@$(hostname)" --timeout 10 > /dev/null`);
    expect(check({ role: "beat" })).toBe(`[ "$(docker inspect --format '{{.State.Running}}' cloudtiers-app 2>/dev/null)" = true ]`);
  });

  it("has no part in a pool without lifecycle hooks (DigitalOcean)", () => {
    const root = track(host({ role: "worker" }, inlineHostDelivery({ settings: [], secrets: [] })));
    expect(() => root.file(HOST_PATHS.lifecycle)).toThrow();
    expect(() => root.file(HOST_PATHS.readyUnit)).toThrow();
    expect(root.file(HOST_PATHS.unhealthy)).not.toContain("abandon");
  });
});

describe("the registry login (cloudtiers-registry-login)", () => {
  const docker = 'case "$1" in login) cat > "$STATE/login.stdin";; esac';

  it("logs in with the host's own user name and password, the password on standard input only", () => {
    const password = "ghp_Sentinel0123456789abcdefABCDEF0123";
    const root = track(host({ registry: { login: "password", server: "ghcr.io" } }, inlineHostDelivery({ settings: [], secrets: [] })));
    root.stub("docker", docker);
    root.write(HOST_PATHS.hostEnvFile, `REGISTRY_USERNAME=acme-bot\nREGISTRY_PASSWORD=${password}\n`, 0o600);
    const run = root.run(HOST_PATHS.registryLogin);
    expect(run.status).toBe(0);
    expect(root.calls()).toEqual(["docker login --username acme-bot --password-stdin ghcr.io"]);
    expect(readFileSync(root.path("state/login.stdin"), "utf8")).toBe(password);
    expect(root.calls().join("\n")).not.toContain(password);
  });

  it("refuses to log in without a password", () => {
    const root = track(host({ registry: { login: "password", server: "ghcr.io" } }, inlineHostDelivery({ settings: [], secrets: [] })));
    root.stub("docker", docker);
    root.write(HOST_PATHS.hostEnvFile, "REGISTRY_USERNAME=acme-bot\n", 0o600);
    const run = root.run(HOST_PATHS.registryLogin);
    expect({ status: run.status, stderr: run.stderr, calls: root.calls() }).toEqual({ status: 1, stderr: `REGISTRY_USERNAME or REGISTRY_PASSWORD is missing from ${root.path(HOST_PATHS.hostEnvFile)}\n`, calls: [] });
  });

  it("logs in to ECR with the instance role's token, for the registry's region", () => {
    const root = track(host({ registry: { login: "cloud", server: ECR } }, awsHostDelivery("/shop/web/environment")));
    root.stub("docker", docker);
    root.stub("/snap/bin/aws", "echo ecr-token-from-role");
    expect(root.run(HOST_PATHS.registryLogin).status).toBe(0);
    expect(root.calls()).toEqual(["aws ecr get-login-password --region eu-west-1", `docker login --username AWS --password-stdin ${ECR}`]);
    expect(readFileSync(root.path("state/login.stdin"), "utf8")).toBe("ecr-token-from-role");
  });

  it("cannot log in with a cloud identity on DigitalOcean, whose hosts have none", () => {
    expect(() => renderUserData({ ...base, registry: { login: "cloud", server: ECR } }, inlineHostDelivery({ settings: [], secrets: [] }))).toThrow(
      `this cloud's hosts have no identity to log in to ${ECR} with: give application.registry a user name and password`,
    );
  });
});

describe("the configuration fetch", () => {
  const APP = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/application-AbC123";
  const DB = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/postgres/credentials-XyZ789";
  const REGISTRY = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/registry-QwE456";
  const configuration: AppConfiguration = {
    settings: [
      { name: "DJANGO_ALLOWED_HOSTS", value: "www.example.com" },
      { name: "GREETING", value: "Hello, world" },
    ],
    secrets: [
      { name: "DATABASE_PASSWORD", secret: { store: "aws-secrets-manager", id: DB, jsonKey: "password" } },
      { name: "DJANGO_SECRET_KEY", secret: { store: "aws-secrets-manager", id: APP, jsonKey: "DJANGO_SECRET_KEY" } },
      { name: "STRIPE_API_KEY", secret: { store: "aws-secrets-manager", id: APP, jsonKey: "STRIPE_API_KEY" } },
    ],
    host: { settings: [{ name: "REGISTRY_USERNAME", value: "acme-bot" }], secrets: [{ name: "REGISTRY_PASSWORD", secret: { store: "aws-secrets-manager", id: REGISTRY } }] },
  };
  const values: Record<string, string> = {
    [APP]: '{"DJANGO_SECRET_KEY":"k3y-value","STRIPE_API_KEY":"sk_live_value"}',
    [DB]: '{"username":"app","password":"p@ss w:rd"}',
    [REGISTRY]: "registry-token",
  };

  it("on AWS reads the parameter, then each secret once, into the application's and the host's files", async () => {
    const { environmentDocument } = await import("../../modules/aws/host-delivery");
    const root = track(host({}, awsHostDelivery("/shop/web/environment")));
    root.stub("curl", IMDS);
    const answers = Object.entries(values).map(([arn, value]) => `  *"--secret-id ${arn} "*) printf '%s\\n' '${value}' ;;`);
    root.stub("/snap/bin/aws", `case "$*" in
  "ssm get-parameter --region eu-west-1 --name /shop/web/environment --query Parameter.Value --output text") printf '%s\\n' '${environmentDocument(configuration)}' ;;
${answers.join("\n")}
  *) echo "aws stub: unexpected $*" >&2; exit 254 ;;
esac`);
    const run = root.run(HOST_PATHS.fetchScript, [root.path("run/app.env"), root.path("run/host.env")]);
    expect(run).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(readFileSync(root.path("run/app.env"), "utf8")).toBe(
      "DJANGO_ALLOWED_HOSTS=www.example.com\nGREETING=Hello, world\nDJANGO_SECRET_KEY=k3y-value\nSTRIPE_API_KEY=sk_live_value\nDATABASE_PASSWORD=p@ss w:rd\n",
    );
    expect(readFileSync(root.path("run/host.env"), "utf8")).toBe("REGISTRY_USERNAME=acme-bot\nREGISTRY_PASSWORD=registry-token\n");
    const reads = root.calls().filter((c) => c.startsWith("aws secretsmanager"));
    expect(reads.map((c) => c.split(" ")[6]).sort()).toEqual([APP, DB, REGISTRY].sort());
    // No value ever passes through a command's arguments.
    for (const value of ["k3y-value", "sk_live_value", "p@ss w:rd", "registry-token"]) expect(root.calls().join("\n")).not.toContain(value);
  });

  it("on AWS fails, rather than writing an empty value, when a secret lacks the key named", async () => {
    const { environmentDocument } = await import("../../modules/aws/host-delivery");
    const root = track(host({}, awsHostDelivery("/shop/web/environment")));
    root.stub("curl", IMDS);
    const doc = environmentDocument({ settings: [], secrets: [{ name: "DJANGO_SECRET_KEY", secret: { store: "aws-secrets-manager", id: APP, jsonKey: "DJANGO_SECRET_KEY" } }] });
    root.stub("/snap/bin/aws", `case "$1" in ssm) printf '%s\\n' '${doc}' ;; *) echo '{"OTHER":"x"}' ;; esac`);
    const run = root.run(HOST_PATHS.fetchScript, [root.path("run/app.env"), root.path("run/host.env")]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("DJANGO_SECRET_KEY: the secret has no key DJANGO_SECRET_KEY");
  });

  it("on DigitalOcean writes both files from the user data, and closes the metadata service to regular users", () => {
    const inline: AppConfiguration = {
      settings: configuration.settings,
      secrets: [{ name: "DATABASE_PASSWORD", secret: { store: "terraform-state", id: "p@ss w:rd" } }],
      host: { settings: [{ name: "REGISTRY_USERNAME", value: "acme-bot" }], secrets: [{ name: "REGISTRY_PASSWORD", secret: { store: "terraform-state", id: "registry-token" } }] },
    };
    const root = track(host({}, inlineHostDelivery(inline)));
    root.stub("iptables", 'case "$1" in -C) exit 1;; esac');
    const run = root.run(HOST_PATHS.fetchScript, [root.path("run/app.env"), root.path("run/host.env")]);
    expect(run).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(readFileSync(root.path("run/app.env"), "utf8")).toBe("DJANGO_ALLOWED_HOSTS=www.example.com\nGREETING=Hello, world\nDATABASE_PASSWORD=p@ss w:rd\n");
    expect(readFileSync(root.path("run/host.env"), "utf8")).toBe("REGISTRY_USERNAME=acme-bot\nREGISTRY_PASSWORD=registry-token\n");
    expect(root.calls()[1]).toBe("iptables -I OUTPUT -d 169.254.169.254 -p tcp -m owner --uid-owner 1000-4294967294 -j REJECT");
  });
});

describe("a start of the application, step by step as systemd runs the unit", () => {
  /**
   * An AWS web host pulling from ECR whose stubs fail as told: `ssm` the parameter reads,
   * `pull` the image pulls, `release` the release steps (counted from the first); `local`:
   * the image is already on the host.
   */
  function awsHost(failures: { ssm?: number; pull?: number; release?: number }, local = false) {
    const root = track(host({ registry: { login: "cloud", server: ECR } }, awsHostDelivery("/shop/web/environment")));
    root.stub("curl", IMDS);
    root.stub("hostname", "echo 10.0.1.7");
    const failing = (name: string, times: number) => `n=$(cat "$STATE/${name}" 2>/dev/null || echo 0); echo $((n + 1)) > "$STATE/${name}"; if [ $n -lt ${times} ]; then echo "${name} failed" >&2; exit 1; fi`;
    root.stub("/snap/bin/aws", `case "$1" in
  ssm) ${failing("ssm", failures.ssm ?? 0)}; printf '%s\\n' '{"settings":{"DJANGO_ALLOWED_HOSTS":"www.example.com"},"secrets":{}}' ;;
  ecr) echo ecr-token ;;
esac`);
    root.stub("docker", `case "$1" in
  pull) ${failing("pull", failures.pull ?? 0)} ;;
  login) cat > /dev/null ;;
  image) case "$3" in --format) echo ${RELEASE_ID} ;; *) ${local ? "exit 0" : "exit 1"} ;; esac ;;
  run) case "$*" in *" release "*) ${failing("release", failures.release ?? 0)} ;; esac ;;
esac`);
    return root;
  }

  /** The release step's container, as the unit runs it on a web host. */
  const releaseRun = (root: HostRoot) =>
    `docker run --rm --network host --env-file ${root.path(HOST_PATHS.envFile)} --volume ${root.path(HOST_PATHS.releaseScript)}:${root.path(HOST_PATHS.releaseScript)}:ro ${application.image} python3 ${root.path(HOST_PATHS.releaseScript)} release --release ${RELEASE_ID} --image ${application.image} --collectstatic`;

  it("rides out a configuration store that fails twice, then logs in, pulls and runs the image", () => {
    const root = awsHost({ ssm: 2 });
    const run = root.start(HOST_PATHS.appUnit);
    expect(run.status).toBe(0);
    expect(root.calls().filter((c) => !c.startsWith("curl ") && !c.startsWith("hostname"))).toEqual([
      "aws ssm get-parameter --region eu-west-1 --name /shop/web/environment --query Parameter.Value --output text",
      "aws ssm get-parameter --region eu-west-1 --name /shop/web/environment --query Parameter.Value --output text",
      "aws ssm get-parameter --region eu-west-1 --name /shop/web/environment --query Parameter.Value --output text",
      "docker rm --force cloudtiers-app",
      "aws ecr get-login-password --region eu-west-1",
      `docker login --username AWS --password-stdin ${ECR}`,
      `docker pull ${application.image}`,
      `docker image inspect --format {{.Id}} ${application.image}`,
      releaseRun(root),
      expect.stringMatching(new RegExp(`^docker run --rm --name cloudtiers-app --network host --env-file ${root.path(HOST_PATHS.envFile)} --log-driver journald ${application.image} gunicorn `)),
    ]);
    expect(readFileSync(root.path(HOST_PATHS.envFile), "utf8")).toBe("DJANGO_ALLOWED_HOSTS=www.example.com,10.0.1.7\n");
  });

  it("never runs the image when the release step fails (a migration that fails), and runs the step again at the next start", () => {
    const root = awsHost({ release: 1 });
    const run = root.start(HOST_PATHS.appUnit);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("release failed");
    expect(root.calls().filter((c) => c.startsWith("docker run"))).toEqual([releaseRun(root)]);
    root.clearCalls();
    expect(root.start(HOST_PATHS.appUnit).status).toBe(0);
    expect(root.calls().filter((c) => c.startsWith("docker run"))).toEqual([releaseRun(root), expect.stringContaining(" gunicorn ")]);
  });

  it("fails the start, the image never run, when the pull fails every retry and the host has no copy of the image", () => {
    const root = awsHost({ pull: 99 });
    const run = root.start(HOST_PATHS.appUnit);
    expect(run.status).not.toBe(0);
    const calls = root.calls();
    expect(calls.filter((c) => c.startsWith("docker pull"))).toHaveLength(HOST_RECOVERY.attempts);
    expect(calls.some((c) => c.startsWith("docker run"))).toBe(false);
    expect(run.stderr).toContain(`cloudtiers-retry: docker failed ${HOST_RECOVERY.attempts} times (last status 1); giving up`);
  });

  it("restarts with the copy of the image already on the host, and the previous environment, while the registry and the configuration store are down", () => {
    const root = awsHost({}, true);
    expect(root.start(HOST_PATHS.appUnit).status).toBe(0);
    // Both outages at once: the next start reuses what the first one fetched and pulled.
    root.stub("/snap/bin/aws", 'echo "could not connect to the endpoint" >&2; exit 255');
    root.stub("docker", `case "$1" in pull) echo "registry unavailable" >&2; exit 1;; image) echo ${RELEASE_ID};; esac`);
    root.clearCalls();
    const restart = root.start(HOST_PATHS.appUnit);
    expect(restart.status).toBe(0);
    expect(restart.stderr).toContain("cloudtiers-env: the configuration could not be fetched; starting with the previous start's");
    expect(restart.stderr).toContain(`cloudtiers-pull: ${application.image} could not be pulled; starting with the copy already on this host`);
    // The release was done at the first start: a restart needs neither the database nor the step.
    expect(restart.stdout).toContain(`cloudtiers-release: ${application.image} (${RELEASE_ID}) is released already`);
    expect(root.calls().filter((c) => c.startsWith("docker run"))).toEqual([expect.stringContaining(" gunicorn ")]);
    expect(readFileSync(root.path(HOST_PATHS.envFile), "utf8")).toBe("DJANGO_ALLOWED_HOSTS=www.example.com,10.0.1.7\n");
  });
});
