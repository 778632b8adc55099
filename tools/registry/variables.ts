import { DEFAULTS, DOMAIN_NAME, DOMAIN_NAME_WORDS, SIZES } from "../../modules/core";
import { DENORMAL_PATH, FAILOVER_INPUTS, InputDeclaration, MAX_NAME_PREFIX, NETWORK_INPUTS, NORMAL_PATH_WORDS, RESOURCE_NAME, TOPOLOGY_INPUTS, inputVariable } from "../../modules/django/validate";
import { ModuleVariable, VariableRule } from "./definition";
import { hclValue } from "./hcl";

/*
 * Variables and their validation rules, made from the same constants the spec validator
 * uses, so a module refuses what a spec would.
 */

/** An attribute of an object type, `optional(string, "16")`: with `fallback` as its default, else null. */
export function optionalAttribute(type: string, fallback?: unknown): string {
  return fallback === undefined ? `optional(${type})` : `optional(${type}, ${hclValue(fallback)})`;
}

/** Terraform's `regex` takes RE2, which reads these JavaScript patterns the same way. */
function re2(pattern: RegExp): string {
  return JSON.stringify(pattern.source);
}

/** A rule that holds for null too, for optional variables whose default is null. */
function nullOr(name: string, condition: string, nullable: boolean): string {
  return nullable ? `var.${name} == null ? true : ${condition}` : condition;
}

export function oneOfRule(name: string, allowed: readonly string[], nullable = false): VariableRule {
  return {
    condition: nullOr(name, `contains(${JSON.stringify(allowed)}, var.${name})`, nullable),
    errorMessage: `The ${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}.`,
  };
}

export function matchesRule(name: string, pattern: RegExp, what: string, nullable = false): VariableRule {
  return { condition: nullOr(name, `can(regex(${re2(pattern)}, var.${name}))`, nullable), errorMessage: `The ${name} must be ${what}.` };
}

/** Every item of `var.<name>` (or of `items`, an expression over it) matches `pattern`. */
export function eachMatchesRule(name: string, pattern: RegExp, what: string, items = `var.${name}`): VariableRule {
  return { condition: `alltrue([for v in ${items} : can(regex(${re2(pattern)}, v))])`, errorMessage: `Every item of ${name} must be ${what}.` };
}

export function wholeNumberRule(name: string, min: number, max: number, nullable = false): VariableRule {
  return {
    condition: nullOr(name, `var.${name} == floor(var.${name}) && var.${name} >= ${min} && var.${name} <= ${max}`, nullable),
    errorMessage: `The ${name} must be a whole number between ${min} and ${max}.`,
  };
}

export function minLengthRule(name: string, min: number, what: string): VariableRule {
  return { condition: `length(var.${name}) >= ${min}`, errorMessage: `The ${name} must hold at least ${min} ${what}.` };
}

/** `name_prefix`: the `<application>-<environment>` every resource name starts with. */
export function namePrefixVariable(example: string): ModuleVariable {
  return {
    name: "name_prefix",
    type: "string",
    description: `Prefix of every resource name, \`<application>-<environment>\`: lower-case letters, digits and hyphens, at most ${MAX_NAME_PREFIX} characters.`,
    validation: [
      matchesRule("name_prefix", RESOURCE_NAME, "lower-case letters, digits and hyphens, starting with a letter"),
      { condition: `length(var.name_prefix) <= ${MAX_NAME_PREFIX}`, errorMessage: `The name_prefix must be at most ${MAX_NAME_PREFIX} characters.` },
    ],
    example,
  };
}

/** A neutral size, mapped to the cloud's machine type by the module. */
export function sizeVariable(name: string, what: string, fallback: string = DEFAULTS.module.size): ModuleVariable {
  return {
    name,
    type: "string",
    description: `Size of ${what}: ${SIZES.join(", ")} (1, 2, 4 and 8 vCPU).`,
    default: fallback,
    validation: [oneOfRule(name, SIZES)],
  };
}

