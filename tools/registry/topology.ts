import { Construct } from "constructs";
import { Fn, Lazy, TerraformIterator, TerraformLocal, TerraformStack, Token, ref } from "cdktf";
import { AppConfiguration, ComputePoolProps, DnsZoneProps, IComputePool, IDnsZone, IPeer, POOL_ROLES, PoolDiscovery, PoolRole, RegistryAccess, SecretRef, TierFactory } from "../../modules/core";
import { MANAGED_SETTINGS } from "../../modules/django/configuration";
import { REGISTRY_PASSWORD } from "../../modules/django/secrets";
import { APPLICATION_INPUTS, BROKER_INPUTS, CACHE_INPUTS, CDN_INPUTS, FAILOVER_INPUTS, InputConstraint, InputDeclaration, InputDeclarations, POSTGRES_INPUTS, WORKER_INPUTS, inputVariable, poolInputs } from "../../modules/django/validate";
import { DjangoTopologyProps, Layout } from "../../modules/django/spec";
import { ApplicationOutputValues, DjangoTopology } from "../../modules/django/topology";
import { BuildContext, ModuleInputs, ModuleOutput, ModuleVariable, Submodule, SubmoduleCall, VariableRule } from "./definition";
import { applicationVariables, envNamesRule } from "./hosts";
import { declaredVariable, eachMatchesRule, inputAttributes, inputRules, matchesRule } from "./variables";

/*
 * What the whole-topology modules (cloudtiers-django on each cloud) share: the inputs that
 * mean the same on every cloud, and the factory through which DjangoTopology composes
 * them as it composes a stack: each tier a call of its tier module.
 */

/** A Terraform reference to an attribute of an object variable, e.g. `var.pools.web.size`. */
export function attribute(scope: Construct, path: string): { string: string; number: number; boolean: boolean } {
  const reference = ref(`var.${path}`, TerraformStack.of(scope));
  return { string: Token.asString(reference), number: Token.asNumber(reference), boolean: reference as unknown as boolean };
}

/** What a module's tier leaves to its submodule's inputs (a pool's own firewall admits its load balancer there). */
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

/** The application inputs of the compute pool modules that the topologies take as they are. */
export const APPLICATION: readonly ModuleVariable[] = applicationVariables("").filter((v) => ["container_image", "wsgi_module", "celery_app", "health_check_path"].includes(v.name));

/** `settings_module`: `DJANGO_SETTINGS_MODULE`, or the image's. */
export const SETTINGS_MODULE_VARIABLE: ModuleVariable = declaredVariable("settingsModule", APPLICATION_INPUTS.settingsModule, "`DJANGO_SETTINGS_MODULE`; left to the image when null.");

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
    type: `object({ ${inputAttributes(FAILOVER_INPUTS)} })`,
    description,
    default: {},
    nullable: false,
    validation: inputRules("failover", FAILOVER_INPUTS),
  };
}

/*
 * The whole-topology modules are DjangoTopology itself, composed through a factory whose
 * tiers are calls of the tier modules (`./modules/<tier>`) and whose decisions (layout,
 * beat, failover) Terraform makes from the module's variables.
 */

/** A tier a whole-topology module made by calling its submodule. */
export class CalledTier {
  private readonly admitted = new Map<string, string[][]>();
  constructor(
    /** The submodule call. */
    public readonly call: Submodule,
    /** The condition of the call's `count`, for a tier that exists or not. @default - always called */
    public readonly condition?: boolean,
  ) {}

  /** An output (`null` when the call is switched off). */
  public output(name: string): string {
    return this.call.output(name);
  }

  /** A single-value output as a list: one item, none when the call is switched off. */
  public each(name: string): string[] {
    return this.call.each(name);
  }

  /** A list output (empty when the call is switched off). */
  public list(name: string): string[] {
    return this.call.list(name);
  }

  /**
   * Adds `list` to the list input `input`: the concatenation of every list added, in order
   * (one list as it is). For inputs made of tiers called after this one (the hosts it admits).
   */
  public admit(input: string, list: string[]): void {
    const lists = this.admitted.get(input);
    if (lists) {
      lists.push(list);
      return;
    }
    const all = [list];
    this.admitted.set(input, all);
    this.call.set(input, Lazy.anyValue({ produce: () => (all.length === 1 ? all[0] : Fn.concat(all)) }));
  }
}

