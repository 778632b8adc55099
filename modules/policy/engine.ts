import { StackDocument } from "./document";
import { CloudPolicy, Finding, PolicyRule, RULES } from "./rules";

/** A rule switched off for one resource, with the reason the report prints. */
export interface Suppression {
  readonly rule: string;
  readonly resource: string;
  readonly reason: string;
}

/** What the policy pack found in one stack. */
export interface PolicyReport {
  readonly stack: string;
  /** Ids of the rules that apply to this stack's cloud and stage. */
  readonly checked: readonly string[];
  /** Ids of the rules that found nothing (or only suppressed findings). */
  readonly passed: readonly string[];
  readonly suppressed: readonly (Finding & { rule: string; reason: string })[];
  /** Unsuppressed findings, and suppressions that match no finding (stale ones hide nothing and mislead). */
  readonly failed: readonly (Finding & { rule: string })[];
}

export interface PolicyOptions {
  readonly stack: string;
  /** The stack's cloud: how it checks each rule (its registration's `policy`). */
  readonly cloud: CloudPolicy;
  readonly production: boolean;
  readonly suppressions?: readonly Suppression[];
  /** @default RULES */
  readonly rules?: readonly PolicyRule[];
}

/** Runs every rule that applies to the stack and sorts the findings into the report. */
export function evaluatePolicy(stack: StackDocument, options: PolicyOptions): PolicyReport {
  const unknown = Object.keys(options.cloud.checks).filter((id) => !RULES.some((r) => r.id === id));
  if (unknown.length > 0) throw new Error(`policy: ${options.stack}'s cloud checks ${unknown.join(", ")}, which no rule in modules/policy/rules.ts has; the rules are ${RULES.map((r) => r.id).join(", ")}`);
  const rules = (options.rules ?? RULES).filter((r) => options.cloud.checks[r.id] && (options.production || !r.productionOnly));
  const suppressions = options.suppressions ?? [];
  const used = new Set<Suppression>();
  const passed: string[] = [];
  const suppressed: (Finding & { rule: string; reason: string })[] = [];
  const failed: (Finding & { rule: string })[] = [];
  for (const rule of rules) {
    let clean = true;
    for (const finding of options.cloud.checks[rule.id](stack)) {
      const waiver = suppressions.find((s) => s.rule === rule.id && s.resource === finding.resource);
      if (waiver) {
        used.add(waiver);
        suppressed.push({ ...finding, rule: rule.id, reason: waiver.reason });
      } else {
        clean = false;
        failed.push({ ...finding, rule: rule.id });
      }
    }
    if (clean) passed.push(rule.id);
  }
  for (const s of suppressions.filter((s) => !used.has(s))) {
    failed.push({ rule: s.rule, resource: s.resource, message: "is suppressed, but the rule finds nothing there: remove the suppression" });
  }
  return { stack: options.stack, checked: rules.map((r) => r.id), passed, suppressed, failed };
}

/** The report as people read it. */
export function formatReport(report: PolicyReport): string {
  const lines = [
    `${report.stack}: ${report.checked.length} rules checked, ${report.passed.length} passed, ${report.suppressed.length} suppressed, ${report.failed.length} failed`,
    `  passed: ${report.passed.join(", ") || "none"}`,
    ...report.suppressed.map((s) => `  suppressed ${s.rule} ${s.resource}: ${s.message} (reason: ${s.reason})`),
    ...report.failed.map((f) => `  FAILED ${f.rule} ${f.resource}: ${f.message}`),
  ];
  return `${lines.join("\n")}\n`;
}
