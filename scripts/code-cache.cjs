/**
 * V8's compiled code for the project's CommonJS modules (its own and its dependencies'),
 * kept between runs: Node 22's `module.enableCompileCache`, which Node 20 lacks. Loading
 * modules was the largest part of a synth: Node compiled the same cdktf and provider
 * sources (about 700 files, 15 MB) on every run, about 260 ms of a 1 s synth of the shipped
 * stacks here, and each process of a parallel synth paid it again.
 *
 * One file in node_modules/.cache/cloudtiers-v8 for each Node and set of options that reach
 * V8 (`NODE_OPTIONS` included: the cdktf CLI sets a heap size there, and V8 refuses code
 * made under other flags). Its index is read when a command starts: for each module, a hash
 * of its source and where its code is; a module's code is read when the module loads. A
 * module is compiled from it only if its source hashes the same (V8 itself checks only the
 * length) and V8 accepts it; otherwise Node's way, and the command writes the file again as
 * it exits: every module it had plus the new ones, written aside and then renamed, so a
 * concurrent run reads the old file or the new one, never half of one (the payload carries no
 * checksum of its own: V8 checks its header). Files of other options unused for 30 days go
 * then. The directory is safe to delete.
 *
 * A module is compiled in Node's wrapper (placed so that lines and columns are the file's)
 * and called as Node calls it, with a `require` made as Node makes one. Node's own loader
 * takes everything else: ES modules, files outside the project, a module that imports
 * dynamically (`import(` anywhere in it, even in a comment), one that is not CommonJS after all. The cache is
 * off with `CLOUDTIERS_CODE_CACHE=0`, under an inspector (`--inspect`, here or in
 * NODE_OPTIONS: it stops on a module's first line through Node's loader) and with source
 * maps on; `CLOUDTIERS_CODE_CACHE=report` says on stderr, at exit, how many modules came
 * from the file and how many were compiled.
 */
const Module = require("node:module");
const { createHash } = require("node:crypto");
const { closeSync, fstatSync, mkdirSync, openSync, readSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } = require("node:fs");
const { basename, dirname, join, sep } = require("node:path");
const vm = require("node:vm");

const FORMAT = 1;

/** A dynamic import, which needs Node's loader behind the module (with spaces or comments before its parenthesis too). */
const DYNAMIC_IMPORT = /\bimport\s*(\/\*[^]*?\*\/\s*)*\(/;

/**
 * The cache file's layout: a 4-byte length, that much JSON `{ format, modules: { file: [hash,
 * offset, length] } }`, then the code. Only the index is read at first; each module's code is
 * read when the module loads, so the process never holds the whole file.
 */
function openCache(file) {
  let fd;
  try {
    fd = openSync(file, "r");
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    const length = head.readUInt32LE(0);
    if (4 + length > size) throw new Error("cut short");
    const text = Buffer.alloc(length);
    readSync(fd, text, 0, length, 4);
    const index = JSON.parse(text.toString("utf8"));
    if (index.format !== FORMAT || typeof index.modules !== "object" || index.modules === null) throw new Error("another format");
    return { fd, modules: index.modules, start: 4 + length, size };
  } catch {
    if (fd !== undefined) closeSync(fd);
    return undefined;
  }
}

/** The code cached for `filename` if it was made from a source hashing to `hash`, and lies wholly inside the file. */
function codeFor(cache, filename, hash) {
  const entry = cache?.modules[filename];
  if (!Array.isArray(entry) || entry[0] !== hash) return undefined;
  const [, offset, length] = entry;
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length <= 0 || cache.start + offset + length > cache.size) return undefined;
  const code = Buffer.alloc(length);
  try {
    return readSync(cache.fd, code, 0, length, cache.start + offset) === length ? code : undefined;
  } catch {
    return undefined;
  }
}

function writeCache(file, fresh) {
  // Read again: another run may have written it since this one started.
  const previous = openCache(file);
  const modules = {};
  const parts = [];
  let offset = 0;
  const add = (filename, hash, code) => {
    modules[filename] = [hash, offset, code.length];
    parts.push(code);
    offset += code.length;
  };
  for (const filename of Object.keys(previous?.modules ?? {})) {
    if (fresh.has(filename)) continue;
    const code = codeFor(previous, filename, previous.modules[filename][0]);
    if (code) add(filename, previous.modules[filename][0], code);
  }
  for (const [filename, { hash, script }] of fresh) add(filename, hash, script.createCachedData());
  const index = Buffer.from(JSON.stringify({ format: FORMAT, modules }));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(index.length);
  const partial = `${file}.${process.pid}`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(partial, Buffer.concat([length, index, ...parts]));
    renameSync(partial, file);
  } catch {
    // An unwritable cache only costs the next run the compiling.
    rmSync(partial, { force: true });
  } finally {
    if (previous) closeSync(previous.fd);
  }
}

