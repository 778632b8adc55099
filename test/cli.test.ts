import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { environments } from "../environments";
import { planApp, planStacks, synthesize } from "../modules/stacks/app";
import { workspaceName } from "../modules/stacks/terraform-cloud";
import { capture } from "./helpers";

const root = join(__dirname, "..");
const register = join(root, "scripts", "register-ts.cjs");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
/** Every stack the shipped environments call for, whatever they are. */
const STACKS = planStacks(environments).map((p) => ({ name: p.name, cloud: p.cloud.id, spec: p.spec }));
/** A stack whose spec leaves the backend to TF_CLOUD_ORGANIZATION. */
const REMOTE = STACKS.find((s) => s.spec.backend === undefined && s.spec.terraformCloud?.organization === undefined)!;
/** An environment without the shell's selection or Terraform Cloud settings. */
const CLEAN = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(CLOUDTIERS_STACKS|TF_CLOUD_|TFC_|CDKTF_)/.test(name)));

/** The npm scripts that run one of the project's files, with that file. */
const ENTRY_POINTS = Object.entries(pkg.scripts as Record<string, string>)
  .map(([name, command]) => ({ name, file: /^node --require \.\/scripts\/register-ts\.cjs (\S+)$/.exec(command)?.[1] }))
  .filter((s): s is { name: string; file: string } => s.file !== undefined);

describe("every npm script", () => {
  it("runs its file through register-ts, so that it shares the command line", () => {
    const own = Object.entries(pkg.scripts as Record<string, string>).filter(([, command]) => /\b(scripts\/|main\.ts)/.test(command) && !command.includes("register-ts.cjs"));
    expect(own).toEqual([]);
    expect(ENTRY_POINTS.map((s) => s.name)).toEqual(expect.arrayContaining(["synth", "list", "bench", "policy", "cost", "lockfile:complete"]));
  });

  it("answers --help with its usage, what it does and its options, and runs nothing", () => {
    const outdir = join(mkdtempSync(join(tmpdir(), "cloudtiers-help-")), "out");
    // One process requires every TypeScript entry point in turn (they share most modules); the CommonJS one runs on its own.
    const driver = `
      const results = {};
      for (const [name, file] of ${JSON.stringify(ENTRY_POINTS.filter((s) => s.file.endsWith(".ts")).map((s) => [s.name, s.file]))}) {
        let out = "";
        const write = process.stdout.write;
        process.stdout.write = (chunk) => ((out += chunk), true);
        process.argv = [process.argv[0], file, "--help"];
        process.exitCode = undefined;
        try { require(require("node:path").resolve(file)); } finally { process.stdout.write = write; }
        results[name] = { stdout: out, status: process.exitCode };
      }
      process.exitCode = 0;
      console.log(JSON.stringify(results));`;
    const run = spawnSync(process.execPath, ["--require", register, "-e", driver], { cwd: root, env: { ...CLEAN, CDKTF_OUTDIR: outdir }, encoding: "utf8" });
    expect(run.stderr).toBe("");
    const results: Record<string, { stdout: string; status: number }> = JSON.parse(run.stdout);
    for (const cjs of ENTRY_POINTS.filter((s) => !s.file.endsWith(".ts"))) {
      const alone = spawnSync(process.execPath, ["--require", register, cjs.file, "--help"], { cwd: root, encoding: "utf8" });
      results[cjs.name] = { stdout: alone.stdout, status: alone.status ?? -1 };
    }
    for (const { name } of ENTRY_POINTS) {
      const { stdout, status } = results[name];
      expect({ name, status, usage: stdout.split("\n")[0] }).toEqual({ name, status: 0, usage: expect.stringMatching(new RegExp(`^usage: npm run ${name}( -- .+)?$`)) });
      expect(stdout).toMatch(/\n\noptions:\n( {2}.+\n)* {2}-h, --help +print this help and run nothing\n/);
    }
    // `npm run synth -- --help` synthesised nothing: not even the output directory exists.
    expect(existsSync(outdir)).toBe(false);
    expect(results.synth.stdout).toContain("CLOUDTIERS_STACKS");
  });

  it("refuses an unknown option with the usage and exit code 2, having written nothing", () => {
    const outdir = join(mkdtempSync(join(tmpdir(), "cloudtiers-usage-")), "out");
    const run = spawnSync(process.execPath, ["--require", register, "main.ts", "--dry", "production-aws"], { cwd: root, env: { ...CLEAN, CDKTF_OUTDIR: outdir }, encoding: "utf8" });
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({
      status: 2,
      stdout: "",
      stderr: "synth: unknown option --dry\nusage: npm run synth -- [stack pattern...]\n(npm run synth -- --help says more)\n",
    });
    expect(existsSync(outdir)).toBe(false);
  });
});

