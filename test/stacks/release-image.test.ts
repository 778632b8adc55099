import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ValidationError, formatIssue } from "../../modules/core";
import { buildApp } from "../../modules/stacks/app";
import { releaseImageVariable } from "../../modules/stacks/release";
import { application } from "../../environments/defaults";
import { Config, decodeUserData, specBeside, specWith } from "../helpers";

/*
 * The image of a release comes from CI (CLOUDTIERS_IMAGE_<ENVIRONMENT>), without editing
 * the spec: validated like application.image, pinned by digest where the environment is
 * held to production rules, and output by the stack.
 */

const DIGEST = `sha256:${"4c".repeat(32)}`;
const RELEASE = `ghcr.io/acme/shop:2.0.0@${DIGEST}`;
const dev = specWith({ digitalocean: undefined });
const production = specBeside("eu-prod", 40, { production: true, application, digitalocean: undefined });

interface StackJson {
  output: Record<string, { value: string }>;
  resource: { aws_launch_template: Record<string, { user_data: string }> };
}

function synthesised(specs: Parameters<typeof buildApp>[0], env: Record<string, string>): { stack: (name: string) => StackJson; remove(): void } {
  const outdir = mkdtempSync(join(tmpdir(), "cloudtiers-release-"));
  buildApp(specs, { outdir, env }).synth();
  return {
    stack: (name) => JSON.parse(readFileSync(join(outdir, "stacks", name, "cdk.tf.json"), "utf8")),
    remove: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/** Every problem buildApp refuses `specs` for, as the CLI prints them. */
function problems(specs: Parameters<typeof buildApp>[0], env: Record<string, string>, outdir: string): string[] {
  try {
    buildApp(specs, { outdir, env });
  } catch (e) {
    if (e instanceof ValidationError) return e.issues.map(formatIssue);
    throw e;
  }
  return [];
}

describe("the release image CI gives an environment", () => {
  it("is named after the environment: capitals, - as _", () => {
    expect(releaseImageVariable("production")).toBe("CLOUDTIERS_IMAGE_PRODUCTION");
    expect(releaseImageVariable("eu-prod")).toBe("CLOUDTIERS_IMAGE_EU_PROD");
  });

  it("replaces application.image in that environment's stacks only, and the stack outputs it", () => {
    const out = synthesised([dev, production], { CLOUDTIERS_IMAGE_EU_PROD: RELEASE });
    try {
      const prod = out.stack("eu-prod-aws");
      expect(prod.output.application_image.value).toBe(RELEASE);
      const userData = Object.values(prod.resource.aws_launch_template).map((t) => decodeUserData(t as Config));
      expect(userData.filter((u) => u.includes("cloudtiers-app.service")).every((u) => u.includes(RELEASE) && !u.includes(application.image))).toBe(true);
      expect(out.stack("dev-aws").output.application_image.value).toBe(dev.application.image);
    } finally {
      out.remove();
    }
  });

  it("is ignored when empty (an unset CI variable)", () => {
    const out = synthesised([production], { CLOUDTIERS_IMAGE_EU_PROD: "" });
    try {
      expect(out.stack("eu-prod-aws").output.application_image.value).toBe(application.image);
    } finally {
      out.remove();
    }
  });

  it("refuses a malformed reference, naming the variable, before anything is written", () => {
    const outdir = join(tmpdir(), `cloudtiers-release-${process.pid}-bad`);
    expect(problems([production], { CLOUDTIERS_IMAGE_EU_PROD: "ghcr.io/acme/shop:2.0 ; rm -rf /" }, outdir)).toEqual([
      'eu-prod: CLOUDTIERS_IMAGE_EU_PROD must be a container image reference such as "ghcr.io/acme/shop@sha256:<64 hex digits>", got "ghcr.io/acme/shop:2.0 ; rm -rf /"',
    ]);
    expect(existsSync(outdir)).toBe(false);
  });

  it("must be pinned by digest in a production environment, from CI or in the spec; a tag is fine elsewhere", () => {
    const outdir = join(tmpdir(), `cloudtiers-release-${process.pid}-tag`);
    const tagged = "ghcr.io/acme/shop:2.0.0";
    const digestRule = (path: string, image: string) =>
      `eu-prod: ${path} must pin the image by digest in a production environment ("<image>@sha256:<64 hex digits>", e.g. the digest docker push prints), so every host and every rollback runs exactly the build that was tested; got "${image}". Set production: false to deploy a tag`;
    expect(problems([production], { CLOUDTIERS_IMAGE_EU_PROD: tagged }, outdir)).toEqual([digestRule("CLOUDTIERS_IMAGE_EU_PROD", tagged)]);
    const inSpec = specWith({ ...production, application: { ...application, image: tagged } });
    expect(problems([inSpec], {}, outdir)).toEqual([digestRule("application.image", tagged)]);
    // `production` unset means production rules too.
    expect(problems([{ ...inSpec, production: undefined }], {}, outdir)).toHaveLength(1);
    expect(existsSync(outdir)).toBe(false);
    expect(problems([{ ...inSpec, production: false }], {}, outdir)).toEqual([]);
    expect(problems([dev], { CLOUDTIERS_IMAGE_DEV: tagged }, outdir)).toEqual([]);
    rmSync(outdir, { recursive: true, force: true });
  });

  it("leaves a spec without a name to the rule that names the field, rather than failing on it", () => {
    const outdir = join(tmpdir(), `cloudtiers-release-${process.pid}-unnamed`);
    const unnamed = { ...production, environment: undefined as unknown as string };
    expect(problems([unnamed], {}, outdir)).toEqual(["(unnamed): environment must be lower-case letters, digits and hyphens, starting with a letter, got nothing"]);
    expect(existsSync(outdir)).toBe(false);
  });
});
