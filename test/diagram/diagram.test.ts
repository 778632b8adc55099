import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { environments } from "../../environments";
import { DO_DATABASE_PORT, DO_POOL_PORT, DO_VALKEY_PORT } from "../../modules/digitalocean/sizes";
import { StackDocument } from "../../modules/policy/document";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { describeStack, dotCommand, renderSvg, synthesiseStacks } from "../../tools/diagram/diagram";
import { Diagram, DiagramCluster, DiagramEdge, Tier, quote, toDot } from "../../modules/diagram/graph";
import { SHIPPED_STACKS } from "../helpers";
import { staleHint } from "../../tools/generated";
import { requireTool } from "../required-tools";
import { failoverOn } from "../../modules/django/spec";

const root = join(__dirname, "..", "..");

/** Every shipped stack, synthesised as `npm run diagram` does, with its diagram and DOT. */
const shipped = synthesiseStacks(environments, undefined, {}).map((stack) => {
  const { name, doc } = stack;
  const diagram = describeStack(stack);
  return { name, doc, diagram, dot: toDot(diagram) };
});
const specOf = (name: string) => environments.find((e) => name.startsWith(`${e.environment}-`))!;

const nodesOf = (d: Diagram, tier: Tier) => d.nodes.filter((n) => n.tier === tier);
const tierOf = (d: Diagram, id: string) => d.nodes.find((n) => n.id === id)?.tier;
const titleOf = (d: Diagram, id: string) => d.nodes.find((n) => n.id === id)?.lines[0];
const edges = (d: Diagram, from: Tier, to: Tier, kind = "traffic") => d.edges.filter((e) => e.kind === kind && tierOf(d, e.from) === from && tierOf(d, e.to) === to);
const poolTitled = (d: Diagram, role: string) => nodesOf(d, "pool").find((n) => n.lines[0] === `${role} pool`)?.id;
const labelsOf = (es: readonly DiagramEdge[]) => es.flatMap((e) => e.labels);
const allClusters = (cs: readonly DiagramCluster[]): DiagramCluster[] => cs.flatMap((c) => [c, ...allClusters(c.clusters)]);

