/**
 * Runs the project's TypeScript without type checking: `node --require ./scripts/register-ts.cjs main.ts`.
 * swc strips the types of the project's own `.ts` files as Node loads them; nothing else is
 * hooked, so the hundreds of cdktf and provider modules load at plain Node speed (tsx's
 * resolver hook on every require cost ~0.5 s of a 1.4 s synth here). Type checking is
 * `npm run typecheck`, part of `npm test`.
 *
 * Each file's JavaScript is kept in node_modules/.cache/cloudtiers-ts, named by a hash of
 * the source, its path, swc's version and the options, so an unchanged file is read back
 * instead of transformed, and swc itself (about 25 ms to load) is loaded only when a file
 * has changed. Together about 60 ms of a 0.5 s one-stack synth.
 */
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

function compile(source, filename) {
  const key = createHash("sha256").update(salt).update(filename).update("\0").update(source).digest("hex");
  const file = join(cache, `${key}.js`);
  try {
    return readFileSync(file, "utf8");
  } catch {
    const { code } = require("@swc/core").transformSync(source, { ...options, filename });
    try {
      mkdirSync(cache, { recursive: true });
      // Written aside, then renamed: a run reading the cache never sees half a file.
      const partial = `${file}.${process.pid}`;
      writeFileSync(partial, code);
      renameSync(partial, file);
    } catch {
      // An unwritable cache only costs the next run a transform.
    }
    return code;
  }
}

require.extensions[".ts"] = function compileTypeScript(module, filename) {
  module._compile(compile(readFileSync(filename, "utf8"), filename), filename);
};
