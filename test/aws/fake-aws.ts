import { FakeApi, Recorded } from "../fake-api";
import { TEST_CREDENTIALS } from "../fake-secrets-manager";
import { checkSignature } from "../sigv4";

/*
 * A local AWS for npm run preflight: one endpoint (AWS_ENDPOINT_URL) serving exactly the
 * read calls the AWS checks make, each in its service's protocol (EC2's query, RDS's,
 * ElastiCache's and STS's query, Service Quotas' and ACM's JSON, Route 53's REST XML), and
 * checking each request as AWS would: a SigV4 signature by the test's key, for the service
 * and region the call belongs to. It can refuse the key, deny a call, and throttle.
 */

export interface AwsAccount {
  account: string;
  zones: string[];
  /** Instance type → the zones offering it. */
  offerings: Record<string, string[]>;
  vcpus: Record<string, number>;
  /** Instances running elsewhere in the account. */
  instances: { type: string; vcpus: number; spot?: boolean; group?: string }[];
  /** Applied quota values by code; a code missing here has only AWS's default (`defaults`). */
  quotas: Record<string, number>;
  defaults: Record<string, number>;
  /** Elastic IPs allocated, by Name tag. */
  addresses: string[];
  /** VPCs, by Name tag. */
  vpcs: string[];
  /** `<engine> <class>` → the orderable options. */
  rds: Record<string, { version: string; zones: string[]; multiAz: boolean }[]>;
  /** Another region's orderable options, where they differ from `rds` (the disaster-recovery region's). */
  regionRds?: Record<string, AwsAccount["rds"]>;
  cacheVersions: Record<string, string[]>;
  cacheNodeTypes: string[];
  hostedZones: { id: string; name: string; private: boolean }[];
  nameServers: string[];
  /** An error name every call answers with (credentials AWS does not take). */
  refuse?: string;
  /** Calls (`Service.Action`) answered with access denied. */
  deny: string[];
  /** Calls throttled (429) that many times before their answer. */
  throttle: Record<string, number>;
}

export interface AwsCall {
  readonly service: string;
  readonly region: string;
  readonly action: string;
  readonly params: Record<string, unknown>;
}

const SERVICE_OF: Record<string, string> = { ServiceQuotasV20190624: "servicequotas", CertificateManager: "acm" };
const xml = (tag: string, inner: string) => `<${tag}>${inner}</${tag}>`;
const items = (values: string[], wrap: (v: string) => string) => values.map((v) => xml("item", wrap(v))).join("");
const tagSet = (name?: string, group?: string) =>
  xml("tagSet", [...(name ? [["Name", name]] : []), ...(group ? [["aws:autoscaling:groupName", group]] : [])].map(([k, v]) => xml("item", xml("key", k) + xml("value", v))).join(""));

/** The call a request makes: its service (from the signature's scope), region and action, with its parameters. */
function callOf(r: Recorded, service: string, region: string): AwsCall {
  if (r.headers["x-amz-target"]) {
    const [prefix, action] = String(r.headers["x-amz-target"]).split(".");
    return { service: SERVICE_OF[prefix] ?? prefix, region, action, params: JSON.parse(r.body || "{}") };
  }
  if (service === "route53") {
    const url = new URL(r.url, "http://fake");
    const action = url.pathname === "/2013-04-01/hostedzonesbyname" ? "ListHostedZonesByName" : url.pathname.startsWith("/2013-04-01/hostedzone/") ? "GetHostedZone" : `${r.method} ${url.pathname}`;
    return { service, region, action, params: { ...Object.fromEntries(url.searchParams), ...(action === "GetHostedZone" ? { Id: url.pathname.split("/").pop() } : {}) } };
  }
  const params = Object.fromEntries(new URLSearchParams(r.body));
  const { Action, Version, ...rest } = params;
  return { service, region, action: Action, params: { ...rest, Version } };
}