describe("npm run synth", () => {
  const outdir = mkdtempSync(join(tmpdir(), "cloudtiers-cli-synth-"));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));
  const synth = (options: Parameters<typeof synthesize>[1] = {}) => {
    const out = capture();
    const err = capture();
    process.env.CDKTF_OUTDIR = outdir;
    try {
      const code = synthesize(environments, { env: {}, ...options, stdout: out.stream, stderr: err.stream });
      return { code, stdout: out.text(), stderr: err.text() };
    } finally {
      delete process.env.CDKTF_OUTDIR;
    }
  };
  const stackDirs = () => readdirSync(join(outdir, "stacks")).sort();
  // Every stack, as a plain `npm run synth` writes them; the selected synth below starts from it.
  let full: ReturnType<typeof synth>;
  beforeAll(() => {
    full = synth();
  });

  it("ends with one line per stack: its cloud, its local state file and its resources", () => {
    expect(full.code).toBe(0);
    const lines = full.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`synthesised ${STACKS.length} stacks into ${join(outdir, "stacks")}:`);
    expect(lines.slice(1)).toHaveLength(STACKS.length);
    STACKS.forEach((s, i) => {
      const resources = Object.values(JSON.parse(readFileSync(join(outdir, "stacks", s.name, "cdk.tf.json"), "utf8")).resource as Record<string, object>).reduce(
        (n, byName) => n + Object.keys(byName).length,
        0,
      );
      expect(lines[i + 1].trim().split(/ {2,}/)).toEqual([s.name, s.cloud, `local terraform.${s.name}.tfstate`, `${resources} resources`]);
    });
  });

  it("selects from its arguments as CLOUDTIERS_STACKS does, and leaves only the manifest's stacks beside it", () => {
    expect(stackDirs()).toEqual(STACKS.map((s) => s.name).sort());
    // An earlier directory that holds state, and one that is no stack, are left alone.
    const [kept, ...removed] = STACKS.slice(1).map((s) => s.name);
    writeFileSync(join(outdir, "stacks", kept, "terraform.tfstate"), "{}");
    mkdirSync(join(outdir, "stacks", "notes"));
    writeFileSync(join(outdir, "stacks", "notes", "README"), "mine");

    const chosen = STACKS[0].name;
    const { code, stdout, stderr } = synth({ select: [chosen] });
    expect(code).toBe(0);
    expect(stdout).toContain(`synthesised 1 of ${STACKS.length} stacks into ${join(outdir, "stacks")} (selected by the command line: ${chosen}):\n`);
    expect(stdout).toContain(`removed the stack directories no longer in the manifest: ${removed.sort().join(", ")}\n`);
    expect(stderr).toContain(`warning: ${join(outdir, "stacks", kept)} is no longer in the manifest, but was kept: it holds terraform.tfstate\n`);
    expect(Object.keys(JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")).stacks)).toEqual([chosen]);
    expect(stackDirs()).toEqual([chosen, kept, "notes"].sort());
  });

  it("takes its patterns from main.ts's arguments, over CLOUDTIERS_STACKS", () => {
    const [chosen, other] = [REMOTE.name, STACKS.find((s) => s.name !== REMOTE.name)!.name];
    const run = spawnSync(process.execPath, ["--require", register, "main.ts", chosen], { cwd: root, env: { ...CLEAN, CDKTF_OUTDIR: outdir, CLOUDTIERS_STACKS: other }, encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`(selected by the command line: ${chosen}):\n  ${chosen} `);
    expect(Object.keys(JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")).stacks)).toEqual([chosen]);
  });

  it("names the Terraform Cloud organization and workspace a leftover TF_CLOUD_ORGANIZATION sends the state to", () => {
    const { code, stdout } = synth({ env: { TF_CLOUD_ORGANIZATION: "acme" }, select: [REMOTE.name] });
    expect(code).toBe(0);
    expect(stdout.split("\n")[1].trim().split(/ {2,}/).slice(0, 3)).toEqual([REMOTE.name, REMOTE.cloud, `Terraform Cloud acme/${workspaceName(REMOTE.spec, REMOTE.cloud)}`]);
  });
});

describe("the selection", () => {
  const selected = (options: Parameters<typeof planApp>[1]) =>
    planApp(environments, options)
      .stacks.filter((s) => s.selected)
      .map((s) => s.name);
  const [first, second] = STACKS.map((s) => s.name);

  it("takes patterns from the command line, else CLOUDTIERS_STACKS, else cdktf.json's context, each a list or comma-separated", () => {
    const context = { stacks: `${second}` };
    expect(selected({ env: {}, context })).toEqual([second]);
    expect(selected({ env: { CLOUDTIERS_STACKS: first }, context })).toEqual([first]);
    expect(selected({ env: { CLOUDTIERS_STACKS: first }, context, select: [`${first},${second}`] })).toEqual([first, second]);
    expect(planApp(environments, { env: { CLOUDTIERS_STACKS: first }, select: [second] }).selection).toEqual({ patterns: [second], source: "the command line" });
  });
});

describe("npm run list", () => {
  it("prints the stacks a synth would build, with each one's cloud and backend, reading cdktf.json as the cdktf CLI does, and writes nothing", () => {
    const cwd = mkdtempSync(join(tmpdir(), "cloudtiers-list-"));
    const outdir = join(cwd, "out");
    writeFileSync(join(cwd, "cdktf.json"), JSON.stringify({ context: { stacks: `${REMOTE.name},terraform-cloud-*` } }));
    const all = planApp(environments, { env: { TF_CLOUD_ORGANIZATION: "acme" } }).stacks;
    const run = spawnSync(process.execPath, ["--require", register, join(root, "scripts", "list.ts")], {
      cwd,
      env: { ...CLEAN, CDKTF_OUTDIR: outdir, TF_CLOUD_ORGANIZATION: "acme" },
      encoding: "utf8",
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout.trimEnd().split("\n").map((line) => line.trim().split(/ {2,}/))).toEqual([
      [`would synthesise 2 of ${all.length} stacks (selected by context stacks: ${REMOTE.name},terraform-cloud-*):`],
      [REMOTE.name, REMOTE.cloud, `Terraform Cloud acme/${workspaceName(REMOTE.spec, REMOTE.cloud)}`],
      ["terraform-cloud-acme", "terraform-cloud", "local terraform.terraform-cloud-acme.tfstate"],
    ]);
    expect(readdirSync(cwd)).toEqual(["cdktf.json"]);
    rmSync(cwd, { recursive: true });
  });
});
