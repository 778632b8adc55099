import { DEFAULTS, ValidationIssue, nameIssues } from "../core";
import { declaredSecretsOf } from "../django/secrets";
import { DjangoTopologyProps } from "../django/spec";
import { awsDerivedNames } from "./names";
import { AwsSettings, validateAwsSettings } from "./settings";

/**
 * AWS's rules for a topology on AWS with `settings`: the settings themselves and what the
 * spec asks of them, and every name the stack would give a resource, held to that
 * resource's own rules. One pass, whether the spec comes through `buildApp` (the cloud
 * adapter) or a library user's `DjangoTopology` with an `AwsTierFactory`.
 */
export function validateAwsTopology(settings: AwsSettings | undefined, spec: DjangoTopologyProps): ValidationIssue[] {
  const application = spec.application && typeof spec.application === "object" ? spec.application : undefined;
  return [
    ...validateAwsSettings(settings, {
      environment: spec.environment,
      zones: spec.network?.zones ?? DEFAULTS.network.zones,
      networkCidr: spec.network?.cidr ?? DEFAULTS.network.cidr,
      secrets: declaredSecretsOf(spec),
      image: application?.image,
      registryLogin: application?.registry !== undefined,
      settings: application?.settings,
    }),
    ...nameIssues(spec.environment, awsDerivedNames(spec)),
  ];
}
