import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../modules/stacks/app";
import { environments } from "../environments";
import { generatedEnvironments, generatedName } from "../scripts/bench/environments";
import { REST_OTHER, SYNTH_CATEGORIES, categoryTimes, cdktfOwn } from "../scripts/bench/profile";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { platformOf, completeLockfile } = require("../scripts/complete-lockfile.cjs");

describe("complete-lockfile", () => {
  it("reads os, cpu and libc from napi-rs platform package names", () => {
    expect(platformOf("@swc/core-darwin-arm64")).toEqual({ os: ["darwin"], cpu: ["arm64"] });
    expect(platformOf("@swc/core-linux-x64-musl")).toEqual({ os: ["linux"], cpu: ["x64"], libc: ["musl"] });
    expect(platformOf("@swc/core-linux-arm-gnueabihf")).toEqual({ os: ["linux"], cpu: ["arm"], libc: ["glibc"] });
    expect(platformOf("@unrs/resolver-binding-win32-ia32-msvc")).toEqual({ os: ["win32"], cpu: ["ia32"] });
    expect(platformOf("@unrs/resolver-binding-openharmony-arm64")).toEqual({ os: ["openharmony"], cpu: ["arm64"] });
    expect(platformOf("left-pad")).toBeUndefined();
  });

  it("adds an entry for each missing platform package and refuses anything else missing", () => {
    const lock = {
      packages: {
        "": { name: "x" },
        "node_modules/native": { version: "1.0.0", dev: true, optionalDependencies: { "native-linux-x64-gnu": "1.0.0", "native-darwin-arm64": "1.0.0" } },
        "node_modules/native-linux-x64-gnu": { version: "1.0.0" },
      },
    };
    expect(completeLockfile(lock)).toEqual(["native-darwin-arm64"]);
    expect(lock.packages).toMatchObject({ "node_modules/native-darwin-arm64": { version: "1.0.0", dev: true, optional: true, os: ["darwin"], cpu: ["arm64"] } });
    expect(Object.keys(lock.packages)[0]).toBe("");
    expect(() => completeLockfile({ packages: { "": { optionalDependencies: { "left-pad": "1.0.0" } } } })).toThrow("left-pad (optional dependency of the project) is missing from the lockfile and is not a platform package");
  });

  it("leaves the committed lockfile complete, so npm ci accepts it", () => {
    const lock = JSON.parse(readFileSync(join(__dirname, "..", "package-lock.json"), "utf8"));
    expect(completeLockfile(lock)).toEqual([]);
  });
});

