import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ENVIRONMENTS_DOC, ENVIRONMENTS_DOC_COMMAND, EnvironmentsReference, ROOT, readEnvironmentsReference, renderEnvironmentsReference } from "../../tools/docs/environments";
import { staleHint } from "../../tools/generated";
import { DEFAULTS, SIZES } from "../../modules/core";
import { AWS_INPUTS, NAT_GATEWAY_MODES } from "../../modules/aws/settings";
import { DO_INPUTS } from "../../modules/digitalocean/settings";
import { LAYOUTS, SECRET_SOURCES } from "../../modules/django/spec";
import { ENVIRONMENT_FIELDS } from "../../modules/stacks/validate";
import { APPLICATION_INPUTS, CACHE_INPUTS, FAILOVER_INPUTS, InputDeclaration, POSTGRES_INPUTS, TOPOLOGY_INPUTS, WORKER_INPUTS, poolInputs } from "../../modules/django/validate";

describe("the environments reference, docs/environments.md", () => {
  let reference: EnvironmentsReference;
  beforeAll(() => {
    reference = readEnvironmentsReference();
  });
  const field = (path: string) => reference.sections.flatMap((s) => s.fields).find((f) => f.path === path);

  it(`is what ${ENVIRONMENTS_DOC_COMMAND} writes from the doc comments`, () => {
    const written = readFileSync(join(ROOT, ENVIRONMENTS_DOC), "utf8");
    const stale = staleHint(ENVIRONMENTS_DOC);
    expect({ upToDate: written === renderEnvironmentsReference(reference) || stale }).toEqual({ upToDate: true });
  });

  it("finds a doc comment on every field, a @default on every optional one, and a heading behind every @see", () => {
    expect(reference.problems).toEqual([]);
  });

  it("shows every top-level field the validator accepts, in the paths users write", () => {
    expect(reference.sections[0].fields.map((f) => f.path).sort()).toEqual([...ENVIRONMENT_FIELDS].sort());
    for (const path of ["postgres.replicas", "pools.worker.stopTimeoutSeconds", "aws.sizes.compute", "application.secrets.<NAME>.source", "policy.suppress[].rule", "terraformCloud.vcs.branch"]) {
      expect({ path, shown: field(path) !== undefined }).toEqual({ path, shown: true });
    }
  });

  it("shows each field's @default as the one table of defaults (and the declarations) say it", () => {
    const table: Record<string, unknown> = {
      "network.cidr": DEFAULTS.network.cidr,
      "network.zones": DEFAULTS.network.zones,
    };
    const declared: [string, Readonly<Record<string, InputDeclaration>>][] = [
      ["", TOPOLOGY_INPUTS],
      ["application", APPLICATION_INPUTS],
      ["failover", FAILOVER_INPUTS],
      ["postgres", POSTGRES_INPUTS],
      ["cache", CACHE_INPUTS],
      ["pools.web", poolInputs(1)],
      ["pools.worker", WORKER_INPUTS],
      ["aws", AWS_INPUTS],
      ["digitalocean", DO_INPUTS],
    ];
    for (const [path, inputs] of declared) for (const [name, input] of Object.entries(inputs)) if (input.default !== undefined) table[path ? `${path}.${name}` : name] = input.default;
    const shown = Object.keys(table).map((path) => ({ path, default: field(path)?.default }));
    expect(shown).toEqual(Object.entries(table).map(([path, value]) => ({ path, default: `\`${JSON.stringify(value)}\`` })));
  });

  it("lists the values a union of literals allows, from the same constants the validator uses", () => {
    const listed = (values: readonly string[]) => `one of ${values.map((v) => `\`"${v}"\``).join(", ")}`;
    expect(field("layout")?.type).toBe(listed(LAYOUTS));
    expect(field("postgres.size")?.type).toBe(listed(SIZES));
    expect(field("aws.natGateways")?.type).toBe(listed(NAT_GATEWAY_MODES));
    expect(field("application.secrets.<NAME>.source")?.type).toBe(listed(SECRET_SOURCES));
    expect(field("aws.sizes.compute")?.type).toBe(`map of ${SIZES.map((s) => `\`${s}\``).join(", ")} to string`);
  });

  it("says which fields are required and what an optional one defaults to", () => {
    expect(field("postgres.replicas")).toMatchObject({ required: true, default: undefined });
    expect(field("postgres.version")).toMatchObject({ required: false, default: '`"16"`' });
    expect(field("postgres.replicaSize")).toMatchObject({ required: false, default: "the primary's size" });
    expect(field("aws.region")).toMatchObject({ required: true });
  });

  it("opens the sections of an interface used at two paths with each field's own words", () => {
    const section = (path: string) => reference.sections.find((s) => s.path === path)!;
    for (const path of ["pools.web", "pools.app"]) {
      const opening = `${field(path)!.description}\n\n`;
      expect({ path, interfaceName: section(path).interfaceName, opening: section(path).intro.slice(0, opening.length) }).toEqual({ path, interfaceName: "PoolSpec", opening });
    }
    expect(section("postgres").intro).not.toContain(field("postgres")!.description);
  });

  it("links each @see to the docs page and heading it names", () => {
    expect(field("application.registry")?.see).toEqual([{ target: "docs/secrets.md#private-images", title: "Private images" }]);
    expect(readFileSync(join(ROOT, ENVIRONMENTS_DOC), "utf8")).toContain("See [Private images](secrets.md#private-images).");
  });

  it(`is written by ${ENVIRONMENTS_DOC_COMMAND}, which says so under --help`, () => {
    const run = spawnSync(process.execPath, ["--require", "./scripts/register-ts.cjs", "scripts/environments-doc.ts", "--help"], { cwd: ROOT, encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`usage: ${ENVIRONMENTS_DOC_COMMAND}\n\nWrites ${ENVIRONMENTS_DOC}`);
  });

  describe("in a copy of the repository with poor doc comments", () => {
    let copy: string;
    beforeAll(() => {
      copy = mkdtempSync(join(tmpdir(), "cloudtiers-docs-"));
      for (const dir of ["modules", "docs"]) cpSync(join(ROOT, dir), join(copy, dir), { recursive: true });
      const spec = join(copy, "modules", "django", "spec.ts");
      const edited = readFileSync(spec, "utf8")
        .replace("/** Read replicas, 0 to 5, each with its own URL for a database router. */\n", "")
        .replace("as the app's `DATABASE_URL`. @default false */", "as the app's `DATABASE_URL`. */")
        .replace("@see docs/secrets.md#private-images", "@see docs/secrets.md#no-such-heading");
      writeFileSync(spec, edited);
    });
    afterAll(() => rmSync(copy, { recursive: true, force: true }));

    it("names each field without a description, an optional one without @default, and an @see that leads nowhere", () => {
      expect(readEnvironmentsReference(copy).problems).toEqual([
        "application.registry: @see docs/secrets.md#no-such-heading names no heading of docs/secrets.md: ApplicationSpec.registry (modules/django/spec.ts)",
        "postgres.replicas has no doc comment: describe PostgresSpec.replicas (modules/django/spec.ts)",
        "postgres.pooling is optional, but its doc comment has no @default saying what leaving it out does: PostgresSpec.pooling (modules/django/spec.ts)",
      ]);
    });
  });
});
