import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Wafv2WebAcl } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import { FirewallProps, IFirewall } from "../core";
import { AwsDnsFailover } from "./dns-failover";
import { AwsLoadBalancer } from "./load-balancer";
import { asAws } from "./shared";
import { webAclName } from "../naming/resource-names";

/**
 * AWS's managed rule groups that the firewall runs, in order after the rate limit: each is
 * free beyond the web ACL's own rule charge (the "AWS Managed Rules" baseline and IP
 * reputation groups, docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-list.html).
 */
export const AWS_MANAGED_RULE_GROUPS = ["AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesCommonRuleSet"] as const;

/**
 * The core rule set's rule that blocks request bodies over 8 KB, which would refuse a Django
 * form's file upload: counted, not blocked (nginx and Django hold the body's size).
 */
export const COUNTED_RULES: Readonly<Record<string, readonly string[]>> = { AWSManagedRulesCommonRuleSet: ["SizeRestrictions_BODY"] };

/** The window the rate limit counts over, in seconds (AWS WAF takes 60, 120, 300 or 600). */
const RATE_WINDOW_SECONDS = 60;

export interface AwsFirewallProps extends FirewallProps {
  /** The us-east-1 provider a CloudFront web ACL is made through (AWS WAF's rule for scope CLOUDFRONT). */
  readonly globalProvider: AwsProvider;
}

/**
 * AWS WAF in front of the site: a web ACL that blocks a client past the spec's requests a
 * minute, then runs AWS's managed rules for IP reputation, known bad inputs and common
 * attacks, allowing the rest; CloudWatch metrics and sampled requests for each rule. On the
 * public load balancer (scope REGIONAL); with the whole site behind CloudFront, on the
 * distribution (scope CLOUDFRONT, made in us-east-1), where the rate limit counts viewers:
 * behind CloudFront, the load balancer's clients are CloudFront's edges.
 */
export class AwsFirewall extends Construct implements IFirewall {
  public readonly gaps: IFirewall["gaps"] = {};
  public readonly webAcl: Wafv2WebAcl;

  constructor(scope: Construct, id: string, props: AwsFirewallProps) {
    super(scope, id);
    const lb = asAws(props.loadBalancer, AwsLoadBalancer, "load balancer");
    const site = asAws(props.site, AwsDnsFailover, "DNS record").site;
    const name = webAclName(props.namePrefix);
    const visibility = (metric: string) => ({ cloudwatchMetricsEnabled: true, metricName: `${name}-${metric}`, sampledRequestsEnabled: true });
    // Another address for the CloudFront ACL: the regional one it replaces is destroyed through its own provider.
    this.webAcl = new Wafv2WebAcl(this, site ? "cloudfront-web-acl" : "web-acl", {
      ...(site ? { provider: props.globalProvider } : {}),
      name,
      description: `${props.namePrefix}: before the ${site ? "CloudFront distribution" : "public load balancer"} of the site`,
      scope: site ? "CLOUDFRONT" : "REGIONAL",
      defaultAction: { allow: {} },
      rule: [
        {
          name: "rate-limit",
          priority: 0,
          action: { block: {} },
          // `statement` is typed any in the binding (too deeply nested): Terraform's own names.
          statement: { rate_based_statement: { limit: props.requestsPerMinute, aggregate_key_type: "IP", evaluation_window_sec: RATE_WINDOW_SECONDS } },
          visibilityConfig: visibility("rate-limit"),
        },
        ...AWS_MANAGED_RULE_GROUPS.map((group, i) => ({
          name: group,
          priority: i + 1,
          overrideAction: { none: {} },
          statement: {
            managed_rule_group_statement: {
              name: group,
              vendor_name: "AWS",
              ...(COUNTED_RULES[group] ? { rule_action_override: COUNTED_RULES[group].map((rule) => ({ name: rule, action_to_use: { count: {} } })) } : {}),
            },
          },
          visibilityConfig: visibility(group),
        })),
      ],
      visibilityConfig: visibility("all"),
      tags: { Name: name },
    });
    // A distribution takes its web ACL's ARN in web_acl_id (WAF's associations are for regional resources only).
    if (site) site.distribution.webAclId = this.webAcl.arn;
    else new Wafv2WebAclAssociation(this, "association", { resourceArn: lb.lb.arn, webAclArn: this.webAcl.arn });
  }
}
