/* eslint-disable @typescript-eslint/no-require-imports -- the SDK clients load only when an AWS stack is checked */
import type { _InstanceType } from "@aws-sdk/client-ec2";
import type { ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { StackDocument } from "../policy/document";
import { Check, CheckGroup, CloudPreflight, Outcome, PreflightContext, fail, pass, sdkError, skip } from "../stacks/preflight";
import { EnvironmentSpec } from "../stacks/spec";

/*
 * What an AWS stack needs of its account, read from the synthesised stack, and the
 * read-only calls (AWS SDK for JavaScript v3, one client per service, loaded here only)
 * that tell whether the account has it. AWS_ENDPOINT_URL points every client elsewhere.
 */

/** A pool: its instance type and the most instances it may run, an instance refresh included. */
interface PoolNeed {
  readonly name: string;
  readonly instanceType: string;
  readonly max: number;
  /** The instance refresh's maximum healthy percentage: it launches new instances before it stops old ones. */
  readonly refreshPercent: number;
}

export interface AwsNeeds {
  readonly region: string;
  /** How many zones the subnets spread over: the first ones of the region, by name, that the data source lists. */
  readonly zoneCount: number;
  /** The filters of the stack's `aws_availability_zones` data source. */
  readonly zoneFilters: readonly { readonly Name: string; readonly Values: string[] }[];
  readonly pools: readonly PoolNeed[];
  readonly databases: readonly { readonly name: string; readonly instanceClass: string; readonly engine: string; readonly engineVersion: string; readonly multiAz: boolean }[];
  readonly caches: readonly { readonly name: string; readonly nodeType: string; readonly engine: string; readonly engineVersion: string }[];
  /** Elastic IPs (one per NAT gateway), by Name tag. */
  readonly elasticIps: readonly string[];
  /** VPCs, by Name tag. */
  readonly vpcs: readonly string[];
  /** The hosted zone: looked up by name, given by id, or created by the stack. */
  readonly hostedZone: { readonly name: string; readonly id?: string; readonly created: boolean };
  /** The certificates' regions and names. */
  readonly certificates: readonly { readonly region: string; readonly names: readonly string[] }[];
  /** The disaster-recovery replica (`aws.disasterRecoveryRegion`): its region, its class and engine, its VPC's Name tag. @default - none */
  readonly disasterRecovery?: { readonly region: string; readonly name: string; readonly instanceClass: string; readonly engine: string; readonly engineVersion: string; readonly vpc: string };
}

const nameTag = (c: Record<string, unknown>) => ((c.tags as Record<string, string> | undefined)?.Name ?? "") as string;

/** Reads what the stack needs from its synthesised JSON. */
export function awsNeeds(doc: StackDocument, spec: EnvironmentSpec): AwsNeeds {
  const region = doc.providerRegion("aws")!;
  const regionOf = (provider: string | undefined) => doc.providerRegion("aws", provider)!;
  // The stack's region only: a disaster-recovery region's resources (another provider) are not checked here (docs/preflight.md).
  const here = <T extends { config: { provider?: string } }>(resources: T[]) => resources.filter((r) => regionOf(r.config.provider) === region);
  const zoneData = Object.values((doc.json.data?.aws_availability_zones ?? {}) as Record<string, { filter?: { name: string; values: string[] }[]; state?: string; provider?: string }>).find((z) => regionOf(z.provider) === region);
  const zoneIndices = here(doc.resources("aws_subnet")).map((s) => Number(/names, (\d+)\)/.exec(String(s.config.availability_zone))?.[1] ?? 0));
  const templates = new Map(doc.resources("aws_launch_template").map((t) => [t.address, t.config.instance_type as string]));
  const pools = doc.resources("aws_autoscaling_group").map(({ config: c }) => ({
    name: c.name,
    instanceType: templates.get(/^\$\{(aws_launch_template\.[^.]+)\.id\}$/.exec(c.launch_template.id)![1])!,
    max: Number(c.max_size),
    refreshPercent: Number(c.instance_refresh?.preferences?.max_healthy_percentage ?? 100),
  }));
  const instances = doc.resources("aws_db_instance");
  const primaryOf = (c: Record<string, string>) => instances.find((i) => c.replicate_source_db === `\${${i.address}.identifier}` || c.replicate_source_db === `\${${i.address}.arn}`)?.config ?? c;
  const elsewhere = instances.find((i) => regionOf(i.config.provider) !== region);
  const drVpc = doc.resources("aws_vpc").find((v) => elsewhere && v.config.provider === elsewhere.config.provider);
  const disasterRecovery = elsewhere && {
    region: regionOf(elsewhere.config.provider),
    name: elsewhere.config.identifier,
    instanceClass: elsewhere.config.instance_class,
    engine: primaryOf(elsewhere.config).engine,
    engineVersion: String(primaryOf(elsewhere.config).engine_version),
    vpc: drVpc ? nameTag(drVpc.config) : "",
  };
  const databases = here(instances).map(({ config: c }) => ({
    name: c.identifier,
    instanceClass: c.instance_class,
    engine: primaryOf(c).engine,
    engineVersion: String(primaryOf(c).engine_version),
    multiAz: c.multi_az === true || c.multi_az === "true",
  }));
  const caches = doc.resources("aws_elasticache_replication_group").map(({ config: c }) => ({ name: c.replication_group_id, nodeType: c.node_type, engine: c.engine, engineVersion: String(c.engine_version) }));
  const lookedUp = Object.values((doc.json.data?.aws_route53_zone ?? {}) as Record<string, { name?: string; zone_id?: string }>)[0];
  const created = doc.resources("aws_route53_zone")[0];
  const hostedZone = created
    ? { name: created.config.name, created: true }
    : spec.aws?.hostedZoneId
      ? { name: spec.dnsZone, id: spec.aws.hostedZoneId, created: false }
      : { name: lookedUp?.name ?? spec.dnsZone, id: lookedUp?.zone_id, created: false };
  const certificates = doc.resources("aws_acm_certificate").map(({ config: c }) => ({ region: regionOf(c.provider), names: [c.domain_name, ...(c.subject_alternative_names ?? [])] }));
  return {
    region,
    zoneCount: Math.max(0, ...zoneIndices) + 1,
    zoneFilters: [...(zoneData?.filter ?? []).map((f) => ({ Name: f.name, Values: f.values })), ...(zoneData?.state ? [{ Name: "state", Values: [zoneData.state] }] : [])],
    pools,
    databases,
    caches,
    elasticIps: doc.resources("aws_eip").map((e) => nameTag(e.config)),
    vpcs: here(doc.resources("aws_vpc")).map((v) => nameTag(v.config)),
    hostedZone,
    certificates,
    ...(disasterRecovery ? { disasterRecovery } : {}),
  };
}

