import { TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { TierFactory, ValidationIssue } from "../core";
import { AwsTierFactory } from "../aws/factory";
import { validateAwsSettings } from "../aws/settings";
import { EnvironmentSpec } from "./spec";

/** What the stack needs to know of a cloud. Adding a cloud is adding one entry to `CLOUDS`. */
export interface CloudAdapter {
  /** The stack name suffix: `production-<id>`. */
  readonly id: string;
  /** Whether the spec has this cloud's section, i.e. wants this cloud's stack. */
  wanted(spec: EnvironmentSpec): boolean;
  /** The cloud's own rules on the spec. */
  validate(spec: EnvironmentSpec): ValidationIssue[];
  /** Creates the stack's providers (credentials come from the environment) and the factory. */
  configure(stack: TerraformStack, spec: EnvironmentSpec): TierFactory;
}

/** Tags every resource carries, through the providers' default tags where they have them. */
export function defaultTags(spec: EnvironmentSpec): Record<string, string> {
  return { Application: spec.application.name, Environment: spec.environment, ManagedBy: "cloudtiers" };
}

export const AWS: CloudAdapter = {
  id: "aws",
  wanted: (spec) => spec.aws !== undefined,
  validate: (spec) => validateAwsSettings(spec.aws, { environment: spec.environment, zones: spec.network?.zones ?? 2 }),
  configure(stack, spec) {
    const settings = spec.aws!;
    const common = {
      allowedAccountIds: settings.allowedAccountIds ? [...settings.allowedAccountIds] : undefined,
      defaultTags: [{ tags: defaultTags(spec) }],
    };
    new AwsProvider(stack, "aws", { ...common, region: settings.region });
    const cdnProvider = new AwsProvider(stack, "aws-us-east-1", { ...common, alias: "us_east_1", region: "us-east-1" });
    new RandomProvider(stack, "random");
    return new AwsTierFactory({ settings, cdnProvider });
  },
};

/** Every cloud a stack can be synthesised for. */
export const CLOUDS: readonly CloudAdapter[] = [AWS];