/** A pool of a whole-topology module: `peers` lists what the tiers that admit it name it by. */
export interface ModulePool extends IComputePool {
  /** The pool's `output`, as a list of one, none when it does not exist. */
  peers(output: string): string[];
}

/** What admits (or grants) a pool: its `output` added to the call's list input `input`. */
export function admitting(tier: CalledTier, input: string, output: string): (pool: IPeer) => void {
  return (pool) => tier.admit(input, (pool as ModulePool).peers(output));
}

/** A pool the module called, of the role the topology asked for. */
export function calledPool(tier: CalledTier, props: ComputePoolProps): ModulePool & CalledTier {
  return Object.assign(tier, {
    role: props.role,
    size: props.size,
    minInstances: props.minInstances,
    maxInstances: props.maxInstances,
    port: props.port,
    peerName: `${props.role} pool`,
    allowFrom: wiredBySubmodules,
    peers: (output: string) => tier.each(output),
  });
}

/** `condition ? whenTrue : whenFalse` of two pools: the pool `condition` picks, by Terraform. */
export function eitherOf(condition: boolean, whenTrue: ModulePool & CalledTier, whenFalse: ModulePool & CalledTier): ModulePool {
  return {
    ...whenFalse,
    peerName: `${whenTrue.peerName} or ${whenFalse.peerName}`,
    allowFrom: wiredBySubmodules,
    // The chosen call's own instance behind the condition: a switched-off call is never read.
    peers: (output: string) => Token.asList(Fn.conditional(condition, [whenTrue.call.instance(output)], [whenFalse.call.instance(output)])),
  };
}

/**
 * What every whole-topology module's factory shares: tiers counted by the decisions
 * Terraform makes, pools picked by them, and the application's environment given to the
 * compute pool modules as their `environment` and `secrets` maps.
 */
export abstract class ModuleTierFactory implements Partial<TierFactory> {
  private condition?: boolean;
  private applicationMaps?: { environment: unknown; secrets: unknown };

  constructor(
    protected readonly scope: Construct,
    protected readonly inputs: ModuleInputs,
    protected readonly context: BuildContext,
  ) {}

  /** The condition of the `counted` call being made, if any. */
  protected get decision(): boolean | undefined {
    return this.condition;
  }

  public counted<T>(condition: boolean, make: () => T): T {
    if (this.condition !== undefined) throw new Error("a counted tier inside a counted tier: one condition per call");
    this.condition = condition;
    try {
      return make();
    } finally {
      this.condition = undefined;
    }
  }

  public either(condition: boolean, whenTrue: IComputePool, whenFalse: IComputePool): IComputePool {
    return eitherOf(condition, whenTrue as ModulePool & CalledTier, whenFalse as ModulePool & CalledTier);
  }

  /** A reference to an attribute of an object variable of the module (`pools.web.instance_type`). */
  protected variable(path: string): { string: string; number: number; boolean: boolean } {
    return attribute(this.scope, path);
  }

  /** The zone is the module's `zone_id`: nothing to make. */
  public createDnsZone(_scope: Construct, _id: string, props: DnsZoneProps): IDnsZone {
    return { zoneName: props.zoneName };
  }

  /** The module's `secrets` variable holds the application's secrets: the topology declares none. */
  public createApplicationSecrets(): never {
    throw new Error("a whole-topology module takes the application's secrets as its `secrets` variable");
  }

  /** The hosts pull a public image, or one their identity may read: the module logs in to no registry. */
  public createRegistryAccess(): RegistryAccess {
    return { login: "none", server: "" };
  }

  /**
   * A pool's size and scaling as the compute pool module takes them, with `machineType`
   * (`instance_type`, `droplet_size`) from `var.pools.<role>`: beat's one host has none.
   */
  protected scaling(props: ComputePoolProps, machineType: string): Record<string, unknown> {
    return {
      size: props.size,
      [machineType]: props.role === "beat" ? undefined : this.variable(`pools.${props.role}.${machineType}`).string,
      min_instances: props.minInstances,
      max_instances: props.maxInstances,
      cpu_target_percent: props.cpuTargetPercent,
    };
  }

  /**
   * The DNS failover's parts, made when there is a `secondary` (the maintenance site) and
   * counted as it is; whether there is failover at all, decided as the secondary's existence.
   */
  protected failoverOf<T>(secondary: unknown, make: () => T): { failover: boolean; made?: T } {
    if (secondary === undefined) return { failover: false };
    const condition = (secondary as { condition?: boolean }).condition;
    return condition === undefined ? { failover: true, made: make() } : { failover: condition, made: this.counted(condition, make) };
  }

