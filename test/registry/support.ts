import { gunzipSync } from "node:zlib";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BuiltModule, buildModule, terraform } from "../../tools/registry/build";
import { MODULES } from "../../tools/registry/catalog";
import { ModuleDefinition } from "../../tools/registry/definition";
import { DEFAULTS } from "../../modules/core";
import { LAYOUTS, Layout } from "../../modules/django/spec";
import { Config, Synth } from "../helpers";

/* What the module tests share: building a module of the catalog, reading its blocks, and asking Terraform about values. */

export const CODE = ["main.tf", "outputs.tf", "variables.tf", "versions.tf"];

/** The code of a module's submodules, and of theirs, under `modules/<name>/`. */
function submoduleFiles(definition: ModuleDefinition): string[] {
  return (definition.submodules ?? []).flatMap((m) => [...CODE, ...submoduleFiles(m)].map((f) => `modules/${m.name}/${f}`));
}

/** A module's files: its code, README and example, and each submodule's code. */
export function filesOf(definition: ModuleDefinition): string[] {
  return [...CODE, "README.md", "examples/basic/main.tf", ...submoduleFiles(definition)].sort();
}
/** `text` as a regular expression that matches exactly it. */
export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export const plain = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, "");

/** The warnings and errors in Terraform's output. */
export const problemsIn = (output: string) => plain(output).match(/(Warning|Error): .*/g) ?? [];

