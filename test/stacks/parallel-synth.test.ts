import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { DefaultTokenResolver, Lazy, StringConcat, TerraformStack, Testing, Token, Tokenization } from "cdktf";
import { STACKS_PER_APP, STACKS_PER_WORKER, planStacks, synthWorkers, synthesize } from "../../modules/stacks/app";
import { forgetTokensSince, tokenCount } from "../../modules/stacks/fast-synth";
import { generatedEnvironments } from "../../scripts/bench/environments";
import { application } from "../../environments/defaults";
import { SHIPPED_STACKS, capture, specBeside, specWith } from "../helpers";

const root = join(__dirname, "..", "..");
const register = join(root, "scripts", "register-ts.cjs");

/** Every file under `dir`, by its path there, with its bytes (base64). */
function tree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d).sort()) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(dir, path)] = readFileSync(path).toString("base64");
    }
  };
  walk(dir);
  return files;
}

/** Runs a cloudtiers command as a user does (Node with the project's loader), with `env` over a clean environment. */
function run(script: string, env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const clean = { ...process.env };
  for (const name of ["CLOUDTIERS_STACKS", "CLOUDTIERS_SYNTH_WORKERS", "TF_CLOUD_ORGANIZATION", "TFC_ORGANIZATION"]) delete clean[name];
  const result = spawnSync(process.execPath, ["--require", register, script], { cwd: root, env: { ...clean, ...env }, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The lines a parallel synth prints besides a serial one's: its progress. */
const withoutProgress = (text: string) => text.replace(/^synthesising \d+ stacks in \d+ processes\.\.\.\n/m, "");

describe("a parallel synth", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "cloudtiers-parallel-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The same synth serially and in `workers` processes: the trees, and what each printed, with its own output directory's name replaced. */
  function both(script: string, workers: number, env: Record<string, string> = {}) {
    return [1, workers].map((n) => {
      const outdir = join(dir, `workers-${n}`);
      const result = run(script, { ...env, CDKTF_OUTDIR: outdir, CLOUDTIERS_SYNTH_WORKERS: String(n) });
      expect({ n, status: result.status, stderr: result.status === 0 ? "" : result.stderr }).toEqual({ n, status: 0, stderr: "" });
      return { tree: tree(outdir), stdout: result.stdout.split(outdir).join("<outdir>"), stderr: withoutProgress(result.stderr), progress: result.stderr };
    });
  }

  it("writes, byte for byte, what a serial synth writes, manifest included: the shipped stacks", () => {
    const [serial, parallel] = both("main.ts", 2);
    expect(parallel.progress).toContain(`synthesising ${SHIPPED_STACKS.length} stacks in 2 processes...\n`);
    expect(Object.keys(serial.tree)).toContain("manifest.json");
    expect(parallel).toEqual({ ...serial, progress: parallel.progress });
  });

  it("writes, byte for byte, what a serial synth writes: 12 generated environments in 3 processes", () => {
    const [serial, parallel] = both(join("scripts", "bench", "app.ts"), 3, { BENCH_ENVIRONMENTS: "12" });
    expect(parallel.progress).toContain("synthesising 24 stacks in 3 processes...\n");
    expect(Object.keys(serial.tree).filter((f) => f.endsWith("cdk.tf.json"))).toHaveLength(24);
    expect(parallel).toEqual({ ...serial, progress: parallel.progress });
  });

  it.each([
    ["this process's own group", "first"],
    ["a worker's group", "second"],
  ])("fails as a whole when one group fails (%s), with that stack's report, and leaves the previous output as it was", (_, where) => {
    // Two AWS stacks, one a group each: qa passes the policy pack; dev held to production rules does not.
    const pinned = { ...specWith().application, image: application.image };
    const good = specBeside("qa", 40, { digitalocean: undefined, cloudflare: undefined, terraformCloud: undefined });
    const strict = specWith({ production: true, application: pinned, digitalocean: undefined, cloudflare: undefined, terraformCloud: undefined });
    const specs = join(dir, "specs.json");
    const script = join(dir, "synth.ts");
    writeFileSync(
      script,
      `import { readFileSync } from "node:fs";
import { synthesizeAll } from ${JSON.stringify(join(root, "modules", "stacks", "app"))};
synthesizeAll(JSON.parse(readFileSync(process.env.SPECS!, "utf8"))).then((code) => (process.exitCode = code));
`,
    );
    const outdir = join(dir, "out");
    writeFileSync(specs, JSON.stringify([good]));
    expect(run(script, { SPECS: specs, CDKTF_OUTDIR: outdir, CLOUDTIERS_SYNTH_WORKERS: "1" }).status).toBe(0);
    const before = tree(outdir);

    writeFileSync(specs, JSON.stringify(where === "first" ? [strict, good] : [good, strict]));
    const failed = run(script, { SPECS: specs, CDKTF_OUTDIR: outdir, CLOUDTIERS_SYNTH_WORKERS: "2" });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain("synthesising 2 stacks in 2 processes...\n");
    expect(failed.stderr).toContain("cloudtiers: the policy pack refused 1 stack(s); the previous output is unchanged.\n");
    expect(failed.stderr).toMatch(/^dev-aws: \d+ rules checked, \d+ passed, 0 suppressed, \d+ failed$/m);
    expect(failed.stderr).not.toMatch(/^qa-aws: /m);
    expect(tree(outdir)).toEqual(before);
  });

  it("refuses a CLOUDTIERS_SYNTH_WORKERS that is not a whole number of processes", () => {
    const result = run("main.ts", { CDKTF_OUTDIR: join(dir, "out"), CLOUDTIERS_SYNTH_WORKERS: "two" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('CLOUDTIERS_SYNTH_WORKERS must be a whole number of processes, 1 or more, got "two"');
  });
});

describe("a synth of many stacks, twenty to a cdktf App", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "cloudtiers-apps-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes what one cdktf App of every stack writes, byte for byte, when a cloud's first stack is the last of an App", () => {
    // Nineteen DigitalOcean stacks, then the first AWS one, the first App's last: AWS's classes load while it is built, and the next App builds AWS stacks too.
    const specs = generatedEnvironments(STACKS_PER_APP + 1).map((spec, i) => (i < STACKS_PER_APP - 1 ? { ...spec, aws: undefined } : spec));
    const names = planStacks(specs).map((p) => p.name);
    expect(names.slice(0, STACKS_PER_APP - 1).every((n) => n.endsWith("-do"))).toBe(true);
    expect([names[STACKS_PER_APP - 1], names[STACKS_PER_APP + 1]]).toEqual([expect.stringMatching(/-aws$/), expect.stringMatching(/-aws$/)]);
    writeFileSync(join(dir, "specs.json"), JSON.stringify(specs));
    // Each in a process of its own, as a command runs: a cloud's classes load with its first stack there.
    const app = join(root, "modules", "stacks", "app");
    const synth = (name: string, body: string) => {
      const script = join(dir, `${name}.ts`);
      writeFileSync(script, `import { readFileSync } from "node:fs";\nimport * as cloudtiers from ${JSON.stringify(app)};\nconst specs = JSON.parse(readFileSync(process.env.SPECS!, "utf8"));\n${body}\n`);
      const result = run(script, { SPECS: join(dir, "specs.json"), CDKTF_OUTDIR: join(dir, name), CLOUDTIERS_SYNTH_WORKERS: "1" });
      expect({ name, status: result.status, stderr: result.status === 0 ? "" : result.stderr }).toEqual({ name, status: 0, stderr: "" });
      return tree(join(dir, name));
    };
    const apps = synth("apps", "cloudtiers.synthesizeAll(specs).then((code) => (process.exitCode = code));");
    const one = synth("one", `import { withFastStackTraces } from ${JSON.stringify(join(root, "modules", "stacks", "fast-synth"))};\nwithFastStackTraces(() => cloudtiers.buildApp(specs).synth());`);
    expect(Object.keys(apps).filter((f) => f.endsWith("cdk.tf.json"))).toHaveLength(names.length);
    expect(apps).toEqual(one);
  });

  it("forgets an App's tokens once it has written its stacks: one still in use fails to resolve, loudly", () => {
    const stack = new TerraformStack(Testing.app(), "probe");
    const resolve = (token: string) => Tokenization.resolve(token, { scope: stack, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
    const kept = Token.asString(Lazy.stringValue({ produce: () => "kept" }));
    const count = tokenCount();
    const forgotten = Token.asString(Lazy.stringValue({ produce: () => "forgotten" }));
    expect(resolve(forgotten)).toBe("forgotten");
    forgetTokensSince(count);
    expect(resolve(kept)).toBe("kept");
    expect(() => resolve(forgotten)).toThrow(/Unrecognized Token Key/);
    // Numbering goes on: a new token never takes a forgotten one's key.
    expect(Token.asString(Lazy.stringValue({ produce: () => "new" }))).not.toBe(forgotten);
  });

  it("writes a manifest of no stacks for specs that call for none", () => {
    const out = join(dir, "none");
    const stdout = capture();
    expect(synthesize([], { env: { CDKTF_OUTDIR: out }, stdout: stdout.stream, stderr: capture().stream })).toBe(0);
    expect(JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")).stacks).toEqual({});
    expect(readdirSync(out).sort()).toEqual(["manifest.json", "stacks"]);
  });
});

describe("how many processes synthesise", () => {
  it("takes one a core, each at least STACKS_PER_WORKER stacks, or CLOUDTIERS_SYNTH_WORKERS, never more than the stacks", () => {
    const cores = availableParallelism();
    expect(synthWorkers(6, {})).toBe(1);
    expect(synthWorkers(STACKS_PER_WORKER * 2, {})).toBe(Math.min(cores, 2));
    expect(synthWorkers(400, {})).toBe(Math.min(cores, Math.floor(400 / STACKS_PER_WORKER)));
    expect(synthWorkers(400, { CLOUDTIERS_SYNTH_WORKERS: "1" })).toBe(1);
    expect(synthWorkers(3, { CLOUDTIERS_SYNTH_WORKERS: "8" })).toBe(3);
  });
});
