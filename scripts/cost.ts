/**
 * `npm run cost [environment|stack...] [--details]`: synthesises the shipped stacks (every
 * environment, or those named: an environment's name, or stack patterns as in
 * CLOUDTIERS_STACKS, `*` matching any run of characters) into a scratch directory and
 * prints each environment's monthly cost on each cloud, side by side, per tier, from the
 * price table in modules/cost/prices.ts; then what the estimate leaves out. Exits 1 when
 * a resource has no pricing rule or no price, and, saying which, when a stack's region has
 * no prices in the table. `--update-docs` rewrites docs/cost.md's copy of production's
 * table (the block under `$ npm run cost production`), which a test holds to this output.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { environments } from "../environments";
import { ValidationError, formatIssue } from "../modules/core";
import { StackCost, UnpricedRegionError, estimateStack, formatComparison } from "../modules/cost";
import { withScratchSynth } from "../modules/stacks/app";
import { cloudTiersStacks, writtenDocument } from "../modules/stacks/policy";

const args = process.argv.slice(2);
const details = args.includes("--details");
const updateDocs = args.includes("--update-docs");
const names = environments.map((e) => e.environment);
const select = updateDocs ? ["production-*"] : args.filter((a) => a !== "--details").map((a) => (names.includes(a) ? `${a}-*` : a));
const COST_DOC = join(__dirname, "..", "docs", "cost.md");
const DOC_COMMAND = "$ npm run cost production\n";
try {
  const byEnvironment = withScratchSynth(environments, select, (app) => {
    const costs = new Map<string, StackCost[]>();
    for (const stack of cloudTiersStacks(app)) {
      const cost = estimateStack(writtenDocument(app, stack), stack.cloud.cost(), stack.node.id, stack.spec.environment);
      costs.set(stack.spec.environment, [...(costs.get(stack.spec.environment) ?? []), cost]);
    }
    return costs;
  });
  const text = [...byEnvironment].map(([environment, costs]) => formatComparison(environment, costs, details)).join("\n");
  if (updateDocs) {
    // The block under the command, up to the fence that closes it.
    const doc = readFileSync(COST_DOC, "utf8");
    const start = doc.indexOf(DOC_COMMAND);
    const end = start < 0 ? -1 : doc.indexOf("\n```", start);
    if (start < 0 || end < 0) throw new Error(`cost: docs/cost.md has no block under "${DOC_COMMAND.trim()}" to rewrite`);
    writeFileSync(COST_DOC, `${doc.slice(0, start + DOC_COMMAND.length)}${text.trimEnd()}${doc.slice(end)}`);
    process.stdout.write(`docs/cost.md: production's table rewritten\n`);
  } else {
    process.stdout.write(text);
  }
} catch (e) {
  if (e instanceof UnpricedRegionError || (e instanceof Error && e.message.startsWith("cost: "))) {
    // An unpriced region, type or item: the message says which, and where to add it.
    process.stderr.write(`${e.message}\n`);
  } else if (e instanceof ValidationError) {
    for (const issue of e.issues) process.stderr.write(`${formatIssue(issue)}\n`);
  } else {
    throw e;
  }
  process.exitCode = 1;
}
