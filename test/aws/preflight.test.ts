import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { environments } from "../../environments";
import { AWS_PREFLIGHT, EIP_QUOTA, VPC_QUOTA, awsNeeds, instanceFamily, vcpuQuotaOf } from "../../modules/aws/preflight";
import { StackDocument } from "../../modules/policy/document";
import { withScratchSynth } from "../../modules/stacks/app";
import { cloudTiersStacks, writtenDocument } from "../../modules/stacks/policy";
import { runChecks } from "../../modules/stacks/preflight";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { AWS_COMPUTE_SIZES, AWS_POSTGRES_SIZES } from "../../modules/aws/sizes";
import { DEFAULTS } from "../../modules/core";
import { poolRoles } from "../../modules/django/topology";
import { TEST_CREDENTIALS } from "../fake-secrets-manager";
import { runScript } from "../tools";
import { AwsAccount, fakeAws } from "./fake-aws";
import { failoverOn } from "../../modules/django/spec";

/*
 * npm run preflight's AWS checks, made with the AWS SDK for JavaScript v3 against a local
 * AWS (AWS_ENDPOINT_URL) that serves each call in its service's protocol and checks its
 * SigV4 signature, service and region.
 */

/** The shipped AWS stack that asks most (production's shape: a NAT gateway per zone). */
const { name: STACK, doc, spec } = withScratchSynth(environments, ["*-aws"], (app) =>
  cloudTiersStacks(app)
    .map((s) => ({ name: s.node.id, spec: s.spec, doc: writtenDocument(app, s) }))
    .sort((a, b) => b.doc.resources("aws_eip").length - a.doc.resources("aws_eip").length)[0],
);
const needs = awsNeeds(doc, spec);
/** The beat pool the topology adds: one small host, whatever the spec. */
const BEAT_POOL = { size: "small", min: 1, max: 1 } as const;
const region = needs.region;
/** The disaster-recovery replica, where the stack has one (production's shape does). */
const dr = needs.disasterRecovery;
const ZONES = ["a", "b", "c", "d"].map((l) => `${region}${l}`);
const zones = ZONES.slice(0, needs.zoneCount);
const types = [...new Set(needs.pools.map((p) => p.instanceType))];
const vcpusOf = (t: string) => (t.includes("xlarge") ? 4 : 2);
/** The vCPUs the pools may run, an instance refresh at full scale included. */
const vcpuNeed = needs.pools.reduce((n, p) => n + Math.ceil((p.max * p.refreshPercent) / 100) * vcpusOf(p.instanceType), 0);

function account(overrides: Partial<AwsAccount> = {}): AwsAccount {
  return {
    account: spec.aws?.allowedAccountIds?.[0] ?? "123456789012",
    zones: ZONES,
    offerings: Object.fromEntries(types.map((t) => [t, ZONES])),
    vcpus: Object.fromEntries(types.map((t) => [t, vcpusOf(t)])),
    // 4 vCPUs elsewhere; a spot instance and one of the stack's own are not counted.
    instances: [{ type: "m5.xlarge", vcpus: 4 }, { type: "m5.xlarge", vcpus: 4, spot: true }, { type: types[0], vcpus: 2, group: needs.pools[0].name }],
    // Exactly enough: one vCPU less fails (a test says so).
    quotas: { "L-1216C47A": vcpuNeed + 4, [VPC_QUOTA.code]: 5 },
    // Never raised: only AWS's default answers.
    defaults: { [EIP_QUOTA.code]: 5 },
    addresses: ["someone-else", needs.elasticIps[0]],
    vpcs: ["default", needs.vpcs[0]],
    rds: Object.fromEntries(
      needs.databases.map((d) => [
        `${d.engine} ${d.instanceClass}`,
        [
          { version: "15.8", zones: ZONES, multiAz: true },
          { version: `${d.engineVersion}.4`, zones: ZONES, multiAz: true },
        ],
      ]),
    ),
    cacheVersions: Object.fromEntries(needs.caches.map((k) => [k.engine, [k.engineVersion]])),
    cacheNodeTypes: needs.caches.map((k) => k.nodeType),
    hostedZones: [
      { id: "Z0PRIVATE", name: `${spec.dnsZone}.`, private: true },
      { id: "Z1PUBLIC", name: `${spec.dnsZone}.`, private: false },
    ],
    nameServers: ["ns-1.awsdns-01.org", "ns-2.awsdns-02.com"],
    deny: [],
    throttle: {},
    ...overrides,
  };
}

