import { gunzipSync } from "node:zlib";
import { Writable } from "node:stream";
import { Testing, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudflareProvider } from "@cdktf/provider-cloudflare/lib/provider";
import { DigitaloceanProvider } from "@cdktf/provider-digitalocean/lib/provider";
import { TlsProvider } from "@cdktf/provider-tls/lib/provider";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { AwsTierFactory } from "../modules/aws/factory";
import { AppConfiguration, HostBootstrap, TierFactory } from "../modules/core";
import { AwsSettings } from "../modules/aws/settings";
import { throughLocal } from "../modules/diagram/references";
import { CloudflareSettings } from "../modules/cloudflare/settings";
import { DigitalOceanTierFactory } from "../modules/digitalocean/factory";
import { DigitalOceanSettings } from "../modules/digitalocean/settings";
import { CLOUDS } from "../modules/stacks/clouds";
import { CloudTiersStack } from "../modules/stacks/stack";
import { EnvironmentSpec } from "../modules/stacks/spec";
import { dev } from "../environments/dev";
import { environments } from "../environments";

/** A resource's configuration as synthesised, without cdktf's metadata. */
export type Config = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A synthesised stack, parsed, with look-ups by type and construct path. */
export class Synth {
  public readonly json: Config;

  /** `text` is the synthesised JSON, for cdktf's matchers. */
  constructor(public readonly text: string) {
    this.json = JSON.parse(text);
  }

  /** Every resource of `type`, by logical id. */
  public resources(type: string): Record<string, Config> {
    return this.json.resource?.[type] ?? {};
  }

  /** Every data source of `type`, by logical id. */
  public data(type: string): Record<string, Config> {
    return this.json.data?.[type] ?? {};
  }

