import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { Node } from "constructs";
import { App, DefaultTokenResolver, StringConcat, TerraformElement, Tokenization, TerraformHclModule, TerraformOutput, TerraformProvider, TerraformStack, TerraformVariable, Token, ref, TerraformResource, TerraformDataSource } from "cdktf";
import { REQUIRED_TERRAFORM, choose } from "../../modules/core";
import { BuildContext, ModuleDefinition, ModuleInputs, ModuleOutput, ModuleVariable, providerConstraint } from "./definition";
import { NESTED_ATTRIBUTE_PROVIDERS, hclValue, nestedAsAttributes, repairCdktfHcl } from "./hcl";
import { tarGz } from "./tarball";

type ProviderClass = new (scope: TerraformStack, id: string, config: { alias?: string }) => TerraformProvider;

/** The provider class of a binding package a module uses: the one `TerraformProvider` its deep `lib/provider` path exports. */
function providerClass(module: string, binding: string): ProviderClass {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- whichever binding the definition names
  const exported = Object.values(require(`${binding}/lib/provider`) as Record<string, unknown>);
  const classes = exported.filter((e): e is ProviderClass => typeof e === "function" && e.prototype instanceof TerraformProvider);
  if (classes.length !== 1) throw new Error(`${module}: no provider class for ${binding}`);
  return classes[0];
}

export interface BuiltModule {
  readonly name: string;
  readonly provider: string;
  readonly version: string;
  /** The module's directory. */
  readonly directory: string;
  /** `<name>-<provider>-<version>.tar.gz`, the module at its root. */
  readonly tarball: string;
  /** The files of the module, relative to its directory, sorted. */
  readonly files: readonly string[];
}

/**
 * A stack whose resources are named after their construct path (`cache_replication_group`)
 * rather than cdktf's path-plus-hash ids: a module is read by people, and the path is
 * unique within it.
 */
class ModuleStack extends TerraformStack {
  protected override allocateLogicalId(element: TerraformElement | Node): string {
    const node = element instanceof Node ? element : element.node;
    const path = node.scopes.slice(node.scopes.indexOf(this) + 1).map((c) => c.node.id);
    return path.join("_").replace(/[^A-Za-z0-9_]+/g, "_").toLowerCase();
  }
}

type Part = "main" | "outputs";

function partOf(child: unknown): Part | "provider" | "variable" {
  if (child instanceof TerraformProvider) return "provider";
  if (child instanceof TerraformVariable) return "variable";
  if (child instanceof TerraformOutput) return "outputs";
  return "main";
}

/**
 * One file of the module as cdktf renders it: the construct tree built afresh, everything
 * but `part` removed. Also returns the module's outputs, for the README.
 */
