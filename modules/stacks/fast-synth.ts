/**
 * Runs `fn` with cheap stack traces. cdktf records the whole stack of every token it
 * creates (thousands per stack) only to print it if that token later fails to resolve;
 * formatting those frames is a large share of synth time. Inside `fn`, cdktf's captures
 * (plain objects) are recorded as empty while real errors keep a full stack. Set
 * `CLOUDTIERS_TOKEN_TRACES=1` to keep cdktf's token traces when debugging a token that
 * does not resolve.
 */
export function withFastStackTraces<T>(fn: () => T): T {
  if (process.env.CLOUDTIERS_TOKEN_TRACES === "1") return fn();
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = (target: unknown, frames: NodeJS.CallSite[]) => {
    if (!(target instanceof Error)) return "";
    if (previous) return previous(target, frames);
    return [`${target.name}: ${target.message}`, ...frames.map((f) => `    at ${f.toString()}`)].join("\n");
  };
  try {
    return fn();
  } finally {
    Error.prepareStackTrace = previous;
  }
}
