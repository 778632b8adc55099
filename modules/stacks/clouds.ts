import { TerraformStack } from "cdktf";
import { AppDeliveryDescription, TierFactory, ValidationIssue } from "../core";
import { AWS } from "../aws/cloud";
import type { CloudCost } from "../cost/rules";
import type { Diagram } from "../diagram/graph";
import { DIGITALOCEAN } from "../digitalocean/cloud";
import type { CloudPolicy } from "../policy/rules";
import type { StackDocument } from "../policy/document";
import type { CloudPreflight } from "./preflight";
import { EnvironmentSpec } from "./spec";

export { AWS, defaultTags } from "../aws/cloud";
export { DIGITALOCEAN } from "../digitalocean/cloud";

/**
 * Everything a cloud brings, in one registration: the stacks' providers and factory, the
 * spec's sections and their validation, the credentials, and what the commands read a
 * synthesised stack with (policy checks, cost rules, the diagram reader, the preflight).
 * Adding a cloud is writing one of these and listing it in `CLOUDS` (CONTRIBUTING.md).
 */
export interface CloudAdapter {
  /** The stack name suffix: `production-<id>`. */
  readonly id: string;
  /** The spec sections this cloud reads, its own first (e.g. `digitalocean`, then `cloudflare`), whose presence asks for the cloud's stack; the spec may have no others. */
  readonly sections: readonly string[];
  /** The environment variables the cloud's providers read their credentials from. */
  readonly credentials: readonly string[];
  /** The cloud's own rules on the spec. */
  validate(spec: EnvironmentSpec): ValidationIssue[];
  /** Creates the stack's providers (credentials come from the environment) and the factory. */
  configure(stack: TerraformStack, spec: EnvironmentSpec): TierFactory;
  /** How the application's settings and each store's secrets reach the hosts, in words (`npm run settings`). */
  describeDelivery(spec: EnvironmentSpec): AppDeliveryDescription;
  /** The policy pack's checks on the cloud's stacks, and the resource types that hold data (the address record). */
  readonly policy: CloudPolicy;
  /** How `npm run cost` prices the cloud's stacks. */
  cost(): CloudCost;
  /** How `npm run diagram` reads a synthesised stack of this cloud into boxes and edges. */
  diagram(name: string, doc: StackDocument): Diagram;
  /** `npm run preflight`'s checks of an account before an apply. @default - none: preflight refuses the cloud's stacks */
  preflight?(): CloudPreflight;
  /** The cloud's sections of the sample specs the spec-text test injects into (`modules/stacks/samples.ts`). */
  samples(): CloudSamples;
}

/**
 * A cloud's sections for the two sample specs of `modules/stacks/samples.ts`, which between
 * them set every field of its sections: `split` (the split layout, its secrets generated or
 * variables) and `full` (every neutral field, secrets already in a store), which a cloud
 * that cannot hold it leaves out.
 */
export interface CloudSamples {
  readonly split: Partial<EnvironmentSpec>;
  readonly full?: Partial<EnvironmentSpec>;
}

/** Whether the spec has the cloud's own section (its first), i.e. wants the cloud's stack. */
export function wants(cloud: CloudAdapter, spec: EnvironmentSpec): boolean {
  return (spec as unknown as Record<string, unknown>)[cloud.sections[0]] !== undefined;
}

/**
 * Every cloud a stack can be synthesised for, each registered once: its registration lives
 * in its own folder (`modules/<cloud>/cloud.ts`), and listing it here is all the app,
 * the policy pack and the commands need (CONTRIBUTING.md, "Adding a cloud").
 */
export const CLOUDS: readonly CloudAdapter[] = [AWS, DIGITALOCEAN];
