/**
 * The environments reference, docs/environments.md: every field of `EnvironmentSpec` and of
 * the interfaces it uses, read with the TypeScript compiler from their doc comments (the
 * description, `@default`, `@see`), their types (a union of string literals lists the
 * values allowed) and whether they are optional. `npm run docs:environments` writes it; a
 * test holds the file to what this returns and every field to having a doc comment.
 *
 * Only `npm run docs:environments` and its test load this file (and with it `typescript`):
 * nothing on the synth path does.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, posix, relative } from "node:path";
import * as ts from "typescript";

/** The repository's root. */
export const ROOT = join(__dirname, "..", "..");
/** The generated reference, from the repository's root. */
export const ENVIRONMENTS_DOC = "docs/environments.md";
/** The command that writes it. */
export const ENVIRONMENTS_DOC_COMMAND = "npm run docs:environments";
/** The file that declares `EnvironmentSpec`; the program holds it and the repository files it imports, nothing else. */
const SPEC_FILE = "modules/stacks/spec.ts";
const SPEC_INTERFACE = "EnvironmentSpec";

/** One field, as the reference shows it. */
export interface FieldDoc {
  /** As a user writes it: `postgres.replicas`, `aws.secrets.<NAME>.arn`. */
  readonly path: string;
  readonly required: boolean;
  /** Markdown: `string`, one of the literals, a link to the field's own section. */
  readonly type: string;
  /** Markdown, from `@default`: a value in code, or prose where the tag starts with `- `. */
  readonly default?: string;
  readonly description: string;
  /** `@see` targets: a repository path as written (`docs/secrets.md#private-images`) and the title of the heading it leads to. */
  readonly see: readonly { readonly target: string; readonly title: string }[];
  /** Where the field is declared: `PostgresSpec.replicas (modules/django/spec.ts)`. */
  readonly declaredAt: string;
}

/** One object of the spec: the top level, a nested object, the entries of a map or a list. */
export interface SectionDoc {
  /** `""` for the top level, else the object's path: `postgres`, `application.secrets.<NAME>`, `policy.suppress[]`. */
  readonly path: string;
  /** The interface's name, when it has one. */
  readonly interfaceName?: string;
  /** Whether the object is required, optional, or each entry of a map or item of a list. */
  readonly presence: "required" | "optional" | "entry" | "item";
  /** The interface's doc comment, after the field's where the interface is used at more than one path (`PoolSpec`); else the field's. */
  readonly intro: string;
  readonly fields: FieldDoc[];
}

/** The reference, and what is missing from the doc comments it is read from. */
export interface EnvironmentsReference {
  readonly sections: readonly SectionDoc[];
  /** Each names the field and where it is declared: a missing description, an optional field without `@default`, an `@see` that leads nowhere. */
  readonly problems: readonly string[];
}

/**
 * A program of the spec file and the repository files it imports. Packages (`cdktf`,
 * `constructs`) are left unresolved and only ES5's library is loaded: the spec's types
 * need neither, and the program takes under a second here instead of two.
 */
function specProgram(root: string): ts.Program {
  const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, strict: true, noEmit: true, types: [], lib: ["lib.es5.d.ts"] };
  const host = ts.createCompilerHost(options);
  host.resolveModuleNameLiterals = (literals, containing, _redirected, opts) =>
    literals.map((l) => (l.text.startsWith(".") ? ts.resolveModuleName(l.text, containing, opts, host) : { resolvedModule: undefined }));
  return ts.createProgram({ rootNames: [join(root, SPEC_FILE)], options, host });
}

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\- ]/gu, "")
    .replace(/ /g, "-");
}

/** A section's heading text. */
function headingOf(section: Pick<SectionDoc, "path">): string {
  return section.path === "" ? "The top level" : `\`${section.path}\``;
}

