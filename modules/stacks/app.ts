import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { extname, join } from "node:path";
import { AnnotationMetadataEntryType, App, Manifest, StackManifest, TerraformStack } from "cdktf";
import { ValidationError, ValidationIssue, answeringFor, formatIssue } from "../core";
import { StackDocument, formatReport } from "../policy";
import { CLOUDS, CloudAdapter, wants } from "./clouds";
import { NamedStack, validateCollisions, validateStackNames } from "./collisions";
import { forgetTokensSince, tokenCount, withFastStackTraces } from "./fast-synth";
import { EnvironmentSpec } from "./spec";
import { checkPolicy, writtenDocument } from "./policy";
import { removeStaleStacks, selectionLine, stackLines } from "./summary";
import { withReleaseImage } from "./release";
import { CloudTiersStack, stackName } from "./stack";
import { BootstrapMember, RemoteWorkspace, TERRAFORM_CLOUD_HOST, TerraformCloudBootstrapStack, describeBackend, remoteWorkspace } from "./terraform-cloud";
import { validateEnvironment } from "./validate";

export interface BuildOptions {
  /** Where `synth()` writes. @default - `CDKTF_OUTDIR`, else `cdktf.out` */
  readonly outdir?: string;
  /**
   * Stack names to build, `*` matching any run of characters (`production-*`, `*-do`).
   * @default - `CLOUDTIERS_STACKS` (comma-separated), else the cdktf context `stacks`, else every stack
   */
  readonly select?: readonly string[];
  /** Where Terraform Cloud settings and the selection come from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * The specs were validated already, with this `env`, rules across specs included: a
   * parallel synth's worker, whose parent validated them. @default false
   */
  readonly validated?: boolean;
  /**
   * The app's context, as cdktf.json's `context` gives it; what the cdktf CLI passes in
   * `CDKTF_CONTEXT_JSON` wins, as in cdktf's `App`. @default - none
   */
  readonly context?: Readonly<Record<string, unknown>>;
}

/** The stacks a selection names, and where it came from: `the command line` (the `select` option), `CLOUDTIERS_STACKS` or `context stacks`. */
export interface Selection {
  readonly patterns: readonly string[];
  readonly source: string;
}

/** A stack the app would build: its name, its cloud, where its state lives, and whether the selection builds it. */
export interface AppStack {
  readonly name: string;
  /** The cloud's id (`aws`, `do`), or `terraform-cloud` for a bootstrap stack. */
  readonly cloud: string;
  /** In words, as `describeBackend` gives it. */
  readonly backend: string;
  readonly selected: boolean;
}

/** What `buildApp` would build, known before anything is: every stack, and the selection. */
export interface AppPlan {
  readonly stacks: readonly AppStack[];
  /** `undefined` when nothing is selected, i.e. every stack is built. */
  readonly selection?: Selection;
  /**
   * Builds the selected stacks into a new App (which creates its output directory); or,
   * given `only`, those of its stacks, into its `outdir`.
   */
  build(only?: { readonly stacks: readonly string[]; readonly outdir: string }): App;
}

/** A stack the specs call for, before it is built. */
export interface PlannedStack {
  readonly spec: EnvironmentSpec;
  readonly cloud: CloudAdapter;
  readonly name: string;
}

/** Every stack the specs call for: one per environment and cloud section, named `<environment>-<cloud>`. */
export function planStacks(environments: readonly EnvironmentSpec[]): PlannedStack[] {
  return environments.flatMap((spec) => CLOUDS.filter((c) => wants(c, spec)).map((cloud) => ({ spec, cloud, name: stackName(spec, cloud) })));
}

/** The bootstrap stacks: one per Terraform Cloud organization (and host) the stacks use. */
function planBootstraps(planned: readonly PlannedStack[], env: NodeJS.ProcessEnv): { name: string; members: BootstrapMember[] }[] {
  const groups = new Map<string, BootstrapMember[]>();
  for (const p of planned) {
    const workspace = remoteWorkspace(p.spec, p.cloud.id, env);
    if (!workspace) continue;
    const key = `${workspace.hostname ?? ""}/${workspace.organization}`;
    groups.set(key, [...(groups.get(key) ?? []), { spec: p.spec, cloudId: p.cloud.id, stack: p.name, workspace, credentials: p.cloud.credentials }]);
  }
  const organizations = [...groups.values()].map((m) => m[0].workspace.organization.toLowerCase());
  return [...groups.values()].map((members) => {
    const { organization, hostname } = members[0].workspace;
    // One organization name on two hosts: the Terraform Enterprise one is named after its host.
    const shared = organizations.filter((o) => o === organization.toLowerCase()).length > 1;
    return { name: `terraform-cloud-${organization}${shared && hostname ? `-${hostname.replace(/\./g, "-")}` : ""}`.toLowerCase(), members };
  });
}

