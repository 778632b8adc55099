import { readFileSync } from "node:fs";
import { join } from "node:path";

/** npm's own version ranges (semver, a devDependency; it ships no types). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const semver: { subset(range: string, of: string): boolean; major(version: string): number } = require("semver");

const root = join(__dirname, "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const cli = join(root, "node_modules", "cdktf-cli");

/**
 * The packages `cdktf init --template=typescript` installs, as `npm install` arguments: its
 * template's own post hook, run with npm stubbed out (the CLI gives it `cdktf@<its version>`).
 */
function templateInstalls(): { spec: string; dev: boolean }[] {
  const hook = readFileSync(join(cli, "bundle", "templates", "typescript", ".hooks.sscaff.js"), "utf8");
  const commands: string[] = [];
  const stubs: Record<string, unknown> = {
    child_process: { execSync: (command: string) => commands.push(command) },
    fs: { readFileSync: () => "", writeFileSync: () => undefined },
  };
  const module = { exports: {} as { post: (ctx: Record<string, unknown>) => void } };
  new Function("exports", "require", "module", hook)(module.exports, (id: string) => stubs[id], module);
  const version = JSON.parse(readFileSync(join(cli, "package.json"), "utf8")).version;
  module.exports.post({ $base: "app", OrganizationName: "", silent: true, npm_cdktf: `cdktf@${version}` });
  return commands.flatMap((command) => {
    const [, dev, specs] = /^npm install (-D )?\s*(.+)$/.exec(command.trim())!;
    return specs.split(/\s+/).map((spec) => ({ spec, dev: !!dev }));
  });
}

/** `name@range` → [name, range]; no range is npm's `latest`. */
function split(spec: string): [string, string | undefined] {
  const at = spec.lastIndexOf("@");
  return at > 0 ? [spec.slice(0, at), spec.slice(at + 1)] : [spec, undefined];
}

describe("installing the package in an app made by today's `cdktf init --template=typescript`", () => {
  const installs = templateInstalls();

  it("reads what the template installs: cdktf and constructs, then TypeScript and Jest unpinned", () => {
    expect(installs.map((i) => split(i.spec)[0])).toEqual(expect.arrayContaining(["cdktf", "constructs", "typescript", "ts-jest", "ts-node"]));
  });

  it("accepts every version the template can pin that is at least the one the package is tested with", () => {
    for (const { spec } of installs) {
      const [name, range] = split(spec);
      const peer: string | undefined = pkg.peerDependencies[name];
      if (range === undefined || peer === undefined) continue;
      const tested: string = pkg.devDependencies[name];
      expect({ name, range, peer, accepted: semver.subset(`${range} >=${tested}`, peer) }).toEqual({ name, range, peer, accepted: true });
    }
  });

  it("makes no demand on what the template leaves to npm's latest (TypeScript, Jest, ts-node)", () => {
    const unpinned = installs.map((i) => split(i.spec)).filter(([, range]) => range === undefined).map(([name]) => name);
    expect(unpinned).toContain("typescript");
    const demanded = Object.keys({ ...pkg.peerDependencies, ...pkg.dependencies });
    expect(unpinned.filter((name) => demanded.includes(name))).toEqual([]);
  });

  it("is documented in the README with the TypeScript the package is built and tested with, which ts-jest and ts-node accept", () => {
    // `typescript` unpinned is TypeScript 7, which ts-jest 29 refuses (its peer is <7) and ts-node cannot load (no compiler API).
    const command = `npm install --save-dev typescript@~${pkg.devDependencies.typescript} && npm install cloudtiers`;
    expect({ readmeSays: readFileSync(join(root, "README.md"), "utf8").includes(command) }).toEqual({ readmeSays: true });
    expect(semver.major(pkg.devDependencies.typescript)).toBeLessThan(7);
  });
});