function renderPart(definition: ModuleDefinition, part: Part, scratch: string): { hcl: string; outputs: readonly ModuleOutput[] } {
  const app = new App({ outdir: scratch, skipValidation: true });
  const stack = new ModuleStack(app, definition.name);
  const providers: Record<string, TerraformProvider> = {};
  for (const requirement of definition.providers) {
    const Provider = providerClass(definition.name, requirement.binding);
    providers[requirement.name] = new Provider(stack, requirement.name, {});
    for (const alias of requirement.aliases ?? []) {
      providers[`${requirement.name}.${alias.name}`] = new Provider(stack, `${requirement.name}.${alias.name}`, { alias: alias.name });
    }
  }
  const inputs: Record<string, ModuleInputs[string]> = {};
  for (const v of definition.variables) {
    // Only for references: variables.tf is written from the definitions (cdktf drops `false` defaults).
    // Submodule calls may share a name with a variable (`postgres`); construct ids may not.
    const variable = new TerraformVariable(stack, `variable-${v.name}`, { type: v.type });
    variable.overrideLogicalId(v.name);
    inputs[v.name] = {
      string: variable.stringValue,
      number: variable.numberValue,
      boolean: variable.booleanValue as unknown as boolean,
      list: variable.listValue,
      any: variable.value,
    };
  }
  const templates: { name: string; text: string }[] = [];
  const context: BuildContext = {
    providers,
    template(name, text) {
      templates.push({ name, text });
      return Token.asString(ref(`local.${name}`, stack));
    },
    submodule(name, args, { enabled, as = name, providers: passed = {} } = {}) {
      if (!(definition.submodules ?? []).some((m) => m.name === name)) throw new Error(`${definition.name}: no submodule ${name}`);
      const configurations = Object.entries(passed).map(([local, key]) => {
        const provider = providers[key];
        if (!provider) throw new Error(`${definition.name}: no provider configuration ${key} to pass to ${as}`);
        if (local !== provider.terraformResourceType) throw new Error(`${definition.name}: ${key} cannot be ${as}'s ${local}`);
        return provider;
      });
      // The submodule ships inside the module: no asset copying.
      const call = new TerraformHclModule(stack, as, {
        source: `./modules/${name}`,
        variables: { ...args },
        providers: configurations.length > 0 ? configurations : undefined,
        skipAssetCreationFromLocalModules: true,
      });
      const set = (input: string, value: unknown) => call.set(input, value);
      if (enabled === undefined) {
        return { output: (output) => call.getString(output), list: (output) => call.getList(output), each: (output) => [call.getString(output)], instance: (output) => call.getString(output), set };
      }
      call.addOverride("count", choose(enabled, 1, 0));
      // `module.<call>[0].<output>` behind the count's own condition, never `module.<call>[*]`: Terraform makes a
      // reference to every instance depend on all of the submodule, which cycles when the submodule takes
      // inputs from what uses its outputs (a pooler admitting the hosts that are told its address).
      const instance = (output: string) => Token.asString(ref(`module.${call.friendlyUniqueId}[0].${output}`, stack));
      return {
        output: (output) => Token.asString(choose<unknown>(enabled, instance(output), null)),
        list: (output) => Token.asList(choose<unknown>(enabled, instance(output), [])),
        each: (output) => Token.asList(choose<unknown>(enabled, [instance(output)], [])),
        instance,
        set,
      };
    },
  };
  const outputs = definition.build(stack, inputs, context);
  for (const element of stack.node.findAll()) {
    if (element instanceof TerraformResource || element instanceof TerraformDataSource) {
      if (!NESTED_ATTRIBUTE_PROVIDERS.includes(element.terraformGeneratorMetadata?.providerName ?? "")) continue;
      const render = element.toHclTerraform.bind(element);
      element.toHclTerraform = () => nestedAsAttributes(render());
    }
  }
  for (const output of outputs) {
    // Outputs may share a name with a variable (`database_name`); construct ids may not.
    new TerraformOutput(stack, `output-${output.name}`, { value: output.value, description: output.description, sensitive: output.sensitive, dependsOn: output.dependsOn && [...output.dependsOn] }).overrideLogicalId(output.name);
  }
  for (const child of [...stack.node.children]) {
    if (partOf(child) !== part) stack.node.tryRemoveChild(child.node.id);
  }
  const locals = part === "main" ? templates.map(({ name, text }) => heredocLocal(name, Tokenization.resolve(text, { scope: stack, resolver: new DefaultTokenResolver(new StringConcat()) }))) : [];
  return { hcl: [withoutMovedBlocks(repairCdktfHcl(stack.toHclTerraform().hcl)).trim(), ...locals].join("\n\n").concat("\n"), outputs };
}

/**
 * The HCL without `moved` blocks: those of the constructs name the stacks' former addresses
 * (the internet's rule a CDN's took over, the maintenance distribution the site's took over),
 * which a module's resources, with addresses of their own, never had.
 */
function withoutMovedBlocks(hcl: string): string {
  return hcl.replace(/^moved \{\n(?:.*\n)*?\}\n?/gm, "");
}

/** `locals { <name> = <<-EOT ... EOT }`: a heredoc takes the text as it is (no escapes), interpolations and all. */
function heredocLocal(name: string, text: string): string {
  const lines = text.replace(/\n$/, "").split("\n");
  if (lines.some((line) => line.trim() === "EOT")) throw new Error(`template ${name} has a line "EOT", which would end its heredoc`);
  return [`locals {`, `  ${name} = <<-EOT`, ...lines.map((line) => (line === "" ? "" : `    ${line}`)), `  EOT`, `}`].join("\n");
}

/**
 * A one-line type expression laid out as Terraform users write object types: one
 * attribute per line, nested objects indented (`terraform fmt` aligns the rest).
 */