/** `deletion_protection`: the provider's own protection, final snapshots, recovery windows. */
export function deletionProtectionVariable(what: string): ModuleVariable {
  return declaredVariable(
    "deletionProtection",
    TOPOLOGY_INPUTS.deletionProtection,
    `Protect ${what} from deletion: the provider's deletion protection where there is one, a final snapshot, a recovery window for secrets.`,
  );
}

/** What `deletion_protection` does in a module, and what it cannot do. */
export function dataProtectionNote(what: string): string {
  return (
    `\`deletion_protection\` (on by default) keeps ${what}. Terraform takes \`prevent_destroy\` only as a literal, so a module cannot set it from a variable, ` +
    "as the cloudtiers stacks do in production: guard production state at the workspace instead (cloudtiers' Terraform Cloud bootstrap turns destroy plans off there)."
  );
}

/** An optional machine type that overrides the size's (`node_type`); null keeps the size's. */
export function machineTypeVariable(name: string, description: string, pattern: RegExp, what: string): ModuleVariable {
  return { name, type: "string", description, default: null, validation: [matchesRule(name, pattern, what, true)] };
}

/** A lower-case DNS name, e.g. `www.example.com`. */
export function domainVariable(name: string, description: string, example?: string): ModuleVariable {
  return patternVariable(name, description, DOMAIN_NAME, DOMAIN_NAME_WORDS, example);
}

/** A required string of a known shape (an id, an ARN), with the example the README and the example call pass. */
export function patternVariable(name: string, description: string, pattern: RegExp, what: string, example?: string): ModuleVariable {
  return { name, type: "string", description, validation: [matchesRule(name, pattern, what)], ...(example !== undefined ? { example } : {}) };
}

/** `cidr`: a network's IPv4 block, of the sizes the spec validator allows. */
export function cidrVariable(description: string, example: string): ModuleVariable {
  // A tier module is given the network's block: no default of its own.
  return { ...declaredVariable("cidr", NETWORK_INPUTS.cidr, description), default: undefined, example };
}

/** `cors_origins`: https origins allowed to fetch a bucket's files across origins. */
export function corsOriginsVariable(): ModuleVariable {
  return {
    name: "cors_origins",
    type: "list(string)",
    description: "Origins allowed to fetch across origins (fonts, uploads), e.g. `https://www.example.com`.",
    default: [],
    validation: [eachMatchesRule("cors_origins", /^https:\/\/[a-z0-9.-]+(:\d+)?$/, 'an https origin such as "https://www.example.com"')],
  };
}

/** `health_check_path` is normal as nginx sees it (`isNormalPath`): no `//`, `.` or `..` segment. */
export const NORMAL_HEALTH_CHECK_PATH_RULE: VariableRule = {
  condition: `!can(regex(${re2(DENORMAL_PATH)}, var.health_check_path))`,
  errorMessage: `The health_check_path must be ${NORMAL_PATH_WORDS}.`,
};

/** `health_check_path`: the path a load balancer or monitor requests, as the spec allows it. */
export function healthCheckPathVariable(description: string): ModuleVariable {
  const variable = declaredVariable("healthCheckPath", TOPOLOGY_INPUTS.healthCheckPath, description);
  return { ...variable, validation: [...(variable.validation ?? []), NORMAL_HEALTH_CHECK_PATH_RULE] };
}

/** A maintenance page's `title` or `message` (`failover.title`, `failover.message`), under the module's `name`. */
export function maintenanceTextVariable(field: "title" | "message", description: string, name: string = field): ModuleVariable {
  return declaredVariable(field, FAILOVER_INPUTS[field], description, name);
}

/** The Terraform type of a declared field. */
const INPUT_TYPES = { oneOf: "string", integer: "number", boolean: "bool", text: "string", pattern: "string", domain: "string", cidr: "string" } as const;

