import { LOWEST_TERRAFORM, REQUIRED_TERRAFORM, SpecValidator, ValidationIssue, fieldsOf, show, validateSpecText } from "../core";
import { RULES } from "../policy";
import { DjangoTopologyProps } from "../django/spec";
import { TOPOLOGY_FIELDS, validateTopology } from "../django/validate";
import { CLOUDS, wants } from "./clouds";
import { validateReleaseImage } from "./release";
import { CloudSection, EnvironmentSpec, PolicySuppression, TerraformCloudSettings, TerraformCloudVcs } from "./spec";
import { TerraformCloudEnvironment, organizationOf } from "./terraform-cloud";

/** The fields an environment spec may have: the topology's, the backend's and the policy's, and each registered cloud's sections. */
export const ENVIRONMENT_FIELDS = [
  ...TOPOLOGY_FIELDS,
  ...fieldsOf<Omit<EnvironmentSpec, keyof DjangoTopologyProps | CloudSection>>({ production: true, backend: true, terraformCloud: true, policy: true }),
  ...new Set(CLOUDS.flatMap((c) => c.sections)),
];

/**
 * Every problem with one environment: the neutral rules, the rules of each cloud the spec
 * asks for, the release image's, then its backend's. Nothing is synthesised from a spec
 * that has any. `env`: where the release image CI gives (`CLOUDTIERS_IMAGE_<ENVIRONMENT>`)
 * and the Terraform Cloud settings the spec leaves out come from.
 */
export function validateEnvironment(spec: EnvironmentSpec, env: TerraformCloudEnvironment = process.env): ValidationIssue[] {
  const top = new SpecValidator(typeof spec?.environment === "string" && spec.environment ? spec.environment : "(unnamed)");
  if (!top.fields("", spec, ENVIRONMENT_FIELDS)) return [...top.issues];
  const issues = [...top.issues, ...validateSpecText(top.environment, spec), ...validateTopology(spec)];
  const wanted = CLOUDS.filter((c) => wants(c, spec));
  if (wanted.length === 0) {
    issues.push({
      environment: spec.environment,
      path: "(clouds)",
      message: `names no cloud: add a section for at least one of ${CLOUDS.map((c) => c.id).join(", ")}`,
    });
  }
  for (const cloud of wanted) issues.push(...cloud.validate(spec));
  issues.push(...validateReleaseImage(spec, env));
  issues.push(...validatePolicySettings(spec, wanted.map((c) => c.id)));
  issues.push(...validateTerraformCloud(spec, env));
  return issues;
}

const TFC_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const ORGANIZATION = "a Terraform Cloud organization name (letters, digits, - and _)";
const PROJECT = /^[A-Za-z0-9][A-Za-z0-9 _-]{0,39}$/;
const PROJECT_NAME = "a project name of up to 40 letters, digits, spaces, - and _";

/** A workspace's Terraform: an exact version, `>= X.Y[.Z]` or `~> X.Y[.Z]`, as Terraform Cloud takes them. */
const TERRAFORM_VERSION = /^(~> ?|>= ?)?(\d+)\.(\d+)(?:\.(\d+))?$/;

/** Whether the newest version a workspace's `terraformVersion` picks satisfies `REQUIRED_TERRAFORM`. */
function allowsRequiredTerraform(version: string): boolean {
  const [, operator, major, minor, patch] = TERRAFORM_VERSION.exec(version)!;
  const parts = [Number(major), Number(minor), Number(patch ?? 0)];
  // `>=` has no newest; `~> X.Y` allows every X.*, `~> X.Y.Z` every X.Y.*.
  if (operator?.startsWith(">=")) return true;
  const newest = operator?.startsWith("~>") ? (patch === undefined ? [parts[0], Infinity, Infinity] : [parts[0], parts[1], Infinity]) : parts;
  const difference = newest.map((part, i) => part - LOWEST_TERRAFORM[i]).find((d) => d !== 0) ?? 0;
  return difference >= 0;
}