export function typeLayout(type: string, indent = "  "): string {
  let out = "";
  // Open brackets; "{" stands for an object type with attributes, "{}" for an empty object value.
  const open: string[] = [];
  const depth = () => indent.repeat(open.filter((b) => b === "{").length + 1);
  for (let i = 0; i < type.length; i++) {
    const c = type[i];
    const top = open[open.length - 1];
    if (c === "{" && type[i + 1] === "}") {
      out += "{}";
      i++;
    } else if (c === "{") {
      open.push(c);
      out += `{\n${depth()}`;
      while (type[i + 1] === " ") i++;
    } else if (c === "}" && top === "{") {
      open.pop();
      out = `${out.trimEnd()}\n${depth()}}`;
    } else if (c === "," && top === "{") {
      out += `\n${depth()}`;
      while (type[i + 1] === " ") i++;
    } else {
      if (c === "(" || c === "[") open.push(c);
      if (c === ")" || c === "]") open.pop();
      out += c;
    }
  }
  return out;
}

/** `variables.tf`: every input, typed, described, with its default and validation rules. */
function variablesTf(definition: ModuleDefinition): string {
  return definition.variables
    .map((v) =>
      [
        `variable "${v.name}" {`,
        `  type        = ${typeLayout(v.type)}`,
        `  description = ${hclValue(v.description)}`,
        ...(v.default !== undefined ? [`  default     = ${hclValue(v.default, "  ")}`] : []),
        ...(v.default === null ? ["  nullable    = true"] : []),
        ...(v.nullable === false ? ["  nullable    = false"] : []),
        ...(v.sensitive ? ["  sensitive   = true"] : []),
        ...(v.validation ?? []).flatMap((r) => ["", "  validation {", `    condition     = ${r.condition}`, `    error_message = ${hclValue(r.errorMessage)}`, "  }"]),
        "}",
      ].join("\n"),
    )
    .join("\n\n")
    .concat("\n");
}

/** `versions.tf`: the Terraform and provider versions, and the provider configurations the caller passes. */
function versionsTf(definition: ModuleDefinition): string {
  const providers = definition.providers.map((p) => {
    const { source, version } = providerConstraint(p);
    const aliases = (p.aliases ?? []).map((a) => `${p.name}.${a.name}`);
    return [
      `    ${p.name} = {`,
      `      source  = ${JSON.stringify(source)}`,
      `      version = ${JSON.stringify(version)}`,
      ...(aliases.length > 0 ? [`      configuration_aliases = [${aliases.join(", ")}]`] : []),
      "    }",
    ].join("\n");
  });
  return ["terraform {", `  required_version = ${JSON.stringify(REQUIRED_TERRAFORM)}`, "", "  required_providers {", ...providers, "  }", "}", ""].join("\n");
}

/** The arguments of a call to the module: every required variable with its example value. */
function callArguments(variables: readonly ModuleVariable[], indent: string): string[] {
  return variables
    .filter((v) => v.default === undefined)
    .map((v) => {
      if (v.example === undefined) throw new Error(`variable ${v.name} is required but has no example value`);
      return `${indent}${v.name} = ${hclValue(v.example, indent)}`;
    });
}

/** The local name a caller gives the module: `cloudtiers-cache` → `cache`. */
function callName(definition: ModuleDefinition): string {
  return definition.name.replace(/^cloudtiers-/, "").replace(/-/g, "_");
}

function providersArgument(definition: ModuleDefinition, indent: string): string[] {
  const aliased = definition.providers.filter((p) => (p.aliases ?? []).length > 0);
  if (aliased.length === 0) return [];
  const pairs = aliased.flatMap((p) => [`${p.name} = ${p.name}`, ...(p.aliases ?? []).map((a) => `${p.name}.${a.name} = ${p.name}.${a.name}`)]);
  return [`${indent}providers = {`, ...pairs.map((pair) => `${indent}  ${pair}`), `${indent}}`, ""];
}

