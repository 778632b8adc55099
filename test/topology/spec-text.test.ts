import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SpecValidator, ValidationError, describeCodePoint, literalSpec, terraformSpecText } from "../../modules/core";
import { buildApp } from "../../modules/stacks/app";
import { specSamples } from "../../modules/stacks/samples";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { validateEnvironment } from "../../modules/stacks/validate";
import { environments } from "../../environments";
import { cloudInitSchema } from "../tools";
import { decodeUserData } from "../helpers";

/*
 * Every string of the specs is given text cdktf or Terraform would evaluate, and each
 * character that breaks a host's configuration; the string must be refused with a message
 * naming its field, or reach every place it reached before byte for byte. The strings come
 * from the sample specs (modules/stacks/samples.ts, with each cloud's sections), which must
 * set every field the validators know: the test names no field.
 */

type Path = readonly (string | number)[];
interface Leaf {
  readonly index: number;
  readonly spec: number;
  readonly path: Path;
  readonly value: string;
}

const SPECS = specSamples();
const ENV = {};
const show = (path: Path) => path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");

function leavesOf(value: unknown, path: Path = []): { path: Path; value: string }[] {
  if (typeof value === "string") return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((item, i) => leavesOf(item, [...path, i]));
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, item]) => leavesOf(item, [...path, k]));
  return [];
}

/** The path of every value a spec sets, strings or not. */
function pathsOf(value: unknown, path: Path = []): string[] {
  const here = path.length > 0 ? [show(path)] : [];
  if (value === undefined) return [];
  if (Array.isArray(value)) return [...here, ...value.flatMap((item, i) => pathsOf(item, [...path, i]))];
  if (value !== null && typeof value === "object") return [...here, ...Object.entries(value).flatMap(([k, item]) => pathsOf(item, [...path, k]))];
  return here;
}

const LEAVES: Leaf[] = SPECS.flatMap((spec, s) => leavesOf(spec).map((l) => ({ ...l, spec: s }))).map((l, index) => ({ ...l, index }));

function setAt<T>(value: T, path: Path, text: string): T {
  if (path.length === 0) return text as T;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...value }) as Record<string | number, unknown>;
  copy[head] = setAt(copy[head], rest, text);
  return copy as T;
}

const marker = (leaf: Leaf) => `~${leaf.index}~`;
const injected = (leaf: Leaf, payload: string) => `${leaf.value}${marker(leaf)}${payload}`;

/** The specs with each of `leaves` given its marker and `payload`. */
function inject(leaves: readonly Leaf[], payload: string): EnvironmentSpec[] {
  return SPECS.map((spec, s) => leaves.filter((l) => l.spec === s).reduce((acc, l) => setAt(acc, l.path, injected(l, payload)), spec));
}

/** The issues of validating one spec with one leaf injected. */
function alone(leaf: Leaf, payload: string) {
  return validateEnvironment(setAt(SPECS[leaf.spec], leaf.path, injected(leaf, payload)), ENV);
}

/** What Terraform makes of a JSON string: escapes undone, each interpolation and directive as `<tf>`. */
function evaluate(template: string): string {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    if (template.startsWith("$${", i) || template.startsWith("%%{", i)) {
      out += `${template[i]}{`;
      i += 2;
    } else if (template.startsWith("${", i) || template.startsWith("%{", i)) {
      let depth = 0;
      let quoted = false;
      for (i += 1; i < template.length; i++) {
        const c = template[i];
        if (quoted) {
          if (c === "\\") i++;
          else if (c === '"') quoted = false;
        } else if (c === '"') quoted = true;
        else if (c === "{") depth++;
        else if (c === "}" && --depth === 0) break;
      }
      out += "<tf>";
    } else out += template[i];
  }
  return out;
}

/** Every string of the synthesised stacks as Terraform reads it, with base64 user data decoded. */
function synthesised(outdir: string): string[] {
  const texts: string[] = [];
  const walk = (value: unknown, key = "") => {
    if (typeof value === "string") {
      texts.push(evaluate(value));
      if (key === "user_data" && /^[A-Za-z0-9+/]+=*$/.test(value)) texts.push(decodeUserData({ user_data: value }));
    } else if (Array.isArray(value)) value.forEach((v) => walk(v, key));
    else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) {
        walk(k);
        walk(v, k);
      }
    }
  };
  for (const stack of readdirSync(join(outdir, "stacks"))) walk(JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8")));
  return texts;
}

const count = (texts: readonly string[], needle: string) => texts.reduce((n, t) => n + t.split(needle).length - 1, 0);
const html = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/\$/g, "&#36;");

/**
 * Synthesises every sample with `payload` in each leaf that takes it; a leaf is refused when
 * validation names its field. Returns the leaves carried, those refused, and what was written.
 */