/** SVG text as written: Graphviz escapes `-` and `>` as entities. */
const decode = (s: string) =>
  s
    .replace(/&#(\d+);/g, (_m, n) => String.fromCharCode(Number(n)))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
/** The `<title>`s of an SVG from dot: the graph's name, each node's id, `from->to` for each edge, `cluster_<id>` for each cluster. */
const titles = (svg: string) => new Set([...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => decode(m[1])));
const texts = (svg: string) => new Set([...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => decode(m[1])));

/** The pools' roles as the JSON names them (an autoscaling group's Role tag; a droplet autoscaler's name suffix). */
function poolsInJson(doc: StackDocument): { role: string; min: number; max: number }[] {
  const aws = doc.resources("aws_autoscaling_group").map((g) => ({ role: g.config.tag.find((t: { key: string }) => t.key === "Role").value, min: g.config.min_size, max: g.config.max_size }));
  const dgo = doc.resources("digitalocean_droplet_autoscale").map((p) => ({
    role: String(p.config.name).split("-").pop()!,
    min: p.config.config.min_instances ?? p.config.config.target_number_instances,
    max: p.config.config.max_instances ?? p.config.config.target_number_instances,
  }));
  return [...aws, ...dgo];
}

/** The read replicas in the JSON: instances following another (AWS), `digitalocean_database_replica` (DigitalOcean). */
const replicasInJson = (doc: StackDocument) => [...doc.resources("aws_db_instance").filter((i) => i.config.replicate_source_db), ...doc.resources("digitalocean_database_replica")];

/** The ports a host uses on each cloud, from the JSON (AWS) or DigitalOcean's fixed ports. */
function ports(doc: StackDocument) {
  const aws = doc.resources("aws_db_instance").length > 0;
  return {
    postgres: aws ? doc.resources("aws_db_instance")[0].config.port : DO_DATABASE_PORT,
    pooler: aws ? doc.resources("aws_db_instance")[0].config.port : DO_POOL_PORT,
    cache: aws ? doc.resources("aws_elasticache_replication_group")[0].config.port : DO_VALKEY_PORT,
  };
}

/** Holds one stack's diagram to the tiers its JSON has. */
function expectEveryTier(name: string, failover: boolean, doc: StackDocument, d: Diagram, dot: string): void {
  const aws = name.endsWith("-aws");
  const p = ports(doc);

  // A box per pool, with the JSON's bounds.
  const pools = poolsInJson(doc);
  expect(nodesOf(d, "pool").map((n) => n.lines[0]).sort()).toEqual(pools.map((x) => `${x.role} pool`).sort());
  for (const x of pools) expect(d.nodes.find((n) => n.lines[0] === `${x.role} pool`)!.lines[1]).toContain(x.min === x.max ? ` × ${x.min}` : ` × ${x.min}–${x.max}`);

  // PostgreSQL: one primary, the JSON's replicas (each following the primary), the standby, the pooler.
  const [primary] = nodesOf(d, "postgres-primary");
  expect(nodesOf(d, "postgres-primary")).toHaveLength(1);
  expect(nodesOf(d, "postgres-replica")).toHaveLength(replicasInJson(doc).length);
  for (const replica of nodesOf(d, "postgres-replica")) expect(d.edges).toContainEqual(expect.objectContaining({ from: primary.id, to: replica.id, kind: "replication" }));
  const standbys = aws ? (doc.resources("aws_db_instance").some((i) => i.config.multi_az && !i.config.replicate_source_db) ? 1 : 0) : doc.resources("digitalocean_database_cluster").find((c) => c.config.engine === "pg")!.config.node_count - 1;
  expect(nodesOf(d, "postgres-standby")).toHaveLength(standbys);
  const poolers = [...doc.resources("aws_db_proxy"), ...doc.resources("digitalocean_database_connection_pool")];
  expect(nodesOf(d, "pooler")).toHaveLength(poolers.length);
  const django = nodesOf(d, "pool").filter((n) => d.edges.some((e) => e.from === n.id && ["postgres-primary", "pooler"].includes(tierOf(d, e.to)!)));
  expect(django.map((n) => n.lines[0]).sort()).toEqual(expect.arrayContaining(["worker pool"]));
  for (const pool of django) {
    const out = d.edges.filter((e) => e.from === pool.id);
    if (poolers.length > 0) expect(out.filter((e) => tierOf(d, e.to) === "pooler").flatMap((e) => e.labels)).toEqual([`:${p.pooler}`]);
    else expect(out.filter((e) => tierOf(d, e.to) === "postgres-primary").flatMap((e) => e.labels)).toEqual([`:${p.postgres}`]);
    expect(out.filter((e) => tierOf(d, e.to) === "cache").flatMap((e) => e.labels)).toEqual([`:${p.cache}`]);
    expect(out.filter((e) => tierOf(d, e.to) === "bucket").length).toBeGreaterThan(0);
  }
  if (poolers.length > 0) expect(edges(d, "pooler", "postgres-primary")).toHaveLength(1);

  // The cache, the buckets each behind a CDN.
  expect(nodesOf(d, "cache")).toHaveLength(1);
  expect(nodesOf(d, "bucket").map((n) => n.lines[0].split(" ").pop()).sort()).toEqual(["media", "static"]);
  expect(edges(d, "cdn", "bucket").map((e) => titleOf(d, e.to)!.split(" ").pop()).sort()).toEqual(["media", "static"]);

  // Load balancers: the public one in front of the first pool; in the split layout the internal one between web and app.
  const lbs = [...doc.resources("aws_lb"), ...doc.resources("digitalocean_loadbalancer")];
  expect(nodesOf(d, "load-balancer")).toHaveLength(lbs.length);
  const split = lbs.length === 2;
  const web = poolTitled(d, "web")!;
  const publicLb = d.edges.find((e) => e.to === web && tierOf(d, e.from) === "load-balancer")!;
  expect(publicLb.labels).toEqual([":80"]);
  if (split) {
    const internal = d.edges.find((e) => e.from === web && tierOf(d, e.to) === "load-balancer")!;
    expect(internal.labels).toEqual([expect.stringMatching(/^:80( TCP)?$/)]);
    expect(d.edges.filter((e) => e.from === internal.to && e.to === poolTitled(d, "app")).flatMap((e) => e.labels)).toEqual([":8000"]);
  } else if (pools.some((x) => x.role === "app")) {
    // nginx-balanced: the web hosts straight to the app hosts.
    expect(d.edges.filter((e) => e.from === web && e.to === poolTitled(d, "app")).flatMap((e) => e.labels)).toEqual([":8000"]);
  } else {
    expect(poolTitled(d, "app")).toBeUndefined();
  }

  // The whole site behind CloudFront: the distribution whose origin is the load balancer.
  const site = aws ? doc.resources("aws_cloudfront_distribution").find((c) => JSON.stringify(c.config.origin).includes("${aws_lb.")) : undefined;
  // The way in: the internet through DNS (or Cloudflare) to the public load balancer on 443.
  const inbound = d.edges.filter((e) => e.to === publicLb.from && e.kind === "traffic");
  expect(labelsOf(inbound).some((l) => /:443 HTTPS/.test(l))).toBe(true);
  if (aws) {
    expect(d.edges.some((e) => e.from === "internet" && e.to === "dns")).toBe(true);
    // The whole site behind CloudFront: DNS names the site's distribution, which alone reaches the load balancer.
    expect(inbound.map((e) => e.from)).toEqual([site ? site.address : "dns"]);
    expect(nodesOf(d, "health-check")).toHaveLength(doc.resources("aws_route53_health_check").length);
    const secondary = d.edges.filter((e) => e.from === "dns" && tierOf(d, e.to) === "maintenance");
    expect(secondary.map((e) => e.labels[0].split(" ")[0])).toEqual(failover && !site ? ["SECONDARY"] : []);
    if (site) {
      expect(edges(d, "dns", "cdn").map((e) => e.to)).toContain(site.address);
      // CloudFront is the failover: the maintenance bucket is the site distribution's other origin.
      expect(edges(d, "cdn", "maintenance").map((e) => e.from)).toEqual(failover ? [site.address] : []);
    } else if (failover) {
      expect(labelsOf(inbound)[0]).toMatch(/^PRIMARY /);
      expect(edges(d, "health-check", "load-balancer", "check").map((e) => e.to)).toEqual([publicLb.from]);
      expect(edges(d, "maintenance", "maintenance")).toHaveLength(1); // CloudFront → its bucket
    }
    // Zones: the subnet tiers list each zone the JSON's subnets of the stack's region are in (a disaster-recovery region's, of another provider, are drawn with its replica).
    const zones = new Set(doc.resources("aws_subnet").filter((s) => s.config.provider === undefined).map((s) => s.config.availability_zone)).size;
    const dr = doc.resources("aws_db_instance").filter((i) => i.config.provider !== undefined);
    expect(allClusters(d.clusters).filter((c) => c.id.startsWith("disaster-recovery-")).map((c) => c.nodes)).toEqual(dr.map((i) => [i.address]));
    for (const i of dr) expect(d.edges.filter((e) => e.to === i.address && e.kind === "replication").map((e) => e.labels[0])).toEqual([expect.stringMatching(/^streaming to [a-z]+-[a-z]+-\d$/)]);
    const subnetClusters = allClusters(d.clusters).filter((c) => c.id.startsWith("subnets-"));
    expect(subnetClusters.map((c) => c.id).sort()).toEqual(["subnets-database", "subnets-private", "subnets-public"]);
    for (const c of subnetClusters) expect(c.lines[1].split(" · ")).toHaveLength(zones);
    expect(allClusters(d.clusters).find((c) => c.id === "vpc")!.lines[0]).toContain(`${zones} availability zones`);
  } else {
    // With failover, the site's name runs the edge Worker, which passes requests on to the origin (and serves the page when it cannot).
    expect(nodesOf(d, "edge-worker")).toHaveLength(failover ? 1 : 0);
    expect(tierOf(d, inbound[0].from)).toBe(failover ? "edge-worker" : "dns");
    if (failover) expect(edges(d, "dns", "edge-worker").map((e) => e.to)).toEqual([inbound[0].from]);
    expect(nodesOf(d, "health-check")).toHaveLength(0);
    // Regions: a cluster per region the JSON's resources are in.
    const regions = new Set([...doc.resources("digitalocean_database_replica"), ...doc.resources("digitalocean_database_cluster"), ...doc.resources("digitalocean_loadbalancer")].map((r) => r.config.region));
    expect(d.clusters.filter((c) => c.id.startsWith("region-")).map((c) => c.id.slice("region-".length)).sort()).toEqual([...regions].sort());
  }

  // The alarms: one box when the JSON has any, counting them and the addresses they reach.
  const alarms = aws ? doc.resources("aws_cloudwatch_metric_alarm") : doc.resources("digitalocean_monitor_alert");
  const emails = new Set(aws ? doc.resources("aws_sns_topic_subscription").filter((x) => x.config.protocol === "email").map((x) => x.config.endpoint) : alarms.flatMap((a) => a.config.alerts.email));
  expect(nodesOf(d, "alarms").map((n) => [n.lines[0].replace(/ on \d+ conditions$/, ""), n.lines.find((l) => l.includes("→"))])).toEqual(
    alarms.length === 0 ? [] : [[aws ? `CloudWatch: ${alarms.length} alarms` : `Monitoring: ${alarms.length} alert policies`, expect.stringContaining(`→ ${emails.size} email address`)]],
  );

  // The firewall: one box when the JSON has one, with the rate limit it holds clients to, filtering the way in.
  const acls = aws ? doc.resources("aws_wafv2_web_acl") : doc.resources("cloudflare_ruleset");
  const limit = aws
    ? acls.flatMap((a) => a.config.rule).find((r) => r.statement.rate_based_statement)?.statement.rate_based_statement.limit
    : acls.flatMap((r) => r.config.rules).find((r) => r.ratelimit)?.ratelimit.requests_per_period;
  expect(nodesOf(d, "firewall").map((n) => n.lines.find((l) => l.startsWith("rate limit:")))).toEqual(acls.length === 0 ? [] : [expect.stringContaining(`rate limit: ${limit} per `)]);
  // On AWS, before the load balancer, or before the site's distribution when it fronts the load balancer.
  for (const f of nodesOf(d, "firewall")) expect(d.edges.filter((e) => e.from === f.id).map((e) => tierOf(d, e.to))).toEqual(expect.arrayContaining([site ? "cdn" : aws ? "load-balancer" : "dns"]));

  // The logs: one box when the hosts ship them, each pool with an edge to it.
  const shipping = aws ? doc.resources("aws_cloudwatch_log_group").some((l) => String(l.config.name).startsWith("/cloudtiers/")) : JSON.stringify(doc.json.locals ?? {}).includes("omfwd");
  expect(nodesOf(d, "logs")).toHaveLength(shipping ? 1 : 0);
  if (shipping) expect(d.edges.filter((e) => e.to === "logs")).toHaveLength(nodesOf(d, "pool").length);

  // The DOT has every box (with its title) and every edge (with its ports).
  for (const n of d.nodes) expect(dot).toContain(`${quote(n.id)} [label=${quote(n.lines[0]).slice(0, -1)}`);
  for (const e of d.edges) expect(dot).toContain(`${quote(e.from)} -> ${quote(e.to)}${e.labels.length > 0 ? ` [label=${quote(e.labels.join("\n"))}` : ""}`);
}

describe("npm run diagram: each shipped stack's diagram", () => {
  it("is drawn for every shipped stack", () => {
    expect(shipped.map((s) => s.name).sort()).toEqual(SHIPPED_STACKS.map((s) => s.name).sort());
  });

  it.each(shipped.map((s) => [s.name, s] as const))("%s has every tier of its JSON: pools, PostgreSQL (replicas, standby, pooler), cache, buckets + CDN, load balancers, DNS and failover, with the ports", (name, s) => {
    expectEveryTier(name, failoverOn(specOf(name)), s.doc, s.diagram, s.dot);
  });

  it("is the same text on every run (sorted, ids from Terraform addresses)", () => {
    const again = synthesiseStacks(environments, ["production-aws"], {})[0];
    expect(toDot(describeStack(again))).toBe(shipped.find((s) => s.name === "production-aws")!.dot);
  });
});

describe("a changed spec changes the diagram", () => {
  const production = environments.find((e) => e.environment === "production")!;
  const changed: EnvironmentSpec = {
    ...production,
    environment: "prodchanged",
    layout: "colocated",
    pools: { web: production.pools.web, worker: production.pools.worker },
    postgres: { ...production.postgres, replicas: 0 },
    terraformCloud: undefined,
  };
  const stacks = synthesiseStacks([changed], undefined, {}).map((stack) => ({ name: stack.name, doc: stack.doc, diagram: describeStack(stack) }));

  const split = production.layout === "split";
  // Named from the spec: production's own replicas and layout, whatever a user made them.
  it.each(stacks.map((s) => [s.name, s] as const))(`%s: replicas ${production.postgres.replicas} → 0 and ${production.layout ?? "colocated"} → colocated`, (name, s) => {
    const before = shipped.find((x) => x.name === name.replace("prodchanged", "production"))!.diagram;
    const readReplicas = (d: Diagram) => nodesOf(d, "postgres-replica").filter((n) => n.lines[0].startsWith("read replica"));
    expect(readReplicas(before)).toHaveLength(production.postgres.replicas);
    expect(readReplicas(s.diagram)).toHaveLength(0);
    // Split: a public load balancer in front of web and an internal one in front of app.
    expect(nodesOf(before, "load-balancer")).toHaveLength(split ? 2 : 1);
    expect(nodesOf(s.diagram, "load-balancer")).toHaveLength(1);
    expect(poolTitled(before, "app") !== undefined).toBe(split);
    expect(poolTitled(s.diagram, "app")).toBeUndefined();
    // Colocated: the web pool is where Django runs, so it reaches the database and the cache.
    const web = poolTitled(s.diagram, "web")!;
    expect(s.diagram.edges.filter((e) => e.from === web).map((e) => tierOf(s.diagram, e.to))).toEqual(expect.arrayContaining(["pooler", "cache"]));
    expectEveryTier(name, true, s.doc, s.diagram, toDot(s.diagram));
  });
});

describe("Graphviz", () => {

  it("dot -Tsvg accepts every stack's DOT, and the SVG is well-formed with every box and its label", () => {
    requireTool("dot");
    // One dot process for all six graphs: it writes one SVG document after another.
    const svgs = renderSvg(shipped.map((s) => s.dot).join("")).split(/(?=<\?xml )/);
    expect(svgs).toHaveLength(shipped.length);
    const python = requireTool("/usr/bin/python3");
    const parse = spawnSync(python, ["-c", "import sys, json, xml.dom.minidom\nfor doc in json.load(sys.stdin): xml.dom.minidom.parseString(doc)\nprint('ok')"], { input: JSON.stringify(svgs), encoding: "utf8" });
    expect(parse.stderr).toBe("");
    expect(parse.stdout).toBe("ok\n");
    shipped.forEach((s, i) => {
      const seen = titles(svgs[i]);
      const written = texts(svgs[i]);
      expect(seen.has(s.name)).toBe(true);
      for (const n of s.diagram.nodes) {
        expect(seen.has(n.id)).toBe(true);
        for (const line of n.lines) expect(written.has(line)).toBe(true);
      }
      for (const e of s.diagram.edges) expect(seen.has(`${e.from}->${e.to}`)).toBe(true);
    });
  });

  it("refuses to run without dot, naming the package", () => {
    expect(() => dotCommand({ PATH: join(root, "no-such-directory") })).toThrow("dot is not installed: apt-get install graphviz");
  });
});

describe("the README's diagrams", () => {
  it.each(["production-aws", "production-do"])("docs/diagrams/%s.dot is what npm run diagram writes now, and the .svg beside it is its rendering", (name) => {
    const s = shipped.find((x) => x.name === name)!;
    const dot = join(root, "docs", "diagrams", `${name}.dot`);
    const svg = join(root, "docs", "diagrams", `${name}.svg`);
    const refresh = staleHint(`docs/diagrams/${name}.dot`);
    expect({ file: dot, upToDate: readFileSync(dot, "utf8") === s.dot, refresh }).toEqual({ file: dot, upToDate: true, refresh });
    // Graphviz's layout differs between its versions, so the SVG is held to the DOT's boxes and edges, not to its bytes.
    const seen = titles(readFileSync(svg, "utf8"));
    const expected = new Set([name, ...s.diagram.nodes.map((n) => n.id), ...s.diagram.edges.map((e) => `${e.from}->${e.to}`)]);
    const drawn = [...seen].filter((t) => !t.startsWith("cluster_")).sort();
    const svgRefresh = staleHint(`docs/diagrams/${name}.svg`);
    expect({ drawn, refresh: svgRefresh }).toEqual({ drawn: [...expected].sort(), refresh: svgRefresh });
    expect({ readmeShows: readFileSync(join(root, "README.md"), "utf8").includes(`(docs/diagrams/${name}.svg)`) }).toEqual({ readmeShows: true });
  });
});

describe("scripts/diagram.ts", () => {
  const register = join(root, "scripts", "register-ts.cjs");
  const run = (args: string[]) => spawnSync(process.execPath, ["--require", register, join(root, "scripts", "diagram.ts"), ...args], { cwd: root, encoding: "utf8", env: { ...process.env, CLOUDTIERS_STACKS: "" } });

  it("writes <stack>.dot and <stack>.svg for the stacks a pattern selects, and prints where", () => {
    requireTool("dot");
    const out = mkdtempSync(join(tmpdir(), "cloudtiers-diagram-script-"));
    try {
      const result = run(["--out", out, "dev-*"]);
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      const lines = result.stdout.trim().split("\n");
      expect(lines.map((l) => l.split(": ")[0])).toEqual(["dev-aws", "dev-do"]);
      for (const name of ["dev-aws", "dev-do"]) {
        expect(readFileSync(join(out, `${name}.dot`), "utf8")).toBe(shipped.find((s) => s.name === name)!.dot);
        expect(readFileSync(join(out, `${name}.svg`), "utf8")).toMatch(/^<\?xml [^]*<\/svg>\n$/);
      }
      expect(existsSync(join(out, "production-aws.svg"))).toBe(false);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("fails on a pattern that matches no stack, listing the stacks", () => {
    const none = run(["nope-*"]);
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('"nope-*" matches no stack; the stacks are dev-aws');
  });
});