/** Whitespace (newlines of a wrapped comment) as single spaces. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** Reads the reference from the doc comments under `root`. */
export function readEnvironmentsReference(root: string = ROOT): EnvironmentsReference {
  const program = specProgram(root);
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(join(root, SPEC_FILE));
  const declaration = file?.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === SPEC_INTERFACE);
  if (!declaration) throw new Error(`${SPEC_FILE} declares no interface ${SPEC_INTERFACE}`);
  const sections: (Omit<SectionDoc, "intro"> & { interfaceDoc: string; fieldDoc: string })[] = [];
  const problems: string[] = [];
  const docOf = (symbol: ts.Symbol | undefined) => (symbol ? ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim() : "");
  const where = (node: ts.Node | undefined) => (node ? relative(root, node.getSourceFile().fileName).split("\\").join("/") : "(unknown file)");

  /** An interface's properties, its bases' first (in declaration order), then its own. */
  const propertiesOf = (type: ts.Type): ts.Symbol[] => {
    const bases = type.isClassOrInterface() ? (checker.getBaseTypes(type) ?? []) : [];
    const inherited = bases.flatMap(propertiesOf);
    const names = new Set(inherited.map((p) => p.name));
    return [...inherited, ...checker.getPropertiesOfType(type).filter((p) => !names.has(p.name))];
  };

  /** Whether an object type is a map over literal keys (`Partial<Record<Size, string>>`): its properties have no declaration of their own. */
  const literalKeyed = (type: ts.Type) => {
    const props = checker.getPropertiesOfType(type);
    return props.length > 0 && props.every((p) => !p.declarations?.some((d) => ts.isPropertySignature(d) || ts.isPropertyDeclaration(d)));
  };

  /** The type as Markdown; an object type becomes a section of its own (queued on `later`). */
  const describe = (type: ts.Type, path: string, fieldDoc: string, later: (() => void)[], presence: SectionDoc["presence"]): string => {
    if (type.flags & ts.TypeFlags.BooleanLike) return "boolean";
    if (type.flags & ts.TypeFlags.String) return "string";
    if (type.flags & ts.TypeFlags.Number) return "number";
    if (type.isStringLiteral()) return `\`"${type.value}"\``;
    if (type.isUnion() && type.types.every((t) => t.isStringLiteral())) return `one of ${type.types.map((t) => `\`"${(t as ts.StringLiteralType).value}"\``).join(", ")}`;
    if (checker.isArrayType(type)) {
      const element = checker.getTypeArguments(type as ts.TypeReference)[0];
      const inner = describe(element, `${path}[]`, fieldDoc, later, "item");
      return `list of ${inner === "string" || inner === "number" ? `${inner}s` : inner}`;
    }
    if (type.flags & ts.TypeFlags.Object) {
      const index = checker.getIndexInfosOfType(type).find((i) => i.keyType.flags & ts.TypeFlags.String);
      if (index) return `map of name to ${describe(index.type, `${path}.<NAME>`, fieldDoc, later, "entry")}`;
      if (literalKeyed(type)) {
        const props = checker.getPropertiesOfType(type);
        const value = describe(checker.getNonNullableType(checker.getTypeOfSymbol(props[0])), `${path}.<key>`, fieldDoc, later, "entry");
        return `map of ${props.map((p) => `\`${p.name}\``).join(", ")} to ${value}`;
      }
      const named = type.symbol && type.symbol.name !== "__type" ? type.symbol.name : undefined;
      later.push(() => visit(type, path, presence, docOf(type.symbol), fieldDoc, named));
      return `[${named ? `\`${named}\`` : "object"}](#${anchorOf(headingOf({ path }))})`;
    }
    throw new Error(`${path}: the reference cannot show the type ${checker.typeToString(type)}`);
  };

  /** One section, then the sections of its object fields, depth first. */
  const visit = (type: ts.Type, path: string, presence: SectionDoc["presence"], interfaceDoc: string, fieldDoc: string, interfaceName?: string) => {
    const fields: FieldDoc[] = [];
    sections.push({ path, interfaceName, presence, interfaceDoc, fieldDoc, fields });
    const later: (() => void)[] = [];
    for (const prop of propertiesOf(type)) {
      const fieldPath = path === "" ? prop.name : `${path}.${prop.name}`;
      const node = prop.valueDeclaration ?? prop.declarations?.[0];
      const declaredAt = `${ownerOf(node, prop.name)} (${where(node)})`;
      const required = (prop.flags & ts.SymbolFlags.Optional) === 0;
      const description = docOf(prop);
      const tags = prop.getJsDocTags(checker);
      const text = (tag: ts.JSDocTagInfo) => oneLine(ts.displayPartsToString(tag.text));
      const defaultTag = tags.find((t) => t.name === "default");
      const see: FieldDoc["see"][number][] = [];
      const type = describe(checker.getNonNullableType(checker.getTypeOfSymbol(prop)), fieldPath, description, later, required ? "required" : "optional");
      if (description === "") problems.push(`${fieldPath} has no doc comment: describe ${declaredAt}`);
      if (!required && defaultTag === undefined) problems.push(`${fieldPath} is optional, but its doc comment has no @default saying what leaving it out does: ${declaredAt}`);
      for (const target of node ? seeTargets(node) : []) {
        const title = seeTitle(root, target);
        if (title === undefined) problems.push(`${fieldPath}: @see ${target} ${seeProblem(root, target)}: ${declaredAt}`);
        else see.push({ target, title });
      }
      fields.push({ path: fieldPath, required, type, default: defaultTag && defaultOf(text(defaultTag)), description, see, declaredAt });
    }
    for (const next of later) next();
  };

  visit(checker.getTypeAtLocation(declaration), "", "required", docOf(checker.getSymbolAtLocation(declaration.name)), "", SPEC_INTERFACE);
  const reused = (name: string | undefined) => sections.filter((s) => name !== undefined && s.interfaceName === name).length > 1;
  return {
    sections: sections.map(({ interfaceDoc, fieldDoc, ...section }) => ({
      ...section,
      intro: reused(section.interfaceName) ? `${fieldDoc}\n\n${interfaceDoc}`.trim() : interfaceDoc || fieldDoc,
    })),
    problems,
  };
}

/**
 * A declaration's `@see` targets as written. TypeScript reads an `@see` as naming a symbol
 * (`docs` of `docs/secrets.md`), so the first word of the source text after the tag is taken instead.
 */
