/** `npm run policy`: what it does is its `--help`, declared below. */
import { environments } from "../environments";
import { formatReport } from "../modules/policy";
import { withScratchSynth } from "../modules/stacks/app";
import { checkPolicy } from "../modules/stacks/policy";
import { STACK_SELECTION, runCommand } from "./command-line";

runCommand(
  {
    name: "policy",
    args: "[stack pattern...]",
    description:
      "Synthesises the stacks named (every one without a pattern; `*` matches any run of characters) into a\n" +
      "scratch directory and prints each one's policy report: rules checked, passed, suppressed (with\n" +
      "reasons) and failed. Exits 1 when a stack fails a rule. Writes nothing.",
    environment: STACK_SELECTION,
  },
  ({ positionals }) => {
    const reports = withScratchSynth(environments, positionals, checkPolicy);
    for (const report of reports) process.stdout.write(formatReport(report));
    return reports.some((r) => r.failed.length > 0) ? 1 : 0;
  },
);
