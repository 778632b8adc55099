/**
 * `npm run docs:environments`: writes docs/environments.md, the reference of every field of
 * an environment spec, from the doc comments of `EnvironmentSpec` and the interfaces it uses
 * (tools/docs/environments.ts). Refuses, naming each, when a field has no doc comment, an
 * optional field no `@default`, or an `@see` leads nowhere. A test fails while the file is
 * stale.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ENVIRONMENTS_DOC, ENVIRONMENTS_DOC_COMMAND, ROOT, readEnvironmentsReference, renderEnvironmentsReference } from "../tools/docs/environments";

const USAGE = `usage: ${ENVIRONMENTS_DOC_COMMAND}\n  writes ${ENVIRONMENTS_DOC} from the doc comments of EnvironmentSpec and the interfaces it uses`;

function main(args: string[]): number {
  let help: boolean | undefined;
  try {
    help = parseArgs({ args, strict: true, options: { help: { type: "boolean", short: "h" } } }).values.help;
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
    return 1;
  }
  if (help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  process.stdout.write("reading the doc comments of EnvironmentSpec...\n");
  const reference = readEnvironmentsReference();
  if (reference.problems.length > 0) {
    process.stderr.write(`${ENVIRONMENTS_DOC_COMMAND}: ${reference.problems.length} problem(s) in the doc comments; ${ENVIRONMENTS_DOC} is unchanged.\n`);
    for (const problem of reference.problems) process.stderr.write(`  ${problem}\n`);
    return 1;
  }
  writeFileSync(join(ROOT, ENVIRONMENTS_DOC), renderEnvironmentsReference(reference));
  const fields = reference.sections.reduce((n, s) => n + s.fields.length, 0);
  process.stdout.write(`wrote ${ENVIRONMENTS_DOC}: ${fields} fields in ${reference.sections.length} sections\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
