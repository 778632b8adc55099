/** One thing wrong with an environment spec. */
export interface ValidationIssue {
  /** The environment the spec describes, e.g. `production`. */
  readonly environment: string;
  /** The field path inside the spec, e.g. `postgres.replicas`. */
  readonly path: string;
  /** What is wrong and what is allowed, e.g. `must be between 0 and 5, got 9`. */
  readonly message: string;
}

/** Renders one issue as the line users read: `production: postgres.replicas must be ...`. */
export function formatIssue(issue: ValidationIssue): string {
  return `${issue.environment}: ${issue.path} ${issue.message}`;
}

/**
 * Thrown when one or more environment specs are invalid. It carries every problem
 * found, not only the first, so that a user fixes them all in one round.
 */
export class ValidationError extends Error {
  public readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[]) {
    const lines = issues.map(formatIssue);
    super(
      issues.length === 1
        ? `invalid environment spec: ${lines[0]}`
        : `invalid environment specs (${issues.length} problems):\n${lines.map((l) => `  - ${l}`).join("\n")}`,
    );
    this.name = "ValidationError";
    this.issues = issues;
  }
}
