import { Construct } from "constructs";
import { TerraformElement, TerraformStack } from "cdktf";
// cdktf's own naming of logical ids (TerraformStack.allocateLogicalId), which it does not export from its index.
import { makeUniqueId } from "cdktf/lib/private/unique";
/**
 * The Terraform versions every stack and Terraform module works with: cdktf writes its
 * `moved` blocks (`moveFromId`) and `import` blocks for Terraform 1.5 and refuses older, and
 * the modules' validation blocks and optional attributes need it too. It is each stack's and
 * module's `required_version`, so the Terraform that plans (a workstation's, a CI runner's or a
 * Terraform Cloud workspace's) refuses to run an older self, naming both versions.
 */
export const REQUIRED_TERRAFORM = ">= 1.5.0";

/** The lowest version `REQUIRED_TERRAFORM` allows, as [major, minor, patch]. */
export const LOWEST_TERRAFORM = lowestOf(REQUIRED_TERRAFORM);

function lowestOf(constraint: string): readonly [number, number, number] {
  const parts = /^>=\s*(\d+)\.(\d+)(?:\.(\d+))?$/.exec(constraint);
  if (!parts) throw new Error(`REQUIRED_TERRAFORM must be ">= X.Y[.Z]", got "${constraint}"`);
  return [Number(parts[1]), Number(parts[2]), Number(parts[3] ?? 0)];
}

/** Writes `terraform { required_version = REQUIRED_TERRAFORM }` into its stack. */
export class RequiredTerraformVersion extends TerraformElement {
  constructor(scope: Construct) {
    super(scope, "required-terraform-version");
  }

  public override toTerraform(): Record<string, unknown> {
    return { terraform: { required_version: REQUIRED_TERRAFORM } };
  }
}

/**
 * Escapes literal text for a Terraform string, so that `${` and `%{` in it stay text
 * instead of starting an interpolation or directive. Never pass Terraform tokens here.
 */
export function terraformLiteral(text: string): string {
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/**
 * Escapes the literal parts of a string for Terraform while leaving the cdktf tokens
 * embedded in it (`${TfToken[...]}`) to be resolved: for documents such as user data that
 * mix rendered text with references to other resources.
 */
export function terraformTemplate(text: string): string {
  return text.replace(/\$\{(?!TfToken\[)/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/**
 * The Terraform address a resource of `type` would have at `id` under `scope` (cdktf's
 * hashed logical id of its construct path), for a `moved` block from a resource the
 * composition no longer makes there.
 */
export function addressAt(scope: Construct, id: string, type: string): string {
  const stack = TerraformStack.of(scope);
  const scopes = scope.node.scopes;
  const components = [...scopes.slice(scopes.indexOf(stack) + 1).map((c) => c.node.id), id];
  return `${type}.${makeUniqueId(components)}`;
}
