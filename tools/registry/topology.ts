import { Construct } from "constructs";
import { Fn, Op, TerraformIterator, TerraformLocal, TerraformStack, Token, ref } from "cdktf";
import { AppConfiguration, DEFAULTS } from "../../modules/core";
import { MANAGED_SETTINGS, postgresUrl } from "../../modules/django/configuration";
import { APP_UPSTREAM_SETTING } from "../../modules/django/host";
import { REGISTRY_PASSWORD } from "../../modules/django/secrets";
import { PYTHON_PATH, WORKER_INPUTS, poolInputs } from "../../modules/django/validate";
import { ApplicationOutputValues, applicationOutputs } from "../../modules/django/topology";
import { ModuleInputs, ModuleOutput, ModuleVariable, VariableRule } from "./definition";
import { applicationVariables, envNamesRule } from "./hosts";
import { eachMatchesRule, inputAttributes, inputRules, maintenanceTextRule, matchesRule, optionalAttribute } from "./variables";

/*
 * What the whole-topology modules (cloudtiers-django on each cloud) share: references to
 * the attributes of their object variables, the inputs that mean the same on every
 * cloud, and the hosts' environment built in Terraform with appConfiguration's names.
 */

/** A Terraform reference to an attribute of an object variable, e.g. `var.pools.web.size`. */
export function attribute(scope: Construct, path: string): { string: string; number: number; boolean: boolean } {
  const reference = ref(`var.${path}`, TerraformStack.of(scope));
  return { string: Token.asString(reference), number: Token.asNumber(reference), boolean: reference as unknown as boolean };
}

/** A tier a submodule made, for `appConfiguration`: the topology's wiring is the submodules' inputs, never these. */
export function wiredBySubmodules(): never {
  throw new Error("cloudtiers-django wires its tiers through their submodules' inputs");
}

export type PoolName = "web" | "app" | "worker";

/** The optional attribute of a pool object that overrides its size with the cloud's machine type (`instance_type`, `droplet_size`). */
export interface MachineTypeAttribute {
  readonly name: string;
  readonly pattern: RegExp;
  /** What a valid value is, for the rule's message: `an EC2 instance type such as "t3.small"`. */
  readonly what: string;
}

/** The `pools` variable's type: each pool's declared fields and the cloud's machine type; the worker's own fields that a module takes (`concurrency`, `beat`). */
export function poolsType(machineType: MachineTypeAttribute): string {
  const pool = `${inputAttributes(poolInputs(0))}, ${machineType.name} = optional(string)`;
  return `object({ web = optional(object({ ${pool} }), {}), app = optional(object({ ${pool} }), {}), worker = optional(object({ ${pool}, ${inputAttributes(WORKER_INPUTS, ["concurrency", "beat"])} }), {}) })`;
}

/** The spec's rules for one pool, on `var.pools.<pool>`. */
export function poolRules(pool: PoolName, minFloor: number, machineType: MachineTypeAttribute): VariableRule[] {
  const path = `pools.${pool}`;
  const inputs = poolInputs(minFloor);
  return [
    ...inputRules(path, inputs, ["size", "min", "max"]),
    { condition: `var.${path}.min <= var.${path}.max`, errorMessage: `The ${path}.max must be at least ${path}.min.` },
    ...inputRules(path, inputs, ["cpuTargetPercent"]),
    matchesRule(`${path}.${machineType.name}`, machineType.pattern, machineType.what, true),
    ...(pool === "worker" ? inputRules(path, WORKER_INPUTS, ["concurrency"]) : []),
  ];
}

/** A pool's scaling inputs of the compute pool module, from `var.pools.<pool>`. */
export function poolScalingInputs(scope: Construct, pool: PoolName, machineType: MachineTypeAttribute): Record<string, unknown> {
  const v = (name: string) => attribute(scope, `pools.${pool}.${name}`);
  return {
    size: v("size").string,
    [machineType.name]: v(machineType.name).string,
    min_instances: v("min").number,
    max_instances: v("max").number,
    cpu_target_percent: v("cpu_target_percent").number,
  };
}

/** The compute pool module's inputs that say what every pool runs: the application, the layout, the site's name and health path. */
export function poolApplicationInputs(scope: Construct, inputs: ModuleInputs, domain: string, healthCheckPath: string): Record<string, unknown> {
  return {
    layout: inputs.layout.string,
    container_image: inputs.container_image.string,
    wsgi_module: inputs.wsgi_module.string,
    celery_app: inputs.celery_app.string,
    domain,
    health_check_path: healthCheckPath,
    worker_concurrency: attribute(scope, "pools.worker.concurrency").number,
  };
}

/**
 * The web pool's environment and secrets: split-layout web hosts only proxy, so the
 * internal load balancer's address is all they are told; colocated ones run Django.
 */
export function webPoolEnvironment(split: boolean, upstream: string, environment: unknown, secrets: unknown): { environment: unknown; secrets: unknown } {
  return {
    environment: Fn.conditional(split, Fn.tomap({ [APP_UPSTREAM_SETTING]: upstream }), environment),
    secrets: Fn.conditional(split, {}, secrets),
  };
}

/** The application inputs of the compute pool modules that the topologies take as they are. */
export const APPLICATION: readonly ModuleVariable[] = applicationVariables("").filter((v) => ["container_image", "wsgi_module", "celery_app", "health_check_path"].includes(v.name));

/** `settings_module`: `DJANGO_SETTINGS_MODULE`, or the image's. */
export const SETTINGS_MODULE_VARIABLE: ModuleVariable = {
  name: "settings_module",
  type: "string",
  description: "`DJANGO_SETTINGS_MODULE`; left to the image when null.",
  default: null,
  validation: [matchesRule("settings_module", PYTHON_PATH, 'a Python module path such as "shop.settings.production"', true)],
};

