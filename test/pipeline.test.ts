import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateAction, validateWorkflow } from "@action-validator/core";
import { parse } from "yaml";
import { environments } from "../environments";
import { buildApp } from "../modules/stacks/app";
import { releaseImageVariable } from "../modules/stacks/release";
import { DEFAULT_TERRAFORM_VERSION } from "../modules/stacks/terraform-cloud";
import { SHIPPED_STACKS } from "./helpers";
import { requireTool } from "./required-tools";
import { Finished, runCommand } from "./tools";

const root = join(__dirname, "..");
const WORKFLOW = ".github/workflows/cloudtiers.yml";
const TOOLCHAIN = ".github/actions/cdktf/action.yml";
const DEPLOY = ".github/actions/deploy/action.yml";
const workflowText = readFileSync(join(root, WORKFLOW), "utf8");
const actionText = readFileSync(join(root, TOOLCHAIN), "utf8");
const deployText = readFileSync(join(root, DEPLOY), "utf8");
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Yaml = any;
const workflow: Yaml = parse(workflowText);
const toolchain: Yaml = parse(actionText);
const deploy: Yaml = parse(deployText);

/** The stack names of the shipped environments. */
const stacks = SHIPPED_STACKS.map((s) => s.name);

/** Every `run:` script of the workflow and the toolchain action, with where it is. */
function runScripts(): { where: string; script: string }[] {
  const jobSteps = Object.entries(workflow.jobs).flatMap(([job, j]: [string, Yaml]) => j.steps.map((s: Yaml, i: number) => ({ where: `${WORKFLOW} ${job} step ${i + 1}`, step: s })));
  const actionSteps = [
    ...toolchain.runs.steps.map((s: Yaml, i: number) => ({ where: `${TOOLCHAIN} step ${i + 1}`, step: s })),
    ...deploy.runs.steps.map((s: Yaml, i: number) => ({ where: `${DEPLOY} step ${i + 1}`, step: s })),
  ];
  return [...jobSteps, ...actionSteps].filter((s) => s.step.run !== undefined).map((s) => ({ where: s.where, script: s.step.run }));
}

/** The rows of the CI pipeline table (docs/terraform-cloud.md), as `name` → kind (`repository secret`, `environment secret`, ...). */
function documentedInputs(): Map<string, string> {
  const readme = readFileSync(join(root, "docs", "terraform-cloud.md"), "utf8");
  const section = readme.slice(readme.indexOf("## CI pipeline"), readme.indexOf("\n#", readme.indexOf("## CI pipeline") + 1));
  return new Map([...section.matchAll(/^\| `([^`]+)`(?:, `[^`]+`)* \| ((?:repository|environment) (?:secret|variable)|environments) \|/gm)].map((m) => [m[1], m[2]]));
}