/** One of EC2's On-Demand vCPU quotas (Service Quotas, service `ec2`). */
export interface VcpuQuota {
  readonly code: string;
  readonly name: string;
}

const STANDARD: VcpuQuota = { code: "L-1216C47A", name: "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances" };

/**
 * Which On-Demand vCPU quota an instance type's running instances count against, by the
 * series of its family (see `vcpuQuotaOf`): the ten quotas AWS lists (Amazon EC2 User Guide,
 * "On-Demand Instance quotas"; the codes as Service Quotas names them). `im` and `is` are
 * I-family storage types (Standard), `gr` is of the G family (G and VT). `null`: the series
 * counts against none, as Mac instances run only on Dedicated Hosts, counted by the hosts'
 * quotas. A series missing here is one preflight does not know.
 */
export const VCPU_QUOTAS: ReadonlyMap<string, VcpuQuota | null> = new Map<string, VcpuQuota | null>([
  ...["a", "c", "d", "h", "i", "im", "is", "m", "r", "t", "z"].map((s) => [s, STANDARD] as const),
  ["f", { code: "L-74FC7D96", name: "Running On-Demand F instances" }],
  ...["g", "gr", "vt"].map((s) => [s, { code: "L-DB2E81BA", name: "Running On-Demand G and VT instances" }] as const),
  ["inf", { code: "L-1945791B", name: "Running On-Demand Inf instances" }],
  ["p", { code: "L-417A185B", name: "Running On-Demand P instances" }],
  ["x", { code: "L-7295265B", name: "Running On-Demand X instances" }],
  ["dl", { code: "L-6E869C2A", name: "Running On-Demand DL instances" }],
  ["trn", { code: "L-2C3B7624", name: "Running On-Demand Trn instances" }],
  ["u", { code: "L-43DA4232", name: "Running On-Demand High Memory instances" }],
  ["hpc", { code: "L-F7808C92", name: "Running On-Demand HPC instances" }],
  ["mac", null],
]);