/** What a module's caller who leaves a declared field out gets: the modules' own default, else the spec's, else null where the field is optional. */
function moduleFallback(input: InputDeclaration): string | number | boolean | null | undefined {
  return input.moduleDefault ?? input.default ?? (input.optional ? null : undefined);
}

/** The declared spec fields among `inputs`: all of them, or those named in `only`, in declaration order. */
function declared(inputs: Readonly<Record<string, InputDeclaration>>, only?: readonly string[]): [string, InputDeclaration][] {
  return Object.entries(inputs).filter(([field, input]) => input.inModules !== false && (!only || only.includes(field)));
}

/**
 * The attributes of an object variable made from the spec's declared fields
 * (`size = optional(string, "small"), min = optional(number, 1)`): each typed by its
 * constraint, defaulting to the spec's default, else the modules' one, else null.
 */
export function inputAttributes(inputs: Readonly<Record<string, InputDeclaration>>, only?: readonly string[]): string {
  return declared(inputs, only)
    .map(([field, input]) => `${inputVariable(field, input)} = ${optionalAttribute(INPUT_TYPES[input.constraint.kind], input.moduleDefault ?? input.default)}`)
    .join(", ");
}

/** A declared field's constraint on `var.<name>`, in Terraform (a `bool` needs none: its type is its rule). */
function constraintRules(name: string, input: InputDeclaration): VariableRule[] {
  const c = input.constraint;
  const nullable = input.optional === true;
  switch (c.kind) {
    case "oneOf":
      return [oneOfRule(name, c.values, nullable)];
    case "integer":
      return [wholeNumberRule(name, c.min, c.max, nullable)];
    case "pattern":
      return [matchesRule(name, c.pattern, c.what, nullable)];
    case "text":
      return [{ condition: nullOr(name, `trimspace(var.${name}) != "" && length(var.${name}) <= ${c.maxLength}`, nullable), errorMessage: `The ${name} must be text of 1 to ${c.maxLength} characters.` }];
    case "domain":
      return [matchesRule(name, DOMAIN_NAME, DOMAIN_NAME_WORDS, nullable)];
    case "cidr":
      return [
        { condition: nullOr(name, `can(cidrhost(var.${name}, 0))`, nullable), errorMessage: `The ${name} must be an IPv4 CIDR block such as "10.0.0.0/16".` },
        {
          condition: nullOr(name, `can(cidrhost(var.${name}, 0)) ? tonumber(split("/", var.${name})[1]) >= ${c.minPrefix} && tonumber(split("/", var.${name})[1]) <= ${c.maxPrefix} : true`, nullable),
          errorMessage: `The ${name} must be a /${c.minPrefix} to /${c.maxPrefix} block.`,
        },
      ];
    case "boolean":
      return [];
  }
}

/** The rules of those attributes on `var.<path>.<attribute>`, the spec validator's constraints in Terraform. */
export function inputRules(path: string, inputs: Readonly<Record<string, InputDeclaration>>, only?: readonly string[]): VariableRule[] {
  return declared(inputs, only).flatMap(([field, input]) => constraintRules(`${path}.${inputVariable(field, input)}`, input));
}

/**
 * A tier module's variable for one declared spec field (`postgres.replicas` as `replicas`):
 * typed, defaulted and validated from the declaration; `name` when the module calls it
 * otherwise (`engine_version` for `version`).
 */
export function declaredVariable(field: string, input: InputDeclaration, description: string, name = inputVariable(field, input)): ModuleVariable {
  const fallback = moduleFallback(input);
  const validation = constraintRules(name, input);
  return {
    name,
    type: INPUT_TYPES[input.constraint.kind],
    description,
    ...(fallback !== undefined ? { default: fallback } : {}),
    ...(validation.length > 0 ? { validation } : {}),
    ...(fallback === undefined && input.example !== undefined ? { example: input.example } : {}),
  };
}
