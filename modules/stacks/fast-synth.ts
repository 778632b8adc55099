import { ValidateBinaryVersion } from "cdktf/lib/validations/validate-binary-version";

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

/** What cdktf's binary version check reads of itself (protected in its declarations). */
interface VersionCheck {
  readonly versionCommand: string;
  readonly versionConstraint: string;
  readonly hint?: string;
}

/**
 * cdktf checks the Terraform binary's version by running `terraform version` (a process,
 * about 25 ms) in every stack that has a `moved` block or a Terraform Cloud backend, once per
 * stack: 15% of the synthesis of 100 generated stacks. The answer is the same for the whole
 * run, so each check (command, constraint and message) runs once until the returned function
 * is called; a failed check fails every stack that asks it, as before.
 */
export function checkBinaryVersionsOnce(): () => void {
  const prototype = ValidateBinaryVersion.prototype;
  const validate = prototype.validate;
  const answers = new Map<string, string[]>();
  prototype.validate = function (this: ValidateBinaryVersion) {
    const check = this as unknown as VersionCheck;
    const key = JSON.stringify([check.versionCommand, check.versionConstraint, check.hint]);
    if (!answers.has(key)) answers.set(key, validate.call(this));
    return [...answers.get(key)!];
  };
  return () => {
    prototype.validate = validate;
  };
}

/** Runs `fn` without token traces (with them if `CLOUDTIERS_TOKEN_TRACES=1`), and with each binary version check run once. */
export function withFastStackTraces<T>(fn: () => T): T {
  const restoreTraces = skipTokenStackTraces();
  const restoreChecks = checkBinaryVersionsOnce();
  try {
    return fn();
  } finally {
    restoreChecks();
    restoreTraces();
  }
}
