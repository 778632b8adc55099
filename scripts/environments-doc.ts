/** `npm run docs:environments`: what it does is its `--help`, declared below; the work is in tools/docs/environments.ts. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ENVIRONMENTS_DOC, ENVIRONMENTS_DOC_COMMAND, ROOT, readEnvironmentsReference, renderEnvironmentsReference } from "../tools/docs/environments";
import { environments } from "../environments";
import { shippedEnvironmentsTable, withShippedTable } from "../tools/docs/shipped-environments";
import { runCommand } from "./command-line";

runCommand(
  {
    name: ENVIRONMENTS_DOC_COMMAND.replace(/^npm run /, ""),
    description:
      `Writes ${ENVIRONMENTS_DOC}, the reference of every field of an environment spec, from the doc\n` +
      "comments of EnvironmentSpec and the interfaces it uses, and the README's table of the shipped\n" +
      "environments from environments/. Refuses, naming each, when a field has no\n" +
      "doc comment, an optional field no @default, or an @see leads nowhere. A test fails while the file\n" +
      "is stale.",
  },
  () => {
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
    const readme = join(ROOT, "README.md");
    writeFileSync(readme, withShippedTable(readFileSync(readme, "utf8"), shippedEnvironmentsTable(environments)));
    process.stdout.write(`wrote README.md: the table of the ${environments.length} shipped environments\n`);
    return 0;
  },
);
