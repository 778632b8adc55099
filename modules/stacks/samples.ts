import { CLOUDS } from "./clouds";
import { EnvironmentSpec } from "./spec";

/*
 * Specs that set every field a spec may have, between them: two neutral samples, each given
 * every registered cloud's sections for it (`CloudAdapter.samples`, in `modules/<cloud>/samples.ts`).
 * The test of spec text (test/topology/spec-text.test.ts) injects text into each of their
 * strings, and fails while a field the validators know is set by none of them: give a new
 * field a value here, or a new section's in its cloud's samples.
 */

const image = "ghcr.io/acme/shop:1.0.0@sha256:ed848f775b63800b8edef92408ea12bde179fd7e5eb2d5bae08ed6416bac1566";
const organization = "acme";

/** Every neutral and Terraform Cloud field set, secrets already in a store; promoting from the split sample. */
const FULL: EnvironmentSpec = {
  environment: "sample-full",
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
  cdn: { mediaDomain: "media.example.com", staticDomain: "static.example.com", site: true },
  failover: { title: "Back soon", message: "The shop is down for maintenance." },
  alerts: {
    emails: ["oncall@example.com", "ops+shop@example.com"],
    webhook: "https://events.example.com/alerts?source=shop",
    errorRatePercent: 2,
    latencyP95Ms: 800,
    databaseCpuPercent: 75,
    databaseStoragePercent: 85,
    databaseMemoryPercent: 85,
    databaseConnectionsPercent: 70,
    replicaLagSeconds: 30,
    cacheMemoryPercent: 75,
    cacheEvictions: 10,
    hostDiskPercent: 80,
  },
  firewall: { requestsPerMinute: 900 },
  logs: { retentionDays: 60 },
  broker: { engine: "rabbitmq", size: "medium", highAvailability: true },
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
    promotesFrom: "sample-split",
  },
};

/** The split layout, its secrets generated or given as variables, so that every cloud can hold it. */
const SPLIT: EnvironmentSpec = {
  environment: "sample-split",
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
  failover: { enabled: true },
  alerts: { emails: ["oncall@example.com"] },
  firewall: {},
  logs: {},
  production: false,
  terraformCloud: { organization, hostname: "tfe.example.com", vcs: { repository: "acme/shop-infra", githubAppInstallationId: "ghain-AbC123" } },
};

/** Both samples with every registered cloud's sections, in the order they are built (the full one promotes from the split one). */
export function specSamples(): EnvironmentSpec[] {
  const samples = CLOUDS.map((c) => c.samples());
  return [
    Object.assign({}, SPLIT, ...samples.map((s) => s.split)),
    Object.assign({}, FULL, ...samples.map((s) => s.full ?? {})),
  ];
}