  /** The `[logicalId, config]` pairs of `type` whose construct path has `pathPart` (`a/b` or `a_b`) at a segment start. */
  public entries(type: string, pathPart = ""): [string, Config][] {
    const needle = pathPart.replace(/\//g, "_");
    return Object.entries(this.resources(type)).filter(([id]) => id.startsWith(needle) || id.includes(`_${needle}`));
  }

  /** The resources of `type` whose construct path contains `pathPart`. */
  public where(type: string, pathPart = ""): Config[] {
    return this.entries(type, pathPart).map(([, r]) => r);
  }

  /** The single resource of `type` whose path contains `pathPart`; fails unless exactly one. */
  public one(type: string, pathPart = ""): Config {
    const found = this.where(type, pathPart);
    if (found.length !== 1) throw new Error(`expected one ${type} at "${pathPart}", found ${found.length}`);
    return found[0];
  }

  /** `${type}.${logicalId}` of a resource, to match references against. */
  public address(type: string, pathPart = ""): string {
    const found = this.entries(type, pathPart);
    if (found.length !== 1) throw new Error(`expected one ${type} at "${pathPart}", found ${found.length}`);
    return `${type}.${found[0][0]}`;
  }

  public get outputs(): Record<string, Config> {
    return this.json.output ?? {};
  }
}

/** A stack with the AWS providers a tier needs, and a factory bound to them. */
export function awsTestStack(settings: Partial<AwsSettings> = {}): { stack: TerraformStack; factory: AwsTierFactory } {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const cdnProvider = new AwsProvider(stack, "aws-us-east-1", { alias: "us_east_1", region: "us-east-1" });
  new RandomProvider(stack, "random");
  return { stack, factory: new AwsTierFactory({ settings: { region: "eu-west-1", ...settings }, cdnProvider }) };
}

/** Synthesises with cdktf's validations on. */
export function synth(stack: TerraformStack): Synth {
  return new Synth(Testing.synth(stack, true));
}

/** A valid spec to start from: the shipped dev environment with `overrides` on top. */
export function specWith(overrides: Partial<EnvironmentSpec> = {}): EnvironmentSpec {
  return { ...dev, ...overrides };
}

/**
 * A second environment beside dev that shares none of its host names or its network block
 * (two environments of one app may not): site `<environment>.example.com`, network `10.<block>.0.0/16`.
 */
export function specBeside(environment: string, block: number, overrides: Partial<EnvironmentSpec> = {}): EnvironmentSpec {
  return specWith({ environment, domain: `${environment}.example.com`, network: { cidr: `10.${block}.0.0/16`, zones: 2 }, ...overrides });
}

/** A DigitalOcean pool's user data as Terraform receives it: the text of the local its droplet template names. */
export function dropletUserData(s: Synth, pathPart: string): string {
  const template: string = s.one("digitalocean_droplet_autoscale", pathPart).droplet_template.user_data;
  const text = throughLocal(s.json, template);
  if (text === template || typeof text !== "string") throw new Error(`the ${pathPart} pool's user data is not a local's: ${template.slice(0, 80)}`);
  return text;
}

/** Synthesises a whole environment on AWS. */
export function synthAwsEnvironment(spec: EnvironmentSpec): Synth {
  const aws = CLOUDS.find((c) => c.id === "aws")!;
  return synth(new CloudTiersStack(Testing.app(), spec, aws));
}

/**
 * The stacks the shipped environments call for, in their order: `<environment>-aws` for a
 * spec with an `aws` section, `<environment>-do` for one with a `digitalocean` section.
 */
export const SHIPPED_STACKS = environments.flatMap((spec) => [
  ...(spec.aws ? [{ name: `${spec.environment}-aws`, spec, cloud: "aws" as const }] : []),
  ...(spec.digitalocean ? [{ name: `${spec.environment}-do`, spec, cloud: "do" as const }] : []),
]);

/** `${ref}` as it appears in synthesised JSON. */
export function ref(address: string, attribute: string): string {
  return `\${${address}.${attribute}}`;
}

/** A launch template's cloud-config: its user data is gzipped, then base64 (`ec2UserData`). */
export function decodeUserData(launchTemplate: Config): string {
  return gunzipSync(Uint8Array.from(Buffer.from(launchTemplate.user_data, "base64"))).toString("utf8");
}

export type { Construct };

/** The tiers most other tiers stand on, through any factory: network, zone, a load balancer and a CDN certificate. */
function baseTiers<F extends TierFactory>(stack: TerraformStack, factory: F) {
  const namePrefix = "shop-test";
  const network = factory.createNetwork(stack, "network", { namePrefix, cidr: "10.0.0.0/16", zones: 2 });
  const zone = factory.createDnsZone(stack, "zone", { namePrefix, zoneName: "example.com", deletionProtection: true });
  const certificate = factory.createCertificate(stack, "certificate", { namePrefix, zone, domainName: "www.example.com", use: "load-balancer" });
  const cdnCertificate = factory.createCertificate(stack, "cdn-certificate", {
    namePrefix,
    zone,
    domainName: "media.example.com",
    alternativeNames: ["www.example.com"],
    use: "cdn",
  });
  return { stack, factory, namePrefix, network, zone, certificate, cdnCertificate };
}

/** The base tiers on AWS. */
export function awsFixture(settings: Partial<AwsSettings> = {}) {
  const { stack, factory } = awsTestStack(settings);
  return baseTiers(stack, factory);
}

/** A host bootstrap whose user data is just the cloud's fetch script, for tier tests. */
export function fetchScriptHost(configuration: AppConfiguration = { settings: [], secrets: [] }): HostBootstrap {
  return { configuration, render: (delivery) => `#!/bin/sh\n# packages: ${delivery.packages.join(" ")}\n${delivery.fetchScript}`, readySeconds: 3300, stopSeconds: 30 };
}

/** The fixture's internet-facing load balancer in front of port 80, checked on /healthz. */
export function publicLoadBalancer(f: ReturnType<typeof awsFixture>, id = "lb") {
  return f.factory.createLoadBalancer(f.stack, id, {
    namePrefix: f.namePrefix,
    network: f.network,
    scheme: "public",
    certificate: f.certificate,
    targetPort: 80,
    healthCheck: { path: "/healthz" },
  });
}

/** The fixture's internal load balancer in front of port 8000, checked on /healthz. */
export function internalLoadBalancer(f: ReturnType<typeof awsFixture>, id = "internal") {
  return f.factory.createLoadBalancer(f.stack, id, {
    namePrefix: f.namePrefix,
    network: f.network,
    scheme: "internal",
    targetPort: 8000,
    healthCheck: { path: "/healthz" },
  });
}

/** A stack with the DigitalOcean, Cloudflare, TLS and random providers, and a factory bound to them. */
export function doTestStack(settings: Partial<DigitalOceanSettings> = {}, cloudflare: Partial<CloudflareSettings> = {}) {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  new DigitaloceanProvider(stack, "digitalocean", {});
  new CloudflareProvider(stack, "cloudflare", {});
  new TlsProvider(stack, "tls", {});
  new RandomProvider(stack, "random");
  const factory = new DigitalOceanTierFactory({
    settings: { region: "fra1", sshKeys: ["12345"], ...settings },
    cloudflare: { accountId: "a".repeat(32), zoneId: "b".repeat(32), ...cloudflare },
    edgeCidrs: ["cidr:173.245.48.0/20", "cidr:103.21.244.0/22"],
  });
  return { stack, factory };
}

/** The base tiers on DigitalOcean + Cloudflare. */
export function doFixture(settings: Partial<DigitalOceanSettings> = {}, cloudflare: Partial<CloudflareSettings> = {}) {
  const { stack, factory } = doTestStack(settings, cloudflare);
  return baseTiers(stack, factory);
}

/** Synthesises a whole environment on DigitalOcean + Cloudflare. */
export function synthDoEnvironment(spec: EnvironmentSpec): Synth {
  const cloud = CLOUDS.find((c) => c.id === "do")!;
  return synth(new CloudTiersStack(Testing.app(), spec, cloud));
}

/** The stack outputs every stack has, on every cloud. */
export const OUTPUT_NAMES = [
  "application_image",
  "database_password_secret",
  "database_replica_urls",
  "database_url",
  "health_check_url",
  "media_bucket",
  "media_cdn_domain",
  "redis_password_secret",
  "redis_url",
  "site_url",
  "static_bucket",
  "static_cdn_domain",
  "storage_endpoint_url",
  "storage_region",
];

/** The outputs that hold a password's whereabouts or a URL with credentials' place in it: sensitive on every cloud. */
export const SENSITIVE_OUTPUTS = ["database_replica_urls", "database_url", "redis_url"];

/** A stream that keeps what is written to it, for a command's stdout or stderr. */
export function capture(): { stream: Writable; text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}
