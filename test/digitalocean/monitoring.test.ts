import { Testing } from "cdktf";
import { Config, Synth, ref, specWith, synthDoEnvironment } from "../helpers";
import { UPTIME_REGIONS } from "../../modules/digitalocean/monitoring";
import { production } from "../../environments/production";
import { CLOUDS } from "../../modules/stacks/clouds";
import { CloudTiersStack } from "../../modules/stacks/stack";
import { warnings } from "../../modules/stacks/app";

/*
 * The DigitalOcean monitoring tier (modules/digitalocean/monitoring.ts), read from the
 * synthesised JSON: each alert policy's type, scope, threshold and window, the uptime check,
 * and where they send. The neutral conditions both clouds share: test/contract/contract.test.ts.
 */

const alerts = { emails: ["oncall@example.com", "dba@example.com"], errorRatePercent: 4, latencyP95Ms: 1200, hostDiskPercent: 90 };
const s = synthDoEnvironment({ ...production, alerts });
const policy = (type: string) => s.where("digitalocean_monitor_alert").filter((a) => a.type === type);
const idOf = (type: string, match: (c: Config) => boolean) => Object.entries(s.resources(type)).find(([, c]) => match(c))![0];

describe("the DigitalOcean alerts", () => {
  it("email every address, from every policy, enabled, each scoped to its resources (a policy with no scope watches the whole account)", () => {
    const all = s.where("digitalocean_monitor_alert");
    expect(all.length).toBeGreaterThan(5);
    for (const a of all) {
      expect({ description: a.description, email: a.alerts.email, enabled: a.enabled }).toEqual({ description: a.description, email: alerts.emails, enabled: true });
      expect({ description: a.description, scoped: (a.entities ?? []).length + (a.tags ?? []).length > 0 }).toEqual({ description: a.description, scoped: true });
    }
  });

  it("check the site's health path from every region, and alert when it is down from all of them, with a period (the API answers 500 without one)", () => {
    const [check] = s.where("digitalocean_uptime_check");
    expect(check).toMatchObject({ target: "https://www.example.com/healthz", type: "https", enabled: true });
    expect([...check.regions].sort()).toEqual([...UPTIME_REGIONS].sort());
    const [down] = s.where("digitalocean_uptime_alert");
    // Down from every region (as Route 53 decides), not one region's blip; the API's own comparison and threshold left to it.
    expect(down.lifecycle.ignore_changes).toEqual(["comparison", "threshold"]);
    expect(down).toMatchObject({ type: "down_global", period: "2m", check_id: ref(`digitalocean_uptime_check.${Object.keys(s.resources("digitalocean_uptime_check"))[0]}`, "id") });
    expect(down.notifications[0].email).toEqual(alerts.emails);
  });

  it("alarm on the public load balancer's 5xx share and p95 response time (in seconds); not on a pool's healthy hosts, which DigitalOcean cannot say", () => {
    const publicLb = ref(`digitalocean_loadbalancer.${idOf("digitalocean_loadbalancer", (l) => l.network === "EXTERNAL")}`, "id");
    expect(policy("v1/insights/lbaas/increase_in_http_error_rate_percentage_5xx")).toEqual([expect.objectContaining({ entities: [publicLb], compare: "GreaterThan", value: 4, window: "5m" })]);
    expect(policy("v1/insights/lbaas/high_http_request_response_time_95p")).toEqual([expect.objectContaining({ entities: [publicLb], value: 1.2 })]);
    expect(policy("v1/insights/lbaas/droplet_health")).toEqual([]);
  });

  it("alarm on the database cluster and each replica, and on the cache cluster, by their ids", () => {
    const pg = idOf("digitalocean_database_cluster", (c) => c.engine === "pg");
    const valkey = idOf("digitalocean_database_cluster", (c) => c.engine === "valkey");
    const replicas = Object.entries(s.resources("digitalocean_database_replica")).filter(([, r]) => !r.name.endsWith("-dr")).map(([id]) => ref(`digitalocean_database_replica.${id}`, "uuid"));
    const database = [ref(`digitalocean_database_cluster.${pg}`, "id"), ...replicas];
    expect(policy("v1/dbaas/alerts/cpu_alerts").map((a) => a.entities)).toEqual([database]);
    expect(policy("v1/dbaas/alerts/disk_utilization_alerts").map((a) => a.entities)).toEqual([database]);
    expect(policy("v1/dbaas/alerts/memory_utilization_alerts").map((a) => [a.entities, a.value]).sort()).toEqual(
      [[database, 90], [[ref(`digitalocean_database_cluster.${valkey}`, "id")], 80]].sort(),
    );
  });

  it("alarm on every pool's droplets' disk, by the pools' tags", () => {
    const [disk] = policy("v1/insights/droplet/disk_utilization_percent");
    const tags = Object.entries(s.resources("digitalocean_tag")).filter(([, t]) => !String(t.name).includes("-rev-")).map(([id]) => ref(`digitalocean_tag.${id}`, "name"));
    expect([...disk.tags].sort()).toEqual(tags.filter((t) => (disk.tags as string[]).includes(t)).sort());
    expect(disk.tags).toHaveLength(s.where("digitalocean_droplet_autoscale").length);
    expect(disk).toMatchObject({ compare: "GreaterThan", value: 90 });
  });

  it("warn that a webhook gets nothing, as DigitalOcean's alerts reach email and Slack only", () => {
    const app = Testing.app();
    new CloudTiersStack(app, specWith({ alerts: { emails: ["oncall@example.com"], webhook: "https://events.example.com/alerts" } }), CLOUDS.find((c) => c.id === "do")!);
    expect(warnings(app)).toContain("dev-do/django/monitoring: PROVIDER GAP: DigitalOcean's alerts reach email and Slack only; alerts.webhook (https://events.example.com/alerts) gets none of them");
    const none: Synth = synthDoEnvironment(specWith({}));
    expect(Object.keys(none.resources("digitalocean_monitor_alert"))).toEqual([]);
  });
});
