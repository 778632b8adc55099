import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REQUIRED_TOOLS, requireTool } from "./required-tools";

const root = join(__dirname, "..");

describe("the tools the tests run", () => {
  const dir = mkdtempSync(join(tmpdir(), "cloudtiers-tools-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A PATH with only Node on it: the fresh machine, as far as commands go. */
  const onlyNode = join(dir, "only-node");
  mkdirSync(onlyNode);
  symlinkSync(process.execPath, join(onlyNode, "node"));

  it("npm test stops before anything else, naming every missing package in the one line that installs them", () => {
    const run = spawnSync(process.execPath, ["--require", "./scripts/register-ts.cjs", "scripts/test.ts"], { cwd: root, encoding: "utf8", env: { PATH: onlyNode } });
    expect(run.status).toBe(1);
    // Every tool found on the PATH is missing here; the absolute paths and Python's modules are this machine's own.
    const onPath = REQUIRED_TOOLS.filter((t) => !t.needs.includes("/") && !t.needs.includes(":"));
    const debian = onPath.filter((t) => !t.from).map((t) => t.package);
    expect(debian).toEqual(expect.arrayContaining(["nginx", "shellcheck", "graphviz", "jq"]));
    const sudo = process.getuid?.() === 0 ? "" : "sudo ";
    expect(run.stdout).toContain(`\n  ${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${debian.join(" ")}\n`);
    expect(run.stdout).toContain("terraform: from HashiCorp's apt repository");
    expect(run.stdout).toContain("CLOUDTIERS_INSTALL_TOOLS=1 npm test");
    for (const tool of onPath) expect(run.stdout).toMatch(new RegExp(`^  ${tool.needs} +package ${tool.package}: `, "m"));
    // Nothing ran after the check.
    expect(run.stdout).not.toContain("type check");
  });

  it("a test that needs a missing tool fails with its package, never skips", () => {
    const path = process.env.PATH;
    process.env.PATH = onlyNode;
    try {
      expect(() => requireTool("shellcheck")).toThrow("shellcheck is not installed: apt-get install -y --no-install-recommends shellcheck");
      expect(() => requireTool("dot")).toThrow("apt-get install -y --no-install-recommends graphviz");
      expect(() => requireTool("sed")).toThrow("sed is not in REQUIRED_TOOLS (test/required-tools.ts)");
    } finally {
      process.env.PATH = path;
    }
    expect(requireTool("jq")).toMatch(/\/jq$/);
  });

  it(".ci/run installs exactly what the lockfile pins, then runs npm test told to install the Debian tools", () => {
    const bin = join(dir, "ci-bin");
    mkdirSync(bin);
    const calls = join(dir, "calls");
    writeFileSync(join(bin, "npm"), `#!/bin/sh\necho "CLOUDTIERS_INSTALL_TOOLS=\${CLOUDTIERS_INSTALL_TOOLS:-} npm $*" >> '${calls}'\n`, { mode: 0o755 });
    const run = spawnSync("bash", [join(root, ".ci", "run")], { encoding: "utf8", env: { PATH: `${bin}:/usr/bin:/bin` } });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(readFileSync(calls, "utf8")).toBe("CLOUDTIERS_INSTALL_TOOLS= npm ci --no-audit --no-fund\nCLOUDTIERS_INSTALL_TOOLS=1 npm test\n");
  });
});
