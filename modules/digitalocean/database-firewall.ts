import { Construct } from "constructs";
import { DatabaseFirewall, DatabaseFirewallRule } from "@cdktf/provider-digitalocean/lib/database-firewall";
import { IPeer } from "../core";
import { tagOf } from "./shared";

/**
 * The trusted sources of a managed database: only the droplet tags it is told about. The
 * rule list is rewritten whole on each admission, as the API replaces it whole.
 */
export class DatabaseTrustedSources extends Construct {
  public readonly firewall: DatabaseFirewall;
  private readonly rules: DatabaseFirewallRule[] = [];

  constructor(scope: Construct, id: string, clusterId: string) {
    super(scope, id);
    this.firewall = new DatabaseFirewall(this, "firewall", { clusterId, rule: [] });
  }

  public admit(peer: IPeer): void {
    this.rules.push({ type: "tag", value: tagOf(peer) });
    this.firewall.putRule([...this.rules]);
  }
}
