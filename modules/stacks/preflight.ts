import { StackDocument } from "../policy/document";
import { PlannedStack, matches, planStacks } from "./app";
import { CLOUDS, CloudAdapter } from "./clouds";
import { EnvironmentSpec } from "./spec";

/*
 * `npm run preflight -- <stack pattern>...`: before an apply, whether the account can take
 * the stack, with read-only calls. What a stack needs is read from its synthesised JSON
 * (the same document Terraform applies), never worked out again from the spec: the pools'
 * maxima, the sizes and classes, the zones, the resources Cloudflare is asked for.
 * Nothing here is loaded at synth.
 */

/** A preflight asked for wrongly: no pattern, a pattern matching nothing, credentials missing. Nothing was called. */
export class PreflightUsageError extends Error {}

/** What one check found: whether it holds, what was seen, and how to make it hold. */
export interface Outcome {
  readonly ok: boolean;
  readonly detail: string;
  /** What to do when it fails; when skipped, what to confirm by hand, if anything. */
  readonly fix?: string;
  /** It could not be checked (the credentials given, or an answer that does not tell), which is no failure. @default false */
  readonly skipped?: boolean;
}

export const pass = (detail: string): Outcome => ({ ok: true, detail });
export const fail = (detail: string, fix: string): Outcome => ({ ok: false, detail, fix });
export const skip = (detail: string, fix?: string): Outcome => ({ ok: true, detail, skipped: true, ...(fix ? { fix } : {}) });

/** An AWS SDK's error (the SDKs' `ServiceException`: a name, a message, the HTTP status in `$metadata`), or undefined. */
export function sdkError(error: unknown): { name: string; message: string; status?: number } | undefined {
  if (!(error instanceof Error) || !("$metadata" in error)) return undefined;
  return { name: error.name, message: error.message, status: (error as { $metadata: { httpStatusCode?: number } }).$metadata.httpStatusCode };
}

/** One check: a name, the read-only calls it makes, and how it judges their answers. */
export interface Check {
  readonly name: string;
  run(): Promise<Outcome>;
  /** When it fails, the rest of its group is not run: the credentials the others would use were refused. @default false */
  readonly gate?: boolean;
}

/** The checks made with one set of credentials, and how that API's refusals read. */
export interface CheckGroup {
  readonly title: string;
  readonly checks: readonly Check[];
  /**
   * The words for an error a check threw (an API's refusal, a throttle that never ended):
   * the check fails with them. Anything it does not recognise is a bug, and is thrown.
   */
  explain(error: unknown): Outcome | undefined;
}

/** What a cloud's checks get. */
export interface PreflightContext {
  readonly spec: EnvironmentSpec;
  /** The stack as synthesised. */
  readonly doc: StackDocument;
  /** Credentials and endpoints (`DIGITALOCEAN_API_URL`, `CLOUDFLARE_API_URL`, `AWS_ENDPOINT_URL`, ...). */
  readonly env: NodeJS.ProcessEnv;
  /** Retries and throttling, as they happen. */
  readonly log: (line: string) => void;
  /** How the HTTPS clients wait (tests wait no time). @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A cloud's preflight: its credentials, checked before anything is called, and its checks. */
export interface CloudPreflight {
  /** Why the credentials are missing, or undefined when they are there. Calls no API. */
  missingCredentials(env: NodeJS.ProcessEnv): Promise<string | undefined>;
  groups(context: PreflightContext): CheckGroup[];
}

/** The preflight of the cloud `cloudId`, from its registration (each cloud's checks, and its SDKs, load when one of its stacks is checked). */
export function cloudPreflight(cloudId: string, clouds: readonly CloudAdapter[] = CLOUDS): CloudPreflight {
  const preflight = clouds.find((c) => c.id === cloudId)?.preflight;
  if (!preflight) throw new PreflightUsageError(`no preflight for the cloud "${cloudId}" yet`);
  return preflight();
}

/** The stacks the patterns select (`*` matching any run of characters, as in CLOUDTIERS_STACKS). */
export function preflightStacks(environments: readonly EnvironmentSpec[], patterns: readonly string[]): PlannedStack[] {
  const stacks = planStacks(environments);
  const names = stacks.map((s) => s.name).join(", ");
  if (patterns.length === 0) throw new PreflightUsageError(`usage: npm run preflight -- <stack pattern>..., the stacks being ${names}`);
  const unmatched = patterns.filter((p) => !stacks.some((s) => matches(p, s.name)));
  if (unmatched.length > 0) throw new PreflightUsageError(`${unmatched.map((p) => `"${p}"`).join(", ")} ${unmatched.length > 1 ? "match" : "matches"} no stack; the stacks are ${names}`);
  return stacks.filter((s) => patterns.some((p) => matches(p, s.name)));
}

/** The names of the variables of `names` that are unset or empty. */
export function unset(env: NodeJS.ProcessEnv, names: readonly string[]): string[] {
  return names.filter((n) => !env[n]);
}

/**
 * Runs each group's checks in order, printing each as it ends: `pass`, `FAIL` and the fix,
 * or `skip` and what to confirm by hand; after a failed gate, the rest of its group as
 * `skip`. Returns the failures.
 */
export async function runChecks(groups: readonly CheckGroup[], out: (line: string) => void): Promise<number> {
  let failures = 0;
  for (const group of groups) {
    out(`${group.title}`);
    let refused: string | undefined;
    for (const check of group.checks) {
      if (refused) {
        out(`  skip  ${check.name}: not checked, ${refused}`);
        continue;
      }
      let outcome: Outcome;
      try {
        outcome = await check.run();
      } catch (e) {
        const explained = group.explain(e);
        if (!explained) throw e;
        outcome = explained;
      }
      if (outcome.ok) {
        out(`  ${outcome.skipped ? "skip" : "pass"}  ${check.name}: ${outcome.detail}`);
        if (outcome.skipped && outcome.fix) out(`        fix: ${outcome.fix}`);
        continue;
      }
      failures += 1;
      out(`  FAIL  ${check.name}: ${outcome.detail}`);
      if (outcome.fix) out(`        fix: ${outcome.fix}`);
      if (check.gate) refused = `as ${check.name} failed`;
    }
  }
  return failures;
}
