import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { AppPlan, AppStack } from "./app";

/**
 * The line before a list of stacks: how many, where, and what selected them, so that a
 * selection left set in a shell (`CLOUDTIERS_STACKS`) shows. `verb`: "synthesised", ...
 */
export function selectionLine(plan: AppPlan, verb: string, where = ""): string {
  const chosen = plan.stacks.filter((s) => s.selected).length;
  const selection = plan.selection;
  const by = selection ? ` (selected by ${selection.source}: ${selection.patterns.join(",")})` : "";
  return `${verb} ${selection ? `${chosen} of ${plan.stacks.length}` : chosen} stacks${where}${by}:`;
}

/**
 * One line per stack: name, cloud, backend and, when counted, the resources its
 * synthesised document holds; aligned in columns.
 */
export function stackLines(stacks: readonly AppStack[], resources?: ReadonlyMap<string, number>): string[] {
  const digits = Math.max(0, ...[...(resources?.values() ?? [])].map((n) => String(n).length));
  const rows = stacks.map((s) => [s.name, s.cloud, s.backend, ...(resources ? [`${String(resources.get(s.name) ?? 0).padStart(digits)} resources`] : [])]);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i].length))) ?? [];
  return rows.map((r) => `  ${r.map((cell, i) => (i < r.length - 1 ? cell.padEnd(widths[i]) : cell)).join("  ")}`);
}

/** What `removeStaleStacks` did: the directories removed, and those kept, with why. */
export interface StaleStacks {
  readonly removed: readonly string[];
  readonly kept: readonly { readonly name: string; readonly why: string }[];
}

/**
 * Removes the stack directories under `<outdir>/stacks` that manifest.json no longer lists,
 * left by an earlier synth of more stacks (the cdktf CLI does the same after its synth), so
 * that what is beside the manifest is what it lists. Only a directory holding a synthesised
 * stack (cdk.tf.json or cdk.tf) is touched, and one holding a Terraform state file is kept.
 */
export function removeStaleStacks(outdir: string): StaleStacks {
  const listed = new Set(Object.keys(JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")).stacks ?? {}));
  const stacksDir = join(outdir, "stacks");
  const removed: string[] = [];
  const kept: { name: string; why: string }[] = [];
  const entries = existsSync(stacksDir) ? readdirSync(stacksDir, { withFileTypes: true }) : [];
  for (const entry of entries.filter((e) => e.isDirectory() && !listed.has(e.name))) {
    const dir = join(stacksDir, entry.name);
    const files = readdirSync(dir);
    if (!files.includes("cdk.tf.json") && !files.includes("cdk.tf")) continue;
    const state = files.find((f) => /\.tfstate(\.backup)?$/.test(f));
    if (state) {
      kept.push({ name: entry.name, why: `it holds ${state}` });
      continue;
    }
    rmSync(dir, { recursive: true, force: true });
    removed.push(entry.name);
  }
  return { removed: removed.sort(), kept };
}
