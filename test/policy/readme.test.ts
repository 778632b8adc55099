import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CLOUDS } from "../../modules/stacks/clouds";
import { POLICY_DOC, policyRulesTable, withPolicyRulesTable } from "../../tools/docs/policy-rules";
import { staleHint } from "../../tools/generated";

describe("the rule table of docs/safety.md", () => {
  const page = readFileSync(join(__dirname, "..", "..", POLICY_DOC), "utf8");

  it("is the rule pack's: each rule's id, title, the registered clouds that check it and rationale, as npm run policy -- --update-docs writes it", () => {
    const refresh = staleHint(POLICY_DOC);
    expect({ upToDate: withPolicyRulesTable(page, policyRulesTable(CLOUDS)) === page, refresh }).toEqual({ upToDate: true, refresh });
  });
});