describe("the CI pipeline example", () => {
  it("is a valid GitHub Actions workflow, and its toolchain a valid action", () => {
    expect(validateWorkflow(workflowText).errors).toEqual([]);
    expect(validateAction(actionText).errors).toEqual([]);
    expect(validateAction(deployText).errors).toEqual([]);
  });

  it("tests, synthesises and plans every stack against Terraform Cloud on pull requests", () => {
    expect(Object.keys(workflow.on)).toEqual(["pull_request", "push", "workflow_dispatch", "repository_dispatch"]);
    expect(workflow.on.push.branches).toEqual(["main"]);
    expect(workflow.jobs.test.steps.map((s: Yaml) => s.run).filter(Boolean)).toEqual([".ci/run", "npm run synth", expect.stringContaining("cdktf.out/manifest.json")]);
    const diff = workflow.jobs.diff;
    expect(diff.if).toContain("github.event_name == 'pull_request'");
    expect(diff.needs).toBe("test");
    expect(diff.strategy.matrix.stack).toBe("${{ fromJSON(needs.test.outputs.stacks) }}");
    expect(workflow.jobs.test.outputs.stacks).toBe("${{ steps.stacks.outputs.stacks }}");
    expect(diff.env.CLOUDTIERS_STACKS).toBe("${{ matrix.stack }}");
    expect(diff.steps.at(-1).run).toBe('npx cdktf diff "$CLOUDTIERS_STACKS"');
  });

  it("plans every stack the specs call for, read from what npm run synth wrote, without the bootstrap stack", () => {
    const step = workflow.jobs.test.steps.find((s: Yaml) => s.id === "stacks");
    expect(workflow.jobs.test.steps.at(-1)).toBe(step);
    const dir = mkdtempSync(join(tmpdir(), "cloudtiers-pipeline-"));
    try {
      // npm run synth in the test job, which sees TF_CLOUD_ORGANIZATION: the bootstrap stack is written too.
      const app = buildApp(environments, { outdir: join(dir, "cdktf.out"), env: { TF_CLOUD_ORGANIZATION: "acme" } });
      app.synth();
      expect(Object.keys(JSON.parse(readFileSync(join(dir, "cdktf.out", "manifest.json"), "utf8")).stacks)).toContain("terraform-cloud-acme");
      const output = join(dir, "github-output");
      writeFileSync(output, "");
      requireTool("jq");
      // As GitHub runs a `run:` step on Linux: bash --noprofile --norc -eo pipefail.
      const run = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run], { cwd: dir, env: { PATH: process.env.PATH, GITHUB_OUTPUT: output }, encoding: "utf8" });
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
      expect(readFileSync(output, "utf8")).toBe(`stacks=${JSON.stringify([...stacks].sort())}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("deploys each environment after the one it promotes from, as the specs say", () => {
    for (const spec of environments.filter((e) => e.terraformCloud?.promotesFrom)) {
      expect({ job: `deploy-${spec.environment}`, needs: workflow.jobs[`deploy-${spec.environment}`]?.needs }).toEqual({
        job: `deploy-${spec.environment}`,
        needs: `deploy-${spec.terraformCloud!.promotesFrom}`,
      });
    }
  });

  it("deploys staging on main, then production behind the production environment's approval", () => {
    const staging = workflow.jobs["deploy-staging"];
    const production = workflow.jobs["deploy-production"];
    // Pushes to main and releases of main (the environments admit the main branch only).
    expect(staging.if).toBe("github.event_name != 'pull_request' && github.ref == 'refs/heads/main'");
    expect(staging.environment).toBe("staging");
    expect(staging.strategy.matrix.stack).toEqual(stacks.filter((s) => s.startsWith("staging-")));
    expect(production.needs).toBe("deploy-staging");
    expect(production.environment).toBe("production");
    expect(production.strategy.matrix.stack).toEqual(stacks.filter((s) => s.startsWith("production-")));
    for (const job of [staging, production]) {
      expect(job.env.CLOUDTIERS_STACKS).toBe("${{ matrix.stack }}");
      expect(job.steps.at(-1).uses).toBe("./.github/actions/deploy");
      expect(job.concurrency).toEqual({ group: "deploy-${{ matrix.stack }}", "cancel-in-progress": false });
    }
  });

  it("deploys a stack, with the release asked for or the one running, then smoke-checks the site", () => {
    expect(deploy.runs.steps.map((s: Yaml) => s.name)).toEqual([
      "Preflight, read-only (the account can take the stack)",
      "The image to deploy (the release asked for, else the one running)",
      "Apply in Terraform Cloud",
      "Follow the rollout (DigitalOcean's pools replace their droplets after the apply)",
      "Smoke check of the site's health path",
      "Roll back to the image that ran before",
    ]);
    expect(deploy.runs.steps.map((s: Yaml) => s.if)).toEqual([undefined, undefined, undefined, undefined, undefined, "failure() && steps.preflight.outcome == 'success'"]);
    expect(deploy.runs.steps[2].run).toBe('npx cdktf deploy "$CLOUDTIERS_STACKS" --auto-approve --outputs-file outputs.json');
    expect(workflow.env.RELEASE_IMAGE).toBe("${{ inputs.image || github.event.client_payload.image }}");
    expect(workflow.on.workflow_dispatch.inputs.image).toMatchObject({ required: true, type: "string" });
    expect(workflow.on.repository_dispatch.types).toEqual(["release"]);
  });

  it("runs the Terraform version the workspaces run, without the wrapper cdktf cannot read", () => {
    const setup = toolchain.runs.steps.find((s: Yaml) => String(s.uses).startsWith("hashicorp/setup-terraform@"));
    expect(setup.with).toEqual({ terraform_version: DEFAULT_TERRAFORM_VERSION, terraform_wrapper: false });
    expect(workflow.jobs.diff.steps.map((s: Yaml) => s.uses).filter(Boolean)).toEqual(["actions/checkout@v4", "./.github/actions/cdktf"]);
    for (const job of ["deploy-staging", "deploy-production"]) {
      expect(workflow.jobs[job].steps.map((s: Yaml) => s.uses).filter(Boolean)).toEqual(["actions/checkout@v4", "./.github/actions/cdktf", "aws-actions/configure-aws-credentials@v4", "./.github/actions/deploy"]);
    }
  });

  it("uses exactly the secrets and variables docs/terraform-cloud.md documents; a token that applies only in jobs of a protected environment", () => {
    const used = (kind: "secrets" | "vars") => [...new Set([...workflowText.matchAll(new RegExp(`\\$\\{\\{ ${kind}\\.(\\w+) \\}\\}`, "g"))].map((m) => m[1]))].sort();
    const documented = [...documentedInputs()];
    expect(used("secrets")).toEqual(documented.filter(([, k]) => k.endsWith(" secret")).map(([n]) => n).sort());
    expect(used("vars")).toEqual(documented.filter(([, k]) => k.endsWith(" variable")).map(([n]) => n).sort());
    expect(documentedInputs().get("TF_API_TOKEN")).toBe("environment secret");
    expect(workflow.env.TF_TOKEN_app_terraform_io).toBeUndefined();
    expect(workflow.jobs.test.env).toBeUndefined();
    // A pull request can rewrite its own workflow: it may only ever hold the plan-only token.
    expect(workflow.jobs.diff.environment).toBeUndefined();
    expect(workflow.jobs.diff.env.TF_TOKEN_app_terraform_io).toBe("${{ secrets.TF_PLAN_TOKEN }}");
    for (const job of ["deploy-staging", "deploy-production"]) {
      expect(workflow.jobs[job].environment).toBe(job.replace("deploy-", ""));
      expect(workflow.jobs[job].env.TF_TOKEN_app_terraform_io).toBe("${{ secrets.TF_API_TOKEN }}");
    }
  });

  it("keeps expressions out of shell scripts, and every script passes shellcheck", () => {
    const shellcheck = requireTool("shellcheck");
    const dir = mkdtempSync(join(tmpdir(), "cloudtiers-pipeline-"));
    try {
      const scripts = runScripts();
      expect(scripts).toHaveLength(11);
      for (const { where, script } of scripts) {
        // `${{ }}` in a script is pasted in before the shell sees it: script injection.
        expect({ where, expression: script.includes("${{") }).toEqual({ where, expression: false });
        const file = join(dir, "step.sh");
        writeFileSync(file, `#!/usr/bin/env bash\nset -euo pipefail\n${script}\n`);
        const run = spawnSync(shellcheck, ["--severity=style", file], { encoding: "utf8" });
        expect({ where, status: run.status, output: run.stdout }).toEqual({ where, status: 0, output: "" });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  /** Runs a step of the deploy action as GitHub runs it (bash -eo pipefail) in `dir`, with stubs first on PATH; `githubEnv`: what it wrote to $GITHUB_ENV. */
  async function runStep(name: string, dir: string, env: Record<string, string>): Promise<Finished & { githubEnv: string }> {
    const step = deploy.runs.steps.find((s: Yaml) => s.name === name);
    const githubEnv = join(dir, "github-env");
    writeFileSync(githubEnv, "");
    const run = await runCommand("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run], {
      cwd: dir,
      env: { PATH: `${join(dir, "bin")}:${process.env.PATH}`, GITHUB_ENV: githubEnv, ...env },
    });
    return { ...run, githubEnv: readFileSync(githubEnv, "utf8") };
  }

  /** A stub of `name` in `dir/bin` that runs `body`. */
  function stub(dir: string, name: string, body: string): void {
    mkdirSync(join(dir, "bin"), { recursive: true });
    writeFileSync(join(dir, "bin", name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  }

  it("deploys the release asked for, else keeps the image running, under the variable the stacks read for that environment", async () => {
    requireTool("jq");
    const name = "The image to deploy (the release asked for, else the one running)";
    const dir = mkdtempSync(join(tmpdir(), "cloudtiers-pipeline-"));
    const release = `ghcr.io/acme/shop:2.0.0@sha256:${"ab".repeat(32)}`;
    const running = `ghcr.io/acme/shop:1.9.0@sha256:${"cd".repeat(32)}`;
    try {
      // `cdktf output <stack> --outputs-file <file>`, as it writes outputs: by stack, then by name.
      stub(dir, "npx", `[ "$1 $2" = "cdktf output" ] || exit 64\nprintf '{"%s": {"application_image": "${running}"}}' "$3" > "$5"`);
      for (const stack of stacks) {
        const variable = releaseImageVariable(stack.replace(/-[a-z]+$/, ""));
        const remembered = `CLOUDTIERS_IMAGE_VARIABLE=${variable}\nCLOUDTIERS_PREVIOUS_IMAGE=${running}\n`;
        expect((await runStep(name, dir, { CLOUDTIERS_STACKS: stack, RELEASE_IMAGE: release })).githubEnv).toBe(`${variable}=${release}\n${remembered}`);
        expect((await runStep(name, dir, { CLOUDTIERS_STACKS: stack, RELEASE_IMAGE: "" })).githubEnv).toBe(`${variable}=${running}\n${remembered}`);
      }
      // Terraform Cloud cannot be reached: the deploy stops, rather than deploy the spec's image over the running release.
      stub(dir, "npx", 'echo "Error: Failed to request discovery document" >&2; exit 1');
      expect(await runStep(name, dir, { CLOUDTIERS_STACKS: "production-aws", RELEASE_IMAGE: "" })).toMatchObject({ status: 1, githubEnv: "" });
      // A stack never applied has no outputs: the spec's image, through an empty variable, and nothing ran before.
      stub(dir, "npx", `printf '{"%s": {}}' "$3" > "$5"`);
      const first = await runStep(name, dir, { CLOUDTIERS_STACKS: "production-aws", RELEASE_IMAGE: "" });
      expect(first).toMatchObject({
        status: 0,
        githubEnv: "CLOUDTIERS_IMAGE_PRODUCTION=\nCLOUDTIERS_IMAGE_VARIABLE=CLOUDTIERS_IMAGE_PRODUCTION\nCLOUDTIERS_PREVIOUS_IMAGE=\n",
        stdout: "production-aws deploys the image in its spec (application.image)\n",
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("smoke-checks the deployed site's health path until it answers, and fails after five minutes of silence", async () => {
    requireTool("jq");
    requireTool("curl");
    const name = "Smoke check of the site's health path";
    const dir = mkdtempSync(join(tmpdir(), "cloudtiers-pipeline-"));
    let answered = 0;
    const server = createServer((req, res) => {
      answered += 1;
      res.statusCode = req.url === "/healthz" && answered >= 3 ? 200 : 503;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      stub(dir, "sleep", "exit 0");
      writeFileSync(join(dir, "outputs.json"), JSON.stringify({ "production-aws": { health_check_url: `http://127.0.0.1:${port}/healthz` } }));
      const ok = await runStep(name, dir, { CLOUDTIERS_STACKS: "production-aws" });
      expect({ status: ok.status, stdout: ok.stdout }).toEqual({ status: 0, stdout: expect.stringContaining(`http://127.0.0.1:${port}/healthz answers (attempt 3)`) });
      writeFileSync(join(dir, "outputs.json"), JSON.stringify({ "production-aws": { health_check_url: `http://127.0.0.1:${port}/down` } }));
      const failed = await runStep(name, dir, { CLOUDTIERS_STACKS: "production-aws" });
      expect({ status: failed.status, stderr: failed.stderr }).toEqual({ status: 1, stderr: expect.stringContaining("did not answer in 5 minutes") });
      expect(failed.stdout).toContain("(attempt 30 of 30)");
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs preflight first, with read-only credentials only, and a failed preflight stops the deploy with nothing to roll back", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cloudtiers-pipeline-"));
    try {
      const name = "Preflight, read-only (the account can take the stack)";
      expect(deploy.runs.steps[0]).toMatchObject({ name, id: "preflight" });
      stub(dir, "npm", `echo "npm $*" >> "${join(dir, "calls")}"`);
      for (const stack of stacks) expect((await runStep(name, dir, { CLOUDTIERS_STACKS: stack })).status).toBe(0);
      expect(readFileSync(join(dir, "calls"), "utf8")).toBe(stacks.map((s) => `npm run preflight -- ${s}\n`).join(""));
      stub(dir, "npm", "exit 1");
      expect((await runStep(name, dir, { CLOUDTIERS_STACKS: "production-aws" })).status).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    for (const job of ["deploy-staging", "deploy-production"]) {
      const j = workflow.jobs[job];
      // The tokens a deploy job holds read; the Spaces key's secret is not there, only its id.
      expect(j.env).toMatchObject({
        DIGITALOCEAN_TOKEN: "${{ secrets.DIGITALOCEAN_READ_TOKEN }}",
        CLOUDFLARE_API_TOKEN: "${{ secrets.CLOUDFLARE_READ_TOKEN }}",
        SPACES_ACCESS_KEY_ID: "${{ vars.SPACES_ACCESS_KEY_ID }}",
      });
      expect(Object.keys(j.env)).not.toContain("SPACES_SECRET_ACCESS_KEY");
      expect(j.permissions).toEqual({ contents: "read", "id-token": "write" });
      const aws = j.steps.find((s: Yaml) => String(s.uses).startsWith("aws-actions/configure-aws-credentials@"));
      expect(aws.if).toBe("endsWith(matrix.stack, '-aws')");
      expect(aws.with).toEqual({ "role-to-assume": "${{ vars.AWS_PREFLIGHT_ROLE_ARN }}", "role-session-name": "cloudtiers-preflight", "aws-region": "us-east-1" });
      expect(j.steps.indexOf(aws)).toBe(j.steps.length - 2);
    }
  });

  it("follows the rollout of DigitalOcean stacks with npm run rollout, and only theirs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cloudtiers-pipeline-"));
    try {
      stub(dir, "npm", `echo "npm $*" >> "${join(dir, "calls")}"`);
      const name = "Follow the rollout (DigitalOcean's pools replace their droplets after the apply)";
      expect((await runStep(name, dir, { CLOUDTIERS_STACKS: "production-do" })).status).toBe(0);
      expect((await runStep(name, dir, { CLOUDTIERS_STACKS: "production-aws" })).stdout).toBe("production-aws: the instance refresh rolls the release out; each host joins once it is ready\n");
      expect(readFileSync(join(dir, "calls"), "utf8")).toBe("npm run rollout -- production-do\n");
      stub(dir, "npm", "exit 1");
      expect((await runStep(name, dir, { CLOUDTIERS_STACKS: "production-do" })).status).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("on a failure, deploys the image that ran before, and still fails the job; with nothing else to go back to, only fails", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cloudtiers-pipeline-"));
    const previous = `ghcr.io/acme/shop:1.9.0@sha256:${"cd".repeat(32)}`;
    const failed = `ghcr.io/acme/shop:2.0.0@sha256:${"ab".repeat(32)}`;
    try {
      stub(dir, "npx", `echo "npx $* with CLOUDTIERS_IMAGE_STAGING=$CLOUDTIERS_IMAGE_STAGING" >> "${join(dir, "calls")}"`);
      const name = "Roll back to the image that ran before";
      const env = { CLOUDTIERS_STACKS: "staging-do", CLOUDTIERS_IMAGE_VARIABLE: "CLOUDTIERS_IMAGE_STAGING", CLOUDTIERS_IMAGE_STAGING: failed };
      const back = await runStep(name, dir, { ...env, CLOUDTIERS_PREVIOUS_IMAGE: previous });
      expect({ status: back.status, stderr: back.stderr }).toEqual({ status: 1, stderr: `rolling staging-do back to ${previous}\n` });
      expect(readFileSync(join(dir, "calls"), "utf8")).toBe(`npx cdktf deploy staging-do --auto-approve with CLOUDTIERS_IMAGE_STAGING=${previous}\n`);
      for (const before of ["", failed]) {
        const none = await runStep(name, dir, { ...env, CLOUDTIERS_PREVIOUS_IMAGE: before });
        expect({ status: none.status, stderr: none.stderr }).toEqual({ status: 1, stderr: "no other image ran before on staging-do: nothing to roll back to\n" });
      }
      expect(readFileSync(join(dir, "calls"), "utf8").split("\n").filter(Boolean)).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