/** The backend choice, the Terraform Cloud section, and the environment variables it falls back to. */
function validateTerraformCloud(spec: EnvironmentSpec, env: TerraformCloudEnvironment): ValidationIssue[] {
  const v = new SpecValidator(spec.environment);
  if (spec.backend !== undefined) v.oneOf("backend", spec.backend, ["local", "terraform-cloud"]);
  const tfc = spec.terraformCloud;
  if (tfc !== undefined) {
    const known = fieldsOf<TerraformCloudSettings>({ organization: true, hostname: true, project: true, workspacePrefix: true, terraformVersion: true, vcs: true, promotesFrom: true });
    if (!v.fields("terraformCloud", tfc, known)) return [...v.issues];
    if (tfc.organization !== undefined) v.matches("terraformCloud.organization", tfc.organization, TFC_NAME, ORGANIZATION);
    if (tfc.hostname !== undefined) v.domain("terraformCloud.hostname", tfc.hostname);
    if (tfc.project !== undefined) v.matches("terraformCloud.project", tfc.project, PROJECT, PROJECT_NAME);
    if (tfc.workspacePrefix !== undefined) v.matches("terraformCloud.workspacePrefix", tfc.workspacePrefix, TFC_NAME, "letters, digits, - and _ (workspace names are <prefix>-<environment>-<cloud>)");
    if (tfc.terraformVersion !== undefined && v.matches("terraformCloud.terraformVersion", tfc.terraformVersion, TERRAFORM_VERSION, 'a Terraform version such as "1.11.4" or "~> 1.11"')) {
      if (!allowsRequiredTerraform(tfc.terraformVersion)) {
        v.fail("terraformCloud.terraformVersion", `allows no Terraform the stacks can run on (they need ${REQUIRED_TERRAFORM}), got "${tfc.terraformVersion}"`);
      }
    }
    if (tfc.vcs !== undefined && v.fields("terraformCloud.vcs", tfc.vcs, fieldsOf<TerraformCloudVcs>({ repository: true, branch: true, oauthTokenId: true, githubAppInstallationId: true }))) {
      const vcs = tfc.vcs;
      v.matches("terraformCloud.vcs.repository", vcs.repository, /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'a repository as "<owner>/<name>"');
      if (vcs.branch !== undefined) v.nonEmpty("terraformCloud.vcs.branch", vcs.branch);
      if ((vcs.oauthTokenId === undefined) === (vcs.githubAppInstallationId === undefined)) {
        v.fail("terraformCloud.vcs", "must name exactly one VCS connection: oauthTokenId (ot-…) or githubAppInstallationId (ghain-…)");
      } else if (vcs.oauthTokenId !== undefined) {
        v.matches("terraformCloud.vcs.oauthTokenId", vcs.oauthTokenId, /^ot-[A-Za-z0-9]+$/, 'an OAuth token id such as "ot-AbC123"');
      } else {
        v.matches("terraformCloud.vcs.githubAppInstallationId", vcs.githubAppInstallationId, /^ghain-[A-Za-z0-9]+$/, 'a GitHub App installation id such as "ghain-AbC123"');
      }
    }
    if (tfc.promotesFrom !== undefined) {
      if (v.nonEmpty("terraformCloud.promotesFrom", tfc.promotesFrom) && tfc.promotesFrom === spec.environment) {
        v.fail("terraformCloud.promotesFrom", `must name another environment, got "${tfc.promotesFrom}"`);
      }
    }
  }
  // The environment variables, where the spec leaves the setting to them and they count.
  const remote = spec.backend !== "local";
  if (remote && tfc?.organization === undefined) {
    const name = env.TF_CLOUD_ORGANIZATION ? "TF_CLOUD_ORGANIZATION" : "TFC_ORGANIZATION";
    if (env[name]) v.matches(name, env[name], TFC_NAME, ORGANIZATION);
  }
  if (remote && organizationOf(spec, env)) {
    if (tfc?.hostname === undefined && env.TF_CLOUD_HOSTNAME) v.domain("TF_CLOUD_HOSTNAME", env.TF_CLOUD_HOSTNAME);
    if (tfc?.project === undefined && env.TF_CLOUD_PROJECT) v.matches("TF_CLOUD_PROJECT", env.TF_CLOUD_PROJECT, PROJECT, PROJECT_NAME);
  }
  if (spec.backend === "terraform-cloud" && !organizationOf(spec, env)) {
    v.fail("backend", 'is "terraform-cloud" but names no organization: set terraformCloud.organization, or TF_CLOUD_ORGANIZATION');
  }
  return [...v.issues];
}

/** The spec's `production` flag and policy suppressions. */
function validatePolicySettings(spec: EnvironmentSpec, clouds: readonly string[]): ValidationIssue[] {
  const v = new SpecValidator(spec.environment);
  if (spec.production !== undefined) v.boolean("production", spec.production);
  const ids = RULES.map((r) => r.id);
  if (spec.policy !== undefined && !v.fields("policy", spec.policy, fieldsOf<NonNullable<EnvironmentSpec["policy"]>>({ suppress: true }))) return [...v.issues];
  (spec.policy?.suppress ?? []).forEach((s, i) => {
    const path = `policy.suppress[${i}]`;
    if (!v.fields(path, s, fieldsOf<PolicySuppression>({ rule: true, cloud: true, resource: true, reason: true }))) return;
    v.oneOf(`${path}.rule`, s.rule, ids);
    v.oneOf(`${path}.cloud`, s.cloud, clouds);
    v.nonEmpty(`${path}.resource`, s.resource);
    if (typeof s.reason !== "string" || s.reason.trim().length < 10) {
      v.fail(`${path}.reason`, `must say why the rule does not apply, in 10 characters at least, got ${show(s.reason)}`);
    }
  });
  return [...v.issues];
}
