/** `npm run settings`: what it does is its `--help`, declared below. */
import { environments } from "../environments";
import { withFastStackTraces } from "../modules/stacks/fast-synth";
import { formatSettings, settingsOf } from "../modules/stacks/settings";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { withBlockUnder } from "../tools/docs/marked-block";
import { SETTINGS_EXCERPT } from "../tools/generated";
import { STACK_SELECTION, runCommand } from "./command-line";

const SETTINGS_DOC = { ...SETTINGS_EXCERPT, file: join(__dirname, "..", SETTINGS_EXCERPT.page) };

runCommand(
  {
    name: "settings",
    args: "[stack pattern...]",
    description:
      "Prints the environment variables the Django application receives on each stack named (every one\n" +
      "without a pattern), each with where its value comes from: a stack output, the spec or a secret\n" +
      "store. Secrets print as where they live, never their value. Nothing is synthesised or written\n" +
      "unless --update-docs says so.",
    options: { "update-docs": { type: "boolean", description: `rewrite docs/application.md's copy of ${SETTINGS_DOC.stack}'s (the block under \`$ ${SETTINGS_DOC.command}\`)` } },
    environment: STACK_SELECTION,
  },
  ({ flag, positionals }) => {
    const updateDocs = flag("update-docs");
    const all = withFastStackTraces(() => settingsOf(environments, updateDocs ? [SETTINGS_DOC.stack] : positionals));
    const text = all.map(formatSettings).join("\n");
    if (!updateDocs) {
      process.stdout.write(text);
      return;
    }
    writeFileSync(SETTINGS_DOC.file, withBlockUnder(readFileSync(SETTINGS_DOC.file, "utf8"), SETTINGS_DOC.command, text));
    process.stdout.write(`docs/application.md: ${SETTINGS_DOC.stack}'s settings rewritten\n`);
  },
);
