import { formatIssue } from "../../modules/core";
import { APPLICATION_ENVIRONMENT_BYTES, AWS_REGIONS, AWS_REGION_ZONES, applicationEnvironmentBytes, imageArchitecture, isGravitonType } from "../../modules/aws/settings";
import { environments } from "../../environments";
import { UBUNTU_AMI } from "../../modules/aws/compute-pool";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { validateEnvironment } from "../../modules/stacks/validate";
import { specWith, synthAwsEnvironment } from "../helpers";

/*
 * Issue 17, class 5: values each cloud's service would refuse, or take and then misbehave
 * with, are refused before anything is written, naming the environment, the field, the
 * value and what is allowed.
 */

const awsOnly = (aws: Record<string, unknown>, more: Partial<EnvironmentSpec> = {}) =>
  specWith({ digitalocean: undefined, cloudflare: undefined, aws: { region: "eu-west-1", ...aws } as EnvironmentSpec["aws"], ...more });
const problems = (spec: EnvironmentSpec) => validateEnvironment(spec).map(formatIssue);

describe("AWS size overrides have the service's format", () => {
  it("accepts real RDS classes, ElastiCache node types and EC2 types", () => {
    const sizes = {
      compute: { small: "t3.small", medium: "m7i-flex.large", large: "c7i.2xlarge" },
      postgres: { large: "db.m7g.2xlarge", xlarge: "db.r6gd.4xlarge", small: "db.t4g.micro" },
      cache: { large: "cache.m7g.large", small: "cache.t4g.small", xlarge: "cache.r7g.xlarge" },
    };
    expect(problems(awsOnly({ sizes }))).toEqual([]);
  });

  const cases: [string, Record<string, Record<string, string>>, string][] = [
    ["an EC2 type for a database", { postgres: { large: "m7g.2xlarge" } }, 'dev: aws.sizes.postgres.large must be an RDS instance class such as "db.m7g.2xlarge", got "m7g.2xlarge"'],
    ["a cache node type for a database", { postgres: { large: "cache.m7g.large" } }, 'dev: aws.sizes.postgres.large must be an RDS instance class such as "db.m7g.2xlarge", got "cache.m7g.large"'],
    ["an EC2 type for the cache", { cache: { medium: "m7g.large" } }, 'dev: aws.sizes.cache.medium must be an ElastiCache node type such as "cache.m7g.large", got "m7g.large"'],
    ["an RDS class for the cache", { cache: { medium: "db.m7g.large" } }, 'dev: aws.sizes.cache.medium must be an ElastiCache node type such as "cache.m7g.large", got "db.m7g.large"'],
    ["an RDS class for a pool", { compute: { large: "db.m7g.large" } }, 'dev: aws.sizes.compute.large must be an AWS instance type such as "m7i.large", got "db.m7g.large"'],
    ["a class without its family", { compute: { large: "db.large" } }, 'dev: aws.sizes.compute.large must be an AWS instance type such as "m7i.large", got "db.large"'],
  ];
  it.each(cases)("refuses %s", (_name, sizes, expected) => {
    expect(problems(awsOnly({ sizes }))).toEqual([expected]);
  });
});

describe("AWS pools' instance types match the image's architecture", () => {
  it("knows Graviton families from x86_64 ones", () => {
    for (const t of ["m7g.large", "t4g.small", "c7g.xlarge", "c7gn.large", "r8gd.large", "x2gd.large", "im4gn.large", "is4gen.large", "a1.large", "g5g.xlarge"]) expect([t, isGravitonType(t)]).toEqual([t, true]);
    for (const t of ["t3.small", "c6i.xlarge", "m7i-flex.large", "g4dn.xlarge", "m7a.large", "x2iedn.xlarge", "inf2.xlarge"]) expect([t, isGravitonType(t)]).toEqual([t, false]);
  });

  it("reads the default image as amd64 (UBUNTU_AMI)", () => {
    expect(imageArchitecture(undefined)).toBe("x86_64");
    expect(imageArchitecture(UBUNTU_AMI)).toBe("x86_64");
    expect(imageArchitecture("ami-0123456789abcdef0")).toBeUndefined();
  });

  it("refuses a Graviton type with the default amd64 image", () => {
    expect(problems(awsOnly({ sizes: { compute: { large: "m7g.large" } } }))).toEqual([
      'dev: aws.sizes.compute.large is "m7g.large", a Graviton (arm64) instance type, but the pools boot Canonical\'s Ubuntu 24.04 for amd64 (the default image): use an x86_64 type such as "m7i.large", or set aws.imageId to an arm64 AMI ("resolve:ssm:/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id") with application.image built for linux/arm64',
    ]);
  });

  const ARM64 = "resolve:ssm:/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id";
  it("accepts Graviton types with an arm64 image, and refuses the shipped x86_64 sizes left with it", () => {
    const graviton = { small: "t4g.small", medium: "t4g.medium", large: "c7g.xlarge", xlarge: "c7g.2xlarge" };
    expect(problems(awsOnly({ imageId: ARM64, sizes: { compute: graviton } }))).toEqual([]);
    expect(problems(awsOnly({ imageId: ARM64, sizes: { compute: { ...graviton, xlarge: "c6i.2xlarge" } } }))).toEqual([
      `dev: aws.sizes.compute.xlarge is "c6i.2xlarge", an x86_64 instance type, but the pools boot an arm64 image ("${ARM64}"): use a Graviton (arm64) type such as "m7g.large"`,
    ]);
    expect(problems(awsOnly({ imageId: ARM64, sizes: { compute: { small: "t4g.small", medium: "t4g.medium", large: "c7g.xlarge" } } }))).toEqual([
      `dev: aws.imageId is an arm64 image ("${ARM64}"), but the shipped compute size xlarge is "c6i.2xlarge", an x86_64 instance type: set aws.sizes.compute.xlarge to a Graviton type such as "m7g.large"`,
    ]);
  });

  it("leaves an AMI id's architecture to the owner of the AMI", () => {
    expect(problems(awsOnly({ imageId: "ami-0123456789abcdef0", sizes: { compute: { large: "m7g.large" } } }))).toEqual([]);
  });
});

