import { Fn, Token } from "cdktf";

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
