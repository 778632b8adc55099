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

/** The no-restricted-imports messages ESLint gives each source as if it were its file in the project. */
function importErrors(probes: { file: string; source: string }[]): string[][] {
  const run = spawnSync(process.execPath, ["-e", LINT], { cwd: root, input: JSON.stringify(probes), encoding: "utf8" });
  if (run.status !== 0) throw new Error(`eslint failed: ${run.stderr}`);
  const results = JSON.parse(run.stdout) as { ruleId: string; message: string }[][];
  return results.map((messages) => messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message));
}

describe("import rules", () => {
  // Assembled, so that no file of the project contains a barrel import, not even a test.
  const [aws, digitalocean] = ["aws", "digitalocean"].map((cloud) => ["@cdktf", `provider-${cloud}`].join("/"));
  const barrel = `import { S3Bucket } from "${aws}";\nimport * as lib from "${digitalocean}/lib";\nexport const x = [S3Bucket, lib];\n`;
  const deep = 'import { Vpc } from "@cdktf/provider-aws/lib/vpc";\nexport const v = Vpc;\n';
  const [barrelInCloud, deepInCloud, deepInCore, deepInDjango] = importErrors([
    { file: "modules/aws/example.ts", source: barrel },
    { file: "modules/aws/example.ts", source: deep },
    { file: "modules/core/example.ts", source: deep },
    { file: "modules/django/example.ts", source: deep },
  ]);

  it("forbid a provider package's barrel anywhere", () => {
    expect(barrelInCloud).toHaveLength(2);
    expect(barrelInCloud[0]).toContain("Import provider classes from their deep path");
  });

  it("allow deep imports in cloud modules", () => {
    expect(deepInCloud).toEqual([]);
  });

  it("forbid any provider import in the neutral layers", () => {
    for (const errors of [deepInCore, deepInDjango]) expect(errors).toEqual([expect.stringContaining("cloud-neutral")]);
  });
});