/** Rules across specs: unique names, promotions between existing environments, unique workspaces. */
function validateAcross(environments: readonly EnvironmentSpec[], planned: readonly PlannedStack[], env: NodeJS.ProcessEnv): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const names = environments.map((e) => e.environment);
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i) issues.push({ environment: name, path: "environment", message: "is used by two specs; stack names must be unique" });
  });
  for (const spec of environments) {
    const from = spec.terraformCloud?.promotesFrom;
    if (!from || from === spec.environment) continue;
    const source = environments.find((e) => e.environment === from);
    const clouds = (s: EnvironmentSpec) => CLOUDS.filter((c) => wants(c, s)).map((c) => c.id);
    const shared = source ? clouds(spec).filter((c) => clouds(source).includes(c)) : [];
    const path = "terraformCloud.promotesFrom";
    if (!source) {
      issues.push({ environment: spec.environment, path, message: `names no environment: "${from}" is not one of ${names.map((n) => `"${n}"`).join(", ")}` });
    } else if (shared.length === 0) {
      issues.push({ environment: spec.environment, path, message: `"${from}" shares no cloud with this environment, so no run can promote from it` });
    } else if (spec.terraformCloud?.vcs) {
      // A run trigger (VCS-driven workspaces only) joins two workspaces of one organization.
      const here = remoteWorkspace(spec, shared[0], env);
      const there = remoteWorkspace(source, shared[0], env);
      const where = (w: RemoteWorkspace | undefined) => (w ? `${w.organization} on ${w.hostname ?? TERRAFORM_CLOUD_HOST}` : "a local file");
      if (here && (!there || there.organization !== here.organization || there.hostname !== here.hostname)) {
        issues.push({ environment: spec.environment, path, message: `"${from}" keeps its state in ${where(there)}, not in ${where(here)}, so no run trigger can join them` });
      }
    }
  }
  const seen = new Map<string, string>();
  for (const p of planned) {
    const w = remoteWorkspace(p.spec, p.cloud.id, env);
    if (!w) continue;
    const key = `${w.hostname ?? ""}/${w.organization}/${w.name}`;
    const other = seen.get(key);
    if (other) issues.push({ environment: p.spec.environment, path: "terraformCloud.workspacePrefix", message: `gives workspace "${w.name}" to both ${other} and ${p.name}` });
    else seen.set(key, p.name);
  }
  issues.push(...validateCollisions(environments));
  return issues;
}

/**
 * The selection patterns and where they came from: the option, else `CLOUDTIERS_STACKS`,
 * else the context's `stacks` (the cdktf CLI's `CDKTF_CONTEXT_JSON` over the option's). Each
 * is a list or a comma-separated string. An empty `CLOUDTIERS_STACKS` (as an unset CI
 * variable gives) counts as unset; nothing selected anywhere builds every stack.
 */
function selectionOf(options: BuildOptions, env: NodeJS.ProcessEnv): Selection | undefined {
  const fromCli = process.env.CDKTF_CONTEXT_JSON ? JSON.parse(process.env.CDKTF_CONTEXT_JSON) : {};
  const context = { ...options.context, ...fromCli };
  const [raw, source] =
    options.select !== undefined ? [options.select, "the command line"] : env.CLOUDTIERS_STACKS?.trim() ? [env.CLOUDTIERS_STACKS, "CLOUDTIERS_STACKS"] : [context.stacks, "context stacks"];
  const patterns = [raw ?? []]
    .flat()
    .flatMap((p: unknown) => String(p).split(","))
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  return patterns.length > 0 ? { patterns, source } : undefined;
}

/** Whether a stack name matches a selection pattern, `*` matching any run of characters. */
export function matches(pattern: string, name: string): boolean {
  return patternTest(pattern)(name);
}