  /** Calls submodule `name` as `id` (snake_case), counted when inside `counted`. */
  protected submodule(name: string, id: string, inputs: Readonly<Record<string, unknown>>, call: Omit<SubmoduleCall, "enabled" | "as"> & { as?: string } = {}): CalledTier {
    const as = call.as ?? id.replace(/-/g, "_");
    return new CalledTier(this.context.submodule(name, inputs, { ...call, as, enabled: this.condition }), this.condition);
  }

  /** A secret as the compute pool module's `secrets` map holds it. */
  protected abstract secretInput(secret: SecretRef): unknown;

  /** Whether the secret `value` (an HCL expression of `secretInput`'s shape) has one: its id is not null. */
  protected abstract secretGiven(value: string): string;

  /**
   * Makes a called app pool one that nginx-balanced web hosts list: `discovery` is the
   * cloud's list of it, and `grantDiscovery` (called under the layout's condition, `counted`)
   * tells the web pool's call what to list by (its `webInput`, the app pool's `appOutput`) and
   * admits the web pool's `webOutput` to the app pool's port (its list input `admitInput`).
   */
  protected discoverable(app: ModulePool & CalledTier, discovery: PoolDiscovery, wiring: { webInput: string; appOutput: string; webOutput: string; admitInput: string }): void {
    Object.assign(app, {
      discovery: () => discovery,
      grantDiscovery: (peer: IComputePool) => {
        const condition = this.decision;
        if (condition === undefined) throw new Error("a module's app pool is listed by the web hosts only in the nginx-balanced layout: grant it under that condition (counted)");
        const web = peer as ModulePool & CalledTier;
        web.call.set(wiring.webInput, Fn.conditional(condition, app.call.instance(wiring.appOutput), null));
        app.admit(wiring.admitInput, Token.asList(Fn.conditional(condition, web.peers(wiring.webOutput), [])));
      },
    });
  }

  /**
   * A configuration as the compute pool module's `environment` and `secrets` maps. The
   * application's (the one with secrets: every Django process has the database's password)
   * is made once, as `local.app_environment` and `local.app_secrets`, with the module's own
   * `environment` and `secrets` after the topology's; a split-layout web host's is only the
   * app tier's address; a choice is Terraform's.
   */
  protected environmentOf(configuration: AppConfiguration): { environment: unknown; secrets: unknown } {
    const { choice } = configuration;
    if (choice) {
      const [whenTrue, whenFalse] = [this.environmentOf(choice.whenTrue), this.environmentOf(choice.whenFalse)];
      return { environment: Fn.conditional(choice.condition, whenTrue.environment, whenFalse.environment), secrets: Fn.conditional(choice.condition, whenTrue.secrets, whenFalse.secrets) };
    }
    const settings = Object.fromEntries(configuration.settings.map((s) => [s.name, s.value]));
    if (configuration.secrets.length === 0) {
      // Not the application's: a web host's own (nginx-balanced ones' read token), if any.
      const own = Object.fromEntries((configuration.host?.secrets ?? []).map((s) => [s.name, this.secretInput(s.secret)]));
      return { environment: Fn.tomap(mapValues(settings, formatOf)), secrets: own };
    }
    if (!this.applicationMaps) {
      const appSettings = new TerraformLocal(this.scope, "app_settings", settings);
      // Settings without a value (no settings module, no replicas) are left out, as the stacks leave them out.
      const given = TerraformIterator.fromMap(appSettings.asAnyMap).forExpressionForMap("key", "val if val != null");
      this.applicationMaps = {
        environment: new TerraformLocal(this.scope, "app_environment", Fn.merge([given, this.inputs.environment.any])).expression,
        // Secrets without a value (a broker the module's engine leaves out) are left out too.
        secrets: new TerraformLocal(
          this.scope,
          "app_secrets",
          TerraformIterator.fromMap(Fn.merge([Object.fromEntries(configuration.secrets.map((s) => [s.name, this.secretInput(s.secret)])), this.inputs.secrets.any])).forExpressionForMap("key", `val if ${this.secretGiven("val")}`),
        ).expression,
      };
    }
    return this.applicationMaps;
  }
}

/** A cdktf token inside text (`${TfToken[TOKEN.12]}`). */
const TOKEN = /\$\{TfToken\[[^\]]+\]\}/g;

