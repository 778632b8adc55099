import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { transformSync } from "@swc/core";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { buildApp } from "../../modules/stacks/app";
import { checkPolicy } from "../../modules/stacks/policy";
import { validateEnvironment } from "../../modules/stacks/validate";
import { environments } from "../../environments";
import { shippedEnvironmentsTable, withShippedTable } from "../../tools/docs/shipped-environments";
import { staleHint } from "../../tools/generated";

const root = join(__dirname, "..", "..");
const readme = readFileSync(join(root, "README.md"), "utf8");

/** The README's minimal environment spec: the TypeScript block of its Environments section, run as a file of environments/. */
function readmeSpec(): EnvironmentSpec {
  const section = readme.slice(readme.indexOf("\n## Environments\n"), readme.indexOf("\n## ", readme.indexOf("\n## Environments\n") + 1));
  const blocks = [...section.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  if (blocks.length !== 1) throw new Error(`README.md's Environments section has ${blocks.length} \`\`\`ts blocks; the minimal spec is to be the one`);
  const { code } = transformSync(blocks[0], { filename: "example.ts", jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } });
  const exports: Record<string, EnvironmentSpec> = {};
  new Function("exports", "require", code)(exports, createRequire(join(root, "environments", "example.ts")));
  const specs = Object.values(exports);
  if (specs.length !== 1) throw new Error(`README.md's minimal spec exports ${specs.length} values; it is to export one EnvironmentSpec`);
  return specs[0];
}

/** Every field path of a spec object, depth first: `application`, `application.name`, ... */
function fieldPaths(value: object, prefix = ""): string[] {
  return Object.entries(value).flatMap(([key, v]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return [path, ...(v !== null && typeof v === "object" && !Array.isArray(v) ? fieldPaths(v, path) : [])];
  });
}

/** A deep copy of `spec` without the field at `path`. */
function without(spec: EnvironmentSpec, path: string): EnvironmentSpec {
  const copy = structuredClone(spec) as unknown as Record<string, Record<string, unknown>>;
  const keys = path.split(".");
  const parent = keys.slice(0, -1).reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, copy);
  delete parent[keys[keys.length - 1]];
  return copy as unknown as EnvironmentSpec;
}

describe("the README", () => {
  it("is at most 15 KB, with its topics in docs/", () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(15 * 1024);
  });

  it("shows the shipped environments as environments/ declares them", () => {
    const refresh = staleHint("README.md");
    expect({ upToDate: withShippedTable(readme, shippedEnvironmentsTable(environments)) === readme, refresh }).toEqual({ upToDate: true, refresh });
  });

  it("draws the table from the specs: a change to an environment's pools and replicas shows in it", () => {
    const [first] = environments;
    const changed = { ...first, pools: { ...first.pools, web: { ...first.pools.web, min: 7, max: 9 } }, postgres: { ...first.postgres, replicas: 1 } };
    const table = shippedEnvironmentsTable([changed]);
    const cell = (name: string) => table.split("\n").find((l) => l.startsWith(`| ${name} |`))!.split(" | ")[1];
    expect(cell("web / app / worker hosts")).toMatch(/^7-9 \//);
    expect(cell("PostgreSQL")).toContain(", 1 replica");
  });

  it("links every page of docs/ from its documentation table", () => {
    const table = readme.slice(readme.indexOf("\n## Documentation\n"));
    const pages = readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md"));
    expect(pages.filter((page) => !table.includes(`](docs/${page}`))).toEqual([]);
    expect(table).toMatch(/^\| parity\b.*\]\(docs\/topology\.md#parity-what-each-cloud-does-with-the-same-spec\) \|$/m);
  });

  describe("minimal environment spec", () => {
    const spec = readmeSpec();
    const env = {}; // no Terraform Cloud organization, no release image, no stack selection from this shell

    it("synthesises to the stacks the README names, which pass the policy pack", () => {
      const outdir = mkdtempSync(join(tmpdir(), "cloudtiers-readme-"));
      try {
        const app = buildApp([spec], { outdir, env });
        app.synth();
        const stacks = readdirSync(join(outdir, "stacks"));
        expect(stacks).toEqual([`${spec.environment}-aws`]);
        expect(readme).toContain(`this one\ngives \`${stacks[0]}\``);
        expect(checkPolicy(app).flatMap((r) => r.failed)).toEqual([]);
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    });

    it("is refused with any one of its fields left out", () => {
      expect(validateEnvironment(spec, env)).toEqual([]);
      const accepted = fieldPaths(spec).filter((path) => validateEnvironment(without(spec, path), env).length === 0);
      expect(accepted).toEqual([]);
    });
  });
});
