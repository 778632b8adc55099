import { ValidationIssue, nameIssues } from "../core";
import { CloudflareSettings, validateCloudflareSettings } from "../cloudflare/settings";
import { declaredSecretsOf } from "../django/secrets";
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
  return issues;
}
