import { AppConfiguration, PoolRole, ValidationError, plainSpecText, secretLocation } from "../core";
import { HOST_ADDRESSES_SETTING } from "../django/host";
import { TopologyOutput } from "../django/topology";
import { BuildOptions, buildApp } from "./app";
import { EnvironmentSpec } from "./spec";
import { CloudTiersStack } from "./stack";


/** One environment variable a host's processes receive, as the stack decides it. */
export interface AppVariable {
  readonly name: string;
  /**
   * A plain setting's value, with Terraform expressions where Terraform decides it
   * (`postgres://app@${aws_db_proxy.x.endpoint}:5432/app?sslmode=require`). For a secret,
   * where it lives (`aws-secrets-manager:${aws_secretsmanager_secret.x.arn}#password`),
   * never the value.
   */
  readonly value: string;
  readonly secret: boolean;
  /** Where the value comes from, in words: `stack output database_url`, `application.settings`, ... */
  readonly source: string;
  /** The stack output with the same value (for a secret, the same location), if there is one. */
  readonly output?: string;
}

/** The environment a set of pools receives. */
export interface PoolsEnvironment {
  /** The pools' roles, in the order the topology creates them. */
  readonly roles: readonly PoolRole[];
  readonly variables: readonly AppVariable[];
}

/** What the application of one stack receives, and how it gets there. */
export interface StackSettings {
  readonly stack: string;
  /** How plain settings reach the hosts. */
  readonly settingsDelivery: string;
  /** Where the hosts ship their logs (the spec's `logs`), if anywhere. */
  readonly logs?: string;
  /** The environment of every Django process (gunicorn, Celery worker and beat). */
  readonly django: PoolsEnvironment;
  /** Pools that do not run Django and receive something else (the nginx-only web pool of `split`). */
  readonly others: readonly PoolsEnvironment[];
  /** What the Django hosts read for themselves and the application never receives (the registry login), if anything. */
  readonly host?: PoolsEnvironment;
}

/** The stack output whose value is `value`: equal, or (for a list) its items joined with commas. */
function outputFor(outputs: readonly TopologyOutput[], value: string): { name: string; joined: boolean } | undefined {
  const equal = outputs.find((o) => o.value === value);
  if (equal) return { name: equal.name, joined: false };
  const list = outputs.find((o) => Array.isArray(o.value) && o.value.length > 0 && o.value.join(",") === value);
  return list ? { name: list.name, joined: true } : undefined;
}

/** Where a plain setting's value comes from: the spec, a stack output, or the topology itself. */
function plainSource(spec: EnvironmentSpec, outputs: readonly TopologyOutput[], name: string, value: string): { source: string; output?: string } {
  const own = spec.application.settings ?? {};
  if (Object.prototype.hasOwnProperty.call(own, name) && own[name] === value) return { source: "application.settings" };
  if (name === "DJANGO_SETTINGS_MODULE" && value === spec.application.settingsModule) return { source: "application.settingsModule" };
  const output = outputFor(outputs, value);
  if (output) return { output: output.name, source: `stack output ${output.name}${output.joined ? ", comma-separated" : ""}` };
  if (value === spec.domain) return { source: "domain" };
  return { source: value.includes("${") ? "Terraform, no stack output" : "the topology, no stack output" };
}

function variables(stack: CloudTiersStack, configuration: AppConfiguration, outputs: readonly TopologyOutput[]): AppVariable[] {
  const spec = stack.spec;
  const delivery = stack.cloud.describeDelivery(spec);
  const plain = stack.resolved(configuration.settings).map(({ name, value }): AppVariable => {
    const setting = { name, value: plainSpecText(value) };
    const found = plainSource(spec, outputs, setting.name, setting.value);
    const atBoot = setting.name === HOST_ADDRESSES_SETTING ? "; each host appends its own IPs at every start" : "";
    return { ...setting, ...found, secret: false, source: `${found.source}${atBoot}` };
  });
  const secrets = configuration.secrets.map(({ name, secret, origin }): AppVariable => {
    const location = stack.resolved(secretLocation(secret));
    const how = delivery.secrets[secret.store];
    if (!how) throw new Error(`${stack.node.id}: ${name} is held in "${secret.store}", a store ${stack.cloud.id} does not describe (describeDelivery)`);
    const output = outputFor(outputs, location);
    const source = [origin, how, output ? `stack output ${output.name} names the location` : undefined].filter((part) => part !== undefined).join("; ");
    return { name, value: location, secret: true, output: output?.name, source };
  });
  return [...plain, ...secrets];
}

