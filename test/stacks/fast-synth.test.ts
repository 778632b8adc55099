import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, TerraformStack } from "cdktf";
import { ValidateBinaryVersion } from "cdktf/lib/validations/validate-binary-version";
import { skipTokenStackTraces, withFastStackTraces } from "../../modules/stacks/fast-synth";

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
 * cdktf runs `terraform version` for every stack that needs a recent Terraform (a `moved`
 * block, a cloud backend, `terraform_data`): the fast synth asks once a run.
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

  /** Three stacks, each with the check cdktf adds for Terraform 1.4 (\`terraform_data\`), made with the binary given. */
  function synthThree(binary: string): void {
    const app = new App({ outdir: join(dir, "out") });
    for (const id of ["a", "b", "c"]) {
      const stack = new TerraformStack(app, id);
      stack.node.addValidation(new ValidateBinaryVersion("terraform", ">=1.4", `${binary} version`, "The built-in Terraform data resource is only supported for Terraform >=1.4."));
    }
    app.synth();
  }

  it("asks the binary once for every stack, and gives each stack the same answer", () => {
    const { binary, calls } = fakeTerraform("1.9.0");
    withFastStackTraces(() => synthThree(binary));
    expect(calls()).toBe(1);
    // Left as cdktf does it outside: once a stack.
    synthThree(binary);
    expect(calls()).toBe(1 + 3);
  });

  it("still refuses a Terraform too old, with cdktf's own message for the first stack that needs a newer one", () => {
    const { binary } = fakeTerraform("1.3.0");
    expect(() => withFastStackTraces(() => synthThree(binary))).toThrow(/\[a\] terraform version 1\.3\.0 is lower than the required version >=1\.4/);
  });
});
