import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = join(__dirname, "..");

/** Lints each text as if it were that file of the project, with ESLint's API in one process (its CLI takes a second to start). */
const LINT = `
const { ESLint } = require("eslint");
(async () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const probes = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
  const results = [];
  for (const { file, source } of probes) results.push((await eslint.lintText(source, { filePath: file }))[0].messages);
  process.stdout.write(JSON.stringify(results));
})().catch((e) => { console.error(e); process.exit(2); });
`;

/** The import rules' messages (import statements, `require` and `import()`) ESLint gives each source as if it were its file in the project. */
function importErrors(probes: { file: string; source: string }[]): string[][] {
  const run = spawnSync(process.execPath, ["-e", LINT], { cwd: root, input: JSON.stringify(probes), encoding: "utf8" });
  if (run.status !== 0) throw new Error(`eslint failed: ${run.stderr}`);
  const results = JSON.parse(run.stdout) as { ruleId: string; message: string }[][];
  return results.map((messages) => messages.filter((m) => m.ruleId === "no-restricted-imports" || m.ruleId === "no-restricted-syntax").map((m) => m.message));
}

describe("import rules", () => {
  // Assembled, so that no file of the project contains a barrel import, not even a test.
  const [aws, digitalocean] = ["aws", "digitalocean"].map((cloud) => ["@cdktf", `provider-${cloud}`].join("/"));
  const barrel = `import { S3Bucket } from "${aws}";\nimport * as lib from "${digitalocean}/lib";\nexport const x = [S3Bucket, lib];\n`;
  // Loaded lazily, as modules/stacks/clouds.ts loads each cloud's classes.
  const barrelLoaded = `export const load = () => [require("${aws}"), import("${digitalocean}/lib")];\n`;
  const deep = 'import { Vpc } from "@cdktf/provider-aws/lib/vpc";\nexport const v = Vpc;\n';
  const deepLoaded = 'export const load = () => require("@cdktf/provider-aws/lib/vpc");\n';
  const [barrelInCloud, barrelLoadedInStacks, deepInCloud, deepLoadedInCloud, deepInCore, deepInDjango, deepLoadedInCore] = importErrors([
    { file: "modules/aws/example.ts", source: barrel },
    { file: "modules/stacks/example.ts", source: barrelLoaded },
    { file: "modules/aws/example.ts", source: deep },
    { file: "modules/aws/example.ts", source: deepLoaded },
    { file: "modules/core/example.ts", source: deep },
    { file: "modules/django/example.ts", source: deep },
    { file: "modules/core/example.ts", source: deepLoaded },
  ]);

  it("forbid a provider package's barrel anywhere, imported, required or loaded with import()", () => {
    for (const errors of [barrelInCloud, barrelLoadedInStacks]) {
      expect(errors).toEqual([expect.stringContaining("Import provider classes from their deep path"), expect.stringContaining("Import provider classes from their deep path")]);
    }
  });

  it("allow deep imports in cloud modules", () => {
    expect(deepInCloud).toEqual([]);
    expect(deepLoadedInCloud).toEqual([]);
  });

  it("forbid any provider import in the neutral layers", () => {
    for (const errors of [deepInCore, deepInDjango, deepLoadedInCore]) expect(errors).toEqual([expect.stringContaining("cloud-neutral")]);
  });

  it("keep a cloud's folder out of the neutral layers and the engines, imported or required: they reach it through CLOUDS", () => {
    const probes = [
      { file: "modules/cost/example.ts", source: 'import { AWS_COST } from "../aws/cost";\nexport const c = AWS_COST;\n' },
      { file: "modules/stacks/example.ts", source: 'export const load = () => require("../digitalocean/diagram");\n' },
      { file: "modules/django/example.ts", source: 'import { NewCloudSettings } from "../newcloud/settings";\nexport type S = NewCloudSettings;\n' },
      { file: "modules/stacks/clouds.ts", source: 'import { AWS } from "../aws/cloud";\nexport const CLOUDS = [AWS];\n' },
      { file: "modules/policy/example.ts", source: 'import { StackDocument } from "./document";\nimport { SIZES } from "../core/sizes";\nexport const x = [StackDocument, SIZES];\n' },
    ];
    const [cost, stacks, django, registry, neutral] = importErrors(probes);
    for (const errors of [cost, stacks, django]) expect(errors).toEqual([expect.stringContaining("through its registration")]);
    expect([registry, neutral]).toEqual([[], []]);
  });
});
