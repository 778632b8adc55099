/* eslint-disable @typescript-eslint/no-require-imports -- a cloud's parts outside modules/ are found by their file's name */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { CloudAdapter } from "../modules/stacks/clouds";

const ROOT = join(__dirname, "..");

/**
 * A registered cloud's part that lives outside modules/ (which may not import tools/ or
 * test/), found by convention: `<folder>/<cloud id>.ts`, exporting `name`. A cloud without
 * the file fails here, naming the file to add (CONTRIBUTING.md, "Adding a cloud").
 */
export function cloudPart<T>(cloud: CloudAdapter, folder: string, name: string): T {
  const file = `${folder}/${cloud.id}.ts`;
  const missing = `the cloud "${cloud.id}" is registered but has no ${file}: add it, exporting ${name} (CONTRIBUTING.md, "Adding a cloud")`;
  if (!existsSync(join(ROOT, file))) throw new Error(missing);
  const part = (require(join(ROOT, folder, cloud.id)) as Record<string, T | undefined>)[name];
  if (part === undefined) throw new Error(`${file} exports no ${name}`);
  return part;
}
