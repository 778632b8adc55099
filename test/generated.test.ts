import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { GENERATED, REFRESH, staleHint } from "../tools/generated";

const root = join(__dirname, "..");
const scripts: Record<string, string> = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts;

describe("the generated files, refreshed by one command", () => {
  it(`${REFRESH} is an npm script, and each file's own command is one too`, () => {
    expect(scripts[REFRESH.replace(/^npm run /, "")]).toContain("scripts/refresh.ts");
    for (const g of GENERATED) expect({ what: g.what, script: scripts[g.command[0]] !== undefined }).toEqual({ what: g.what, script: true });
  });

  it.each(GENERATED.flatMap((g) => g.files))("%s is in the repository", (file) => {
    expect(existsSync(join(root, file))).toBe(true);
  });

  it("a stale file's failure names the command that refreshes it", () => {
    expect(staleHint("docs/cost.md")).toBe("docs/cost.md is stale: run `npm run refresh`, review the diff and commit it");
  });
});