const ENV = { AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };

async function preflight(a: AwsAccount, s: EnvironmentSpec = spec, d: StackDocument = doc) {
  const fake = fakeAws(a);
  const url = await fake.api.start();
  const lines: string[] = [];
  try {
    const failures = await runChecks(AWS_PREFLIGHT.groups({ spec: s, doc: d, env: { ...ENV, AWS_ENDPOINT_URL: url }, log: (l) => lines.push(`log ${l}`) }), (l) => lines.push(l));
    return { failures, lines, calls: fake.calls, unexpected: fake.api.unexpected, requests: fake.api.requests };
  } finally {
    await fake.api.stop();
  }
}

/** The stack with its pools' instance types swapped as `swap` says. */
function withPoolTypes(swap: Record<string, string>): StackDocument {
  const json = structuredClone(doc.json);
  for (const t of Object.values(json.resource.aws_launch_template as Record<string, { instance_type: string }>)) t.instance_type = swap[t.instance_type] ?? t.instance_type;
  return new StackDocument(json);
}

const check = (lines: string[], name: string) => {
  const i = lines.findIndex((l) => l.slice(8).startsWith(`${name}: `));
  return i < 0 ? "" : [lines[i], ...(lines[i + 1]?.startsWith("        fix:") ? [lines[i + 1]] : [])].join("\n");
};

