/**
 * `npm run modules:publish -- [--dry-run] [--organization ORG] [--hostname HOST] [--dir DIR] [file.tar.gz ...]`:
 * publishes Terraform module tarballs (`<name>-<provider>-<version>.tar.gz`) to the private
 * module registry of a Terraform Cloud / Enterprise organization (tools/registry/publish.ts).
 *
 * - Files: the ones named, else every `*.tar.gz` in `--dir` (default build/terraform-modules,
 *   relative to the current directory), sorted by name.
 * - `--organization`, else TF_CLOUD_ORGANIZATION. `--hostname`, else TF_CLOUD_HOSTNAME, else
 *   app.terraform.io.
 * - The token: TF_TOKEN_<hostname, "." → "_" and "-" → "__", or either left as is, as Terraform
 *   reads it>, else TFE_TOKEN. It is never printed.
 * - `--dry-run` prints what would be done, sends no request and needs no token.
 * - Hidden, for tests: `--api-base URL` replaces https://<hostname>/api/v2.
 *
 * Prints one line per step and per tarball, then `published N, skipped N, failed N`; exits 1
 * when a tarball failed or the arguments are wrong, else 0.
 */
import { parseArgs } from "node:util";
import { DEFAULT_TARBALL_DIR, PublishError, listTarballs, publishModules, summarize } from "../tools/registry/publish";

const USAGE = "usage: npm run modules:publish -- [--dry-run] [--organization ORG] [--hostname HOST] [--dir DIR] [file.tar.gz ...]";

/** Runs the command line `args` and returns the exit code. */
async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        "dry-run": { type: "boolean" },
        organization: { type: "string" },
        hostname: { type: "string" },
        dir: { type: "string" },
        "api-base": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
    return 1;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const files = positionals.length > 0 ? positionals : listTarballs(values.dir ?? DEFAULT_TARBALL_DIR);
  const results = await publishModules({
    files,
    organization: values.organization,
    hostname: values.hostname,
    apiBase: values["api-base"],
    dryRun: values["dry-run"] ?? false,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`${summarize(results)}\n`);
  return results.some((r) => r.outcome === "failed") ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Expected problems get their message only; anything else is a bug and keeps its stack trace.
    if (!(error instanceof PublishError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  },
);