/** A selection pattern as a test of stack names, made once: a name without `*` is compared, not matched (a synth's groups select hundreds of stacks by name). */
function patternTest(pattern: string): (name: string) => boolean {
  if (!pattern.includes("*")) return (name) => name === pattern;
  const expression = new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return (name) => expression.test(name);
}

/**
 * One stack per environment × cloud section, plus one Terraform Cloud bootstrap stack per
 * organization the stacks use, and which of them the selection builds. Every spec is
 * validated first and all problems are thrown together, before anything is built or
 * written, so an invalid spec leaves the output directory untouched.
 */
export function planApp(specs: readonly EnvironmentSpec[], options: BuildOptions = {}): AppPlan {
  const env = envOf(options);
  // Each environment's release image, where CI gives one (CLOUDTIERS_IMAGE_<ENVIRONMENT>).
  const environments = specs.map((spec) => withReleaseImage(spec, env));
  const planned = planStacks(environments);
  const issues = options.validated ? [] : [...environments.flatMap((spec) => validateEnvironment(spec, env)), ...validateAcross(environments, planned, env)];
  if (issues.length > 0) throw new ValidationError(issues);
  const bootstraps = planBootstraps(planned, env);
  const named = (b: { name: string; members: BootstrapMember[] }): NamedStack => {
    const m = b.members[0];
    const path = m.spec.terraformCloud?.organization !== undefined ? "terraformCloud.organization" : env.TF_CLOUD_ORGANIZATION ? "TF_CLOUD_ORGANIZATION" : "TFC_ORGANIZATION";
    return { name: b.name, environment: m.spec.environment, path, what: `the Terraform Cloud bootstrap stack of organization "${m.workspace.organization}" (${path})` };
  };
  const clashes = validateStackNames([
    ...bootstraps.map(named),
    ...planned.map((p) => ({ name: p.name, environment: p.spec.environment, path: "environment", what: `its ${p.cloud.id} stack` })),
  ]);
  if (clashes.length > 0) throw new ValidationError(clashes);

  const selection = selectionOf(options, env);
  const available = [...planned.map((p) => p.name), ...bootstraps.map((b) => b.name)];
  const patterns = selection?.patterns ?? [];
  const tests = patterns.map(patternTest);
  const unmatched = patterns.filter((_, i) => !available.some(tests[i]));
  if (unmatched.length > 0) {
    throw new ValidationError(
      unmatched.map((p) => ({ environment: "(selection)", path: selection!.source, message: `"${p}" matches no stack; the stacks are ${available.join(", ")}` })),
    );
  }
  const selected = (name: string) => !selection || tests.some((test) => test(name));
  return {
    selection,
    stacks: [
      ...planned.map((p) => ({ name: p.name, cloud: p.cloud.id, backend: describeBackend(p.name, remoteWorkspace(p.spec, p.cloud.id, env)), selected: selected(p.name) })),
      ...bootstraps.map((b) => ({ name: b.name, cloud: "terraform-cloud", backend: describeBackend(b.name, undefined), selected: selected(b.name) })),
    ],
    build: (only) => {
      const wanted = only ? new Set(only.stacks) : undefined;
      const builds = (name: string) => (wanted ? wanted.has(name) : selected(name));
      const app = new App({ outdir: only?.outdir ?? options.outdir, context: options.context ? { ...options.context } : undefined });
      // Validated above, with the rules across environments, and held to the policy pack by `synthesize` and `npm run policy`: not again per stack.
      answeringFor(environments, () => {
        for (const p of planned.filter((p) => builds(p.name))) new CloudTiersStack(app, p.spec, p.cloud, env);
      });
      for (const b of bootstraps.filter((b) => builds(b.name))) new TerraformCloudBootstrapStack(app, b.name, b.members);
      return app;
    },
  };
}

/** Builds the stacks `planApp` plans and the selection selects (every one when nothing is selected). */
export function buildApp(specs: readonly EnvironmentSpec[], options: BuildOptions = {}): App {
  return planApp(specs, options).build();
}

/** Every warning constructs recorded (cdktf's CLI prints them; a plain `app.synth()` does not), as `path: message`. */
export function warnings(app: App): string[] {
  return app.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN).map((m) => `${c.node.path}: ${String(m.data)}`));
}

