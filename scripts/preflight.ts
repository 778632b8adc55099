/**
 * `npm run preflight -- <stack pattern>...`: before an apply, whether the account can take
 * each stack the patterns select (`*` matching any run of characters): with the stack's own
 * credentials and read-only calls, each check printed as it ends with pass or FAIL and the
 * fix (docs/preflight.md lists them). Exits 1 when a check fails; 2 when asked wrongly (no
 * pattern, one matching no stack, credentials missing), having called nothing. The
 * endpoints can be moved, as for the providers and SDKs: DIGITALOCEAN_API_URL,
 * CLOUDFLARE_API_URL (this command's own), SPACES_ENDPOINT_URL, AWS_ENDPOINT_URL.
 */
import { environments } from "../environments";
import { ValidationError, formatIssue } from "../modules/core";
import { withScratchSynth } from "../modules/stacks/app";
import { cloudTiersStacks, writtenDocument } from "../modules/stacks/policy";
import { PreflightUsageError, cloudPreflight, preflightStacks, runChecks } from "../modules/stacks/preflight";

async function main(argv: string[]): Promise<number> {
  const env = process.env;
  // The SDKs' notice that their releases after January 2027 need Node 22 is for whoever updates them (docs/design.md), not for this command's reader.
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  let stacks: ReturnType<typeof preflightStacks>;
  try {
    stacks = preflightStacks(environments, argv);
    for (const stack of stacks) {
      const missing = await cloudPreflight(stack.cloud.id).missingCredentials(env);
      if (missing) throw new PreflightUsageError(`${stack.name}: ${missing}`);
    }
  } catch (e) {
    if (!(e instanceof PreflightUsageError)) throw e;
    process.stderr.write(`preflight: ${e.message}\n`);
    return 2;
  }
  let documents;
  try {
    documents = withScratchSynth(environments, stacks.map((s) => s.name), (app) => new Map(cloudTiersStacks(app).map((s) => [s.node.id, writtenDocument(app, s)])), env);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    for (const issue of e.issues) process.stderr.write(`${formatIssue(issue)}\n`);
    return 1;
  }
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
}

main(process.argv.slice(2)).then((code) => (process.exitCode = code));
