/**
 * `npm run lockfile:complete`, after any `npm install` that changed package-lock.json.
 *
 * Native packages (swc, jest's resolver) ship one optional package per platform. The npm
 * registry proxy this project is developed and tested behind serves only the Linux ones,
 * so npm leaves the others out of the lockfile, and `npm ci` then refuses the lockfile as
 * out of sync. This adds the entry a complete registry would have written for each
 * missing platform package (version, os, cpu, libc), so `npm ci` accepts the lockfile and
 * skips those packages on other platforms, while macOS and Windows users still get their
 * own binary. It changes nothing else.
 */
const { readFileSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");

const OSES = ["android", "darwin", "freebsd", "linux", "openbsd", "openharmony", "win32"];
const CPUS = ["arm64", "arm", "ia32", "loong64", "ppc64", "riscv64", "s390x", "wasm32", "x64"];

/** `{ os, cpu, libc }` of a napi-rs style platform package name, e.g. `@swc/core-linux-x64-musl`. */
function platformOf(name) {
  const tokens = name.split("/").pop().split("-");
  const os = tokens.find((t) => OSES.includes(t));
  const cpu = tokens.find((t) => CPUS.includes(t));
  if (!cpu) return undefined;
  const libc = os !== "linux" ? undefined : tokens.some((t) => t.startsWith("musl")) ? "musl" : tokens.some((t) => t.startsWith("gnu")) ? "glibc" : undefined;
  return { ...(os ? { os: [os] } : {}), cpu: [cpu], ...(libc ? { libc: [libc] } : {}) };
}

/** Adds the missing platform entries to a parsed lockfile; returns the names added. */
function completeLockfile(lock) {
  const added = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
      if (lock.packages[`node_modules/${name}`] || lock.packages[`${path}/node_modules/${name}`]) continue;
      const platform = platformOf(name);
      if (!platform) throw new Error(`${name} (optional dependency of ${path || "the project"}) is missing from the lockfile and is not a platform package`);
      if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(version)) throw new Error(`${name}: expected an exact version, got "${version}"`);
      // Keys in npm's own order (version, then alphabetical), so `npm install` leaves the file as it is.
      const fields = { ...(entry.dev ? { dev: true } : {}), optional: true, ...platform };
      lock.packages[`node_modules/${name}`] = { version, ...Object.fromEntries(Object.entries(fields).sort(([a], [b]) => a.localeCompare(b, "en"))) };
      added.push(name);
    }
  }
  lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b, "en"))));
  return added;
}

if (require.main === module) {
  // Run through scripts/register-ts.cjs (package.json), which loads the TypeScript helper.
  const { runCommand } = require("./command-line.ts");
  runCommand(
    {
      name: "lockfile:complete",
      description:
        "After an `npm install` that changed package-lock.json: adds the entry a complete registry\n" +
        "would have written for each platform package of a native dependency that the lockfile lacks,\n" +
        "so that `npm ci` accepts it on every platform. Changes nothing else.",
    },
    () => {
      const file = join(__dirname, "..", "package-lock.json");
      const lock = JSON.parse(readFileSync(file, "utf8"));
      const added = completeLockfile(lock);
      writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
      process.stdout.write(added.length ? `added ${added.length} platform entries:\n  ${added.join("\n  ")}\n` : "package-lock.json is complete\n");
    },
  );
}

module.exports = { platformOf, completeLockfile };
