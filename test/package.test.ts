import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { dev } from "../environments/dev";

const root = join(__dirname, "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

/** What a cdktf project has installed beside the package: its peers, their types and Node's. */
const INSTALLED = [...Object.keys(pkg.peerDependencies), ...Object.keys(pkg.dependencies), "@types/node"];

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false" } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** A consumer's cdktf app: whole stacks from the root entry point, and a stack of its own composed from the tiers. */
const CONSUMER = `import { App, LocalBackend, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { CloudTiersStack, DIGITALOCEAN, EnvironmentSpec, checkPolicy } from "cloudtiers";
import { SIZE_PROFILES, ValidationError } from "cloudtiers/core";
import { AwsTierFactory } from "cloudtiers/aws";
import { DigitalOceanTierFactory } from "cloudtiers/digitalocean";
import { ZONE_TLS_SETTINGS } from "cloudtiers/cloudflare";
import { DjangoTopology } from "cloudtiers/django";

const spec: EnvironmentSpec = ${JSON.stringify(dev, null, 2)};

class OwnStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new LocalBackend(this, { path: "own.tfstate" });
    new AwsProvider(this, "aws", { region: spec.aws!.region });
    const cdnProvider = new AwsProvider(this, "us-east-1", { alias: "us_east_1", region: "us-east-1" });
    new RandomProvider(this, "random");
    new DjangoTopology(this, "django", { factory: new AwsTierFactory({ settings: spec.aws!, cdnProvider }), spec });
  }
}

const app = new App({ outdir: process.argv[2] });
new CloudTiersStack(app, spec, DIGITALOCEAN, {});
new OwnStack(app, "own-aws");
app.synth();

let refused = "";
try {
  new CloudTiersStack(new App({ outdir: process.argv[2] }), { ...spec, healthCheckPath: "healthz" }, DIGITALOCEAN, {});
} catch (e) {
  refused = e instanceof ValidationError ? e.message : "not the package's ValidationError";
}
console.log(JSON.stringify({
  policy: checkPolicy(app).map((r) => ({ stack: r.stack, failed: r.failed.length })),
  refused,
  sizes: Object.keys(SIZE_PROFILES),
  zoneSettings: Object.keys(ZONE_TLS_SETTINGS).length > 0,
  factory: typeof DigitalOceanTierFactory,
}));
`;

describe("the npm package", () => {
  const work = mkdtempSync(join(tmpdir(), "cloudtiers-package-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  // `npm pack` runs `prepack`, which builds dist/ (incrementally, scripts/build.ts); the
  // output of a module since deleted, left by an earlier build, must not be packed.
  mkdirSync(join(root, "dist"), { recursive: true });
  writeFileSync(join(root, "dist", "deleted-module.js"), "");
  const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", work], root))[0];
  const files: string[] = packed.files.map((f: { path: string }) => f.path).sort();

  it("holds the compiled modules with their declarations, the README and nothing else", () => {
    expect(packed.name).toBe("cloudtiers");
    for (const entry of Object.values(pkg.exports as Record<string, { types: string; default: string } | string>)) {
      for (const file of typeof entry === "string" ? [entry] : [entry.types, entry.default]) expect(files).toContain(file.replace(/^\.\//, ""));
    }
    for (const file of files) expect(file).toMatch(/^(package\.json|README\.md|dist\/[a-z-]+(\/[a-z-]+)*\.(js|d\.ts))$/);
    expect(files.filter((f) => f.startsWith("dist/") && f.endsWith(".js")).length).toBeGreaterThan(40);
    expect(files).not.toContain("dist/deleted-module.js");
  });

  it("declares the cdktf packages as peers and names a registry to publish to", () => {
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual([
      "@cdktf/provider-aws",
      "@cdktf/provider-cloudflare",
      "@cdktf/provider-digitalocean",
      "@cdktf/provider-random",
      "@cdktf/provider-tfe",
      "@cdktf/provider-tls",
      "cdktf",
      "constructs",
    ]);
    // Every peer is installed for development at a version the peer range admits.
    for (const [name, range] of Object.entries(pkg.peerDependencies as Record<string, string>)) {
      expect({ name, dev: pkg.devDependencies[name] }).toEqual({ name, dev: String(range).replace(/^[~^]/, "") });
    }
    expect(pkg.private).toBeUndefined();
    expect(pkg.publishConfig.registry).toMatch(/^https:\/\//);
  });

  it("lets a fresh cdktf app, with only what is already installed, type-check against it and synthesise a topology", () => {
    const consumer = join(work, "consumer");
    const modules = join(consumer, "node_modules");
    mkdirSync(join(modules, "cloudtiers"), { recursive: true });
    run("tar", ["-xzf", join(work, packed.filename), "--strip-components=1", "-C", join(modules, "cloudtiers")], work);
    for (const name of INSTALLED) {
      mkdirSync(dirname(join(modules, name)), { recursive: true });
      symlinkSync(join(root, "node_modules", name), join(modules, name), "dir");
    }
    writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, dependencies: { cloudtiers: pkg.version } }));
    writeFileSync(join(consumer, "main.ts"), CONSUMER);
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    // The tsconfig `cdktf init` writes (classic resolution, which ignores `exports`), and Node 16 resolution.
    const compilerOptions = { target: "ES2018", lib: ["es2018"], strict: true, skipLibCheck: true, types: ["node"] };
    writeFileSync(join(consumer, "tsconfig.json"), JSON.stringify({ compilerOptions: { ...compilerOptions, module: "CommonJS", outDir: "out" }, files: ["main.ts"] }));
    writeFileSync(join(consumer, "tsconfig.node16.json"), JSON.stringify({ compilerOptions: { ...compilerOptions, module: "node16", moduleResolution: "node16", noEmit: true }, files: ["main.ts"] }));
    // Both in one build mode run: it parses the declarations they share once (about half the time of two runs); either's errors fail it.
    run(process.execPath, [tsc, "-b", "tsconfig.node16.json", "tsconfig.json"], consumer);

    const outdir = join(work, "cdktf.out");
    const report = JSON.parse(run(process.execPath, [join(consumer, "out", "main.js"), outdir], consumer));
    expect(report).toEqual({
      policy: [{ stack: "dev-do", failed: 0 }],
      refused: expect.stringContaining('dev: healthCheckPath must be an absolute URL path such as "/healthz", got "healthz"'),
      sizes: ["small", "medium", "large", "xlarge"],
      zoneSettings: true,
      factory: "function",
    });
    expect(readdirSync(join(outdir, "stacks")).sort()).toEqual(["dev-do", "own-aws"]);
    const own = JSON.parse(readFileSync(join(outdir, "stacks", "own-aws", "cdk.tf.json"), "utf8"));
    expect(Object.keys(own.resource)).toEqual(expect.arrayContaining(["aws_vpc", "aws_db_instance", "aws_autoscaling_group", "aws_lb", "aws_elasticache_replication_group"]));
    const doStack = JSON.parse(readFileSync(join(outdir, "stacks", "dev-do", "cdk.tf.json"), "utf8"));
    expect(Object.keys(doStack.resource)).toEqual(expect.arrayContaining(["digitalocean_database_cluster", "digitalocean_droplet_autoscale", "digitalocean_loadbalancer", "cloudflare_dns_record"]));
  });
});
