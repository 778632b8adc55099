/**
 * `npm run refresh`: rewrites every generated file the tests hold to the code (the address
 * record, the README's diagrams, docs/cost.md's table, the environments reference;
 * tools/generated.ts lists them), one
 * after another, printing each as it goes. Run it after changing an environment, a price
 * or a tier; review the diff and commit it.
 */
import { spawnSync } from "node:child_process";
import { GENERATED } from "../tools/generated";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const root = `${__dirname}/..`;
let failed = 0;
GENERATED.forEach((g, i) => {
  process.stdout.write(`[${i + 1}/${GENERATED.length}] ${g.what}: npm run ${g.command.join(" ")}\n`);
  const run = spawnSync(npm, ["run", "--silent", ...g.command], { cwd: root, stdio: "inherit" });
  if (run.status !== 0) {
    failed++;
    process.stderr.write(`refresh: npm run ${g.command.join(" ")} failed (exit ${run.status ?? run.signal}); ${g.files.join(", ")} not rewritten\n`);
  }
});
process.exitCode = failed === 0 ? 0 : 1;