describe("register-ts", () => {
  const register = join(__dirname, "..", "scripts", "register-ts.cjs");
  const cache = join(__dirname, "..", "node_modules", ".cache", "cloudtiers-ts");
  const run = (file: string) => spawnSync(process.execPath, ["--require", register, file], { encoding: "utf8" });

  it("runs TypeScript without type checking, an edited file as edited, and a damaged cache entry as if it were missing", () => {
    const dir = mkdtempSync(join(tmpdir(), "cloudtiers-register-"));
    try {
      const file = join(dir, "probe.ts");
      const probe = `probe-${process.pid}-${Date.now()}`; // unique, so the first run is never a cache hit
      writeFileSync(file, `const answer: number = "${probe}" as unknown as number;\nconsole.log(\`first \${answer}\`);\n`);
      expect(run(file).stdout).toBe(`first ${probe}\n`);
      expect(run(file).stdout).toBe(`first ${probe}\n`);
      // Cut short, as a crash between writing and renaming could leave it.
      const entry = readdirSync(cache).find((name) => name.endsWith(".js") && readFileSync(join(cache, name), "utf8").includes(probe))!;
      writeFileSync(join(cache, entry), readFileSync(join(cache, entry), "utf8").slice(0, 20));
      expect(run(file).stdout).toBe(`first ${probe}\n`);
      writeFileSync(file, "interface Shape { sides: number }\nconst square: Shape = { sides: 4 };\nconsole.log(`second ${square.sides}`);\n");
      expect(run(file).stdout).toBe("second 4\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
      // The probe's entries are of no use to any later run.
      for (const name of readdirSync(cache)) if (/probe-\d+-\d+|second \$\{square/.test(readFileSync(join(cache, name), "utf8"))) rmSync(join(cache, name));
    }
  });
});

describe("the code cache", () => {
  const register = join(__dirname, "..", "scripts", "register-ts.cjs");
  // A V8 option of its own (Node's own options count for nothing) gives these runs a cache file of their own, which the tests may damage.
  const isolated = { NODE_OPTIONS: "--stack-trace-limit=11 --no-deprecation" };
  let dir: string;
  let caches: string[];
  beforeEach(() => {
    // Inside the project: the cache keeps only the project's modules.
    mkdirSync(join(__dirname, "..", "node_modules", ".cache"), { recursive: true });
    dir = mkdtempSync(join(__dirname, "..", "node_modules", ".cache", "code-cache-probe-"));
    caches = [];
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    for (const file of caches) rmSync(file, { force: true });
  });

  /** Runs `main.js` as a command runs, reporting the cache: what it printed, and how many modules came from the cache and how many were compiled. */
  function run(env: NodeJS.ProcessEnv = { CLOUDTIERS_CODE_CACHE: "report" }) {
    const result = spawnSync(process.execPath, ["--require", register, join(dir, "main.js")], { encoding: "utf8", env: { PATH: process.env.PATH, ...isolated, ...env } });
    const report = /code cache (\S+): (\d+) modules from it, (\d+) compiled/.exec(result.stderr);
    if (report && !caches.includes(report[1])) caches.push(report[1]);
    return { stdout: result.stdout, stderr: result.stderr, reused: Number(report?.[2] ?? NaN), compiled: Number(report?.[3] ?? NaN), file: report?.[1] };
  }

  function probe(answer: number): void {
    writeFileSync(join(dir, "main.js"), 'const dep = require("./dep");\nconsole.log(dep.answer, require.main === module, require.resolve("./dep") === __dirname + "/dep.js", dep.line());\n');
    writeFileSync(join(dir, "dep.js"), `exports.answer = ${answer};\nexports.line = () => {\n  return new Error("where").stack.split("\\n")[1].replace(/.*\\//, "");\n};\n`);
  }

  it("runs modules from the code the last run left, as Node runs them: require, require.main, errors' files and lines", () => {
    probe(41);
    const first = run();
    expect(first.stdout).toBe("41 true true dep.js:3:10)\n");
    expect(first.compiled).toBe(2);
    const second = run();
    expect(second.stdout).toBe(first.stdout);
    expect([second.reused, second.compiled]).toEqual([2, 0]);
    expect(existsSync(second.file!)).toBe(true);
  });

  it("compiles a module edited since, even to a source of the same length (which V8 alone would take for the same)", () => {
    probe(41);
    run();
    probe(42);
    const edited = run();
    expect(edited.stdout).toBe("42 true true dep.js:3:10)\n");
    expect([edited.reused, edited.compiled]).toEqual([1, 1]);
    expect(run()).toMatchObject({ stdout: edited.stdout, reused: 2, compiled: 0 });
  });

  it("compiles everything when the file is damaged, and writes it again", () => {
    probe(41);
    const { file } = run();
    writeFileSync(file!, new Uint8Array(readFileSync(file!).subarray(0, 100)));
    expect(run()).toMatchObject({ stdout: "41 true true dep.js:3:10)\n", reused: 0, compiled: 2 });
    expect(run()).toMatchObject({ reused: 2, compiled: 0 });
    writeFileSync(file!, "not a cache");
    expect(run()).toMatchObject({ stdout: "41 true true dep.js:3:10)\n", reused: 0, compiled: 2 });
  });

  it("leaves to Node a module that imports dynamically, one written as an ES module, and keeps a hashbang and line 1's columns as Node has them", () => {
    writeFileSync(
      join(dir, "main.js"),
      '#!/usr/bin/env node\nconst where = () => new Error("x").stack.split("\\n")[1].replace(/.*\\//, "");\n' +
        'require("./dynamic").load().then((os) => console.log(typeof os.cpus, require("./esm.js").kind, require("./first").line(), where()));\n',
    );
    writeFileSync(join(dir, "dynamic.js"), 'exports.load = () => import ("node:os");\n');
    writeFileSync(join(dir, "esm.js"), 'export const kind = "esm";\n');
    writeFileSync(join(dir, "first.js"), 'exports.line = () => new Error("x").stack.split("\\n")[1].replace(/.*\\//, "");\n');
    // What Node alone prints: the error positions as Node's loader gives them.
    const expected = spawnSync(process.execPath, [join(dir, "main.js")], { encoding: "utf8", env: { PATH: process.env.PATH, NODE_OPTIONS: "--no-warnings" } }).stdout;
    expect(expected).toBe("function esm first.js:1:22) main.js:2:21)\n");
    for (const round of [1, 2]) expect({ round, ...run() }).toMatchObject({ round, stdout: expected, compiled: round === 1 ? 2 : 0, reused: round === 1 ? 0 : 2 });
  });

  it("keeps only the project's modules: one outside it, even beside it under a name that begins with the project's, is Node's", () => {
    const beside = mkdtempSync(`${join(__dirname, "..")}-probe-`);
    try {
      writeFileSync(join(beside, "outside.js"), "exports.answer = 43;\n");
      writeFileSync(join(dir, "main.js"), `console.log(require(${JSON.stringify(join(beside, "outside.js"))}).answer);\n`);
      expect(run()).toMatchObject({ stdout: "43\n", compiled: 1 });
      expect(run()).toMatchObject({ stdout: "43\n", reused: 1, compiled: 0 });
    } finally {
      rmSync(beside, { recursive: true, force: true });
    }
  });

  it("is off with CLOUDTIERS_CODE_CACHE=0", () => {
    probe(41);
    const { file } = run();
    rmSync(file!);
    expect(run({ CLOUDTIERS_CODE_CACHE: "0" }).stdout).toBe("41 true true dep.js:3:10)\n");
    expect(existsSync(file!)).toBe(false);
  });
});

describe("the benchmark's CPU profile reading", () => {
  it("counts each sample once, for the outermost category on its stack, whatever that calls", () => {
    const frame = (functionName: string, url: string) => ({ functionName, url });
    const cdktf = "file:///p/node_modules/cdktf/lib";
    const profile = {
      nodes: [
        { id: 1, callFrame: frame("(root)", ""), children: [2, 5, 7] },
        { id: 2, callFrame: frame("resolve", `${cdktf}/tokens/private/resolve.js`), children: [3] },
        { id: 3, callFrame: frame("resolve", `${cdktf}/tokens/private/resolve.js`), children: [4] },
        { id: 4, callFrame: frame("mapStrings", "file:///p/modules/core/spec-text.ts") },
        { id: 5, callFrame: frame("toTerraform", "file:///p/modules/stacks/stack.ts"), children: [6] },
        { id: 6, callFrame: frame("toTerraform", `${cdktf}/terraform-resource.js`), children: [8] },
        { id: 7, callFrame: frame("(garbage collector)", "") },
        { id: 8, callFrame: frame("resolve", `${cdktf}/tokens/private/resolve.js`) },
      ],
      samples: [3, 4, 5, 6, 8, 7, 7, 1],
      timeDeltas: [1000, 2000, 3000, 4000, 500, 5000, 500, 250],
    };
    const { total, byCategory, rest } = categoryTimes(profile, SYNTH_CATEGORIES);
    expect(total).toBe(16.25);
    // Outside every category: the stack's own toTerraform (3 ms) and the root (0.25 ms), by their innermost frame.
    expect(rest).toEqual({
      "cdktf, constructs and the bindings, called while building (constructors, tokens)": 0,
      "the yaml library (user data)": 0,
      "cloudtiers' own code": 3,
      [REST_OTHER]: 0.25,
    });
    // cdktf's own: its three categories and the rest its code ran; not garbage collection, cloudtiers or Node.
    expect(cdktfOwn({ byCategory, rest })).toBe(3 + 4.5);
    expect(byCategory).toEqual({
      "cdktf resolving tokens": 3,
      "cdktf's toTerraform of each resource (the bindings' attributes)": 4.5,
      "cdktf writing each stack's JSON (json-stable-stringify)": 0,
      "garbage collection": 5.5,
    });
  });
});

describe("the scaling benchmark's environments", () => {
  it("are valid specs shaped like the shipped ones in turn, each with its own name, domain and network, production promoting from the staging before it", () => {
    const generated = generatedEnvironments(7);
    expect(generated.map((e) => e.environment)).toEqual(["customer-001", "customer-002", "customer-003", "customer-004", "customer-005", "customer-006", "customer-007"]);
    const shapes = generated.map((_, i) => environments[i % environments.length]);
    expect(generated.map((e) => e.layout)).toEqual(shapes.map((s) => s.layout));
    expect(new Set(generated.map((e) => e.network?.cidr)).size).toBe(7);
    expect(new Set(generated.map((e) => e.domain)).size).toBe(7);
    expect(generated.map((e) => e.terraformCloud?.promotesFrom)).toEqual(shapes.map((s, i) => (s.terraformCloud?.promotesFrom ? generatedName(i - 1) : undefined)));
    expect(generated.filter((e) => e.terraformCloud?.promotesFrom).length).toBeGreaterThan(0);
    // Both clouds each, so the benchmark's stacks are twice its environments.
    expect(generated.filter((e) => e.aws && e.digitalocean && e.cloudflare)).toHaveLength(7);
    // Every spec and the rules across them pass (buildApp throws otherwise); one stack is built.
    const app = buildApp(generated, { select: ["customer-006-do"], env: {}, outdir: mkdtempSync(join(tmpdir(), "cloudtiers-generated-")) });
    expect(app.node.children.map((c) => c.node.id)).toEqual(["customer-006-do"]);
    rmSync(app.outdir, { recursive: true, force: true });
  });
});
