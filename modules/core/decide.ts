import { Fn, Op, TerraformCount, TerraformResource, TerraformStack, Token, ref } from "cdktf";

/*
 * A tier's props are literals when a stack is built from an environment spec, and
 * Terraform references (the module's variables) when the tier is built as a standalone
 * Terraform module. These helpers decide a prop-dependent value either way: at synth for
 * a literal, so stacks come out exactly as before, and in Terraform for a reference.
 */

/** Whether `value` is a Terraform reference (for example a module variable) rather than a literal. */
export function isReference(value: unknown): boolean {
  return Token.isUnresolved(value);
}

/** `condition ? whenTrue : whenFalse`; an `undefined` branch is Terraform's `null` when Terraform decides. */
export function choose<T>(condition: boolean, whenTrue: T, whenFalse: T): T {
  if (!isReference(condition)) return condition ? whenTrue : whenFalse;
  return Fn.conditional(condition, whenTrue ?? null, whenFalse ?? null) as T;
}

/** `table[key]`, looked up by Terraform when the key is a reference. */
export function pick<T>(table: Readonly<Record<string, T>>, key: string): T {
  if (isReference(key)) return Fn.lookup(table, key) as T;
  if (!(key in table)) throw new Error(`no entry "${key}"; known: ${Object.keys(table).join(", ")}`);
  return table[key];
}

/**
 * The `lifecycle` of a resource that holds data. Terraform only takes a literal
 * `prevent_destroy`, so a referenced protection sets none; the provider's own deletion
 * protection and final snapshots, which take references, still apply.
 */
export function protectedLifecycle(protect: boolean): { preventDestroy: boolean } | undefined {
  return isReference(protect) ? undefined : { preventDestroy: protect };
}

/** `!value`, by Terraform when it is a reference. */
export function negate(value: boolean): boolean {
  return isReference(value) ? (Op.not(value) as unknown as boolean) : !value;
}

/** A number as text (`"30"`), by Terraform when it is a reference. */
export function asText(value: number): string {
  return isReference(value) ? Token.asString(value) : String(value);
}

/**
 * A literal operand of a Terraform operator. cdktf 0.21 renders a falsy right operand (`0`,
 * `false`, `""`) as `undefined` (`length(x) > undefined`), so one is given as a raw expression.
 */
function operand<T>(value: T): T {
  if (isReference(value) || value || value === undefined || value === null) return value;
  return ref(JSON.stringify(value)) as unknown as T;
}

/** `a + b`, by Terraform when either is a reference. */
export function plus(a: number, b: number): number {
  return isReference(a) || isReference(b) ? Op.add(operand(a), operand(b)) : a + b;
}

/** `value * factor`, by Terraform when it is a reference. */
export function times(value: number, factor: number): number {
  return isReference(value) ? Op.mul(value, operand(factor)) : value * factor;
}

/** Copies of a resource, made at synth (one construct each) or by Terraform (`count`). */
export interface Copies<T extends TerraformResource> {
  /** The constructs: one per copy at synth; the single counted one when Terraform makes the copies. */
  readonly constructs: readonly T[];
  /** A string attribute of every copy, in order (`aws_db_instance.replica[*].address` when counted). */
  all(attribute: string): string[];
  /** A string attribute of the copy at `index` (`element(...[*].id, count.index)` when counted). */
  at(index: number, attribute: string): string;
}

/** Copies made at synth, one construct each. */
export function copiesOf<T extends TerraformResource>(constructs: readonly T[]): Copies<T> {
  return {
    constructs,
    all: (attribute) => constructs.map((c) => c.getStringAttribute(attribute)),
    at: (index, attribute) => constructs[index].getStringAttribute(attribute),
  };
}

/** Where a copy stands: its 0-based `index` and its `ordinal` (`index + first`, as text for names). */
export interface Position {
  readonly index: number;
  readonly ordinal: string;
}

