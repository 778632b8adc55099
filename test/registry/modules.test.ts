import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildModule, terraform, terraformFmt } from "../../tools/registry/build";
import { MODULES } from "../../tools/registry/catalog";
import { providerConstraint } from "../../tools/registry/definition";
import { NORMAL_HEALTH_CHECK_PATH_RULE } from "../../tools/registry/variables";
import { isNormalPath } from "../../modules/django/validate";
import { checkValues, escapeRegExp, examples, expectRefused, expr, expressionOf, filesOf, hclOf, parsedTogether, problemsIn, protectedResources } from "./support";

describe("the standalone Terraform modules", () => {
  const outdir = mkdtempSync(join(tmpdir(), "cloudtiers-modules-"));
  const version = "1.2.3";
  const built = MODULES.map((definition) => ({ definition, module: buildModule(definition, version, outdir) }));
  parsedTogether(built.map(({ module }) => module));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it("are every tier the catalog names, each with its files and nothing else", () => {
    expect(built.map(({ module }) => `${module.name}/${module.provider}`)).toEqual(MODULES.map((m) => `${m.name}/${m.provider}`));
    for (const { definition, module } of built) expect(module.files).toEqual(filesOf(definition));
  });

  it("are the ones docs/modules.md lists", () => {
    const readme = readFileSync(join(__dirname, "..", "..", "docs", "modules.md"), "utf8");
    const section = readme.slice(readme.indexOf("## As Terraform modules"), readme.indexOf("## How versions are chosen"));
    const listed = [...section.matchAll(/^\| `([a-z0-9-]+)` \| `([a-z0-9]+)` \|/gm)].map((m) => `${m[1]}/${m[2]}`);
    expect(listed).toEqual(MODULES.map((m) => `${m.name}/${m.provider}`));
  });

  it("are formatted as terraform fmt writes them", () => {
    // One run over every module's directory: -check lists any file it would change.
    const fmt = terraformFmt(outdir, true);
    expect({ ok: fmt.ok, output: fmt.output }).toEqual({ ok: true, output: "" });
  });

  it("configure no provider and no backend, and constrain each provider to the version of its binding", () => {
    for (const { definition, module } of built) {
      const main = hclOf(module, "main.tf");
      expect({ module: module.name, provider: main.json.provider, terraform: main.json.terraform, protected: protectedResources(main) }).toEqual({
        module: module.name,
        provider: undefined,
        terraform: undefined,
        protected: [],
      });
      const required = hclOf(module, "versions.tf").json.terraform.required_providers[0];
      expect(required).toEqual(Object.fromEntries(definition.providers.map((p) => [p.name, expect.objectContaining(providerConstraint(p))])));
    }
  });

  it("load in Terraform without a warning, called by their example", () => {
    // Loading the example loads the module and its submodules: a problem in any of them fails `get` or `providers`.
    for (const { definition, module } of built) {
      const copy = mkdtempSync(join(tmpdir(), "cloudtiers-module-copy-"));
      try {
        cpSync(module.directory, copy, { recursive: true });
        const example = join(copy, "examples", "basic");
        expect(terraform(["get"], { cwd: example }).ok).toBe(true);
        const called = terraform(["providers"], { cwd: example });
        expect({ module: module.name, ok: called.ok, problems: problemsIn(called.output) }).toEqual({ module: module.name, ok: true, problems: [] });
        const call = `module.${definition.name.replace(/^cloudtiers-/, "").replace(/-/g, "_")}`;
        expect(called.stdout).toContain(call);
        for (const p of definition.providers) expect(called.stdout).toContain(`provider[registry.terraform.io/${providerConstraint(p).source}]`);
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    }
  });

  it("accept their example values and refuse what the spec refuses, with the rule's message", () => {
    for (const { definition, module } of built) expect({ module: module.name, problems: problemsIn(checkValues(module, examples(definition))) }).toEqual({ module: module.name, problems: [] });
    const cache = built.find(({ module }) => module.name === "cloudtiers-cache" && module.provider === "aws")!;
    expectRefused(cache.module, {
      name_prefix: "Shop_Production",
      vpc_id: "vpc-0123456789abcdef0",
      subnet_ids: ["subnet-0123456789abcdef0"],
      size: "huge",
      engine_version: "6",
      node_type: "t3.small",
      allowed_security_group_ids: ["default"],
    }, [
      "The name_prefix must be lower-case letters, digits and hyphens, starting with a letter.",
      "The subnet_ids must hold at least 2 subnets.",
      'The size must be one of "small", "medium", "large", "xlarge".',
      'The engine_version must be one of "7", "8".',
      'The node_type must be an ElastiCache node type such as "cache.t4g.small".',
      'Every item of allowed_security_group_ids must be a security group id such as "sg-0123456789abcdef0".',
    ]);
  });

  it("document every input and output in their README, with a usage example that passes every required input", () => {
    for (const { definition, module } of built) {
      const readme = readFileSync(join(module.directory, "README.md"), "utf8");
      const outputs = [...readFileSync(join(module.directory, "outputs.tf"), "utf8").matchAll(/^output "([^"]+)"/gm)].map((m) => m[1]);
      expect(outputs.length).toBeGreaterThan(0);
      for (const o of outputs) expect(readme).toMatch(new RegExp(`^\\| \`${o}\` \\| .+ \\|$`, "m"));
      for (const v of definition.variables) {
        expect(readme).toMatch(new RegExp(`^\\| \`${v.name}\` \\| .+ \\| \`${escapeRegExp(v.type)}\` \\| .* \\| ${v.default === undefined ? "yes" : "no"} \\|$`, "m"));
        // Object types take a line per attribute.
        expect(readFileSync(join(module.directory, "variables.tf"), "utf8")).toMatch(new RegExp(`variable "${v.name}" \\{\\n  type\\s+= (?:.+\\n)+?  description = ".+"`));
      }
      expect(readme).toContain(`source  = "app.terraform.io/ORGANIZATION/${definition.name}/${definition.provider}"`);
      expect(readme).toContain('version = "~> 1.2"');
      for (const name of Object.keys(examples(definition))) expect(readme).toMatch(new RegExp(`^  ${name}\\s+=`, "m"));
    }
  });

  it("are packed as <name>-<provider>-<version>.tar.gz with the module at the archive root, byte for byte the same on every build", () => {
    for (const { definition, module } of built) {
      expect(module.tarball).toBe(join(outdir, `${definition.name}-${definition.provider}-${version}.tar.gz`));
      const listing = spawnSync("tar", ["-tzf", module.tarball], { encoding: "utf8" });
      expect(listing.status).toBe(0);
      expect(listing.stdout.split("\n").filter((l) => l && !l.endsWith("/")).sort()).toEqual(filesOf(definition));
      const extracted = mkdtempSync(join(tmpdir(), "cloudtiers-untar-"));
      try {
        expect(spawnSync("tar", ["-xzf", module.tarball, "-C", extracted]).status).toBe(0);
        for (const file of filesOf(definition)) expect(readFileSync(join(extracted, file), "utf8")).toBe(readFileSync(join(module.directory, file), "utf8"));
      } finally {
        rmSync(extracted, { recursive: true, force: true });
      }
    }
    // Built again, the two whole-topology modules (which render every tier module as a
    // submodule, and carry the most files) pack to the same bytes.
    const topologies = built.filter(({ definition }) => definition.name === "cloudtiers-django");
    expect(topologies.map(({ module }) => module.provider)).toEqual(["aws", "digitalocean"]);
    for (const { definition, module } of topologies) {
      const again = mkdtempSync(join(tmpdir(), "cloudtiers-modules-again-"));
      try {
        const second = buildModule(definition, version, again);
        expect(readFileSync(second.tarball, "base64")).toBe(readFileSync(module.tarball, "base64"));
      } finally {
        rmSync(again, { recursive: true, force: true });
      }
    }
  });

  it("refuse, in every variable that takes a health check path, the paths nginx rewrites, as the stacks' validator does", () => {
    const rule = { condition: expr(NORMAL_HEALTH_CHECK_PATH_RULE.condition), error_message: NORMAL_HEALTH_CHECK_PATH_RULE.errorMessage };
    const taking = built.filter(({ definition }) => definition.variables.some((v) => v.name === "health_check_path"));
    expect(taking.length).toBeGreaterThanOrEqual(6);
    // Every variables.tf under every module, submodules too: each health_check_path block carries the rule.
    const files = built.flatMap(({ module }) => module.files.filter((f) => f.endsWith("variables.tf")).map((file) => ({ module, file })));
    let blocks = 0;
    for (const { module, file } of files) {
      const variable = hclOf(module, file).json.variable.health_check_path;
      if (variable === undefined) continue;
      blocks++;
      expect({ file: `${module.name}-${module.provider}/${file}`, validation: variable.validation }).toEqual({ file: `${module.name}-${module.provider}/${file}`, validation: expect.arrayContaining([rule]) });
    }
    expect(blocks).toBeGreaterThanOrEqual(taking.length);
    // The condition in Terraform's own regex() (RE2) says what isNormalPath says.
    const { definition, module } = taking[0];
    const refused = ["//healthz", "/./x", "/a/../x", "/a/.", "/a//b"];
    const accepted = ["/healthz", "/-/health", "/", "/health/", "/.well-known/ready", "/a..b/c"];
    for (const path of refused) {
      expect(isNormalPath(path)).toBe(false);
      expect(checkValues(module, { ...examples(definition), health_check_path: path })).toContain(NORMAL_HEALTH_CHECK_PATH_RULE.errorMessage);
    }
    for (const path of accepted) {
      expect(isNormalPath(path)).toBe(true);
      expect({ path, problems: problemsIn(checkValues(module, { ...examples(definition), health_check_path: path })) }).toEqual({ path, problems: [] });
    }
  });

  it("give compute pools' port as the role serves it, and null for roles that serve none", () => {
    const pools = built.filter(({ module }) => module.name === "cloudtiers-compute-pool");
    expect(pools.map(({ module }) => module.provider)).toEqual(["aws", "digitalocean"]);
    for (const { definition, module } of pools) {
      const port = expressionOf(hclOf(module, "outputs.tf").outputs.port.value);
      const served = Object.fromEntries(["web", "app", "worker", "beat"].map((role) => [role, checkValues(module, { ...examples(definition), role }, port).trim()]));
      expect({ module: module.provider, served }).toEqual({ module: module.provider, served: { web: "80", app: "8000", worker: "null", beat: "null" } });
    }
  });
});