export function fakeAws(a: AwsAccount) {
  const calls: AwsCall[] = [];
  const error = (service: string, status: number, code: string, message: string) => {
    if (service === "servicequotas" || service === "acm") return { status, body: { __type: code, message }, headers: { "x-amzn-errortype": code, "content-type": "application/x-amz-json-1.1" } };
    if (service === "ec2") return { status, body: `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>r1</RequestID></Response>` };
    return { status, body: `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r1</RequestId></ErrorResponse>` };
  };
  const json = (body: unknown) => ({ body, headers: { "content-type": "application/x-amz-json-1.1" } });
  const query = (action: string, result: string) => ({ body: `<?xml version="1.0" encoding="UTF-8"?><${action}Response>${xml(`${action}Result`, result)}<ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></${action}Response>` });
  const ec2 = (action: string, result: string) => ({ body: `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r1</requestId>${result}</${action}Response>` });
  const quota = (code: string, applied: boolean) => {
    const value = applied ? a.quotas[code] : a.defaults[code];
    if (value === undefined) return error("servicequotas", 400, "NoSuchResourceException", `The request failed because the specified service quota ${code} does not exist.`);
    return json({ Quota: { QuotaCode: code, Value: value, QuotaName: code } });
  };
  const values = (p: Record<string, unknown>, prefix: string) => Object.entries(p).filter(([k]) => k.startsWith(prefix)).map(([, v]) => String(v));
  const filter = (p: Record<string, unknown>, name: string) => {
    const i = Object.entries(p).find(([k, v]) => /^Filter\.\d+\.Name$/.test(k) && v === name)?.[0].split(".")[1];
    return i ? values(p, `Filter.${i}.Value.`) : undefined;
  };

  function answer(call: AwsCall) {
    const p = call.params;
    switch (`${call.service}.${call.action}`) {
      case "sts.GetCallerIdentity":
        return query("GetCallerIdentity", xml("Arn", `arn:aws:iam::${a.account}:user/deployer`) + xml("UserId", "AIDAEXAMPLE") + xml("Account", a.account));
      case "ec2.DescribeAvailabilityZones":
        return ec2("DescribeAvailabilityZones", xml("availabilityZoneInfo", items([...a.zones].reverse(), (z) => xml("zoneName", z) + xml("zoneState", "available"))));
      case "ec2.DescribeInstanceTypeOfferings": {
        const types = filter(p, "instance-type") ?? [];
        const locations = filter(p, "location") ?? [];
        const found = types.flatMap((t) => (a.offerings[t] ?? []).filter((z) => locations.includes(z)).map((z) => [t, z]));
        // Two pages, the second by NextToken.
        const half = p.NextToken ? found.slice(Math.ceil(found.length / 2)) : found.slice(0, Math.ceil(found.length / 2));
        return ec2("DescribeInstanceTypeOfferings", xml("instanceTypeOfferingSet", half.map(([t, z]) => xml("item", xml("instanceType", t) + xml("locationType", "availability-zone") + xml("location", z))).join("")) + (p.NextToken ? "" : xml("nextToken", "page-2")));
      }
      case "ec2.DescribeInstanceTypes":
        return ec2("DescribeInstanceTypes", xml("instanceTypeSet", items(values(p, "InstanceType."), (t) => xml("instanceType", t) + xml("vCpuInfo", xml("defaultVCpus", String(a.vcpus[t]))))));
      case "ec2.DescribeInstances":
        return ec2(
          "DescribeInstances",
          xml(
            "reservationSet",
            xml("item", xml("reservationId", "r-1") + xml("instancesSet", a.instances.map((i) => xml("item", xml("instanceType", i.type) + (i.spot ? xml("instanceLifecycle", "spot") : "") + xml("cpuOptions", xml("coreCount", String(i.vcpus / 2)) + xml("threadsPerCore", "2")) + tagSet(undefined, i.group))).join(""))),
          ),
        );
      case "ec2.DescribeAddresses":
        return ec2("DescribeAddresses", xml("addressesSet", items(a.addresses, (n) => xml("publicIp", "203.0.113.1") + tagSet(n))));
      case "ec2.DescribeVpcs":
        return ec2("DescribeVpcs", xml("vpcSet", items(a.vpcs, (n) => xml("vpcId", "vpc-1") + xml("cidrBlock", "10.0.0.0/16") + tagSet(n))));
      case "servicequotas.GetServiceQuota":
        return quota(String(p.QuotaCode), true);
      case "servicequotas.GetAWSDefaultServiceQuota":
        return quota(String(p.QuotaCode), false);
      case "rds.DescribeOrderableDBInstanceOptions": {
        const options = (a.regionRds?.[call.region] ?? a.rds)[`${p.Engine} ${p.DBInstanceClass}`] ?? [];
        const page = p.Marker ? options.slice(1) : options.slice(0, 1);
        const option = (o: (typeof options)[number]) =>
          xml("OrderableDBInstanceOption", xml("Engine", String(p.Engine)) + xml("EngineVersion", o.version) + xml("DBInstanceClass", String(p.DBInstanceClass)) + xml("MultiAZCapable", String(o.multiAz)) + xml("AvailabilityZones", o.zones.map((z) => xml("AvailabilityZone", xml("Name", z))).join("")));
        return query("DescribeOrderableDBInstanceOptions", xml("OrderableDBInstanceOptions", page.map(option).join("")) + (!p.Marker && options.length > 1 ? xml("Marker", "m2") : ""));
      }
      case "elasticache.DescribeCacheEngineVersions": {
        const found = (a.cacheVersions[String(p.Engine)] ?? []).filter((v) => v === p.EngineVersion);
        return query("DescribeCacheEngineVersions", xml("CacheEngineVersions", found.map((v) => xml("CacheEngineVersion", xml("Engine", String(p.Engine)) + xml("EngineVersion", v))).join("")));
      }
      case "elasticache.DescribeReservedCacheNodesOfferings": {
        const found = a.cacheNodeTypes.includes(String(p.CacheNodeType));
        return query("DescribeReservedCacheNodesOfferings", xml("ReservedCacheNodesOfferings", found ? xml("ReservedCacheNodesOffering", xml("ReservedCacheNodesOfferingId", "o1") + xml("CacheNodeType", String(p.CacheNodeType))) : ""));
      }
      case "route53.ListHostedZonesByName": {
        const zone = (z: AwsAccount["hostedZones"][number]) => xml("HostedZone", xml("Id", `/hostedzone/${z.id}`) + xml("Name", z.name) + xml("CallerReference", "c") + xml("Config", xml("PrivateZone", String(z.private))));
        const listed = a.hostedZones.filter((z) => z.name >= `${p.dnsname}.`);
        return { body: `<?xml version="1.0"?><ListHostedZonesByNameResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">${xml("HostedZones", listed.map(zone).join(""))}${xml("DNSName", String(p.dnsname))}${xml("IsTruncated", "false")}${xml("MaxItems", String(p.maxitems))}</ListHostedZonesByNameResponse>` };
      }
      case "route53.GetHostedZone": {
        const z = a.hostedZones.find((h) => h.id === p.Id);
        if (!z) return error("route53", 404, "NoSuchHostedZone", `No hosted zone found with ID: ${p.Id}`);
        return {
          body: `<?xml version="1.0"?><GetHostedZoneResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">${xml("HostedZone", xml("Id", `/hostedzone/${z.id}`) + xml("Name", z.name) + xml("CallerReference", "c"))}${xml("DelegationSet", xml("NameServers", a.nameServers.map((n) => xml("NameServer", n)).join("")))}</GetHostedZoneResponse>`,
        };
      }
      case "acm.ListCertificates":
        return json({ CertificateSummaryList: [] });
      default:
        return undefined;
    }
  }

  const api: FakeApi = new FakeApi({}, (r) => {
    const signature = checkSignature(r, TEST_CREDENTIALS.secretAccessKey);
    if (!signature || signature.accessKeyId !== TEST_CREDENTIALS.accessKeyId || !signature.valid) {
      return error(signature?.service ?? "sts", 403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");
    }
    const call = callOf(r, signature.service, signature.region);
    calls.push(call);
    const name = `${call.service}.${call.action}`;
    if (a.refuse) return error(call.service, call.service === "ec2" ? 401 : 403, a.refuse, "The security token included in the request is expired");
    if (a.deny.includes(name)) return error(call.service, 403, call.service === "ec2" ? "UnauthorizedOperation" : call.service === "servicequotas" || call.service === "acm" ? "AccessDeniedException" : "AccessDenied", `User is not authorized to perform: ${call.service}:${call.action}`);
    if ((a.throttle[name] ?? 0) > 0) {
      a.throttle[name] -= 1;
      return error(call.service, 429, call.service === "ec2" ? "RequestLimitExceeded" : call.service === "servicequotas" || call.service === "acm" ? "ThrottlingException" : "Throttling", "Rate exceeded");
    }
    const answered = answer(call);
    if (!answered) {
      api.unexpected.push(name);
      return error(call.service, 400, "InvalidAction", `not implemented here: ${name}`);
    }
    return answered;
  });
  return { api, calls };
}
