import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AnnotationMetadataEntryType, App } from "cdktf";
import { ValidationError, ValidationIssue, answeringFor, formatIssue } from "../core";
import { formatReport } from "../policy";
import { CLOUDS, CloudAdapter } from "./clouds";
import { NamedStack, validateCollisions, validateStackNames } from "./collisions";
import { withFastStackTraces } from "./fast-synth";
import { EnvironmentSpec } from "./spec";
import { OutputSnapshot, checkPolicy } from "./policy";
import { withReleaseImage } from "./release";
import { CloudTiersStack, stackName } from "./stack";
import { BootstrapMember, RemoteWorkspace, TERRAFORM_CLOUD_HOST, TerraformCloudBootstrapStack, remoteWorkspace } from "./terraform-cloud";
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
}

/** A stack the specs call for, before it is built. */
export interface PlannedStack {
  readonly spec: EnvironmentSpec;
  readonly cloud: CloudAdapter;
  readonly name: string;
}

/** Every stack the specs call for: one per environment and cloud section, named `<environment>-<cloud>`. */
export function planStacks(environments: readonly EnvironmentSpec[]): PlannedStack[] {
  return environments.flatMap((spec) => CLOUDS.filter((c) => c.wanted(spec)).map((cloud) => ({ spec, cloud, name: stackName(spec, cloud) })));
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
    const clouds = (s: EnvironmentSpec) => CLOUDS.filter((c) => c.wanted(s)).map((c) => c.id);
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

/** The selection patterns and where they came from: the option, else `CLOUDTIERS_STACKS`, else the `stacks` context. */
function selectionOf(app: App, options: BuildOptions, env: NodeJS.ProcessEnv): { patterns: string[]; source: string } | undefined {
  const [raw, source] =
    options.select !== undefined ? [options.select, "select"] : env.CLOUDTIERS_STACKS !== undefined ? [env.CLOUDTIERS_STACKS, "CLOUDTIERS_STACKS"] : [app.node.tryGetContext("stacks"), "context stacks"];
  const patterns: string[] = (raw === undefined ? [] : Array.isArray(raw) ? raw : String(raw).split(",")).map((p: string) => p.trim()).filter((p: string) => p.length > 0);
  // Empty (an unset CI variable gives "") selects nothing in particular: every stack.
  return patterns.length > 0 ? { patterns, source } : undefined;
}

/** Whether a stack name matches a selection pattern, `*` matching any run of characters. */
export function matches(pattern: string, name: string): boolean {
  return new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`).test(name);
}

/**
 * One stack per environment × cloud section, plus one Terraform Cloud bootstrap stack per
 * organization the stacks use; only the selected ones are built. Every spec is validated
 * first and all problems are thrown together, before the App writes anything, so an
 * invalid spec leaves the output directory untouched.
 */
export function buildApp(specs: readonly EnvironmentSpec[], options: BuildOptions = {}): App {
  const env = options.env ?? process.env;
  // Each environment's release image, where CI gives one (CLOUDTIERS_IMAGE_<ENVIRONMENT>).
  const environments = specs.map((spec) => withReleaseImage(spec, env));
  const planned = planStacks(environments);
  const issues = [...environments.flatMap((spec) => validateEnvironment(spec, env)), ...validateAcross(environments, planned, env)];
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

  const app = new App({ outdir: options.outdir });
  const selection = selectionOf(app, options, env);
  const available = [...planned.map((p) => p.name), ...bootstraps.map((b) => b.name)];
  const unmatched = (selection?.patterns ?? []).filter((p) => !available.some((name) => matches(p, name)));
  if (unmatched.length > 0) {
    throw new ValidationError(
      unmatched.map((p) => ({ environment: "(selection)", path: selection!.source, message: `"${p}" matches no stack; the stacks are ${available.join(", ")}` })),
    );
  }
  const selected = (name: string) => !selection || selection.patterns.some((p) => matches(p, name));
  // Validated above, with the rules across environments, and held to the policy pack by `synthesize` and `npm run policy`: not again per stack.
  answeringFor(environments, () => {
    for (const p of planned.filter((p) => selected(p.name))) new CloudTiersStack(app, p.spec, p.cloud, env);
  });
  for (const b of bootstraps.filter((b) => selected(b.name))) new TerraformCloudBootstrapStack(app, b.name, b.members);
  return app;
}

/** Every warning constructs recorded (cdktf's CLI prints them; a plain `app.synth()` does not), as `path: message`. */
export function warnings(app: App): string[] {
  return app.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN).map((m) => `${c.node.path}: ${String(m.data)}`));
}

/**
 * Synthesises every stack, then holds each to the policy pack. Invalid specs are reported
 * line by line, without a stack trace, and nothing is written; a policy violation is
 * reported with its stack's report, and the previous output is put back. Returns the
 * exit code.
 */
export function synthesize(environments: readonly EnvironmentSpec[], stderr: NodeJS.WritableStream = process.stderr): number {
  let app: App;
  try {
    app = buildApp(environments);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    stderr.write(`cloudtiers: ${e.issues.length} problem(s) in the environment specs; nothing was synthesised.\n`);
    for (const issue of e.issues) stderr.write(`  ${formatIssue(issue)}\n`);
    return 1;
  }
  const previous = new OutputSnapshot(app);
  app.synth();
  // The cdktf CLI (which passes the context in CDKTF_CONTEXT_JSON) prints them itself.
  if (process.env.CDKTF_CONTEXT_JSON === undefined) for (const warning of warnings(app)) stderr.write(`warning: ${warning}\n`);
  const failing = checkPolicy(app).filter((r) => r.failed.length > 0);
  if (failing.length > 0) {
    previous.restore();
    stderr.write(`cloudtiers: the policy pack refused ${failing.length} stack(s); the previous output is unchanged.\n`);
    for (const report of failing) stderr.write(formatReport(report));
    return 1;
  }
  return 0;
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
