import { spawnSync } from "node:child_process";
import { TerraformStack } from "cdktf";
import { StackDocument } from "../../modules/policy/document";
import { withScratchSynth } from "../../modules/stacks/app";
import { writtenDocument } from "../../modules/stacks/policy";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { describeAws } from "./aws";
import { describeDigitalOcean } from "./digitalocean";
import { Diagram, toDot } from "./graph";

/*
 * `npm run diagram`'s library: synthesise stacks as `npm run synth` does, read each one's
 * written cdk.tf.json back, describe it (boxes, edges, clusters) and write it as DOT for
 * Graphviz. Nothing here is loaded by main.ts.
 */

/** A synthesised stack, read back from the cdk.tf.json the App wrote. */
export interface SynthesisedStack {
  readonly name: string;
  readonly doc: StackDocument;
}

/**
 * Synthesises the selected stacks (`*` patterns, as CLOUDTIERS_STACKS; every stack when
 * none) into a scratch directory and reads each written stack back. Stacks no diagram
 * describes (the Terraform Cloud bootstrap) are left out.
 */
export function synthesiseStacks(environments: readonly EnvironmentSpec[], select?: readonly string[], env: NodeJS.ProcessEnv = process.env): SynthesisedStack[] {
  return withScratchSynth(environments, select ?? [], (app) =>
    app.node.children
      .filter((c): c is TerraformStack => c instanceof TerraformStack)
      .map((s) => ({ name: s.node.id, doc: writtenDocument(app, s) }))
      .filter((s) => diagramCloud(s.doc) !== undefined),
    env,
  );
}

function diagramCloud(doc: StackDocument): "aws" | "digitalocean" | undefined {
  const providers = Object.keys(doc.json.provider ?? {});
  return providers.includes("aws") ? "aws" : providers.includes("digitalocean") ? "digitalocean" : undefined;
}

/** The diagram of a synthesised stack, by the cloud its providers name. */
export function describeStack(name: string, doc: StackDocument): Diagram {
  const cloud = diagramCloud(doc);
  if (cloud === "aws") return describeAws(name, doc);
  if (cloud === "digitalocean") return describeDigitalOcean(name, doc);
  throw new Error(`${name}: no diagram for a stack whose providers are ${Object.keys(doc.json.provider ?? {}).join(", ") || "(none)"}; it needs aws or digitalocean`);
}

/** The DOT text of a synthesised stack's diagram. */
export function stackDot(name: string, doc: StackDocument): string {
  return toDot(describeStack(name, doc));
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
