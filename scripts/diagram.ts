/**
 * `npm run diagram [--out <dir>] [stack...]`: synthesises the shipped stacks (every one, or
 * those named; `*` matches any run of characters, as in CLOUDTIERS_STACKS), reads each
 * written cdk.tf.json back and draws it with Graphviz: `<dir>/<stack>.dot` (the text,
 * generated here) and `<dir>/<stack>.svg` (`dot -Tsvg`). `<dir>` is cdktf.out/diagrams
 * unless `--out` says otherwise; `npm run diagram -- --out docs/diagrams 'production-*'`
 * refreshes the README's. Needs Graphviz (`apt-get install graphviz`).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { environments } from "../environments";
import { ValidationError, formatIssue } from "../modules/core";
import { dotCommand, renderSvg, stackDot, synthesiseStacks } from "../tools/diagram/diagram";

function parse(args: string[]): { out: string; patterns: string[] } {
  let out = join("cdktf.out", "diagrams");
  const patterns: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--out" || arg === "-o") {
      if (i + 1 >= args.length) throw new Error(`${arg} needs a directory`);
      out = args[++i];
    } else if (arg.startsWith("--out=")) out = arg.slice("--out=".length);
    else if (arg.startsWith("-")) throw new Error(`unknown option ${arg}; usage: npm run diagram -- [--out <dir>] [stack pattern...]`);
    else patterns.push(arg);
  }
  return { out, patterns };
}

try {
  const { out, patterns } = parse(process.argv.slice(2));
  dotCommand(); // before synthesising anything
  const stacks = synthesiseStacks(environments, patterns);
  mkdirSync(out, { recursive: true });
  for (const stack of stacks) {
    const { name } = stack;
    const dot = stackDot(stack);
    const svg = renderSvg(dot);
    writeFileSync(join(out, `${name}.dot`), dot);
    writeFileSync(join(out, `${name}.svg`), svg);
    process.stdout.write(`${name}: ${relative(process.cwd(), resolve(out, `${name}.svg`))}\n`);
  }
  process.exitCode = 0;
} catch (e) {
  if (e instanceof ValidationError) for (const issue of e.issues) process.stderr.write(`${formatIssue(issue)}\n`);
  else process.stderr.write(`cloudtiers diagram: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
