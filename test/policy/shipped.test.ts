import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { environments } from "../../environments";
import { RULES } from "../../modules/policy";
import { buildApp } from "../../modules/stacks/app";
import { AWS } from "../../modules/stacks/clouds";
import { checkPolicy } from "../../modules/stacks/policy";
import { SHIPPED_STACKS } from "../helpers";

describe("the shipped environments against the policy pack", () => {
  it("pass every rule that applies, with nothing suppressed", () => {
    const outdir = mkdtempSync(join(tmpdir(), "cloudtiers-policy-"));
    try {
      const app = buildApp(environments, { outdir });
      app.synth();
      const reports = checkPolicy(app);
      expect(reports.map((r) => r.stack)).toEqual(SHIPPED_STACKS.map((s) => s.name));
      for (const r of reports) {
        expect({ stack: r.stack, failed: r.failed, suppressed: r.suppressed }).toEqual({ stack: r.stack, failed: [], suppressed: [] });
        expect(r.passed).toEqual(r.checked);
      }
      // Production is held to every rule its cloud can express.
      const production = reports.find((r) => r.stack === "production-aws")!;
      expect(production.checked).toEqual(RULES.filter((rule) => AWS.policy.checks[rule.id]).map((rule) => rule.id));
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
