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