/** `environment`: further settings of every Django process, never one the module sets itself. */
export function environmentVariable(description: string): ModuleVariable {
  return {
    name: "environment",
    type: "map(string)",
    description,
    default: {},
    validation: [
      envNamesRule("environment"),
      {
        condition: `alltrue([for k in keys(var.environment) : !contains(${JSON.stringify(MANAGED_SETTINGS)}, k)])`,
        errorMessage: `No key of environment may be one the module sets itself: ${MANAGED_SETTINGS.join(", ")}.`,
      },
      { condition: 'alltrue([for v in values(var.environment) : !can(regex("[\\\\r\\\\n]", v))])', errorMessage: "Every value of environment must be a single line." },
    ],
  };
}

/** The rules of `secrets`: keys named like environment variables, none the module sets itself. */
function secretNameRules(): VariableRule[] {
  return [
    envNamesRule("secrets"),
    {
      condition: `alltrue([for k in keys(var.secrets) : !contains(${JSON.stringify([...MANAGED_SETTINGS, REGISTRY_PASSWORD])}, k)])`,
      errorMessage: `No key of secrets may be one the module sets itself: ${[...MANAGED_SETTINGS, REGISTRY_PASSWORD].join(", ")}.`,
    },
  ];
}

/**
 * `secrets` of a topology module: the application's own secrets (the stacks'
 * `application.secrets`), by variable name. `type` and `description` are the cloud's:
 * where it keeps a secret. Every Django process receives them after the module's own.
 */
export function secretsVariable(type: string, description: string, rules: readonly VariableRule[] = [], sensitive = false): ModuleVariable {
  return { name: "secrets", type, description, default: {}, nullable: false, sensitive, validation: [...secretNameRules(), ...rules] };
}

/** `local.app_secrets`: the module's own secrets (`managed`), then the caller's `secrets`. */
export function appSecretsLocal(scope: Construct, managed: Record<string, unknown>, secrets: unknown): string {
  return new TerraformLocal(scope, "app_secrets", Fn.merge([managed, secrets])).expression;
}

const CORS_ORIGINS_RULE = eachMatchesRule("cors_origins", /^https:\/\/[a-z0-9.-]+(:\d+)?$/, 'an https origin such as "https://www.example.com"');

/** `cors_origins`: the buckets' CORS origins, the site's own when null. */
export const CORS_ORIGINS_VARIABLE: ModuleVariable = {
  name: "cors_origins",
  type: "list(string)",
  description: "Origins allowed to fetch media and static files across origins (fonts, uploads); the site's own (`https://<domain>`) when null.",
  default: null,
  validation: [CORS_ORIGINS_RULE].map((rule) => ({ ...rule, condition: `var.cors_origins == null ? true : ${rule.condition}` })),
};

/** `failover`: on or off, and the maintenance page's text. */
export function failoverVariable(description: string): ModuleVariable {
  return {
    name: "failover",
    type: `object({ enabled = optional(bool, false), title = ${optionalAttribute("string", DEFAULTS.failover.title)}, message = ${optionalAttribute("string", DEFAULTS.failover.message)} })`,
    description,
    default: {},
    nullable: false,
    validation: [maintenanceTextRule("failover.title"), maintenanceTextRule("failover.message")],
  };
}

/**
 * The settings of `configuration` as `local.app_settings`, with `DATABASE_REPLICA_URLS`
 * after `DATABASE_URL` made by Terraform for however many replicas there are (`hosts`, whose
 * URLs are `urls`), and `local.app_environment`: those with a value (the stacks leave out a
 * missing settings module and replicas), then `extra`.
 */
export function environmentLocals(
  scope: Construct,
  configuration: AppConfiguration,
  replicas: { hosts: string[]; urls: string[] },
  extra: unknown,
): { settings: Record<string, string>; environment: unknown } {
  const settings: Record<string, string> = {};
  for (const { name, value } of configuration.settings) {
    settings[name] = value;
    if (name === "DATABASE_URL") settings.DATABASE_REPLICA_URLS = Token.asString(Fn.conditional(Op.gte(Fn.lengthOf(replicas.hosts), 1), Fn.join(",", replicas.urls), null));
  }
  const appSettings = new TerraformLocal(scope, "app_settings", settings);
  const environment = new TerraformLocal(scope, "app_environment", Fn.merge([TerraformIterator.fromMap(appSettings.asAnyMap).forExpressionForMap("key", "val if val != null"), extra])).expression;
  return { settings, environment };
}

/** The stacks' own outputs for the application (`applicationOutputs`) as a module's: the same names, values and descriptions. */
export function applicationModuleOutputs(values: Omit<ApplicationOutputValues, "imageDescription">): ModuleOutput[] {
  return applicationOutputs({ ...values, imageDescription: "The image the hosts run: the release deployed." }).map(({ sensitive, ...output }) => ({ ...output, ...(sensitive ? { sensitive } : {}) }));
}

/** A store submodule's outputs, as `applicationOutputs` reads them. */
export function storeOutputs(store: { output(name: string): string }): ApplicationOutputValues["media"] {
  return { bucketName: store.output("bucket_name"), cdnDomain: store.output("cdn_domain"), region: store.output("region"), endpointUrl: store.output("endpoint_url") };
}

/** `postgres://user@%s:port/db?sslmode=require` for each of `hosts`, by Terraform. */
export function replicaUrlsOf(hosts: string[], port: number, username: string, databaseName: string): string[] {
  return Fn.formatlist(postgresUrl({ host: "%s", port }, username, databaseName), [hosts]);
}
