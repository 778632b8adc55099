import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, TerraformStack } from "cdktf";
import { ValidateTerraformVersion } from "cdktf/lib/validations/validate-terraform-version";
import { REQUIRED_TERRAFORM } from "../../modules/core";
import { allowedByRequiredVersion, skipTokenStackTraces, withFastStackTraces } from "../../modules/stacks/fast-synth";

/** A capture into a plain object, the way cdktf records a token's trace. */
function tokenTrace(): string {
  const holder = { stack: "" };
  Error.captureStackTrace(holder);
  return holder.stack;
}

describe("withFastStackTraces", () => {
  // test/setup.ts drops token traces for every test file; these tests start from Node's own capture.
  let restore: () => void;
  beforeAll(() => {
    process.env.CLOUDTIERS_TOKEN_TRACES = "1";
    restore = skipTokenStackTraces();
    delete process.env.CLOUDTIERS_TOKEN_TRACES;
  });
  afterAll(() => restore());

  it("starts from Node's capture, which records a token's trace", () => {
    expect(tokenTrace()).toContain("at ");
  });

  it("skips stack captures into plain objects (cdktf's token traces), keeps errors' stacks, and restores Error.captureStackTrace", () => {
    const before = Error.captureStackTrace;
    const { capture, captured, error } = withFastStackTraces(() => {
      const trace = tokenTrace();
      const failure = new Error("captured");
      Error.captureStackTrace(failure);
      return { capture: trace, captured: failure.stack, error: new Error("boom") };
    });
    expect(capture).toBe("");
    expect(captured).toMatch(/^Error: captured\n {4}at /);
    expect(error.stack).toMatch(/^Error: boom\n {4}at /);
    expect(Error.captureStackTrace).toBe(before);
  });

  it("restores Error.captureStackTrace when the synth throws", () => {
    const before = Error.captureStackTrace;
    expect(() =>
      withFastStackTraces(() => {
        throw new Error("invalid spec");
      }),
    ).toThrow("invalid spec");
    expect(Error.captureStackTrace).toBe(before);
  });

  it("leaves traces alone when CLOUDTIERS_TOKEN_TRACES=1", () => {
    process.env.CLOUDTIERS_TOKEN_TRACES = "1";
    try {
      const capture = withFastStackTraces(tokenTrace);
      expect(capture).toContain("at ");
    } finally {
      delete process.env.CLOUDTIERS_TOKEN_TRACES;
    }
  });
});

/**
 * cdktf runs `terraform version` in every stack that needs a recent Terraform (a `moved`
 * block, a cloud backend, `terraform_data`); every stack cloudtiers builds says which
 * Terraform it needs itself (`required_version`), so the fast synth runs no Terraform for
 * what that already covers.
 */
describe("the fast synth's Terraform version check", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "cloudtiers-terraform-version-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A `terraform` that logs each call and says it is `version`; how many times it ran. */
  function fakeTerraform(version: string): { binary: string; calls: () => number } {
    const log = join(dir, "calls");
    const binary = join(dir, "terraform");
    writeFileSync(log, "");
    writeFileSync(binary, `#!/bin/sh\necho "$*" >> ${JSON.stringify(log)}\necho "Terraform v${version}"\n`);
    chmodSync(binary, 0o755);
    return { binary, calls: () => readFileSync(log, "utf8").split("\n").filter(Boolean).length };
  }

  /** Three stacks, each with cdktf's check for `constraint`, run with the binary given (cdktf's own runs `terraform` from PATH). */
  function synthThree(binary: string, constraint: string): void {
    const app = new App({ outdir: join(dir, "out") });
    for (const id of ["a", "b", "c"]) {
      const stack = new TerraformStack(app, id);
      const check = new ValidateTerraformVersion(constraint, `Needs Terraform ${constraint}.`);
      (check as unknown as { versionCommand: string }).versionCommand = `${binary} version`;
      stack.node.addValidation(check);
    }
    app.synth();
  }

  it("runs no Terraform for the checks cdktf adds for moved blocks, cloud backends and terraform_data, and cdktf's own check again afterwards", () => {
    const { binary, calls } = fakeTerraform("1.3.0");
    for (const constraint of [">=1.5", ">=1.1", ">=1.4"]) withFastStackTraces(() => synthThree(binary, constraint));
    expect(calls()).toBe(0);
    // Left as cdktf does it outside: the first stack runs the binary, and its Terraform too old is refused.
    expect(() => synthThree(binary, ">=1.5")).toThrow(/\[a\] terraform version 1\.3\.0 is lower than the required version >=1\.5/);
    expect(calls()).toBe(1);
  });

  it("runs cdktf's check for a Terraform newer than the stacks' required_version, and refuses one too old with cdktf's message", () => {
    const { binary, calls } = fakeTerraform("1.6.0");
    expect(() => withFastStackTraces(() => synthThree(binary, ">=1.7"))).toThrow(/\[a\] terraform version 1\.6\.0 is lower than the required version >=1\.7/);
    expect(calls()).toBeGreaterThan(0);
  });

  it("puts back what it replaced when calls nest", () => {
    const { binary, calls } = fakeTerraform("1.3.0");
    withFastStackTraces(() => {
      withFastStackTraces(() => synthThree(binary, ">=1.5"));
      // Still inside the outer call: its patch is back, so no Terraform runs.
      synthThree(binary, ">=1.5");
    });
    expect(calls()).toBe(0);
    expect(() => synthThree(binary, ">=1.5")).toThrow(/lower than the required version/);
  });

  it("counts a check as made by required_version only when every version it allows passes the check", () => {
    expect(REQUIRED_TERRAFORM).toBe(">= 1.5.0");
    for (const covered of [">=1.5", ">= 1.5.0", ">=1.1", ">=1.4", ">=0.15"]) expect([covered, allowedByRequiredVersion(covered)]).toEqual([covered, true]);
    for (const beyond of [">=1.5.1", ">=1.6", ">=2.0", "~> 1.5", "1.5.0", "<2.0"]) expect([beyond, allowedByRequiredVersion(beyond)]).toEqual([beyond, false]);
  });
});
