import { DEFAULTS, SIZES, ValidationIssue, nameIssues } from "../core";
import { declaredSecretsOf } from "../django/secrets";
import { DjangoTopologyProps } from "../django/spec";
import { awsDerivedNames } from "./names";
import { AwsSettings, validateAwsSettings } from "./settings";
import { AWS_BROKER_SIZES, AWS_SINGLE_NODE_BROKER } from "./sizes";

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
    ...brokerIssues(spec),
  ];
}

/** A RabbitMQ cluster on a node type that runs one node only. */
function brokerIssues(spec: DjangoTopologyProps): ValidationIssue[] {
  const b = spec.broker;
  const size = b?.size ?? DEFAULTS.broker.size;
  if (b?.engine !== "rabbitmq" || b.highAvailability !== true || AWS_BROKER_SIZES[size] !== AWS_SINGLE_NODE_BROKER) return [];
  const sizes = SIZES.filter((size) => AWS_BROKER_SIZES[size] !== AWS_SINGLE_NODE_BROKER);
  return [
    {
      environment: spec.environment,
      path: "broker.size",
      message: `must be one of ${sizes.map((size) => `"${size}"`).join(", ")} with broker.highAvailability on AWS (${AWS_SINGLE_NODE_BROKER}, Amazon MQ's type for it, runs a single node only), got "${size}"`,
    },
  ];
}