/**
 * An instance type's family, the part before the '.' (`im4gn`, `u-6tb1`, `p6-b200`,
 * `mac2-m2pro`, `c7i-flex`), and its series, the family's leading letters before the
 * generation or a '-' (`im`, `u`, `p`, `mac`, `c`); undefined when the type is not of that form.
 */
export function instanceFamily(instanceType: string): { family: string; series: string } | undefined {
  const m = /^(([a-z]+)[0-9-][a-z0-9-]*)\.[a-z0-9-]+$/.exec(instanceType);
  return m ? { family: m[1], series: m[2] } : undefined;
}

/** The On-Demand vCPU quota an instance type counts against; `null` for none (Mac); undefined when preflight does not know it. */
export function vcpuQuotaOf(instanceType: string): VcpuQuota | null | undefined {
  const series = instanceFamily(instanceType)?.series;
  return series === undefined ? undefined : VCPU_QUOTAS.get(series);
}

export const EIP_QUOTA = { service: "ec2", code: "L-0263D0A3", name: "EC2-VPC Elastic IPs" };
export const VPC_QUOTA = { service: "vpc", code: "L-F678F1CE", name: "VPCs per Region" };

const list = (items: readonly string[]) => items.join(", ");

/**
 * The disaster-recovery region's part: RDS offers the replica's class there for the
 * engine's version (in some zone: its subnet group's zones are the region's first two), and
 * the region's VPC quota takes its network.
 */
function disasterRecoveryCheck(dr: NonNullable<AwsNeeds["disasterRecovery"]>, context: PreflightContext): Check {
  return {
    name: "disaster-recovery region",
    async run() {
      const c = clients(context, dr.region);
      const problems: string[] = [];
      if (ofVersion(await orderableOptions(c.rds(), dr.engine, dr.instanceClass), dr.engineVersion).length === 0) {
        problems.push(`${dr.name}: ${dr.instanceClass} with ${dr.engine} ${dr.engineVersion} is not offered in ${dr.region}`);
      }
      const { others, quota } = await vpcRoom(c, [dr.vpc]);
      if (others + 1 > quota) problems.push(`its VPC and ${others} others in ${dr.region} exceed ${quota} (${VPC_QUOTA.name})`);
      if (problems.length > 0) {
        return fail(problems.join("; "), `choose a class RDS offers there (postgres.replicaSize, or aws.sizes), request more VPCs in ${dr.region} (${VPC_QUOTA.code}), or another aws.disasterRecoveryRegion`);
      }
      return pass(`${dr.instanceClass} (${dr.engine} ${dr.engineVersion}) is offered in ${dr.region}; its VPC and ${others} others fit the quota of ${quota}`);
    },
  };
}

type OrderableOption = { EngineVersion?: string; MultiAZCapable?: boolean; AvailabilityZones?: { Name?: string }[] };

/** Every option RDS offers for `engine` on `instanceClass` in the client's region, page by page. */
async function orderableOptions(rds: ReturnType<ReturnType<typeof clients>["rds"]>, engine: string, instanceClass: string): Promise<OrderableOption[]> {
  const { DescribeOrderableDBInstanceOptionsCommand } = require("@aws-sdk/client-rds") as typeof import("@aws-sdk/client-rds");
  const options: OrderableOption[] = [];
  let Marker: string | undefined;
  do {
    const page = await rds.send(new DescribeOrderableDBInstanceOptionsCommand({ Engine: engine, DBInstanceClass: instanceClass, Vpc: true, Marker }));
    options.push(...(page.OrderableDBInstanceOptions ?? []));
    Marker = page.Marker;
  } while (Marker);
  return options;
}

