import { Construct } from "constructs";
import { TerraformStack } from "cdktf";
// cdktf's own naming of logical ids (TerraformStack.allocateLogicalId), which it does not export from its index.
import { makeUniqueId } from "cdktf/lib/private/unique";
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
