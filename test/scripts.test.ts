import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../modules/stacks/app";
import { environments } from "../environments";
import { generatedEnvironments, generatedName } from "../scripts/bench/environments";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { platformOf, completeLockfile } = require("../scripts/complete-lockfile.cjs");

describe("complete-lockfile", () => {
  it("reads os, cpu and libc from napi-rs platform package names", () => {
    expect(platformOf("@swc/core-darwin-arm64")).toEqual({ os: ["darwin"], cpu: ["arm64"] });
    expect(platformOf("@swc/core-linux-x64-musl")).toEqual({ os: ["linux"], cpu: ["x64"], libc: ["musl"] });
    expect(platformOf("@swc/core-linux-arm-gnueabihf")).toEqual({ os: ["linux"], cpu: ["arm"], libc: ["glibc"] });
    expect(platformOf("@unrs/resolver-binding-win32-ia32-msvc")).toEqual({ os: ["win32"], cpu: ["ia32"] });
    expect(platformOf("@unrs/resolver-binding-openharmony-arm64")).toEqual({ os: ["openharmony"], cpu: ["arm64"] });
    expect(platformOf("left-pad")).toBeUndefined();
  });

  it("adds an entry for each missing platform package and refuses anything else missing", () => {
    const lock = {
      packages: {
        "": { name: "x" },
        "node_modules/native": { version: "1.0.0", dev: true, optionalDependencies: { "native-linux-x64-gnu": "1.0.0", "native-darwin-arm64": "1.0.0" } },
        "node_modules/native-linux-x64-gnu": { version: "1.0.0" },
      },
    };
    expect(completeLockfile(lock)).toEqual(["native-darwin-arm64"]);
    expect(lock.packages).toMatchObject({ "node_modules/native-darwin-arm64": { version: "1.0.0", dev: true, optional: true, os: ["darwin"], cpu: ["arm64"] } });
    expect(Object.keys(lock.packages)[0]).toBe("");
    expect(() => completeLockfile({ packages: { "": { optionalDependencies: { "left-pad": "1.0.0" } } } })).toThrow("left-pad (optional dependency of the project) is missing from the lockfile and is not a platform package");
  });

  it("leaves the committed lockfile complete, so npm ci accepts it", () => {
    const lock = JSON.parse(readFileSync(join(__dirname, "..", "package-lock.json"), "utf8"));
    expect(completeLockfile(lock)).toEqual([]);
  });
});

describe("register-ts", () => {
  const register = join(__dirname, "..", "scripts", "register-ts.cjs");
  const cache = join(__dirname, "..", "node_modules", ".cache", "cloudtiers-ts");
  const run = (file: string) => spawnSync(process.execPath, ["--require", register, file], { encoding: "utf8" });

  it("runs TypeScript without type checking, an edited file as edited, and a damaged cache entry as if it were missing", () => {
    const dir = mkdtempSync(join(tmpdir(), "cloudtiers-register-"));
    try {
      const file = join(dir, "probe.ts");
      const probe = `probe-${process.pid}-${Date.now()}`; // unique, so the first run is never a cache hit
      writeFileSync(file, `const answer: number = "${probe}" as unknown as number;\nconsole.log(\`first \${answer}\`);\n`);
      expect(run(file).stdout).toBe(`first ${probe}\n`);
      expect(run(file).stdout).toBe(`first ${probe}\n`);
      // Cut short, as a crash between writing and renaming could leave it.
      const entry = readdirSync(cache).find((name) => name.endsWith(".js") && readFileSync(join(cache, name), "utf8").includes(probe))!;
      writeFileSync(join(cache, entry), readFileSync(join(cache, entry), "utf8").slice(0, 20));
      expect(run(file).stdout).toBe(`first ${probe}\n`);
      writeFileSync(file, "interface Shape { sides: number }\nconst square: Shape = { sides: 4 };\nconsole.log(`second ${square.sides}`);\n");
      expect(run(file).stdout).toBe("second 4\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
      // The probe's entries are of no use to any later run.
      for (const name of readdirSync(cache)) if (/probe-\d+-\d+|second \$\{square/.test(readFileSync(join(cache, name), "utf8"))) rmSync(join(cache, name));
    }
  });
});

describe("the scaling benchmark's environments", () => {
  it("are valid specs shaped like the shipped ones in turn, each with its own name, domain and network, production promoting from the staging before it", () => {
    const generated = generatedEnvironments(7);
    expect(generated.map((e) => e.environment)).toEqual(["customer-001", "customer-002", "customer-003", "customer-004", "customer-005", "customer-006", "customer-007"]);
    const shapes = generated.map((_, i) => environments[i % environments.length]);
    expect(generated.map((e) => e.layout)).toEqual(shapes.map((s) => s.layout));
    expect(new Set(generated.map((e) => e.network?.cidr)).size).toBe(7);
    expect(new Set(generated.map((e) => e.domain)).size).toBe(7);
    expect(generated.map((e) => e.terraformCloud?.promotesFrom)).toEqual(shapes.map((s, i) => (s.terraformCloud?.promotesFrom ? generatedName(i - 1) : undefined)));
    expect(generated.filter((e) => e.terraformCloud?.promotesFrom).length).toBeGreaterThan(0);
    // Both clouds each, so the benchmark's stacks are twice its environments.
    expect(generated.filter((e) => e.aws && e.digitalocean && e.cloudflare)).toHaveLength(7);
    // Every spec and the rules across them pass (buildApp throws otherwise); one stack is built.
    const app = buildApp(generated, { select: ["customer-006-do"], env: {}, outdir: mkdtempSync(join(tmpdir(), "cloudtiers-generated-")) });
    expect(app.node.children.map((c) => c.node.id)).toEqual(["customer-006-do"]);
    rmSync(app.outdir, { recursive: true, force: true });
  });
});
