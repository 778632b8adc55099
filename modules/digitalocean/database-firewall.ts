import { Construct } from "constructs";
import { DatabaseFirewall, DatabaseFirewallRule } from "@cdktf/provider-digitalocean/lib/database-firewall";
import { IPeer } from "../core";
import { tagOf } from "./shared";

/**
 * The trusted sources of a managed database and of each of its read replicas (each node
 * has its own; one without any accepts every address): only the droplet tags it is told
 * about. Rule lists are rewritten whole on each admission, as the API replaces them whole.
 */
export class DatabaseTrustedSources extends Construct {
  public readonly firewalls: readonly DatabaseFirewall[];
  private readonly rules: DatabaseFirewallRule[] = [];

  /** `nodes`: construct id → cluster or replica uuid. */
  constructor(scope: Construct, id: string, nodes: Readonly<Record<string, string>>) {
    super(scope, id);
    this.firewalls = Object.entries(nodes).map(([node, clusterId]) => new DatabaseFirewall(this, node, { clusterId, rule: [] }));
  }

  public admit(peer: IPeer): void {
    this.rules.push({ type: "tag", value: tagOf(peer) });
    for (const firewall of this.firewalls) firewall.putRule([...this.rules]);
  }
}
