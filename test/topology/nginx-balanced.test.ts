import { parse } from "yaml";
import { production } from "../../environments/production";
import { APP_DISCOVERY, HOST_PATHS } from "../../modules/django/host";
import { READ_TOKEN } from "../../modules/digitalocean/compute-pool";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { Synth, decodeUserData, dropletUserData, ref, synthAwsEnvironment, synthDoEnvironment } from "../helpers";

/*
 * The nginx-balanced layout as each cloud builds it, from a spec of its own (production's,
 * with the layout), whatever layout the shipped environments choose: no internal load
 * balancer; the web hosts run nginx only and list the app hosts with the least the cloud
 * allows; the app hosts admit the web hosts on gunicorn's port and nothing else.
 */

const spec: EnvironmentSpec = { ...production, layout: "nginx-balanced", pools: { ...production.pools, app: production.pools.app ?? { size: "medium", min: 2, max: 4 } } };
const files = (userData: string): Record<string, string> => Object.fromEntries((parse(userData).write_files as { path: string; content: string }[]).map((f) => [f.path, f.content]));

describe("the nginx-balanced layout on AWS", () => {
  let s: Synth;
  beforeAll(() => {
    s = synthAwsEnvironment(spec);
  });
  const web = () => files(decodeUserData(s.one("aws_launch_template", "web-pool")));
  const app = () => files(decodeUserData(s.one("aws_launch_template", "app-pool")));

  it("has no internal load balancer: the app group is registered with none, and replaced on the machine's health only", () => {
    expect(s.where("aws_lb")).toHaveLength(1);
    expect(s.one("aws_autoscaling_group", "app-pool")).toMatchObject({ health_check_type: "EC2" });
    expect(s.one("aws_autoscaling_group", "app-pool").target_group_arns).toBeUndefined();
    // The web hosts' health path answers through the app tier: an app outage takes them out of rotation, never replaces them.
    expect(s.one("aws_autoscaling_group", "web-pool")).toMatchObject({ health_check_type: "EC2" });
  });

  it("admits the web hosts, and only them, to the app hosts' gunicorn", () => {
    const sg = (path: string) => ref(s.address("aws_security_group", path), "id");
    const toApp = s.where("aws_vpc_security_group_ingress_rule").filter((r) => r.security_group_id === sg("app-pool"));
    expect(toApp.map((r) => [r.referenced_security_group_id, r.from_port, r.to_port])).toEqual([[sg("web-pool"), 8000, 8000]]);
  });

  it("lets the web hosts' role read the app group's hosts and nothing more, and no other role", () => {
    const discover = s.entries("aws_iam_role_policy").filter(([, p]) => JSON.parse(p.policy).Statement.some((st: { Sid: string }) => st.Sid === "ListHosts"));
    expect(discover.map(([, p]) => [p.role, JSON.parse(p.policy)])).toEqual([
      [
        ref(s.address("aws_iam_role", "web-pool"), "id"),
        { Version: "2012-10-17", Statement: [{ Sid: "ListHosts", Effect: "Allow", Action: ["autoscaling:DescribeAutoScalingGroups", "ec2:DescribeInstances"], Resource: ["*"] }] },
      ],
    ]);
  });

  it("gives the web hosts no Django setting or secret: they run nginx only", () => {
    const doc = JSON.parse(s.one("aws_ssm_parameter", "web-pool").value);
    expect(doc).toEqual({ settings: {}, secrets: {} });
    expect(s.one("aws_iam_role_policy", "web-pool/read-environment").policy).not.toContain("secretsmanager");
    expect(web()[HOST_PATHS.appUnit]).toBeUndefined();
  });

  it("makes the web hosts follow the app group every interval, and point nginx at what they find", () => {
    const w = web();
    expect(w[HOST_PATHS.appHostsList]).toContain(`--auto-scaling-group-names 'shop-production-app'`);
    expect(w[HOST_PATHS.appHostsTimer]).toContain(`OnUnitActiveSec=${APP_DISCOVERY.intervalSeconds}s`);
    expect(w[HOST_PATHS.nginxSite]).toContain(`include ${HOST_PATHS.appHostsInclude};`);
    expect(w[HOST_PATHS.nginxSite]).toContain("proxy_pass http://cloudtiers_app;");
    expect(w[HOST_PATHS.bootstrap]).toMatch(/systemctl enable [^\n]*cloudtiers-app-hosts\.service cloudtiers-app-hosts\.timer/);
    // Not waiting for the reload: the unit is ordered before nginx, whose reload job would wait for it.
    expect(w[HOST_PATHS.appHosts]).toContain("\nsystemctl --no-block try-reload-or-restart nginx.service\n");
    // A failed attempt goes on to one more host, never to every host in turn.
    expect(w[HOST_PATHS.nginxSite]).toContain("proxy_next_upstream_tries 2;");
  });

  it("keeps a terminating app host serving until every web host has dropped it, and the terminate hook waits for that too", () => {
    expect(app()[HOST_PATHS.drain]).toContain(`sleep ${APP_DISCOVERY.drainSeconds}\n`);
    expect(APP_DISCOVERY.drainSeconds).toBeGreaterThan(APP_DISCOVERY.intervalSeconds + APP_DISCOVERY.probeTimeoutSeconds);
    const hooks = s.where("aws_autoscaling_lifecycle_hook", "app-pool/terminate-hook");
    const web = s.where("aws_autoscaling_lifecycle_hook", "web-pool/terminate-hook");
    expect(hooks[0].heartbeat_timeout - web[0].heartbeat_timeout).toBe(APP_DISCOVERY.drainSeconds);
  });
});

describe("the nginx-balanced layout on DigitalOcean", () => {
  let s: Synth;
  beforeAll(() => {
    s = synthDoEnvironment(spec);
  });
  const tag = (role: string) => ref(s.address("digitalocean_tag", `${role}-pool/tag`), "name");

  it("has one load balancer, and the app droplets admit the web droplets' tag on gunicorn's port only", () => {
    expect(s.where("digitalocean_loadbalancer")).toHaveLength(1);
    expect(s.one("digitalocean_firewall", "app-pool").inbound_rule).toEqual([{ protocol: "tcp", port_range: "8000", source_tags: [tag("web")] }]);
  });

  it("declares the read token as a sensitive variable, and puts it in the web droplets' own environment only", () => {
    expect(s.json.variable[READ_TOKEN.variable]).toMatchObject({ type: "string", sensitive: true, nullable: false });
    const web = dropletUserData(s, "web-pool");
    const fetch = files(web)[HOST_PATHS.fetchScript];
    // The host's own file ($2), not the application's ($1).
    const [appPart, hostPart] = fetch.split('cat > "$2"');
    expect(hostPart).toContain(`${READ_TOKEN.setting}=\${var.${READ_TOKEN.variable}}`);
    expect(appPart).not.toContain(READ_TOKEN.setting);
    for (const role of ["app", "worker", "beat"]) expect(dropletUserData(s, `${role}-pool`)).not.toContain(READ_TOKEN.variable);
    expect(files(web)[HOST_PATHS.appHostsList]).toContain("tag_name=shop-production-app&per_page=200");
  });
});
