/** `npm run addresses:update`: what it does is its `--help`, declared below. CI only reads the file (test/stacks/addresses.test.ts). */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { environments } from "../environments";
import { ADDRESS_BOOK, AddressBook, statefulAddresses } from "../modules/stacks/addresses";
import { withScratchSynth } from "../modules/stacks/app";
import { cloudTiersStacks, writtenDocument } from "../modules/stacks/policy";
import { runCommand } from "./command-line";

runCommand(
  {
    name: "addresses:update",
    description:
      `Records the stateful resource addresses of every shipped stack in ${ADDRESS_BOOK}, whatever the\n` +
      "shell selects. Run it after adding a database, bucket or cache, or after a rename made safe with a\n" +
      "`moved` block; review and commit the diff.",
  },
  () => {
    // Every stack, whatever the shell selects; addresses do not depend on the backend.
    const book: AddressBook = withScratchSynth(
      environments,
      [],
      (app) =>
        Object.fromEntries(
          cloudTiersStacks(app)
            .map((s) => [s.node.id, statefulAddresses(writtenDocument(app, s), s.cloud)] as const)
            .sort(([a], [b]) => a.localeCompare(b)),
        ),
      {},
    );
    writeFileSync(join(__dirname, "..", ADDRESS_BOOK), `${JSON.stringify(book, null, 2)}\n`);
    process.stdout.write(`recorded ${Object.values(book).flat().length} stateful addresses of ${Object.keys(book).length} stacks in ${ADDRESS_BOOK}\n`);
  },
);
