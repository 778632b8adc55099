import { Construct } from "constructs";
import { Fn, ITerraformDependable, TerraformCount, Token } from "cdktf";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { IPeer, addressAt, isReference } from "../core";
import { IAwsPeer, securityGroupOf } from "./shared";
import { securityGroupPrefix } from "../naming/resource-names";

export interface TierSecurityGroupProps {
  readonly vpcId: string;
  /** The group's name, e.g. `shop-production-postgres`. */
  readonly name: string;
  readonly description: string;
}

function ruleId(direction: string, what: string, port: number | "all"): string {
  return `${direction}-${what.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}-${port}`;
}

/**
 * One tier's security group. It starts closed both ways; every opening is one
 * `aws_vpc_security_group_*_rule` naming its peer, so the chain internet → load balancer →
 * pool → database reads straight off the plan.
 */
export class TierSecurityGroup extends Construct {
  public readonly group: SecurityGroup;

  constructor(scope: Construct, id: string, props: TierSecurityGroupProps) {
    super(scope, id);
    this.group = new SecurityGroup(this, "group", {
      namePrefix: securityGroupPrefix(props.name),
      description: props.description,
      vpcId: props.vpcId,
      tags: { Name: props.name },
      lifecycle: { createBeforeDestroy: true },
    });
  }

  public get id(): string {
    return this.group.id;
  }

  /** This group as a peer named `name`, for rules between a tier's own groups. */
  public asPeer(name: string): IAwsPeer {
    return { peerName: name, securityGroupId: this.group.id };
  }

  /** Lets `peer`'s security group connect on `port`; returns the rule. */
  public allowFromPeer(peer: IPeer, port: number): ITerraformDependable {
    return this.tcpRule("from", peer.peerName, port, { referencedSecurityGroupId: securityGroupOf(peer) });
  }

  /**
   * Lets every security group in `ids` connect on `port`: one rule per group, made by
   * Terraform (`count`), so the list may be a reference (a module's variable).
   */
  public allowFromSecurityGroups(ids: string[], port: number): void {
    this.groupRules("from", ids, port);
  }

  /** Lets this group connect to every security group in `ids` on `port`; the list may be a reference. */
  public allowToSecurityGroups(ids: string[], port: number): void {
    this.groupRules("to", ids, port);
  }

  /**
   * One rule per group, by position (`count`) rather than by id (`for_each`): the ids of
   * groups made in the same apply (another module's output) are unknown at plan, and
   * Terraform needs `for_each` keys known then, but only a list's length for `count`.
   */
  private groupRules(direction: "from" | "to", ids: string[], port: number): void {
    const Rule = direction === "from" ? VpcSecurityGroupIngressRule : VpcSecurityGroupEgressRule;
    const count = TerraformCount.of(Fn.lengthOf(ids));
    const group = Token.asString(Fn.element(ids, count.index));
    new Rule(this, isReference(port) ? `${direction}-security-groups` : `${direction}-security-groups-${port}`, {
      count,
      securityGroupId: this.group.id,
      referencedSecurityGroupId: group,
      ipProtocol: "tcp",
      fromPort: port,
      toPort: port,
      description: `${group} on ${port}`,
    });
  }

  /** Lets the whole internet connect on `port` (public load balancers only). */
  public allowFromInternet(port: number): void {
    this.tcpRule("from", "internet", port, { cidrIpv4: "0.0.0.0/0" });
  }

  /**
   * Lets the addresses of an AWS-managed prefix list connect on `port`. A rule that names a
   * prefix list counts as the list's maximum entries against the group's rules quota (60
   * inbound by default), so one such rule per group is the safe number. `replaces`: the name
   * of the rule on `port` it takes over (a `moved` block), so the change is one modification.
   */
  public allowFromPrefixList(name: string, prefixListId: string, port: number, options: { replaces?: string } = {}): VpcSecurityGroupIngressRule {
    const rule = this.tcpRule("from", name, port, { prefixListId }) as VpcSecurityGroupIngressRule;
    // The rule a live group had for `replaces` becomes this one in place (EC2 modifies a rule's source).
    if (options.replaces) rule.moveFromId(addressAt(this, ruleId("from", options.replaces, port), "aws_vpc_security_group_ingress_rule"));
    return rule;
  }

  /** Lets this group connect to `peer`'s security group on `port`; returns the rule. */
  public allowToPeer(peer: IPeer, port: number): ITerraformDependable {
    return this.tcpRule("to", peer.peerName, port, { referencedSecurityGroupId: securityGroupOf(peer) });
  }

  /** Lets this group connect to any address on `port` (HTTPS to AWS's APIs through NAT); returns the rule. */
  public allowToInternet(port: number): ITerraformDependable {
    return this.tcpRule("to", "internet", port, { cidrIpv4: "0.0.0.0/0" });
  }

  private tcpRule(direction: "from" | "to", what: string, port: number, source: { referencedSecurityGroupId?: string; cidrIpv4?: string; prefixListId?: string }): ITerraformDependable {
    const Rule = direction === "from" ? VpcSecurityGroupIngressRule : VpcSecurityGroupEgressRule;
    return new Rule(this, ruleId(direction, what, port), {
      securityGroupId: this.group.id,
      ...source,
      ipProtocol: "tcp",
      fromPort: port,
      toPort: port,
      description: `${what} on ${port}`,
    });
  }

  /** Lets this group connect anywhere (hosts: packages, images, cloud APIs through NAT). */
  public allowToAnywhere(): void {
    new VpcSecurityGroupEgressRule(this, "to-anywhere", {
      securityGroupId: this.group.id,
      cidrIpv4: "0.0.0.0/0",
      ipProtocol: "-1",
      description: "outbound through NAT",
    });
  }
}
