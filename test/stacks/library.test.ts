import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, LocalBackend, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { AwsTierFactory } from "../../modules/aws/factory";
import { validateTopology } from "../../modules/django/validate";
import { DjangoTopology } from "../../modules/django/topology";
import { buildApp } from "../../modules/stacks/app";
import { AWS, DIGITALOCEAN } from "../../modules/stacks/clouds";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { CloudTiersStack } from "../../modules/stacks/stack";
import { environments } from "../../environments";
import { production } from "../../environments/production";
import { validateEnvironment } from "../../modules/stacks/validate";
import { specWith } from "../helpers";

// The same rules, counted: how many validation passes each way of building makes.
jest.mock("../../modules/django/validate", () => {
  const actual = jest.requireActual("../../modules/django/validate");
  return { ...actual, validateTopology: jest.fn(actual.validateTopology) };
});
jest.mock("../../modules/stacks/validate", () => {
  const actual = jest.requireActual("../../modules/stacks/validate");
  return { ...actual, validateEnvironment: jest.fn(actual.validateEnvironment) };
});
const passes = () => ({ environment: jest.mocked(validateEnvironment).mock.calls.length, topology: jest.mocked(validateTopology).mock.calls.length });

/** A consumer's own stack, composed from the topology and the AWS factory (as the package test's consumer does). */
class OwnStack extends TerraformStack {
  constructor(scope: Construct, id: string, spec: EnvironmentSpec) {
    super(scope, id);
    new LocalBackend(this, { path: "own.tfstate" });
    new AwsProvider(this, "aws", { region: spec.aws!.region });
    const cdnProvider = new AwsProvider(this, "us-east-1", { alias: "us_east_1", region: "us-east-1" });
    const dr = spec.aws!.disasterRecoveryRegion;
    const disasterRecoveryProvider = dr ? new AwsProvider(this, "dr", { alias: "disaster_recovery", region: dr }) : undefined;
    new RandomProvider(this, "random");
    new DjangoTopology(this, "django", { factory: new AwsTierFactory({ settings: spec.aws!, cdnProvider, disasterRecoveryProvider }), spec });
  }
}

