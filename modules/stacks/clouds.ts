/* eslint-disable @typescript-eslint/no-require-imports -- each cloud's classes load when its first stack is built */
import { TerraformStack } from "cdktf";
import { AppDeliveryDescription, TierFactory, ValidationIssue } from "../core";
import { AWS_POLICY } from "../aws/policy";
import { awsDeliveryDescription } from "../aws/host-delivery";
import { validateAwsTopology } from "../aws/validate";
import type { CloudCost } from "../cost/rules";
import type { Diagram } from "../diagram/graph";
import { DIGITALOCEAN_POLICY } from "../digitalocean/policy";
import { DIGITALOCEAN_DELIVERY } from "../digitalocean/host-delivery";
import { validateDigitalOceanTopology } from "../digitalocean/validate";
import { namePrefix } from "../django/validate";
import type { CloudPolicy } from "../policy/rules";
import type { StackDocument } from "../policy/document";
import type { CloudPreflight } from "./preflight";
import { EnvironmentSpec } from "./spec";

/*
 * A cloud's provider classes and tiers are required when its first stack is built, not
 * when this file loads: building only DigitalOcean stacks never loads AWS's classes (about
 * 95 ms), nor the reverse (about 30 ms). Only validation, which every spec goes through,
 * the words describing how hosts receive their environment and the policy checks every
 * synth runs are imported above; what the commands use (cost, diagram, preflight) loads
 * when a command first asks for it.
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

/**
 * Everything a cloud brings, in one registration: the stacks' providers and factory, the
 * spec's sections and their validation, the credentials, and what the commands read a
 * synthesised stack with (policy checks, cost rules, the diagram reader, the preflight).
 * Adding a cloud is writing one of these and listing it in `CLOUDS` (CONTRIBUTING.md).
 */
export interface CloudAdapter {
  /** The stack name suffix: `production-<id>`. */
  readonly id: string;
  /** The spec sections this cloud reads, its own first (e.g. `digitalocean`, then `cloudflare`); the spec may have no others. */
  readonly sections: readonly string[];
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
  /** The policy pack's checks on the cloud's stacks, and the resource types that hold data (the address record). */
  readonly policy: CloudPolicy;
  /** How `npm run cost` prices the cloud's stacks. */
  cost(): CloudCost;
  /** How `npm run diagram` reads a synthesised stack of this cloud into boxes and edges. */
  diagram(name: string, doc: StackDocument): Diagram;
  /** `npm run preflight`'s checks of an account before an apply. @default - none: preflight refuses the cloud's stacks */
  preflight?(): CloudPreflight;
}

/** Tags every resource carries, through the providers' default tags where they have them. */
export function defaultTags(spec: EnvironmentSpec): Record<string, string> {
  return { Application: spec.application.name, Environment: spec.environment, ManagedBy: "cloudtiers" };
}

export const AWS: CloudAdapter = {
  id: "aws",
  sections: ["aws"],
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
  policy: AWS_POLICY,
  cost: () => (require("../aws/cost") as typeof import("../aws/cost")).AWS_COST,
  diagram: (name, doc) => (require("../aws/diagram") as typeof import("../aws/diagram")).describeAws(name, doc),
  preflight: () => (require("../aws/preflight") as typeof import("../aws/preflight")).AWS_PREFLIGHT,
};

export const DIGITALOCEAN: CloudAdapter = {
  id: "do",
  sections: ["digitalocean", "cloudflare"],
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
  policy: DIGITALOCEAN_POLICY,
  cost: () => (require("../digitalocean/cost") as typeof import("../digitalocean/cost")).DIGITALOCEAN_COST,
  diagram: (name, doc) => (require("../digitalocean/diagram") as typeof import("../digitalocean/diagram")).describeDigitalOcean(name, doc),
  preflight: () => (require("../digitalocean/preflight") as typeof import("../digitalocean/preflight")).DIGITALOCEAN_PREFLIGHT,
};

/** Every cloud a stack can be synthesised for. */
export const CLOUDS: readonly CloudAdapter[] = [AWS, DIGITALOCEAN];