/**
 * Text with references in it as Terraform's `format()`: inside a function's arguments cdktf
 * renders a template's second interpolation as plain text (`"${a}:b.c"` for `"${a}:${b.c}"`).
 */
export function formatOf(text: string): string {
  const tokens = text.match(TOKEN) ?? [];
  if (tokens.length === 0 || tokens[0] === text) return text;
  return Fn.format(text.split(TOKEN).map((literal) => literal.replace(/%/g, "%%")).join("%s"), tokens);
}

function mapValues<T, U>(record: Readonly<Record<string, T>>, f: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, f(value)]));
}

/** The declared fields of `section` (those of `only`, when given) as references to the attributes of `var.<section>`. */
function declaredReferences<T>(scope: Construct, section: string, inputs: InputDeclarations<T>, only?: readonly string[]): T {
  const entries = Object.entries(inputs as Record<string, InputDeclaration>).filter(([field, input]) => input.inModules !== false && (!only || only.includes(field)));
  return Object.fromEntries(entries.map(([field, input]) => [field, reference(scope, `${section}.${inputVariable(field, input)}`, input.constraint.kind)])) as T;
}

function reference(scope: Construct, path: string, kind: InputConstraint["kind"]): unknown {
  const value = attribute(scope, path);
  return kind === "integer" ? value.number : kind === "boolean" ? value.boolean : value.string;
}

/**
 * The environment spec a whole-topology module's variables make: every field a reference
 * to the variable that declares it, so that DjangoTopology composes the module as it
 * composes a stack, and Terraform decides what a spec decides at synth.
 */
export function moduleSpec(scope: Construct, inputs: ModuleInputs, cloud: { network: DjangoTopologyProps["network"]; postgresFields?: readonly string[]; broker?: true }): DjangoTopologyProps {
  const v = (path: string) => attribute(scope, path);
  const pool = (name: PoolName) => declaredReferences(scope, `pools.${name}`, poolInputs(0));
  return {
    environment: "module",
    application: {
      name: inputs.name_prefix.string,
      image: inputs.container_image.string,
      wsgiModule: inputs.wsgi_module.string,
      celeryApp: inputs.celery_app.string,
      settingsModule: inputs.settings_module.string,
    },
    domain: inputs.domain.string,
    dnsZone: "",
    layout: inputs.layout.string as Layout,
    network: cloud.network,
    pools: { web: pool("web"), app: pool("app"), worker: { ...pool("worker"), concurrency: v("pools.worker.concurrency").number, beat: v("pools.worker.beat").boolean } },
    postgres: declaredReferences(scope, "postgres", POSTGRES_INPUTS, cloud.postgresFields),
    cache: declaredReferences(scope, "cache", CACHE_INPUTS),
    cdn: declaredReferences(scope, "cdn", CDN_INPUTS),
    failover: declaredReferences(scope, "failover", FAILOVER_INPUTS),
    // The engine is Terraform's: the factory's broker follows it, none for valkey.
    ...(cloud.broker ? { broker: declaredReferences(scope, "broker", BROKER_INPUTS) } : {}),
    healthCheckPath: inputs.health_check_path.string,
    deletionProtection: inputs.deletion_protection.boolean,
  };
}

/** The call behind a tier the module's factory made. */
export function called(tier: unknown): CalledTier {
  if (!(tier instanceof CalledTier)) throw new Error("not a tier of a whole-topology module's factory");
  return tier;
}

/** `inputs` without those left undefined (the call leaves them to the submodule's defaults). */
export function defined(inputs: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(inputs).filter(([, value]) => value !== undefined));
}

/** An output of every pool, by role: `null` for a pool the layout or beat leaves out. */
export function poolOutputs(topology: DjangoTopology, output: string): Record<PoolRole, string> {
  return Object.fromEntries(POOL_ROLES.map((role) => [role, called(topology.pools[role]).output(output)])) as Record<PoolRole, string>;
}

/** The stacks' own outputs for the application (`DjangoTopology.outputs`) as a module's: the same names, values and descriptions. */
export function topologyModuleOutputs(topology: DjangoTopology, terms: Pick<ApplicationOutputValues, "passwordOutputs"> = {}): ModuleOutput[] {
  return topology
    .outputs({ imageDescription: "The image the hosts run: the release deployed.", ...terms })
    .map(({ sensitive, ...output }) => ({ ...output, ...(sensitive ? { sensitive } : {}) }));
}
