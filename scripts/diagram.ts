/** `npm run diagram`: what it does is its `--help`, declared below. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { environments } from "../environments";
import { dotCommand, renderSvg, stackDot, synthesiseStacks } from "../tools/diagram/diagram";
import { STACK_SELECTION, runCommand } from "./command-line";

runCommand(
  {
    name: "diagram",
    args: "[stack pattern...]",
    description:
      "Synthesises the stacks (every one, or those named; `*` matches any run of characters), reads each\n" +
      "written cdk.tf.json back and draws it with Graphviz: <dir>/<stack>.dot and <dir>/<stack>.svg.\n" +
      "`npm run diagram -- --out docs/diagrams 'production-*'` refreshes the README's. Needs Graphviz\n" +
      "(apt-get install graphviz).",
    options: { out: { type: "string", short: "o", value: "dir", description: "where the diagrams go (default cdktf.out/diagrams)" } },
    environment: STACK_SELECTION,
  },
  ({ text, positionals }) => {
    const out = text("out") ?? join("cdktf.out", "diagrams");
    try {
      dotCommand(); // before synthesising anything
    } catch (e) {
      process.stderr.write(`diagram: ${(e as Error).message}\n`);
      return 1;
    }
    const stacks = synthesiseStacks(environments, positionals);
    mkdirSync(out, { recursive: true });
    for (const stack of stacks) {
      const { name } = stack;
      const dot = stackDot(stack);
      writeFileSync(join(out, `${name}.dot`), dot);
      writeFileSync(join(out, `${name}.svg`), renderSvg(dot));
      process.stdout.write(`${name}: ${relative(process.cwd(), resolve(out, `${name}.svg`))}\n`);
    }
    return 0;
  },
);
