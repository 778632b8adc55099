import { Construct } from "constructs";
import { LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import { ValidationError } from "../core";
import { DjangoTopology } from "../django/topology";
import { CloudAdapter } from "./clouds";
import { EnvironmentSpec } from "./spec";
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

  /**
   * cdktf resolves every token of a stack twice per synth: a preparing pass, which exists
   * to create cross-stack references, then the real one. These stacks never reference one
   * another (each environment × cloud stands alone; a test proves the output is the same
   * either way), so the preparing pass is skipped; it was about a third of synth time.
   */
  public override prepareStack(): void {
    this.ensureBackendExists();
  }

  constructor(scope: Construct, spec: EnvironmentSpec, cloud: CloudAdapter) {
    const name = stackName(spec, cloud);
    super(scope, name);
    this.spec = spec;
    this.cloud = cloud;
    const issues = validateEnvironment(spec);
    if (issues.length > 0) throw new ValidationError(issues);

    new LocalBackend(this, { path: localStatePath(name) });
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
