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
