import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DefaultTokenResolver, StringConcat, Tokenization } from "cdktf";
import { ValidationError } from "../../modules/core";
import { MANAGED_SETTINGS } from "../../modules/django/configuration";
import { CloudTiersStack } from "../../modules/stacks/stack";
import { StackSettings, formatSettings, settingsOf, stackSettings } from "../../modules/stacks/settings";
import { buildApp } from "../../modules/stacks/app";
import { environments } from "../../environments";
import { SHIPPED_STACKS } from "../helpers";
import { blockUnder } from "../../tools/docs/marked-block";
import { SETTINGS_EXCERPT, staleHint } from "../../tools/generated";
import { AWS_ENV, DO_ENV } from "../django/app-environments";

const SHIPPED = SHIPPED_STACKS.map((s) => s.name);
const root = join(__dirname, "..", "..");

/** The shipped stacks, built once; each test synthesises only the one it checks. */
const app = buildApp(environments);
const stacks = new Map(app.node.children.filter((c): c is CloudTiersStack => c instanceof CloudTiersStack).map((s) => [s.node.id, s]));
const settingsByStack = new Map([...stacks].map(([name, stack]) => [name, stackSettings(stack)]));

/** A synthesised output's value as Terraform receives it: a string, or a list joined the way the environment joins it. */
function synthesisedOutputs(stack: CloudTiersStack): Record<string, string> {
  const outputs = (stack.toTerraform() as { output: Record<string, { value: string | string[] }> }).output;
  return Object.fromEntries(Object.entries(outputs).map(([name, o]) => [name, Array.isArray(o.value) ? o.value.join(",") : o.value]));
}

