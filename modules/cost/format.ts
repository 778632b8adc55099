import { StackCost } from "./estimate";
import { HOURS_PER_MONTH, monthly } from "./prices";
import { TIERS, chargeMonthly, chargeMonthlyMax } from "./rules";

function usd(n: number): string {
  return n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

function cell(min: number, max: number): string {
  if (min === 0 && max === 0) return "—";
  return max > min + 0.005 ? `${usd(min)} (max ${usd(max)})` : usd(min);
}

/**
 * One environment's clouds side by side: a row per tier, the total, then what is not
 * included on each cloud. With `details`, every priced line follows, with its quantity
 * and the table entry it uses.
 */
export function formatComparison(environment: string, costs: readonly StackCost[], details = false): string {
  const header = ["tier", ...costs.map((c) => `${c.title} (${c.region})`)];
  const rows = [
    ...TIERS.map((tier) => [tier, ...costs.map((c) => cell(c.tiers.get(tier)!.min, c.tiers.get(tier)!.max))]),
    ["total a month", ...costs.map((c) => cell(c.total, c.totalMax))],
  ];
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => r[i].length)));
  const line = (r: string[]) => r.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join("   ").trimEnd();
  const out = [
    `${environment}: monthly cost in USD, list prices, ${HOURS_PER_MONTH} hours a month; compute pools at their minimum size (max: at their maximum)`,
    "",
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.slice(0, -1).map(line),
    line(widths.map((w) => "-".repeat(w))),
    line(rows[rows.length - 1]),
    "—: nothing with a fixed monthly price (free, or charged by usage only: see below)",
  ];
  if (details) {
    for (const c of costs) {
      out.push("", `${c.stack}, priced lines:`);
      for (const ch of c.charges) {
        const quantity = ch.quantityMax !== undefined ? `${ch.quantity}..${ch.quantityMax}` : `${ch.quantity}`;
        const amount = chargeMonthlyMax(ch) !== chargeMonthly(ch) ? `${usd(chargeMonthly(ch))}..${usd(chargeMonthlyMax(ch))}` : usd(chargeMonthly(ch));
        out.push(`  ${ch.tier}: ${ch.description}: ${quantity} × ${ch.entry.amount} ${ch.entry.unit} ${ch.entry.unit.endsWith("hour") ? ` (${usd(monthly(ch.entry))}/month)` : ""} = ${amount}   [${ch.address}]`);
      }
    }
  }
  for (const c of costs) {
    out.push("", `Not included on ${c.title} (not counted, not zero):`);
    for (const n of c.notIncluded) out.push(`  - ${n}`);
  }
  return `${out.join("\n")}\n`;
}
