import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { CLOUDS } from "../modules/stacks/clouds";
import { CLOUD_MODULES_FOLDER } from "../tools/registry/catalog";
import { INSPECTORS_FOLDER } from "./contract/inspectors";
import { FIXTURES_FOLDER } from "./policy/fixtures";

/*
 * CONTRIBUTING.md's checklists name files, commands and types; each must exist as named, so
 * a rename that leaves the checklist behind fails here. That a cloud registered as the
 * checklist says works end to end is test/clouds/fake-cloud.test.ts.
 */

const root = join(__dirname, "..");
const text = readFileSync(join(root, "CONTRIBUTING.md"), "utf8");
const code = [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
const links = [...text.matchAll(/\]\(([^)#]+)\)/g)].map((m) => m[1]);
/** The folders of the registered clouds, which `<cloud>` stands for: each is named after the cloud's own spec section. */
const CLOUD_FOLDERS = CLOUDS.map((c) => c.sections[0]);
/** The registered clouds' ids, which `<id>` stands for. */
const CLOUD_IDS = CLOUDS.map((c) => c.id);
/** The text between two headings or phrases of the file. */
const between = (from: string, to: string) => text.slice(text.indexOf(from), text.indexOf(to, text.indexOf(from)));

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts")).map((f) => join(root, dir, f));
}

describe("CONTRIBUTING.md", () => {
  it("names only files and folders that exist (`<cloud>` standing for each shipped cloud's folder, `<id>` for each registered cloud's id)", () => {
    const paths = [...links, ...code.filter((c) => (/^[\w.<>*-]+(\/[\w.<>*'-]*)+$/.test(c) || /^[\w-]+\.json$/.test(c)) && !/<(tier|name)>/.test(c) && !c.startsWith("cloudtiers/"))];
    expect(paths.length).toBeGreaterThan(20);
    const each = (p: string, placeholder: string, values: readonly string[]) => (p.includes(placeholder) ? values.map((v) => p.replace(placeholder, v)) : [p]);
    const missing = paths.flatMap((p) => each(p, "<cloud>", CLOUD_FOLDERS)).flatMap((p) => each(p, "<id>", CLOUD_IDS)).filter((p) => {
      if (!p.includes("*")) return !existsSync(join(root, p));
      const [dir, pattern] = [p.slice(0, p.lastIndexOf("/")), new RegExp(`^${p.slice(p.lastIndexOf("/") + 1).replace(/\./g, "\\.").replace(/\*/g, ".*")}$`)];
      return !existsSync(join(root, dir)) || !readdirSync(join(root, dir)).some((f) => pattern.test(f));
    });
    expect(missing).toEqual([]);
  });

  it("lists as a cloud's new files only files each shipped cloud has", () => {
    const section = between("New files, in `modules/<cloud>/`", "New files outside `modules/`");
    const files = [...section.matchAll(/^\d+\. (.+?):/gm)].flatMap((m) => [...m[1].matchAll(/`([\w-]+\.ts)`/g)].map((f) => f[1]));
    expect(files).toEqual(["settings.ts", "validate.ts", "factory.ts", "policy.ts", "cost.ts", "diagram.ts", "preflight.ts", "samples.ts", "cloud.ts"]);
    for (const cloud of CLOUD_FOLDERS) expect({ cloud, missing: files.filter((f) => !existsSync(join(root, "modules", cloud, f))) }).toEqual({ cloud, missing: [] });
  });

  it("lists as a cloud's files outside modules/ the parts the tests and the registry find by its id", () => {
    const section = between("New files outside `modules/`", "Existing files to change");
    const files = [...section.matchAll(/^\d+\. `([^`]+)`:/gm)].map((m) => m[1]);
    expect(files).toEqual([INSPECTORS_FOLDER, FIXTURES_FOLDER, CLOUD_MODULES_FOLDER].map((folder) => `${folder}/<id>.ts`));
  });

  it("lists as the existing files a new cloud changes the list of registrations, the spec's section and the binding, and no other", () => {
    const section = between("Existing files to change", "## Adding a tier");
    expect([...section.matchAll(/^\d+\. `([^`]+)`:/gm)].map((m) => m[1])).toEqual(["modules/stacks/clouds.ts", "modules/stacks/spec.ts", "package.json"]);
  });

  it("names only npm scripts package.json has", () => {
    const scripts = Object.keys(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts);
    const named = [...text.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((s) => !scripts.includes(s))).toEqual([]);
  });

  it("names only types and constants the code declares", () => {
    const names = [...new Set(code.filter((c) => /^[A-Z][A-Za-z_]+$/.test(c)))];
    expect(names).toEqual(expect.arrayContaining(["CloudAdapter", "CLOUDS", "TierFactory", "CloudPolicy", "CloudCost", "CloudSamples", "CloudInspector", "INSPECTOR", "FIXTURES", "MODULES"]));
    const declared = [...["modules", "tools", "test"].flatMap(sources)].map((f) => readFileSync(f, "utf8")).join("\n");
    expect(names.filter((n) => !new RegExp(`(interface|class|type|const|function|let) ${n}\\b`).test(declared))).toEqual([]);
  });
});
