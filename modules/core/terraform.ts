/**
 * Escapes literal text for a Terraform string, so that `${` and `%{` in it stay text
 * instead of starting an interpolation or directive. Never pass Terraform tokens here.
 */
export function terraformLiteral(text: string): string {
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}
