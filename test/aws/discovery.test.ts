import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AWS_CLI, groupHostsScript } from "../../modules/aws/host-delivery";
import { FakeApi, Recorded } from "../fake-api";
import { TEST_CREDENTIALS } from "../fake-secrets-manager";
import { requireTool } from "../required-tools";
import { checkSignature } from "../sigv4";
import { runCommand } from "../tools";

/*
 * The web hosts' list of the app hosts (nginx-balanced layout), run as they run it: sh and
 * the AWS CLI (Debian's, pointed at a local endpoint), the instance metadata service played
 * by the same local server. It implements exactly the calls the script makes (IMDSv2's token
 * and placement, Auto Scaling's DescribeAutoScalingGroups, EC2's DescribeInstances) and
 * checks each request's SigV4 signature for its service and region.
 */

const GROUP = "shop-staging-app";
const ZONE = "eu-west-1a";
const IMDS_TOKEN = "imds-token-1";

interface Instance {
  id: string;
  zone: string;
  state: string;
  health: string;
  ip: string;
}

const INSTANCES: Instance[] = [
  { id: "i-0aaa", zone: "eu-west-1a", state: "InService", health: "Healthy", ip: "10.0.1.5" },
  { id: "i-0bbb", zone: "eu-west-1a", state: "Pending:Wait", health: "Healthy", ip: "10.0.1.6" },
  { id: "i-0ccc", zone: "eu-west-1b", state: "InService", health: "Healthy", ip: "10.0.2.9" },
  { id: "i-0ddd", zone: "eu-west-1b", state: "Terminating:Wait", health: "Healthy", ip: "10.0.2.10" },
  { id: "i-0eee", zone: "eu-west-1a", state: "InService", health: "Unhealthy", ip: "10.0.1.7" },
];

const xml = (tag: string, inner: string) => `<${tag}>${inner}</${tag}>`;

/** The CLI's environment: the test's key (the instance role's, on a host), no configuration files. */
const cliEnv = (home: string) => ({
  PATH: "/usr/bin:/bin",
  HOME: home,
  AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
  AWS_MAX_ATTEMPTS: "3",
});

