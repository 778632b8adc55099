import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { environments } from "../../environments";
import { dev } from "../../environments/dev";
import { production } from "../../environments/production";
import { AWS_COMPUTE_SIZES, AWS_POSTGRES_SIZES } from "../../modules/aws/sizes";
import { SizeMap, resolveSizeMap } from "../../modules/core";
import { DO_COMPUTE_SIZES, DO_POSTGRES_SIZES } from "../../modules/digitalocean/sizes";
import { HOURS_PER_MONTH, PRICES, PriceCloud, RDS_PROXY_MINIMUM_VCPUS, RDS_VCPUS, Rule, StackCost, UnpricedRegionError, chargeMonthly, estimateStack, formatComparison, monthly, price } from "../../modules/cost";
import { CLOUDS } from "../../modules/stacks/clouds";
import { StackDocument } from "../../modules/policy/document";
import { withScratchSynth } from "../../modules/stacks/app";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { cloudTiersStacks, writtenDocument } from "../../modules/stacks/policy";
import { staleHint } from "../../tools/generated";

const root = join(__dirname, "..", "..");

/** Prices a stack with the cost rules of the cloud its name ends with, as `npm run cost` does with the stack's own registration. */
function estimate(doc: StackDocument, stack: string) {
  return estimateStack(doc, CLOUDS.find((c) => stack.endsWith(`-${c.id}`))!.cost(), stack);
}

/** Every cloud's rules: one rule per resource type, whichever cloud's stack holds it. */
const RULES: Record<string, Rule> = Object.assign({}, ...CLOUDS.map((c) => c.cost().rules));

/** Synthesises `specs` as main.ts does and reads each stack back. */
function synthStacks(specs: readonly EnvironmentSpec[]): Map<string, StackDocument> {
  return withScratchSynth(specs, [], (app) => new Map(cloudTiersStacks(app).map((s) => [s.node.id, writtenDocument(app, s)])), {});
}

/** A month of one unit of a named table entry, in the shipped stacks' regions. */
const aws = (service: string, item: string) => monthly(price("aws", service, item, "eu-west-1"));
const onDo = (service: string, item: string) => monthly(price("digitalocean", service, item));
const tier = (cost: StackCost, name: string) => {
  const row = [...cost.tiers].find(([t]) => t.startsWith(name));
  if (!row) throw new Error(`no tier ${name}`);
  return row[1];
};

