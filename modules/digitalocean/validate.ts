import { ValidationIssue, nameIssues } from "../core";
import { CloudflareSettings, validateCloudflareSettings } from "../cloudflare/settings";
import { declaredSecretsOf } from "../django/secrets";
import { APP_DISCOVERY } from "../django/host";
import { DjangoTopologyProps } from "../django/spec";
import { digitalOceanDerivedNames } from "./names";
import { DO_SHUTDOWN_SECONDS, DigitalOceanSettings, validateDigitalOceanSettings } from "./settings";

/**
 * DigitalOcean's and Cloudflare's rules for a topology on them: the settings and what the
 * spec asks of them, and every name the stack would give a resource. One pass, whether the
 * spec comes through `buildApp` (the cloud adapter) or a library user's `DjangoTopology`
 * with a `DigitalOceanTierFactory`.
 */
export function validateDigitalOceanTopology(settings: DigitalOceanSettings | undefined, cloudflare: CloudflareSettings | undefined, spec: DjangoTopologyProps): ValidationIssue[] {
  const pools = spec.pools ?? {};
  const application = spec.application && typeof spec.application === "object" ? spec.application : undefined;
  const issues = [
    ...validateDigitalOceanSettings(settings, {
      environment: spec.environment,
      poolMinimums: (["web", "app", "worker"] as const).filter((role) => pools[role] !== undefined).map((role) => ({ path: `pools.${role}.min`, min: pools[role]!.min })),
      postgresSize: spec.postgres?.size,
      postgresReplicaSize: spec.postgres?.replicaSize,
      secrets: declaredSecretsOf(spec),
      image: application?.image,
      networkCidr: spec.network?.cidr,
      logs: spec.logs !== undefined,
    }),
    // Only the site's name is proxied by Cloudflare; the CDN and the maintenance Worker bring their own certificates.
    ...validateCloudflareSettings(spec.environment, cloudflare, spec.dnsZone, [{ path: "domain", name: spec.domain }]),
    ...nameIssues(spec.environment, digitalOceanDerivedNames(spec, settings?.disasterRecoveryRegion !== undefined)),
  ];
  if (spec.createDnsZone) {
    issues.push({ environment: spec.environment, path: "createDnsZone", message: "is not supported with Cloudflare: give the existing zone's id in cloudflare.zoneId" });
  }
  const stop = pools.worker?.stopTimeoutSeconds;
  if (typeof stop === "number" && stop > DO_SHUTDOWN_SECONDS) {
    issues.push({
      environment: spec.environment,
      path: "pools.worker.stopTimeoutSeconds",
      message: `must be at most ${DO_SHUTDOWN_SECONDS} on DigitalOcean, which destroys a droplet ${DO_SHUTDOWN_SECONDS} s after its shutdown, got ${stop}`,
    });
  }
  const engine = spec.broker?.engine;
  if (engine === "sqs" || engine === "rabbitmq") {
    // No managed queue service or RabbitMQ; a broker on droplets of its own would be a data store without managed backups or failover.
    issues.push({
      environment: spec.environment,
      path: "broker.engine",
      message: `must be "valkey" on DigitalOcean, which has no ${engine === "sqs" ? "queue service" : "managed RabbitMQ"} (PROVIDER GAP: Celery's broker is the managed Valkey), got "${engine}"`,
    });
  }
  const webMax = pools.web?.max;
  if (spec.layout === "nginx-balanced" && typeof webMax === "number" && webMax > DO_LISTING_WEB_MAX) {
    issues.push({
      environment: spec.environment,
      path: "pools.web.max",
      message: `must be at most ${DO_LISTING_WEB_MAX} with the nginx-balanced layout on DigitalOcean, whose API allows one token ${DO_TOKEN_REQUESTS_PER_HOUR} requests an hour, and each web droplet lists the app droplets every ${APP_DISCOVERY.intervalSeconds} s (${3600 / APP_DISCOVERY.intervalSeconds} an hour), got ${webMax} (use the split layout for more)`,
    });
  }
  return issues;
}

/** DigitalOcean's API rate limit: "5,000 requests per hour" per token (the API reference's rate limits). */
export const DO_TOKEN_REQUESTS_PER_HOUR = 5000;
/** The most web droplets that list the app droplets with one token and stay under 90% of its limit. */
export const DO_LISTING_WEB_MAX = Math.floor((DO_TOKEN_REQUESTS_PER_HOUR * 0.9) / (3600 / APP_DISCOVERY.intervalSeconds));
