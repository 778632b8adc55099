import { EnvironmentSpec } from "./types";
import { application, aws, cloudflare, digitalocean, dnsZone } from "./defaults";

/** One web host, one worker, a single small database: cheap, disposable. */
export const dev: EnvironmentSpec = {
  environment: "dev",
  application: { ...application, image: "ghcr.io/acme/shop:main", settings: { DJANGO_DEBUG: "false" } },
  domain: "dev.example.com",
  dnsZone,
  layout: "colocated",
  network: { cidr: "10.10.0.0/16", zones: 2 },
  pools: {
    web: { size: "small", min: 1, max: 1 },
    worker: { size: "small", min: 1, max: 1, beat: false },
  },
  postgres: { size: "small", storageGiB: 20, highAvailability: false, replicas: 0, pooling: false, backupRetentionDays: 1 },
  cache: { size: "small", highAvailability: false },
  production: false,
  deletionProtection: false,
  aws: { ...aws, natGateways: "single" },
  digitalocean,
  cloudflare,
};
