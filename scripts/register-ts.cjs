/**
 * Runs the project's TypeScript without type checking: `node --require ./scripts/register-ts.cjs main.ts`.
 * swc strips the types of the project's own `.ts` files as Node loads them; nothing else is
 * hooked, so the hundreds of cdktf and provider modules load at plain Node speed (tsx's
 * resolver hook on every require cost ~0.5 s of a 1.4 s synth here). Type checking is
 * `npm run typecheck`, part of `npm test`.
 *
 * Each file's JavaScript is kept in node_modules/.cache/cloudtiers-ts, named by a hash of
 * the source, swc's version and the options, so an unchanged file is read back instead of
 * transformed, and swc itself (about 25 ms to load) is loaded only when a file has
 * changed. Together about 60 ms of a 0.5 s one-stack synth. An entry is used only if it
 * ends with the line that closes every complete one; anything else is transformed again.
 * The directory gains a file for each edited version of a source; deleting it is safe.
 * V8's code for every module, these included, is kept as well (`code-cache.cjs`).
 */
// Compiled code kept between runs, for every module loaded after this line.
require("./code-cache.cjs");

const { createHash } = require("node:crypto");
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");

const options = {
  jsc: { parser: { syntax: "typescript" }, target: "es2022" },
  module: { type: "commonjs" },
  sourceMaps: false,
  swcrc: false,
  configFile: false,
};
const root = join(__dirname, "..");
const cache = join(root, "node_modules", ".cache", "cloudtiers-ts");
const swcVersion = JSON.parse(readFileSync(join(root, "node_modules", "@swc", "core", "package.json"), "utf8")).version;
const salt = `${swcVersion}\0${JSON.stringify(options)}\0`;

const COMPLETE = "\n// cloudtiers-ts: complete\n";

function cached(file) {
  try {
    const entry = readFileSync(file, "utf8");
    return entry.endsWith(COMPLETE) ? entry.slice(0, -COMPLETE.length) : undefined;
  } catch {
    return undefined;
  }
}

function compile(source, filename) {
  const file = join(cache, `${createHash("sha256").update(salt).update(source).digest("hex")}.js`);
  const hit = cached(file);
  if (hit !== undefined) return hit;
  const { code } = require("@swc/core").transformSync(source, { ...options, filename });
  try {
    mkdirSync(cache, { recursive: true });
    // Written aside, then renamed: a run reading the cache never sees half a file.
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, code + COMPLETE);
    renameSync(partial, file);
  } catch {
    // An unwritable cache only costs the next run a transform.
  }
  return code;
}

require.extensions[".ts"] = function compileTypeScript(module, filename) {
  module._compile(compile(readFileSync(filename, "utf8"), filename), filename);
};
