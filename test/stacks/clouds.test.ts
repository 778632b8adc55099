import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { RULES } from "../../modules/policy";
import { CLOUDS } from "../../modules/stacks/clouds";
import { ENVIRONMENT_FIELDS } from "../../modules/stacks/validate";
import { CLOUD_MODULES_FOLDER } from "../../tools/registry/catalog";

const root = join(__dirname, "..", "..");

describe("the cloud registrations (CLOUDS)", () => {
  it("give each cloud its own id and its own spec sections, which are the spec's only cloud fields", () => {
    const ids = CLOUDS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    const sections = CLOUDS.flatMap((c) => c.sections);
    expect(new Set(sections).size).toBe(sections.length);
    expect(ENVIRONMENT_FIELDS.filter((f) => sections.includes(f))).toEqual(sections);
  });

  it("each have their Terraform modules listed in tools/registry/clouds/<id>.ts (empty when a cloud ships none), and no unregistered cloud has one", () => {
    expect(readdirSync(join(root, CLOUD_MODULES_FOLDER)).sort()).toEqual(CLOUDS.map((c) => `${c.id}.ts`).sort());
  });

  it("check only rules the policy pack has", () => {
    const ids = RULES.map((r) => r.id);
    for (const cloud of CLOUDS) expect({ cloud: cloud.id, unknown: Object.keys(cloud.policy.checks).filter((id) => !ids.includes(id)) }).toEqual({ cloud: cloud.id, unknown: [] });
  });

  it.each([
    ["dev-do", "@cdktf/provider-aws", "modules/aws/factory"],
    ["dev-aws", "@cdktf/provider-digitalocean", "modules/digitalocean/factory"],
  ])("load a cloud's provider classes and tiers with its first stack: building only %s loads no %s", (selected, binding, factory) => {
    const outdir = `require("node:os").tmpdir() + "/cloudtiers-clouds-only-" + process.pid`;
    const probe = `
      const { buildApp } = require("./modules/stacks/app");
      const { environments } = require("./environments");
      buildApp(environments, { outdir: ${outdir}, select: [${JSON.stringify(selected)}] }).synth();
      const loaded = Object.keys(require.cache).filter((f) => f.includes(${JSON.stringify(binding)}) || f.includes(${JSON.stringify(factory)}));
      require("node:fs").rmSync(${outdir}, { recursive: true, force: true });
      process.stdout.write(JSON.stringify(loaded));`;
    const run = spawnSync(process.execPath, ["--require", "./scripts/register-ts.cjs", "-e", probe], { cwd: root, encoding: "utf8", env: { ...process.env, CLOUDTIERS_STACKS: "" } });
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual([]);
  });

  it("load what the commands read stacks with (cost rules, diagram readers, preflight checks), and the tests' samples, only when asked: never in a synth", () => {
    const outdir = `require("node:os").tmpdir() + "/cloudtiers-clouds-probe-" + process.pid`;
    const probe = `
      const { buildApp } = require("./modules/stacks/app");
      const { environments } = require("./environments");
      buildApp(environments, { outdir: ${outdir} }).synth();
      const loaded = Object.keys(require.cache).map((f) => f.slice(process.cwd().length)).filter((f) => /\\/modules\\/(cost|diagram)\\/|\\/(cost|diagram|preflight|samples)\\.ts$|\\/tools\\//.test(f));
      require("node:fs").rmSync(${outdir}, { recursive: true, force: true });
      process.stdout.write(JSON.stringify(loaded));`;
    const run = spawnSync(process.execPath, ["--require", "./scripts/register-ts.cjs", "-e", probe], { cwd: root, encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual([]);
  });
});
