/** `npm run policy`: what it does is its `--help`, declared below. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { environments } from "../environments";
import { formatReport } from "../modules/policy";
import { withScratchSynth } from "../modules/stacks/app";
import { CLOUDS } from "../modules/stacks/clouds";
import { checkPolicy } from "../modules/stacks/policy";
import { POLICY_DOC, policyRulesTable, withPolicyRulesTable } from "../tools/docs/policy-rules";
import { STACK_SELECTION, runCommand } from "./command-line";

runCommand(
  {
    name: "policy",
    args: "[stack pattern...]",
    description:
      "Synthesises the stacks named (every one without a pattern; `*` matches any run of characters) into a\n" +
      "scratch directory and prints each one's policy report: rules checked, passed, suppressed (with\n" +
      "reasons) and failed. Exits 1 when a stack fails a rule. Writes nothing, unless asked to update the docs.",
    options: {
      "update-docs": { type: "boolean", description: `rewrite ${POLICY_DOC}'s table of the rules and the clouds that check each (synthesises nothing)` },
    },
    environment: STACK_SELECTION,
  },
  ({ flag, positionals }) => {
    if (flag("update-docs")) {
      const page = join(__dirname, "..", POLICY_DOC);
      writeFileSync(page, withPolicyRulesTable(readFileSync(page, "utf8"), policyRulesTable(CLOUDS)));
      process.stdout.write(`${POLICY_DOC}: the table of the policy rules rewritten\n`);
      return 0;
    }
    const reports = withScratchSynth(environments, positionals, checkPolicy);
    for (const report of reports) process.stdout.write(formatReport(report));
    return reports.some((r) => r.failed.length > 0) ? 1 : 0;
  },
);
