/* eslint-disable @typescript-eslint/no-require-imports -- the provider classes and tiers load when the first AWS stack is built */
import type { CloudAdapter } from "../stacks/clouds";
import type { EnvironmentSpec } from "../stacks/spec";
import { namePrefix } from "../django/validate";
import { awsDeliveryDescription } from "./host-delivery";
import { AWS_POLICY } from "./policy";
import { validateAwsTopology } from "./validate";

/*
 * The provider classes and tiers are required when the first AWS stack is built, not when
 * this file loads: building only DigitalOcean stacks never loads them (about 95 ms). Only
 * validation, which every spec goes through, the words describing how hosts receive their
 * environment and the policy checks every synth runs are imported above; what the commands
 * use (cost, diagram, preflight) and the tests' samples load when first asked for.
 */
const classes = () => ({
  ...(require("@cdktf/provider-aws/lib/provider") as typeof import("@cdktf/provider-aws/lib/provider")),
  ...(require("@cdktf/provider-random/lib/provider") as typeof import("@cdktf/provider-random/lib/provider")),
  ...(require("./factory") as typeof import("./factory")),
});

/** Tags every resource carries, through the providers' default tags where they have them. */
export function defaultTags(spec: EnvironmentSpec): Record<string, string> {
  return { Application: spec.application.name, Environment: spec.environment, ManagedBy: "cloudtiers" };
}

/** AWS: the `aws` section, stacks `<environment>-aws`. */
export const AWS: CloudAdapter = {
  id: "aws",
  sections: ["aws"],
  credentials: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
  validate: (spec) => validateAwsTopology(spec.aws, spec),
  configure(stack, spec) {
    const { AwsProvider, AwsTierFactory, RandomProvider } = classes();
    const settings = spec.aws!;
    const common = {
      allowedAccountIds: settings.allowedAccountIds ? [...settings.allowedAccountIds] : undefined,
      defaultTags: [{ tags: defaultTags(spec) }],
    };
    new AwsProvider(stack, "aws", { ...common, region: settings.region });
    const cdnProvider = new AwsProvider(stack, "aws-us-east-1", { ...common, alias: "us_east_1", region: "us-east-1" });
    const dr = settings.disasterRecoveryRegion;
    const disasterRecoveryProvider = dr === undefined ? undefined : new AwsProvider(stack, "aws-disaster-recovery", { ...common, alias: "disaster_recovery", region: dr });
    new RandomProvider(stack, "random");
    return new AwsTierFactory({ settings, cdnProvider, disasterRecoveryProvider });
  },
  describeDelivery: (spec) => awsDeliveryDescription(namePrefix(spec)),
  policy: AWS_POLICY,
  cost: () => (require("./cost") as typeof import("./cost")).AWS_COST,
  diagram: (name, doc) => (require("./diagram") as typeof import("./diagram")).describeAws(name, doc),
  preflight: () => (require("./preflight") as typeof import("./preflight")).AWS_PREFLIGHT,
  samples: () => (require("./samples") as typeof import("./samples")).AWS_SAMPLES,
};