/** The options of a version: a major version ("16") matches its minor versions ("16.4"). */
function ofVersion(options: readonly OrderableOption[], version: string): OrderableOption[] {
  return options.filter((o) => o.EngineVersion === version || o.EngineVersion?.startsWith(`${version}.`));
}

/** The client's region's VPCs other than the stack's (by Name tag), and its VPC quota. */
async function vpcRoom(c: ReturnType<typeof clients>, own: readonly string[]): Promise<{ others: number; quota: number }> {
  const { DescribeVpcsCommand } = require("@aws-sdk/client-ec2") as typeof import("@aws-sdk/client-ec2");
  const vpcs = (await c.ec2().send(new DescribeVpcsCommand({}))).Vpcs ?? [];
  const others = vpcs.filter((v) => !(v.Tags ?? []).some((t) => t.Key === "Name" && own.includes(t.Value ?? ""))).length;
  return { others, quota: await quotaValue(c.quotas(), VPC_QUOTA.service, VPC_QUOTA.code) };
}

/** The SDK clients of one region, made with the context's credentials and endpoint. */
function clients(context: PreflightContext, region: string) {
  const env = context.env;
  const config = {
    region,
    ...(env.AWS_ENDPOINT_URL ? { endpoint: env.AWS_ENDPOINT_URL } : {}),
    ...(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN || undefined } }
      : {}),
  };
  return {
    sts: () => new (require("@aws-sdk/client-sts") as typeof import("@aws-sdk/client-sts")).STSClient(config),
    ec2: () => new (require("@aws-sdk/client-ec2") as typeof import("@aws-sdk/client-ec2")).EC2Client(config),
    quotas: () => new (require("@aws-sdk/client-service-quotas") as typeof import("@aws-sdk/client-service-quotas")).ServiceQuotasClient(config),
    rds: () => new (require("@aws-sdk/client-rds") as typeof import("@aws-sdk/client-rds")).RDSClient(config),
    elasticache: () => new (require("@aws-sdk/client-elasticache") as typeof import("@aws-sdk/client-elasticache")).ElastiCacheClient(config),
    route53: () => new (require("@aws-sdk/client-route-53") as typeof import("@aws-sdk/client-route-53")).Route53Client({ ...config, region: "us-east-1" }),
    acm: (certificateRegion: string) => new (require("@aws-sdk/client-acm") as typeof import("@aws-sdk/client-acm")).ACMClient({ ...config, region: certificateRegion }),
  };
}

/** A quota's value for the account: the applied one, else AWS's default (a quota never raised has no applied value in some accounts). */
async function quotaValue(client: ServiceQuotasClient, service: string, code: string): Promise<number> {
  const sq = require("@aws-sdk/client-service-quotas") as typeof import("@aws-sdk/client-service-quotas");
  try {
    return (await client.send(new sq.GetServiceQuotaCommand({ ServiceCode: service, QuotaCode: code }))).Quota!.Value!;
  } catch (e) {
    if (!(e instanceof sq.NoSuchResourceException)) throw e;
    return (await client.send(new sq.GetAWSDefaultServiceQuotaCommand({ ServiceCode: service, QuotaCode: code }))).Quota!.Value!;
  }
}

/** Every page of an EC2 call that pages with NextToken. */
async function pages<T extends { NextToken?: string }>(page: (token: string | undefined) => Promise<T>): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const answer = await page(token);
    all.push(answer);
    token = answer.NextToken;
  } while (token);
  return all;
}

