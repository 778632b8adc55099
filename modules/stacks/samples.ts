import { EnvironmentSpec } from "./spec";

/*
 * Specs that set every field a spec may have, between them: one with everything an AWS-only
 * environment can hold (secrets already in Secrets Manager), one on both clouds. The test
 * of spec text (test/topology/spec-text.test.ts) injects text into each of their strings,
 * and fails while a field the validators know is set by none of them: give a new field a
 * value here.
 */

const image = "ghcr.io/acme/shop:1.0.0@sha256:ed848f775b63800b8edef92408ea12bde179fd7e5eb2d5bae08ed6416bac1566";
const organization = "acme";

/** An AWS environment with every AWS and Terraform Cloud field set. */
export const AWS_SAMPLE: EnvironmentSpec = {
  environment: "sample-aws",
  application: {
    name: "shop",
    image,
    wsgiModule: "shop.wsgi:application",
    celeryApp: "shop",
    settingsModule: "shop.settings.production",
    settings: { GREETING: "Welcome to the shop", STRIPE_PUBLISHABLE_TOKEN: "pk_live_sample" },
    secrets: { DJANGO_SECRET_KEY: { source: "generated", length: 64 }, STRIPE_API_KEY: { source: "existing" }, SENTRY_DSN_TOKEN: { source: "variable" } },
    publicSettings: ["STRIPE_PUBLISHABLE_TOKEN"],
    registry: { server: "ghcr.io", username: "acme-deploy-bot", password: { source: "existing" } },
  },
  domain: "www.example.com",
  dnsZone: "example.com",
  createDnsZone: false,
  layout: "colocated",
  network: { cidr: "10.40.0.0/16", zones: 2 },
  pools: {
    web: { size: "small", min: 2, max: 4, cpuTargetPercent: 50 },
    worker: { size: "small", min: 1, max: 2, cpuTargetPercent: 70, concurrency: 2, stopTimeoutSeconds: 600, beat: true },
  },
  postgres: { size: "medium", replicaSize: "medium", version: "16", storageGiB: 50, highAvailability: true, replicas: 1, pooling: true, backupRetentionDays: 7 },
  cache: { size: "small", highAvailability: true, version: "8" },
  cdn: { mediaDomain: "media.example.com", staticDomain: "static.example.com" },
  failover: { title: "Back soon", message: "The shop is down for maintenance." },
  deletionProtection: true,
  healthCheckPath: "/healthz",
  production: true,
  backend: "terraform-cloud",
  terraformCloud: {
    organization,
    hostname: "tfe.example.com",
    project: "Shop",
    workspacePrefix: "shop",
    terraformVersion: "1.11.4",
    vcs: { repository: "acme/shop-infra", branch: "main", oauthTokenId: "ot-AbC123" },
    promotesFrom: "sample-both",
  },
  policy: { suppress: [{ rule: "CT-DB-004", cloud: "aws", resource: "aws_db_instance.sample", reason: "a sample suppression, for the tests" }] },
  aws: {
    region: "eu-west-1",
    allowedAccountIds: ["123456789012"],
    natGateways: "single",
    hostedZoneId: "Z0123456789ABCDEFGHIJ",
    imageId: "ami-0123456789abcdef0",
    sizes: { compute: { large: "m7i.xlarge" }, postgres: { large: "db.r7g.large" }, cache: { large: "cache.r7g.large" } },
    cdnPriceClass: "PriceClass_100",
    secrets: {
      STRIPE_API_KEY: { arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/stripe-AbCdEf", jsonKey: "api_key" },
      REGISTRY_PASSWORD: { arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/ghcr-AbCdEf" },
    },
  },
};

/** An environment on AWS and on DigitalOcean + Cloudflare, with every DigitalOcean and Cloudflare field set. */
export const BOTH_CLOUDS_SAMPLE: EnvironmentSpec = {
  environment: "sample-both",
  application: {
    name: "shop",
    image,
    wsgiModule: "shop.wsgi:application",
    celeryApp: "shop",
    settings: { SITE_NAME: "The shop" },
    secrets: { DJANGO_SECRET_KEY: { source: "generated" } },
    registry: { username: "acme-deploy-bot", password: { source: "variable" } },
  },
  domain: "shop.example.com",
  dnsZone: "example.com",
  layout: "split",
  network: { cidr: "10.50.0.0/16", zones: 2 },
  pools: {
    web: { size: "small", min: 1, max: 2 },
    app: { size: "medium", min: 1, max: 3 },
    worker: { size: "small", min: 1, max: 2 },
  },
  postgres: { size: "small", storageGiB: 20, highAvailability: false, replicas: 0 },
  cache: { size: "small", highAvailability: false },
  failover: {},
  production: false,
  terraformCloud: { organization, hostname: "tfe.example.com", vcs: { repository: "acme/shop-infra", githubAppInstallationId: "ghain-AbC123" } },
  aws: { region: "eu-west-1" },
  digitalocean: {
    region: "fra1",
    sshKeys: ["3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa", "12345"],
    adminCidrs: ["203.0.113.0/24"],
    projectId: "01234567-89ab-cdef-0123-456789abcdef",
    disasterRecoveryRegion: "ams3",
    loadBalancerSizeUnit: 2,
    sizes: { compute: { large: "c-4" }, postgres: { large: "db-s-4vcpu-8gb" }, cache: { large: "db-s-2vcpu-4gb" } },
  },
  cloudflare: { accountId: "0123456789abcdef0123456789abcdef", zoneId: "fedcba9876543210fedcba9876543210", manageZoneSettings: false, advancedCertificates: true },
};

/** Both samples, in the order they are built (the AWS one promotes from the other). */
export const SPEC_SAMPLES: readonly EnvironmentSpec[] = [BOTH_CLOUDS_SAMPLE, AWS_SAMPLE];