const outdirs: string[] = [];
function app(): App {
  const outdir = mkdtempSync(join(tmpdir(), "cloudtiers-library-"));
  outdirs.push(outdir);
  return new App({ outdir });
}
afterAll(() => outdirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Production, but with a single-zone database: what the policy pack's CT-DB-004 refuses. */
const singleZone: EnvironmentSpec = { ...production, terraformCloud: undefined, postgres: { ...production.postgres, highAvailability: false } };

describe("the library's entry points hold the same line as buildApp", () => {
  it("a CloudTiersStack built directly refuses an invalid spec, before anything is written", () => {
    const a = app();
    expect(() => {
      new CloudTiersStack(a, specWith({ aws: { region: "mars-north-1" } }), AWS, {});
      a.synth();
    }).toThrow(/^invalid environment spec: dev: aws\.region must be one of "af-south-1", .*"us-west-2", got "mars-north-1"$/);
    expect(existsSync(join(a.outdir, "stacks", "dev-aws"))).toBe(false);
  });

  it("a DjangoTopology built directly refuses an invalid spec", () => {
    expect(() => {
      const a = app();
      new OwnStack(a, "own-aws", specWith({ postgres: { ...production.postgres, replicas: 9 } }));
      a.synth();
    }).toThrow("invalid environment spec: dev: postgres.replicas must be a whole number between 0 and 5, got 9");
    // Text rules too: a line separator in a setting would break the hosts' configuration.
    expect(() => {
      const a = app();
      const spec = specWith();
      new OwnStack(a, "own-aws", { ...spec, application: { ...spec.application, settings: { ...spec.application.settings, SITE_NAME: "Shop\u2028Two" } } });
      a.synth();
    }).toThrow(/dev: application\.settings\.SITE_NAME must be .*U\+2028/);
    // A prefix of its own follows the rules of the one it stands for.
    const withPrefix = (namePrefix: string) => () => {
      const stack = new TerraformStack(app(), "own-prefix");
      const spec = specWith();
      new AwsProvider(stack, "aws", { region: spec.aws!.region });
      const cdnProvider = new AwsProvider(stack, "us-east-1", { alias: "us_east_1", region: "us-east-1" });
      new DjangoTopology(stack, "django", { factory: new AwsTierFactory({ settings: spec.aws!, cdnProvider }), spec, namePrefix });
    };
    expect(withPrefix("Shop_Dev")).toThrow('invalid environment spec: dev: namePrefix must be lower-case letters, digits and hyphens, starting with a letter, got "Shop_Dev"');
    expect(withPrefix("shop-dev")).not.toThrow();
  });

  it("a DjangoTopology built in a stack of its own refuses text cdktf or Terraform would evaluate there, rather than resolve it", () => {
    for (const [text, at] of [["${TfToken[TOKEN.1]}", 1], ["Shop %{ if true }x%{ endif }", 6]] as const) {
      expect(() => {
        const a = app();
        const spec = specWith();
        new OwnStack(a, "own-aws", { ...spec, application: { ...spec.application, settings: { ...spec.application.settings, SITE_NAME: text } } });
        a.synth();
      }).toThrow(`dev: application.settings.SITE_NAME must not hold "${text.includes("%{") ? "%{" : "${"}" in a DjangoTopology built outside a CloudTiersStack, where cdktf and Terraform would evaluate it; it has it at character ${at}`);
    }
  });

  it("a DjangoTopology built directly holds its factory's settings to the cloud's own rules", () => {
    expect(() => {
      const a = app();
      new OwnStack(a, "own-aws", specWith({ aws: { ...specWith().aws!, region: "mars-north-1" } }));
      a.synth();
    }).toThrow(/^invalid environment spec: dev: aws\.region must be one of "af-south-1", .*"us-west-2", got "mars-north-1"$/);
  });

  it.each([
    ["CloudTiersStack on AWS", (a: App) => new CloudTiersStack(a, singleZone, AWS, {}), "production-aws", "aws_db_instance.django_postgres_primary_955DAB27: multi_az is not true"],
    ["CloudTiersStack on DigitalOcean", (a: App) => new CloudTiersStack(a, singleZone, DIGITALOCEAN, {}), "production-do", "digitalocean_database_cluster."],
    ["DjangoTopology in a stack of its own", (a: App) => new OwnStack(a, "own-aws", singleZone), "own-aws", "aws_db_instance.django_postgres_primary_955DAB27: multi_az is not true"],
  ])("%s: a production single-zone database fails synth with the policy pack's message, and the stack is not written", (_name, build, stack, finding) => {
    const a = app();
    build(a);
    let message = "";
    try {
      a.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(`policy pack: CT-DB-004 ${finding}`);
    expect(message).toContain("(fix the spec, or suppress the rule for this resource in policy.suppress, with a reason)");
    expect(existsSync(join(a.outdir, "stacks", stack, "cdk.tf.json"))).toBe(false);
  });

  it("a suppression with a reason lets the finding through, as on the buildApp path", () => {
    const a = app();
    const suppress = [{ rule: "CT-DB-004", cloud: "aws", resource: "aws_db_instance.django_postgres_primary_955DAB27", reason: "a single zone is enough for this shop" }];
    new CloudTiersStack(a, { ...singleZone, policy: { suppress } }, AWS, {});
    expect(() => a.synth()).not.toThrow();
  });

  it("writes what buildApp writes: the document the policy pack checked is the one written, resolved once", () => {
    const direct = app();
    new CloudTiersStack(direct, environments[0], AWS, {});
    direct.synth();
    const built = buildApp([environments[0]], { outdir: app().outdir, select: ["dev-aws"], env: {} });
    built.synth();
    const file = (a: App) => readFileSync(join(a.outdir, "stacks", "dev-aws", "cdk.tf.json"), "utf8");
    expect(file(direct)).toBe(file(built));
  });

  it("each way of building validates a spec once: buildApp (which leaves the policy pack to synthesize and npm run policy), CloudTiersStack, DjangoTopology", () => {
    jest.clearAllMocks();
    const built = buildApp([singleZone], { outdir: app().outdir, env: {} });
    expect(passes()).toEqual({ environment: 1, topology: 1 });
    // No hook on its stacks: `synthesize` reports failures after synth and restores the output, `npm run policy` reports them.
    expect(() => built.synth()).not.toThrow();
    jest.clearAllMocks();
    new CloudTiersStack(app(), environments[0], AWS, {});
    expect(passes()).toEqual({ environment: 1, topology: 1 });
    jest.clearAllMocks();
    new OwnStack(app(), "own-aws", environments[0]);
    expect(passes()).toEqual({ environment: 0, topology: 1 });
  });
});
