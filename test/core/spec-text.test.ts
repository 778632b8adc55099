import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ALLOWED_TEXT, encodeSpecText, formatIssue, literalSpec, plainSpecText, terraformSpecText } from "../../modules/core";
import { buildApp } from "../../modules/stacks/app";
import { validateEnvironment } from "../../modules/stacks/validate";
import { production } from "../../environments/production";
import { dropletUserData, specWith, synthAwsEnvironment, synthDoEnvironment } from "../helpers";

describe("spec text as marks", () => {
  const texts = ["plain", "${TfToken[TOKEN.1]}", "%{ if true }x%{ endif }", "$${x} %%{y}", "\uE000\uE001 mark-like", "$", "a$%{"];

  it("gives back every text as written", () => {
    for (const text of texts) expect(plainSpecText(encodeSpecText(text))).toBe(text);
  });

  it("writes no ${ or %{ that cdktf or Terraform would read, and Terraform's escapes for them in a document", () => {
    for (const text of texts) expect(encodeSpecText(text)).not.toMatch(/\$\{|%\{/);
    expect(terraformSpecText({ a: [encodeSpecText("${TfToken[TOKEN.1]} %{ x }")] })).toEqual({ a: ["$${TfToken[TOKEN.1]} %%{ x }"] });
    expect(terraformSpecText(encodeSpecText("\uE000\uE001"))).toBe("\uE000\uE001");
  });

  it("marks a spec's keys and values, and nothing else of it", () => {
    expect(literalSpec({ a: ["${x}"], "%{k}": 1, b: true, c: null })).toEqual({ a: [encodeSpecText("${x}")], [encodeSpecText("%{k}")]: 1, b: true, c: null });
  });
});

/** Issues of the shipped dev spec with `GREETING` set to `value`, as printed. */
const settingProblems = (value: string) => validateEnvironment(specWith({ application: { ...production.application, settings: { GREETING: value } } }), {}).map(formatIssue);

describe("characters that break a host's configuration are refused in every spec string", () => {
  const cases: [string, string][] = [
    ["\u0000", "U+0000 (NUL)"],
    ["\t", "U+0009 (tab)"],
    ["\n", "U+000A (line feed)"],
    ["\r", "U+000D (carriage return)"],
    ["\u001b", "U+001B (escape)"],
    ["\u0001", "U+0001 (control character)"],
    ["\u007f", "U+007F (DEL)"],
    ["\u0085", "U+0085 (next line (NEL))"],
    ["\u009f", "U+009F (control character)"],
    ["\u2028", "U+2028 (line separator)"],
    ["\u2029", "U+2029 (paragraph separator)"],
    ["\ufffe", "U+FFFE (noncharacter)"],
    ["\uffff", "U+FFFF (noncharacter)"],
    ["\ud800", "U+D800 (unpaired surrogate)"],
    ["\udc00", "U+DC00 (unpaired surrogate)"],
  ];

  it.each(cases)("%j is named as %s, with where it is and what is allowed", (character, named) => {
    expect(settingProblems(`hello${character}world`)).toContain(`dev: application.settings.GREETING must be ${ALLOWED_TEXT}; it has ${named} at character 6`);
  });

  it("allows any other character, astral ones included", () => {
    expect(settingProblems("héllo wörld ✓ 😀 \u00a0 \ufeff ${x}")).toEqual([]);
  });

  it("names the field in a list, and the object whose field's name holds one", () => {
    const spec = specWith({
      failover: { title: "Back\u2028soon" },
      digitalocean: { region: "fra1", sshKeys: ["12345", "1\u0085"] },
      application: { ...production.application, settings: { "A\u2029B": "x" } },
    });
    const problems = validateEnvironment(spec, {}).map(formatIssue);
    expect(problems).toContain(`dev: failover.title must be ${ALLOWED_TEXT}; it has U+2028 (line separator) at character 5`);
    expect(problems).toContain(`dev: digitalocean.sshKeys[1] must be ${ALLOWED_TEXT}; it has U+0085 (next line (NEL)) at character 2`);
    expect(problems).toContain(`dev: application.settings must be ${ALLOWED_TEXT}; the name of one of its fields, "A\\u2029B", has U+2029 (paragraph separator) at character 2`);
  });
});

describe("text cdktf or Terraform would evaluate reaches its destination as written", () => {
  const value = "a ${TfToken[TOKEN.1]} b ${TfToken[TOKEN.99999]} c ${aws_db_instance.x.password} d %{ if true }x%{ endif }";
  const escaped = "a $${TfToken[TOKEN.1]} b $${TfToken[TOKEN.99999]} c $${aws_db_instance.x.password} d %%{ if true }x%%{ endif }";
  const spec = specWith({ application: { ...production.application, settings: { GREETING: value } }, failover: { title: value, message: value } });

  it("AWS: a setting in the SSM parameter, the maintenance page in its object", () => {
    const s = synthAwsEnvironment(spec);
    expect(JSON.parse(s.one("aws_ssm_parameter", "web-pool").value).settings.GREETING).toBe(escaped);
    const page: string = s.where("aws_s3_object").find((o) => String(o.key).endsWith(".html"))!.content;
    expect(page).toContain(`<h1>${value.replace(/\$/g, "&#36;").replace(/%{/g, "%%{")}</h1>`);
  });

  it("DigitalOcean: a setting in the user data, the maintenance page in the Worker", () => {
    const s = synthDoEnvironment(spec);
    expect(dropletUserData(s, "web-pool")).toContain(`\n      GREETING=${escaped}\n`);
    expect(s.one("cloudflare_workers_script").content).toContain(`<h1>${value.replace(/\$/g, "&#36;").replace(/%{/g, "%%{")}</h1>`);
  });

  it("Terraform Cloud: a VCS branch in the workspace", () => {
    const outdir = mkdtempSync(join(tmpdir(), "cloudtiers-text-"));
    try {
      const vcs = { repository: "acme/shop", branch: value, oauthTokenId: "ot-abc" };
      buildApp([{ ...specWith(), terraformCloud: { organization: "acme", vcs } }], { outdir, env: {} }).synth();
      const bootstrap = JSON.parse(readFileSync(join(outdir, "stacks", "terraform-cloud-acme", "cdk.tf.json"), "utf8"));
      expect(Object.values<{ vcs_repo: { branch: string } }>(bootstrap.resource.tfe_workspace).map((w) => w.vcs_repo.branch)).toEqual([escaped, escaped]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
