import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REQUIRED_TERRAFORM, ValidationError, formatIssue } from "../../modules/core";
import { BuildOptions, buildApp } from "../../modules/stacks/app";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { DEFAULT_TERRAFORM_VERSION } from "../../modules/stacks/terraform-cloud";
import { dev } from "../../environments/dev";
import { production } from "../../environments/production";
import { staging } from "../../environments/staging";
import { Config, specBeside, specWith } from "../helpers";

const root = join(__dirname, "..", "..");
const ACME = { TF_CLOUD_ORGANIZATION: "acme" };
/** This file's specs: the shipped dev, staging and production, whatever else environments/index.ts lists. */
const environments: readonly EnvironmentSpec[] = [dev, staging, production];

/** Synthesises into a scratch directory and returns every written stack's JSON by name. */
function synthStacks(specs: readonly EnvironmentSpec[], options: BuildOptions): Record<string, Config> {
  const outdir = mkdtempSync(join(tmpdir(), "cloudtiers-tfc-"));
  try {
    const app = buildApp(specs, { ...options, outdir });
    app.synth();
    const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
    return Object.fromEntries(
      Object.keys(manifest.stacks).map((name) => [name, JSON.parse(readFileSync(join(outdir, "stacks", name, "cdk.tf.json"), "utf8"))]),
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The problems `buildApp` reports, formatted as the CLI prints them. */
function problems(specs: readonly EnvironmentSpec[], options: BuildOptions = {}): string[] {
  try {
    buildApp(specs, { outdir: mkdtempSync(join(tmpdir(), "cloudtiers-tfc-")), ...options });
  } catch (e) {
    if (e instanceof ValidationError) return e.issues.map(formatIssue);
    throw e;
  }
  return [];
}

/** Resources of one type, without cdktf's metadata. */
function resources(stack: Config, type: string): Record<string, Config> {
  return Object.fromEntries(Object.entries(stack.resource?.[type] ?? {}).map(([id, r]) => [id, Object.fromEntries(Object.entries(r as Config).filter(([k]) => k !== "//"))]));
}

const ref = (type: string, id: string) => `\${${type}.${id}.id}`;

describe("the backend of each stack", () => {
  it("is a local state file beside the project, relative and one per stack, when no organization is known", () => {
    const stacks = synthStacks(environments, { env: {}, select: ["dev-*"] });
    expect(Object.keys(stacks)).toEqual(["dev-aws", "dev-do"]);
    for (const [name, stack] of Object.entries(stacks)) {
      expect(stack.terraform.backend).toEqual({ local: { path: `../../../terraform.${name}.tfstate` } });
      expect(stack.terraform.cloud).toBeUndefined();
    }
  });

  it("is Terraform Cloud, one workspace per stack, once TF_CLOUD_ORGANIZATION alone is set", () => {
    const stacks = synthStacks(environments, { env: ACME, select: ["dev-*"] });
    expect(stacks["dev-aws"].terraform.cloud).toEqual({ organization: "acme", workspaces: { name: "shop-dev-aws" } });
    expect(stacks["dev-do"].terraform.cloud).toEqual({ organization: "acme", workspaces: { name: "shop-dev-do" } });
    for (const stack of Object.values(stacks)) expect(stack.terraform.backend).toBeUndefined();
    // TFC_ORGANIZATION, the name in the design document, when TF_CLOUD_ORGANIZATION is unset.
    expect(synthStacks(environments, { env: { TFC_ORGANIZATION: "acme" }, select: ["dev-do"] })["dev-do"].terraform.cloud.organization).toBe("acme");
    expect(synthStacks(environments, { env: { TFC_ORGANIZATION: "other", ...ACME }, select: ["dev-do"] })["dev-do"].terraform.cloud.organization).toBe("acme");
  });

  it("takes Terraform Enterprise's host and the project from TF_CLOUD_HOSTNAME and TF_CLOUD_PROJECT", () => {
    const env = { ...ACME, TF_CLOUD_HOSTNAME: "tfe.example.com", TF_CLOUD_PROJECT: "web shop" };
    const stacks = synthStacks(environments, { env, select: ["dev-aws"] });
    expect(stacks["dev-aws"].terraform.cloud).toEqual({ organization: "acme", hostname: "tfe.example.com", workspaces: { name: "shop-dev-aws", project: "web shop" } });
  });

  it("follows the spec over the environment: its organization, prefix and host, or local state when it says so", () => {
    const remote = specWith({ terraformCloud: { organization: "shop-ops", workspacePrefix: "storefront", hostname: "tfe.example.com" } });
    expect(synthStacks([remote], { env: ACME, select: ["dev-aws"] })["dev-aws"].terraform.cloud).toEqual({
      organization: "shop-ops",
      hostname: "tfe.example.com",
      workspaces: { name: "storefront-dev-aws" },
    });
    const local = specWith({ backend: "local" });
    expect(synthStacks([local], { env: ACME, select: ["dev-aws"] })["dev-aws"].terraform).toMatchObject({ backend: { local: { path: "../../../terraform.dev-aws.tfstate" } } });
  });

  it("treats an empty TF_CLOUD_ORGANIZATION (an unset CI variable) as unset", () => {
    expect(synthStacks(environments, { env: { TF_CLOUD_ORGANIZATION: "" }, select: ["dev-aws"] })["dev-aws"].terraform.backend).toEqual({
      local: { path: "../../../terraform.dev-aws.tfstate" },
    });
  });

  it("never writes a token, even one the operator's shell holds", () => {
    const token = "sentinel-token-9f8e7d";
    const saved = { ...process.env };
    Object.assign(process.env, { TFE_TOKEN: token, TF_TOKEN_app_terraform_io: token, TF_API_TOKEN: token, AWS_SECRET_ACCESS_KEY: token, DIGITALOCEAN_TOKEN: token });
    try {
      const stacks = synthStacks(environments, { env: { ...process.env, ...ACME } });
      expect(Object.keys(stacks)).toHaveLength(7);
      for (const stack of Object.values(stacks)) expect(JSON.stringify(stack)).not.toContain(token);
    } finally {
      process.env = saved;
    }
  });

  it("gives every shipped stack its own workspace, and refuses prefixes that would share one", () => {
    const stacks = synthStacks(environments, { env: ACME, select: ["*-aws", "*-do"] });
    const names = Object.values(stacks).map((s) => s.terraform.cloud.workspaces.name);
    expect(names.sort()).toEqual(["shop-dev-aws", "shop-dev-do", "shop-production-aws", "shop-production-do", "shop-staging-aws", "shop-staging-do"]);

    const eu = specBeside("eu-dev", 40, { terraformCloud: { workspacePrefix: "shop" } });
    const euShop = specWith({ terraformCloud: { workspacePrefix: "shop-eu" } });
    expect(problems([eu, euShop], { env: ACME })).toEqual([
      'dev: terraformCloud.workspacePrefix gives workspace "shop-eu-dev-aws" to both eu-dev-aws and dev-aws',
      'dev: terraformCloud.workspacePrefix gives workspace "shop-eu-dev-do" to both eu-dev-do and dev-do',
    ]);
    // Local state: the same names do not meet anywhere.
    expect(problems([eu, euShop], { env: {} })).toEqual([]);
  });
});

describe("the missing organization", () => {
  it("is a clear error when a spec asks for Terraform Cloud and nothing names one", () => {
    expect(problems([specWith({ backend: "terraform-cloud" })], { env: {} })).toEqual([
      'dev: backend is "terraform-cloud" but names no organization: set terraformCloud.organization, or TF_CLOUD_ORGANIZATION',
    ]);
    expect(problems([specWith({ backend: "terraform-cloud" })], { env: ACME })).toEqual([]);
    expect(problems([specWith({ backend: "terraform-cloud", terraformCloud: { organization: "acme" } })], { env: {} })).toEqual([]);
  });
});

describe("the Terraform Cloud settings of a spec", () => {
  it("are checked field by field, each problem naming the field, the value and what is allowed", () => {
    const spec = specWith({
      backend: "remote" as never,
      terraformCloud: {
        organization: "acme corp",
        hostname: "TFE.example.com",
        project: "a/b",
        workspacePrefix: "-shop",
        terraformVersion: "latest",
        promotesFrom: "dev",
        vcs: { repository: "shop", oauthTokenId: "ot-abc", githubAppInstallationId: "ghain-abc" },
      },
    });
    expect(problems([spec], { env: {} })).toEqual([
      'dev: backend must be one of "local", "terraform-cloud", got "remote"',
      'dev: terraformCloud.organization must be a Terraform Cloud organization name (letters, digits, - and _), got "acme corp"',
      'dev: terraformCloud.hostname must be a lower-case domain name such as "www.example.com", got "TFE.example.com"',
      'dev: terraformCloud.project must be a project name of up to 40 letters, digits, spaces, - and _, got "a/b"',
      'dev: terraformCloud.workspacePrefix must be letters, digits, - and _ (workspace names are <prefix>-<environment>-<cloud>), got "-shop"',
      'dev: terraformCloud.terraformVersion must be a Terraform version such as "1.11.4" or "~> 1.11", got "latest"',
      'dev: terraformCloud.vcs.repository must be a repository as "<owner>/<name>", got "shop"',
      "dev: terraformCloud.vcs must name exactly one VCS connection: oauthTokenId (ot-…) or githubAppInstallationId (ghain-…)",
      'dev: terraformCloud.promotesFrom must name another environment, got "dev"',
    ]);
  });

  it("refuse a workspace Terraform older than the stacks need, and take any that allows a newer one", () => {
    const given = (terraformVersion: string) => problems([specWith({ terraformCloud: { terraformVersion } })], { env: ACME });
    for (const old of ["1.4.6", "~> 1.4.0", "0.15.5", "~> 0.15"]) {
      expect(given(old)).toEqual([`dev: terraformCloud.terraformVersion allows no Terraform the stacks can run on (they need >= 1.5.0), got "${old}"`]);
    }
    for (const fine of ["1.5.0", "1.11.4", "~> 1.4", "~> 1.5.2", ">= 1.0", "2.0"]) expect([fine, given(fine)]).toEqual([fine, []]);
  });

  it("hold the environment variables they fall back to to the same rules, naming the variable", () => {
    expect(problems([specWith()], { env: { TF_CLOUD_ORGANIZATION: "acme corp", TF_CLOUD_HOSTNAME: "https://tfe.example.com", TF_CLOUD_PROJECT: "a/b" } })).toEqual([
      'dev: TF_CLOUD_ORGANIZATION must be a Terraform Cloud organization name (letters, digits, - and _), got "acme corp"',
      'dev: TF_CLOUD_HOSTNAME must be a lower-case domain name such as "www.example.com", got "https://tfe.example.com"',
      'dev: TF_CLOUD_PROJECT must be a project name of up to 40 letters, digits, spaces, - and _, got "a/b"',
    ]);
    // Ignored, so not checked, where the spec decides: local state, or its own settings.
    expect(problems([specWith({ backend: "local" })], { env: { TF_CLOUD_ORGANIZATION: "acme corp" } })).toEqual([]);
    expect(problems([specWith({ terraformCloud: { organization: "acme", project: "Web" } })], { env: { TF_CLOUD_ORGANIZATION: "x y", TF_CLOUD_PROJECT: "a/b" } })).toEqual([]);
  });

  it("suggest the field meant", () => {
    expect(problems([specWith({ terraformCloud: { organisation: "acme" } as never })], { env: {} })).toEqual([
      'dev: terraformCloud.organisation is not a known field (did you mean "organization"?); known: organization, hostname, project, workspacePrefix, terraformVersion, vcs, promotesFrom',
    ]);
  });

  it("refuse a promotion from an environment that does not exist or shares no cloud", () => {
    expect(problems([production], { env: {} })).toEqual(['production: terraformCloud.promotesFrom names no environment: "staging" is not one of "production"']);
    const awsOnly = specWith({ environment: "staging", digitalocean: undefined });
    const doOnly = { ...production, aws: undefined };
    expect(problems([awsOnly, doOnly], { env: {} })).toEqual(['production: terraformCloud.promotesFrom "staging" shares no cloud with this environment, so no run can promote from it']);
    // A run trigger (VCS-driven) joins two workspaces of one organization.
    const vcs = { repository: "acme/shop-infra", oauthTokenId: "ot-abc" };
    const vcsProduction = { ...production, terraformCloud: { promotesFrom: "staging", vcs } };
    expect(problems([{ ...staging, backend: "local" }, vcsProduction], { env: ACME })).toEqual([
      'production: terraformCloud.promotesFrom "staging" keeps its state in a local file, not in acme on app.terraform.io, so no run trigger can join them',
    ]);
    expect(problems([{ ...staging, terraformCloud: { organization: "other" } }, vcsProduction], { env: ACME })).toEqual([
      'production: terraformCloud.promotesFrom "staging" keeps its state in other on app.terraform.io, not in acme on app.terraform.io, so no run trigger can join them',
    ]);
    expect(problems([staging, vcsProduction], { env: ACME })).toEqual([]);
  });
});

describe("the bootstrap stack", () => {
  const stacks = synthStacks(environments, { env: ACME, select: ["terraform-cloud-*"] });
  const bootstrap = stacks["terraform-cloud-acme"];
  const workspaces = resources(bootstrap, "tfe_workspace");
  const settings = Object.values(resources(bootstrap, "tfe_workspace_settings"));
  const named = (b: Config, name: string) => Object.entries(resources(b, "tfe_workspace")).find(([, w]) => w.name === name)!;
  const settingsOf = (name: string) => settings.find((s) => s.workspace_id === ref("tfe_workspace", named(bootstrap, name)[0]))!;
  const workspaceNamed = (b: Config, address: string) => Object.entries(resources(b, "tfe_workspace")).find(([id]) => ref("tfe_workspace", id) === address)![1].name;
  const triggers = (b: Config) =>
    Object.values(resources(b, "tfe_run_trigger"))
      .map((t) => `${workspaceNamed(b, t.sourceable_id)} -> ${workspaceNamed(b, t.workspace_id)}`)
      .sort();

  it("and every other stack say which Terraform they need, and the workspaces run one it allows", () => {
    const all = synthStacks(environments, { env: ACME });
    expect(Object.keys(all)).toContain("terraform-cloud-acme");
    for (const [name, stack] of Object.entries(all)) expect([name, stack.terraform.required_version]).toEqual([name, REQUIRED_TERRAFORM]);
    for (const workspace of Object.values(workspaces)) expect(workspace.terraform_version).toBe(DEFAULT_TERRAFORM_VERSION);
    expect(problems([specWith({ terraformCloud: { terraformVersion: DEFAULT_TERRAFORM_VERSION } })], { env: ACME })).toEqual([]);
  });

  it("is built only when an organization is known, with local state and the token left to the environment", () => {
    expect(Object.keys(stacks)).toEqual(["terraform-cloud-acme"]);
    expect(bootstrap.terraform.backend).toEqual({ local: { path: "../../../terraform.terraform-cloud-acme.tfstate" } });
    expect(bootstrap.terraform.required_providers.tfe).toEqual({ source: "hashicorp/tfe", version: "0.71.0" });
    expect(bootstrap.provider.tfe).toEqual([{}]);
    expect(Object.keys(synthStacks(environments, { env: {} }))).not.toContain("terraform-cloud-acme");
  });

  it("creates the workspace of every stack, in remote execution mode, on the pinned Terraform version", () => {
    expect(Object.values(workspaces).map((w) => w.name).sort()).toEqual([
      "shop-dev-aws",
      "shop-dev-do",
      "shop-production-aws",
      "shop-production-do",
      "shop-staging-aws",
      "shop-staging-do",
    ]);
    for (const [id, workspace] of Object.entries(workspaces)) {
      expect(workspace).toMatchObject({ organization: "acme", terraform_version: DEFAULT_TERRAFORM_VERSION, queue_all_runs: false });
      // Settings the workspace_settings resource owns are not set twice.
      for (const owned of ["working_directory", "vcs_repo", "auto_apply", "tags", "execution_mode"]) expect(workspace[owned]).toBeUndefined();
      expect(settings.filter((s) => s.workspace_id === ref("tfe_workspace", id))).toEqual([
        expect.objectContaining({ workspace_id: ref("tfe_workspace", id), execution_mode: "remote", tags: { environment: expect.any(String), cloud: expect.any(String) } }),
      ]);
    }
    expect(settingsOf("shop-staging-do").tags).toEqual({ environment: "staging", cloud: "do" });
  });

  it("turns auto-apply and destroy plans off in production and protects its workspaces from deletion", () => {
    for (const name of ["shop-production-aws", "shop-production-do"]) {
      expect(named(bootstrap, name)[1]).toMatchObject({ allow_destroy_plan: false, lifecycle: { prevent_destroy: true } });
      expect(settingsOf(name).auto_apply).toBe(false);
    }
    for (const name of ["shop-dev-aws", "shop-staging-do"]) {
      expect(named(bootstrap, name)[1]).toMatchObject({ allow_destroy_plan: true });
      expect(named(bootstrap, name)[1].lifecycle).toBeUndefined();
      expect(settingsOf(name).auto_apply).toBe(true);
    }
  });

  it("attaches one credentials variable set per cloud: sensitive environment variables from sensitive inputs, no value in the output", () => {
    const sets = resources(bootstrap, "tfe_variable_set");
    expect(Object.values(sets).map((s) => s.name).sort()).toEqual(["shop-aws-credentials", "shop-do-credentials"]);
    const setId = (name: string) => ref("tfe_variable_set", Object.entries(sets).find(([, s]) => s.name === name)![0]);
    const variables = Object.values(resources(bootstrap, "tfe_variable"));
    const keysIn = (name: string) => variables.filter((v) => v.variable_set_id === setId(name)).map((v) => v.key).sort();
    expect(keysIn("shop-aws-credentials")).toEqual(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
    expect(keysIn("shop-do-credentials")).toEqual(["CLOUDFLARE_API_TOKEN", "DIGITALOCEAN_TOKEN", "SPACES_ACCESS_KEY_ID", "SPACES_SECRET_ACCESS_KEY"]);
    for (const v of variables) {
      const input = v.key.toLowerCase();
      // `value_wo` would be written empty into a variable set by tfe 0.71.
      expect(v).toEqual({ variable_set_id: expect.any(String), key: v.key, value: `\${var.${input}}`, category: "env", sensitive: true, description: "Set by the cloudtiers bootstrap stack" });
      expect(bootstrap.variable[input]).toEqual({ type: "string", sensitive: true, nullable: false, description: expect.stringContaining(`TF_VAR_${input}`) });
    }
    const attachments = Object.values(resources(bootstrap, "tfe_workspace_variable_set"));
    const attachedTo = (name: string) => attachments.filter((a) => a.variable_set_id === setId(name)).map((a) => workspaceNamed(bootstrap, a.workspace_id)).sort();
    expect(attachedTo("shop-aws-credentials")).toEqual(["shop-dev-aws", "shop-production-aws", "shop-staging-aws"]);
    expect(attachedTo("shop-do-credentials")).toEqual(["shop-dev-do", "shop-production-do", "shop-staging-do"]);
  });

  it("makes VCS-driven workspaces follow the repository and the stack's directory, and queues production after each staging apply", () => {
    const vcs = { repository: "acme/shop-infra", branch: "main", githubAppInstallationId: "ghain-abc123" };
    const viaVcs = environments.map((e) => ({ ...e, terraformCloud: { ...e.terraformCloud, vcs } }));
    const stack = synthStacks(viaVcs, { env: ACME, select: ["terraform-cloud-acme"] })["terraform-cloud-acme"];
    for (const [name, workspace] of Object.entries(resources(stack, "tfe_workspace"))) {
      const stackName = name.replace(/^workspace-/, "");
      expect(workspace).toMatchObject({
        working_directory: `cdktf.out/stacks/${stackName}`,
        trigger_patterns: [`cdktf.out/stacks/${stackName}/**/*`],
        vcs_repo: { identifier: "acme/shop-infra", branch: "main", github_app_installation_id: "ghain-abc123" },
      });
    }
    expect(triggers(stack)).toEqual(["shop-staging-aws -> shop-production-aws", "shop-staging-do -> shop-production-do"]);
  });

  it("gives CLI-driven workspaces no run trigger, which would hold production's queue against the pipeline's deploy", () => {
    expect(environments.find((e) => e.environment === "production")!.terraformCloud?.promotesFrom).toBe("staging");
    expect(triggers(bootstrap)).toEqual([]);
  });

  it("looks up the named project, which must exist, and puts the workspaces in it", () => {
    const stack = synthStacks(environments, { env: { ...ACME, TF_CLOUD_PROJECT: "Web shop" }, select: ["terraform-cloud-acme"] })["terraform-cloud-acme"];
    expect(stack.resource.tfe_project).toBeUndefined();
    const projects = Object.entries(stack.data.tfe_project as Record<string, Config>);
    expect(projects.map(([, p]) => ({ organization: p.organization, name: p.name }))).toEqual([{ organization: "acme", name: "Web shop" }]);
    for (const workspace of Object.values(resources(stack, "tfe_workspace"))) expect(workspace.project_id).toBe(`\${data.tfe_project.${projects[0][0]}.id}`);
  });

  it("is one per organization and host, Terraform Cloud's host named or not", () => {
    const cloudByName = specWith({ terraformCloud: { hostname: "app.terraform.io" } });
    const names = (specs: EnvironmentSpec[], env: Record<string, string>) => buildApp(specs, { outdir: mkdtempSync(join(tmpdir(), "cloudtiers-tfc-")), env }).node.children.map((c) => c.node.id);
    expect(names([cloudByName, specBeside("qa", 40)], ACME)).toEqual(["dev-aws", "dev-do", "qa-aws", "qa-do", "terraform-cloud-acme"]);
    expect(synthStacks([cloudByName], { env: ACME, select: ["dev-aws"] })["dev-aws"].terraform.cloud).toEqual({ organization: "acme", workspaces: { name: "shop-dev-aws" } });
    const onTfe = (environment: string, hostname: string, block: number) => specBeside(environment, block, { terraformCloud: { hostname } });
    expect(names([specWith(), onTfe("qa", "tfe.a.example.com", 40), onTfe("uat", "tfe.b.example.com", 50)], ACME).filter((n) => n.startsWith("terraform-cloud"))).toEqual([
      "terraform-cloud-acme",
      "terraform-cloud-acme-tfe-a-example-com",
      "terraform-cloud-acme-tfe-b-example-com",
    ]);
  });
});

describe("stack selection", () => {
  const names = (options: BuildOptions) => buildApp(environments, { outdir: mkdtempSync(join(tmpdir(), "cloudtiers-tfc-")), ...options }).node.children.map((c) => c.node.id);

  it("builds every stack when nothing is selected", () => {
    expect(names({ env: {} })).toEqual(["dev-aws", "dev-do", "staging-aws", "staging-do", "production-aws", "production-do"]);
    expect(names({ env: ACME })).toEqual(["dev-aws", "dev-do", "staging-aws", "staging-do", "production-aws", "production-do", "terraform-cloud-acme"]);
  });

  it("builds only the stacks CLOUDTIERS_STACKS names, * matching any run of characters", () => {
    expect(names({ env: { CLOUDTIERS_STACKS: "production-aws" } })).toEqual(["production-aws"]);
    expect(names({ env: { CLOUDTIERS_STACKS: "dev-aws, *-do" } })).toEqual(["dev-aws", "dev-do", "staging-do", "production-do"]);
    expect(names({ env: { ...ACME, CLOUDTIERS_STACKS: "terraform-cloud-*" } })).toEqual(["terraform-cloud-acme"]);
  });

  it("builds every stack when the selection is empty", () => {
    expect(names({ env: { CLOUDTIERS_STACKS: " , " } })).toHaveLength(6);
  });

  it("reads the cdktf context `stacks` when the variable is not set", () => {
    process.env.CDKTF_CONTEXT_JSON = JSON.stringify({ stacks: "staging-*" });
    try {
      expect(names({ env: {} })).toEqual(["staging-aws", "staging-do"]);
      expect(names({ env: { CLOUDTIERS_STACKS: "dev-do" } })).toEqual(["dev-do"]);
      process.env.CDKTF_CONTEXT_JSON = JSON.stringify({ stacks: ["qa-*"] });
      expect(problems(environments, { env: {} })).toEqual([
        '(selection): context stacks "qa-*" matches no stack; the stacks are dev-aws, dev-do, staging-aws, staging-do, production-aws, production-do',
      ]);
    } finally {
      delete process.env.CDKTF_CONTEXT_JSON;
    }
  });

  it("refuses a pattern that matches no stack, listing the stacks there are", () => {
    expect(problems(environments, { env: { CLOUDTIERS_STACKS: "prod-aws,dev-aws" } })).toEqual([
      '(selection): CLOUDTIERS_STACKS "prod-aws" matches no stack; the stacks are dev-aws, dev-do, staging-aws, staging-do, production-aws, production-do',
    ]);
  });

  it("is what `cdktf list` shows: only the selected stacks, the bootstrap stack among them", () => {
    // Every stack without a selection is proved in process above; the CLI takes seconds, so it runs once.
    const outdir = mkdtempSync(join(tmpdir(), "cloudtiers-list-"));
    // A stack an earlier synth left: the CLI removes it after the app exits, which must leave it to the CLI.
    mkdirSync(join(outdir, "stacks", "dev-aws"), { recursive: true });
    writeFileSync(join(outdir, "stacks", "dev-aws", "cdk.tf.json"), "{}");
    const run = spawnSync(process.execPath, [join(root, "node_modules", ".bin", "cdktf"), "list", "--output", outdir], {
      cwd: root,
      env: { ...process.env, CHECKPOINT_DISABLE: "1", ...ACME, CLOUDTIERS_STACKS: "production-*,terraform-cloud-*" },
      encoding: "utf8",
    });
    const left = existsSync(join(outdir, "stacks", "dev-aws"));
    rmSync(outdir, { recursive: true, force: true });
    expect({ status: run.status, stdout: run.status === 0 ? "" : run.stdout }).toEqual({ status: 0, stdout: "" });
    expect(left).toBe(false);
    // The CLI prints each construct warning itself; the app must not print it a second time.
    expect(run.stdout.match(/backupRetentionDays asks for 14/g)).toHaveLength(1);
    // The table after "Stack name  Path": a name, then its path (wrapped on narrow output).
    const table = run.stdout.slice(run.stdout.indexOf("Stack name"));
    expect([...table.matchAll(/^(\S+) +\S*\/stacks\//gm)].map((m) => m[1])).toEqual(["production-aws", "production-do", "terraform-cloud-acme"]);
  });
});