describe("npm run cost", () => {
  let shipped: Map<string, StackDocument>;
  // Priced when a test asks: a user's environment in a region the table has no prices for is refused by `npm run cost`, and only where it is priced.
  const priced = new Map<string, StackCost>();
  const costs = {
    get(name: string): StackCost {
      if (!priced.has(name)) priced.set(name, estimate(shipped.get(name)!, name));
      return priced.get(name)!;
    },
  };

  beforeAll(() => {
    shipped = synthStacks(environments);
  });

  it("prices the shipped dev on AWS as the sum of the named table entries", () => {
    const c = costs.get("dev-aws");
    // web 1 + worker 1 t3.small hosts, each with a 30 GB gp3 root volume
    const compute = 2 * aws("ec2", "t3.small") + 2 * 30 * aws("ebs", "gp3");
    // one NAT gateway ("single") and its Elastic IP
    const network = aws("vpc", "nat-gateway") + aws("vpc", "public-ipv4");
    // the ALB and its address in each of the 2 public subnets
    const loadBalancers = aws("elb", "application") + 2 * aws("vpc", "public-ipv4");
    // db.t4g.small Single-AZ, 20 GB gp3; no replica, no proxy
    const postgres = aws("rds-postgresql", "db.t4g.small") + 20 * aws("rds-postgresql", "gp3");
    const cache = aws("elasticache-valkey", "cache.t4g.small");
    // the master login, the application's database login, the cache token and the application's own secrets (DJANGO_SECRET_KEY)
    const secrets = 4 * aws("secrets-manager", "secret");
    expect(tier(c, "compute").min).toBeCloseTo(compute, 6);
    expect(tier(c, "network").min).toBeCloseTo(network, 6);
    expect(tier(c, "load balancers").min).toBeCloseTo(loadBalancers, 6);
    expect(tier(c, "PostgreSQL").min).toBeCloseTo(postgres, 6);
    expect(tier(c, "cache").min).toBeCloseTo(cache, 6);
    expect(tier(c, "secrets").min).toBeCloseTo(secrets, 6);
    expect(tier(c, "DNS").min).toBe(0);
    expect(c.total).toBeCloseTo(compute + network + loadBalancers + postgres + cache + secrets, 6);
    expect(c.totalMax).toBeCloseTo(c.total, 6);
    expect(aws("ec2", "t3.small")).toBeCloseTo(price("aws", "ec2", "t3.small", "eu-west-1").amount * HOURS_PER_MONTH, 9);
    expect(c.region).toBe("eu-west-1");
  });

  it("prices the shipped dev on DigitalOcean + Cloudflare as the sum of the named table entries", () => {
    const c = costs.get("dev-do");
    const compute = 2 * onDo("droplet", "s-1vcpu-2gb");
    const loadBalancers = onDo("load-balancer", "node");
    // the cluster, and the database setup's one-off droplet
    const postgres = onDo("database-pg", "db-s-1vcpu-2gb") + onDo("droplet", "s-1vcpu-1gb");
    const cache = onDo("database-valkey", "db-s-1vcpu-2gb");
    const spaces = onDo("spaces", "subscription"); // once, for both buckets
    expect(tier(c, "compute").min).toBe(compute);
    expect(tier(c, "load balancers").min).toBe(loadBalancers);
    expect(tier(c, "PostgreSQL").min).toBe(postgres);
    expect(tier(c, "cache").min).toBe(cache);
    expect(tier(c, "object store").min).toBe(spaces);
    expect(c.total).toBe(compute + loadBalancers + postgres + cache + spaces);
    expect(c.region).toBe("fra1");
  });

  it("prices production's pools at their minimum, with the maximum as a range, its standby, replicas, proxy, NAT per zone and failover", () => {
    // Every count and size comes from production's spec; each size becomes a type through the tables the factories use, and each type a price.
    const { pools, postgres } = production;
    const zones = production.network?.zones ?? 2; // the topology's default
    const roles = [pools.web, ...(pools.app ? [pools.app] : []), pools.worker];
    const beat = { size: "small", min: 1, max: 1 } as const; // the topology's own beat pool: one small host
    const hosts = (m: "min" | "max", sizes: SizeMap, priced: (type: string) => number, perHost = 0) =>
      [...roles, beat].reduce((sum, p) => sum + p[m] * (priced(sizes[p.size]) + perHost), 0);
    // the shipped tables, with whatever the spec overrides
    const awsCompute = resolveSizeMap(AWS_COMPUTE_SIZES, production.aws?.sizes?.compute);
    const awsPostgres = resolveSizeMap(AWS_POSTGRES_SIZES, production.aws?.sizes?.postgres);
    const doCompute = resolveSizeMap(DO_COMPUTE_SIZES, production.digitalocean?.sizes?.compute);
    const doPostgres = resolveSizeMap(DO_POSTGRES_SIZES, production.digitalocean?.sizes?.postgres);
    const a = costs.get("production-aws");
    // each host is its instance and a 30 GB gp3 root volume
    const awsPools = (m: "min" | "max") => hosts(m, awsCompute, (type) => aws("ec2", type), 30 * aws("ebs", "gp3"));
    expect(tier(a, "compute").min).toBeCloseTo(awsPools("min"), 6);
    expect(tier(a, "compute").max).toBeCloseTo(awsPools("max"), 6);
    // "per-zone": a NAT gateway and its Elastic IP in each zone
    expect(production.aws?.natGateways).toBe("per-zone");
    expect(tier(a, "network").min).toBeCloseTo(zones * (aws("vpc", "nat-gateway") + aws("vpc", "public-ipv4")), 6);
    const primaryClass = awsPostgres[postgres.size];
    const replicaClass = awsPostgres[postgres.replicaSize ?? postgres.size];
    const storage = postgres.storageGiB * aws("rds-postgresql", "gp3");
    // Multi-AZ doubles the primary's instance and storage; each replica has its own instance and the primary's storage; the proxy bills the primary's vCPUs (at least its minimum)
    const primary = (postgres.highAvailability ? 2 : 1) * (aws("rds-postgresql", primaryClass) + storage);
    const replicas = postgres.replicas * (aws("rds-postgresql", replicaClass) + storage);
    const proxy = postgres.pooling ? Math.max(RDS_VCPUS[primaryClass], RDS_PROXY_MINIMUM_VCPUS) * aws("rds-proxy", "vcpu") : 0;
    // A disaster-recovery replica: an instance of the replicas' class, the primary's storage and its region's KMS key (at the stack region's prices, said in its lines).
    const disasterRecovery = production.aws?.disasterRecoveryRegion ? aws("rds-postgresql", replicaClass) + storage + monthly(price("aws", "kms", "key")) : 0;
    expect(tier(a, "PostgreSQL").min).toBeCloseTo(primary + replicas + proxy + disasterRecovery, 6);
    expect(production.failover).toBeDefined();
    // One HTTPS health check: the failover's, of the load balancer (an AWS endpoint); with the whole site behind
    // CloudFront, the alarms' own, of the site's name (priced as an endpoint outside AWS, the higher figure).
    const endpoint = production.cdn?.site ? "non-aws-endpoint" : "aws-endpoint";
    expect(tier(a, "DNS").min).toBeCloseTo(monthly(price("aws", "route53", `health-check-${endpoint}`)) + monthly(price("aws", "route53", `health-check-feature-${endpoint}`)), 6);
    const d = costs.get("production-do");
    // the primary (and its standby), the replicas and the disaster-recovery replica, each a node; the database setup's one-off droplet
    expect(production.digitalocean?.disasterRecoveryRegion).toBeDefined();
    const doPrimary = (postgres.highAvailability ? 2 : 1) * onDo("database-pg", doPostgres[postgres.size]);
    const doReplicas = (postgres.replicas + 1) * onDo("database-pg", doPostgres[postgres.replicaSize ?? postgres.size]);
    expect(tier(d, "PostgreSQL").min).toBe(doPrimary + doReplicas + onDo("droplet", "s-1vcpu-1gb"));
    // The site's edge Worker needs Workers Paid; no Load Balancing.
    expect(tier(d, "DNS").min).toBe(monthly(price("cloudflare", "workers", "paid-subscription")));
    const doPools = (m: "min" | "max") => hosts(m, doCompute, (type) => onDo("droplet", type));
    expect(tier(d, "compute").min).toBe(doPools("min"));
    expect(tier(d, "compute").max).toBe(doPools("max"));
  });

  it("changes the figure by the expected delta when a spec's size or count changes", () => {
    const changed: EnvironmentSpec = {
      ...dev,
      pools: { ...dev.pools, web: { size: "medium", min: 3, max: 5 } },
      postgres: { ...dev.postgres, replicas: 1 },
      aws: { ...dev.aws!, natGateways: "per-zone" },
    };
    const docs = synthStacks([changed]);
    const a = estimate(docs.get("dev-aws")!, "dev-aws");
    const d = estimate(docs.get("dev-do")!, "dev-do");
    const base = { aws: costs.get("dev-aws"), do: costs.get("dev-do") };
    const root = 30 * aws("ebs", "gp3");
    // web: 1 × t3.small → 3..5 × t3.medium (and their root volumes); one more NAT gateway and its address; a replica with the primary's 20 GB
    const awsDelta = 3 * aws("ec2", "t3.medium") - aws("ec2", "t3.small") + 2 * root + aws("vpc", "nat-gateway") + aws("vpc", "public-ipv4") + aws("rds-postgresql", "db.t4g.small") + 20 * aws("rds-postgresql", "gp3");
    expect(a.total - base.aws.total).toBeCloseTo(awsDelta, 6);
    expect(a.totalMax - a.total).toBeCloseTo(2 * (aws("ec2", "t3.medium") + root), 6);
    const doDelta = 3 * onDo("droplet", "s-2vcpu-4gb") - onDo("droplet", "s-1vcpu-2gb") + onDo("database-pg", "db-s-1vcpu-2gb");
    expect(d.total - base.do.total).toBe(doDelta);
    expect(d.totalMax - d.total).toBe(2 * onDo("droplet", "s-2vcpu-4gb"));

    // A cache with a standby, and (AWS only) a hosted zone the stack creates instead of looking up.
    const more: EnvironmentSpec = { ...dev, cache: { ...dev.cache, highAvailability: true }, createDnsZone: true, digitalocean: undefined, cloudflare: undefined };
    const zoned = estimate(synthStacks([more]).get("dev-aws")!, "dev-aws");
    expect(zoned.total - base.aws.total).toBeCloseTo(aws("elasticache-valkey", "cache.t4g.small") + monthly(price("aws", "route53", "hosted-zone")), 6);
    expect(zoned.notIncluded.join("\n")).not.toContain("existing Route 53 hosted zone");
    expect(base.aws.notIncluded.join("\n")).toContain("existing Route 53 hosted zone");
  });

  it("has a rule for every resource type of every shipped stack, and for every resource class the modules import", () => {
    const types = new Set([...shipped.values()].flatMap((doc) => Object.keys(doc.json.resource ?? {})));
    expect(types.size).toBeGreaterThan(60);
    expect([...types].filter((t) => RULES[t] === undefined)).toEqual([]);
    // Statically, so a class no shipped stack uses yet (a created zone, Terraform Cloud) is covered too.
    const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : f.endsWith(".ts") ? [join(dir, f)] : []));
    const imported = new Set(
      files(join(root, "modules")).flatMap((f) =>
        [...readFileSync(f, "utf8").matchAll(/@cdktf\/provider-([a-z]+)\/lib\/([a-z0-9-]+)/g)]
          .filter((m) => m[2] !== "provider" && !m[2].startsWith("data-"))
          .map((m) => `${m[1]}_${m[2].replace(/-/g, "_")}`),
      ),
    );
    expect(imported.size).toBeGreaterThan(60);
    expect([...imported].filter((t) => RULES[t] === undefined)).toEqual([]);
  });

  it("fails loudly on a resource type with no rule, and on a region the table has no price for", () => {
    const unknown = new StackDocument({ resource: { aws_kinesis_stream: { events: { name: "x" } } } });
    expect(() => estimate(unknown, "x-aws")).toThrow('no pricing rule for resource type "aws_kinesis_stream" (aws_kinesis_stream.events)');
    const elsewhere = new StackDocument({ provider: { aws: [{ region: "ap-south-1" }] }, resource: { aws_nat_gateway: { nat: { subnet_id: "s" } } } });
    expect(() => estimate(elsewhere, "x-aws")).toThrow('cost: environment "x" (stack x-aws) is in AWS region "ap-south-1", which modules/cost/prices.ts has no prices for; priced AWS regions: eu-west-1');
    const unsized = new StackDocument({ resource: { digitalocean_droplet_autoscale: { pool: { config: { min_instances: 1, max_instances: 2 }, droplet_template: { size: "s-64vcpu-1tb" } } } } });
    expect(() => estimate(unsized, "x-do")).toThrow('no price for digitalocean droplet "s-64vcpu-1tb"');
  });

  it("prices the hosts' environment parameter as Standard (no charge) while it fits 4 KB and Advanced past it", () => {
    const parameter = (value: string) =>
      new StackDocument({ provider: { aws: [{ region: "eu-west-1" }] }, resource: { aws_ssm_parameter: { env: { name: "/x/web/environment", type: "String", tier: "Intelligent-Tiering", value } } } });
    // Each reference counts at its longest (255 characters): 15 of them and 200 characters fit 4096, 16 do not.
    const small = `${"a".repeat(200)}${"${aws_lb.x.dns_name}".repeat(15)}`;
    expect(estimate(parameter(small), "x-aws").total).toBe(0);
    expect(estimate(parameter(`${small}\${aws_lb.x.dns_name}`), "x-aws").total).toBeCloseTo(price("aws", "ssm", "advanced-parameter", "eu-west-1").amount, 6);
  });

  it("records every price with an amount, a unit, a region, a date and a source URL, once", () => {
    const today = new Date().toISOString().slice(0, 10);
    for (const p of PRICES) {
      expect({ p, ok: Number.isFinite(p.amount) && p.amount > 0 }).toEqual({ p, ok: true });
      expect(["USD/hour", "USD/vCPU-hour", "USD/month", "USD/GB-month"]).toContain(p.unit);
      expect(p.region).toMatch(/^(global|[a-z]{2}-[a-z]+-\d|[a-z]{3}\d)$/);
      expect(p.recorded).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(p.recorded <= today).toBe(true);
      expect(p.source).toMatch(/^https:\/\/(aws\.amazon\.com|(www|docs)\.digitalocean\.com|(www|developers)\.cloudflare\.com)\//);
      expect(p.basis.length).toBeGreaterThan(10);
    }
    const keys = PRICES.map((p) => `${p.cloud} ${p.service} ${p.item} ${p.region}`);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
    const clouds: PriceCloud[] = ["aws", "digitalocean", "cloudflare"];
    expect(clouds.filter((c) => !PRICES.some((p) => p.cloud === c))).toEqual([]);
  });

  it("lists what it does not price, and never counts a priced line as zero", () => {
    for (const [name, doc] of shipped) {
      let cost: StackCost;
      try {
        cost = costs.get(name);
      } catch (e) {
        // A region without prices is refused, by name, rather than priced at zero.
        expect({ name, refused: e instanceof UnpricedRegionError }).toEqual({ name, refused: true });
        continue;
      }
      expect(cost.charges.filter((c) => !(chargeMonthly(c) > 0))).toEqual([]);
      for (const type of Object.keys(doc.json.resource ?? {})) {
        const rule = RULES[type];
        if ("usage" in rule && rule.usage) for (const u of rule.usage) expect({ name, type, listed: cost.notIncluded.includes(u) }).toEqual({ name, type, listed: true });
        if ("usage" in rule && !("charges" in rule)) expect(cost.charges.filter((c) => c.address.startsWith(`${type}.`))).toEqual([]);
      }
    }
    const awsOut = costs.get("production-aws").notIncluded.join("\n");
    for (const item of ["NAT gateway data processing", "CloudFront data transfer", "S3 storage", "RDS storage growth", "data transfer out of AWS"]) expect(awsOut).toContain(item);
    const doOut = costs.get("production-do").notIncluded.join("\n");
    for (const item of ["Spaces storage beyond 250 GiB", "Spaces CDN traffic", "droplet outbound transfer"]) expect(doOut).toContain(item);
  });

  it("prints a table per environment, and docs/cost.md shows production's exactly", () => {
    const text = formatComparison("production", [costs.get("production-aws"), costs.get("production-do")]);
    expect(text).toContain("AWS (eu-west-1)");
    expect(text).toContain("DigitalOcean + Cloudflare (fra1)");
    expect(text).toMatch(/^total a month .*\(max .*\)$/m);
    const readme = readFileSync(join(root, "docs", "cost.md"), "utf8");
    // `npm run cost production` prints exactly this: a price or a spec change needs docs/cost.md's copy refreshed, and the failure says how.
    const refresh = staleHint("docs/cost.md");
    expect({ readmeShowsProductionCost: readme.includes(text.trimEnd()) || refresh }).toEqual({ readmeShowsProductionCost: true });
  });

  it("runs as npm run cost with an environment's name or a stack pattern", () => {
    const run = spawnSync(process.execPath, ["--require", "./scripts/register-ts.cjs", "scripts/cost.ts", "dev-aws"], { cwd: root, encoding: "utf8", env: { ...process.env, CLOUDTIERS_STACKS: "" } });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(formatComparison("dev", [costs.get("dev-aws")]));
  });
});
