/**
 * `npm run settings [stack...]`: the environment variables the Django application receives
 * on each stack named (every one without a name; `*` matches any run of characters, as in
 * CLOUDTIERS_STACKS), each with where its value comes from: a stack output, the spec, or a
 * secret store. Values Terraform decides print as Terraform expressions; secrets print as
 * where they live, never their value. Nothing is synthesised or written.
 */
import { environments } from "../environments";
import { ValidationError, formatIssue } from "../modules/core";
import { withFastStackTraces } from "../modules/stacks/fast-synth";
import { formatSettings, settingsOf } from "../modules/stacks/settings";

try {
  const all = withFastStackTraces(() => settingsOf(environments, process.argv.slice(2)));
  process.stdout.write(all.map(formatSettings).join("\n"));
} catch (e) {
  if (!(e instanceof ValidationError)) throw e;
  for (const issue of e.issues) process.stderr.write(`${formatIssue(issue)}\n`);
  process.exitCode = 1;
}
