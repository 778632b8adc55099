import { readFileSync } from "node:fs";
import { Construct } from "constructs";
import { ITerraformDependable, TerraformProvider } from "cdktf";

/** A submodule the module calls (`./modules/<name>`): its outputs, by name. */
export interface Submodule {
  /** An output of the submodule; `null` when the submodule is switched off. */
  output(name: string): string;
  /** A list output of the submodule; empty when the submodule is switched off. */
  list(name: string): string[];
  /** A single-value output of every call: one item, none when the submodule is switched off (a list whose length Terraform knows at plan). */
  each(name: string): string[];
  /** An output of the call's one instance (`module.<call>[0].<name>`), unguarded: only behind the condition that switches the submodule on. */
  instance(name: string): string;
  /** Sets an input after the call: for inputs made of calls that come after it (the groups of the hosts a tier admits). */
  set(input: string, value: unknown): void;
}

/** How a module calls one of its submodules. */
export interface SubmoduleCall {
  /**
   * A reference (or literal) that becomes the call's `count`: for optional parts, which
   * Terraform can only switch on and off as a whole module.
   * @default - always called, no `count`
   */
  readonly enabled?: boolean;
  /** The call's name (`module.<as>`), snake_case, for a submodule called more than once. @default - the submodule's name */
  readonly as?: string;
  /**
   * The provider configurations the submodule gets, by its local name: `{ aws: "aws.us_east_1" }`
   * passes this module's `aws.us_east_1` as the submodule's default `aws`.
   * @default - the default configurations, which Terraform passes on by itself
   */
  readonly providers?: Readonly<Record<string, string>>;
}

/** What a module's `build` may use besides its variables. */
export interface BuildContext {
  /** A provider construct per requirement and alias (`aws`, `aws.us_east_1`), for constructs that need one. */
  readonly providers: Readonly<Record<string, TerraformProvider>>;
  /** Calls one of the definition's `submodules` (`./modules/<name>`) with `inputs`. */
  submodule(name: string, inputs: Readonly<Record<string, unknown>>, call?: SubmoduleCall): Submodule;
  /**
   * A multi-line text with references in it (cloud-init user data), kept as a heredoc
   * `local.<name>` so it reads as the text it is; returns the reference to it.
   */
  template(name: string, text: string): string;
}

/** A provider a module uses, with the prebuilt binding that generates its resources. */
export interface ProviderRequirement {
  /** The local name, e.g. `aws`. */
  readonly name: string;
  /** The binding package, e.g. `@cdktf/provider-aws`: its provider version is the module's minimum. */
  readonly binding: string;
  /** Arguments of the example's provider block, e.g. `{ region: "eu-west-1" }`. @default - none */
  readonly example?: Readonly<Record<string, unknown>>;
  /** Configurations the caller passes besides the default one, e.g. `us_east_1`, with their example arguments. */
  readonly aliases?: readonly { readonly name: string; readonly example?: Readonly<Record<string, unknown>> }[];
}

/** `source` and `version` of a provider, from the binding the module was generated with. */
/** hashicorp/random: generated passwords, and the random part of bucket names. */
export const RANDOM: ProviderRequirement = { name: "random", binding: "@cdktf/provider-random" };

export function providerConstraint(requirement: ProviderRequirement): { source: string; version: string } {
  const pkg = JSON.parse(readFileSync(require.resolve(`${requirement.binding}/package.json`), "utf8"));
  const provider: { name: string; version: string } = pkg.cdktf.provider;
  const major = Number(provider.version.split(".")[0]);
  return { source: provider.name.replace(/^registry\.terraform\.io\//, ""), version: `>= ${provider.version}, < ${major + 1}.0.0` };
}

/** A `validation` block of a variable. */
export interface VariableRule {
  /** A Terraform expression that is true for valid values. */
  readonly condition: string;
  /** One sentence, capitalised and ending with a period, as Terraform requires. */
  readonly errorMessage: string;
}

/** An input of a module: a typed Terraform variable. */
export interface ModuleVariable {
  /** snake_case. */
  readonly name: string;
  /** A Terraform type expression on one line: `string`, `number`, `bool`, `list(string)`, `object({ a = optional(string, "x"), b = number })`, ... */
  readonly type: string;
  readonly description: string;
  /** Absent: the variable is required. */
  readonly default?: unknown;
  /** `false`: a caller's `null` means the default (objects whose attributes the module reads). @default - Terraform's (true) */
  readonly nullable?: false;
  readonly sensitive?: boolean;
  readonly validation?: readonly VariableRule[];
  /** The value the example and the README's usage pass (required variables only). */
  readonly example?: unknown;
}

/** An output of a module. */
export interface ModuleOutput {
  readonly name: string;
  readonly description: string;
  /** A Terraform reference (a cdktf token) or literal. */
  readonly value: unknown;
  readonly sensitive?: boolean;
  /** What a caller using the output must wait for besides what its value refers to (`depends_on`). @default - none */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** The references a module's `build` receives, one per variable, by name. */
export type ModuleInputs = Readonly<Record<string, { readonly string: string; readonly number: number; readonly boolean: boolean; readonly list: string[]; readonly any: unknown }>>;

/**
 * A standalone Terraform module generated from cloudtiers constructs: the tier (or the
 * whole topology) built with every prop taken from a variable.
 */
export interface ModuleDefinition {
  /** Registry name, e.g. `cloudtiers-cache`. */
  readonly name: string;
  /** The registry's provider of the module, e.g. `aws`. */
  readonly provider: string;
  /** One paragraph for the README. */
  readonly description: string;
  readonly providers: readonly ProviderRequirement[];
  readonly variables: readonly ModuleVariable[];
  /**
   * Builds the module's resources in `scope` from `inputs`, and returns its outputs. The
   * module's HCL has no provider configuration: the caller passes providers.
   */
  build(scope: Construct, inputs: ModuleInputs, context: BuildContext): readonly ModuleOutput[];
  /** Modules this one calls, written to `modules/<name>/` inside it (and theirs inside them). */
  readonly submodules?: readonly ModuleDefinition[];
  /** Notes for the README (data protection, what the caller wires up). */
  readonly notes?: readonly string[];
}
