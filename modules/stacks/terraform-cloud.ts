import { Construct } from "constructs";
import { LocalBackend, TerraformStack, TerraformVariable } from "cdktf";
import { DataTfeProject } from "@cdktf/provider-tfe/lib/data-tfe-project";
import { TfeProvider } from "@cdktf/provider-tfe/lib/provider";
import { RunTrigger } from "@cdktf/provider-tfe/lib/run-trigger";
import { Variable } from "@cdktf/provider-tfe/lib/variable";
import { VariableSet } from "@cdktf/provider-tfe/lib/variable-set";
import { Workspace, WorkspaceConfig } from "@cdktf/provider-tfe/lib/workspace";
import { WorkspaceSettings } from "@cdktf/provider-tfe/lib/workspace-settings";
import { WorkspaceVariableSet } from "@cdktf/provider-tfe/lib/workspace-variable-set";
import { RequiredTerraformVersion, literalSpec, terraformSpecText } from "../core";
import { EnvironmentSpec, TerraformCloudVcs } from "./spec";

/** The Terraform version remote runs use unless the spec says otherwise. */
export const DEFAULT_TERRAFORM_VERSION = "1.11.4";

/** Terraform Cloud's own host: a backend or provider without a hostname uses it. */
export const TERRAFORM_CLOUD_HOST = "app.terraform.io";

/** Where one stack's state and runs live in Terraform Cloud. */
export interface RemoteWorkspace {
  readonly organization: string;
  /** Terraform Enterprise's host; `undefined` for Terraform Cloud (app.terraform.io). */
  readonly hostname?: string;
  readonly project?: string;
  readonly name: string;
}

/**
 * The environment variables Terraform Cloud settings fall back to: Terraform's own
 * `TF_CLOUD_ORGANIZATION`, `TF_CLOUD_HOSTNAME` and `TF_CLOUD_PROJECT` (and
 * `TFC_ORGANIZATION`, the name the design document uses, when the first is unset).
 */
export type TerraformCloudEnvironment = Readonly<Record<string, string | undefined>>;

/** The organization a spec's stacks would use, from the spec or the environment. */
export function organizationOf(spec: EnvironmentSpec, env: TerraformCloudEnvironment): string | undefined {
  return spec.terraformCloud?.organization ?? (env.TF_CLOUD_ORGANIZATION || env.TFC_ORGANIZATION || undefined);
}

/** The Terraform Enterprise host a spec's stacks would use; `undefined` for Terraform Cloud. */
export function hostnameOf(spec: EnvironmentSpec, env: TerraformCloudEnvironment): string | undefined {
  const hostname = spec.terraformCloud?.hostname ?? (env.TF_CLOUD_HOSTNAME || undefined);
  return hostname === TERRAFORM_CLOUD_HOST ? undefined : hostname;
}

/** The project a spec's workspaces belong to, if one is named. */
export function projectOf(spec: EnvironmentSpec, env: TerraformCloudEnvironment): string | undefined {
  return spec.terraformCloud?.project ?? (env.TF_CLOUD_PROJECT || undefined);
}

/** The prefix of the spec's workspace names: `terraformCloud.workspacePrefix`, else the application's name. */
export function workspacePrefix(spec: EnvironmentSpec): string {
  return spec.terraformCloud?.workspacePrefix ?? spec.application.name;
}

/** `<prefix>-<environment>-<cloud>`. */
export function workspaceName(spec: EnvironmentSpec, cloudId: string): string {
  return `${workspacePrefix(spec)}-${spec.environment}-${cloudId}`;
}

/** The workspace of a stack, or `undefined` when its state is local. */
export function remoteWorkspace(spec: EnvironmentSpec, cloudId: string, env: TerraformCloudEnvironment): RemoteWorkspace | undefined {
  const organization = organizationOf(spec, env);
  const backend = spec.backend ?? (organization ? "terraform-cloud" : "local");
  if (backend === "local" || !organization) return undefined;
  return { organization, hostname: hostnameOf(spec, env), project: projectOf(spec, env), name: workspaceName(spec, cloudId) };
}

/**
 * The local state file of a stack, relative to the directory Terraform runs in
 * (`cdktf.out/stacks/<stack>`): the project root, the same on every machine.
 */
export function localStatePath(name: string): string {
  return `../../../terraform.${name}.tfstate`;
}

/**
 * Where a stack's state lives, in words: `Terraform Cloud <organization>/<workspace>`
 * (`Terraform Enterprise <host> ...` on another host), or `local <file>` at the project root.
 */
export function describeBackend(stack: string, workspace: RemoteWorkspace | undefined): string {
  if (!workspace) return `local ${localStatePath(stack).replace(/^(\.\.\/)+/, "")}`;
  return `${workspace.hostname ? `Terraform Enterprise ${workspace.hostname}` : "Terraform Cloud"} ${workspace.organization}/${workspace.name}`;
}

/** One stack the bootstrap makes a workspace for. */
export interface BootstrapMember {
  readonly spec: EnvironmentSpec;
  readonly cloudId: string;
  readonly stack: string;
  readonly workspace: RemoteWorkspace;
  /** The environment variables holding the cloud's credentials. */
  readonly credentials: readonly string[];
}

function id(text: string): string {
  return text.replace(/[^a-zA-Z0-9]+/g, "-").toLowerCase();
}

/**
 * Creates, in one organization, every workspace the stacks use: remote execution, the
 * Terraform version, auto-apply and destroy plans off in production, no run queued by
 * creation alone, and for VCS-driven environments the repository and the stack's working
 * directory; one variable set per application and cloud holding the cloud's credentials
 * as sensitive environment variables, attached to that cloud's workspaces; and, for
 * VCS-driven workspaces, run triggers from the environment each one promotes from.
 * Credential values are sensitive input variables (`TF_VAR_<name>` at apply time): never
 * in code or synthesised output, but in this stack's state, as with any `tfe_variable`.
 * Its own state is local; the token comes from `TFE_TOKEN` or `terraform login`.
 */
