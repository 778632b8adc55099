import { ValidationIssue } from "../core";
import { validateTopology } from "../django/validate";
import { CLOUDS } from "./clouds";
import { EnvironmentSpec } from "./spec";

/**
 * Every problem with one environment: the neutral rules, then the rules of each cloud
 * the spec asks for. Nothing is synthesised from a spec that has any.
 */
export function validateEnvironment(spec: EnvironmentSpec): ValidationIssue[] {
  const issues = validateTopology(spec);
  const wanted = CLOUDS.filter((c) => c.wanted(spec));
  if (wanted.length === 0) {
    issues.push({
      environment: spec.environment,
      path: "(clouds)",
      message: `names no cloud: add a section for at least one of ${CLOUDS.map((c) => c.id).join(", ")}`,
    });
  }
  for (const cloud of wanted) issues.push(...cloud.validate(spec));
  return issues;
}
