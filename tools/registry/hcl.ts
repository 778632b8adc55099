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

/** The index of the `}` closing an interpolation whose body starts at `start`. */
function interpolationEnd(text: string, start: number): number {
  let depth = 1;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') i = stringEnd(text, i + 1);
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i;
  }
  throw new Error(`unterminated interpolation in ${text}`);
}

/** The index of the `"` closing a string literal (inside an interpolation) whose body starts at `start`. */
function stringEnd(text: string, start: number): number {
  for (let i = start; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text.startsWith("${", i) || text.startsWith("%{", i)) i = interpolationEnd(text, i + 2);
    else if (text[i] === '"') return i;
  }
  throw new Error(`unterminated string in ${text}`);
}

/**
 * Escapes the quotes of a template's literal text, leaving its interpolations as they are:
 * cdktf writes a string that holds both (a JSON policy with a reference in it) unescaped.
 * Idempotent: escaped quotes and `$${` stay as they are.
 */
export function escapeTemplateQuotes(template: string): string {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === "\\") {
      out += template.slice(i, i + 2);
      i++;
    } else if (template.startsWith("$${", i) || template.startsWith("%%{", i)) {
      out += template.slice(i, i + 3);
      i += 2;
    } else if (template.startsWith("${", i) || template.startsWith("%{", i)) {
      const end = interpolationEnd(template, i + 2);
      out += template.slice(i, end + 1);
      i = end;
    } else {
      out += c === '"' ? '\\"' : c;
    }
  }
  return out;
}

/**
 * Repairs what cdktf's HCL renderer writes wrongly: single-line strings that mix text
 * with quotes and interpolations (left unescaped, which Terraform cannot parse), and
 * quoted references in `provider` and `depends_on` (deprecated). Interpolation-only
 * strings (`"${var.x}"`) are left to `terraform fmt`, which unwraps them.
 */
export function repairCdktfHcl(hcl: string): string {
  return hcl
    .replace(/^(\s*depends_on\s*=\s*\[)([^\]]*)\]/gm, (_, head: string, items: string) => `${head}${items.replace(/"([A-Za-z0-9_.-]+)"/g, "$1")}]`)
    .replace(/^(\s*provider\s*=\s*)"([a-z0-9_-]+(?:\.[a-z0-9_]+)?)"\s*$/gm, "$1$2")
    .replace(/^(\s*(?:[A-Za-z0-9_-]+|"[^"]*")\s*=\s*)"(.*)"(,?)\s*$/gm, (_, head: string, body: string, comma: string) => `${head}"${escapeTemplateQuotes(body)}"${comma}`);
}
