import { environments } from "./environments";
import { synthesizeAll } from "./modules/stacks/app";
import { STACK_SELECTION, TERRAFORM_CLOUD_SETTINGS, cdktfContext, runCommand } from "./scripts/command-line";

// The app command of cdktf.json: the cdktf CLI runs it with no arguments.
runCommand(
  {
    name: "synth",
    args: "[stack pattern...]",
    description:
      "Synthesises the stacks named (every one without a pattern; `*` matches any run of characters)\n" +
      "into cdktf.out/stacks/<stack>/cdk.tf.json, holds each to the policy pack, removes the stack\n" +
      "directories an earlier synth left that the manifest no longer lists, and ends with one line per\n" +
      "stack: its cloud, where its state lives (a local file, or a Terraform Cloud organization and\n" +
      "workspace) and its resources. The patterns on the command line win over CLOUDTIERS_STACKS, which\n" +
      "wins over cdktf.json's context `stacks`. Exits 1, having written nothing, on an invalid spec or a\n" +
      "stack the policy pack refuses.",
    environment: {
      ...STACK_SELECTION,
      ...TERRAFORM_CLOUD_SETTINGS,
      CDKTF_OUTDIR: "where to write (default cdktf.out)",
      CLOUDTIERS_SYNTH_WORKERS: "processes that synthesise groups of stacks in parallel (default one a core, at least 20 stacks each; 1 for a serial synth): the output is the same",
    },
  },
  ({ positionals }) => synthesizeAll(environments, { select: positionals.length > 0 ? positionals : undefined, context: cdktfContext() }),
);