describe("npm run preflight: AWS", () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

  it("reads what the stack needs from its synthesised JSON: zones, pools and their refresh, classes, NAT addresses, the zone, certificates", () => {
    expect(needs.zoneCount).toBe(spec.network?.zones ?? 2);
    expect(needs.zoneFilters).toEqual([
      { Name: "opt-in-status", Values: ["opt-in-not-required"] },
      { Name: "state", Values: ["available"] },
    ]);
    expect(needs.pools.map((p) => p.name).sort()).toEqual(doc.resources("aws_autoscaling_group").map((g) => g.config.name).sort());
    expect(needs.elasticIps).toHaveLength(spec.aws?.natGateways === "per-zone" ? needs.zoneCount : 1);
    // Derived from the spec through the size tables: a user's own sizes and counts hold too.
    const prefix = `${spec.application.name}-${spec.environment}`;
    expect(needs.pools.map((p) => [p.name, p.instanceType, p.max, p.refreshPercent])).toEqual(
      poolRoles(spec)
        .map((role) => {
          const pool = role === "beat" ? BEAT_POOL : spec.pools[role]!;
          // Launch before terminating (200%), except beat, which must never run twice (100%).
          return [`${prefix}-${role}`, AWS_COMPUTE_SIZES[pool.size], pool.max, role === "beat" ? 100 : 200];
        })
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    const pg = spec.postgres;
    const version = pg.version ?? DEFAULTS.postgres.version;
    expect(needs.databases.map((d) => [d.instanceClass, d.engine, d.engineVersion, d.multiAz])).toEqual([
      [AWS_POSTGRES_SIZES[pg.size], "postgres", version, pg.highAvailability ?? false],
      ...Array.from({ length: pg.replicas }, () => [AWS_POSTGRES_SIZES[pg.replicaSize ?? pg.size], "postgres", version, false]),
    ]);
    // CloudFront's certificates (the CDN's names and the failover page's) in us-east-1, the load balancer's in the region.
    if (spec.cdn && failoverOn(spec)) {
      expect(needs.certificates).toEqual([
        { region: "us-east-1", names: [...new Set([spec.cdn.mediaDomain, spec.cdn.staticDomain, spec.domain])].sort() },
        { region: spec.aws!.region, names: [spec.domain] },
      ]);
    }
    expect(needs.hostedZone).toEqual({ name: spec.dnsZone, created: false, id: undefined });
  });

  it("passes an account that can take the stack, each call signed for its service and region", async () => {
    const run = await preflight(account());
    expect(run.lines.filter((l) => l.includes("FAIL"))).toEqual([]);
    expect(run.lines.map((l) => l.slice(0, 8) + l.slice(8).split(":")[0])).toEqual([
      "AWS",
      ...["credentials", "availability zones", "instance types", "instance quota", "Elastic IP quota", "VPC quota", "database classes", ...(dr ? ["disaster-recovery region"] : []), "cache node types", "hosted zone", "certificate validation"].map(
        (c) => `  pass  ${c}`,
      ),
    ]);
    expect(check(run.lines, "credentials")).toBe(`  pass  credentials: arn:aws:iam::${account().account}:user/deployer, account ${account().account}`);
    // The first zones by name, though the API lists them in another order.
    expect(check(run.lines, "availability zones")).toBe(`  pass  availability zones: ${zones.join(", ")} of ${region}`);
    expect(check(run.lines, "instance quota")).toContain(`${vcpuNeed} vCPUs at most`);
    expect(check(run.lines, "instance quota")).toContain(`and 4 running elsewhere, of ${vcpuNeed + 4} (Running On-Demand Standard`);
    expect(check(run.lines, "Elastic IP quota")).toBe(`  pass  Elastic IP quota: ${needs.elasticIps.length} for the NAT gateways and 1 allocated elsewhere, of 5 (EC2-VPC Elastic IPs)`);
    expect(check(run.lines, "hosted zone")).toBe(`  pass  hosted zone: ${spec.dnsZone} (Z1PUBLIC), served by ns-1.awsdns-01.org, ns-2.awsdns-02.com: the registrar must delegate to these for the certificates to validate`);
    expect(run.unexpected).toEqual([]);
    const calls = run.calls.map((c) => `${c.service} ${c.region} ${c.action}`);
    expect(calls).toEqual([
      `sts ${region} GetCallerIdentity`,
      `ec2 ${region} DescribeAvailabilityZones`,
      `ec2 ${region} DescribeInstanceTypeOfferings`,
      `ec2 ${region} DescribeInstanceTypeOfferings`,
      `ec2 ${region} DescribeInstanceTypes`,
      `ec2 ${region} DescribeInstances`,
      `servicequotas ${region} GetServiceQuota`,
      `ec2 ${region} DescribeAddresses`,
      `servicequotas ${region} GetServiceQuota`,
      `servicequotas ${region} GetAWSDefaultServiceQuota`,
      `ec2 ${region} DescribeVpcs`,
      `servicequotas ${region} GetServiceQuota`,
      ...[...new Set(needs.databases.map((d) => d.instanceClass))].flatMap(() => [`rds ${region} DescribeOrderableDBInstanceOptions`, `rds ${region} DescribeOrderableDBInstanceOptions`]),
      // The disaster-recovery region's own: the replica's class there, and its VPC quota.
      ...(dr ? [`rds ${dr.region} DescribeOrderableDBInstanceOptions`, `rds ${dr.region} DescribeOrderableDBInstanceOptions`, `ec2 ${dr.region} DescribeVpcs`, `servicequotas ${dr.region} GetServiceQuota`] : []),
      ...needs.caches.flatMap(() => [`elasticache ${region} DescribeCacheEngineVersions`, `elasticache ${region} DescribeReservedCacheNodesOfferings`]),
      "route53 us-east-1 ListHostedZonesByName",
      "route53 us-east-1 GetHostedZone",
      ...[...new Set(needs.certificates.map((c) => c.region))].map((r) => `acm ${r} ListCertificates`),
    ]);
    // What each call asked for: the data source's filters, the pools' types in the chosen zones, the quotas by code.
    expect(run.calls[1].params).toMatchObject({ "Filter.1.Name": "opt-in-status", "Filter.1.Value.1": "opt-in-not-required", "Filter.2.Name": "state", "Filter.2.Value.1": "available" });
    expect(run.calls[2].params).toMatchObject({ LocationType: "availability-zone", "Filter.1.Name": "instance-type", "Filter.2.Name": "location", "Filter.2.Value.1": zones[0] });
    expect(run.calls[3].params).toMatchObject({ NextToken: "page-2" });
    expect(run.calls[6].params).toEqual({ ServiceCode: "ec2", QuotaCode: "L-1216C47A" });
    expect(run.calls[11].params).toEqual({ ServiceCode: "vpc", QuotaCode: VPC_QUOTA.code });
    expect(run.calls.find((c) => c.action === "DescribeOrderableDBInstanceOptions")!.params).toMatchObject({ Engine: "postgres", DBInstanceClass: needs.databases[0].instanceClass, Vpc: "true" });
    expect(run.calls.find((c) => c.action === "ListHostedZonesByName")!.params).toEqual({ dnsname: spec.dnsZone, maxitems: "10" });
    // Reads only: POST for the query and JSON protocols, GET for Route 53's REST.
    for (const r of run.requests) expect(r.method).toBe(r.url.startsWith("/2013-04-01/") ? "GET" : "POST");
  });

  it("fails a region with too few zones, and an instance type a zone does not offer", async () => {
    const few = await preflight(account({ zones: ZONES.slice(0, needs.zoneCount - 1) }));
    expect(check(few.lines, "availability zones")).toBe(
      `  FAIL  availability zones: ${region} has ${needs.zoneCount - 1} zones that need no opt-in (${ZONES.slice(0, needs.zoneCount - 1).join(", ")}); the stack spreads over ${needs.zoneCount}\n        fix: lower network.zones to ${needs.zoneCount - 1}, or choose a region with ${needs.zoneCount} zones`,
    );
    const missing = account();
    missing.offerings[types[0]] = ZONES.filter((z) => z !== zones[1]);
    expect(check((await preflight(missing)).lines, "instance types")).toBe(`  FAIL  instance types: ${types[0]} in ${zones[1]}: not offered\n        fix: choose instance types every zone offers (pools.<role>.size, or aws.sizes)`);
  });

  it("fails the vCPU quota one short, the Elastic IP and VPC quotas when others use them up", async () => {
    const short = account();
    short.quotas["L-1216C47A"] = vcpuNeed + 3;
    expect(check((await preflight(short)).lines, "instance quota")).toMatch(new RegExp(`FAIL  instance quota: ${vcpuNeed} vCPUs at most .* and 4 running elsewhere, of ${vcpuNeed + 3} .*: ask for ${vcpuNeed + 4} \\(Service Quotas, L-1216C47A\\)\n        fix: request the quota increase`));
    const crowded = account({ addresses: ["a", "b", "c", "d", "e"].slice(0, 6 - needs.elasticIps.length), vpcs: ["a", "b", "c", "d", "e"] });
    const run = await preflight(crowded);
    expect(check(run.lines, "Elastic IP quota")).toBe(
      `  FAIL  Elastic IP quota: ${needs.elasticIps.length} for the NAT gateways and ${6 - needs.elasticIps.length} allocated elsewhere, of 5 (EC2-VPC Elastic IPs)\n        fix: request 6 in Service Quotas (${EIP_QUOTA.code}), release unused addresses, or use aws.natGateways "single"`,
    );
    expect(check(run.lines, "VPC quota")).toContain(`FAIL  VPC quota: 1 for the stack and 5 others in ${region}, of 5 (VPCs per Region)`);
  });

  it("maps an instance type to its On-Demand vCPU quota by its family's series, multi-letter series and their own quotas included", () => {
    const STANDARD = "L-1216C47A";
    const expected: [string, string | null | undefined][] = [
      ...["t3.small", "m5.large", "c6i.xlarge", "c7i-flex.large", "r7iz.large", "a1.medium", "z1d.large", "h1.2xlarge", "d3en.xlarge", "i4i.large", "im4gn.large", "is4gen.medium"].map((t) => [t, STANDARD] as [string, string]),
      ["f2.12xlarge", "L-74FC7D96"],
      ...["g6.xlarge", "g5g.xlarge", "gr6.4xlarge", "vt1.3xlarge"].map((t) => [t, "L-DB2E81BA"] as [string, string]),
      ...["inf1.xlarge", "inf2.xlarge"].map((t) => [t, "L-1945791B"] as [string, string]),
      ...["p5.48xlarge", "p6-b200.48xlarge"].map((t) => [t, "L-417A185B"] as [string, string]),
      ...["x2iedn.xlarge", "x8g.large"].map((t) => [t, "L-7295265B"] as [string, string]),
      ...["dl1.24xlarge", "dl2q.24xlarge"].map((t) => [t, "L-6E869C2A"] as [string, string]),
      ...["trn1.2xlarge", "trn2.48xlarge"].map((t) => [t, "L-2C3B7624"] as [string, string]),
      ...["u-6tb1.56xlarge", "u7i-12tb.224xlarge", "u7in-16tb.224xlarge"].map((t) => [t, "L-43DA4232"] as [string, string]),
      ...["hpc6a.48xlarge", "hpc7g.4xlarge"].map((t) => [t, "L-F7808C92"] as [string, string]),
      // Dedicated Hosts only: no On-Demand vCPU quota.
      ...["mac1.metal", "mac2-m2pro.metal", "mac-m4.metal"].map((t) => [t, null] as [string, null]),
      // Families preflight does not know, and no instance type at all.
      ...["zz9.large", "q1.large", "m5", "m.large", ""].map((t) => [t, undefined] as [string, undefined]),
    ];
    expect(expected.map(([t]) => [t, vcpuQuotaOf(t) === null ? null : vcpuQuotaOf(t)?.code])).toEqual(expected);
    expect(["im4gn.large", "u-6tb1.56xlarge", "p6-b200.48xlarge", "mac2-m2pro.metal"].map(instanceFamily)).toEqual([
      { family: "im4gn", series: "im" },
      { family: "u-6tb1", series: "u" },
      { family: "p6-b200", series: "p" },
      { family: "mac2-m2pro", series: "mac" },
    ]);
  });

  it("counts a pool of im4gn.large, and running instances of multi-letter series, against the quota they belong to", async () => {
    const doc4 = withPoolTypes(Object.fromEntries(types.map((t) => [t, "im4gn.large"])));
    const need = needs.pools.reduce((n, p) => n + Math.ceil((p.max * p.refreshPercent) / 100) * 2, 0);
    const a = account({ offerings: { "im4gn.large": ZONES }, vcpus: { "im4gn.large": 2 } });
    // Standard's: 4 (m5.xlarge) and 4 (im4gn.xlarge); Trn's and a Mac's are not.
    a.instances.push({ type: "im4gn.xlarge", vcpus: 4 }, { type: "trn1.2xlarge", vcpus: 8 }, { type: "mac2.metal", vcpus: 12 });
    a.quotas["L-1216C47A"] = need + 8;
    const run = await preflight(a, spec, doc4);
    expect(check(run.lines, "instance quota")).toMatch(new RegExp(`^  pass  instance quota: ${need} vCPUs at most \\(.*im4gn\\.large.*\\) and 8 running elsewhere, of ${need + 8} \\(Running On-Demand Standard \\(A, C, D, H, I, M, R, T, Z\\) instances\\)$`));
    expect(run.calls.filter((c) => c.action === "GetServiceQuota").map((c) => c.params.QuotaCode)).toContain("L-1216C47A");
    a.quotas["L-1216C47A"] = need + 7;
    expect(check((await preflight(a, spec, doc4)).lines, "instance quota")).toContain(`FAIL  instance quota: ${need} vCPUs at most`);
  });

  it("fails a pool of a type whose quota preflight does not know, naming it, and a pool of Mac instances", async () => {
    expect(types.length).toBeGreaterThanOrEqual(2);
    const swapped = withPoolTypes({ [types[0]]: "zz9.large", [types[1]]: "mac2.metal" });
    const a = account({ offerings: { "zz9.large": ZONES, "mac2.metal": ZONES, ...Object.fromEntries(types.map((t) => [t, ZONES])) }, vcpus: { "zz9.large": 2, "mac2.metal": 12, ...Object.fromEntries(types.map((t) => [t, vcpusOf(t)])) } });
    expect(check((await preflight(a, spec, swapped)).lines, "instance quota")).toBe(
      "  FAIL  instance quota: preflight does not know which On-Demand vCPU quota zz9.large counts against; mac2.metal runs only on Dedicated Hosts, which the pools do not allocate\n" +
        "        fix: add the family's series and the quota Service Quotas (Amazon EC2) counts it against to VCPU_QUOTAS in modules/aws/preflight.ts, or choose another instance type (pools.<role>.size, or aws.sizes)",
    );
  });

  it("does not drop running instances of a series whose quota preflight does not know: fails where they could tip a quota over, names them where they could not", async () => {
    const a = account();
    a.instances.push({ type: "zz9.xlarge", vcpus: 4 });
    const tight = check((await preflight(a)).lines, "instance quota");
    expect(tight).toMatch(new RegExp(`^  FAIL  instance quota: ${vcpuNeed} vCPUs at most .* and 4 running elsewhere, of ${vcpuNeed + 4} \\(Running On-Demand Standard .*\\), and ${vcpuNeed + 8} should zz9\\.xlarge count against it; 4 vCPUs more run as zz9\\.xlarge, whose quota preflight does not know\n`));
    expect(tight).toMatch(/\n {8}fix: find the quota zz9\.xlarge count against \(Service Quotas, Amazon EC2\) and add the series to VCPU_QUOTAS in modules\/aws\/preflight\.ts, then run preflight again$/);
    a.quotas["L-1216C47A"] = vcpuNeed + 8;
    expect(check((await preflight(a)).lines, "instance quota")).toMatch(
      new RegExp(`^  pass  instance quota: .* and 4 running elsewhere, of ${vcpuNeed + 8} \\(Running On-Demand Standard .*\\); 4 vCPUs more run as zz9\\.xlarge, whose quota preflight does not know: counted against any of these, they would not exceed it$`),
    );
  });

  it("fails a database class a zone lacks or a version it does not run", async () => {
    const a = account();
    const d = needs.databases[0];
    a.rds[`${d.engine} ${d.instanceClass}`] = [{ version: `${d.engineVersion}.4`, zones: ZONES.filter((z) => z !== zones[0]), multiAz: true }];
    const run = await preflight(a);
    expect(check(run.lines, "database classes")).toContain(`FAIL  database classes: ${d.name}: ${d.instanceClass} is not offered in ${zones[0]}`);
    const old = account();
    old.rds[`${d.engine} ${d.instanceClass}`] = [{ version: "15.8", zones: ZONES, multiAz: true }];
    expect(check((await preflight(old)).lines, "database classes")).toContain(`${d.instanceClass} with ${d.engine} ${d.engineVersion} is not offered`);
  });

  it("checks the disaster-recovery region on its own: fails a replica class it does not offer, and a VPC quota its network would pass", async () => {
    const drSpec = { ...spec, aws: { ...spec.aws!, disasterRecoveryRegion: "eu-central-1", disasterRecoveryCidr: "10.131.0.0/16" } };
    const drDoc = spec.aws?.disasterRecoveryRegion ? doc : withScratchSynth([{ ...drSpec, terraformCloud: undefined }], ["*-aws"], (app) => writtenDocument(app, cloudTiersStacks(app)[0]));
    const drNeeds = awsNeeds(drDoc, drSpec).disasterRecovery!;
    expect(drNeeds).toMatchObject({ region: drDoc === doc ? spec.aws!.disasterRecoveryRegion : "eu-central-1", engine: "postgres", vpc: `${drNeeds.name}` });
    const ok = await preflight(account(), drSpec, drDoc);
    expect(check(ok.lines, "disaster-recovery region")).toBe(`  pass  disaster-recovery region: ${drNeeds.instanceClass} (postgres ${drNeeds.engineVersion}) is offered in ${drNeeds.region}; its VPC and 2 others fit the quota of 5`);
    const missing = await preflight(account({ regionRds: { [drNeeds.region]: {} } }), drSpec, drDoc);
    expect(check(missing.lines, "disaster-recovery region")).toContain(`FAIL  disaster-recovery region: ${drNeeds.name}: ${drNeeds.instanceClass} with postgres ${drNeeds.engineVersion} is not offered in ${drNeeds.region}`);
    const full = await preflight(account({ quotas: { ...account().quotas, [VPC_QUOTA.code]: 2 } }), drSpec, drDoc);
    expect(check(full.lines, "disaster-recovery region")).toContain(`its VPC and 2 others in ${drNeeds.region} exceed 2 (VPCs per Region)`);
  }, 60000);

  it("fails a cache engine version the region does not run, and skips a node type with no reserved offering, saying what to confirm by hand", async () => {
    const k = needs.caches[0];
    const doubt = `ElastiCache sells no reserved ${k.nodeType} nodes in ${region}, and no other call of its lists a region's node types: whether the region runs it is not told`;
    const unreserved = await preflight(account({ cacheNodeTypes: [] }));
    expect(unreserved.failures).toBe(0);
    expect(check(unreserved.lines, "cache node types")).toBe(
      `  skip  cache node types: ${doubt}\n        fix: confirm by hand that ${region} offers ${k.nodeType} (ElastiCache User Guide, Supported node types, or the console's node types for the region), or choose a type with a reserved offering there (cache.size, or aws.sizes): one the region lacks fails the apply`,
    );
    const old = await preflight(account({ cacheVersions: {}, cacheNodeTypes: [] }));
    expect(check(old.lines, "cache node types")).toBe(
      `  FAIL  cache node types: ${needs.caches.map((c) => `${c.name}: ${c.engine} ${c.engineVersion} is not offered`).join("; ")}; ${doubt}\n        fix: choose a node type and engine version ElastiCache offers in the region (cache.size, or aws.sizes)`,
    );
  });

  it("fails a missing public hosted zone, and credentials of an account the stack does not allow", async () => {
    const run = await preflight(account({ hostedZones: [{ id: "Z0PRIVATE", name: `${spec.dnsZone}.`, private: true }] }));
    expect(check(run.lines, "hosted zone")).toBe(
      `  FAIL  hosted zone: no public hosted zone ${spec.dnsZone} in this account\n        fix: create it (Route 53, Hosted zones) and delegate the domain to its name servers, or set createDnsZone: true`,
    );
    const guarded = { ...spec, aws: { ...spec.aws!, allowedAccountIds: ["999999999999"] } };
    expect(check((await preflight(account({ account: "123456789012" }), guarded)).lines, "credentials")).toBe(
      "  FAIL  credentials: arn:aws:iam::123456789012:user/deployer is in account 123456789012, not one of aws.allowedAccountIds (999999999999)\n        fix: use credentials of the stack's own account: the provider refuses any other",
    );
  });

  it("fails expired credentials with AWS's words, skipping the rest, and names a call the credentials may not make", async () => {
    const expired = await preflight(account({ refuse: "ExpiredToken" }));
    expect(expired.lines.slice(1, 3)).toEqual([
      "  FAIL  credentials: AWS refused the credentials (403 ExpiredToken: The security token included in the request is expired)",
      "        fix: the credentials are expired, revoked or mistyped: renew them (aws sso login, or new access keys) and set them",
    ]);
    expect(expired.lines.slice(3).every((l) => l.startsWith("  skip"))).toBe(true);
    expect(expired.calls).toHaveLength(1);
    const denied = await preflight(account({ deny: ["servicequotas.GetServiceQuota"] }));
    expect(check(denied.lines, "instance quota")).toBe(
      "  FAIL  instance quota: the credentials may not read this (403 AccessDeniedException: User is not authorized to perform: servicequotas:GetServiceQuota)\n        fix: give them the read-only permissions docs/preflight.md lists",
    );
  });

  it("is throttled (429) and tries again, as the SDK does", async () => {
    const run = await preflight(account({ throttle: { "ec2.DescribeAvailabilityZones": 1, "servicequotas.GetServiceQuota": 2 } }));
    expect(run.failures).toBe(0);
    expect(run.calls.filter((c) => c.action === "DescribeAvailabilityZones")).toHaveLength(2);
    // Two throttled tries, then the stack region's three quotas, and the disaster-recovery region's VPC quota where there is one.
    expect(run.calls.filter((c) => c.action === "GetServiceQuota")).toHaveLength(5 + (dr ? 1 : 0));
  });
});