describe("AWS zones fit the region", () => {
  it("has a zone count for every accepted region", () => {
    expect(Object.keys(AWS_REGION_ZONES).sort()).toEqual([...AWS_REGIONS].sort());
  });

  it("refuses three zones where the account sees two", () => {
    expect(problems(awsOnly({ region: "us-west-1" }, { network: { cidr: "10.10.0.0/16", zones: 3 } }))).toEqual([
      "dev: network.zones must be at most 2 in us-west-1, whose accounts have 2 availability zones, got 3",
    ]);
    expect(problems(awsOnly({ region: "us-west-1" }, { network: { cidr: "10.10.0.0/16", zones: 2 } }))).toEqual([]);
    expect(problems(awsOnly({ region: "eu-west-1" }, { network: { cidr: "10.10.0.0/16", zones: 3 } }))).toEqual([]);
  });
});

const doOnly = (digitalocean: Record<string, unknown>, more: Partial<EnvironmentSpec> = {}) =>
  specWith({ aws: undefined, digitalocean: { region: "fra1", sshKeys: ["12345"], ...digitalocean } as EnvironmentSpec["digitalocean"], ...more });

describe("DigitalOcean size overrides have the service's format", () => {
  it("accepts droplet slugs for pools and database slugs for PostgreSQL and Valkey", () => {
    const sizes = {
      compute: { small: "s-1vcpu-2gb", medium: "c-4", large: "gd-2vcpu-8gb", xlarge: "so1_5-2vcpu-16gb" },
      postgres: { small: "db-s-1vcpu-2gb", large: "gd-4vcpu-16gb", xlarge: "db-intel-4vcpu-16gb" },
      cache: { small: "db-amd-1vcpu-2gb", large: "m-2vcpu-16gb" },
    };
    expect(problems(doOnly({ sizes }))).toEqual([]);
  });

  const cases: [string, Record<string, Record<string, string>>, string][] = [
    ["a database size for a pool", { compute: { large: "db-s-4vcpu-8gb" } }, 'dev: digitalocean.sizes.compute.large must be a droplet size slug such as "s-4vcpu-8gb" (not a database size, "db-…"), got "db-s-4vcpu-8gb"'],
    ["a basic droplet for PostgreSQL", { postgres: { large: "s-4vcpu-8gb" } }, 'dev: digitalocean.sizes.postgres.large must be a managed database size slug such as "db-s-4vcpu-8gb" ("db-…", or a dedicated "gd-", "m-" or "so1_5-" plan), got "s-4vcpu-8gb"'],
    ["an AWS class for Valkey", { cache: { small: "cache.t4g.small" } }, 'dev: digitalocean.sizes.cache.small must be a managed database size slug such as "db-s-4vcpu-8gb" ("db-…", or a dedicated "gd-", "m-" or "so1_5-" plan), got "cache.t4g.small"'],
  ];
  it.each(cases)("refuses %s", (_name, sizes, expected) => {
    expect(problems(doOnly({ sizes }))).toEqual([expected]);
  });
});

