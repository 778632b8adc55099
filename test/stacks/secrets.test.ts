import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatSettings, settingsOf } from "../../modules/stacks/settings";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { dev } from "../../environments/dev";
import { Synth, dropletUserData, specWith, synthAwsEnvironment, synthDoEnvironment } from "../helpers";

const root = join(__dirname, "..", "..");
const EXISTING_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/sendgrid-AbC123";

/** dev with a secret of each source its clouds can hold: generated, given as a variable, and (AWS only) existing. */
const secretsOnBoth: EnvironmentSpec = specWith({
  environment: "secrets",
  application: {
    ...dev.application,
    secrets: { DJANGO_SECRET_KEY: { source: "generated" }, SIGNING_KEY: { source: "generated", length: 64 }, STRIPE_API_KEY: { source: "variable" } },
  },
});
const secretsOnAws: EnvironmentSpec = {
  ...secretsOnBoth,
  environment: "secrets-aws",
  domain: "secrets-aws.example.com",
  application: { ...secretsOnBoth.application, secrets: { ...secretsOnBoth.application.secrets, SENDGRID_API_KEY: { source: "existing" } } },
  aws: { ...dev.aws!, secrets: { SENDGRID_API_KEY: { arn: EXISTING_ARN, jsonKey: "api_key" } } },
  digitalocean: undefined,
  cloudflare: undefined,
};

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Runs the app's synth, as main.ts does, on `specs` in a process of its own with `env`; returns where it wrote and what it printed. */
function synthInProcess(specs: readonly EnvironmentSpec[], env: Record<string, string>): { status: number | null; output: string; outdir: string } {
  const work = mkdtempSync(join(tmpdir(), "cloudtiers-secrets-"));
  const outdir = join(work, "cdktf.out");
  writeFileSync(join(work, "specs.json"), JSON.stringify(specs));
  writeFileSync(
    join(work, "main.js"),
    `const { synthesize } = require(${JSON.stringify(join(root, "modules/stacks/app.ts"))});\n` +
      `process.exitCode = synthesize(require(${JSON.stringify(join(work, "specs.json"))}));\n`,
  );
  const run = spawnSync(process.execPath, ["--require", join(root, "scripts/register-ts.cjs"), join(work, "main.js")], {
    cwd: root,
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: work, CDKTF_OUTDIR: outdir, ...env },
  });
  return { status: run.status, output: run.stdout + run.stderr, outdir };
}