/**
 * The environment the application's hosts receive on `stack`, each variable with where its
 * value comes from, derived from the stack's own configuration and outputs. Secrets are
 * listed by location only.
 */
export function stackSettings(stack: CloudTiersStack): StackSettings {
  const topology = stack.topology;
  const outputs = stack.resolved(topology.outputs());
  const roles = Object.keys(topology.hostConfigurations) as PoolRole[];
  const django = roles.filter((r) => topology.hostConfigurations[r] === topology.appConfiguration);
  return {
    stack: stack.node.id,
    settingsDelivery: stack.cloud.describeDelivery(stack.spec).settings,
    ...(topology.logging ? { logs: topology.logging.destination } : {}),
    django: { roles: django, variables: variables(stack, topology.appConfiguration, outputs) },
    others: roles
      .filter((r) => !django.includes(r))
      .map((r) => {
        // Theirs and, where they have it, what they read for themselves (the nginx-balanced web hosts' listing token).
        const own = topology.hostConfigurations[r]!;
        return { roles: [r], variables: [...variables(stack, own, outputs), ...(own.host ? variables(stack, { settings: own.host.settings, secrets: own.host.secrets }, outputs) : [])] };
      }),
    ...(topology.appConfiguration.host ? { host: { roles: django, variables: variables(stack, topology.appConfiguration.host, outputs) } } : {}),
  };
}

/**
 * Builds the stacks `select` names (`*` matches any run of characters, as in
 * CLOUDTIERS_STACKS; every stack when empty) and returns each one's settings. Terraform
 * Cloud bootstrap stacks, which run no application, are left out. A name that matches no
 * stack throws `buildApp`'s `ValidationError`, which lists the stacks.
 */
export function settingsOf(environments: readonly EnvironmentSpec[], select: readonly string[], options: Pick<BuildOptions, "env"> = {}): StackSettings[] {
  const app = buildApp(environments, { ...options, select: select.length > 0 ? select : undefined });
  const stacks = app.node.children.filter((c): c is CloudTiersStack => c instanceof CloudTiersStack);
  if (stacks.length === 0) {
    throw new ValidationError([{ environment: "(selection)", path: "select", message: `${select.join(", ")} names only Terraform Cloud bootstrap stacks, which run no application` }]);
  }
  return stacks.map(stackSettings);
}

/** `settings` as text: one block per set of pools, one line per variable. */
export function formatSettings(settings: StackSettings): string {
  const block = (title: string, env: PoolsEnvironment) => {
    const width = Math.max(...env.variables.map((v) => v.name.length));
    return [
      title,
      ...(env.variables.length === 0 ? ["  nothing"] : []),
      ...env.variables.map((v) => `  ${v.name.padEnd(width)}  ${v.secret ? `secret at ${v.value}` : v.value}\n  ${" ".repeat(width)}  ${v.secret ? v.source : `from ${v.source}`}`),
    ].join("\n");
  };
  return [
    `${settings.stack}: the environment of every Django process (pools: ${settings.django.roles.join(", ")})`,
    `Settings travel ${settings.settingsDelivery}.`,
    settings.logs ? `Logs (the application's and nginx's) leave every host for ${settings.logs}.` : "Logs stay on each host, in its journal (no logs section).",
    "",
    block("Variables:", settings.django),
    ...settings.others.map((o) => `\n${block(`The ${o.roles.join(", ")} pool runs no Django; it receives:`, o)}`),
    ...(settings.host ? [`\n${block("The same hosts read for themselves, never in the application's environment (the registry login):", settings.host)}`] : []),
    "",
  ].join("\n");
}