/** `terraform console` on the module's variables.tf alone: what Terraform says of these values (and of `expression` over them). */
export function checkValues(module: BuiltModule, values: Record<string, unknown>, expression = "1"): string {
  const dir = mkdtempSync(join(tmpdir(), "cloudtiers-vars-"));
  try {
    cpSync(join(module.directory, "variables.tf"), join(dir, "variables.tf"));
    const args = varArguments(values);
    // Terraform wraps messages to the terminal's width: one line, boxes drawn out.
    return plain(terraform(["console", ...args], { cwd: dir, input: `${expression}\n` }).output).replace(/[│\s]+/g, " ");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A Terraform expression as a parsed file holds it: `${...}`. */
export const expr = (expression: string): string => `\${${expression}}`;

/** Labelled blocks as one object by label (`resource "type" "name"` → `resource.type.name`): a file has each label once. */
function byLabel(blocks: Config): Config {
  return Object.fromEntries(Object.entries(blocks).map(([label, items]) => [label, Array.isArray(items) ? items[0] : byLabel(items)]));
}

/**
 * HCL files parsed by cdktf's own HCL parser (Go's hcl in WebAssembly, which cdktf-cli
 * ships), by path, in a child process: the parser's runtime keeps the process it runs in
 * alive, and its API is asynchronous.
 */
function parseFiles(paths: readonly string[]): Record<string, Config> {
  // The result goes through a file: the child exits as soon as it is written (the parser would keep it alive), which can cut a pipe's output short.
  const dir = mkdtempSync(join(tmpdir(), "cloudtiers-hcl-"));
  try {
    const out = join(dir, "parsed.json");
    const script = `
      const { parse } = require("@cdktf/hcl2json");
      const { readFileSync, writeFileSync } = require("node:fs");
      (async () => {
        const parsed = {};
        for (const path of JSON.parse(readFileSync(0, "utf8"))) parsed[path] = await parse(path, readFileSync(path, "utf8"));
        writeFileSync(${JSON.stringify(out)}, JSON.stringify(parsed));
        process.exit(0);
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const run = spawnSync(process.execPath, ["-e", script], { input: JSON.stringify(paths), encoding: "utf8", cwd: __dirname });
    if (run.status !== 0) throw new Error(`could not parse ${paths.length} HCL files:\n${run.stderr}`);
    return JSON.parse(readFileSync(out, "utf8"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The `.tf` files of every module a test file built, parsed together on the first look (one parser start per test file). */
const built: BuiltModule[] = [];
const parsedFiles: Record<string, Config> = {};

/** Modules a test file built whose files it reads parsed: they are parsed together on the first look, in one parser start. */
export function parsedTogether(modules: readonly BuiltModule[]): void {
  for (const module of modules) if (!built.includes(module)) built.push(module);
}

/** A file of a built module, parsed (see `asSynth`). */
export function hclOf(module: BuiltModule, file: string): Synth {
  if (!built.includes(module)) built.push(module);
  const path = join(module.directory, file);
  if (!(path in parsedFiles)) {
    const paths = built.flatMap((m) => m.files.filter((f) => f.endsWith(".tf")).map((f) => join(m.directory, f))).filter((p) => !(p in parsedFiles));
    Object.assign(parsedFiles, parseFiles(paths));
  }
  if (!(path in parsedFiles)) throw new Error(`${module.name}-${module.provider} has no ${file}; its files: ${module.files.join(", ")}`);
  return asSynth(parsedFiles[path]);
}

/** The expression of a parsed value (`${...}` unwrapped), to evaluate with `terraform console`. */
export function expressionOf(value: unknown): string {
  const text = String(value);
  if (!text.startsWith("${") || !text.endsWith("}")) throw new Error(`not one expression: ${text}`);
  return text.slice(2, -1);
}

/**
 * A parsed HCL file in the shape `Synth` reads: resources, data sources, module calls,
 * outputs and variables by type and name, every `locals` block merged. Attribute values are
 * JSON, expressions `${...}` (see `expr`); nested blocks are lists, as Terraform's JSON
 * syntax writes them. Layout (alignment, line breaks) is gone.
 */
function asSynth(parsed: Config): Synth {
  const json: Config = {};
  for (const [kind, blocks] of Object.entries(parsed)) {
    if (kind === "locals") json.locals = Object.assign({}, ...(blocks as Config[]));
    // A provider may be configured more than once (aliases): every block, by local name.
    else if (kind === "provider") json.provider = blocks;
    else if (kind === "terraform") json.terraform = (blocks as Config[])[0];
    else json[kind] = byLabel(blocks as Config);
  }
  return new Synth(JSON.stringify(json));
}

/** The resources of a parsed file whose lifecycle sets `prevent_destroy`, which a module cannot take from a variable. */
export const protectedResources = (file: Synth): string[] =>
  Object.entries(file.json.resource ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName as Record<string, Config>).filter(([, r]) => (r.lifecycle ?? []).some((l: Config) => "prevent_destroy" in l)).map(([name]) => `${type}.${name}`),
  );

/**
 * Builds one module of the catalog into a scratch directory (removed after the file's
 * tests) and reads its files: as text (`read`), or parsed (`hcl`).
 */
export function useModule(name: string, provider: string): { module: BuiltModule; read: (file: string) => string; hcl: (file: string) => Synth } {
  const outdir = mkdtempSync(join(tmpdir(), `cloudtiers-${name}-${provider}-`));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));
  const module = buildModule(MODULES.find((m) => m.name === name && m.provider === provider)!, "0.1.0", outdir);
  const read = (file: string) => readFileSync(join(module.directory, file), "utf8");
  built.push(module);
  const hcl = (file: string) => hclOf(module, file);
  return { module, read, hcl };
}

export function examples(definition: ModuleDefinition): Record<string, unknown> {
  return Object.fromEntries(definition.variables.filter((v) => v.default === undefined).map((v) => [v.name, v.example]));
}

/** `-var name=value` for each value: strings as they are, anything else as JSON, which HCL reads too. */
export function varArguments(values: Record<string, unknown>): string[] {
  return Object.entries(values).flatMap(([k, v]) => ["-var", `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`]);
}

/**
 * Each shipped environment's values (a topology module's inputs) pass the module's rules,
 * but for the nginx-balanced layout, which the modules refuse by name (docs/modules.md):
 * those values pass with another layout, and so does the first environment's with
 * nginx-balanced in place of its own not.
 */
export function expectShippedValues(module: BuiltModule, shipped: readonly Record<string, unknown>[]): void {
  for (const values of shipped) expect({ name: values.name_prefix, problems: problemsIn(checkValues(module, values)) }).toEqual({ name: values.name_prefix, problems: [] });
}

/** Asserts that Terraform refuses `values` for the module's variables with each of `messages`, its rules' own words. */
export function expectRefused(module: BuiltModule, values: Record<string, unknown>, messages: readonly string[]): void {
  const refused = checkValues(module, values);
  for (const message of messages) expect(refused).toContain(message);
}

/**
 * What Terraform makes of a compute pool module's user data for `values`
 * (`local.user_data_<key>`), with the data source attribute `reference` (the VPC's block)
 * given as `given` instead of read.
 */
export function evaluateUserData(read: (file: string) => string, key: string, reference: string, given: string, values: Record<string, unknown>): string {
  return evaluateBase64(read, `base64encode(local.user_data_${key.replace(/-/g, "_")})`, reference, given, values);
}

/** What Terraform makes of `expression` (base64 text over the module's locals, the user data the pool picks) for `values`, decoded (and gunzipped when gzipped). */
export function evaluateBase64(read: (file: string) => string, expression: string, reference: string, given: string, values: Record<string, unknown>): string {
  const bytes = evaluateBytes(read, expression, reference, given, values);
  // What the launch template picks is gzipped by Terraform (`base64gzip`), as a stack's is.
  return (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : Buffer.from(bytes)).toString("utf8");
}

/** The bytes of `expression` (base64 text over the module's locals) as Terraform makes them for `values`: what EC2 receives. */
export function evaluateBytes(read: (file: string) => string, expression: string, reference: string, given: string, values: Record<string, unknown>): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "cloudtiers-user-data-"));
  try {
    const main = read("main.tf");
    // Every locals block (the user data's templates; the pool's own local naming the one it picks).
    const locals = [...main.matchAll(/^locals \{\n[\s\S]*?\n\}\n/gm)].map((m) => m[0]).join("\n").split(reference).join("var.given");
    writeFileSync(join(dir, "main.tf"), `${read("variables.tf")}\nvariable "given" {\n  type = string\n}\n\n${locals}`);
    const text = expression.split(reference).join("var.given");
    const run = terraform(["console", ...varArguments({ ...values, given })], { cwd: dir, input: `try(nonsensitive(${text}), ${text})\n` });
    expect({ ok: run.ok, output: run.ok ? "" : run.output }).toEqual({ ok: true, output: "" });
    return Uint8Array.from(Buffer.from(JSON.parse(run.stdout.trim()), "base64"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The first `locals { ... }` block of an HCL file. */
export function localsOf(hcl: string): string {
  return hcl.match(/^locals \{\n[\s\S]*?\n\}\n/m)![0];
}

/** What Terraform makes of `expression` over `hcl` (with `variables.tf`), given `values`: base64-encoded by Terraform, decoded here. */
export function evaluate(variables: string, hcl: string, expression: string, values: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "cloudtiers-evaluate-"));
  try {
    writeFileSync(join(dir, "main.tf"), `${variables}\n${hcl}`);
    const run = terraform(["console", ...varArguments(values)], { cwd: dir, input: `base64encode(${expression})\n` });
    expect({ ok: run.ok, output: run.ok ? "" : run.output }).toEqual({ ok: true, output: "" });
    return Buffer.from(JSON.parse(run.stdout.trim()), "base64").toString("utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What an expression reads besides the module's variables: locals by name (HCL), and calls of modules with their `count` and outputs. */
export interface StandIns {
  readonly locals?: Readonly<Record<string, string>>;
  readonly calls?: Readonly<Record<string, { readonly count: unknown; readonly outputs: Readonly<Record<string, string>> }>>;
}

/**
 * What Terraform makes of each of `values` (parsed inputs of the module's calls) in each
 * layout, applied by Terraform itself in a scratch root module: the module's variables, the
 * locals of `standIns`, and its calls as local modules counted as the module counts them, so
 * that a reference to a call the layout leaves out (`module.x[0]` with `count = 0`) is
 * evaluated as it would be. No provider is needed.
 */
export function inEachLayout(variables: string, values: Readonly<Record<string, unknown>>, standIns: StandIns, given: Record<string, unknown>): Record<Layout, Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), "cloudtiers-layouts-"));
  try {
    const locals = Object.entries(standIns.locals ?? {}).map(([name, hcl]) => `  ${name} = ${hcl}`);
    const calls = Object.entries(standIns.calls ?? {}).map(([name, { count, outputs }]) => {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, "outputs.tf"), Object.entries(outputs).map(([output, hcl]) => `output "${output}" {\n  value = ${hcl}\n}\n`).join("\n"));
      return `module "${name}" {\n  source = "./${name}"\n  count  = ${expressionOf(count)}\n}\n`;
    });
    // Sensitive, for values made of sensitive variables (a read token): `terraform output -json` shows them all the same.
    const outputs = Object.entries(values).map(([name, value]) => `output "${name}" {\n  value     = ${expressionOf(value)}\n  sensitive = true\n}\n`);
    writeFileSync(join(dir, "main.tf"), [variables, ...(locals.length > 0 ? [`locals {\n${locals.join("\n")}\n}\n`] : []), ...calls, ...outputs].join("\n"));
    const init = terraform(["init", "-input=false"], { cwd: dir });
    expect({ ok: init.ok, output: init.ok ? "" : init.output }).toEqual({ ok: true, output: "" });
    const inLayout = (layout: string) => {
      const state = join(dir, `${layout}.tfstate`);
      const apply = terraform(["apply", "-auto-approve", "-input=false", `-state=${state}`, ...varArguments({ ...given, layout })], { cwd: dir });
      expect({ layout, ok: apply.ok, output: apply.ok ? "" : apply.output }).toEqual({ layout, ok: true, output: "" });
      const shown = JSON.parse(terraform(["output", "-json", `-state=${state}`], { cwd: dir }).stdout) as Record<string, { value: unknown }>;
      return Object.fromEntries(Object.entries(shown).map(([name, output]) => [name, output.value]));
    };
    return Object.fromEntries(LAYOUTS.map((layout) => [layout, inLayout(layout)])) as Record<Layout, Record<string, unknown>>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Asserts that `main` (parsed) calls exactly the modules of `sources` (call name → directory
 * under modules/), and that those of `counted` carry that count expression and the others none.
 */
export function expectModuleCalls(main: Synth, sources: Record<string, string>, counted: Record<string, string>): void {
  const calls: Record<string, Config> = main.json.module ?? {};
  expect(Object.keys(calls).sort()).toEqual(Object.keys(sources).sort());
  for (const [name, source] of Object.entries(sources)) {
    expect({ name, source: calls[name].source, count: calls[name].count }).toEqual({ name, source: `./modules/${source}`, count: counted[name] === undefined ? undefined : expr(counted[name]) });
  }
}

/** What a whole-topology module's caller gets for each input left out, as the one table of defaults says: the expression over its variables, and the table's value. */
const TOPOLOGY_DEFAULTS: Readonly<Record<string, readonly [string, unknown]>> = {
  layout: ["var.layout", DEFAULTS.layout],
  health: ["var.health_check_path", DEFAULTS.healthCheckPath],
  cidr: ["var.cidr", DEFAULTS.network.cidr],
  cpu: ["[for p in values(var.pools) : p.cpu_target_percent]", [DEFAULTS.pool.cpuTargetPercent, DEFAULTS.pool.cpuTargetPercent, DEFAULTS.pool.cpuTargetPercent]],
  beat: ["var.pools.worker.beat", DEFAULTS.worker.beat],
  pg: ["var.postgres.version", DEFAULTS.postgres.version],
  pooling: ["var.postgres.pooling", DEFAULTS.postgres.pooling],
  cache: ["var.cache.version", DEFAULTS.cache.version],
  title: ["var.failover.title", DEFAULTS.failover.title],
  message: ["var.failover.message", DEFAULTS.failover.message],
  protect: ["var.deletion_protection", DEFAULTS.deletionProtection],
};

/** What Terraform gives, from `variables`, for each input a caller giving only `required` leaves out, beside what the table says (plus the module's own `extra`). */
export function topologyDefaults(variables: string, required: Record<string, unknown>, extra: Readonly<Record<string, readonly [string, unknown]>> = {}): { given: unknown; table: unknown } {
  const inputs = Object.entries({ ...TOPOLOGY_DEFAULTS, ...extra });
  const given = JSON.parse(evaluate(variables, "", `jsonencode({ ${inputs.map(([name, [expression]]) => `${name} = ${expression}`).join(", ")} })`, required));
  return { given, table: Object.fromEntries(inputs.map(([name, [, value]]) => [name, value])) };
}
