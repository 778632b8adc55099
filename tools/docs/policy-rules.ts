/**
 * docs/safety.md's table of the policy rules, drawn from the rule pack and the cloud
 * registrations, so a new rule or a new cloud's checks change the table with them
 * (`npm run policy -- --update-docs` rewrites it between its two markers; a test holds the
 * page to it).
 */
import { RULES } from "../../modules/policy";
import type { CloudAdapter } from "../../modules/stacks/clouds";
import { withMarkedBlock } from "./marked-block";

export const POLICY_DOC = "docs/safety.md";
export const POLICY_TABLE_START = "<!-- the policy rules: written by npm run policy -- --update-docs from modules/policy/rules.ts and each cloud's checks -->";
export const POLICY_TABLE_END = "<!-- end of the policy rules -->";

/** The table, with its markers: each rule, and the registered clouds that check it. */
export function policyRulesTable(clouds: readonly CloudAdapter[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [
    POLICY_TABLE_START,
    line(["id", "rule", "clouds", "why"]),
    "|---|---|---|---|",
    ...RULES.map((r) => line([r.id, `${r.title}${r.productionOnly ? " (production)" : ""}`, clouds.filter((c) => c.policy.checks[r.id]).map((c) => c.id.toUpperCase()).join(", "), r.rationale])),
    POLICY_TABLE_END,
  ].join("\n");
}

/** `page` (docs/safety.md) with its table replaced by `table`; throws when the markers are missing. */
export const withPolicyRulesTable = (page: string, table: string): string => withMarkedBlock(page, POLICY_DOC, POLICY_TABLE_START, POLICY_TABLE_END, table);
