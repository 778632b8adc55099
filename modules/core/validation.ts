import { ValidationError, ValidationIssue } from "./errors";

/** Marks, while `show` writes JSON, a value JSON has no word for: NaN and Infinity (it writes `null`), big integers (it throws). */
const RAW = "~cloudtiers-raw~";
const RAW_VALUE = new RegExp(`"${RAW}([^"]*)"`, "g");

/** Renders a bad value the way it appears in messages: strings quoted, the rest as JSON, except NaN, Infinity and big integers, shown as they are (not JSON's `null`). */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "nothing";
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  const raw = (_key: string, v: unknown) => ((typeof v === "number" && !Number.isFinite(v)) || typeof v === "bigint" ? `${RAW}${String(v)}` : v);
  const text = JSON.stringify(value, raw) as string | undefined;
  return text === undefined ? String(value) : text.replace(RAW_VALUE, "$1");
}

/**
 * A lower-case DNS name of at least two labels, each of 1 to 63 letters, digits and inner
 * hyphens, the last starting with a letter. RE2 reads it the same way, so Terraform
 * variables validate names with this very pattern.
 */
export const DOMAIN_NAME = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** What `DOMAIN_NAME` allows, in the words of every message that refuses a name. */
export const DOMAIN_NAME_WORDS = 'a lower-case domain name such as "www.example.com"';
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** True for a lower-case DNS name of at least two labels, e.g. `www.example.com`. */
export function isDomainName(value: unknown): value is string {
  return typeof value === "string" && value.length <= 253 && DOMAIN_NAME.test(value);
}

/** True for an IPv4 CIDR block whose address has no bits set past its prefix, e.g. `10.0.0.0/16`. */
export function isIpv4Cidr(value: unknown): value is string {
  if (typeof value !== "string") return false;
  const m = IPV4_CIDR.exec(value);
  if (!m) return false;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return false;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  return address % 2 ** (32 - prefix) === 0;
}

/**
 * Collects the problems of one environment spec. Checks record an issue and return
 * whether the value was good, so that dependent checks can be skipped; `throwIfAny`
 * raises one `ValidationError` with everything found.
 */
export class SpecValidator {
  private readonly found: ValidationIssue[] = [];

  constructor(public readonly environment: string) {}

  /** Every issue recorded so far. */
  public get issues(): readonly ValidationIssue[] {
    return this.found;
  }

  /** Records a problem at `path`. */
  public fail(path: string, message: string): false {
    this.found.push({ environment: this.environment, path, message });
    return false;
  }

  /** `value` must be one of `allowed`. */
  public oneOf<T>(path: string, value: unknown, allowed: readonly T[]): value is T {
    if (allowed.includes(value as T)) return true;
    return this.fail(path, `must be one of ${allowed.map((a) => show(a)).join(", ")}, got ${show(value)}`);
  }

  /** `value` must be an integer in `min..max`. */
  public integer(path: string, value: unknown, min: number, max: number): value is number {
    if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return true;
    return this.fail(path, `must be a whole number between ${min} and ${max}, got ${show(value)}`);
  }

  /** `value` must be a non-empty string. */
  public nonEmpty(path: string, value: unknown): value is string {
    if (typeof value === "string" && value.trim().length > 0) return true;
    return this.fail(path, `must be a non-empty string, got ${show(value)}`);
  }

  /** `value` must be a boolean. */
  public boolean(path: string, value: unknown): value is boolean {
    if (typeof value === "boolean") return true;
    return this.fail(path, `must be true or false, got ${show(value)}`);
  }

  /** `value` must be a DNS name such as `www.example.com`. */
  public domain(path: string, value: unknown): value is string {
    if (isDomainName(value)) return true;
    return this.fail(path, `must be ${DOMAIN_NAME_WORDS}, got ${show(value)}`);
  }

  /** `value` must be an IPv4 CIDR block such as `10.0.0.0/16`. */
  public cidr(path: string, value: unknown): value is string {
    if (isIpv4Cidr(value)) return true;
    return this.fail(path, `must be an IPv4 CIDR block such as "10.0.0.0/16", got ${show(value)}`);
  }

  /** `value` must match `pattern`; `what` says in words what is allowed. */
  public matches(path: string, value: unknown, pattern: RegExp, what: string): value is string {
    if (typeof value === "string" && pattern.test(value)) return true;
    return this.fail(path, `must be ${what}, got ${show(value)}`);
  }

  /**
   * `value` must be an object whose keys are all in `allowed`: a misspelt field would
   * otherwise be ignored without a word. Returns whether it is an object at all.
   */
  public fields(path: string, value: unknown, allowed: readonly string[]): value is Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return this.fail(path || "(spec)", `must be an object, got ${show(value)}`);
    }
    for (const key of Object.keys(value)) {
      if (allowed.includes(key)) continue;
      const near = allowed.find((a) => editDistance(a.toLowerCase(), key.toLowerCase()) <= 2);
      this.fail(path ? `${path}.${key}` : key, `is not a known field${near ? ` (did you mean "${near}"?)` : ""}; known: ${allowed.join(", ")}`);
    }
    return true;
  }

  /** Throws a `ValidationError` holding every issue found, if any. */
  public throwIfAny(): void {
    if (this.found.length > 0) throw new ValidationError(this.found);
  }
}

/**
 * The fields of `T`, for `SpecValidator.fields`, written as `{ name: true, ... }`: the
 * interface stays the one declaration of its fields, and the compiler refuses a list that
 * misses one of them or names one it does not have.
 */
export function fieldsOf<T>(fields: { readonly [K in keyof T]-?: true }): readonly string[] {
  return Object.keys(fields);
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}
