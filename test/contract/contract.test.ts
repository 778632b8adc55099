import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { ALARM_CONDITIONS, AlarmCondition, FIREWALL_PROTECTIONS } from "../../modules/core";
import { production } from "../../environments/production";
import { CLOUDS } from "../../modules/stacks/clouds";
import { CloudTiersStack } from "../../modules/stacks/stack";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { OUTPUT_NAMES, SENSITIVE_OUTPUTS, Synth, synth } from "../helpers";
import { inspectorOf } from "./inspectors";

/** One neutral spec: the production shape, with every tier's options exercised. */
const contract: EnvironmentSpec = {
  ...production,
  environment: "contract",
  pools: {
    web: { size: "medium", min: 2, max: 5 },
    app: { size: "large", min: 3, max: 9 },
    worker: { size: "medium", min: 1, max: 4 },
  },
  postgres: { ...production.postgres, replicas: 3, pooling: true },
  healthCheckPath: "/-/health",
  // Every threshold off its default, so a cloud that ignores one shows.
  alerts: {
    emails: ["pager@example.com", "db-team@example.com"],
    errorRatePercent: 3,
    latencyP95Ms: 900,
    databaseCpuPercent: 70,
    databaseStoragePercent: 75,
    databaseMemoryPercent: 85,
    databaseConnectionsPercent: 60,
    replicaLagSeconds: 45,
    cacheMemoryPercent: 65,
    cacheEvictions: 7,
    hostDiskPercent: 90,
  },
  firewall: { requestsPerMinute: 1500 },
};

/** Each condition's threshold as the contract's spec states it, in its own units (the site's has none; a pool's is its minimum). */
const EXPECTED_THRESHOLDS: Record<Exclude<AlarmCondition, "site-down" | "healthy-hosts" | "dead-tasks">, number> = {
  "error-rate": 3,
  "latency-p95": 900,
  "database-cpu": 70,
  "database-storage": 75,
  "database-memory": 85,
  "database-connections": 60,
  "replica-lag": 45,
  "cache-memory": 65,
  "cache-evictions": 7,
  "host-disk": 90,
};

// Not production: the policy pack, which a directly built stack meets at synth, gives production a failover target.
const withoutFailover: EnvironmentSpec = { ...contract, environment: "contract-plain", failover: undefined, alerts: undefined, firewall: undefined, production: false };