/** The checks of an AWS stack with the account's credentials. */
export function awsChecks(needs: AwsNeeds, spec: EnvironmentSpec, context: PreflightContext): Check[] {
  const c = clients(context, needs.region);
  const ec2Sdk = () => require("@aws-sdk/client-ec2") as typeof import("@aws-sdk/client-ec2");
  const ec2 = c.ec2();
  const quotas = c.quotas();
  let zones: string[] = [];
  const types = [...new Set(needs.pools.map((p) => p.instanceType))];
  return [
    {
      name: "credentials",
      gate: true,
      async run() {
        const { GetCallerIdentityCommand } = require("@aws-sdk/client-sts") as typeof import("@aws-sdk/client-sts");
        const who = await c.sts().send(new GetCallerIdentityCommand({}));
        const allowed = spec.aws?.allowedAccountIds;
        if (allowed && !allowed.includes(who.Account!)) {
          return fail(`${who.Arn} is in account ${who.Account}, not one of aws.allowedAccountIds (${list(allowed)})`, "use credentials of the stack's own account: the provider refuses any other");
        }
        return pass(`${who.Arn}, account ${who.Account}`);
      },
    },
    {
      name: "availability zones",
      async run() {
        const answer = await ec2.send(new (ec2Sdk().DescribeAvailabilityZonesCommand)({ Filters: needs.zoneFilters.map((f) => ({ Name: f.Name, Values: [...f.Values] })) }));
        // As the provider's data source orders them: by name.
        const available = (answer.AvailabilityZones ?? []).map((z) => z.ZoneName!).sort();
        zones = available.slice(0, needs.zoneCount);
        if (available.length < needs.zoneCount) {
          return fail(`${needs.region} has ${available.length} zones that need no opt-in (${list(available)}); the stack spreads over ${needs.zoneCount}`, `lower network.zones to ${available.length}, or choose a region with ${needs.zoneCount} zones`);
        }
        return pass(`${list(zones)} of ${needs.region}`);
      },
    },
    {
      name: "instance types",
      async run() {
        const { DescribeInstanceTypeOfferingsCommand } = ec2Sdk();
        const offered = (
          await pages((NextToken) =>
            ec2.send(
              new DescribeInstanceTypeOfferingsCommand({
                LocationType: "availability-zone",
                Filters: [
                  { Name: "instance-type", Values: types },
                  { Name: "location", Values: zones },
                ],
                NextToken,
              }),
            ),
          )
        ).flatMap((p) => p.InstanceTypeOfferings ?? []);
        const missing = types.flatMap((t) => zones.filter((z) => !offered.some((o) => o.InstanceType === t && o.Location === z)).map((z) => `${t} in ${z}`));
        if (missing.length > 0) return fail(`${list(missing)}: not offered`, "choose instance types every zone offers (pools.<role>.size, or aws.sizes)");
        return pass(`${list(types)} in each of ${list(zones)}`);
      },
    },
    {
      name: "instance quota",
      async run() {
        const { DescribeInstanceTypesCommand, DescribeInstancesCommand } = ec2Sdk();
        const vcpus = new Map(((await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: types as _InstanceType[] }))).InstanceTypes ?? []).map((t) => [t.InstanceType as string, t.VCpuInfo?.DefaultVCpus ?? 0]));
        const unknown = types.filter((t) => vcpuQuotaOf(t) === undefined);
        const hosted = types.filter((t) => vcpuQuotaOf(t) === null);
        if (unknown.length > 0 || hosted.length > 0) {
          return fail(
            [
              ...(unknown.length > 0 ? [`preflight does not know which On-Demand vCPU quota ${list(unknown)} ${unknown.length > 1 ? "count" : "counts"} against`] : []),
              ...(hosted.length > 0 ? [`${list(hosted)} ${hosted.length > 1 ? "run" : "runs"} only on Dedicated Hosts, which the pools do not allocate`] : []),
            ].join("; "),
            `${unknown.length > 0 ? "add the family's series and the quota Service Quotas (Amazon EC2) counts it against to VCPU_QUOTAS in modules/aws/preflight.ts, or " : ""}choose another instance type (pools.<role>.size, or aws.sizes)`,
          );
        }
        const running = (
          await pages((NextToken) => ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: "instance-state-name", Values: ["pending", "running"] }], NextToken })))
        )
          .flatMap((p) => p.Reservations ?? [])
          .flatMap((r) => r.Instances ?? [])
          // Spot instances count against other quotas; the stack's own instances are in its need already.
          .filter((i) => i.InstanceLifecycle !== "spot" && !(i.Tags ?? []).some((t) => t.Key === "aws:autoscaling:groupName" && needs.pools.some((p) => p.name === t.Value)));
        const vcpusOf = (instances: typeof running) => instances.reduce((n, i) => n + (i.CpuOptions?.CoreCount ?? 0) * (i.CpuOptions?.ThreadsPerCore ?? 1), 0);
        // Instances of a series preflight knows no quota of count against one it cannot tell: named, and a doubt wherever they could tip a quota over.
        const unmapped = running.filter((i) => vcpuQuotaOf(i.InstanceType ?? "") === undefined);
        const unmappedVcpus = vcpusOf(unmapped);
        const unmappedTypes = list([...new Set(unmapped.map((i) => i.InstanceType || "an instance of no type"))]);
        const problems: string[] = [];
        const doubts: string[] = [];
        const details: string[] = [];
        for (const quota of [...new Set(types.map((t) => vcpuQuotaOf(t)!))]) {
          const ours = needs.pools.filter((p) => vcpuQuotaOf(p.instanceType) === quota);
          const need = ours.reduce((n, p) => n + Math.ceil((p.max * p.refreshPercent) / 100) * (vcpus.get(p.instanceType) ?? 0), 0);
          const used = vcpusOf(running.filter((i) => vcpuQuotaOf(i.InstanceType ?? "") === quota));
          const value = await quotaValue(quotas, "ec2", quota.code);
          const text = `${need} vCPUs at most (${ours.map((p) => `${p.name} ${p.max}×${p.instanceType}${p.refreshPercent > 100 ? ` ×${p.refreshPercent}% in a refresh` : ""}`).join(", ")}) and ${used} running elsewhere, of ${value} (${quota.name})`;
          if (need + used > value) problems.push(`${text}: ask for ${need + used} (Service Quotas, ${quota.code})`);
          else if (need + used + unmappedVcpus > value) doubts.push(`${text}, and ${need + used + unmappedVcpus} should ${unmappedTypes} count against it`);
          else details.push(text);
        }
        const unmappedNote = unmapped.length > 0 ? [`${unmappedVcpus} vCPUs more run as ${unmappedTypes}, whose quota preflight does not know`] : [];
        if (problems.length > 0) return fail([...problems, ...doubts, ...unmappedNote].join("; "), "request the quota increase in Service Quotas (Amazon EC2), or lower the pools' max");
        if (doubts.length > 0) {
          return fail(
            [...doubts, ...unmappedNote].join("; "),
            `find the quota ${unmappedTypes} count against (Service Quotas, Amazon EC2) and add the series to VCPU_QUOTAS in modules/aws/preflight.ts, then run preflight again`,
          );
        }
        return pass([...details, ...unmappedNote.map((n) => `${n}: counted against any of these, they would not exceed it`)].join("; "));
      },
    },
    {
      name: "Elastic IP quota",
      async run() {
        const addresses = (await ec2.send(new (ec2Sdk().DescribeAddressesCommand)({}))).Addresses ?? [];
        const others = addresses.filter((a) => !(a.Tags ?? []).some((t) => t.Key === "Name" && needs.elasticIps.includes(t.Value ?? "")));
        const value = await quotaValue(quotas, EIP_QUOTA.service, EIP_QUOTA.code);
        const detail = `${needs.elasticIps.length} for the NAT gateways and ${others.length} allocated elsewhere, of ${value} (${EIP_QUOTA.name})`;
        if (needs.elasticIps.length + others.length > value) return fail(detail, `request ${needs.elasticIps.length + others.length} in Service Quotas (${EIP_QUOTA.code}), release unused addresses, or use aws.natGateways "single"`);
        return pass(detail);
      },
    },
    {
      name: "VPC quota",
      async run() {
        const { others, quota: value } = await vpcRoom(c, needs.vpcs);
        const detail = `${needs.vpcs.length} for the stack and ${others} others in ${needs.region}, of ${value} (${VPC_QUOTA.name})`;
        if (needs.vpcs.length + others > value) return fail(detail, `request ${needs.vpcs.length + others} in Service Quotas (${VPC_QUOTA.code}), or delete an unused VPC`);
        return pass(detail);
      },
    },
    {
      name: "database classes",
      async run() {
        const rds = c.rds();
        const problems: string[] = [];
        const seen = new Map<string, OrderableOption[]>();
        for (const d of needs.databases) {
          const key = `${d.engine} ${d.instanceClass}`;
          if (!seen.has(key)) seen.set(key, await orderableOptions(rds, d.engine, d.instanceClass));
          const forVersion = ofVersion(seen.get(key)!, d.engineVersion);
          const missingZones = zones.filter((z) => !forVersion.some((o) => (o.AvailabilityZones ?? []).some((a) => a.Name === z)));
          if (forVersion.length === 0) problems.push(`${d.name}: ${d.instanceClass} with ${d.engine} ${d.engineVersion} is not offered`);
          else if (missingZones.length > 0) problems.push(`${d.name}: ${d.instanceClass} is not offered in ${list(missingZones)}`);
          else if (d.multiAz && !forVersion.some((o) => o.MultiAZCapable)) problems.push(`${d.name}: ${d.instanceClass} cannot be Multi-AZ`);
        }
        if (problems.length > 0) return fail(problems.join("; "), "choose a class RDS offers for the engine version in every zone (postgres.size, or aws.sizes)");
        return pass(list([...new Set(needs.databases.map((d) => `${d.instanceClass} (${d.engine} ${d.engineVersion})`))]) + ` in each of ${list(zones)}`);
      },
    },
    ...(needs.disasterRecovery ? [disasterRecoveryCheck(needs.disasterRecovery, context)] : []),
    {
      name: "cache node types",
      async run() {
        const ec = require("@aws-sdk/client-elasticache") as typeof import("@aws-sdk/client-elasticache");
        const client = c.elasticache();
        const problems: string[] = [];
        const untold: string[] = [];
        for (const k of needs.caches) {
          const versions = (await client.send(new ec.DescribeCacheEngineVersionsCommand({ Engine: k.engine, EngineVersion: k.engineVersion }))).CacheEngineVersions ?? [];
          if (versions.length === 0) problems.push(`${k.name}: ${k.engine} ${k.engineVersion} is not offered`);
          // ElastiCache has no call that lists the node types a region runs (no orderable options, as RDS has): one it sells
          // reserved nodes of is one it runs, but a type sold only on demand has no reserved offering, so none does not tell.
          const offerings = (await client.send(new ec.DescribeReservedCacheNodesOfferingsCommand({ CacheNodeType: k.nodeType, MaxRecords: 20 }))).ReservedCacheNodesOfferings ?? [];
          if (offerings.length === 0) untold.push(k.nodeType);
        }
        const unsure = [...new Set(untold)];
        const doubt = `ElastiCache sells no reserved ${list(unsure)} nodes in ${needs.region}, and no other call of its lists a region's node types: whether the region runs ${unsure.length > 1 ? "them" : "it"} is not told`;
        if (problems.length > 0) return fail([...problems, ...(unsure.length > 0 ? [doubt] : [])].join("; "), "choose a node type and engine version ElastiCache offers in the region (cache.size, or aws.sizes)");
        if (unsure.length > 0) {
          return skip(doubt, `confirm by hand that ${needs.region} offers ${list(unsure)} (ElastiCache User Guide, Supported node types, or the console's node types for the region), or choose a type with a reserved offering there (cache.size, or aws.sizes): one the region lacks fails the apply`);
        }
        return pass(list(needs.caches.map((k) => `${k.nodeType} (${k.engine} ${k.engineVersion})`)) + ` in ${needs.region}`);
      },
    },
    {
      name: "hosted zone",
      async run() {
        const r53 = require("@aws-sdk/client-route-53") as typeof import("@aws-sdk/client-route-53");
        const client = c.route53();
        const zone = needs.hostedZone;
        if (zone.created) return pass(`the stack creates ${zone.name}: delegate the domain to the name servers it outputs`);
        let id = zone.id;
        if (!id) {
          const found = ((await client.send(new r53.ListHostedZonesByNameCommand({ DNSName: zone.name, MaxItems: 10 }))).HostedZones ?? []).find((z) => z.Name === `${zone.name}.` && !z.Config?.PrivateZone);
          if (!found) return fail(`no public hosted zone ${zone.name} in this account`, `create it (Route 53, Hosted zones) and delegate the domain to its name servers, or set createDnsZone: true`);
          id = found.Id!;
        }
        const got = await client.send(new r53.GetHostedZoneCommand({ Id: id }));
        if (got.HostedZone?.Name !== `${zone.name}.`) return fail(`aws.hostedZoneId ${id} is the zone of ${got.HostedZone?.Name}, not of ${zone.name}`, `give the id of ${zone.name}'s public zone`);
        return pass(`${zone.name} (${id.replace("/hostedzone/", "")}), served by ${list(got.DelegationSet?.NameServers ?? [])}: the registrar must delegate to these for the certificates to validate`);
      },
    },
    {
      name: "certificate validation",
      async run() {
        const { ListCertificatesCommand } = require("@aws-sdk/client-acm") as typeof import("@aws-sdk/client-acm");
        const outside = needs.certificates.flatMap((cert) => cert.names).filter((n) => n !== needs.hostedZone.name && !n.endsWith(`.${needs.hostedZone.name}`));
        if (outside.length > 0) return fail(`${list(outside)} outside ${needs.hostedZone.name}: ACM validates by DNS records in that zone`, "keep domain and cdn names within dnsZone");
        const regions = [...new Set(needs.certificates.map((cert) => cert.region))];
        for (const region of regions) {
          const acm = c.acm(region);
          await acm.send(new ListCertificatesCommand({ MaxItems: 1 }));
        }
        return pass(`ACM answers in ${list(regions)}; the validation records go in ${needs.hostedZone.name}`);
      },
    },
  ];
}