describe("the app hosts' list (AWS: the group's hosts in service, through the instance role)", () => {
  let work: string;
  let api: FakeApi;
  let script: string;
  let base: string;
  let group: Instance[] = INSTANCES;
  let deny = false;
  const calls: { service: string; region: string; action: string; params: Record<string, string> }[] = [];

  const aws = (_: URL, r: Recorded) => {
    const signature = checkSignature(r, TEST_CREDENTIALS.secretAccessKey);
    const params = Object.fromEntries(new URLSearchParams(r.body));
    if (!signature?.valid) return { status: 403, body: xml("ErrorResponse", xml("Error", xml("Code", "SignatureDoesNotMatch") + xml("Message", "bad signature"))) };
    calls.push({ service: signature.service, region: signature.region, action: params.Action, params });
    if (signature.service === "autoscaling" && params.Action === "DescribeAutoScalingGroups") {
      const members = group.map((i) => xml("member", xml("InstanceId", i.id) + xml("AvailabilityZone", i.zone) + xml("LifecycleState", i.state) + xml("HealthStatus", i.health) + xml("ProtectedFromScaleIn", "false")));
      const found = params["AutoScalingGroupNames.member.1"] === GROUP ? xml("member", xml("AutoScalingGroupName", GROUP) + xml("Instances", members.join(""))) : "";
      return { body: `<?xml version="1.0"?><DescribeAutoScalingGroupsResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/">${xml("DescribeAutoScalingGroupsResult", xml("AutoScalingGroups", found))}${xml("ResponseMetadata", xml("RequestId", "r1"))}</DescribeAutoScalingGroupsResponse>` };
    }
    if (signature.service === "ec2" && params.Action === "DescribeInstances") {
      if (deny) return { status: 403, body: `<?xml version="1.0"?><Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>r2</RequestID></Response>` };
      const ids = Object.entries(params).filter(([k]) => /^InstanceId\.\d+$/.test(k)).map(([, v]) => v);
      const items = INSTANCES.filter((i) => ids.includes(i.id)).map((i) => xml("item", xml("instanceId", i.id) + xml("privateIpAddress", i.ip) + xml("placement", xml("availabilityZone", i.zone))));
      return { body: `<?xml version="1.0"?><DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r2</requestId>${xml("reservationSet", xml("item", xml("reservationId", "r-1") + xml("instancesSet", items.join(""))))}</DescribeInstancesResponse>` };
    }
    return { status: 400, body: xml("ErrorResponse", xml("Error", xml("Code", "InvalidAction") + xml("Message", String(params.Action)))) };
  };
  const imds = (value: string) => (_: URL, r: Recorded) => (r.headers["x-aws-ec2-metadata-token"] === IMDS_TOKEN ? { body: value } : { status: 401, body: "" });

  beforeAll(async () => {
    const cli = requireTool("/usr/bin/aws");
    requireTool("curl");
    work = mkdtempSync(join(tmpdir(), "cloudtiers-aws-discovery-"));
    api = new FakeApi(
      {
        "PUT /latest/api/token": (_, r) => (r.headers["x-aws-ec2-metadata-token-ttl-seconds"] ? { body: IMDS_TOKEN } : { status: 400, body: "" }),
        "GET /latest/meta-data/placement/region": imds("eu-west-1"),
        "GET /latest/meta-data/placement/availability-zone": imds(ZONE),
        "POST /": aws,
      },
      () => undefined,
    );
    base = await api.start();
    // The hosts' CLI, pointed at the local endpoint: the same arguments, one more.
    writeFileSync(join(work, "aws"), `#!/bin/sh\nexec ${cli} --endpoint-url ${base} "$@"\n`);
    chmodSync(join(work, "aws"), 0o755);
    script = join(work, "list");
    writeFileSync(script, groupHostsScript(GROUP).replace(`aws=${AWS_CLI}`, `aws=${join(work, "aws")}`).replace(/http:\/\/169\.254\.169\.254/g, base));
  });

  afterAll(async () => {
    await api.stop();
    rmSync(work, { recursive: true, force: true });
  });

  beforeEach(() => {
    calls.length = 0;
    group = INSTANCES;
    deny = false;
  });

  const list = () => runCommand("/bin/sh", [script, "/run/cloudtiers/host.env"], { env: cliEnv(work) });

  it("prints the InService, healthy hosts' private addresses, near in this host's zone and far in another", async () => {
    const run = await list();
    expect(run).toMatchObject({ status: 0, stdout: "10.0.1.5 near\n10.0.2.9 far\n" });
    expect(calls.map((c) => [c.service, c.region, c.action])).toEqual([
      ["autoscaling", "eu-west-1", "DescribeAutoScalingGroups"],
      ["ec2", "eu-west-1", "DescribeInstances"],
    ]);
    expect(calls[0].params).toMatchObject({ "AutoScalingGroupNames.member.1": GROUP });
    // Only the hosts in service are looked up.
    expect(Object.entries(calls[1].params).filter(([k]) => k.startsWith("InstanceId.")).map(([, v]) => v).sort()).toEqual(["i-0aaa", "i-0ccc"]);
    expect(api.unexpected).toEqual([]);
  }, 30000);

  it("prints nothing, and asks nothing more, when the group has no host in service", async () => {
    group = INSTANCES.filter((i) => i.state !== "InService");
    expect(await list()).toMatchObject({ status: 0, stdout: "" });
    expect(calls.map((c) => c.action)).toEqual(["DescribeAutoScalingGroups"]);
  }, 30000);

  it("fails, printing no host, when the group does not exist (not an empty pool: nginx keeps the hosts it has)", async () => {
    writeFileSync(join(work, "other"), groupHostsScript("shop-staging-gone").replace(`aws=${AWS_CLI}`, `aws=${join(work, "aws")}`).replace(/http:\/\/169\.254\.169\.254/g, base));
    const run = await runCommand("/bin/sh", [join(work, "other"), "/run/cloudtiers/host.env"], { env: cliEnv(work) });
    expect(run).toMatchObject({ status: 1, stdout: "", stderr: "cloudtiers-list-app-hosts: no autoscaling group shop-staging-gone\n" });
    expect(calls.map((c) => c.action)).toEqual(["DescribeAutoScalingGroups"]);
  }, 30000);

  it("fails, printing no host, when the role may not describe the instances (never an empty list nginx would take)", async () => {
    deny = true;
    const run = await list();
    expect(run.status).not.toBe(0);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("UnauthorizedOperation");
  }, 30000);
});