/** `examples/basic/main.tf`: provider configurations and a call of the module with example values. */
function exampleTf(definition: ModuleDefinition): string {
  const providerBlocks = definition.providers.flatMap((p) => {
    const blocks = [{ alias: undefined as string | undefined, config: p.example ?? {} }, ...(p.aliases ?? []).map((a) => ({ alias: a.name, config: a.example ?? {} }))];
    if (blocks.length === 1 && Object.keys(blocks[0].config).length === 0 && p.name !== definition.provider) return [];
    return blocks.map(({ alias, config }) =>
      [`provider "${p.name}" {`, ...(alias ? [`  alias = "${alias}"`] : []), ...Object.entries(config).map(([k, v]) => `  ${k} = ${hclValue(v, "  ")}`), "}", ""].join("\n"),
    );
  });
  return [
    versionsTf(definition).replace(/\n\s+configuration_aliases = \[[^\]]*\]/g, ""),
    ...providerBlocks,
    moduleCall(definition, ['source = "../.."']),
  ].join("\n");
}

/** A `module` block calling the module: `source` (and `version`), providers, every required input. */
function moduleCall(definition: ModuleDefinition, source: readonly string[]): string {
  return [
    `module "${callName(definition)}" {`,
    ...source.map((line) => `  ${line}`),
    "",
    ...providersArgument(definition, "  "),
    ...callArguments(definition.variables, "  "),
    "}",
    "",
  ].join("\n");
}

function markdownCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** `README.md`: what the module makes, a usage example, and tables of providers, inputs and outputs. */
function readme(definition: ModuleDefinition, version: string, outputs: readonly { name: string; description: string; sensitive?: boolean }[]): string {
  const [major, minor] = version.split(".");
  const constraint = major === "0" ? `~> ${major}.${minor}.0` : `~> ${major}.${minor}`;
  const inputs = definition.variables.map((v) => {
    const fallback = v.default === undefined ? "" : `\`${hclValue(v.default).replace(/\s*\n\s*/g, " ")}\``;
    return `| \`${v.name}\` | ${markdownCell(v.description)} | \`${v.type}\` | ${fallback} | ${v.default === undefined ? "yes" : "no"} |`;
  });
  const providers = definition.providers.map((p) => {
    const { source, version: range } = providerConstraint(p);
    const aliases = (p.aliases ?? []).map((a) => `\`${p.name}.${a.name}\``).join(", ");
    return `| \`${p.name}\` | \`${source}\` | \`${range}\` | ${aliases || "default"} |`;
  });
  return [
    `# ${definition.name} (${definition.provider})`,
    "",
    definition.description,
    "",
    `Generated from the cloudtiers ${version} constructs by \`npm run modules:build\`: change the construct and rebuild rather than editing these files.`,
    "",
    "## Usage",
    "",
    "```hcl",
    formatHcl(moduleCall(definition, [`source  = "app.terraform.io/ORGANIZATION/${definition.name}/${definition.provider}"`, `version = "${constraint}"`])).trimEnd(),
    "```",
    "",
    "Replace `app.terraform.io/ORGANIZATION` with your registry's host and organization. `examples/basic` is a complete configuration.",
    "",
    "## Providers",
    "",
    "| name | source | version | configurations |",
    "|---|---|---|---|",
    ...providers,
    "",
    `Terraform ${REQUIRED_TERRAFORM}.`,
    "",
    "## Inputs",
    "",
    "| name | description | type | default | required |",
    "|---|---|---|---|---|",
    ...inputs,
    "",
    "## Outputs",
    "",
    "| name | description |",
    "|---|---|",
    ...outputs.map((o) => `| \`${o.name}\` | ${markdownCell(o.description)}${o.sensitive ? " (sensitive)" : ""} |`),
    "",
    ...(definition.notes && definition.notes.length > 0 ? ["## Notes", "", ...definition.notes.map((n) => `- ${n}`), ""] : []),
  ].join("\n");
}

/** `main.tf`, `variables.tf`, `outputs.tf` and `versions.tf` of a module (or submodule) in `directory`. */
function writeCode(definition: ModuleDefinition, directory: string, scratch: string): { outputs: readonly ModuleOutput[] } {
  mkdirSync(directory, { recursive: true });
  const main = renderPart(definition, "main", scratch);
  writeFileSync(join(directory, "main.tf"), main.hcl);
  writeFileSync(join(directory, "variables.tf"), variablesTf(definition));
  writeFileSync(join(directory, "outputs.tf"), renderPart(definition, "outputs", scratch).hcl);
  writeFileSync(join(directory, "versions.tf"), versionsTf(definition));
  return main;
}

