import { RULES, StackDocument } from "../../modules/policy";
import { CLOUDS } from "../../modules/stacks/clouds";
import { Resources, fixturesOf } from "./fixtures";

/** A fixture's resources by type, and under `data` its data sources by type. */
const stack = ({ data, ...resources }: Resources) => new StackDocument({ resource: resources, data });
/** Each registered cloud's fixtures (test/policy/fixtures/<cloud id>.ts), with the cloud. */
const FIXTURES = CLOUDS.flatMap((cloud) => fixturesOf(cloud).map((f) => ({ ...f, cloud })));

describe("the policy rule pack", () => {
  it("has a passing and a failing fixture for every rule on every cloud it applies to", () => {
    const needed = CLOUDS.flatMap((c) => Object.keys(c.policy.checks).map((rule) => `${rule} ${c.id}`)).sort();
    expect(FIXTURES.map((f) => `${f.rule} ${f.cloud.id}`).sort()).toEqual(needed);
  });

  it("has unique, stable ids and a title and rationale for each rule", () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const r of RULES) {
      expect(r.id).toMatch(/^CT-[A-Z0-9]+-\d{3}$/);
      expect(r.title.length).toBeGreaterThan(10);
      expect(r.rationale.length).toBeGreaterThan(10);
    }
  });

  it.each(FIXTURES.map((f) => [f.rule, f.cloud.id, f] as const))("%s on %s: passes its passing fixture and reports its failing one", (_rule, _cloud, fixture) => {
    const check = fixture.cloud.policy.checks[fixture.rule];
    expect(check(stack(fixture.pass))).toEqual([]);
    expect(check(stack(fixture.fail))).toEqual([fixture.finding]);
  });
});
