import { Testing } from "cdktf";
import { production } from "../../environments/production";
import { CLOUDS } from "../../modules/stacks/clouds";
import { CloudTiersStack } from "../../modules/stacks/stack";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { OUTPUT_NAMES, Synth, synth } from "../helpers";
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
};

// Not production: the policy pack, which a directly built stack meets at synth, gives production a failover target.
const withoutFailover: EnvironmentSpec = { ...contract, environment: "contract-plain", failover: undefined, production: false };

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

  it("network: nothing public but the load balancer, the CDN names the outputs give, and the maintenance site", () => {
    const cdnNames = [s.outputs.media_cdn_domain.value, s.outputs.static_cdn_domain.value].sort();
    expect(inspector.publicEntryPoints(s)).toEqual({ loadBalancers: 1, cdnNames, maintenanceSites: 1, other: [] });
    expect(inspector.publicEntryPoints(plain)).toEqual({ loadBalancers: 1, cdnNames, maintenanceSites: 0, other: [] });
  });

  it("DNS failover: the site falls back to the maintenance page, and only when failover is on", () => {
    expect(inspector.failoverTarget(s)).toEqual({ maintenanceFor: contract.domain });
    expect(inspector.failoverTarget(plain)).toBeUndefined();
    // A failover section turned off is no failover: no maintenance site, the plain record.
    const off = synth(new CloudTiersStack(Testing.app(), { ...withoutFailover, environment: "contract-off", failover: { title: "Back soon", enabled: false } }, cloud));
    expect(inspector.failoverTarget(off)).toBeUndefined();
    expect(inspector.publicEntryPoints(off).maintenanceSites).toBe(0);
  });

  it("outputs: the same names, values and sensitivity the app expects", () => {
    expect(Object.keys(s.outputs).sort()).toEqual(OUTPUT_NAMES);
    expect(s.outputs.site_url.value).toBe("https://www.example.com");
    expect(s.outputs.database_replica_urls.value).toHaveLength(3);
    expect(String(s.outputs.database_url.value)).toMatch(/^postgres:\/\/app@\$\{.+\}:\d+\/app\?sslmode=require$/);
    expect(String(s.outputs.redis_url.value)).toMatch(/^rediss:\/\/\$\{.+\}:\d+\/0$/);
    for (const name of ["database_url", "database_replica_urls", "redis_url"]) expect(s.outputs[name].sensitive).toBe(true);
  });
});