/** Each submodule's code in `modules/<name>/` of its caller's directory, and theirs in turn. */
function writeSubmodules(definition: ModuleDefinition, directory: string, scratch: string): void {
  for (const child of definition.submodules ?? []) {
    const path = join(directory, "modules", child.name);
    writeCode(child, path, scratch);
    writeSubmodules(child, path, scratch);
  }
}

/** Runs the terraform binary (`TERRAFORM_BINARY`, else `terraform` on the PATH); a missing binary is a clear error. */
export function terraform(args: readonly string[], options: { cwd?: string; input?: string } = {}): { ok: boolean; stdout: string; output: string } {
  const binary = process.env.TERRAFORM_BINARY ?? "terraform";
  // A CLI configuration that names a missing file only adds a warning to every command.
  const config = process.env.TF_CLI_CONFIG_FILE && existsSync(process.env.TF_CLI_CONFIG_FILE) ? process.env.TF_CLI_CONFIG_FILE : "/dev/null";
  const env = { ...process.env, TF_CLI_CONFIG_FILE: config, CHECKPOINT_DISABLE: "1" };
  const run = spawnSync(binary, args, { encoding: "utf8", cwd: options.cwd, input: options.input, env });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
    throw new Error(`the terraform binary was not found (${binary}): modules are formatted and checked by Terraform itself; install Terraform ${REQUIRED_TERRAFORM} or set TERRAFORM_BINARY`);
  }
  if (run.error) throw new Error(`terraform ${args.join(" ")} could not run (${binary}): ${run.error.message}`);
  return { ok: run.status === 0, stdout: run.stdout, output: `${run.stdout}${run.stderr}` };
}

/** Runs `terraform fmt` on a directory; the modules are only published formatted. */
export function terraformFmt(directory: string, check = false): { ok: boolean; output: string } {
  return terraform(["fmt", "-recursive", ...(check ? ["-check", "-diff"] : []), directory]);
}

/** HCL text as `terraform fmt` writes it (for the README's usage block). */
function formatHcl(text: string): string {
  const run = terraform(["fmt", "-"], { input: text });
  if (!run.ok) throw new Error(`terraform fmt refused generated HCL:\n${run.output}\n${text}`);
  return run.stdout;
}

function listFiles(directory: string, base = directory): string[] {
  return readdirSync(directory)
    .flatMap((entry) => {
      const path = join(directory, entry);
      return statSync(path).isDirectory() ? listFiles(path, base) : [relative(base, path).split("\\").join("/")];
    })
    .sort();
}

/**
 * Writes one module: `main.tf` and `outputs.tf` (cdktf's HCL of the construct tree,
 * without provider configuration or backend), `variables.tf`, `versions.tf`,
 * `README.md` and `examples/basic/main.tf`, formatted by `terraform fmt`; then packs it as
 * `<name>-<provider>-<version>.tar.gz` beside its directory.
 */
export function buildModule(definition: ModuleDefinition, version: string, outdir: string): BuiltModule {
  const scratch = mkdtempSync(join(tmpdir(), "cloudtiers-module-"));
  try {
    const directory = join(outdir, `${definition.name}-${definition.provider}`);
    rmSync(directory, { recursive: true, force: true });
    mkdirSync(join(directory, "examples", "basic"), { recursive: true });
    const main = writeCode(definition, directory, scratch);
    writeSubmodules(definition, directory, scratch);
    writeFileSync(join(directory, "README.md"), readme(definition, version, main.outputs));
    writeFileSync(join(directory, "examples", "basic", "main.tf"), exampleTf(definition));
    const fmt = terraformFmt(directory);
    if (!fmt.ok) throw new Error(`${definition.name}: terraform fmt failed:\n${fmt.output}`);
    const files = listFiles(directory);
    const tarball = join(outdir, `${definition.name}-${definition.provider}-${version}.tar.gz`);
    writeFileSync(tarball, tarGz(files.map((path) => ({ path, content: readFileSync(join(directory, path), "utf8") }))));
    return { name: definition.name, provider: definition.provider, version, directory, tarball, files };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