/** Whether the cdktf CLI runs the app (it passes the context in CDKTF_CONTEXT_JSON). */
function underCdktfCli(): boolean {
  return process.env.CDKTF_CONTEXT_JSON !== undefined;
}

/** Where `synthesize` writes what it reports, and what it builds (`select`, `context`, `env`, as for `buildApp`). */
export interface SynthesizeOptions extends Pick<BuildOptions, "select" | "context" | "env"> {
  /** The summary. @default process.stdout */
  readonly stdout?: NodeJS.WritableStream;
  /** Problems and warnings. @default process.stderr */
  readonly stderr?: NodeJS.WritableStream;
}

/** `make()`, or, when it finds invalid specs, `undefined` and the problems reported line by line, without a stack trace. */
function orReported<T>(make: () => T, stderr: NodeJS.WritableStream): T | undefined {
  try {
    return make();
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    stderr.write(`cloudtiers: ${e.issues.length} problem(s) in the environment specs; nothing was synthesised.\n`);
    for (const issue of e.issues) stderr.write(`  ${formatIssue(issue)}\n`);
    return undefined;
  }
}

/**
 * Synthesises the selected stacks (every one when nothing is selected), then holds each to
 * the policy pack. Invalid specs are reported line by line, without a stack trace, and
 * nothing is written; a policy violation is reported with its stack's report, and nothing
 * is written either. Otherwise the stack directories the manifest no longer lists are
 * removed, and the summary says, one line per stack, its cloud, where its state lives and
 * its resources. Returns the exit code. In this process; `synthesizeAll` is the same with
 * many stacks spread over processes.
 */
export function synthesize(environments: readonly EnvironmentSpec[], options: SynthesizeOptions = {}): number {
  const plan = orReported(() => planApp(environments, options), options.stderr ?? process.stderr);
  return plan ? synthesizeHere(plan, environments, options) : 1;
}

/** `synthesize` of a plan made of `environments`, in this process. */
function synthesizeHere(plan: AppPlan, environments: readonly EnvironmentSpec[], options: SynthesizeOptions): number {
  const { stdout = process.stdout, stderr = process.stderr } = options;
  const outdir = outdirOf(options);
  const scratch = newScratch(outdir);
  try {
    const job = { specs: environments, select: selectedNames(plan), outdir: scratch.dir, context: options.context, env: envOf(options) };
    const result = orReported(() => synthGroup(job, plan), stderr);
    return result ? written(plan, [result], outdir, stdout, stderr) : 1;
  } finally {
    scratch.remove();
  }
}

/** The environment `options` give, else a plain copy of the process's: every read of process.env asks the C library, and each spec reads several. */
function envOf(options: { readonly env?: NodeJS.ProcessEnv }): NodeJS.ProcessEnv {
  return options.env ?? { ...process.env };
}

/** Where a synth writes: `CDKTF_OUTDIR` (the cdktf CLI sets it), else `cdktf.out`, as cdktf's `App`. */
function outdirOf(options: SynthesizeOptions): string {
  return options.env?.CDKTF_OUTDIR ?? process.env.CDKTF_OUTDIR ?? "cdktf.out";
}

function selectedNames(plan: AppPlan): string[] {
  return plan.stacks.filter((s) => s.selected).map((s) => s.name);
}

/**
 * A new scratch directory inside `outdir` (so that what it holds moves into place by
 * renaming), and how to remove it: with `outdir` too if this made it and nothing was written.
 */
function newScratch(outdir: string): { readonly dir: string; remove(): void } {
  const existed = existsSync(outdir);
  mkdirSync(outdir, { recursive: true });
  removeAbandonedScratch(outdir);
  const dir = mkdtempSync(join(outdir, `.synth-${process.pid}-`));
  return {
    dir,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
      if (!existed && readdirSync(outdir).length === 0) rmSync(outdir, { recursive: true, force: true });
    },
  };
}