function carry(payload: string): { kept: Leaf[]; refused: Leaf[]; texts: string[] } {
  const refused = LEAVES.filter((l) => alone(l, payload).some((i) => i.path === show(l.path)));
  let kept = LEAVES.filter((l) => !refused.includes(l));
  for (;;) {
    const outdir = mkdtempSync(join(tmpdir(), "cloudtiers-spec-text-"));
    try {
      buildApp(inject(kept, payload), { outdir, env: ENV }).synth();
      return { kept, refused, texts: synthesised(outdir) };
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      // Rules across specs (promotesFrom names another spec): each issue must name an injected field.
      const named = kept.filter((l) => e.issues.some((i) => i.path === show(l.path)));
      if (named.length === 0) throw e;
      refused.push(...named);
      kept = kept.filter((l) => !named.includes(l));
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }
}

describe("every string of a spec", () => {
  it("is set by the samples for every field the validators know", () => {
    const known: { path: string; allowed: readonly string[] }[] = [];
    const original = SpecValidator.prototype.fields;
    SpecValidator.prototype.fields = function (this: SpecValidator, path: string, value: unknown, allowed: readonly string[]) {
      known.push({ path, allowed });
      return original.call(this, path, value, allowed);
    } as typeof original;
    try {
      for (const spec of [...SPECS, ...environments]) validateEnvironment(spec, ENV);
    } finally {
      SpecValidator.prototype.fields = original;
    }
    const set = new Set(SPECS.flatMap((spec) => pathsOf(spec)));
    // A field counts as set where any object of its kind (the same known fields) sets it.
    const kinds = new Map<string, string[]>();
    for (const { path, allowed } of known) kinds.set(allowed.join(), [...(kinds.get(allowed.join()) ?? []), path]);
    const missing = [...kinds].flatMap(([kind, paths]) => kind.split(",").filter((f) => !paths.some((p) => set.has(p ? `${p}.${f}` : f))).map((f) => `${paths[0]}.${f}`));
    expect(known.length).toBeGreaterThan(20);
    expect([...new Set(missing)]).toEqual([]);
  });

  const CONTROL = [0x00, 0x01, 0x09, 0x0a, 0x0d, 0x1b, 0x1f, 0x7f, 0x80, 0x85, 0x9f, 0x2028, 0x2029, 0xfffe, 0xffff, 0xd800, 0xdfff];
  it.each(CONTROL.map((c) => [describeCodePoint(c), c]))("refuses %s in each of them, naming the field", (named, code) => {
    const character = String.fromCharCode(code as number);
    const unrefused = LEAVES.filter((l) => !alone(l, character).some((i) => i.path === show(l.path) && i.message.includes(`${named as string} at character ${l.value.length + marker(l).length + 1}`)));
    expect(unrefused.map((l) => `${SPECS[l.spec].environment}: ${show(l.path)}`)).toEqual([]);
  });

  it("carries text cdktf or Terraform would evaluate to every place it reached, byte for byte, or is refused", () => {
    const payload = "${TfToken[TOKEN.1]}|${TfToken[TOKEN.99999]}|${aws_db_instance.x.password}|%{ if true }x%{ endif }";
    const baseline = carry("");
    const given = carry(payload);
    // Free text is carried, not refused: settings values, the maintenance page, a branch.
    expect(given.kept.length).toBeGreaterThan(5);
    for (const leaf of given.kept) {
      const before = count(baseline.texts, marker(leaf));
      const text = injected(leaf, payload);
      expect({ field: show(leaf.path), reached: count(given.texts, text) + count(given.texts, html(text)) }).toEqual({ field: show(leaf.path), reached: before });
      expect({ field: show(leaf.path), markers: count(given.texts, marker(leaf)) }).toEqual({ field: show(leaf.path), markers: before });
    }
    // The fields that reach the hosts or the edge are among them.
    const reaching = given.kept.filter((l) => count(baseline.texts, marker(l)) > 0).map((l) => show(l.path));
    expect(reaching).toEqual(expect.arrayContaining(["application.settings.GREETING", "failover.title", "failover.message", "terraformCloud.vcs.branch"]));

    // Every user data document is still valid cloud-init.
    const work = mkdtempSync(join(tmpdir(), "cloudtiers-spec-text-yaml-"));
    try {
      const documents = given.texts.filter((t) => t.startsWith("#cloud-config"));
      expect(documents.length).toBeGreaterThan(5);
      const paths = documents.map((d, i) => {
        const path = join(work, `${i}.yaml`);
        writeFileSync(path, d);
        return path;
      });
      for (const r of cloudInitSchema(paths)) expect({ code: r.code, output: r.output.trim() }).toEqual({ code: 0, output: `Valid cloud-config: ${r.path}` });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe("the marks of spec text", () => {
  it("go on and come off every string, a key named __proto__ kept as a key, never taken for the prototype", () => {
    const spec = JSON.parse('{"tags": {"__proto__": "${x}", "team": "%{y}"}, "list": [{"__proto__": "z"}], "n": 1, "on": true, "none": null}');
    const literal = literalSpec(spec);
    expect(Object.getPrototypeOf(literal.tags)).toBe(Object.prototype);
    expect(Object.keys(literal.tags)).toEqual(["__proto__", "team"]);
    expect(terraformSpecText(literal)).toEqual(JSON.parse('{"tags": {"__proto__": "$${x}", "team": "%%{y}"}, "list": [{"__proto__": "z"}], "n": 1, "on": true, "none": null}'));
    expect(JSON.stringify(terraformSpecText(literal))).toBe('{"tags":{"__proto__":"$${x}","team":"%%{y}"},"list":[{"__proto__":"z"}],"n":1,"on":true,"none":null}');
  });
});
