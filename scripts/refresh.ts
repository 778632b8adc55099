/** `npm run refresh`: what it does is its `--help`, declared below; tools/generated.ts lists the files. */
import { spawnSync } from "node:child_process";
import { GENERATED, REFRESH } from "../tools/generated";
import { runCommand } from "./command-line";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const root = `${__dirname}/..`;

runCommand(
  {
    name: REFRESH.replace(/^npm run /, ""),
    description:
      "Rewrites every generated file the tests hold to the code, one after another, printing each as it goes:\n" +
      GENERATED.map((g) => `  - ${g.what} (${g.files.join(", ")})\n`).join("") +
      "Run it after changing an environment, a price or a tier; review the diff and commit it.",
  },
  () => {
    let failed = 0;
    GENERATED.forEach((g, i) => {
      process.stdout.write(`[${i + 1}/${GENERATED.length}] ${g.what}: npm run ${g.command.join(" ")}\n`);
      const run = spawnSync(npm, ["run", "--silent", ...g.command], { cwd: root, stdio: "inherit" });
      if (run.status !== 0) {
        failed++;
        process.stderr.write(`refresh: npm run ${g.command.join(" ")} failed (exit ${run.status ?? run.signal}); ${g.files.join(", ")} not rewritten\n`);
      }
    });
    return failed === 0 ? 0 : 1;
  },
);