describe("application secrets in the synthesised stacks", () => {
  let aws: Synth;
  let digitalocean: Synth;
  beforeAll(() => {
    aws = synthAwsEnvironment(secretsOnAws);
    digitalocean = synthDoEnvironment(secretsOnBoth);
  });

  it("declares one sensitive, required, single-line variable per variable secret, named secret_<name>", () => {
    for (const s of [aws, digitalocean]) {
      expect(s.json.variable).toEqual({
        secret_stripe_api_key: {
          type: "string",
          sensitive: true,
          nullable: false,
          description: "STRIPE_API_KEY of the application's processes (application.secrets): set TF_VAR_secret_stripe_api_key, or a sensitive Terraform variable of the workspace",
          validation: [{ condition: '${length(var.secret_stripe_api_key) > 0 && !can(regex("[\\r\\n]", var.secret_stripe_api_key))}', error_message: "secret_stripe_api_key must be one line of text, not empty." }],
        },
      });
    }
  });

  it("on AWS keeps generated and given values in one Secrets Manager secret, and existing ones where aws.secrets says", () => {
    const passwords = aws.entries("random_password", "django/application-secrets");
    expect(passwords.map(([, p]) => p)).toEqual([
      { length: 50, special: false },
      { length: 64, special: false },
    ]);
    const [[djangoKey], [signingKey]] = passwords;
    const secret = aws.one("aws_secretsmanager_secret", "django/application-secrets");
    expect(secret).toMatchObject({ name: "shop-secrets-aws/application", recovery_window_in_days: 0 });
    expect(aws.one("aws_secretsmanager_secret_version", "django/application-secrets").secret_string).toBe(
      `\${jsonencode({"DJANGO_SECRET_KEY" = random_password.${djangoKey}.result, "SIGNING_KEY" = random_password.${signingKey}.result, "STRIPE_API_KEY" = var.secret_stripe_api_key})}`,
    );
    const arn = `\${${aws.address("aws_secretsmanager_secret", "django/application-secrets")}.arn}`;
    for (const pool of ["web-pool", "worker-pool"]) {
      const document = JSON.parse(aws.one("aws_ssm_parameter", pool).value);
      expect(document.secrets).toMatchObject({
        DJANGO_SECRET_KEY: { id: arn, jsonKey: "DJANGO_SECRET_KEY" },
        SIGNING_KEY: { id: arn, jsonKey: "SIGNING_KEY" },
        STRIPE_API_KEY: { id: arn, jsonKey: "STRIPE_API_KEY" },
        SENDGRID_API_KEY: { id: EXISTING_ARN, jsonKey: "api_key" },
      });
      // The hosts may read the application's secret and the existing one, each named once.
      const policy = JSON.parse(aws.one("aws_iam_role_policy", `${pool}/read-environment`).policy);
      const resources: string[] = policy.Statement.find((s: { Sid: string }) => s.Sid === "ReadSecrets").Resource;
      expect(resources.filter((r) => r === arn)).toHaveLength(1);
      expect(resources.filter((r) => r === EXISTING_ARN)).toHaveLength(1);
    }
  });

  it("on DigitalOcean writes each into the user data as a reference Terraform fills in, and refuses nothing it can hold", () => {
    const [[djangoKey], [signingKey]] = digitalocean.entries("random_password", "django/application-secrets");
    expect(digitalocean.json.provider.random).toEqual([{}]);
    const django = digitalocean.entries("digitalocean_droplet_autoscale").map(([id]) => dropletUserData(digitalocean, id)).filter((u) => u.includes("DATABASE_URL="));
    expect(django.length).toBeGreaterThan(0);
    for (const userData of django) {
      expect(userData).toContain(`DJANGO_SECRET_KEY=\${random_password.${djangoKey}.result}`);
      expect(userData).toContain(`SIGNING_KEY=\${random_password.${signingKey}.result}`);
      expect(userData).toContain("STRIPE_API_KEY=${var.secret_stripe_api_key}");
    }
  });

  it("npm run settings says where each lives and where its value comes from, never a value", () => {
    const text = settingsOf([secretsOnBoth, secretsOnAws], []).map(formatSettings).join("\n");
    expect(text).toContain("STRIPE_API_KEY");
    expect(text).toContain("given to Terraform as the sensitive variable secret_stripe_api_key (TF_VAR_secret_stripe_api_key)");
    expect(text).toContain("secret at terraform-variable:secret_stripe_api_key");
    expect(text).toMatch(/DJANGO_SECRET_KEY +secret at terraform-state:random_password\.[\w-]+\.result\n +generated by Terraform/);
    expect(text).toMatch(/DJANGO_SECRET_KEY +secret at aws-secrets-manager:\$\{aws_secretsmanager_secret\.[\w-]+\.arn\}#DJANGO_SECRET_KEY/);
    expect(text).toMatch(new RegExp(`SENDGRID_API_KEY +secret at aws-secrets-manager:${EXISTING_ARN}#api_key\n +an existing secret of the cloud's store`));
  });
});

describe("sentinel secrets never reach cdktf.out or the output", () => {
  // Random each run: nothing in the code base can contain them.
  const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const sentinel = (name: string) => `SENTINEL-${name}-${[...randomBytes(40)].map((b) => ALPHANUMERIC[b % 62]).join("")}`;
  const values = { stripe: sentinel("stripe"), key: sentinel("key"), registry: sentinel("registry"), setting: sentinel("setting") };

  it("with a value for every variable in the environment the synth runs in, no file it writes and nothing it prints holds one", () => {
    const run = synthInProcess([secretsOnBoth, secretsOnAws], {
      // Where a careless implementation would look for values: Terraform's variables and the names themselves.
      TF_VAR_secret_stripe_api_key: values.stripe,
      STRIPE_API_KEY: values.stripe,
      DJANGO_SECRET_KEY: values.key,
      TF_VAR_secret_django_secret_key: values.key,
      TF_VAR_secret_registry_password: values.registry,
      REGISTRY_PASSWORD: values.registry,
    });
    try {
      expect({ status: run.status, output: run.output }).toEqual({ status: 0, output: expect.any(String) });
      const files = filesUnder(run.outdir);
      expect(files.filter((f) => f.endsWith("cdk.tf.json")).map((f) => f.split("/").slice(-2)[0]).sort()).toEqual(["secrets-aws-aws", "secrets-aws", "secrets-do"].sort());
      for (const file of files) {
        const text = readFileSync(file, "latin1");
        for (const value of Object.values(values)) expect({ file, holds: text.includes(value) }).toEqual({ file, holds: false });
      }
      for (const value of Object.values(values)) expect(run.output).not.toContain(value);
      // The stacks do hold the references that stand for them.
      expect(readFileSync(join(run.outdir, "stacks", "secrets-do", "cdk.tf.json"), "utf8")).toContain("STRIPE_API_KEY=${var.secret_stripe_api_key}");
    } finally {
      rmSync(join(run.outdir, ".."), { recursive: true, force: true });
    }
  });

  it("a spec that puts a secret in a plain setting writes nothing and never prints the value", () => {
    const leaky = { ...secretsOnBoth, application: { ...secretsOnBoth.application, settings: { PAYMENT_PROVIDER_CONFIG: values.setting } } };
    const run = synthInProcess([leaky], {});
    try {
      expect(run.status).toBe(1);
      expect(run.output).toContain("cloudtiers: 1 problem(s) in the environment specs; nothing was synthesised.");
      expect(run.output).toContain("secrets: application.settings.PAYMENT_PROVIDER_CONFIG looks like a secret (its value is a");
      expect(run.output).not.toContain(values.setting);
      expect(run.output).not.toContain(values.setting.slice(-24));
      expect(existsSync(join(run.outdir, "stacks"))).toBe(false);
    } finally {
      rmSync(join(run.outdir, ".."), { recursive: true, force: true });
    }
  });
});