describe("DigitalOcean VPC ranges are private and clear of DigitalOcean's own", () => {
  const cases: [string, string, string][] = [
    ["a public block", "100.64.0.0/16", 'dev: network.cidr must be a private (RFC 1918) block on DigitalOcean, inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, got "100.64.0.0/16"'],
    ["a block straddling 172.16.0.0/12", "172.0.0.0/16", 'dev: network.cidr must be a private (RFC 1918) block on DigitalOcean, inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, got "172.0.0.0/16"'],
    ["DOKS's pod range", "10.244.0.0/16", 'dev: network.cidr must not overlap the ranges DigitalOcean reserves (10.229.0.0/16, 10.244.0.0/16, 10.245.0.0/16, 10.246.0.0/24), got "10.244.0.0/16", which overlaps 10.244.0.0/16'],
    ["a block holding 10.246.0.0/24", "10.246.0.0/18", 'dev: network.cidr must not overlap the ranges DigitalOcean reserves (10.229.0.0/16, 10.244.0.0/16, 10.245.0.0/16, 10.246.0.0/24), got "10.246.0.0/18", which overlaps 10.246.0.0/24'],
    ["the range reserved in every region since March 2025", "10.229.0.0/17", 'dev: network.cidr must not overlap the ranges DigitalOcean reserves (10.229.0.0/16, 10.244.0.0/16, 10.245.0.0/16, 10.246.0.0/24), got "10.229.0.0/17", which overlaps 10.229.0.0/16'],
  ];
  it.each(cases)("refuses %s", (_name, cidr, expected) => {
    expect(problems(doOnly({}, { network: { cidr, zones: 1 } }))).toEqual([expected]);
  });

  it("accepts private blocks next to the reserved ones, and leaves AWS's VPCs to AWS's rules", () => {
    for (const cidr of ["10.243.0.0/16", "10.246.64.0/18", "172.16.0.0/16", "192.168.0.0/16"]) expect(problems(doOnly({}, { network: { cidr, zones: 1 } }))).toEqual([]);
    expect(problems(awsOnly({}, { network: { cidr: "10.244.0.0/16", zones: 2 } }))).toEqual([]);
  });
});

describe("DigitalOcean adminCidrs never open SSH to the internet", () => {
  it("refuses blocks that together cover every address", () => {
    expect(problems(doOnly({ adminCidrs: ["0.0.0.0/1", "128.0.0.0/1"] }))).toEqual([
      'dev: digitalocean.adminCidrs[0] must be a /8 or narrower block (administrators\' own networks; IANA allocates nothing wider to one holder), got "0.0.0.0/1" (2147483648 addresses)',
      'dev: digitalocean.adminCidrs[1] must be a /8 or narrower block (administrators\' own networks; IANA allocates nothing wider to one holder), got "128.0.0.0/1" (2147483648 addresses)',
      'dev: digitalocean.adminCidrs must not cover the whole internet together (0.0.0.0/0), which would open SSH to anyone: list the networks administrators connect from, got ["0.0.0.0/1","128.0.0.0/1"]',
    ]);
  });

  it("refuses the whole internet split into /8s, where no one block is too wide", () => {
    const all = Array.from({ length: 256 }, (_, i) => `${i}.0.0.0/8`);
    expect(problems(doOnly({ adminCidrs: all }))).toEqual([
      `dev: digitalocean.adminCidrs must not cover the whole internet together (0.0.0.0/0), which would open SSH to anyone: list the networks administrators connect from, got ${JSON.stringify(all)}`,
    ]);
  });

  it("refuses one block wider than a /8", () => {
    expect(problems(doOnly({ adminCidrs: ["203.0.113.0/24", "64.0.0.0/7"] }))).toEqual([
      'dev: digitalocean.adminCidrs[1] must be a /8 or narrower block (administrators\' own networks; IANA allocates nothing wider to one holder), got "64.0.0.0/7" (33554432 addresses)',
    ]);
  });

  it("accepts offices and VPNs, a /8 included", () => {
    expect(problems(doOnly({ adminCidrs: ["203.0.113.0/24", "198.51.100.7/32", "10.0.0.0/8"] }))).toEqual([]);
  });
});

describe("health check paths nginx would rewrite", () => {
  const NORMALISED = (path: string) =>
    `dev: healthCheckPath must be a normalised path, without "//", "." or ".." segments, which nginx rewrites before matching (so the check would never reach the route it names), got ${JSON.stringify(path)}`;
  const URL_PATH = (path: string) => `dev: healthCheckPath must be an absolute URL path such as "/healthz", got ${JSON.stringify(path)}`;
  const cases: [string, string][] = [
    ["//healthz", NORMALISED("//healthz")],
    ["/./healthz", NORMALISED("/./healthz")],
    ["/a/../healthz", NORMALISED("/a/../healthz")],
    ["/health//z", NORMALISED("/health//z")],
    ["/healthz/..", NORMALISED("/healthz/..")],
    ["/health%7Az", URL_PATH("/health%7Az")],
    ["/healthz ", URL_PATH("/healthz ")],
  ];
  it.each(cases)("refuses %j", (path, expected) => {
    expect(problems(specWith({ healthCheckPath: path }))).toEqual([expected]);
  });

  it("accepts normalised paths", () => {
    for (const path of ["/", "/healthz", "/health/ready/", "/-/health.json", "/..well/known"]) expect(problems(specWith({ healthCheckPath: path }))).toEqual([]);
  });
});

