import { formatIssue } from "../../modules/core";
import { AWS_REGIONS, AWS_REGION_ZONES, imageArchitecture, isGravitonType } from "../../modules/aws/settings";
import { UBUNTU_AMI } from "../../modules/aws/compute-pool";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { validateEnvironment } from "../../modules/stacks/validate";
import { specWith } from "../helpers";

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
