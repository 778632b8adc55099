import { Construct } from "constructs";
import { CloudBackend, LocalBackend, NamedCloudWorkspace, TerraformOutput, TerraformStack } from "cdktf";
import { ValidationError } from "../core";
import { DjangoTopology } from "../django/topology";
import { CloudAdapter } from "./clouds";
import { EnvironmentSpec } from "./spec";
import { RemoteWorkspace, TerraformCloudEnvironment, remoteWorkspace } from "./terraform-cloud";
import { validateEnvironment } from "./validate";

/** `<environment>-<cloud>`, e.g. `production-aws`. */
export function stackName(spec: EnvironmentSpec, cloud: CloudAdapter): string {
  return `${spec.environment}-${cloud.id}`;
}

/**
 * The local state file of a stack, relative to the directory Terraform runs in
 * (`cdktf.out/stacks/<stack>`): the project root, the same on every machine.
 */
export function localStatePath(name: string): string {
  return `../../../terraform.${name}.tfstate`;
}

/**
 * One environment on one cloud: the cloud's providers and factory, the backend, the
 * Django topology and the stack outputs the application needs.
 */
export class CloudTiersStack extends TerraformStack {
  public readonly topology: DjangoTopology;
  public readonly spec: EnvironmentSpec;
  public readonly cloud: CloudAdapter;
  /** The Terraform Cloud workspace holding the stack's state, if it is not local. */
  public readonly workspace?: RemoteWorkspace;

  /**
   * cdktf resolves every token of a stack twice per synth: a preparing pass, which exists
   * to create cross-stack references, then the real one. These stacks never reference one
   * another (each environment × cloud stands alone; a test proves the output is the same
   * either way), so the preparing pass is skipped; it was about a third of synth time.
   */
  public override prepareStack(): void {
    this.ensureBackendExists();
  }

  /** `env`: where Terraform Cloud settings the spec leaves out come from. */
  constructor(scope: Construct, spec: EnvironmentSpec, cloud: CloudAdapter, env: TerraformCloudEnvironment = process.env) {
    const name = stackName(spec, cloud);
    super(scope, name);
    this.spec = spec;
    this.cloud = cloud;
    const issues = validateEnvironment(spec, env);
    if (issues.length > 0) throw new ValidationError(issues);

    this.workspace = remoteWorkspace(spec, cloud.id, env);
    if (this.workspace) {
      // The token comes from `terraform login` or TF_TOKEN_<host>, never from here.
      new CloudBackend(this, {
        organization: this.workspace.organization,
        hostname: this.workspace.hostname,
        workspaces: new NamedCloudWorkspace(this.workspace.name, this.workspace.project),
      });
    } else {
      new LocalBackend(this, { path: localStatePath(name) });
    }
    const factory = cloud.configure(this, spec);
    this.topology = new DjangoTopology(this, "django", { factory, spec });
    for (const output of this.topology.outputs()) {
      new TerraformOutput(this, output.name, {
        value: output.value,
        description: output.description,
        sensitive: output.sensitive,
        staticId: true,
      });
    }
  }
}