/** Every registered cloud, held to the contract through its inspector (test/contract/inspectors/<cloud id>.ts). */
describe.each(CLOUDS.map((cloud) => [cloud.id, cloud, inspectorOf(cloud)] as const))("the %s factory honours the neutral contract", (_id, cloud, inspector) => {
  let s: Synth;
  let plain: Synth;
  beforeAll(() => {
    s = synth(new CloudTiersStack(Testing.app(), contract, cloud));
    plain = synth(new CloudTiersStack(Testing.app(), withoutFailover, cloud));
  });

  it("compute pools: each role's min/max as asked, beat exactly one", () => {
    expect(inspector.poolBounds(s, "web")).toEqual({ min: 2, max: 5 });
    expect(inspector.poolBounds(s, "app")).toEqual({ min: 3, max: 9 });
    expect(inspector.poolBounds(s, "worker")).toEqual({ min: 1, max: 4 });
    expect(inspector.poolBounds(s, "beat")).toEqual({ min: 1, max: 1 });
  });

  it("load balancers: every pool behind one is checked on the spec's health path; workers are behind none", () => {
    expect(inspector.poolHealthPath(s, "web")).toBe("/-/health");
    expect(inspector.poolHealthPath(s, "app")).toBe("/-/health");
    expect(inspector.poolHealthPath(s, "worker")).toBeUndefined();
    expect(inspector.poolHealthPath(s, "beat")).toBeUndefined();
  });

  it("load balancer: HTTPS, with HTTP redirected to it", () => {
    expect(inspector.redirectsHttpToHttps(s)).toBe(true);
  });

  it("PostgreSQL: N replicas that follow the primary, and the pooler in front of the primary as the write endpoint", () => {
    expect(inspector.replicasOfPrimary(s)).toBe(3);
    expect(inspector.poolerFrontsPrimary(s)).toBe(true);
  });

  it("PostgreSQL: a disaster-recovery replica in the region the cloud's section names, following the primary, encrypted and protected; none without one", () => {
    const section = cloud.sections[0] as "aws" | "digitalocean";
    const region = contract[section]?.disasterRecoveryRegion;
    expect(region).toBeDefined();
    expect(inspector.disasterRecovery(s)).toEqual({ region, followsPrimary: true, encrypted: true, protected: true });
    // The section without its disaster-recovery fields (the region, and on AWS the recovery network's block).
    const rest = Object.fromEntries(Object.entries(contract[section] ?? {}).filter(([field]) => !field.startsWith("disasterRecovery")));
    const none = synth(new CloudTiersStack(Testing.app(), { ...withoutFailover, environment: "contract-nodr", [section]: rest }, cloud));
    expect(inspector.disasterRecovery(none)).toBeUndefined();
  });

  it("network: nothing public but the load balancer, the CDN names the outputs give, and the maintenance site", () => {
    const cdnNames = [s.outputs.media_cdn_domain.value, s.outputs.static_cdn_domain.value].sort();
    expect(inspector.publicEntryPoints(s)).toEqual({ loadBalancers: 1, cdnNames, maintenanceSites: 1, other: [] });
    expect(inspector.publicEntryPoints(plain)).toEqual({ loadBalancers: 1, cdnNames, maintenanceSites: 0, other: [] });
  });

  it("the whole site behind the CDN: the site's name is the CDN's, dynamic requests pass uncached with all the viewer sent, and the load balancer admits the CDN alone", () => {
    expect(contract.cdn?.site).toBe(true);
    expect(inspector.siteEdge(s)).toEqual({ name: contract.domain, uncached: true, viewerRequestPassed: true, originOnlyFromEdge: true });
    // Without cdn.site, a cloud whose edge proxies every site (Cloudflare) still does; the others point the name at the load balancer.
    const stack = new CloudTiersStack(Testing.app(), { ...withoutFailover, environment: "contract-direct", cdn: { ...contract.cdn, site: false } }, cloud);
    expect(inspector.siteEdge(synth(stack))).toEqual(stack.topology.siteBehindCdn ? inspector.siteEdge(s) : undefined);
  });

  it("DNS failover: the site falls back to the maintenance page, and only when failover is on", () => {
    expect(inspector.failoverTarget(s)).toEqual({ maintenanceFor: contract.domain });
    expect(inspector.failoverTarget(plain)).toBeUndefined();
    // A failover section turned off is no failover: no maintenance site, the plain record.
    const off = synth(new CloudTiersStack(Testing.app(), { ...withoutFailover, environment: "contract-off", failover: { title: "Back soon", enabled: false } }, cloud));
    expect(inspector.failoverTarget(off)).toBeUndefined();
    expect(inspector.publicEntryPoints(off).maintenanceSites).toBe(0);
  });

  it("alarms: every neutral condition the cloud can measure, at the spec's thresholds, to every address; the rest named as its gaps, in docs/operations.md", () => {
    const stack = new CloudTiersStack(Testing.app(), contract, cloud);
    const alarms = inspector.alarms(synth(stack));
    const gaps = stack.topology.monitoring!.gaps;
    expect([...new Set(alarms.map((a) => a.condition))].sort()).toEqual(ALARM_CONDITIONS.filter((c) => !(c in gaps)).sort());
    for (const a of alarms) {
      expect({ condition: a.condition, emails: a.emails }).toEqual({ condition: a.condition, emails: ["db-team@example.com", "pager@example.com"] });
      if (a.condition in EXPECTED_THRESHOLDS) expect({ condition: a.condition, threshold: a.threshold }).toEqual({ condition: a.condition, threshold: EXPECTED_THRESHOLDS[a.condition as keyof typeof EXPECTED_THRESHOLDS] });
    }
    // A pool's alarm fires below its minimum: the web pool's (2) and the app pool's (3) at least.
    if (!("healthy-hosts" in gaps)) expect(alarms.filter((a) => a.condition === "healthy-hosts").map((a) => a.threshold)).toEqual(expect.arrayContaining([2, 3]));
    const operations = readFileSync(join(__dirname, "..", "..", "docs", "operations.md"), "utf8");
    for (const [condition, why] of Object.entries(gaps)) expect({ condition, documented: operations.includes(why!) }).toEqual({ condition, documented: true });
    // No alerts section: no alarms.
    expect(inspector.alarms(plain)).toEqual([]);
  });

  it("firewall: the managed rules and the per-client limit in front of the site, the rest named as its gaps, in docs/operations.md", () => {
    const stack = new CloudTiersStack(Testing.app(), contract, cloud);
    const firewall = inspector.firewall(synth(stack));
    const gaps = stack.topology.firewall!.gaps;
    // Every protection is given, or named as a gap (a protection given only in part is both).
    expect(FIREWALL_PROTECTIONS.filter((p) => !firewall.protections.includes(p) && !(p in gaps))).toEqual([]);
    expect(firewall.requestsPerMinute).toBe(1500);
    const operations = readFileSync(join(__dirname, "..", "..", "docs", "operations.md"), "utf8");
    for (const [protection, why] of Object.entries(gaps)) expect({ protection, documented: operations.includes(why!) }).toEqual({ protection, documented: true });
    expect(inspector.firewall(plain)).toEqual({ protections: [] , requestsPerMinute: undefined });
  });

  it("outputs: the same names, values and sensitivity the app expects", () => {
    expect(Object.keys(s.outputs).sort()).toEqual(OUTPUT_NAMES);
    expect(s.outputs.site_url.value).toBe("https://www.example.com");
    expect(s.outputs.database_replica_urls.value).toHaveLength(3);
    expect(String(s.outputs.database_url.value)).toMatch(/^postgres:\/\/app@\$\{.+\}:\d+\/app\?sslmode=require$/);
    expect(String(s.outputs.redis_url.value)).toMatch(/^rediss:\/\/\$\{.+\}:\d+\/0$/);
    for (const name of OUTPUT_NAMES) expect({ name, sensitive: s.outputs[name].sensitive }).toEqual({ name, sensitive: SENSITIVE_OUTPUTS.includes(name) });
  });
});
