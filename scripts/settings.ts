/** `npm run settings`: what it does is its `--help`, declared below. */
import { environments } from "../environments";
import { withFastStackTraces } from "../modules/stacks/fast-synth";
import { formatSettings, settingsOf } from "../modules/stacks/settings";
import { STACK_SELECTION, runCommand } from "./command-line";

runCommand(
  {
    name: "settings",
    args: "[stack pattern...]",
    description:
      "Prints the environment variables the Django application receives on each stack named (every one\n" +
      "without a pattern), each with where its value comes from: a stack output, the spec or a secret\n" +
      "store. Secrets print as where they live, never their value. Nothing is synthesised or written.",
    environment: STACK_SELECTION,
  },
  ({ positionals }) => {
    const all = withFastStackTraces(() => settingsOf(environments, positionals));
    process.stdout.write(all.map(formatSettings).join("\n"));
  },
);
