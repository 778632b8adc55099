/* eslint-disable @typescript-eslint/no-require-imports -- each cloud's classes load when its first stack is built */
import { TerraformStack } from "cdktf";
import { AppDeliveryDescription, TierFactory, ValidationIssue } from "../core";
import { awsDeliveryDescription } from "../aws/host-delivery";
import { validateAwsTopology } from "../aws/validate";
import { DIGITALOCEAN_DELIVERY } from "../digitalocean/host-delivery";
import { validateDigitalOceanTopology } from "../digitalocean/validate";
import { namePrefix } from "../django/validate";
import { EnvironmentSpec } from "./spec";

/*
 * A cloud's provider classes and tiers are required when its first stack is built, not
 * when this file loads: building only DigitalOcean stacks never loads AWS's classes (about
 * 95 ms), nor the reverse (about 30 ms). Only validation, which every spec goes through,
 * and the words describing how hosts receive their environment are imported above.
 */
const awsClasses = () => ({
  ...(require("@cdktf/provider-aws/lib/provider") as typeof import("@cdktf/provider-aws/lib/provider")),
  ...(require("@cdktf/provider-random/lib/provider") as typeof import("@cdktf/provider-random/lib/provider")),
  ...(require("../aws/factory") as typeof import("../aws/factory")),
});
const digitalOceanClasses = () => ({
  ...(require("@cdktf/provider-digitalocean/lib/provider") as typeof import("@cdktf/provider-digitalocean/lib/provider")),
  ...(require("@cdktf/provider-cloudflare/lib/provider") as typeof import("@cdktf/provider-cloudflare/lib/provider")),
  ...(require("@cdktf/provider-tls/lib/provider") as typeof import("@cdktf/provider-tls/lib/provider")),
  ...(require("@cdktf/provider-random/lib/provider") as typeof import("@cdktf/provider-random/lib/provider")),
  ...(require("../cloudflare/ip-ranges") as typeof import("../cloudflare/ip-ranges")),
  ...(require("../digitalocean/factory") as typeof import("../digitalocean/factory")),
});

/** What the stack needs to know of a cloud. Adding a cloud is adding one entry to `CLOUDS`. */
export interface CloudAdapter {
  /** The stack name suffix: `production-<id>`. */
  readonly id: string;
  /** The spec's section for this cloud, e.g. `digitalocean`. @default - the id */
  readonly section?: string;
  /** The environment variables the cloud's providers read their credentials from. */
  readonly credentials: readonly string[];
  /** Whether the spec has this cloud's section, i.e. wants this cloud's stack. */
  wanted(spec: EnvironmentSpec): boolean;
  /** The cloud's own rules on the spec. */
  validate(spec: EnvironmentSpec): ValidationIssue[];
  /** Creates the stack's providers (credentials come from the environment) and the factory. */
  configure(stack: TerraformStack, spec: EnvironmentSpec): TierFactory;
  /** How the application's settings and each store's secrets reach the hosts, in words (`npm run settings`). */
  describeDelivery(spec: EnvironmentSpec): AppDeliveryDescription;
}

/** Tags every resource carries, through the providers' default tags where they have them. */
export function defaultTags(spec: EnvironmentSpec): Record<string, string> {
  return { Application: spec.application.name, Environment: spec.environment, ManagedBy: "cloudtiers" };
}

export const AWS: CloudAdapter = {
  id: "aws",
  section: "aws",
  credentials: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
  wanted: (spec) => spec.aws !== undefined,
  validate: (spec) => validateAwsTopology(spec.aws, spec),
  configure(stack, spec) {
    const { AwsProvider, AwsTierFactory, RandomProvider } = awsClasses();
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
  describeDelivery: (spec) => awsDeliveryDescription(namePrefix(spec)),
};


export const DIGITALOCEAN: CloudAdapter = {
  id: "do",
  section: "digitalocean",
  credentials: ["DIGITALOCEAN_TOKEN", "SPACES_ACCESS_KEY_ID", "SPACES_SECRET_ACCESS_KEY", "CLOUDFLARE_API_TOKEN"],
  wanted: (spec) => spec.digitalocean !== undefined,
  validate: (spec) => validateDigitalOceanTopology(spec.digitalocean, spec.cloudflare, spec),
  configure(stack, spec) {
    const { CloudflareProvider, DigitaloceanProvider, DigitalOceanTierFactory, RandomProvider, TlsProvider, cloudflareEdgeCidrs } = digitalOceanClasses();
    // Tokens come from DIGITALOCEAN_TOKEN, SPACES_ACCESS_KEY_ID / SPACES_SECRET_ACCESS_KEY and CLOUDFLARE_API_TOKEN.
    new DigitaloceanProvider(stack, "digitalocean", {});
    new CloudflareProvider(stack, "cloudflare", {});
    new TlsProvider(stack, "tls", {});
    new RandomProvider(stack, "random");
    return new DigitalOceanTierFactory({ settings: spec.digitalocean!, cloudflare: spec.cloudflare!, edgeCidrs: cloudflareEdgeCidrs(stack) });
  },
  describeDelivery: () => DIGITALOCEAN_DELIVERY,
};

/** Every cloud a stack can be synthesised for. */
export const CLOUDS: readonly CloudAdapter[] = [AWS, DIGITALOCEAN];
