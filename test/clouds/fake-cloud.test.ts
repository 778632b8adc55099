import { dev } from "../../environments/dev";
import { ValidationError } from "../../modules/core";
import { estimateStack, formatComparison, monthly, price } from "../../modules/cost";
import { poolRoles } from "../../modules/django/topology";
import { buildApp, withScratchSynth } from "../../modules/stacks/app";
import { statefulAddresses } from "../../modules/stacks/addresses";
import { CLOUDS } from "../../modules/stacks/clouds";
import { checkPolicy, cloudTiersStacks, writtenDocument } from "../../modules/stacks/policy";
import { PreflightUsageError, cloudPreflight } from "../../modules/stacks/preflight";
import { specSamples } from "../../modules/stacks/samples";
import { settingsOf } from "../../modules/stacks/settings";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { describeStack, stackDot, synthesiseStacks } from "../../tools/diagram/diagram";
import { policyRulesTable } from "../../tools/docs/policy-rules";
import { inspectorOf } from "../contract/inspectors";
import { OUTPUT_NAMES } from "../helpers";
import { fixturesOf } from "../policy/fixtures";
import { FAKE_CLOUD, FAKE_PRICES, FakeSettings } from "./fake-cloud";

/*
 * CONTRIBUTING.md's "Adding a cloud", kept true: a cloud whose registration is added to
 * CLOUDS (here only, by mocking the list) is synthesised by the app, validated, checked
 * by the policy pack, priced, drawn and described by `npm run settings`, with no other
 * file knowing its name.
 */
jest.mock("../../modules/stacks/clouds", () => {
  const actual = jest.requireActual("../../modules/stacks/clouds");
  return { ...actual, CLOUDS: [...actual.CLOUDS, jest.requireActual("./fake-cloud").FAKE_CLOUD] };
});

const lab = (fake: Partial<FakeSettings> & Record<string, unknown> = {}, more: Partial<EnvironmentSpec> = {}): EnvironmentSpec =>
  ({ ...dev, environment: "lab", aws: undefined, digitalocean: undefined, cloudflare: undefined, fake: { region: "lab-1", ...fake }, ...more }) as EnvironmentSpec;

/** Each stack of `specs`, synthesised into a scratch directory, with its written document. */
const synthesised = (specs: readonly EnvironmentSpec[]) =>
  withScratchSynth(specs, [], (app) => cloudTiersStacks(app).map((stack) => ({ stack, doc: writtenDocument(app, stack), policy: checkPolicy(app).find((r) => r.stack === stack.node.id)! })), {});

