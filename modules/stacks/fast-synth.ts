// cdktf's index first: its token map, loaded before it, closes a cycle inside cdktf (the map needs its token encoding, which needs its tokens, whose resolver asks the map for its instance as it loads).
import "cdktf";
import { TokenMap } from "cdktf/lib/tokens/private/token-map";
import { ValidateTerraformVersion } from "cdktf/lib/validations/validate-terraform-version";
import { LOWEST_TERRAFORM } from "../core";

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

/** What cdktf's Terraform version check reads of itself (protected in its declarations). */
interface VersionCheck {
  readonly versionConstraint: string;
}

/** Whether every version `REQUIRED_TERRAFORM` allows satisfies `constraint` (cdktf's are all `>=X.Y`). */
export function allowedByRequiredVersion(constraint: string): boolean {
  const floor = /^>=\s*(\d+)\.(\d+)(?:\.(\d+))?$/.exec(constraint.trim());
  if (!floor) return false;
  const wanted = [Number(floor[1]), Number(floor[2]), Number(floor[3] ?? 0)];
  const difference = LOWEST_TERRAFORM.map((part, i) => part - wanted[i]).find((d) => d !== 0) ?? 0;
  return difference >= 0;
}

/**
 * cdktf runs `terraform version` (a process, 25-85 ms here) in every stack with a `moved`
 * block or a Terraform Cloud backend, to refuse a Terraform older than those need. Every stack
 * cloudtiers builds says so itself, as `required_version` (`REQUIRED_TERRAFORM`), and the
 * Terraform that plans it enforces that, naming both versions: the binary that matters (a
 * Terraform Cloud workspace's, not the synthesising machine's), and a synth no longer needs
 * Terraform installed. So a check `REQUIRED_TERRAFORM` already makes passes without running
 * anything, until the returned function is called; any other runs as cdktf runs it. For apps
 * whose every stack declares `REQUIRED_TERRAFORM`, as every stack cloudtiers builds does.
 */
export function leaveTerraformVersionToTerraform(): () => void {
  const prototype = ValidateTerraformVersion.prototype;
  // Inherited from ValidateBinaryVersion, or an outer call's: whichever it is goes back.
  const own = Object.getOwnPropertyDescriptor(prototype, "validate");
  const validate = prototype.validate;
  prototype.validate = function (this: ValidateTerraformVersion) {
    return allowedByRequiredVersion((this as unknown as VersionCheck).versionConstraint) ? [] : validate.call(this);
  };
  return () => {
    if (own) Object.defineProperty(prototype, "validate", own);
    else delete (prototype as Partial<ValidateTerraformVersion>).validate;
  };
}

/** What cdktf's token map holds (private in its declarations): every token of the process, by a key ending in its number. */
interface TokenStore {
  readonly stringTokenMap: Map<string, unknown>;
  readonly numberTokenMap: Map<number, unknown>;
  readonly tokenCounter: number;
}

const tokenStore = (): TokenStore => TokenMap.instance() as unknown as TokenStore;

/** How many tokens cdktf has made in this process so far: the number the next one gets. */
export function tokenCount(): number {
  return tokenStore().tokenCounter;
}

/**
 * Forgets the tokens cdktf made since it had made `count` (`tokenCount()`): cdktf keeps every
 * token for the life of the process, and through them the constructs they stand for. For an
 * App that has written its stacks, whose tokens nothing resolves again. Numbering goes on
 * where it was, so a later token never takes a forgotten one's key, and a forgotten token
 * still in use fails to resolve with cdktf's own error rather than resolving to another.
 */
export function forgetTokensSince(count: number): void {
  const store = tokenStore();
  for (const key of store.stringTokenMap.keys()) if (Number(key.slice(key.lastIndexOf(".") + 1)) >= count) store.stringTokenMap.delete(key);
  for (const key of store.numberTokenMap.keys()) if (key >= count) store.numberTokenMap.delete(key);
}

/** Runs `fn` without token traces (with them if `CLOUDTIERS_TOKEN_TRACES=1`), and with Terraform's version left to the stacks' `required_version`. */
export function withFastStackTraces<T>(fn: () => T): T {
  const restoreTraces = skipTokenStackTraces();
  const restoreChecks = leaveTerraformVersionToTerraform();
  try {
    return fn();
  } finally {
    restoreChecks();
    restoreTraces();
  }
}
