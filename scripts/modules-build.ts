/**
 * `npm run modules:build [name-provider ...]`: writes every standalone Terraform module
 * (or those named, e.g. `cloudtiers-cache-aws`) to build/terraform-modules/, each as a
 * directory and as `<name>-<provider>-<version>.tar.gz` with the module at the archive
 * root. The version is package.json's. Needs the terraform binary (`terraform fmt`).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { buildModule } from "../tools/registry/build";
import { MODULES } from "../tools/registry/catalog";

const root = join(__dirname, "..");
const outdir = join(root, "build", "terraform-modules");
const version: string = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
const only = process.argv.slice(2);

const known = MODULES.map((m) => `${m.name}-${m.provider}`);
const unknown = only.filter((name) => !known.includes(name));
if (unknown.length > 0) {
  process.stderr.write(`modules:build: no module ${unknown.join(", ")}; the modules are ${known.join(", ")}\n`);
  process.exit(1);
}
try {
  mkdirSync(outdir, { recursive: true });
  for (const definition of MODULES.filter((m) => only.length === 0 || only.includes(`${m.name}-${m.provider}`))) {
    const built = buildModule(definition, version, outdir);
    process.stdout.write(`${relative(root, built.tarball)}  (${built.files.length} files)\n`);
  }
} catch (e) {
  process.stderr.write(`modules:build: ${(e as Error).message}\n`);
  process.exit(1);
}
