import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RULES } from "../../modules/policy";

describe("the rule table of docs/safety.md", () => {
  const readme = readFileSync(join(__dirname, "..", "..", "docs", "safety.md"), "utf8");

  it("lists every rule with its title and clouds, and no rule that does not exist", () => {
    const rows = readme.split("\n").filter((l) => /^\| CT-/.test(l));
    expect(rows.map((l) => l.split("|")[1].trim())).toEqual(RULES.map((r) => r.id));
    for (const r of RULES) {
      const row = rows.find((l) => l.startsWith(`| ${r.id} |`))!;
      expect(row).toContain(r.title);
      expect(row).toContain(r.rationale);
      expect(row.includes("(production)")).toBe(r.productionOnly === true);
    }
  });
});