describe("image references docker pull would read as an option", () => {
  it("refuses a reference starting with -, in the spec and from CI", () => {
    const image = "-ghcr.io/acme/shop:1.0.0";
    expect(problems(specWith({ application: { ...specWith().application, image } }))).toEqual([
      'dev: application.image must be a container image reference such as "ghcr.io/acme/shop:1.4.2", got "-ghcr.io/acme/shop:1.0.0"',
    ]);
    expect(validateEnvironment(specWith(), { CLOUDTIERS_IMAGE_DEV: "--config=/tmp/x/shop:1" }).map(formatIssue)).toEqual([
      'dev: CLOUDTIERS_IMAGE_DEV must be a container image reference such as "ghcr.io/acme/shop@sha256:<64 hex digits>", got "--config=/tmp/x/shop:1"',
    ]);
  });

  it("still accepts registries with ports and hyphens", () => {
    for (const image of ["localhost:5000/shop:1", "my-registry.example.com/acme/shop:1", "quay.io:443/acme/shop:2"]) {
      expect(problems(specWith({ application: { ...specWith().application, image } }))).toEqual([]);
    }
  });
});

describe("the hosts' environment fits its SSM parameter", () => {
  // Settings of `bytes` bytes in all (as applicationEnvironmentBytes counts them), in 64-character values.
  const settingsOf = (bytes: number, secrets: readonly string[]) => {
    const settings: Record<string, string> = {};
    let i = 0;
    while (applicationEnvironmentBytes(settings, secrets) + 80 <= bytes) settings[`FILLER_${String(i++).padStart(3, "0")}`] = "x".repeat(64);
    const rest = bytes - applicationEnvironmentBytes(settings, secrets) - JSON.stringify("FILLER_END").length - 4;
    if (rest >= 0) settings.FILLER_END = "y".repeat(rest);
    return settings;
  };
  const withSettings = (spec: EnvironmentSpec, bytes: number): EnvironmentSpec => {
    const secrets = Object.keys(spec.application.secrets ?? {});
    return { ...spec, application: { ...spec.application, settings: settingsOf(bytes, secrets), publicSettings: undefined } };
  };
  const production = environments.find((e) => e.aws && e.environment === "production") ?? environments.find((e) => e.aws)!;

  it("refuses settings and secrets past the application's share, naming the size and the limit", () => {
    const spec = withSettings(production, APPLICATION_ENVIRONMENT_BYTES + 1);
    expect(problems(spec)).toContain(
      `${spec.environment}: application.settings and application.secrets take ${APPLICATION_ENVIRONMENT_BYTES + 1} bytes of the hosts' environment, which AWS hosts read from one SSM parameter of 8 KB at most, half of it the topology's own: at most ${APPLICATION_ENVIRONMENT_BYTES} bytes (move large values into a file in the image, or into one secret)`,
    );
  });

  it("at the application's full share, every pool's document fits 8 KB with each reference at its longest, in a tier that grows to it", () => {
    const spec = withSettings(production, APPLICATION_ENVIRONMENT_BYTES);
    expect(problems(spec).filter((p) => p.includes("application.settings"))).toEqual([]);
    const s = synthAwsEnvironment(spec);
    const parameters = s.where("aws_ssm_parameter");
    expect(parameters.length).toBeGreaterThan(0);
    for (const p of parameters) {
      const value: string = p.value;
      const references = value.match(/\$\{[^}]*\}/g) ?? [];
      // A reference resolves to a host name, ARN or endpoint: 255 characters at most, as a bound.
      expect({ parameter: p.name, bound: value.replace(/\$\{[^}]*\}/g, "").length + references.length * 255 <= 8192 }).toEqual({ parameter: p.name, bound: true });
      expect(p.tier).toBe("Intelligent-Tiering");
    }
  });
});

describe("real AWS and image references pass", () => {
  it("accepts metal sizes with their suffix, the newest regions, and image names with __ or -- and sha512 digests", () => {
    expect(problems(awsOnly({ sizes: { compute: { large: "m7i.metal-24xl", xlarge: "c7a.metal-48xl" } } }))).toEqual([]);
    for (const region of ["ap-east-2", "ap-southeast-6", "ap-southeast-7"]) expect(problems(awsOnly({ region }))).toEqual([]);
    for (const image of ["ghcr.io/acme/my__app:1.0", "ghcr.io/acme/my--app:1.0", `ghcr.io/acme/shop@sha512:${"b".repeat(128)}`]) {
      const spec = specWith({ production: false });
      expect(problems({ ...spec, application: { ...spec.application, image } }).filter((p) => p.includes("application.image"))).toEqual([]);
    }
  });
});
