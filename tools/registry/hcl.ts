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
 * `precondition = [{ condition = ..., error_message = ... }]`, as cdktf writes a
 * lifecycle's conditions, as the blocks Terraform reads.
 */
function conditionBlocks(hcl: string): string {
  return hcl.replace(/^([ \t]*)(precondition|postcondition) = \[\n((?:[ \t]*\{\n[\s\S]*?\n[ \t]*\},?\n)*)[ \t]*\]/gm, (_, indent: string, kind: string, items: string) =>
    [...items.matchAll(/\{\n([\s\S]*?)\n[ \t]*\},?/g)].map((item) => `${indent}${kind} {\n${item[1]}\n${indent}}`).join("\n"),
  );
}

/** `providers = { aws = "aws.us_east_1" }` of a module call, as the references Terraform reads. */
function providerReferences(hcl: string): string {
  return hcl.replace(/^([ \t]*)providers = \{\n([\s\S]*?)\n\1\}/gm, (block: string, _indent: string, items: string) =>
    block.replace(items, items.replace(/^(\s*[a-z0-9_]+(?:\.[a-z0-9_]+)?\s*=\s*)"([a-z0-9_]+(?:\.[a-z0-9_]+)?)"(,?)$/gm, "$1$2$3")),
  );
}

/**
 * A value that is one interpolation and nothing else (`"${module.web.id}"`, which HCL
 * evaluates to the interpolated value itself, not converted to text) as the bare
 * expression: `terraform fmt` unwraps an attribute's, not a list item's or a local's.
 */
function unwrapInterpolations(hcl: string): string {
  return hcl.replace(/^(\s*(?:(?:[A-Za-z0-9_-]+|"[^"]*")\s*=\s*)?)"\$\{(.*)\}"(,?)$/gm, (line: string, head: string, body: string, comma: string) => {
    try {
      return interpolationEnd(`${body}}`, 0) === body.length ? `${head}${body}${comma}` : line;
    } catch {
      return line;
    }
  });
}

/**
 * Repairs what cdktf's HCL renderer writes wrongly: single-line strings that mix text
 * with quotes and interpolations (left unescaped, which Terraform cannot parse), and
 * quoted references in `provider`, `depends_on` and `ignore_changes` (deprecated; an output's are interpolations, which Terraform refuses there), and lifecycle
 * conditions written as a list (Terraform reads only blocks); quoted provider
 * references in a module call's `providers`; and values that are one interpolation only.
 */
export function repairCdktfHcl(hcl: string): string {
  return unwrapInterpolations(providerReferences(conditionBlocks(hcl)))
    .replace(/^(\s*(?:depends_on|ignore_changes)\s*=\s*\[)([^\]]*)\]/gm, (_, head: string, items: string) => `${head}${items.replace(/"(?:\$\{)?([A-Za-z0-9_.-]+)\}?"/g, "$1")}]`)
    .replace(/^(\s*provider\s*=\s*)"([a-z0-9_-]+(?:\.[a-z0-9_]+)?)"\s*$/gm, "$1$2")
    .replace(/^(\s*(?:[A-Za-z0-9_-]+|"[^"]*")\s*=\s*)"(.*)"(,?)\s*$/gm, (_, head: string, body: string, comma: string) => `${head}"${escapeTemplateQuotes(body)}"${comma}`);
}

/**
 * Providers built on the Terraform Plugin Framework whose resources have nested attributes
 * only, no blocks (Cloudflare v5: `origins = [{ ... }]`, `header = { Host = [...] }`).
 * Their cdktf bindings mark those attributes as blocks, and cdktf's HCL renderer writes a
 * map of lists as objects of indexes; JSON, which the stacks synthesise, does not tell
 * the two apart, HCL does.
 */
export const NESTED_ATTRIBUTE_PROVIDERS: readonly string[] = ["cloudflare"];

/** cdktf's rendering metadata (`{ value, isBlock, type, storageClassType }`) stripped to the plain value, tokens left as they are. */
function plainValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainValue);
  if (value === null || typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const record = value as Record<string, unknown>;
  if ("value" in record && "type" in record) return plainValue(record.value);
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, plainValue(v)]));
}

type HclFragment = Record<string, Record<string, Record<string, Record<string, unknown>>> | undefined>;

/**
 * A resource's or data source's `toHclTerraform()` with its blocks and maps as plain
 * values, which cdktf's renderer writes as attributes (`name = [{ ... }]`, `name = { ... }`).
 */
export function nestedAsAttributes(fragment: HclFragment): HclFragment {
  for (const kind of ["resource", "data"]) {
    for (const byName of Object.values(fragment[kind] ?? {})) {
      for (const attributes of Object.values(byName)) {
        for (const [name, meta] of Object.entries(attributes)) {
          const m = meta as { isBlock?: boolean; type?: string } | undefined;
          if (name !== "lifecycle" && m && typeof m === "object" && (m.isBlock || m.type === "map")) attributes[name] = plainValue(m);
        }
      }
    }
  }
  return fragment;
}
