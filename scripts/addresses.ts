/**
 * `npm run addresses:update`: records the stateful resource addresses of every shipped
 * stack in stateful-addresses.json. Run it after adding a database, bucket or cache, or
 * after a rename made safe with a `moved` block; review and commit the diff. CI only
 * reads the file (test/stacks/addresses.test.ts).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { environments } from "../environments";
import { ADDRESS_BOOK, AddressBook, statefulAddresses } from "../modules/stacks/addresses";
import { withScratchSynth } from "../modules/stacks/app";
import { cloudTiersStacks, writtenDocument } from "../modules/stacks/policy";

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
