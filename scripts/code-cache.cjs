/**
 * V8's compiled code for every CommonJS module a command loads, kept between runs (Node 22's
 * `module.enableCompileCache`, which Node 20 lacks). Loading modules was the largest part of
 * a synth: Node compiles the same cdktf and provider sources (about 700 files, 15 MB) on
 * every run, about 260 ms of a 1 s synth of the shipped stacks here, and each process of a
 * parallel synth pays it again.
 *
 * Each command (the script Node runs, with Node's options) has one file in
 * node_modules/.cache/cloudtiers-v8, whose index is read when the command starts: for each
 * module, a hash of its source and the code V8 made of it, as the last run left it (the
 * functions that ran compiled, not only the top level). A module is compiled from that code only if its source hashes the same and V8
 * accepts it (same Node, same flags); otherwise, or with no file, it is compiled as Node
 * compiles it, and the command writes its file again when it exits, written aside and then
 * renamed, so a concurrent run reads the old file or the new one, never half of one. The
 * directory is safe to delete. `CLOUDTIERS_CODE_CACHE=0` turns it off; so does an inspector
 * (`--inspect`), which needs Node's own loader to stop on a module's first line.
 * `CLOUDTIERS_CODE_CACHE=report` says on stderr, at exit, how many modules came from the
 * file and how many were compiled.
 *
 * A module is run as Node's loader runs it: the same wrapper, `this` and arguments, and a
 * `require` made as Node makes one. ES modules, and anything but a plain CommonJS module,
 * go to Node's loader unchanged.
 */
const Module = require("node:module");
const { createHash } = require("node:crypto");
const { closeSync, fstatSync, mkdirSync, openSync, readSync, renameSync, writeFileSync } = require("node:fs");
const { dirname, join, resolve } = require("node:path");
const vm = require("node:vm");

const FORMAT = 1;

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
  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, Buffer.concat([length, index, ...parts]));
  renameSync(partial, file);
  if (previous) closeSync(previous.fd);
}

function enable() {
  const entry = process.argv[1] ? resolve(process.argv[1]) : "(no script)";
  // Node's options (a profiler's, a heap size) change V8's flags, and V8 refuses code made under other flags: each set has its own file.
  const key = createHash("sha256").update(JSON.stringify([process.version, process.arch, entry, process.execArgv])).digest("hex").slice(0, 24);
  const file = join(__dirname, "..", "node_modules", ".cache", "cloudtiers-v8", `${key}.bin`);
  const cache = openCache(file);
  // Modules compiled without usable code: their code is written when the command exits.
  const fresh = new Map();
  const compile = Module.prototype._compile;

  let reused = 0;
  Module.prototype._compile = function compileWithCache(content, filename, format) {
    if (format !== undefined && format !== "commonjs") return compile.call(this, content, filename, format);
    const hash = createHash("sha1").update(content).digest("base64");
    const cachedData = codeFor(cache, filename, hash);
    const script = new vm.Script(Module.wrap(content), { filename, cachedData, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
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
    if (fresh.size === 0) return;
    try {
      writeCache(file, fresh);
    } catch {
      // An unwritable cache only costs the next run the compiling.
    }
  });
}

if (process.env.CLOUDTIERS_CODE_CACHE !== "0" && !process.execArgv.some((a) => a.startsWith("--inspect"))) enable();
