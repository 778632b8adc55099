/**
 * `npm run modules:publish`: what it does is its `--help`, declared below; the work is in
 * tools/registry/publish.ts. Hidden, for tests: `--api-base URL` replaces
 * https://<hostname>/api/v2.
 */
import { DEFAULT_TARBALL_DIR, PublishError, listTarballs, publishModules, summarize } from "../tools/registry/publish";
import { runCommand } from "./command-line";

runCommand(
  {
    name: "modules:publish",
    args: "[file.tar.gz...]",
    description:
      "Publishes Terraform module tarballs (<name>-<provider>-<version>.tar.gz) to the private module\n" +
      "registry of a Terraform Cloud / Enterprise organization: the files named, else every *.tar.gz in\n" +
      "--dir, sorted by name. Prints one line per step and per tarball, then `published N, skipped N,\n" +
      "failed N`; exits 1 when a tarball failed. The token is never printed.",
    options: {
      "dry-run": { type: "boolean", description: "print what would be done; send no request, need no token" },
      organization: { type: "string", value: "org", description: "the organization (default TF_CLOUD_ORGANIZATION)" },
      hostname: { type: "string", value: "host", description: "Terraform Enterprise's host (default TF_CLOUD_HOSTNAME, else app.terraform.io)" },
      dir: { type: "string", value: "dir", description: `where the tarballs are (default ${DEFAULT_TARBALL_DIR}, from the current directory)` },
      "api-base": { type: "string", value: "url", description: "the API's base URL", hidden: true },
    },
    environment: {
      TF_CLOUD_ORGANIZATION: "the organization, when --organization is not given",
      TF_CLOUD_HOSTNAME: "the host, when --hostname is not given",
      "TF_TOKEN_<host>": "the API token, as Terraform reads it (\".\" as \"_\", \"-\" as \"__\"); else TFE_TOKEN",
    },
  },
  async (line) => {
    try {
      const files = line.positionals.length > 0 ? [...line.positionals] : listTarballs(line.text("dir") ?? DEFAULT_TARBALL_DIR);
      const results = await publishModules({
        files,
        organization: line.text("organization"),
        hostname: line.text("hostname"),
        apiBase: line.text("api-base"),
        dryRun: line.flag("dry-run"),
        log: (line) => process.stdout.write(`${line}\n`),
      });
      process.stdout.write(`${summarize(results)}\n`);
      return results.some((r) => r.outcome === "failed") ? 1 : 0;
    } catch (error) {
      // Expected problems get their message only; anything else is a bug and keeps its stack trace.
      if (!(error instanceof PublishError)) throw error;
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
  },
);
