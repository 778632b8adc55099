import { Resource, StackDocument } from "../policy/document";
import { PriceCloud, isPricedRegion, pricedRegions } from "./prices";
import { ALWAYS_NOT_INCLUDED, Charge, CloudCost, PricingContext, Rule, TIERS, Tier, chargeMonthly, chargeMonthlyMax } from "./rules";

/** The monthly cost of one synthesised stack. */
export interface StackCost {
  readonly stack: string;
  /** `aws` or `do`, the stack name's suffix. */
  readonly cloud: string;
  /** The cloud's name in the table: `AWS`. */
  readonly title: string;
  /** The region the stack's prices were looked up for. */
  readonly region: string;
  readonly charges: readonly Charge[];
  /** Per tier: the month at the pools' minimum sizes, and at their maximum. */
  readonly tiers: ReadonlyMap<Tier, { readonly min: number; readonly max: number }>;
  readonly total: number;
  readonly totalMax: number;
  /** Charges the estimate leaves out (usage-based, or outside the stack), never counted as zero. */
  readonly notIncluded: readonly string[];
}

/** The rule for `type`; throws when there is none, so a new resource type never costs $0 unnoticed. */
export function ruleFor(type: string, address: string, rules: Readonly<Record<string, Rule>>): Rule {
  const rule = rules[type];
  if (!rule) {
    throw new Error(
      `cost: no pricing rule for resource type "${type}" (${address}); add one to its cloud's cost rules (the registration's cost, e.g. modules/aws/cost.ts): priced (with its entries in prices.ts), free, or usage-only (listed as not included)`,
    );
  }
  return rule;
}

function pricingContext(doc: StackDocument, stack: string, region: string | undefined): PricingContext {
  const seen = new Set<string>();
  return {
    doc,
    get region() {
      if (!region) throw new Error(`cost: ${stack} has resources priced by region but names no region (its provider's)`);
      return region;
    },
    referenced(value: unknown): Resource | undefined {
      const match = typeof value === "string" ? /^\$\{([a-z0-9_]+)\.([^.}]+)\.[a-z_]+\}$/.exec(value) : null;
      if (!match) return undefined;
      return doc.resources(match[1]).find((r) => r.address === `${match[1]}.${match[2]}`);
    },
    once(key: string): boolean {
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    },
  };
}

const CLOUD_NAMES: Readonly<Record<PriceCloud, string>> = { aws: "AWS", digitalocean: "DigitalOcean", cloudflare: "Cloudflare" };
/** A price table cloud's name in a message: its own id for a cloud the names above do not know. */
const cloudName = (cloud: PriceCloud): string => CLOUD_NAMES[cloud] ?? cloud;

/** A stack in a region the price table has no entries for: refused by name, never priced with another region's figures. */
export class UnpricedRegionError extends Error {
  constructor(
    public readonly environment: string,
    public readonly stackName: string,
    public readonly cloud: PriceCloud,
    public readonly region: string,
  ) {
    super(
      `cost: environment "${environment}" (stack ${stackName}) is in ${cloudName(cloud)} region "${region}", which modules/cost/prices.ts has no prices for; ` +
        `priced ${cloudName(cloud)} regions: ${pricedRegions(cloud).join(", ")}. Record that region's list prices in prices.ts to estimate it`,
    );
    this.name = "UnpricedRegionError";
  }
}

/** The refusal of a stack of `cloud` in `region`, if the table cannot price it; undefined when it can. */
export function unpricedRegion(environment: string, stack: string, cloud: PriceCloud, region: string): UnpricedRegionError | undefined {
  return isPricedRegion(cloud, region) ? undefined : new UnpricedRegionError(environment, stack, cloud, region);
}

/**
 * Prices every resource of a synthesised stack of the cloud `cost` describes (its
 * registration's `cost()`); throws on a resource type with no rule, and (an
 * `UnpricedRegionError`) on a region the table has no prices for.
 */
export function estimateStack(doc: StackDocument, cost: CloudCost, stack: string, environment = stack.slice(0, stack.lastIndexOf("-"))): StackCost {
  const region = cost.region(doc, stack, environment);
  const ctx = pricingContext(doc, stack, region);
  const charges: Charge[] = [];
  const notIncluded = new Set<string>();
  for (const address of doc.addresses()) {
    const type = address.slice(0, address.indexOf("."));
    const rule = ruleFor(type, address, cost.rules);
    if ("usage" in rule && rule.usage) rule.usage.forEach((u) => notIncluded.add(u));
    if ("charges" in rule) {
      const resource = doc.resources(type).find((r) => r.address === address)!;
      charges.push(...rule.charges(resource, ctx));
    }
  }
  for (const type of Object.keys(doc.json.data ?? {})) {
    const note = cost.dataSourceNotes?.[type];
    if (note) notIncluded.add(note);
  }
  ALWAYS_NOT_INCLUDED.forEach((n) => notIncluded.add(n));
  const tiers = new Map<Tier, { min: number; max: number }>(TIERS.map((t) => [t, { min: 0, max: 0 }]));
  for (const c of charges) {
    const row = tiers.get(c.tier)!;
    row.min += chargeMonthly(c);
    row.max += chargeMonthlyMax(c);
  }
  return {
    stack,
    cloud: stack.slice(stack.lastIndexOf("-") + 1),
    title: cost.title,
    region: region ?? "global",
    charges,
    tiers,
    total: [...tiers.values()].reduce((s, t) => s + t.min, 0),
    totalMax: [...tiers.values()].reduce((s, t) => s + t.max, 0),
    notIncluded: [...notIncluded],
  };
}
