/**
 * Specs whose builder answers for them: it has validated them, and holds what it builds
 * from them to the policy pack itself. `buildApp` validates every spec (with the rules
 * across environments) and runs the policy pack after synth; a `CloudTiersStack` validates
 * its spec and runs the pack at synth. What they build from those specs (the stack, its
 * `DjangoTopology`) skips both, so each spec is validated once; built any other way, each
 * entry point validates its spec and runs the pack itself.
 */
let answered: ReadonlySet<object> = new Set();

/** Runs `build` with `specs` answered for: constructs built from them inside skip validation and the policy hook. */
export function answeringFor<T>(specs: Iterable<object>, build: () => T): T {
  const previous = answered;
  answered = new Set([...previous, ...specs]);
  try {
    return build();
  } finally {
    answered = previous;
  }
}

/** Whether the construct being built from `spec` is inside a builder that validated it and runs the policy pack itself. */
export function answeredFor(spec: unknown): boolean {
  return typeof spec === "object" && spec !== null && answered.has(spec);
}
