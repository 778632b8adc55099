/**
 * cdktf records the whole stack of every token it creates (thousands per stack, each
 * walked to its full depth) only to print it if that token later fails to resolve; walking
 * and formatting those stacks was a third of synth time, and more the more stacks an app
 * holds. Without token traces, captures into plain objects (how cdktf records them) are
 * skipped and leave the object's empty `stack`; errors keep their stacks. Set
 * `CLOUDTIERS_TOKEN_TRACES=1` to keep cdktf's token traces when debugging a token that
 * does not resolve.
 */
const captureStackTrace = Error.captureStackTrace;

function captureErrorStacksOnly(target: object, below?: (...args: never[]) => unknown): void {
  if (target instanceof Error) captureStackTrace(target, below ?? captureErrorStacksOnly);
}

/** Drops token traces (keeps them if `CLOUDTIERS_TOKEN_TRACES=1`) until the returned function is called. */
export function skipTokenStackTraces(): () => void {
  const previous = Error.captureStackTrace;
  Error.captureStackTrace = process.env.CLOUDTIERS_TOKEN_TRACES === "1" ? captureStackTrace : captureErrorStacksOnly;
  return () => {
    Error.captureStackTrace = previous;
  };
}

/** Runs `fn` without token traces (with them if `CLOUDTIERS_TOKEN_TRACES=1`). */
export function withFastStackTraces<T>(fn: () => T): T {
  const restore = skipTokenStackTraces();
  try {
    return fn();
  } finally {
    restore();
  }
}
