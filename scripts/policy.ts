/**
 * `npm run policy [stack...]`: synthesises the shipped stacks (every one, or those named;
 * `*` matches any run of characters, as in CLOUDTIERS_STACKS) into a scratch directory and
 * prints each one's policy report: rules checked, passed, suppressed (with reasons) and
 * failed. Exits 1 when any stack has a failure. `npm run synth` applies the same rules and
 * refuses to write a failing stack.
 */
import { environments } from "../environments";
import { ValidationError, formatIssue } from "../modules/core";
import { formatReport } from "../modules/policy";
import { withScratchSynth } from "../modules/stacks/app";
import { checkPolicy } from "../modules/stacks/policy";

try {
  const reports = withScratchSynth(environments, process.argv.slice(2), checkPolicy);
  for (const report of reports) process.stdout.write(formatReport(report));
  process.exitCode = reports.some((r) => r.failed.length > 0) ? 1 : 0;
} catch (e) {
  if (!(e instanceof ValidationError)) throw e;
  for (const issue of e.issues) process.stderr.write(`${formatIssue(issue)}\n`);
  process.exitCode = 1;
}
