import { ValidationIssue } from "./errors";

/*
 * A spec's text is data, whatever it looks like. Two things would read it otherwise:
 * cdktf, which resolves every `${TfToken[...]}` in a construct's strings (another
 * resource's attribute, or a crash for a number it does not know), and Terraform, which
 * evaluates every string of the synthesised JSON as a template (`${...}`, `%{...}`).
 *
 * One mechanism for every field and every cloud: a stack takes its spec through
 * `literalSpec`, which writes each `${` and `%{` of its strings as private-use marks that
 * neither reads; the stack's document goes through `terraformSpecText`, which writes the
 * marks as Terraform's escapes (`$${`, `%%{`), so Terraform gives the text back as written.
 * Where the constructs' text leaves Terraform unevaluated (base64 made here, text shown to
 * a user), `plainSpecText` gives it back as written.
 */

/** Starts every mark; a mark is it and one of the three characters below. */
const MARK = "\uE000";
const ENCODE: Record<string, string> = { [MARK]: `${MARK}\uE000`, "${": `${MARK}\uE001`, "%{": `${MARK}\uE002` };
const TO_TERRAFORM: Record<string, string> = { "\uE000": MARK, "\uE001": "$${", "\uE002": "%%{" };
const TO_PLAIN: Record<string, string> = { "\uE000": MARK, "\uE001": "${", "\uE002": "%{" };
const MARKS = /\uE000([\uE000-\uE002])/g;

/** `text` with its `${` and `%{` (and the mark itself) written as marks. */
export function encodeSpecText(text: string): string {
  return text.replace(/\uE000|\$\{|%\{/g, (m) => ENCODE[m]);
}

/** Text with marks, given back as written. */
export function plainSpecText(text: string): string {
  return text.includes(MARK) ? text.replace(MARKS, (_, c: string) => TO_PLAIN[c]) : text;
}

/** Maps every string of a plain value (object keys included) through `f`; anything else is kept. */
function mapStrings<T>(value: T, f: (text: string) => string): T {
  if (typeof value === "string") return f(value) as T;
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, f)) as T;
  if (value === null || typeof value !== "object") return value;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const mapped: Record<string, unknown> = {};
  // A plain object's own keys only (its prototype is Object's or none); a key "__proto__" stays a key.
  for (const key in value) setOwn(mapped, f(key), mapStrings((value as Record<string, unknown>)[key], f));
  return mapped as T;
}

/** `target[key] = item`, as a key of its own even for "__proto__" (which assignment takes for the prototype). */
export function setOwn(target: Record<string, unknown>, key: string, item: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value: item, enumerable: true, writable: true, configurable: true });
  else target[key] = item;
}

/** A spec whose every string is written with marks: what a stack builds its constructs from. */
export function literalSpec<T>(spec: T): T {
  return mapStrings(spec, encodeSpecText);
}

/** A synthesised document (resolved: plain JSON values) with every mark written as Terraform's escape. */
export function terraformSpecText<T>(document: T): T {
  return mapStrings(document, (text) => (text.includes(MARK) ? text.replace(MARKS, (_, c: string) => TO_TERRAFORM[c]) : text));
}

/** Names of the characters refused most often, for messages. */
const CHARACTER_NAMES: Record<number, string> = {
  0x00: "NUL", 0x09: "tab", 0x0a: "line feed", 0x0b: "vertical tab", 0x0c: "form feed", 0x0d: "carriage return",
  0x1b: "escape", 0x7f: "DEL", 0x85: "next line (NEL)", 0x2028: "line separator", 0x2029: "paragraph separator",
  0xfffe: "noncharacter", 0xffff: "noncharacter",
};

/**
 * What spec text may not hold, anywhere: C0 and C1 control characters (tab and newline
 * included: no field is more than one line), DEL, the Unicode line and paragraph
 * separators, U+FFFE and U+FFFF (not characters; YAML refuses them) and unpaired
 * surrogates (no UTF-8 for them). Each breaks some host's configuration: cloud-init's
 * YAML, an env file, nginx, a systemd unit, the edge Worker's script.
 */
export const REFUSED_TEXT = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What `REFUSED_TEXT` leaves, in words. */
export const ALLOWED_TEXT =
  "printable text on one line: no control characters (U+0000-U+001F, U+007F-U+009F, tab and newline included), U+2028, U+2029, U+FFFE, U+FFFF or unpaired surrogates, which break the hosts' configuration";

/** `U+2028 (line separator)`. */
export function describeCodePoint(code: number): string {
  const hex = code.toString(16).toUpperCase().padStart(4, "0");
  const name = CHARACTER_NAMES[code] ?? (code < 0x20 || (code >= 0x7f && code <= 0x9f) ? "control character" : code >= 0xd800 && code <= 0xdfff ? "unpaired surrogate" : undefined);
  return name ? `U+${hex} (${name})` : `U+${hex}`;
}

/** `text` with every refused character written as `\uXXXX`, to show it in a message. */
export function escapeRefused(text: string): string {
  return text.replace(new RegExp(REFUSED_TEXT.source, "g"), (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`);
}

/**
 * Visits every string of a spec, object keys too, with its field's path and how to name it,
 * both made only when asked (for a message): specs are walked whole at every synth.
 */
function eachString(spec: unknown, visit: (path: () => string, text: string, what: () => string) => void): void {
  const parts: (string | number)[] = [];
  const path = () => parts.reduce<string>((at, part) => (typeof part === "number" ? `${at}[${part}]` : at ? `${at}.${part}` : part), "");
  const it = () => "it";
  const walk = (value: unknown): void => {
    if (typeof value === "string") return visit(path, value, it);
    if (value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        parts.push(i);
        walk(item);
        parts.pop();
      });
      return;
    }
    for (const key of Object.keys(value)) {
      visit(path, key, () => `the name of one of its fields, "${escapeRefused(key)}",`);
      parts.push(key);
      walk((value as Record<string, unknown>)[key]);
      parts.pop();
    }
  };
  walk(spec);
}

/**
 * Every string of a spec (object keys too) that holds a character of `REFUSED_TEXT`, as
 * issues naming the field, the character as U+XXXX, where it is, and what is allowed.
 */
export function validateSpecText(environment: string, spec: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  eachString(spec, (path, text, what) => {
    const m = REFUSED_TEXT.exec(text);
    if (m) issues.push({ environment, path: path() || "(spec)", message: `must be ${ALLOWED_TEXT}; ${what()} has ${describeCodePoint(m[0].charCodeAt(0))} at character ${m.index + 1}` });
  });
  return issues;
}

/** What cdktf (`${TfToken[...]}`) or Terraform (`${...}`, `%{...}`) would evaluate in a string. */
const EVALUATED_TEXT = /[$%]\{/;

/**
 * For a `DjangoTopology` built in a stack of a library user's own, which writes its document
 * without `CloudTiersStack`'s escapes: every spec string holding `${` or `%{`, which cdktf
 * or Terraform would evaluate there, is refused rather than resolved.
 */
export function validateUnescapedText(environment: string, spec: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  eachString(spec, (path, text, what) => {
    const m = EVALUATED_TEXT.exec(text);
    if (m) {
      issues.push({
        environment,
        path: path() || "(spec)",
        message: `must not hold "${m[0]}" in a DjangoTopology built outside a CloudTiersStack, where cdktf and Terraform would evaluate it; ${what()} has it at character ${m.index + 1}: build the stack as a CloudTiersStack, which carries it as text, or remove it`,
      });
    }
  });
  return issues;
}