export class TerraformCloudBootstrapStack extends TerraformStack {
  public readonly workspaces = new Map<string, Workspace>();

  /** The document, with the specs' text as written (see `literalSpec`). */
  public override toTerraform(): Record<string, unknown> {
    return terraformSpecText(super.toTerraform());
  }

  constructor(scope: Construct, name: string, given: readonly BootstrapMember[]) {
    super(scope, name);
    const members = given.map((m) => ({ ...m, spec: literalSpec(m.spec) }));
    const { organization, hostname } = members[0].workspace;
    new LocalBackend(this, { path: localStatePath(name) });
    new RequiredTerraformVersion(this);
    new TfeProvider(this, "tfe", { hostname });

    // Projects are looked up, not created: they usually carry team access managed elsewhere.
    const projects = new Map<string, DataTfeProject>();
    [...new Set(members.map((m) => m.workspace.project).filter((p): p is string => !!p))].sort().forEach((projectName, i) => {
      projects.set(projectName, new DataTfeProject(this, `project-${i + 1}`, { organization, name: projectName }));
    });

    for (const m of members) {
      const tfc = m.spec.terraformCloud;
      const production = m.spec.production ?? true;
      const workspace = new Workspace(this, `workspace-${m.stack}`, {
        organization,
        name: m.workspace.name,
        description: `${m.stack}: managed by cloudtiers`,
        projectId: m.workspace.project ? projects.get(m.workspace.project)!.id : undefined,
        terraformVersion: tfc?.terraformVersion ?? DEFAULT_TERRAFORM_VERSION,
        allowDestroyPlan: !production,
        queueAllRuns: false,
        ...(tfc?.vcs ? vcsSettings(tfc.vcs, m.stack) : {}),
        // The workspace holds the stack's state: losing it orphans every resource.
        lifecycle: production ? { preventDestroy: true } : undefined,
      });
      // Execution mode, auto-apply and tags belong to the settings resource alone: set on
      // both, the two fight over them.
      new WorkspaceSettings(this, `settings-${m.stack}`, {
        workspaceId: workspace.id,
        executionMode: "remote",
        autoApply: !production,
        tags: { environment: m.spec.environment, cloud: m.cloudId },
      });
      this.workspaces.set(m.stack, workspace);
    }

    const inputs = new Map<string, TerraformVariable>();
    const input = (key: string) => {
      const variable =
        inputs.get(key) ??
        new TerraformVariable(this, key.toLowerCase(), {
          type: "string",
          sensitive: true,
          nullable: false,
          description: `${key} of the workspaces that use it; set TF_VAR_${key.toLowerCase()} when applying`,
        });
      inputs.set(key, variable);
      return variable;
    };

    // One variable set per application (workspace prefix) and cloud: names are unique in
    // an organization, which other applications may share.
    const groups = new Map<string, BootstrapMember[]>();
    for (const m of members) {
      const setName = `${workspacePrefix(m.spec)}-${m.cloudId}-credentials`;
      groups.set(setName, [...(groups.get(setName) ?? []), m]);
    }
    for (const [setName, inSet] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
      const set = new VariableSet(this, setName, {
        organization,
        name: setName,
        description: `Credentials of the ${inSet.map((m) => m.stack).join(", ")} workspaces, written by the cloudtiers bootstrap stack from TF_VAR_* at apply time`,
      });
      for (const key of inSet[0].credentials) {
        // `value`, not the write-only `value_wo`: tfe 0.71 (the prebuilt bindings' version)
        // writes variable set variables given through `value_wo` empty (terraform-provider-tfe#1718).
        new Variable(this, `${setName}-${id(key)}`, {
          variableSetId: set.id,
          key,
          value: input(key).stringValue,
          category: "env",
          sensitive: true,
          description: "Set by the cloudtiers bootstrap stack",
        });
      }
      for (const m of inSet) new WorkspaceVariableSet(this, `attach-${setName}-${m.stack}`, { variableSetId: set.id, workspaceId: this.workspaces.get(m.stack)!.id });
    }

    // Only VCS-driven workspaces get run triggers: a CLI-driven workspace's triggered run
    // would plan its previous upload and, awaiting confirmation in production, hold the
    // queue against the pipeline's own `cdktf deploy`, which orders CLI-driven runs instead.
    for (const m of members.filter((m) => m.spec.terraformCloud?.vcs)) {
      const from = m.spec.terraformCloud?.promotesFrom;
      const source = members.find((s) => s.spec.environment === from && s.cloudId === m.cloudId);
      if (!source) continue;
      new RunTrigger(this, `promote-${source.stack}-to-${m.stack}`, {
        workspaceId: this.workspaces.get(m.stack)!.id,
        sourceableId: this.workspaces.get(source.stack)!.id,
      });
    }
  }
}

/** A VCS-driven workspace: the repository, and the stack's directory in the committed `cdktf.out`. */
function vcsSettings(vcs: TerraformCloudVcs, stack: string): Pick<WorkspaceConfig, "vcsRepo" | "workingDirectory" | "triggerPatterns"> {
  const workingDirectory = `cdktf.out/stacks/${stack}`;
  return {
    workingDirectory,
    triggerPatterns: [`${workingDirectory}/**/*`],
    vcsRepo: {
      identifier: vcs.repository,
      branch: vcs.branch,
      oauthTokenId: vcs.oauthTokenId,
      githubAppInstallationId: vcs.githubAppInstallationId,
    },
  };
}