/** Node's options that change nothing V8 checks: a preloaded script, warnings, a profile's or report's directory and name. */
const NODE_ONLY = /^(--require|-r|--import|--loader|--experimental-loader|--no-deprecation|--no-warnings|--[\w-]+-(dir|name))(=|$)/;

/** Node's options as V8 sees them: those that change nothing V8 checks left out, with their values. */
function v8Options(args) {
  const kept = [];
  for (let i = 0; i < args.length; i++) {
    const option = NODE_ONLY.exec(args[i]);
    if (!option) kept.push(args[i]);
    // A value given apart (`--require x`): skipped with its option.
    else if (option[3] === "" && !/^--no-/.test(args[i])) i += 1;
  }
  return kept;
}

/** Files of the cache left by other Nodes or options, unused for 30 days, and partial files a killed run left an hour ago: removed. */
function prune(directory, keep) {
  const now = Date.now();
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    try {
      const age = now - statSync(path).mtimeMs;
      if ((name.endsWith(".bin") && name !== keep && age > 30 * 86400e3) || (/\.bin\.\d+$/.test(name) && age > 3600e3)) rmSync(path, { force: true });
    } catch {
      // Gone already, or another run's: it is not this run's to keep.
    }
  }
}

function enable() {
  const root = join(__dirname, "..");
  const inProject = `${root}${sep}`;
  // V8 refuses code made by another Node or under other flags (a profiler's, a heap size, which the cdktf CLI sets in NODE_OPTIONS): each set has its own file.
  const key = createHash("sha256")
    .update(JSON.stringify([process.version, process.arch, v8Options(process.execArgv), v8Options((process.env.NODE_OPTIONS ?? "").split(/\s+/).filter(Boolean))]))
    .digest("hex")
    .slice(0, 24);
  const file = join(root, "node_modules", ".cache", "cloudtiers-v8", `${key}.bin`);
  const cache = openCache(file);
  // Modules compiled without usable code, and the code made of them: written when the command exits.
  const fresh = new Map();
  const compile = Module.prototype._compile;
  // Node's wrapper: its opening is on the module's first line, which then starts that much further right.
  const columnOffset = -Module.wrapper[0].length;

  let reused = 0;
  Module.prototype._compile = function compileWithCache(content, filename, format) {
    // Node's own loader for anything else: an ES module, a file outside the project, one that imports dynamically (which needs Node's loader behind it).
    if ((format !== undefined && format !== "commonjs") || !filename.startsWith(inProject) || DYNAMIC_IMPORT.test(content)) return compile.call(this, content, filename, format);
    const hash = createHash("sha1").update(content).digest("base64");
    const cachedData = codeFor(cache, filename, hash);
    let script;
    try {
      // A hashbang line, which only a script's start may hold, as a comment of its length.
      script = new vm.Script(Module.wrap(content.startsWith("#!") ? `//${content.slice(2)}` : content), { filename, columnOffset, cachedData });
    } catch {
      // Not a plain CommonJS module after all (ES module syntax Node detects): Node's loader decides, and reports a real error as it would.
      return compile.call(this, content, filename, format);
    }
    // Its code is made when the command exits, with every function that ran by then.
    if (cachedData === undefined || script.cachedDataRejected) fresh.set(filename, { hash, script });
    else reused += 1;
    // As Node's makeRequireFunction makes it (arrows: `this` is the module).
    const require = (id) => this.require(id);
    require.resolve = (request, options) => Module._resolveFilename(request, this, false, options);
    require.resolve.paths = (request) => Module._resolveLookupPaths(request, this);
    require.main = process.mainModule;
    require.extensions = Module._extensions;
    require.cache = Module._cache;
    return script.runInThisContext({ displayErrors: true }).call(this.exports, this.exports, require, this, filename, dirname(filename));
  };

  process.once("exit", () => {
    if (cache) closeSync(cache.fd);
    if (process.env.CLOUDTIERS_CODE_CACHE === "report") process.stderr.write(`code cache ${file}: ${reused} modules from it, ${fresh.size} compiled\n`);
    if (fresh.size > 0) {
      writeCache(file, fresh);
      prune(dirname(file), basename(file));
    }
  });
}

/** Whether an inspector may be asked for (`--inspect` here or in NODE_OPTIONS): it needs Node's own loader to stop on a module's first line. */
function inspecting() {
  return [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].some((a) => a.startsWith("--inspect"));
}

if (process.env.CLOUDTIERS_CODE_CACHE !== "0" && !inspecting() && !process.sourceMapsEnabled) enable();
