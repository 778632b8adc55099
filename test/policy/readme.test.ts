import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RULES } from "../../modules/policy";
import { CLOUDS } from "../../modules/stacks/clouds";

describe("the rule table of docs/safety.md", () => {
  const readme = readFileSync(join(__dirname, "..", "..", "docs", "safety.md"), "utf8");

  it("lists every rule with its title, the clouds that check it and its rationale, and no rule that does not exist", () => {
    const rows = readme.split("\n").filter((l) => /^\| CT-/.test(l));
    expect(rows.map((l) => l.split("|")[1].trim())).toEqual(RULES.map((r) => r.id));
    for (const r of RULES) {
      const row = rows.find((l) => l.startsWith(`| ${r.id} |`))!;
      expect(row).toContain(r.title);
      expect(row).toContain(r.rationale);
      expect(row.includes("(production)")).toBe(r.productionOnly === true);
      // The clouds column: the registrations whose policy checks the rule.
      expect({ rule: r.id, clouds: row.split("|")[3].trim() }).toEqual({ rule: r.id, clouds: CLOUDS.filter((c) => c.policy.checks[r.id]).map((c) => c.id.toUpperCase()).join(", ") });
    }
  });
});
