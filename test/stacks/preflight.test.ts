import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { cidrsOverlap } from "../../modules/core/cidr";
import { environments } from "../../environments";
import { Check, PreflightUsageError, fail, pass, preflightStacks, runChecks, skip } from "../../modules/stacks/preflight";

const root = join(__dirname, "..", "..");

describe("npm run preflight, common to every cloud", () => {
  it("selects stacks by pattern as CLOUDTIERS_STACKS does, and refuses a pattern that matches nothing", () => {
    const names = (patterns: string[]) => preflightStacks(environments, patterns).map((s) => s.name);
    const dos = environments.filter((e) => e.digitalocean).map((e) => `${e.environment}-do`);
    expect(names(["*-do"])).toEqual(dos);
    expect(names([dos[0], dos[0]])).toEqual([dos[0]]);
    expect(() => names(["*-gcp", "x"])).toThrow(new PreflightUsageError(`"*-gcp", "x" match no stack; the stacks are ${preflightStacks(environments, ["*"]).map((s) => s.name).join(", ")}`));
  });

  it("prints each check as it ends, counts failures, and skips the rest of a group after a failed gate", async () => {
    const lines: string[] = [];
    const ran: string[] = [];
    const check = (name: string, outcome: ReturnType<typeof pass>, gate = false): Check => ({ name, gate, run: async () => (ran.push(name), outcome) });
    const refusal = new Error("refused");
    const groups = [
      { title: "A", checks: [check("one", pass("fine")), check("two", fail("short by 1", "raise it")), check("three", skip("no secret")), check("four", skip("cannot tell", "confirm it by hand"))], explain: () => undefined },
      { title: "B", checks: [{ name: "gate", gate: true, run: async () => Promise.reject(refusal) }, check("after", pass("never"))], explain: (e: unknown) => (e === refusal ? fail("the token was refused", "set another") : undefined) },
    ];
    expect(await runChecks(groups, (l) => lines.push(l))).toBe(2);
    expect(lines).toEqual([
      "A",
      "  pass  one: fine",
      "  FAIL  two: short by 1",
      "        fix: raise it",
      "  skip  three: no secret",
      "  skip  four: cannot tell",
      "        fix: confirm it by hand",
      "B",
      "  FAIL  gate: the token was refused",
      "        fix: set another",
      "  skip  after: not checked, as gate failed",
    ]);
    expect(ran).toEqual(["one", "two", "three", "four"]);
    // An error no group explains is a bug: thrown, not a failed check.
    await expect(runChecks([{ title: "C", checks: [{ name: "bug", run: async () => Promise.reject(new TypeError("x")) }], explain: () => undefined }], () => {})).rejects.toThrow(TypeError);
  });

  it("tells overlapping IPv4 ranges", () => {
    expect(cidrsOverlap("10.20.0.0/16", "10.20.128.0/24")).toBe(true);
    expect(cidrsOverlap("10.20.0.0/16", "10.21.0.0/16")).toBe(false);
    expect(cidrsOverlap("10.0.0.0/8", "10.255.255.0/24")).toBe(true);
    expect(cidrsOverlap("172.16.0.0/20", "172.16.16.0/20")).toBe(false);
  });

  it("is never loaded by a synth: neither its checks, nor the clients, nor an SDK", () => {
    const probe = `
      const { buildApp } = require("./modules/stacks/app");
      const { environments } = require("./environments");
      buildApp(environments, { outdir: require("node:os").tmpdir() + "/cloudtiers-preflight-probe-" + process.pid }).synth();
      const loaded = Object.keys(require.cache).map((f) => f.slice(process.cwd().length)).filter((f) => /preflight\.ts|http-api|@aws-sdk|@smithy/.test(f));
      require("node:fs").rmSync(require("node:os").tmpdir() + "/cloudtiers-preflight-probe-" + process.pid, { recursive: true, force: true });
      process.stdout.write(JSON.stringify(loaded));`;
    const run = spawnSync(process.execPath, ["--require", "./scripts/register-ts.cjs", "-e", probe], { cwd: root, encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual([]);
  });
});
