/** `npm run list`: what it does is its `--help`, declared below. */
import { environments } from "../environments";
import { planApp } from "../modules/stacks/app";
import { selectionLine, stackLines } from "../modules/stacks/summary";
import { STACK_SELECTION, TERRAFORM_CLOUD_SETTINGS, cdktfContext, runCommand } from "./command-line";

runCommand(
  {
    name: "list",
    args: "[stack pattern...]",
    description:
      "Prints the stacks `npm run synth` would synthesise with the same patterns, one line each: its\n" +
      "cloud and where its state lives (a local file, or a Terraform Cloud organization and workspace).\n" +
      "Validates the specs but builds no stack and writes nothing: `npx cdktf list` synthesises them all.",
    environment: { ...STACK_SELECTION, ...TERRAFORM_CLOUD_SETTINGS },
  },
  ({ positionals }) => {
    const plan = planApp(environments, { select: positionals.length > 0 ? positionals : undefined, context: cdktfContext() });
    process.stdout.write(`${[selectionLine(plan, "would synthesise"), ...stackLines(plan.stacks.filter((s) => s.selected))].join("\n")}\n`);
  },
);
