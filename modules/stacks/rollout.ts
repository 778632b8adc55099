import { namePrefix } from "../django/validate";
import { poolName } from "../naming/resource-names";
import { poolRoles } from "../django/topology";
import { planStacks } from "./app";
import { DIGITALOCEAN } from "./clouds";
import { EnvironmentSpec } from "./spec";

/** A rollout asked for wrongly: no such stack, not a DigitalOcean one, no token. Nothing was called. */
export class RolloutUsageError extends Error {}

/** The autoscale pools of a DigitalOcean stack, by name (`<application>-<environment>-<role>`), for `npm run rollout`. */
export function rolloutPools(environments: readonly EnvironmentSpec[], stack: string | undefined): string[] {
  const stacks = planStacks(environments);
  const ours = stacks.filter((s) => s.cloud === DIGITALOCEAN).map((s) => s.name);
  if (!stack) throw new RolloutUsageError(`usage: npm run rollout -- <stack>, one of ${ours.join(", ") || "(no DigitalOcean stack)"}`);
  const found = stacks.find((s) => s.name === stack);
  if (!found) throw new RolloutUsageError(`"${stack}" matches no stack; the DigitalOcean stacks are ${ours.join(", ") || "none"}`);
  if (found.cloud !== DIGITALOCEAN) {
    throw new RolloutUsageError(`"${stack}" is not a DigitalOcean stack: on AWS the instance refresh rolls a release out, each host joining once it is ready (docs/releasing.md)`);
  }
  return poolRoles(found.spec).map((role) => poolName(namePrefix(found.spec), role));
}
