import { formatIssue } from "../../modules/core/errors";
import { validateTopology } from "../../modules/django/validate";
import { DjangoTopologyProps } from "../../modules/django/spec";
import { ENVIRONMENT_FIELDS, validateEnvironment } from "../../modules/stacks/validate";
import { environments } from "../../environments";
import { production } from "../../environments/production";
import { specWith } from "../helpers";

/** The problems of `spec` as users read them. */
function problems(spec: DjangoTopologyProps): string[] {
  return validateTopology(spec).map(formatIssue);
}

describe("spec validation", () => {
  it("accepts every shipped environment", () => {
    for (const spec of environments) expect(validateEnvironment(spec)).toEqual([]);
  });

  const cases: [string, Partial<DjangoTopologyProps>, string[]][] = [
    ["too many replicas", { postgres: { ...production.postgres, replicas: 9 } }, ["dev: postgres.replicas must be a whole number between 0 and 5, got 9"]],
    ["an unknown size", { cache: { size: "huge" as never, highAvailability: false } }, ['dev: cache.size must be one of "small", "medium", "large", "xlarge", got "huge"']],
    ["min above max", { pools: { web: { size: "small", min: 4, max: 2 }, worker: { size: "small", min: 0, max: 1 } } }, ["dev: pools.web.max must be at least pools.web.min (4), got 2"]],
    ["an unknown layout", { layout: "mesh" as never }, ['dev: layout must be one of "colocated", "split", "nginx-balanced", got "mesh"']],
    [
      "split without an app pool",
      { layout: "split" },
      ["dev: pools.app is required"],
    ],
    [
      "an app pool in the colocated layout",
      { pools: { web: { size: "small", min: 1, max: 1 }, app: { size: "small", min: 1, max: 1 }, worker: { size: "small", min: 0, max: 1 } } },
      ['dev: pools.app is only used by the "split" and "nginx-balanced" layouts, but layout is "colocated"'],
    ],
    ["a domain outside the zone", { domain: "www.example.org" }, ['dev: domain must be inside the DNS zone "example.com", got "www.example.org"']],
    ["a malformed domain", { domain: "Shop.Example.com" }, ['dev: domain must be a lower-case domain name such as "www.example.com", got "Shop.Example.com"']],
    ["a misaligned CIDR", { network: { cidr: "10.0.0.1/16" } }, ['dev: network.cidr must be an IPv4 CIDR block such as "10.0.0.0/16", got "10.0.0.1/16"']],
    ["a VPC too small for its subnets", { network: { cidr: "10.0.0.0/24" } }, ['dev: network.cidr must be a /16 to /19 block, got "10.0.0.0/24"']],
    ["a health path without a slash", { healthCheckPath: "healthz" }, ['dev: healthCheckPath must be an absolute URL path such as "/healthz", got "healthz"']],
    [
      "an image reference that is not one",
      { application: { ...production.application, image: "ghcr.io/acme/Shop:latest tag" } },
      ['dev: application.image must be a container image reference such as "ghcr.io/acme/shop:1.4.2", got "ghcr.io/acme/Shop:latest tag"'],
    ],
    [
      "an invalid environment variable name",
      { application: { ...production.application, settings: { "feature-flag": "on" } } },
      ['dev: application.settings.feature-flag must be named like an environment variable (A-Z, 0-9, _; not starting with a digit), got "feature-flag"'],
    ],
    [
      "a setting the topology owns",
      { application: { ...production.application, settings: { DATABASE_URL: "postgres://elsewhere" } } },
      ["dev: application.settings.DATABASE_URL is set by the topology itself and cannot be overridden"],
    ],
    [
      "a worker concurrency of 0",
      { pools: { web: { size: "small", min: 1, max: 1 }, worker: { size: "small", min: 0, max: 1, concurrency: 0 } } },
      ["dev: pools.worker.concurrency must be a whole number between 1 and 64, got 0"],
    ],
    [
      "a worker stop timeout shorter than a warm shutdown can be",
      { pools: { web: { size: "small", min: 1, max: 1 }, worker: { size: "small", min: 0, max: 1, stopTimeoutSeconds: 5 } } },
      ["dev: pools.worker.stopTimeoutSeconds must be a whole number between 10 and 3600, got 5"],
    ],
    [
      "a name prefix too long for the clouds' resource names",
      { application: { ...production.application, name: "a-very-long-application-name" } },
      ['dev: application.name and environment together ("a-very-long-application-name-dev") must be at most 24 characters, got 32'],
    ],
    ["an unsupported PostgreSQL version", { postgres: { ...production.postgres, version: "12" } }, ['dev: postgres.version must be one of "15", "16", "17", got "12"']],
  ];

  it.each(cases)("reports %s with the field, the bad value and what is allowed", (_name, overrides, expected) => {
    expect(problems(specWith(overrides))).toEqual(expected);
  });

  /** Cases that need the whole environment's rules: top-level fields, cloud sections, policy. */
  const environmentCases: [string, Record<string, unknown>, string[]][] = [
    [
      "a misspelt top-level field",
      { failovr: { title: "Down" } },
      ['dev: failovr is not a known field (did you mean "failover"?); known: ' + ENVIRONMENT_FIELDS.join(", ")],
    ],
    [
      "a misspelt nested field",
      { postgres: { ...production.postgres, replica: 2 } },
      ['dev: postgres.replica is not a known field (did you mean "replicas"?); known: size, replicaSize, version, storageGiB, highAvailability, replicas, pooling, backupRetentionDays'],
    ],
    ["a number given as text", { pools: { web: { size: "small", min: "1", max: 2 }, worker: { size: "small", min: 1, max: 1 } } }, ['dev: pools.web.min must be a whole number between 1 and 100, got "1"']],
    ["a section that is not an object", { network: "10.0.0.0/16" }, ['dev: network must be an object, got "10.0.0.0/16"']],
    ["an empty maintenance message", { failover: { message: "  " } }, ['dev: failover.message must be text of 1 to 500 characters for the maintenance page, got "  "']],
    ["failover turned off by text", { failover: { enabled: "no" } }, ['dev: failover.enabled must be true or false, got "no"']],
    ["a failover section that is null", { failover: null }, ["dev: failover must be an object, got null"]],
    ["alerts to nobody", { alerts: { emails: [] } }, ["dev: alerts.emails must be a list of 1 to 10 email addresses, got []"]],
    [
      "a malformed alert address",
      { alerts: { emails: ["oncall@example.com", "oncall at example.com"] } },
      ['dev: alerts.emails[1] must be an email address such as "oncall@example.com", got "oncall at example.com"'],
    ],
    ["an alert address twice", { alerts: { emails: ["oncall@example.com", "OnCall@example.com"] } }, ['dev: alerts.emails must not list an address twice, got "OnCall@example.com" again']],
    [
      "a webhook over plain HTTP",
      { alerts: { emails: ["oncall@example.com"], webhook: "http://hooks.example.com/alerts" } },
      ['dev: alerts.webhook must be an https:// URL with a host and no user name or password in it, such as "https://events.example.com/alerts", got "http://hooks.example.com/alerts"'],
    ],
    [
      "a webhook with a password in it",
      { alerts: { emails: ["oncall@example.com"], webhook: "https://bot:s3cret@hooks.example.com/alerts" } },
      ['dev: alerts.webhook must be an https:// URL with a host and no user name or password in it, such as "https://events.example.com/alerts", got "https://bot:s3cret@hooks.example.com/alerts"'],
    ],
    ["an error rate over 100 %", { alerts: { emails: ["oncall@example.com"], errorRatePercent: 150 } }, ["dev: alerts.errorRatePercent must be a whole number between 1 and 100, got 150"]],
    ["a negative latency", { alerts: { emails: ["oncall@example.com"], latencyP95Ms: -5 } }, ["dev: alerts.latencyP95Ms must be a whole number between 50 and 60000, got -5"]],
    ["a disk that alarms when full", { alerts: { emails: ["oncall@example.com"], hostDiskPercent: 100 } }, ["dev: alerts.hostDiskPercent must be a whole number between 10 and 99, got 100"]],
    [
      "a misspelt threshold",
      { alerts: { emails: ["oncall@example.com"], replicaLagSecond: 30 } as never },
      ['dev: alerts.replicaLagSecond is not a known field (did you mean "replicaLagSeconds"?); known: emails, webhook, errorRatePercent, latencyP95Ms, databaseCpuPercent, databaseStoragePercent, databaseMemoryPercent, databaseConnectionsPercent, replicaLagSeconds, cacheMemoryPercent, cacheEvictions, hostDiskPercent'],
    ],
    [
      "a rate limit below what health checkers send",
      { firewall: { requestsPerMinute: 2 } },
      ["dev: firewall.requestsPerMinute must be a whole number between 10 and 100000, got 2"],
    ],
    [
      "a retention CloudWatch does not keep",
      { logs: { retentionDays: 10 }, digitalocean: production.digitalocean },
      ["dev: logs.retentionDays must be one of the periods CloudWatch Logs keeps logs for, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (days), got 10"],
    ],
    ["a retention past ten years", { logs: { retentionDays: 5000 }, digitalocean: production.digitalocean }, ["dev: logs.retentionDays must be a whole number between 1 and 3653, got 5000"]],
    ["a firewall that is not a section", { firewall: true as never }, ["dev: firewall must be an object, got true"]],
    ["an alerts section that is a list", { alerts: ["oncall@example.com"] as never }, ['dev: alerts must be an object, got ["oncall@example.com"]']],
    ["a production flag that is not a boolean", { production: "yes" }, ['dev: production must be true or false, got "yes"']],
    ["too many zones", { network: { zones: 5 } }, ["dev: network.zones must be a whole number between 1 and 3, got 5"]],
    ["a CPU target out of range", { pools: { web: { size: "small", min: 1, max: 2, cpuTargetPercent: 99 }, worker: { size: "small", min: 1, max: 1 } } }, ["dev: pools.web.cpuTargetPercent must be a whole number between 10 and 90, got 99"]],
    ["backups kept too long", { postgres: { ...production.postgres, backupRetentionDays: 40 } }, ["dev: postgres.backupRetentionDays must be a whole number between 1 and 35, got 40"]],
    ["an unknown Valkey version", { cache: { size: "small", highAvailability: false, version: "6" } }, ['dev: cache.version must be one of "7", "8", got "6"']],
    ["a CDN name outside the zone", { cdn: { mediaDomain: "media.example.net" } }, ['dev: cdn.mediaDomain must be inside the DNS zone "example.com", got "media.example.net"']],
    ["an environment name with capitals", { environment: "Prod" }, ['Prod: environment must be lower-case letters, digits and hyphens, starting with a letter, got "Prod"']],
    [
      "a suppression of an unknown rule without a reason",
      { policy: { suppress: [{ rule: "CT-XX-999", cloud: "aws", resource: "aws_db_instance.x", reason: "ok" }] } },
      [
        expect.stringMatching(/^dev: policy\.suppress\[0\]\.rule must be one of "CT-DB-001", .*, got "CT-XX-999"$/) as unknown as string,
        'dev: policy.suppress[0].reason must say why the rule does not apply, in 10 characters at least, got "ok"',
      ],
    ],
    [
      "a suppression for a cloud the spec does not use",
      { digitalocean: undefined, policy: { suppress: [{ rule: "CT-DB-004", cloud: "gcp", resource: "x", reason: "a real reason here" }] } },
      ['dev: policy.suppress[0].cloud must be one of "aws", got "gcp"'],
    ],
    ["a NAT gateway mode AWS does not have", { aws: { region: "eu-west-1", natGateways: "none" } }, ['dev: aws.natGateways must be one of "per-zone", "single", got "none"']],
    ["an AMI that is not one", { aws: { region: "eu-west-1", imageId: "ubuntu" } }, ['dev: aws.imageId must be an AMI id ("ami-0123456789abcdef0") or "resolve:ssm:/<parameter>", got "ubuntu"']],
    ["a disaster-recovery region that is the site's own", { aws: { region: "eu-west-1", disasterRecoveryRegion: "eu-west-1", disasterRecoveryCidr: "10.110.0.0/16" } }, ['dev: aws.disasterRecoveryRegion must differ from aws.region ("eu-west-1")']],
    [
      "a disaster-recovery region without its network's block",
      { aws: { region: "eu-west-1", disasterRecoveryRegion: "eu-central-1" } },
      ["dev: aws.disasterRecoveryCidr is required with aws.disasterRecoveryRegion: the recovery network's own private block, a /16 to /19 apart from network.cidr (so the two can be peered)"],
    ],
    [
      "a disaster-recovery network overlapping the site's",
      { aws: { region: "eu-west-1", disasterRecoveryRegion: "eu-central-1", disasterRecoveryCidr: "10.10.128.0/17" } },
      ['dev: aws.disasterRecoveryCidr must not overlap network.cidr ("10.10.0.0/16"), so that the two networks can be peered, got "10.10.128.0/17"'],
    ],
    ["a disaster-recovery network without its region", { aws: { region: "eu-west-1", disasterRecoveryCidr: "10.110.0.0/16" } }, ["dev: aws.disasterRecoveryCidr is only used with aws.disasterRecoveryRegion"]],
    ["a disaster-recovery region that is not one", { aws: { region: "eu-west-1", disasterRecoveryRegion: "mars-1", disasterRecoveryCidr: "10.110.0.0/16" } }, [expect.stringMatching(/^dev: aws\.disasterRecoveryRegion must be one of "af-south-1", .*"us-west-2", got "mars-1"$/) as unknown as string]],
    [
      "a misspelt AWS setting",
      { aws: { regoin: "eu-west-1" } },
      [
        'dev: aws.regoin is not a known field (did you mean "region"?); known: region, allowedAccountIds, natGateways, hostedZoneId, imageId, sizes, cdnPriceClass, secrets, disasterRecoveryRegion, disasterRecoveryCidr',
        expect.stringMatching(/^dev: aws\.region must be one of "af-south-1", .*, got nothing$/) as unknown as string,
      ],
    ],
    ["an admin CIDR that is not one", { digitalocean: { region: "fra1", sshKeys: ["12345"], adminCidrs: ["203.0.113.1"] } }, ['dev: digitalocean.adminCidrs[0] must be an IPv4 CIDR block such as "10.0.0.0/16", got "203.0.113.1"']],
    ["a Cloudflare zone id that is not one", { cloudflare: { accountId: "0123456789abcdef0123456789abcdef", zoneId: "example.com" } }, ['dev: cloudflare.zoneId must be a Cloudflare zone id (32 hexadecimal characters), got "example.com"']],
  ];

  it.each(environmentCases)("reports %s", (_name, overrides, expected) => {
    expect(validateEnvironment(specWith(overrides as Partial<DjangoTopologyProps>)).map(formatIssue)).toEqual(expected);
  });

  it("holds at least 25 malformed specs to their exact messages", () => {
    expect(cases.length + environmentCases.length).toBeGreaterThanOrEqual(25);
  });

  it("reports every problem of a spec at once", () => {
    const spec = specWith({ domain: "nope", postgres: { ...production.postgres, replicas: -1, storageGiB: 5 } });
    expect(problems(spec)).toEqual([
      'dev: domain must be a lower-case domain name such as "www.example.com", got "nope"',
      "dev: postgres.storageGiB must be a whole number between 20 and 16384, got 5",
      "dev: postgres.replicas must be a whole number between 0 and 5, got -1",
    ]);
  });

  it("adds AWS's own limits: regions it has, two zones at least, instance types that look like one", () => {
    const spec = specWith({
      digitalocean: undefined,
      network: { zones: 1 },
      aws: { region: "mars-north-1", allowedAccountIds: ["12345"], sizes: { compute: { large: "big box" } } },
    });
    expect(validateEnvironment(spec).map(formatIssue)).toEqual([
      expect.stringMatching(/^dev: aws.region must be one of "af-south-1", .*"us-west-2", got "mars-north-1"$/),
      'dev: aws.allowedAccountIds[0] must be a 12-digit AWS account id, got "12345"',
      'dev: aws.sizes.compute.large must be an AWS instance type such as "m7i.large", got "big box"',
      "dev: network.zones must be at least 2 on AWS (load balancers and database subnet groups span two zones), got 1",
    ]);
  });

  it("adds DigitalOcean's and Cloudflare's own limits", () => {
    const spec = specWith({
      aws: undefined,
      cdn: undefined,
      createDnsZone: true,
      pools: { web: { size: "small", min: 1, max: 1 }, worker: { size: "small", min: 0, max: 2, stopTimeoutSeconds: 600 } },
      postgres: { ...production.postgres, size: "large", replicaSize: "medium" },
      domain: "www.dev.example.com",
      digitalocean: { region: "nyc1", sshKeys: [], disasterRecoveryRegion: "nyc1", loadBalancerSizeUnit: 0 },
      cloudflare: { accountId: "0123456789abcdef0123456789abcdef", zoneId: "fedcba9876543210fedcba9876543210" },
    });
    expect(validateEnvironment(spec).map(formatIssue)).toEqual([
      expect.stringMatching(/^dev: digitalocean.region must be one of "ams3", .*"tor1", got "nyc1"$/),
      expect.stringMatching(/^dev: digitalocean.disasterRecoveryRegion must be one of "ams3", .*, got "nyc1"$/),
      "dev: digitalocean.loadBalancerSizeUnit must be a whole number between 1 and 100, got 0",
      "dev: digitalocean.sshKeys must list at least one SSH key id or fingerprint (DigitalOcean autoscale pools require one), got []",
      'dev: postgres.replicaSize must be at least postgres.size ("large") on DigitalOcean, whose read-only nodes cannot be smaller than the primary, got "medium"',
      "dev: pools.worker.min must be at least 1 on DigitalOcean (autoscale pools keep one droplet at least), got 0",
      'dev: domain must be "example.com" or one level below it on Cloudflare, whose Universal SSL covers no deeper names, got "www.dev.example.com" (set cloudflare.advancedCertificates if the zone has an Advanced Certificate)',
      "dev: createDnsZone is not supported with Cloudflare: give the existing zone's id in cloudflare.zoneId",
      "dev: pools.worker.stopTimeoutSeconds must be at most 60 on DigitalOcean, which destroys a droplet 60 s after its shutdown, got 600",
    ]);
    // nginx-balanced: every web droplet lists the app droplets with one token, under DigitalOcean's rate limit.
    const balanced = (max: number) =>
      validateEnvironment(specWith({ aws: undefined, layout: "nginx-balanced", pools: { web: { size: "small", min: 1, max }, app: { size: "small", min: 1, max: 2 }, worker: { size: "small", min: 1, max: 1 } } })).map(formatIssue);
    expect(balanced(12)).toEqual([]);
    expect(balanced(13)).toEqual([
      "dev: pools.web.max must be at most 12 with the nginx-balanced layout on DigitalOcean, whose API allows one token 5000 requests an hour, and each web droplet lists the app droplets every 10 s (360 an hour), got 13 (use the split layout for more)",
    ]);
    expect(validateEnvironment(specWith({ aws: undefined, cloudflare: undefined })).map(formatIssue)).toEqual([
      "dev: cloudflare is required with digitalocean: Cloudflare serves the DNS, TLS edge and failover",
    ]);
  });

  it("refuses a spec that names no cloud", () => {
    expect(validateEnvironment(specWith({ aws: undefined, digitalocean: undefined })).map(formatIssue)).toEqual([
      "dev: (clouds) names no cloud: add a section for at least one of aws, do",
    ]);
  });
});