/** The scratch directories of synths whose process is gone (killed before it cleaned up). */
function removeAbandonedScratch(outdir: string): void {
  for (const name of readdirSync(outdir)) {
    const pid = /^\.synth-(\d+)-/.exec(name)?.[1];
    if (pid !== undefined && !alive(Number(pid))) rmSync(join(outdir, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: alive, another user's.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Where one cdktf App of a synth wrote (`manifest.json`, `stacks/<name>/`), and its stacks. */
export interface OutputPart {
  readonly dir: string;
  readonly stacks: readonly string[];
}

/** What a synthesised group of stacks says: its warnings (none under the cdktf CLI, which prints them), the policy pack's reports of the stacks it refuses, each stack's resources, and where its Apps wrote. */
export interface SynthGroupResult {
  readonly warnings: readonly string[];
  readonly failing: readonly string[];
  readonly resources: Readonly<Record<string, number>>;
  readonly parts: readonly OutputPart[];
}

function appResult(app: App, part: OutputPart): SynthGroupResult {
  // Each written stack read back once, for the policy pack and the summary's resource counts.
  const documents = new Map<string, StackDocument>();
  const documentOf = (stack: TerraformStack) => documents.get(stack.node.id) ?? documents.set(stack.node.id, writtenDocument(app, stack)).get(stack.node.id)!;
  const failing = checkPolicy(app, documentOf).filter((r) => r.failed.length > 0);
  return {
    // The cdktf CLI prints them itself.
    warnings: underCdktfCli() ? [] : warnings(app),
    failing: failing.map(formatReport),
    resources: Object.fromEntries(failing.length > 0 ? [] : app.node.children.filter(TerraformStack.isStack).map((s) => [s.node.id, documentOf(s).addresses().length])),
    parts: [part],
  };
}

function refused(failing: readonly string[], stderr: NodeJS.WritableStream): number {
  stderr.write(`cloudtiers: the policy pack refused ${failing.length} stack(s); the previous output is unchanged.\n`);
  for (const report of failing) stderr.write(report);
  return 1;
}

/**
 * The end of a synth whose groups all synthesised: their warnings in order; then, if the
 * policy pack refused none, every part written into `outdir`, the stale stack directories
 * removed, and the summary.
 */
function written(plan: AppPlan, results: readonly SynthGroupResult[], outdir: string, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): number {
  for (const warning of results.flatMap((r) => r.warnings)) stderr.write(`warning: ${warning}\n`);
  const failing = results.flatMap((r) => r.failing);
  if (failing.length > 0) return refused(failing, stderr);
  writeParts(results.flatMap((r) => r.parts), outdir);
  // The cdktf CLI removes them itself after the app exits, and fails on one already gone.
  const stale = underCdktfCli() ? { removed: [], kept: [] } : removeStaleStacks(outdir);
  const resources = new Map(results.flatMap((r) => Object.entries(r.resources)));
  stdout.write(`${[selectionLine(plan, "synthesised", ` into ${join(outdir, "stacks")}`), ...stackLines(plan.stacks.filter((s) => s.selected), resources)].join("\n")}\n`);
  if (stale.removed.length > 0) stdout.write(`removed the stack directories no longer in the manifest: ${stale.removed.join(", ")}\n`);
  for (const { name, why } of stale.kept) stderr.write(`warning: ${join(outdir, "stacks", name)} is no longer in the manifest, but was kept: ${why}\n`);
  return 0;
}

/** A group of stacks to synthesise, in this process or a worker (`synth-worker.ts`). */
export interface SynthJob {
  readonly specs: readonly EnvironmentSpec[];
  /** The group's stacks, by name. */
  readonly select: readonly string[];
  /** Where the group writes (a directory of its own). */
  readonly outdir: string;
  readonly context?: Readonly<Record<string, unknown>>;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Stacks one cdktf App holds at a time. cdktf keeps every token it makes in a map of the
 * whole process, and through them every construct, so an App of hundreds of stacks grows
 * by about 0.45 MiB a stack, and collecting a larger heap costs more. A group's stacks are
 * built and synthesised this many at a time, and the tokens an App made are forgotten once
 * it has written its stacks (`forgetTokensSince`). So no module may make a token when it
 * loads: one loaded while an App is built (a cloud's classes load with its first stack)
 * would lose it, and the next App would fail on it (a test builds a cloud's first stack
 * after twenty of another's).
 */
export const STACKS_PER_APP = 20;

/**
 * A group's stacks built and synthesised as a serial synth builds them (its specs were
 * validated before the groups were made), `STACKS_PER_APP` at a time, each App into a
 * directory of its own under `job.outdir`, without token traces (`withFastStackTraces`),
 * and held to the policy pack.
 */
export function synthGroup(job: SynthJob, plan: AppPlan = planApp(job.specs, { select: job.select, context: job.context, env: job.env, validated: true })): SynthGroupResult {
  return withFastStackTraces(() => synthParts(job, plan));
}

function synthParts(job: SynthJob, plan: AppPlan): SynthGroupResult {
  const results: SynthGroupResult[] = [];
  for (let start = 0; start < job.select.length; start += STACKS_PER_APP) {
    const part = { dir: join(job.outdir, String(results.length)), stacks: job.select.slice(start, start + STACKS_PER_APP) };
    const tokens = tokenCount();
    mkdirSync(part.dir, { recursive: true });
    const app = plan.build({ stacks: part.stacks, outdir: part.dir });
    app.synth();
    results.push(appResult(app, part));
    forgetTokensSince(tokens);
  }
  return {
    warnings: results.flatMap((r) => r.warnings),
    failing: results.flatMap((r) => r.failing),
    resources: Object.assign({}, ...results.map((r) => r.resources)),
    parts: results.flatMap((r) => r.parts),
  };
}

/** Fewest stacks a group of a parallel synth takes: starting a worker (Node, and loading the modules from the code cache) costs about what 6 stacks do, and a group must pay for it. */
export const STACKS_PER_WORKER = 20;

/**
 * How many processes synthesise `stacks` stacks: `CLOUDTIERS_SYNTH_WORKERS` (a whole number,
 * 1 for a serial synth), else one a core, at least `STACKS_PER_WORKER` stacks each.
 */
export function synthWorkers(stacks: number, env: NodeJS.ProcessEnv): number {
  const given = env.CLOUDTIERS_SYNTH_WORKERS?.trim();
  if (given) {
    if (!/^[1-9]\d*$/.test(given)) throw new ValidationError([{ environment: "(synth)", path: "CLOUDTIERS_SYNTH_WORKERS", message: `must be a whole number of processes, 1 or more, got "${given}"` }]);
    return Math.min(Number(given), Math.max(stacks, 1));
  }
  return Math.max(1, Math.min(availableParallelism(), Math.floor(stacks / STACKS_PER_WORKER)));
}

/**
 * `synthesize`, with the selected stacks split into groups synthesised in parallel
 * processes (`synthWorkers`) when there are enough of them (this one synthesises the
 * first group itself), and one output:
 * every App's stack directories and one manifest, byte for byte what a serial synth writes.
 * Nothing is written unless every group synthesised and passed the policy pack; a group
 * that failed fails the whole synth with its message.
 */
export async function synthesizeAll(environments: readonly EnvironmentSpec[], options: SynthesizeOptions = {}): Promise<number> {
  const { stdout = process.stdout, stderr = process.stderr } = options;
  const env = envOf(options);
  const plan = orReported(() => planApp(environments, options), stderr);
  if (!plan) return 1;
  const names = selectedNames(plan);
  let workers: number;
  try {
    workers = synthWorkers(names.length, env);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    for (const issue of e.issues) stderr.write(`cloudtiers: ${formatIssue(issue)}\n`);
    return 1;
  }
  if (workers <= 1) return synthesizeHere(plan, environments, options);

  const outdir = outdirOf(options);
  const scratch = newScratch(outdir);
  try {
    // Contiguous groups in the plan's order: their warnings, read in turn, are a serial synth's.
    const size = Math.ceil(names.length / workers);
    const groups = Array.from({ length: workers }, (_, i) => names.slice(i * size, (i + 1) * size)).filter((g) => g.length > 0);
    stderr.write(`synthesising ${names.length} stacks in ${groups.length} processes...\n`);
    const job = (stacks: readonly string[], i: number): SynthJob => ({ specs: environments, select: stacks, outdir: join(scratch.dir, String(i)), context: options.context, env });
    // The first group is this process's own, synthesised while the others' workers run.
    const others = groups.slice(1).map((g, i) => runWorker(job(g, i + 1), join(scratch.dir, `job-${i + 1}.json`)));
    const own = ownGroup(job(groups[0], 0), plan);
    const runs = [own, ...(await Promise.all(others))];
    const named = (g: readonly string[]) => (g.length <= 3 ? g.join(", ") : `${g[0]} to ${g[g.length - 1]} (${g.length} stacks)`);
    const failed = runs.flatMap((run, i) => ("error" in run ? [`cloudtiers: synthesising ${named(groups[i])} failed; nothing was written:\n${run.error}`] : []));
    if (failed.length > 0) {
      for (const failure of failed) stderr.write(`${failure.trimEnd()}\n`);
      return 1;
    }
    return written(plan, runs as SynthGroupResult[], outdir, stdout, stderr);
  } finally {
    scratch.remove();
  }
}

/** What a worker prints when its group fails: the problems a construct found, as a serial synth reports them, or the error. */
export function groupFailure(e: unknown): string {
  if (e instanceof ValidationError) return `${e.issues.map((issue) => `  ${formatIssue(issue)}`).join("\n")}\n`;
  return `${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`;
}

/** This process's group of a parallel synth, failing as a worker does. */
function ownGroup(job: SynthJob, plan: AppPlan): SynthGroupResult | { error: string } {
  try {
    return synthGroup(job, plan);
  } catch (e) {
    return { error: groupFailure(e) };
  }
}

/**
 * Runs one group's worker: its result, or what it printed when it failed. The job goes in a
 * file, not down a pipe: this process synthesises its own group meanwhile, and writes to a
 * pipe only between its own steps.
 */
function runWorker(job: SynthJob, file: string): Promise<SynthGroupResult | { error: string }> {
  // Its environment (credentials among it) is the process's own, never the file's.
  writeFileSync(file, JSON.stringify({ ...job, env: undefined }), { mode: 0o600 });
  // This file's sibling, as it is loaded (TypeScript through the loader in execArgv, or the package's JavaScript).
  const worker = join(__dirname, `synth-worker${extname(__filename)}`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, worker, file], { env: job.env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", (e) => resolve({ error: String(e) }));
    child.on("close", (code) => {
      if (code !== 0) return resolve({ error: err || `the worker exited with ${code}` });
      try {
        resolve(JSON.parse(out));
      } catch {
        resolve({ error: `the worker wrote no result:\n${out}${err}` });
      }
    });
  });
}

/**
 * Every part's stack directories into `outdir`, and one manifest of every stack in the
 * parts' order. Each file or directory an App wrote in a stack's directory replaces the one
 * of its name there (cdktf's own synth replaces them too); anything else there stays, such
 * as the `.terraform` directory and lock file `cdktf deploy` leaves.
 */
function writeParts(parts: readonly OutputPart[], outdir: string): void {
  // No stacks: what cdktf writes for an App without any, a manifest of none.
  if (parts.length === 0) return new App({ outdir }).synth();
  const manifests = parts.map((p) => JSON.parse(readFileSync(join(p.dir, Manifest.fileName), "utf8")) as { version: string; stacks: Record<string, StackManifest> });
  for (const part of parts) {
    for (const stack of part.stacks) {
      const from = join(part.dir, Manifest.stacksFolder, stack);
      const to = join(outdir, Manifest.stacksFolder, stack);
      mkdirSync(to, { recursive: true });
      for (const entry of readdirSync(from)) {
        rmSync(join(to, entry), { recursive: true, force: true });
        renameSync(join(from, entry), join(to, entry));
      }
    }
  }
  // cdktf's own writer, for its key order and layout.
  const manifest = new Manifest(manifests[0].version, outdir, false);
  for (const m of manifests) Object.assign(manifest.stacks, m.stacks);
  manifest.writeToFile();
}

/**
 * Builds and synthesises the selected stacks (every one when `select` is empty) into a
 * scratch directory, hands the app to `read` (each stack's JSON is at `stackFile(app,
 * stack)`), then removes the directory: for the commands that look at stacks without
 * touching cdktf.out (`npm run policy`, `cost`, `diagram`). Throws ValidationError, before
 * anything is written, for an invalid spec or a selection that matches nothing.
 */
export function withScratchSynth<T>(environments: readonly EnvironmentSpec[], select: readonly string[], read: (app: App) => T, env: NodeJS.ProcessEnv = process.env): T {
  const outdir = mkdtempSync(join(tmpdir(), "cloudtiers-"));
  try {
    return withFastStackTraces(() => {
      const app = buildApp(environments, { outdir, select: select.length > 0 ? select : undefined, env });
      app.synth();
      return read(app);
    });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
