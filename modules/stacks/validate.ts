import { SpecValidator, ValidationIssue, show } from "../core";
import { RULES } from "../policy";
import { TOPOLOGY_FIELDS, validateTopology } from "../django/validate";
import { CLOUDS } from "./clouds";
import { EnvironmentSpec } from "./spec";

/**
 * Every problem with one environment: the neutral rules, then the rules of each cloud
 * the spec asks for. Nothing is synthesised from a spec that has any.
 */
/** The fields an environment spec may have: the topology's, the policy's, one section per cloud. */
export const ENVIRONMENT_FIELDS = [...TOPOLOGY_FIELDS, "production", "policy", "aws", "digitalocean", "cloudflare"];

export function validateEnvironment(spec: EnvironmentSpec): ValidationIssue[] {
  const top = new SpecValidator(typeof spec?.environment === "string" && spec.environment ? spec.environment : "(unnamed)");
  if (!top.fields("", spec, ENVIRONMENT_FIELDS)) return [...top.issues];
  const issues = [...top.issues, ...validateTopology(spec)];
  const wanted = CLOUDS.filter((c) => c.wanted(spec));
  if (wanted.length === 0) {
    issues.push({
      environment: spec.environment,
      path: "(clouds)",
      message: `names no cloud: add a section for at least one of ${CLOUDS.map((c) => c.id).join(", ")}`,
    });
  }
  for (const cloud of wanted) issues.push(...cloud.validate(spec));
  issues.push(...validatePolicySettings(spec, wanted.map((c) => c.id)));
  return issues;
}

/** The spec's `production` flag and policy suppressions. */
function validatePolicySettings(spec: EnvironmentSpec, clouds: readonly string[]): ValidationIssue[] {
  const v = new SpecValidator(spec.environment);
  if (spec.production !== undefined) v.boolean("production", spec.production);
  const ids = RULES.map((r) => r.id);
  if (spec.policy !== undefined && !v.fields("policy", spec.policy, ["suppress"])) return [...v.issues];
  (spec.policy?.suppress ?? []).forEach((s, i) => {
    const path = `policy.suppress[${i}]`;
    if (!v.fields(path, s, ["rule", "cloud", "resource", "reason"])) return;
    v.oneOf(`${path}.rule`, s.rule, ids);
    v.oneOf(`${path}.cloud`, s.cloud, clouds);
    v.nonEmpty(`${path}.resource`, s.resource);
    if (typeof s.reason !== "string" || s.reason.trim().length < 10) {
      v.fail(`${path}.reason`, `must say why the rule does not apply, in 10 characters at least, got ${show(s.reason)}`);
    }
  });
  return [...v.issues];
}
