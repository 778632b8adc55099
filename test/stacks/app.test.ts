import { staging } from "../../environments/staging";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ValidationError } from "../../modules/core";
import { buildApp, synthesize } from "../../modules/stacks/app";
import { AWS_POLICY } from "../../modules/aws/policy";
import { environments } from "../../environments";
import { application } from "../../environments/defaults";
import { SHIPPED_STACKS, capture, specBeside, specWith } from "../helpers";

const root = join(__dirname, "..", "..");
/** dev's application with an image pinned by digest, as production rules require. */
const pinned = { ...specWith().application, image: application.image };

describe("the cdktf app", () => {
  it("builds one stack per environment and cloud, named <environment>-<cloud>", () => {
    const app = buildApp(environments, { outdir: mkdtempSync(join(tmpdir(), "cloudtiers-")) });
    expect(app.node.children.map((c) => c.node.id)).toEqual(SHIPPED_STACKS.map((s) => s.name));
  });

  it("reports every problem of every spec, writes nothing and returns 1", () => {
    const outdir = mkdtempSync(join(tmpdir(), "cloudtiers-"));
    rmSync(outdir, { recursive: true });
    const bad = [specWith({ healthCheckPath: "healthz" }), specBeside("qa", 40, { postgres: { ...environments[0].postgres, replicas: 6 } })];
    expect(() => buildApp(bad, { outdir })).toThrow(ValidationError);
    const err = capture();
    process.env.CDKTF_OUTDIR = outdir;
    try {
      expect(synthesize(bad, { stderr: err.stream })).toBe(1);
    } finally {
      delete process.env.CDKTF_OUTDIR;
    }
    expect(err.text()).toBe(
      "cloudtiers: 2 problem(s) in the environment specs; nothing was synthesised.\n" +
        '  dev: healthCheckPath must be an absolute URL path such as "/healthz", got "healthz"\n' +
        "  qa: postgres.replicas must be a whole number between 0 and 5, got 6\n",
    );
    expect(existsSync(outdir)).toBe(false);
  });

  it("refuses a stack the policy pack fails, reporting it, and leaves the previous output as it was", () => {
    const outdir = mkdtempSync(join(tmpdir(), "cloudtiers-"));
    const good = buildApp([environments[0]], { outdir });
    good.synth();
    const file = join(outdir, "stacks", "dev-aws", "cdk.tf.json");
    const before = readFileSync(file, "utf8");
    const manifest = readFileSync(join(outdir, "manifest.json"), "utf8");

    // dev held to production rules: no standby, no deletion protection, no failover.
    const strict = specWith({ production: true, application: pinned, digitalocean: undefined });
    const err = capture();
    process.env.CDKTF_OUTDIR = outdir;
    try {
      expect(synthesize([strict], { stderr: err.stream })).toBe(1);
    } finally {
      delete process.env.CDKTF_OUTDIR;
    }
    expect(err.text()).toContain("cloudtiers: the policy pack refused 1 stack(s); the previous output is unchanged.\n");
    expect(err.text()).toMatch(new RegExp(`^dev-aws: ${Object.keys(AWS_POLICY.checks).length} rules checked, \\d+ passed, 0 suppressed, \\d+ failed$`, "m"));
    expect(err.text()).toMatch(/^ {2}FAILED CT-DB-004 aws_db_instance\.django_postgres_primary_\w+: multi_az is not true$/m);
    expect(err.text()).toMatch(/^ {2}FAILED CT-DNS-001 \(stack\): no SECONDARY failover record, nor a CloudFront distribution that answers its load balancer's 502, 503 and 504 with a page$/m);
    expect(err.text()).toMatch(/^ {2}FAILED CT-OPS-001 \(stack\): no CloudWatch alarm publishes to an SNS topic with a subscription$/m);
    expect(readFileSync(file, "utf8")).toBe(before);
    expect(readFileSync(join(outdir, "manifest.json"), "utf8")).toBe(manifest);
    rmSync(outdir, { recursive: true });
  });

  it("rewrites what it writes in a stack's directory and keeps what Terraform left there (.terraform, the lock file), with no scratch left behind", () => {
    const outdir = mkdtempSync(join(tmpdir(), "cloudtiers-"));
    try {
      const dev = [environments[0]];
      const synth = () => synthesize(dev, { env: { CDKTF_OUTDIR: outdir }, stdout: capture().stream, stderr: capture().stream });
      expect(synth()).toBe(0);
      const stack = join(outdir, "stacks", "dev-aws");
      const written = readFileSync(join(stack, "cdk.tf.json"), "utf8");
      mkdirSync(join(stack, ".terraform", "providers"), { recursive: true });
      writeFileSync(join(stack, ".terraform", "providers", "marker"), "kept");
      writeFileSync(join(stack, ".terraform.lock.hcl"), "# kept\n");
      writeFileSync(join(stack, "cdk.tf.json"), "{}");
      expect(synth()).toBe(0);
      expect(readFileSync(join(stack, "cdk.tf.json"), "utf8")).toBe(written);
      expect(readFileSync(join(stack, ".terraform", "providers", "marker"), "utf8")).toBe("kept");
      expect(readFileSync(join(stack, ".terraform.lock.hcl"), "utf8")).toBe("# kept\n");
      expect(readdirSync(outdir).sort()).toEqual(["manifest.json", "stacks"]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it("leaves no output directory it made when the policy pack refuses, and removes the scratch a killed synth left", () => {
    const parent = mkdtempSync(join(tmpdir(), "cloudtiers-"));
    try {
      const fresh = join(parent, "out");
      const strict = specWith({ production: true, application: pinned, digitalocean: undefined });
      expect(synthesize([strict], { env: { CDKTF_OUTDIR: fresh }, stdout: capture().stream, stderr: capture().stream })).toBe(1);
      expect(existsSync(fresh)).toBe(false);

      // A synth killed mid-way leaves its scratch, named with its process id; the next synth removes it, and keeps a live one's.
      const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
      mkdirSync(join(fresh, `.synth-${dead}-abc123`, "0"), { recursive: true });
      mkdirSync(join(fresh, `.synth-${process.pid}-def456`));
      expect(synthesize([environments[0]], { env: { CDKTF_OUTDIR: fresh }, stdout: capture().stream, stderr: capture().stream })).toBe(0);
      expect(readdirSync(fresh).sort()).toEqual([`.synth-${process.pid}-def456`, "manifest.json", "stacks"]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it("lets a spec suppress a rule for one resource, with a reason", () => {
    const outdir = mkdtempSync(join(tmpdir(), "cloudtiers-"));
    const app = buildApp([specWith({ digitalocean: undefined })], { outdir });
    app.synth();
    const primary = Object.keys(JSON.parse(readFileSync(join(outdir, "stacks", "dev-aws", "cdk.tf.json"), "utf8")).resource.aws_db_instance)[0];
    const reason = "dev runs a single-zone database on purpose";
    const spec = specWith({
      production: true,
      application: pinned,
      deletionProtection: true,
      digitalocean: undefined,
      aws: { ...environments[0].aws!, disasterRecoveryRegion: "eu-central-1", disasterRecoveryCidr: "10.110.0.0/16" },
      failover: {},
      alerts: { emails: ["oncall@example.com"] },
      firewall: {},
      postgres: { ...environments[0].postgres, highAvailability: false },
      policy: { suppress: [{ rule: "CT-DB-004", cloud: "aws", resource: `aws_db_instance.${primary}`, reason }] },
    });
    const err = capture();
    const out = capture();
    process.env.CDKTF_OUTDIR = outdir;
    try {
      expect({ code: synthesize([spec], { stdout: out.stream, stderr: err.stream }), stderr: err.text() }).toEqual({ code: 0, stderr: "" });
      expect(out.text()).toMatch(/^synthesised 1 stacks into .+:\n {2}dev-aws {2}aws {2}local terraform\.dev-aws\.tfstate {2}\d+ resources\n$/);
    } finally {
      delete process.env.CDKTF_OUTDIR;
    }
    rmSync(outdir, { recursive: true });
  });

  it("leaves an existing cdktf.out exactly as it was when a spec is invalid", () => {
    const outdir = mkdtempSync(join(tmpdir(), "cloudtiers-"));
    buildApp([environments[0]], { outdir }).synth();
    const listing = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listing(join(dir, e.name)) : [`${join(dir, e.name)}:${readFileSync(join(dir, e.name), "utf8").length}`]));
    const before = listing(outdir);
    const err = capture();
    process.env.CDKTF_OUTDIR = outdir;
    try {
      expect(synthesize([specWith({ layout: "mesh" as never })], { stderr: err.stream })).toBe(1);
    } finally {
      delete process.env.CDKTF_OUTDIR;
    }
    expect(listing(outdir)).toEqual(before);
    rmSync(outdir, { recursive: true });
  });

  it("refuses two specs with one name", () => {
    expect(() => buildApp([environments[0], environments[0]])).toThrow('dev: environment is used by two specs; stack names must be unique');
  });

  it("main.ts writes every stack to cdktf.out/stacks, byte-identical on a second run, with no machine path", () => {
    const run = () => {
      const outdir = mkdtempSync(join(tmpdir(), "cloudtiers-synth-"));
      const run = spawnSync(process.execPath, ["--require", "./scripts/register-ts.cjs", "main.ts"], {
        cwd: root,
        env: { ...process.env, CDKTF_OUTDIR: outdir },
        encoding: "utf8",
      });
      expect(run.status).toBe(0);
      const stderr = run.stderr;
      const stacks = readdirSync(join(outdir, "stacks")).sort();
      const files = Object.fromEntries(stacks.map((name) => [name, readFileSync(join(outdir, "stacks", name, "cdk.tf.json"), "utf8")]));
      const manifest = readFileSync(join(outdir, "manifest.json"), "utf8");
      rmSync(outdir, { recursive: true });
      return { stacks, files, manifest, outdir, stderr };
    };
    const first = run();
    const second = run();
    expect(first.stacks).toEqual(SHIPPED_STACKS.map((s) => s.name).sort());
    expect(second.files).toEqual(first.files);
    // Gaps a cloud cannot honour are said at synth, not left silent.
    const cdnGap = (stack: string, purpose: string, domain: string) =>
      `warning: ${stack}/django/${purpose}: PROVIDER GAP: DigitalOcean's CDN serves ${purpose} on its own endpoint name, not "${purpose}.${domain}" (it refuses Cloudflare Origin CA certificates)\n`;
    const backupGap = (stack: string, days: number) =>
      `warning: ${stack}/django/postgres: PROVIDER GAP: DigitalOcean keeps PostgreSQL backups for 7 days; postgres.backupRetentionDays asks for ${days}\n`;
    const listGap = (stack: string) =>
      `warning: ${stack}/django/app-pool: PROVIDER GAP: the web droplets list the app droplets with a droplet:read token, which can also read the app pool's droplet template, whose user data holds the application's secrets (DigitalOcean has no narrower scope); the split layout keeps them off the web droplets\n`;
    // Every line is such a gap; the shipped dev, staging and production stacks' are these.
    const lines = first.stderr.split(/(?<=\n)/).filter(Boolean);
    for (const line of lines) expect(line).toMatch(/^warning: \S+: PROVIDER GAP: .+\n$/);
    expect(lines.filter((line) => /^warning: (dev|staging|production)-/.test(line)).join("")).toBe(
      backupGap("dev-do", 1) +
        cdnGap("dev-do", "media", "dev.example.com") +
        cdnGap("dev-do", "static", "dev.example.com") +
        cdnGap("staging-do", "media", "staging.example.com") +
        cdnGap("staging-do", "static", "staging.example.com") +
        (staging.layout === "nginx-balanced" ? listGap("staging-do") : "") +
        backupGap("production-do", 14) +
        cdnGap("production-do", "media", "example.com") +
        cdnGap("production-do", "static", "example.com"),
    );
    for (const text of [...Object.values(first.files), first.manifest]) {
      expect(text).not.toContain(first.outdir);
      expect(text).not.toContain(root);
    }
  });
});

