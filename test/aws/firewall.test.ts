import { Config, ref, specWith, synthAwsEnvironment } from "../helpers";
import { AWS_MANAGED_RULE_GROUPS } from "../../modules/aws/firewall";

/*
 * AWS WAF in front of the public load balancer (modules/aws/firewall.ts), read from the
 * synthesised JSON. The protections both clouds share: test/contract/contract.test.ts.
 */

const s = synthAwsEnvironment(specWith({ firewall: { requestsPerMinute: 300 } }));
const [[aclId, acl]] = Object.entries(s.resources("aws_wafv2_web_acl"));
const rules: Config[] = acl.rule;

describe("the AWS firewall", () => {
  it("is a regional web ACL on the public load balancer that allows what no rule blocks", () => {
    const [lbId] = Object.entries(s.resources("aws_lb")).find(([, lb]) => lb.internal !== true)!;
    expect(s.where("aws_wafv2_web_acl_association")).toEqual([expect.objectContaining({ resource_arn: ref(`aws_lb.${lbId}`, "arn"), web_acl_arn: ref(`aws_wafv2_web_acl.${aclId}`, "arn") })]);
    expect(acl).toMatchObject({ scope: "REGIONAL", default_action: { allow: {} } });
  });

  it("first blocks a client past the spec's requests a minute, counted by IP over 60 seconds", () => {
    expect(rules[0]).toMatchObject({ priority: 0, action: { block: {} }, statement: { rate_based_statement: { limit: 300, aggregate_key_type: "IP", evaluation_window_sec: 60 } } });
  });

  it("then runs AWS's managed groups for IP reputation, known bad inputs and common attacks, with their own actions", () => {
    const groups = rules.slice(1);
    expect(groups.map((r) => [r.priority, r.statement.managed_rule_group_statement.vendor_name, r.statement.managed_rule_group_statement.name])).toEqual(AWS_MANAGED_RULE_GROUPS.map((g, i) => [i + 1, "AWS", g]));
    for (const r of groups) expect(r.override_action).toEqual({ none: {} });
  });

  it("counts, not blocks, the core rule set's 8 KB body limit, which would refuse a Django form's upload", () => {
    const common = rules.find((r) => r.name === "AWSManagedRulesCommonRuleSet")!;
    expect(common.statement.managed_rule_group_statement.rule_action_override).toEqual([{ name: "SizeRestrictions_BODY", action_to_use: { count: {} } }]);
  });

  it("gives every rule, and the web ACL, CloudWatch metrics and sampled requests under its own name", () => {
    const names = [acl, ...rules].map((r) => r.visibility_config.metric_name);
    expect(new Set(names).size).toBe(names.length);
    for (const r of [acl, ...rules]) expect(r.visibility_config).toMatchObject({ cloudwatch_metrics_enabled: true, sampled_requests_enabled: true });
  });

  it("is not there without a firewall section", () => {
    expect(Object.keys(synthAwsEnvironment(specWith({})).resources("aws_wafv2_web_acl"))).toEqual([]);
  });
});