/**
 * `count` copies of a resource. For a literal count, `make` runs once per copy with ids
 * `<id>-<ordinal>` and ordinals counted from `first` (1 unless given); for a reference it
 * runs once, with `id`, Terraform's `count` to spread into the resource's config, and
 * `count.index` as the index.
 */
export function repeat<T extends TerraformResource>(
  count: number,
  id: string,
  make: (id: string, position: Position, meta: { count?: TerraformCount }) => T,
  first = 1,
): Copies<T> {
  if (!isReference(count)) {
    return copiesOf(Array.from({ length: count }, (_, i) => make(`${id}-${i + first}`, { index: i, ordinal: String(i + first) }, {})));
  }
  const counter = TerraformCount.of(count);
  const ordinal = first === 0 ? Token.asString(counter.index) : Token.asString(Op.add(counter.index, first));
  const counted = make(id, { index: counter.index, ordinal }, { count: counter });
  const all = (attribute: string) => Token.asList(ref(`${counted.terraformResourceType}.${counted.friendlyUniqueId}[*].${attribute}`, TerraformStack.of(counted)));
  return { constructs: [counted], all, at: (index, attribute) => Fn.element(all(attribute), index) };
}

/**
 * A resource that exists or not: made at synth when `enabled` is true (under the id the
 * caller gives it), not at all when false, and counted `enabled ? 1 : 0` by Terraform
 * when it is a reference.
 */
export function optional<T extends TerraformResource>(enabled: boolean, make: (meta: { count?: TerraformCount }) => T): Copies<T> {
  if (!isReference(enabled)) return copiesOf(enabled ? [make({})] : []);
  return repeat(choose(enabled, 1, 0), "", (_, __, meta) => make(meta));
}

/** Whether an optional prop is given: a literal is when set and not empty; a reference when not `null`, by Terraform. */
export function given(value: unknown): boolean {
  return isReference(value) ? (Op.neq(value, Token.nullValue()) as unknown as boolean) : Boolean(value);
}

/** `a || b`, by Terraform when either is a reference. */
export function anyOf(a: boolean, b: boolean): boolean {
  return isReference(a) || isReference(b) ? (Op.or(a, b) as unknown as boolean) : a || b;
}

/** `a == b`, by Terraform when either is a reference. */
export function equals(a: unknown, b: unknown): boolean {
  return isReference(a) || isReference(b) ? (Op.eq(operand(a), operand(b)) as unknown as boolean) : a === b;
}

/** `a > b`, by Terraform when either is a reference. */
export function exceeds(a: number, b: number): boolean {
  return isReference(a) || isReference(b) ? (Op.gt(operand(a), operand(b)) as unknown as boolean) : a > b;
}

/** `text` with each search string replaced in turn, by Terraform's `replace()` when it is a reference. */
export function replaceEach(text: string, replacements: readonly (readonly [string, string])[]): string {
  return replacements.reduce((t, [search, by]) => (isReference(t) ? Fn.replace(t, Fn.rawString(search), Fn.rawString(by)) : t.split(search).join(by)), text);
}

/**
 * `format` with each `%s` replaced by the next of `values`, by Terraform's `format()` when one
 * is a reference: inside a Terraform function cdktf renders a template as plain text, so text
 * made of references must be `format()`'s.
 */
export function formatted(format: string, ...values: string[]): string {
  if (values.some(isReference)) return Fn.format(format, values);
  let next = 0;
  return format.replace(/%s/g, () => values[next++]);
}

/** `value ?? fallback`: Terraform's `coalesce()` when `value` is a reference (which may be `null`). */
export function orElse<T>(value: T | undefined | null, fallback: T): T {
  if (value === undefined || value === null) return fallback;
  return isReference(value) ? (Fn.coalesce([value, fallback]) as T) : value;
}

/** The lists one after the other: Terraform's `concat()` when one of them is a reference. */
export function concatenated(...lists: readonly (readonly string[])[]): string[] {
  return lists.some(isReference) ? Token.asList(Fn.concat([...lists])) : lists.flat();
}
