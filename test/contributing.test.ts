import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

/*
 * CONTRIBUTING.md's checklists name files, commands and types; each must exist as named, so
 * a rename that leaves the checklist behind fails here. That a cloud registered as the
 * checklist says works end to end is test/clouds/fake-cloud.test.ts.
 */

const root = join(__dirname, "..");
const text = readFileSync(join(root, "CONTRIBUTING.md"), "utf8");
const code = [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
const links = [...text.matchAll(/\]\(([^)#]+)\)/g)].map((m) => m[1]);
/** The folders of the shipped clouds, which `<cloud>` stands for. */
const CLOUD_FOLDERS = ["aws", "digitalocean"];

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts")).map((f) => join(root, dir, f));
}

describe("CONTRIBUTING.md", () => {
  it("names only files and folders that exist (`<cloud>` standing for each shipped cloud's folder)", () => {
    const paths = [...links, ...code.filter((c) => (/^[\w.<>*-]+(\/[\w.<>*'-]*)+$/.test(c) || /^[\w-]+\.json$/.test(c)) && !/<(tier|name)>/.test(c) && !c.startsWith("cloudtiers/"))];
    expect(paths.length).toBeGreaterThan(20);
    const missing = paths.flatMap((p) => (p.includes("<cloud>") ? CLOUD_FOLDERS.map((c) => p.replace("<cloud>", c)) : [p])).filter((p) => {
      if (!p.includes("*")) return !existsSync(join(root, p));
      const [dir, pattern] = [p.slice(0, p.lastIndexOf("/")), new RegExp(`^${p.slice(p.lastIndexOf("/") + 1).replace(/\./g, "\\.").replace(/\*/g, ".*")}$`)];
      return !existsSync(join(root, dir)) || !readdirSync(join(root, dir)).some((f) => pattern.test(f));
    });
    expect(missing).toEqual([]);
  });

  it("lists as a cloud's new files only files each shipped cloud has", () => {
    const section = text.slice(text.indexOf("New files, in `modules/<cloud>/`"), text.indexOf("Existing files to change"));
    const files = [...section.matchAll(/^\d+\. (.+?):/gm)].flatMap((m) => [...m[1].matchAll(/`([\w-]+\.ts)`/g)].map((f) => f[1]));
    expect(files).toEqual(["settings.ts", "validate.ts", "factory.ts", "policy.ts", "cost.ts", "diagram.ts", "preflight.ts", "cloud.ts"]);
    for (const cloud of CLOUD_FOLDERS) expect({ cloud, missing: files.filter((f) => !existsSync(join(root, "modules", cloud, f))) }).toEqual({ cloud, missing: [] });
  });

  it("names only npm scripts package.json has", () => {
    const scripts = Object.keys(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts);
    const named = [...text.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((s) => !scripts.includes(s))).toEqual([]);
  });

  it("names only types and constants the code declares", () => {
    const names = [...new Set(code.filter((c) => /^[A-Z][A-Za-z_]+$/.test(c)))];
    expect(names).toEqual(expect.arrayContaining(["CloudAdapter", "CLOUDS", "TierFactory", "CloudPolicy", "CloudCost", "CLOUD_MODULES", "INSPECTORS"]));
    const declared = [...["modules", "tools", "test"].flatMap(sources)].map((f) => readFileSync(f, "utf8")).join("\n");
    expect(names.filter((n) => !new RegExp(`(interface|class|type|const|function|let) ${n}\\b`).test(declared))).toEqual([]);
  });
});
