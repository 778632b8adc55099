import { withFastStackTraces } from "../../modules/stacks/fast-synth";

describe("withFastStackTraces", () => {
  it("records plain stack captures (cdktf's token traces) as empty, keeps real errors' stacks, and restores the formatter", () => {
    const before = Error.prepareStackTrace;
    const { capture, error } = withFastStackTraces(() => {
      const holder = { stack: "" };
      Error.captureStackTrace(holder);
      return { capture: holder.stack, error: new Error("boom") };
    });
    expect(capture).toBe("");
    expect(error.stack).toMatch(/^Error: boom\n {4}at /);
    expect(Error.prepareStackTrace).toBe(before);
  });

  it("leaves traces alone when CLOUDTIERS_TOKEN_TRACES=1", () => {
    process.env.CLOUDTIERS_TOKEN_TRACES = "1";
    try {
      const capture = withFastStackTraces(() => {
        const holder = { stack: "" };
        Error.captureStackTrace(holder);
        return holder.stack;
      });
      expect(capture).toContain("at ");
    } finally {
      delete process.env.CLOUDTIERS_TOKEN_TRACES;
    }
  });
});
