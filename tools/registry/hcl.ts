/** A JavaScript value as an HCL expression: strings quoted (with `${` and `%{` kept literal), lists, objects. */
export function hclValue(value: unknown, indent = ""): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return JSON.stringify(value).replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => `${inner}${hclValue(v, inner)},`).join("\n")}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([k, v]) => `${inner}${/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : JSON.stringify(k)} = ${hclValue(v, inner)}`).join("\n")}\n${indent}}`;
}

/**
 * Repairs what cdktf's HCL renderer writes in a way Terraform only accepts with a
 * deprecation warning: quoted provider references (`provider = "aws.us_east_1"`).
 * Interpolation-only strings (`"${var.x}"`) are left to `terraform fmt`, which unwraps them.
 */
export function repairCdktfHcl(hcl: string): string {
  return hcl.replace(/^(\s*provider\s*=\s*)"([a-z0-9_-]+(?:\.[a-z0-9_]+)?)"\s*$/gm, "$1$2");
}
