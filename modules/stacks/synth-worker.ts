/**
 * One group of a parallel synth (`synthesizeAll`): reads a `SynthJob` as JSON from the file
 * named on its command line, builds and synthesises the stacks it names into its own
 * directory exactly as a serial synth builds them, holds them to the policy pack, and writes a
 * `SynthGroupResult` as JSON on stdout. A problem a construct finds is written as a serial
 * synth reports it, and the worker exits 1. Run by `synthesizeAll` only.
 */
import { readFileSync } from "node:fs";
import { groupFailure, synthGroup } from "./app";

try {
  // The job's environment is this process's own (credentials never go in the file).
  const job = { ...JSON.parse(readFileSync(process.argv[2], "utf8")), env: { ...process.env } };
  process.stdout.write(JSON.stringify(synthGroup(job)));
} catch (e) {
  process.stderr.write(groupFailure(e));
  process.exitCode = 1;
}