describe("npm run preflight, the command, on AWS", () => {
  const command = (args: string[], env: Record<string, string>) => runScript("preflight", args, env);

  it("exits 2 without credentials, having called nothing, and 0 when the account can take the stack", async () => {
    const fake = fakeAws(account());
    const url = await fake.api.start();
    const home = mkdtempSync(join(tmpdir(), "cloudtiers-preflight-home-"));
    try {
      // No keys, no profile, no instance role to be found.
      const none = await command([STACK], { HOME: home, AWS_EC2_METADATA_DISABLED: "true", AWS_ENDPOINT_URL: url });
      expect(none.status).toBe(2);
      expect(none.stderr).toMatch(new RegExp(`^preflight: ${STACK}: no AWS credentials \\(.*\\): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY \\(docs/preflight.md\\)\n$`));
      expect(fake.api.requests).toEqual([]);
      const ok = await command([STACK], { HOME: home, AWS_EC2_METADATA_DISABLED: "true", AWS_ENDPOINT_URL: url, AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey });
      expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: "" });
      expect(ok.stdout.trim().split("\n").at(-1)).toBe(`preflight: ${STACK}: every check passed`);
    } finally {
      await fake.api.stop();
      rmSync(home, { recursive: true, force: true });
    }
  }, 60000);
});
