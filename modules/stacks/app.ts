import { AnnotationMetadataEntryType, App } from "cdktf";
import { ValidationError, formatIssue } from "../core";
import { formatReport } from "../policy";
import { CLOUDS } from "./clouds";
import { EnvironmentSpec } from "./spec";
import { OutputSnapshot, checkPolicy } from "./policy";
import { CloudTiersStack } from "./stack";
import { validateEnvironment } from "./validate";

export interface BuildOptions {
  /** Where `synth()` writes. @default - `CDKTF_OUTDIR`, else `cdktf.out` */
  readonly outdir?: string;
}

/**
 * One stack per environment × cloud section. Every spec is validated first and all
 * problems are thrown together, before the App exists, so an invalid spec leaves the
 * output directory untouched.
 */
export function buildApp(environments: readonly EnvironmentSpec[], options: BuildOptions = {}): App {
  const issues = environments.flatMap(validateEnvironment);
  const names = environments.map((e) => e.environment);
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i) issues.push({ environment: name, path: "environment", message: "is used by two specs; stack names must be unique" });
  });
  if (issues.length > 0) throw new ValidationError(issues);
  const app = new App({ outdir: options.outdir });
  for (const spec of environments) {
    for (const cloud of CLOUDS.filter((c) => c.wanted(spec))) new CloudTiersStack(app, spec, cloud);
  }
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
  for (const warning of warnings(app)) stderr.write(`warning: ${warning}\n`);
  const failing = checkPolicy(app).filter((r) => r.failed.length > 0);
  if (failing.length > 0) {
    previous.restore();
    stderr.write(`cloudtiers: the policy pack refused ${failing.length} stack(s); the previous output is unchanged.\n`);
    for (const report of failing) stderr.write(formatReport(report));
    return 1;
  }
  return 0;
}
