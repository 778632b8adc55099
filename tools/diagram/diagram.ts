import { spawnSync } from "node:child_process";
import { Diagram, toDot } from "../../modules/diagram/graph";
import { StackDocument } from "../../modules/policy/document";
import { withScratchSynth } from "../../modules/stacks/app";
import { CloudAdapter } from "../../modules/stacks/clouds";
import { cloudTiersStacks, writtenDocument } from "../../modules/stacks/policy";
import { EnvironmentSpec } from "../../modules/stacks/spec";

/*
 * `npm run diagram`'s library: synthesise stacks as `npm run synth` does, read each one's
 * written cdk.tf.json back, describe it (boxes, edges, clusters) with its cloud's reader
 * (the registration's `diagram`) and write it as DOT for Graphviz. Nothing here is loaded
 * by main.ts.
 */

/** A synthesised stack, read back from the cdk.tf.json the App wrote. */
export interface SynthesisedStack {
  readonly name: string;
  readonly doc: StackDocument;
  readonly cloud: CloudAdapter;
}

/**
 * Synthesises the selected stacks (`*` patterns, as CLOUDTIERS_STACKS; every stack when
 * none) into a scratch directory and reads each written stack back. Stacks no diagram
 * describes (the Terraform Cloud bootstrap) are left out.
 */
export function synthesiseStacks(environments: readonly EnvironmentSpec[], select?: readonly string[], env: NodeJS.ProcessEnv = process.env): SynthesisedStack[] {
  return withScratchSynth(environments, select ?? [], (app) =>
    cloudTiersStacks(app).map((s) => ({ name: s.node.id, doc: writtenDocument(app, s), cloud: s.cloud })),
    env,
  );
}

/** The diagram of a synthesised stack, read by its cloud's registration. */
export function describeStack(stack: SynthesisedStack): Diagram {
  return stack.cloud.diagram(stack.name, stack.doc);
}

/** The DOT text of a synthesised stack's diagram. */
export function stackDot(stack: SynthesisedStack): string {
  return toDot(describeStack(stack));
}

/** Graphviz's `dot`, or an error naming the Debian package that has it. */
export function dotCommand(env: NodeJS.ProcessEnv = process.env): string {
  const found = spawnSync("/bin/sh", ["-c", "command -v dot"], { encoding: "utf8", env });
  if (found.status !== 0) throw new Error("dot is not installed: apt-get install graphviz (Debian's Graphviz; .ci/run installs it)");
  return found.stdout.trim();
}

/** Renders DOT (one graph, or several one after another) to SVG with `dot -Tsvg`; fails with dot's own message when it refuses the text. */
export function renderSvg(dot: string): string {
  const run = spawnSync(dotCommand(), ["-Tsvg"], { input: dot, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`dot -Tsvg failed (${run.status ?? run.signal}): ${run.stderr}`);
  return run.stdout;
}
