import { EnvironmentSpec } from "./types";
import { application, aws, cloudflare, digitalocean, dnsZone } from "./defaults";

/**
 * Three zones, nginx web pool in front of a gunicorn app pool, Multi-AZ PostgreSQL with
 * two read replicas behind a pooler and one in a disaster-recovery region, Valkey with a
 * standby, the whole site behind the CDN with a maintenance page when the origin fails,
 * alarms to the on-call addresses, a web application firewall at the edge, logs off every
 * host, everything stateful protected from deletion; runs follow staging's in Terraform
 * Cloud.
 */
export const production: EnvironmentSpec = {
  environment: "production",
  application,
  domain: "www.example.com",
  dnsZone,
  layout: "split",
  network: { cidr: "10.30.0.0/16", zones: 3 },
  pools: {
    web: { size: "medium", min: 3, max: 6 },
    app: { size: "large", min: 3, max: 12, cpuTargetPercent: 55 },
    worker: { size: "medium", min: 2, max: 8, concurrency: 4 },
  },
  postgres: {
    size: "large",
    storageGiB: 200,
    highAvailability: true,
    replicas: 2,
    pooling: true,
    backupRetentionDays: 14,
  },
  cache: { size: "medium", highAvailability: true },
  cdn: { mediaDomain: "media.example.com", staticDomain: "static.example.com", site: true },
  alerts: { emails: ["oncall@example.com", "platform@example.com"], latencyP95Ms: 1500 },
  firewall: { requestsPerMinute: 1200 },
  logs: { retentionDays: 90 },
  failover: { title: "We'll be right back", message: "The shop is down for maintenance. Please try again in a few minutes." },
  production: true,
  deletionProtection: true,
  // In Terraform Cloud (TF_CLOUD_ORGANIZATION set), a staging apply queues a production run.
  terraformCloud: { promotesFrom: "staging" },
  aws: { ...aws, natGateways: "per-zone", disasterRecoveryRegion: "eu-central-1", disasterRecoveryCidr: "10.130.0.0/16" },
  digitalocean: { ...digitalocean, disasterRecoveryRegion: "ams3", logDestination: "logs.example.com:6514" },
  cloudflare: { ...cloudflare, manageZoneSettings: true, plan: "pro" },
};
