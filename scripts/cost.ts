/** `npm run cost`: what it does is its `--help`, declared below. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { environments } from "../environments";
import { StackCost, UnpricedRegionError, estimateStack, formatComparison } from "../modules/cost";
import { withScratchSynth } from "../modules/stacks/app";
import { cloudTiersStacks, writtenDocument } from "../modules/stacks/policy";
import { withBlockUnder } from "../tools/docs/marked-block";
import { STACK_SELECTION, runCommand } from "./command-line";

const COST_DOC = join(__dirname, "..", "docs", "cost.md");
const DOC_COMMAND = "npm run cost production";

runCommand(
  {
    name: "cost",
    args: "[environment|stack pattern...]",
    description:
      "Synthesises the stacks (every environment, or those named: an environment's name, or stack\n" +
      "patterns, `*` matching any run of characters) into a scratch directory and prints each\n" +
      "environment's monthly cost on each cloud, side by side, per tier, from the price table in\n" +
      "modules/cost/prices.ts; then what the estimate leaves out. Exits 1 when a resource has no pricing\n" +
      "rule or no price, or a stack's region has no prices in the table, saying which.",
    options: {
      details: { type: "boolean", description: "each resource's cost, not only each tier's" },
      "update-docs": { type: "boolean", description: "rewrite docs/cost.md's copy of production's table (the block under `$ npm run cost production`)" },
    },
    environment: STACK_SELECTION,
  },
  ({ flag, positionals }) => {
    const details = flag("details");
    const updateDocs = flag("update-docs");
    const names = environments.map((e) => e.environment);
    const select = updateDocs ? ["production-*"] : positionals.map((a) => (names.includes(a) ? `${a}-*` : a));
    let byEnvironment: Map<string, StackCost[]>;
    try {
      byEnvironment = withScratchSynth(environments, select, (app) => {
        const costs = new Map<string, StackCost[]>();
        for (const stack of cloudTiersStacks(app)) {
          const cost = estimateStack(writtenDocument(app, stack), stack.cloud.cost(), stack.node.id, stack.spec.environment);
          costs.set(stack.spec.environment, [...(costs.get(stack.spec.environment) ?? []), cost]);
        }
        return costs;
      });
    } catch (e) {
      // An unpriced region, type or item: the message says which, and where to add it.
      if (!(e instanceof UnpricedRegionError || (e instanceof Error && e.message.startsWith("cost: ")))) throw e;
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    const text = [...byEnvironment].map(([environment, costs]) => formatComparison(environment, costs, details)).join("\n");
    if (!updateDocs) {
      process.stdout.write(text);
      return 0;
    }
    writeFileSync(COST_DOC, withBlockUnder(readFileSync(COST_DOC, "utf8"), DOC_COMMAND, text));
    process.stdout.write(`docs/cost.md: production's table rewritten\n`);
    return 0;
  },
);
