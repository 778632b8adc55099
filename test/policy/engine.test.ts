import { RULES, StackDocument, evaluatePolicy, formatReport } from "../../modules/policy";
import { AWS, DIGITALOCEAN } from "../../modules/stacks/clouds";

const failing = new StackDocument({
  resource: {
    aws_db_instance: { db: { identifier: "db", publicly_accessible: false, storage_encrypted: true, backup_retention_period: 7, multi_az: false } },
  },
});
const rules = RULES.filter((r) => ["CT-DB-001", "CT-DB-002", "CT-DB-004"].includes(r.id));

describe("the policy engine", () => {
  it("checks production-only rules in production only", () => {
    expect(evaluatePolicy(failing, { stack: "qa-aws", cloud: AWS.policy, production: false, rules }).checked).toEqual(["CT-DB-001", "CT-DB-002"]);
    expect(evaluatePolicy(failing, { stack: "prod-aws", cloud: AWS.policy, production: true, rules }).checked).toEqual(["CT-DB-001", "CT-DB-002", "CT-DB-004"]);
  });

  it("fails a finding unless a suppression for that rule and resource gives a reason, which the report shows", () => {
    const failed = evaluatePolicy(failing, { stack: "prod-aws", cloud: AWS.policy, production: true, rules });
    expect(failed.failed).toEqual([{ rule: "CT-DB-004", resource: "aws_db_instance.db", message: "multi_az is not true" }]);
    const reason = "a single-zone pilot; the standby comes with the first customer";
    const waived = evaluatePolicy(failing, {
      stack: "prod-aws",
      cloud: AWS.policy,
      production: true,
      rules,
      suppressions: [{ rule: "CT-DB-004", resource: "aws_db_instance.db", reason }],
    });
    expect(waived.failed).toEqual([]);
    expect(waived.passed).toEqual(["CT-DB-001", "CT-DB-002", "CT-DB-004"]);
    expect(formatReport(waived)).toBe(
      "prod-aws: 3 rules checked, 3 passed, 1 suppressed, 0 failed\n" +
        "  passed: CT-DB-001, CT-DB-002, CT-DB-004\n" +
        `  suppressed CT-DB-004 aws_db_instance.db: multi_az is not true (reason: ${reason})\n`,
    );
  });

  it("fails a suppression that matches nothing, so stale ones do not linger", () => {
    const report = evaluatePolicy(failing, {
      stack: "prod-aws",
      cloud: AWS.policy,
      production: true,
      rules,
      suppressions: [
        { rule: "CT-DB-004", resource: "aws_db_instance.db", reason: "pilot environment, single zone" },
        { rule: "CT-DB-001", resource: "aws_db_instance.db", reason: "it is private anyway, this is stale" },
      ],
    });
    expect(report.failed).toEqual([
      { rule: "CT-DB-001", resource: "aws_db_instance.db", message: "is suppressed, but the rule finds nothing there: remove the suppression" },
    ]);
    expect(formatReport(report)).toContain("  FAILED CT-DB-001 aws_db_instance.db: is suppressed, but the rule finds nothing there: remove the suppression\n");
  });

  it("checks only the rules a cloud can express", () => {
    const doRules = RULES.filter((r) => DIGITALOCEAN.policy.checks[r.id]).map((r) => r.id);
    expect(evaluatePolicy(new StackDocument({}), { stack: "x-do", cloud: DIGITALOCEAN.policy, production: true }).checked).toEqual(doRules);
    expect(doRules).not.toContain("CT-VM-001");
  });
});