describe("npm run settings: what the application receives on each stack", () => {
  it("covers every shipped stack", () => {
    expect([...settingsByStack.keys()]).toEqual(SHIPPED);
  });

  it.each(SHIPPED)("%s: lists exactly the topology's variables, managed names and application.settings only", (name) => {
    const stack = stacks.get(name)!;
    const settings = settingsByStack.get(name)!;
    const configuration = stack.topology.appConfiguration;
    const names = settings.django.variables.map((v) => v.name);
    expect(names).toEqual([...configuration.settings.map((s) => s.name), ...configuration.secrets.map((s) => s.name)]);
    const own = Object.keys(stack.spec.application.settings ?? {});
    const ownSecrets = Object.keys(stack.spec.application.secrets ?? {});
    expect(names.filter((n) => !own.includes(n) && !ownSecrets.includes(n)).every((n) => (MANAGED_SETTINGS as readonly string[]).includes(n))).toBe(true);
    for (const n of own) expect(settings.django.variables.find((v) => v.name === n)).toMatchObject({ secret: false, source: "application.settings" });
    for (const n of ownSecrets) expect(settings.django.variables.find((v) => v.name === n)).toMatchObject({ secret: true, source: expect.stringContaining("application.secrets") });
    expect(names).toEqual(expect.arrayContaining(["DATABASE_URL", "DATABASE_PASSWORD", "REDIS_URL", "REDIS_PASSWORD", "MEDIA_BUCKET", "STATIC_BUCKET", "SITE_URL"]));
    expect(settings.django.variables.filter((v) => v.secret).map((v) => v.name)).toEqual(configuration.secrets.map((s) => s.name));
  });

  it.each(SHIPPED)("%s: every value a stack output carries is that output's synthesised expression", (name) => {
    const stack = stacks.get(name)!;
    const variables = settingsByStack.get(name)!.django.variables;
    const outputs = synthesisedOutputs(stack);
    for (const v of variables) {
      if (v.output) expect({ name: v.name, value: v.value }).toEqual({ name: v.name, value: outputs[v.output] });
      // A variable that names no output really has none with its value.
      else expect({ name: v.name, outputs: Object.keys(outputs).filter((o) => outputs[o] === v.value) }).toEqual({ name: v.name, outputs: [] });
    }
    const outputOf = Object.fromEntries(variables.map((v) => [v.name, v.output]));
    expect(outputOf).toMatchObject({
      SITE_URL: "site_url",
      DATABASE_URL: "database_url",
      DATABASE_PASSWORD: "database_password_secret",
      REDIS_URL: "redis_url",
      REDIS_PASSWORD: "redis_password_secret",
      MEDIA_BUCKET: "media_bucket",
      STATIC_BUCKET: "static_bucket",
      MEDIA_CDN_DOMAIN: "media_cdn_domain",
      STATIC_CDN_DOMAIN: "static_cdn_domain",
      STORAGE_REGION: "storage_region",
      STORAGE_ENDPOINT_URL: "storage_endpoint_url",
    });
    if (stack.spec.postgres.replicas > 0) expect(outputOf.DATABASE_REPLICA_URLS).toBe("database_replica_urls");
    else expect(Object.keys(outputOf)).not.toContain("DATABASE_REPLICA_URLS");
  });

  it("prints Terraform's expressions for what Terraform decides, and the spec's words for the rest", () => {
    const aws = Object.fromEntries(settingsByStack.get("production-aws")!.django.variables.map((v) => [v.name, v]));
    expect(aws.DATABASE_URL.value).toMatch(/^postgres:\/\/app@\$\{aws_db_proxy\.[\w-]+\.endpoint\}:5432\/app\?sslmode=require$/);
    // one URL per replica the spec asks for
    expect(aws.DATABASE_REPLICA_URLS.value.split(",")).toHaveLength(stacks.get("production-aws")!.spec.postgres.replicas);
    expect(aws.DATABASE_PASSWORD).toMatchObject({ secret: true, value: expect.stringMatching(/^aws-secrets-manager:\$\{aws_secretsmanager_secret\.[\w-]+\.arn\}#password$/) });
    expect(aws.DATABASE_PASSWORD.source).toMatch(/^fetched on the host from Secrets Manager/);
    expect(aws.DJANGO_SETTINGS_MODULE).toMatchObject({ value: "shop.settings.production", source: "application.settingsModule" });
    expect(aws.DJANGO_ALLOWED_HOSTS).toMatchObject({ value: "www.example.com", source: "domain; each host appends its own IPs at every start" });
    const dev = Object.fromEntries(settingsByStack.get("dev-do")!.django.variables.map((v) => [v.name, v]));
    expect(dev.DJANGO_DEBUG).toMatchObject({ value: "false", source: "application.settings" });
    expect(dev.MEDIA_ACCESS_KEY_ID).toMatchObject({ value: expect.stringMatching(/^\$\{digitalocean_spaces_key\.[\w-]+\.access_key\}$/), source: "Terraform, no stack output" });
    expect(dev.MEDIA_SECRET_ACCESS_KEY).toMatchObject({ secret: true, source: expect.stringMatching(/^read from Terraform state and written into each pool's user data/) });
  });

  it("gives the settings snippet's tests (test/django/settings-snippet.test.ts) the very names production-aws and production-do set", () => {
    expect(Object.keys(AWS_ENV)).toEqual(settingsByStack.get("production-aws")!.django.variables.map((v) => v.name));
    expect(Object.keys(DO_ENV)).toEqual(settingsByStack.get("production-do")!.django.variables.map((v) => v.name));
  });

  it("names the pools that run Django, and what the nginx-only web pool of the split layout gets instead", () => {
    const production = settingsByStack.get("production-aws")!;
    expect(production.django.roles).toEqual(["app", "worker", "beat"]);
    expect(production.others.map((o) => ({ roles: o.roles, names: o.variables.map((v) => v.name) }))).toEqual([{ roles: ["web"], names: ["APP_UPSTREAM"] }]);
    expect(production.others[0].variables[0].value).toMatch(/^\$\{aws_lb\.[\w-]+\.dns_name\}:80$/);
    const dev = settingsByStack.get("dev-aws")!;
    expect({ roles: dev.django.roles, others: dev.others }).toEqual({ roles: ["web", "worker"], others: [] });
  });

  it("lists what the nginx-balanced web pool reads for itself: on DigitalOcean the listing token, by location and origin; on AWS nothing (its role lists the app hosts)", () => {
    const balanced = { ...environments.find((e) => e.environment === "staging")!, layout: "nginx-balanced" as const };
    const [aws, digitalocean] = ["aws", "do"].map((cloud) => settingsOf([balanced], [`staging-${cloud}`])[0]);
    expect(digitalocean.others.map((o) => ({ roles: o.roles, variables: o.variables.map((v) => [v.name, v.secret, v.value]) }))).toEqual([
      { roles: ["web"], variables: [["DIGITALOCEAN_READ_TOKEN", true, "terraform-state:var.digitalocean_read_token"]] },
    ]);
    expect(digitalocean.others[0].variables[0].source).toContain("TF_VAR_digitalocean_read_token");
    expect(aws.others).toEqual([{ roles: ["web"], variables: [] }]);
    expect(formatSettings(aws)).toContain("The web pool runs no Django; it receives:\n  nothing\n");
  });

  it.each(SHIPPED)("%s: lists secrets by location, never by value or by the expression that yields the value", (name) => {
    const stack = stacks.get(name)!;
    const settings = settingsByStack.get(name)!;
    const text = formatSettings(settings);
    for (const secret of stack.topology.appConfiguration.secrets) {
      const id = Tokenization.resolve(secret.secret.id, { scope: stack, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
      // On DigitalOcean a secret's id is the password attribute itself; on AWS it is the secret's ARN, part of its location.
      if (secret.secret.store === "terraform-state") expect(text).not.toContain(id);
      expect(text).toContain(`${secret.name}`);
    }
    expect(text).not.toMatch(/\$\{random_password\.|\.password\}|secret_key\}|auth_token\}/);
  });

  it("says where each stack's hosts ship their logs, or that they keep them, as its spec says", () => {
    for (const { name, spec } of SHIPPED_STACKS) {
      const printed = formatSettings(settingsByStack.get(name)!);
      if (!spec.logs) expect(printed).toContain("Logs stay on each host, in its journal (no logs section).");
      else expect(printed).toContain(`Logs (the application's and nginx's) leave every host for ${stacks.get(name)!.topology.logging!.destination}.`);
    }
  });

  it("never prints a secret's value, even one written literally into the configuration", () => {
    const stack = stacks.get("dev-do")!;
    const literal = "hunter2-literal-password";
    const configuration = stack.topology.appConfiguration;
    const doctored = {
      settings: configuration.settings,
      secrets: configuration.secrets.map((s) => ({ name: s.name, secret: { store: "terraform-state", id: literal, location: `terraform-state:${s.name.toLowerCase()}` } })),
    };
    const topology = Object.create(stack.topology, { appConfiguration: { value: doctored }, hostConfigurations: { value: { web: doctored } } });
    const settings: StackSettings = stackSettings(Object.create(stack, { topology: { value: topology } }));
    expect(settings.django.variables.filter((v) => v.secret).map((v) => v.value)).toEqual(configuration.secrets.map((s) => `terraform-state:${s.name.toLowerCase()}`));
    expect(configuration.secrets.map((s) => s.name)).toEqual(["DATABASE_PASSWORD", "REDIS_PASSWORD", "MEDIA_SECRET_ACCESS_KEY", "STATIC_SECRET_ACCESS_KEY", ...Object.keys(stack.spec.application.secrets ?? {})]);
    expect(JSON.stringify(settings)).not.toContain(literal);
    expect(formatSettings(settings)).not.toContain(literal);
  });

  it("refuses a name that matches no stack, listing the stacks, and leaves Terraform Cloud bootstrap stacks out", () => {
    expect(() => settingsOf(environments, ["production-azure"])).toThrow(ValidationError);
    expect(() => settingsOf(environments, ["production-azure"])).toThrow(`"production-azure" matches no stack; the stacks are ${SHIPPED.join(", ")}`);
    const env = { TF_CLOUD_ORGANIZATION: "acme" };
    expect(settingsOf(environments, ["production-*", "terraform-cloud-*"], { env }).map((s) => s.stack)).toEqual(["production-aws", "production-do"]);
    expect(() => settingsOf(environments, ["terraform-cloud-*"], { env })).toThrow("names only Terraform Cloud bootstrap stacks, which run no application");
  });

  it("prints one line per variable and its source, as `npm run settings -- production-aws` does", () => {
    const run = spawnSync(process.execPath, ["--require", join(root, "scripts", "register-ts.cjs"), join(root, "scripts", "settings.ts"), "production-aws"], { encoding: "utf8", cwd: root });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(formatSettings(settingsByStack.get("production-aws")!));
    expect(run.stdout).toMatch(/^ {2}DATABASE_URL {12}postgres:\/\/app@\$\{aws_db_proxy\.[\w-]+\.endpoint\}:5432\/app\?sslmode=require\n {26}from stack output database_url$/m);
    const bad = spawnSync(process.execPath, ["--require", join(root, "scripts", "register-ts.cjs"), join(root, "scripts", "settings.ts"), "nope"], { encoding: "utf8", cwd: root });
    expect({ status: bad.status, stdout: bad.stdout }).toEqual({ status: 1, stdout: "" });
    expect(bad.stderr).toContain(`"nope" matches no stack; the stacks are ${SHIPPED.join(", ")}`);
  });

  it(`is shown in ${SETTINGS_EXCERPT.page} as \`${SETTINGS_EXCERPT.command}\` prints it`, () => {
    const page = readFileSync(join(root, SETTINGS_EXCERPT.page), "utf8");
    const shown = blockUnder(page, SETTINGS_EXCERPT.command);
    const refresh = staleHint(SETTINGS_EXCERPT.page);
    expect({ upToDate: shown === formatSettings(settingsByStack.get(SETTINGS_EXCERPT.stack)!).trimEnd(), refresh }).toEqual({ upToDate: true, refresh });
  });
});
