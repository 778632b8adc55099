import { Construct } from "constructs";
import { TerraformCount, TerraformIterator } from "cdktf";
import { DatabaseFirewall, DatabaseFirewallRule } from "@cdktf/provider-digitalocean/lib/database-firewall";
import { IPeer, isReference } from "../core";
import { tagOf } from "./shared";

const ONLY_ADMISSION = "DatabaseTrustedSources: a list of tags from a reference must be the only admission";

/**
 * The trusted sources of a managed database and of each of its read replicas (each node
 * has its own; one without any accepts every address): only the droplet tags it is told
 * about. Rule lists are rewritten whole on each admission, as the API replaces them whole.
 */
export class DatabaseTrustedSources extends Construct {
  private readonly nodes: DatabaseFirewall[] = [];
  private readonly rules: DatabaseFirewallRule[] = [];
  /** Rules of one node only, after the shared ones. */
  private readonly only = new Map<DatabaseFirewall, DatabaseFirewallRule[]>();
  private referencedTags?: string[];

  /** `nodes`: construct id → cluster or replica uuid; `guard` adds more. */
  constructor(scope: Construct, id: string, nodes: Readonly<Record<string, string>> = {}) {
    super(scope, id);
    for (const [node, clusterId] of Object.entries(nodes)) this.guard(node, clusterId);
  }

  /** The trusted sources of one more node, with the rules admitted so far; `meta` counts them with counted replicas. */
  public guard(node: string, clusterId: string, meta: { count?: TerraformCount } = {}): DatabaseFirewall {
    const firewall = new DatabaseFirewall(this, node, { ...meta, clusterId, rule: [...this.rules] });
    if (this.referencedTags) putTags(firewall, this.referencedTags);
    this.nodes.push(firewall);
    return firewall;
  }

  /** One per node (a counted one per counted set of replicas). */
  public get firewalls(): readonly DatabaseFirewall[] {
    return this.nodes;
  }

  public admit(peer: IPeer): void {
    this.admitTag(tagOf(peer));
  }

  /** Admits the droplets carrying `tag` to the node guarded by `firewall` alone (the primary, for the database setup). */
  public admitTagTo(firewall: DatabaseFirewall, tag: string): void {
    if (this.referencedTags) throw new Error(ONLY_ADMISSION);
    this.only.set(firewall, [...(this.only.get(firewall) ?? []), { type: "tag", value: tag }]);
    firewall.putRule(this.rulesOf(firewall));
  }

  /**
   * Admits the droplets carrying any of `tags`. A reference (a module's list) becomes a
   * `dynamic "rule"` block, one rule per tag, and must be the only admission.
   */
  public admitTags(tags: string[]): void {
    if (!isReference(tags)) {
      for (const tag of tags) this.admitTag(tag);
      return;
    }
    if (this.rules.length > 0 || this.referencedTags) throw new Error(ONLY_ADMISSION);
    this.referencedTags = tags;
    for (const firewall of this.firewalls) putTags(firewall, tags);
  }

  private admitTag(tag: string): void {
    if (this.referencedTags) throw new Error(ONLY_ADMISSION);
    this.rules.push({ type: "tag", value: tag });
    for (const firewall of this.firewalls) firewall.putRule(this.rulesOf(firewall));
  }

  /** Every rule of the node guarded by `firewall`: the shared ones, then its own. */
  private rulesOf(firewall: DatabaseFirewall): DatabaseFirewallRule[] {
    return [...this.rules, ...(this.only.get(firewall) ?? [])];
  }
}

/** One `tag` rule per item of a referenced list: a `dynamic "rule"` block. */
function putTags(firewall: DatabaseFirewall, tags: string[]): void {
  const each = TerraformIterator.fromList(tags);
  firewall.putRule(each.dynamic({ type: "tag", value: each.value }));
}
