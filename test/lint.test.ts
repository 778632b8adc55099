import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = join(__dirname, "..");
const eslintBin = join(root, "node_modules", "eslint", "bin", "eslint.js");

/** The no-restricted-imports messages ESLint gives `source` as if it were `file` in the project. */
function importErrors(file: string, source: string): string[] {
  const run = spawnSync(process.execPath, [eslintBin, "--stdin", "--stdin-filename", file, "--format", "json"], { cwd: root, input: source, encoding: "utf8" });
  if (run.status !== 0 && run.status !== 1) throw new Error(`eslint failed: ${run.stderr}`);
  const [result] = JSON.parse(run.stdout) as { messages: { ruleId: string; message: string }[] }[];
  return result.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("import rules", () => {
  it("forbid a provider package's barrel anywhere", () => {
    // Assembled, so that no file of the project contains a barrel import, not even a test.
    const [aws, digitalocean] = ["aws", "digitalocean"].map((cloud) => ["@cdktf", `provider-${cloud}`].join("/"));
    const barrel = `import { S3Bucket } from "${aws}";\nimport * as lib from "${digitalocean}/lib";\nexport const x = [S3Bucket, lib];\n`;
    const errors = importErrors("modules/aws/example.ts", barrel);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toContain("Import provider classes from their deep path");
  });

  it("allow deep imports in cloud modules", () => {
    expect(importErrors("modules/aws/example.ts", 'import { Vpc } from "@cdktf/provider-aws/lib/vpc";\nexport const v = Vpc;\n')).toEqual([]);
  });

  it("forbid any provider import in the neutral layers", () => {
    const deep = 'import { Vpc } from "@cdktf/provider-aws/lib/vpc";\nexport const v = Vpc;\n';
    for (const file of ["modules/core/example.ts", "modules/django/example.ts"]) {
      expect(importErrors(file, deep)).toEqual([expect.stringContaining("cloud-neutral")]);
    }
  });
});