function seeTargets(node: ts.Node): string[] {
  const text = node.getSourceFile().text;
  return ts
    .getJSDocTags(node)
    .filter(ts.isJSDocSeeTag)
    .map((tag) => /^\s*([^\s*]*)/.exec(text.slice(tag.tagName.end, tag.end))![1]);
}

/** `@default` as Markdown: `- prose` is prose; anything else is a value, shown as code unless it already has some. */
function defaultOf(tag: string): string {
  if (tag.startsWith("- ")) return tag.slice(2);
  return tag.includes("`") ? tag : `\`${tag}\``;
}

/** A property's name with the interface (and inline objects) it is declared in: `DjangoTopologyProps.network.cidr`. */
function ownerOf(node: ts.Node | undefined, name: string): string {
  const names = [name];
  for (let at = node?.parent; at; at = at.parent) {
    if (ts.isInterfaceDeclaration(at)) return [at.name.text, ...names].join(".");
    if (ts.isPropertySignature(at)) names.unshift(at.name.getText());
  }
  return names.join(".");
}

/** The headings of a Markdown file of the repository, by anchor, or undefined when there is no such file. */
function headingsOf(root: string, file: string): Map<string, string> | undefined {
  if (!/^[\w./-]+\.md$/.test(file) || !existsSync(join(root, file))) return undefined;
  const headings = [...readFileSync(join(root, file), "utf8").matchAll(/^(#{1,6}) (.+)$/gm)];
  // The first heading of an anchor wins; the page's title (its first-level heading) answers a target without one.
  return new Map(headings.map((m): [string, string] => [m[1] === "#" ? "" : anchorOf(m[2]), m[2].replace(/`/g, "")]).reverse());
}

/** The title an `@see` target leads to: the heading of its `#anchor`, else the page's title; undefined when it leads nowhere. */
function seeTitle(root: string, target: string): string | undefined {
  const [file, anchor = ""] = target.split("#");
  return headingsOf(root, file)?.get(anchor);
}

/** Why an `@see` target leads nowhere. */
function seeProblem(root: string, target: string): string {
  const [file, anchor] = target.split("#");
  if (!/^[\w./-]+\.md$/.test(file)) return "is not a Markdown file of the repository (write `@see docs/<page>.md#<anchor>`)";
  if (headingsOf(root, file) === undefined) return "names no file";
  return anchor === undefined ? `has no title (a first-level heading)` : `names no heading of ${file}`;
}

/** An `@see` target as a link from docs/environments.md, named by the heading it leads to. */
function seeLink({ target, title }: FieldDoc["see"][number]): string {
  const [file, anchor] = target.split("#");
  return `[${title}](${posix.relative(posix.dirname(ENVIRONMENTS_DOC), file)}${anchor ? `#${anchor}` : ""})`;
}

/** A table cell: one line, pipes escaped. */
function cell(text: string): string {
  return oneLine(text).replace(/\|/g, "\\|");
}

/** docs/environments.md, from the reference. */
export function renderEnvironmentsReference(reference: EnvironmentsReference): string {
  const anchors = reference.sections.map((s) => anchorOf(headingOf(s)));
  const clash = anchors.find((a, i) => anchors.indexOf(a) !== i);
  if (clash !== undefined) throw new Error(`two sections of the environments reference share the anchor #${clash}`);
  const fields = reference.sections.reduce((n, s) => n + s.fields.length, 0);
  const lines = [
    "# Environments reference",
    "",
    `<!-- Generated by \`${ENVIRONMENTS_DOC_COMMAND}\` from the doc comments of EnvironmentSpec and the interfaces it uses: edit those, then run it. -->`,
    "",
    `Every field of an environment spec (\`EnvironmentSpec\`, in \`${SPEC_FILE}\`), ${fields} in all, one`,
    "section per object. Paths are written as validation errors name them (`postgres.replicas`);",
    "`<NAME>` stands for a key of your choosing and `[]` for each item of a list. A required",
    "field inside an optional object is required when that object is given. Validation adds",
    "ranges and formats to these types, and names the field, the bad value and what is allowed;",
    "the README shows a [minimal spec](../README.md#environments).",
    "",
    ...reference.sections.map((s, i) => `- [${headingOf(s)}](#${anchors[i]})`),
  ];
  for (const section of reference.sections) {
    const presence = { required: "Required", optional: "Optional", entry: "Each entry", item: "Each item" }[section.presence];
    const name = section.interfaceName ? ` (\`${section.interfaceName}\`)` : "";
    lines.push("", `## ${headingOf(section)}`, "", `${presence}${name}. ${section.intro}`.trimEnd(), "");
    lines.push("| field | type | required | default | description |", "|---|---|---|---|---|");
    for (const f of section.fields) {
      const see = f.see.length > 0 ? ` See ${f.see.map(seeLink).join(", ")}.` : "";
      lines.push(`| \`${f.path}\` | ${cell(f.type)} | ${f.required ? "yes" : "no"} | ${f.default === undefined ? "" : cell(f.default)} | ${cell(f.description + see)} |`);
    }
  }
  return `${lines.join("\n")}\n`;
}
