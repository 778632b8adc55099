/** `npm run modules:build`: what it does is its `--help`, declared below. */
import { mkdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { buildModule } from "../tools/registry/build";
import { MODULES } from "../tools/registry/catalog";
import { CommandUsageError, runCommand } from "./command-line";

const root = join(__dirname, "..");
const outdir = join(root, "build", "terraform-modules");

runCommand(
  {
    name: "modules:build",
    args: "[name-provider...]",
    description:
      "Writes every standalone Terraform module (or those named, e.g. cloudtiers-cache-aws) to\n" +
      "build/terraform-modules/, each as a directory and as <name>-<provider>-<version>.tar.gz with the\n" +
      "module at the archive root; the version is package.json's. Needs the terraform binary (terraform fmt).",
  },
  ({ positionals }) => {
    const version: string = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
    const known = MODULES.map((m) => `${m.name}-${m.provider}`);
    const unknown = positionals.filter((name) => !known.includes(name));
    if (unknown.length > 0) throw new CommandUsageError(`no module ${unknown.join(", ")}; the modules are ${known.join(", ")}`);
    try {
      mkdirSync(outdir, { recursive: true });
      for (const definition of MODULES.filter((m) => positionals.length === 0 || positionals.includes(`${m.name}-${m.provider}`))) {
        const built = buildModule(definition, version, outdir);
        process.stdout.write(`${relative(root, built.tarball)}  (${built.files.length} files)\n`);
      }
    } catch (e) {
      process.stderr.write(`modules:build: ${(e as Error).message}\n`);
      return 1;
    }
    return 0;
  },
);
