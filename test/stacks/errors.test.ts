import { Testing } from "cdktf";
import { ValidationError, formatIssue, show } from "../../modules/core";
import { AWS, DIGITALOCEAN } from "../../modules/stacks/clouds";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { CloudTiersStack } from "../../modules/stacks/stack";
import { validateEnvironment } from "../../modules/stacks/validate";
import { specWith } from "../helpers";

/** What `build` throws, as users read it; fails the test on anything but a ValidationError (a TypeError from inside, say). */
function refusal(build: () => unknown): string[] {
  try {
    build();
  } catch (e) {
    if (e instanceof ValidationError) return e.issues.map(formatIssue);
    throw e;
  }
  throw new Error("nothing was refused");
}

describe("errors, never stack traces", () => {
  it("refuses a stack built for a cloud its spec has no section for, saying which it has", () => {
    expect(refusal(() => new CloudTiersStack(Testing.app(), specWith({ aws: undefined }), AWS, {}))).toEqual([
      'dev: aws is missing, but the stack "dev-aws" is built for cloud "aws": give the spec its aws section, or build the stack for a cloud it has a section for: do (digitalocean)',
    ]);
    expect(refusal(() => new CloudTiersStack(Testing.app(), specWith({ digitalocean: undefined, cloudflare: undefined }), DIGITALOCEAN, {}))).toEqual([
      'dev: digitalocean is missing, but the stack "dev-do" is built for cloud "do": give the spec its digitalocean section, or build the stack for a cloud it has a section for: aws (aws)',
    ]);
  });

  it("shows NaN and Infinity as what they are, not as JSON's null", () => {
    expect([show(NaN), show(Infinity), show(-Infinity), show({ min: NaN, sizes: [Infinity] }), show(null)]).toEqual(["NaN", "Infinity", "-Infinity", '{"min":NaN,"sizes":[Infinity]}', "null"]);
  });

  const numeric: [string, Partial<EnvironmentSpec>, string[]][] = [
    ["NaN hosts", { pools: { web: { size: "small", min: NaN, max: 2 }, worker: { size: "small", min: 1, max: 1 } } }, ["dev: pools.web.min must be a whole number between 1 and 100, got NaN"]],
    ["Infinity hosts", { pools: { web: { size: "small", min: 1, max: Infinity }, worker: { size: "small", min: 1, max: 1 } } }, ["dev: pools.web.max must be a whole number between 1 and 100, got Infinity"]],
    ["a -Infinity CPU target", { pools: { web: { size: "small", min: 1, max: 1, cpuTargetPercent: -Infinity }, worker: { size: "small", min: 1, max: 1 } } }, ["dev: pools.web.cpuTargetPercent must be a whole number between 10 and 90, got -Infinity"]],
    ["NaN replicas", { postgres: { ...specWith().postgres, replicas: NaN } }, ["dev: postgres.replicas must be a whole number between 0 and 5, got NaN"]],
    ["Infinity storage", { postgres: { ...specWith().postgres, storageGiB: Infinity } }, ["dev: postgres.storageGiB must be a whole number between 20 and 16384, got Infinity"]],
    ["NaN zones", { network: { cidr: "10.10.0.0/16", zones: NaN } }, ["dev: network.zones must be a whole number between 1 and 3, got NaN"]],
    ["a NaN load balancer size", { digitalocean: { ...specWith().digitalocean!, loadBalancerSizeUnit: NaN } }, ["dev: digitalocean.loadBalancerSizeUnit must be a whole number between 1 and 100, got NaN"]],
  ];
  it.each(numeric)("reports %s as such", (_name, overrides, expected) => {
    expect(validateEnvironment(specWith(overrides), {}).map(formatIssue)).toEqual(expected);
  });
});