describe("a cloud registered in CLOUDS and nowhere else", () => {
  it("is the registration the list holds", () => {
    expect(CLOUDS.map((c) => c.id)).toEqual(["aws", "do", "fake"]);
  });

  it("gets a stack <environment>-fake from the app, beside the other clouds' stacks, with the outputs every cloud gives", () => {
    const [alone] = synthesised([lab()]);
    expect(alone.stack.node.id).toBe("lab-fake");
    expect(alone.stack.cloud).toBe(FAKE_CLOUD);
    expect(Object.keys(alone.doc.json.resource).sort()).toEqual(["fake_bucket", "fake_cache", "fake_certificate", "fake_database", "fake_dns_record", "fake_load_balancer", "fake_network", "fake_pool", "fake_secret", "fake_zone"]);
    expect(Object.keys(alone.doc.json.output).sort()).toEqual(OUTPUT_NAMES);
    expect(synthesised([lab({}, { aws: dev.aws })]).map((s) => s.stack.node.id)).toEqual(["lab-aws", "lab-fake"]);
    // A maintenance site when the spec asks for failover, as on every cloud.
    const [failover] = synthesised([lab({}, { failover: {} })]);
    expect(failover.doc.resources("fake_site")).toHaveLength(1);
    expect(failover.doc.resources("fake_dns_record")[0].config.secondary).toBe(`\${${failover.doc.resources("fake_site")[0].address}.hostname}`);
  });

  it("has its section validated by its own rules, each problem naming the environment, field, value and what is allowed", () => {
    const issues = (spec: EnvironmentSpec) => {
      try {
        buildApp([spec], { env: {} });
      } catch (e) {
        if (e instanceof ValidationError) return e.issues.map((i) => `${i.environment}: ${i.path} ${i.message}`);
        throw e;
      }
      return [];
    };
    expect(issues(lab({ region: "lab-9" }))).toEqual(['lab: fake.region must be one of "lab-1", "lab-2", got "lab-9"']);
    expect(issues(lab({ regoin: "lab-1" }))).toEqual([expect.stringMatching(/^lab: fake\.regoin is not a known field \(did you mean "region"\?\)/)]);
    expect(issues(lab({}, { fake: undefined } as Partial<EnvironmentSpec>))).toEqual(["lab: (clouds) names no cloud: add a section for at least one of aws, do, fake"]);
  });

  it("is held to the policy pack through its own checks, and a suppression may name it", () => {
    const [clean] = synthesised([lab()]);
    expect(clean.policy).toMatchObject({ checked: ["CT-DB-001", "CT-NET-001"], failed: [] });
    const [open] = synthesised([lab({ publicDatabase: true })]);
    const database = open.doc.resources("fake_database")[0].address;
    expect(open.policy.failed).toEqual([{ rule: "CT-DB-001", resource: database, message: "public is true" }]);
    const reason = "a lab database, reachable for the tests";
    const [waived] = synthesised([lab({ publicDatabase: true }, { policy: { suppress: [{ rule: "CT-DB-001", cloud: "fake", resource: database, reason }] } })]);
    expect(waived.policy.suppressed).toEqual([{ rule: "CT-DB-001", resource: database, message: "public is true", reason }]);
  });

  it("is named in docs/safety.md's rule table (npm run policy -- --update-docs) in the row of each rule it checks", () => {
    const rows = policyRulesTable(CLOUDS).split("\n").filter((l) => l.startsWith("| CT-"));
    expect(rows.filter((l) => l.includes("FAKE")).map((l) => l.split(" | ")[0].slice(2))).toEqual(["CT-DB-001", "CT-NET-001"]);
    expect(rows.find((l) => l.startsWith("| CT-DB-001 |"))!.split(" | ")[2]).toBe("AWS, DO, FAKE");
  });

  it("is priced by its own rules and prices, in its own column", () => {
    const spec = lab();
    const [{ stack, doc }] = synthesised([spec]);
    const cost = estimateStack(doc, stack.cloud.cost(), stack.node.id, "lab");
    const server = (size: string) => monthly(price("fake", "server", size, "global", FAKE_PRICES));
    const pools = poolRoles(spec).map((role) => (role === "beat" ? { size: "small", min: 1 } : spec.pools[role]!));
    const expected = pools.reduce((sum, p) => sum + p.min * server(p.size), 0) + 12 + monthly(price("fake", "database", spec.postgres.size, "global", FAKE_PRICES));
    expect(cost.total).toBeCloseTo(expected, 6);
    expect(cost.notIncluded).toEqual(expect.arrayContaining(["fake DNS queries", "fake object storage (per GB)"]));
    expect(formatComparison("lab", [cost])).toContain("Fake Cloud (lab-1)");
  });

  it("is drawn by its own reader", () => {
    const [drawn] = synthesiseStacks([lab()], undefined, {});
    expect(drawn.cloud).toBe(FAKE_CLOUD);
    const diagram = describeStack(drawn);
    const lb = drawn.doc.resources("fake_load_balancer")[0].address;
    const pools = drawn.doc.resources("fake_pool").map((p) => p.address);
    expect(pools).toHaveLength(poolRoles(lab()).length);
    expect(diagram.nodes.map((n) => n.tier).sort()).toEqual(["bucket", "bucket", "internet", "load-balancer", ...pools.map(() => "pool"), "postgres-primary"].sort());
    expect(diagram.edges).toContainEqual({ from: "internet", to: lb, kind: "traffic", labels: [":443 HTTPS"] });
    expect(diagram.edges.filter((e) => e.from === lb).map((e) => e.to)).toEqual([pools.find((p) => p.includes("web"))]);
    expect(stackDot(drawn)).toContain('"lab-fake (fake, lab-1)"');
  });

  it("says how its hosts receive settings and secrets, and which of its resources hold data", () => {
    const [settings] = settingsOf([lab()], [], { env: {} });
    expect(settings.settingsDelivery).toBe("in the fake vault's settings file");
    expect(settings.django.variables.find((v) => v.name === "DATABASE_PASSWORD")?.source).toContain("read from the fake vault at boot");
    const [{ doc }] = synthesised([lab()]);
    expect(statefulAddresses(doc, FAKE_CLOUD).map((a) => a.split(".")[0])).toEqual(expect.arrayContaining(["fake_bucket", "fake_database", "fake_secret"]));
  });

  it("joins the sample specs the spec-text test injects into with its own section, which the app builds", () => {
    const [split, full] = specSamples();
    expect(split).toMatchObject({ fake: { region: "lab-2", publicDatabase: false } });
    expect(full).not.toHaveProperty("fake");
    expect(withScratchSynth([split, full], [], (app) => cloudTiersStacks(app).map((s) => s.node.id), {})).toContain("sample-split-fake");
  });

  it("has its parts outside modules/ found by its id, and lacking them, each test that needs one names the file to add", () => {
    const missing = (file: string, name: string) => new Error(`the cloud "fake" is registered but has no ${file}: add it, exporting ${name} (CONTRIBUTING.md, "Adding a cloud")`);
    expect(() => inspectorOf(FAKE_CLOUD)).toThrow(missing("test/contract/inspectors/fake.ts", "INSPECTOR"));
    expect(() => fixturesOf(FAKE_CLOUD)).toThrow(missing("test/policy/fixtures/fake.ts", "FIXTURES"));
    // The registry's catalog (npm run modules:build) refuses to load at all.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded here, with the fake cloud registered
    expect(() => jest.isolateModules(() => require("../../tools/registry/catalog"))).toThrow(missing("tools/registry/clouds/fake.ts", "MODULES"));
    // The shipped clouds' are found the same way.
    for (const cloud of CLOUDS.filter((c) => c !== FAKE_CLOUD)) {
      expect(Object.keys(inspectorOf(cloud))).toContain("poolBounds");
      expect(fixturesOf(cloud).map((f) => f.rule).sort()).toEqual(Object.keys(cloud.policy.checks).sort());
    }
  });

  it("has no preflight until its registration gives one, and preflight says so", () => {
    expect(() => cloudPreflight("fake")).toThrow(new PreflightUsageError('no preflight for the cloud "fake" yet'));
  });
});
