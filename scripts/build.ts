/**
 * `npm run build` (and `prepack`, so `npm pack` and `npm publish`): the npm package's
 * JavaScript and declarations in dist/, compiled by tsc from modules/ (tsconfig.build.json).
 *
 * Incremental: tsc keeps what it knows in dist/.tsbuildinfo (never packed), so a build with
 * nothing changed takes a fraction of a second instead of about 10 s, and one after an edit
 * compiles what the edit affects. Removing dist/ removes that file too: the next build is
 * whole. What tsc would not do is remove the output of a source that no longer exists; this
 * does, so dist/ holds exactly what modules/ compiles to.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync, rmdirSync } from "node:fs";
import { join, relative } from "node:path";
import { runCommand } from "./command-line";

const root = join(__dirname, "..");
const dist = join(root, "dist");
const sources = join(root, "modules");


/** Removes each output under `dir` whose source in modules/ is gone, then the directories left empty. */
function prune(dir: string): number {
  let removed = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      removed += prune(path);
      if (readdirSync(path).length === 0) rmdirSync(path);
      continue;
    }
    if (path === join(dist, ".tsbuildinfo")) continue;
    const stem = join(sources, relative(dist, path)).replace(/(\.d\.ts|\.js)$/, "");
    if (!existsSync(`${stem}.ts`) && !existsSync(`${stem}.js`)) {
      rmSync(path);
      removed += 1;
    }
  }
  return removed;
}

runCommand(
  { name: "build", description: "Compiles modules/ into dist/ (the npm package), incrementally; rm -rf dist for a whole build." },
  () => {
    const started = Date.now();
    process.stderr.write(`build: modules/ -> dist/ (${existsSync(join(dist, ".tsbuildinfo")) ? "incremental" : "whole"})\n`);
    const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-b", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
    if (tsc.status !== 0) return tsc.status ?? 1;
    const removed = prune(dist);
    process.stderr.write(`build: done in ${((Date.now() - started) / 1000).toFixed(1)} s${removed > 0 ? `; removed ${removed} output(s) of deleted sources` : ""}\n`);
    return 0;
  },
);
