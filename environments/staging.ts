import { EnvironmentSpec } from "./types";
import { application, aws, cloudflare, digitalocean, dnsZone } from "./defaults";

/** Production's shape at a smaller scale, with the nginx-balanced layout (web hosts balancing over the app hosts themselves): one read replica, pooled connections. */
export const staging: EnvironmentSpec = {
  environment: "staging",
  application,
  domain: "staging.example.com",
  dnsZone,
  layout: "nginx-balanced",
  network: { cidr: "10.20.0.0/16", zones: 2 },
  pools: {
    web: { size: "small", min: 1, max: 2 },
    app: { size: "medium", min: 1, max: 3 },
    worker: { size: "small", min: 1, max: 2 },
  },
  postgres: { size: "medium", storageGiB: 50, highAvailability: false, replicas: 1, pooling: true, backupRetentionDays: 7 },
  cache: { size: "small", highAvailability: false },
  production: false,
  deletionProtection: true,
  aws: { ...aws, natGateways: "single" },
  digitalocean,
  cloudflare,
};
