/** `npm run preflight`: what it does is its `--help`, declared below; the checks are docs/preflight.md's. */
import { environments } from "../environments";
import { withScratchSynth } from "../modules/stacks/app";
import { cloudTiersStacks, writtenDocument } from "../modules/stacks/policy";
import { PreflightUsageError, cloudPreflight, preflightStacks, runChecks } from "../modules/stacks/preflight";
import { runCommand } from "./command-line";

runCommand(
  {
    name: "preflight",
    args: "<stack pattern>...",
    description:
      "Before an apply, whether the account can take each stack the patterns select (`*` matching any\n" +
      "run of characters): with the stack's own credentials and read-only calls, each check printed as\n" +
      "it ends with pass or FAIL and the fix (docs/preflight.md lists them). Exits 1 when a check fails;\n" +
      "2 when asked wrongly (no pattern, one matching no stack, credentials missing), having called nothing.",
    environment: {
      DIGITALOCEAN_API_URL: "DigitalOcean's API endpoint, as for the provider",
      CLOUDFLARE_API_URL: "Cloudflare's API endpoint (this command's own)",
      SPACES_ENDPOINT_URL: "the Spaces endpoint",
      AWS_ENDPOINT_URL: "the AWS endpoint, as for the SDKs",
    },
  },
  async ({ positionals }) => {
    const env = process.env;
    // The SDKs' notice that their releases after January 2027 need Node 22 is for whoever updates them (docs/design.md), not for this command's reader.
    env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    let stacks: ReturnType<typeof preflightStacks>;
    try {
      stacks = preflightStacks(environments, positionals);
      for (const stack of stacks) {
        const missing = await cloudPreflight(stack.cloud.id).missingCredentials(env);
        if (missing) throw new PreflightUsageError(`${stack.name}: ${missing}`);
      }
    } catch (e) {
      if (!(e instanceof PreflightUsageError)) throw e;
      process.stderr.write(`preflight: ${e.message}\n`);
      return 2;
    }
    const documents = withScratchSynth(environments, stacks.map((s) => s.name), (app) => new Map(cloudTiersStacks(app).map((s) => [s.node.id, writtenDocument(app, s)])), env);
    const out = (line: string) => process.stdout.write(`${line}\n`);
    let failures = 0;
    for (const stack of stacks) {
      out(`preflight: ${stack.name}`);
      const groups = cloudPreflight(stack.cloud.id).groups({ spec: stack.spec, doc: documents.get(stack.name)!, env, log: (line) => out(`        ${line}`) });
      failures += await runChecks(groups, out);
    }
    const names = stacks.map((s) => s.name).join(", ");
    if (failures > 0) {
      process.stderr.write(`preflight: ${failures} check${failures > 1 ? "s" : ""} failed for ${names}: fix ${failures > 1 ? "them" : "it"} before the apply\n`);
      return 1;
    }
    out(`preflight: ${names}: every check passed`);
    return 0;
  },
);
