import { production } from "../../environments/production";
import { dropletUserData, specWith, synthAwsEnvironment, synthDoEnvironment } from "../helpers";

/** A setting a user might write that Terraform would otherwise read as an interpolation. */
const spec = specWith({ application: { ...production.application, settings: { GREETING: "hello ${USER} %{x}" } } });

describe("literal text in settings reaches hosts as written, on every cloud", () => {
  it("AWS: escaped exactly once in the SSM parameter", () => {
    const s = synthAwsEnvironment(spec);
    const doc = JSON.parse(s.one("aws_ssm_parameter", "web-pool").value);
    expect(doc.settings.GREETING).toBe("hello $${USER} %%{x}");
  });

  it("DigitalOcean: escaped exactly once in the user data", () => {
    const s = synthDoEnvironment(spec);
    const userData = dropletUserData(s, "web-pool");
    expect(userData).toMatch(/\n +GREETING=hello \$\$\{USER\} %%\{x\}\n/);
  });
});
