import { TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudflareProvider } from "@cdktf/provider-cloudflare/lib/provider";
import { DigitaloceanProvider } from "@cdktf/provider-digitalocean/lib/provider";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { TlsProvider } from "@cdktf/provider-tls/lib/provider";
import { TierFactory, ValidationIssue } from "../core";
import { AwsTierFactory } from "../aws/factory";
import { validateAwsSettings } from "../aws/settings";
import { cloudflareEdgeCidrs } from "../cloudflare/ip-ranges";
import { validateCloudflareSettings } from "../cloudflare/settings";
import { DigitalOceanTierFactory } from "../digitalocean/factory";
import { validateDigitalOceanSettings } from "../digitalocean/settings";
import { EnvironmentSpec } from "./spec";

/** What the stack needs to know of a cloud. Adding a cloud is adding one entry to `CLOUDS`. */
export interface CloudAdapter {
  /** The stack name suffix: `production-<id>`. */
  readonly id: string;
  /** The environment variables the cloud's providers read their credentials from. */
  readonly credentials: readonly string[];
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
  credentials: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
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


export const DIGITALOCEAN: CloudAdapter = {
  id: "do",
  credentials: ["DIGITALOCEAN_TOKEN", "SPACES_ACCESS_KEY_ID", "SPACES_SECRET_ACCESS_KEY", "CLOUDFLARE_API_TOKEN"],
  wanted: (spec) => spec.digitalocean !== undefined,
  validate(spec) {
    const pools = spec.pools ?? {};
    const issues = [
      ...validateDigitalOceanSettings(spec.digitalocean, {
        environment: spec.environment,
        poolMinimums: (["web", "app", "worker"] as const)
          .filter((role) => pools[role] !== undefined)
          .map((role) => ({ path: `pools.${role}.min`, min: pools[role]!.min })),
        postgresSize: spec.postgres?.size,
        postgresReplicaSize: spec.postgres?.replicaSize,
      }),
      // Only the site's name is proxied by Cloudflare; the CDN and the maintenance Worker bring their own certificates.
      ...validateCloudflareSettings(spec.environment, spec.cloudflare, spec.dnsZone, [{ path: "domain", name: spec.domain }]),
    ];
    if (spec.createDnsZone) {
      issues.push({ environment: spec.environment, path: "createDnsZone", message: "is not supported with Cloudflare: give the existing zone's id in cloudflare.zoneId" });
    }
    return issues;
  },
  configure(stack, spec) {
    // Tokens come from DIGITALOCEAN_TOKEN, SPACES_ACCESS_KEY_ID / SPACES_SECRET_ACCESS_KEY and CLOUDFLARE_API_TOKEN.
    new DigitaloceanProvider(stack, "digitalocean", {});
    new CloudflareProvider(stack, "cloudflare", {});
    new TlsProvider(stack, "tls", {});
    return new DigitalOceanTierFactory({ settings: spec.digitalocean!, cloudflare: spec.cloudflare!, edgeCidrs: cloudflareEdgeCidrs(stack) });
  },
};

/** Every cloud a stack can be synthesised for. */
export const CLOUDS: readonly CloudAdapter[] = [AWS, DIGITALOCEAN];