/** Error names of credentials AWS does not take. */
const REFUSED = ["InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException", "AuthFailure", "UnrecognizedClientException", "InvalidAccessKeyId", "InvalidSignatureException"];
const DENIED = ["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException"];

function explainAws(error: unknown): Outcome | undefined {
  const e = sdkError(error);
  if (!e) {
    // No credentials at all reach here as the SDK's CredentialsProviderError (no $metadata).
    if (error instanceof Error && error.name === "CredentialsProviderError") return fail(`no AWS credentials: ${error.message}`, "set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
    return undefined;
  }
  const said = `${e.status ?? ""} ${e.name}: ${e.message}`.trim();
  if (REFUSED.includes(e.name)) return fail(`AWS refused the credentials (${said})`, "the credentials are expired, revoked or mistyped: renew them (aws sso login, or new access keys) and set them");
  if (DENIED.includes(e.name)) return fail(`the credentials may not read this (${said})`, "give them the read-only permissions docs/preflight.md lists");
  return fail(`AWS answered ${said}`, "try again later; see health.aws.amazon.com");
}

export const AWS_PREFLIGHT: CloudPreflight = {
  async missingCredentials(env) {
    if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return undefined;
    // A profile, SSO, a web identity or an instance role: as the SDK finds them, calling no AWS API.
    const { STSClient } = require("@aws-sdk/client-sts") as typeof import("@aws-sdk/client-sts");
    const client = new STSClient({ region: "us-east-1" });
    try {
      await client.config.credentials();
      return undefined;
    } catch (e) {
      return `no AWS credentials (${e instanceof Error ? e.message : String(e)}): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (docs/preflight.md)`;
    } finally {
      client.destroy();
    }
  },
  groups(context) {
    return [{ title: "AWS", checks: awsChecks(awsNeeds(context.doc, context.spec), context.spec, context), explain: explainAws } satisfies CheckGroup];
  },
};
