/**
 * `npm run addresses:update`: records the stateful resource addresses of every shipped
 * stack in stateful-addresses.json. Run it after adding a database, bucket or cache, or
 * after a rename made safe with a `moved` block; review and commit the diff. CI only
 * reads the file (test/stacks/addresses.test.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { environments } from "../environments";
import { PolicyCloud, StackDocument } from "../modules/policy";
import { ADDRESS_BOOK, AddressBook, statefulAddresses } from "../modules/stacks/addresses";
import { buildApp } from "../modules/stacks/app";
import { withFastStackTraces } from "../modules/stacks/fast-synth";
import { cloudTiersStacks, stackFile } from "../modules/stacks/policy";

const outdir = mkdtempSync(join(tmpdir(), "cloudtiers-addresses-"));
try {
  const book: AddressBook = withFastStackTraces(() => {
    // Every stack, whatever the shell selects; addresses do not depend on the backend.
    const app = buildApp(environments, { outdir, env: {} });
    app.synth();
    return Object.fromEntries(
      cloudTiersStacks(app)
        .map((s) => [s.node.id, statefulAddresses(StackDocument.parse(readFileSync(stackFile(app, s), "utf8")), s.cloud.id as PolicyCloud)] as const)
        .sort(([a], [b]) => a.localeCompare(b)),
    );
  });
  writeFileSync(join(__dirname, "..", ADDRESS_BOOK), `${JSON.stringify(book, null, 2)}\n`);
  process.stdout.write(`recorded ${Object.values(book).flat().length} stateful addresses of ${Object.keys(book).length} stacks in ${ADDRESS_BOOK}\n`);
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
