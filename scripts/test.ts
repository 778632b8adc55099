/**
 * `npm test [-- <jest arguments>]`: the whole check of a change, in one command.
 *
 * 1. The tools outside npm that the tests run (test/required-tools.ts) are checked first.
 *    When some are missing it prints one message naming every package and the line that
 *    installs them, and stops; with CLOUDTIERS_INSTALL_TOOLS=1 it installs them with
 *    apt-get instead (as root, or through passwordless sudo), as `.ci/run` does.
 * 2. The type check, the lint and Jest then run side by side (the first two only keep a
 *    core busy that Jest leaves idle for part of the run), each reporting as it ends.
 *    The type check and the lint keep their caches in `.cache/` of this checkout.
 *
 * It fails if any of them fails. Why it fails rather than install unasked: docs/testing.md.
 */
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REQUIRED_TOOLS, RequiredTool, installAdvice, missingTools } from "../test/required-tools";
import { Command, helpText } from "./command-line";

const root = join(__dirname, "..");
const INSTALL = "CLOUDTIERS_INSTALL_TOOLS";

/** What `npm test -- --help` prints, in the terms every command shares; the rest of the command line goes to Jest. */
const TEST_COMMAND: Command = {
  name: "test",
  args: "[jest arguments...]",
  description:
    `Checks the ${REQUIRED_TOOLS.length} tools outside npm that the tests run, then runs the type check, the lint\n` +
    "and Jest side by side; other arguments go to Jest (npm test -- test/core).",
  options: { tools: { type: "boolean", description: "only list the tools and check them" } },
  environment: { [INSTALL]: "1: first install the missing Debian packages with apt-get (as root, or with passwordless sudo)" },
};

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/** The lines that say what is missing and how to get it. */
function missingMessage(missing: readonly RequiredTool[], installed: boolean): string[] {
  const sudo = process.getuid?.() === 0 ? "" : "sudo ";
  const width = Math.max(...missing.map((t) => t.needs.length));
  return [
    `npm test: ${missing.length} of the ${REQUIRED_TOOLS.length} tools the tests run ${missing.length === 1 ? "is" : "are"} missing:`,
    ...missing.map((t) => `  ${t.needs.padEnd(width)}  package ${t.package}: ${t.for}`),
    "Install them with:",
    ...installAdvice(missing).map((line) => `  ${line.startsWith("apt-get") ? `${sudo}apt-get update && ${sudo}${line}` : line}`),
    installed
      ? "apt-get ran and they are still missing: see the notes above, or the line above for what it refused"
      : `or let npm test install the Debian packages (as root, or with passwordless sudo): ${INSTALL}=1 npm test`,
  ];
}

/** apt-get as root: directly, or through `sudo -n`; undefined when neither is possible. */
function asRoot(): string[] | undefined {
  if (process.getuid?.() === 0) return [];
  return spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0 ? ["sudo", "-n"] : undefined;
}

function apt(prefix: string[], args: string[]): boolean {
  const [command, ...rest] = [...prefix, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "-q", ...args];
  say(`$ ${[command, ...rest].join(" ")}`);
  return spawnSync(command, rest, { stdio: "inherit" }).status === 0;
}

/** Checks the tools; installs the missing Debian packages when asked. Returns whether all are there. */
function tools(): boolean {
  const started = Date.now();
  let missing = missingTools();
  const install = missing.length > 0 && process.env[INSTALL] === "1";
  if (install) {
    const packages = [...new Set(missing.filter((t) => !t.from).map((t) => t.package))];
    const prefix = asRoot();
    if (prefix === undefined) {
      for (const line of missingMessage(missing, false)) say(line);
      say(`${INSTALL}=1: not root, and sudo asks for a password; install them yourself with the line above.`);
      return false;
    }
    if (packages.length > 0) {
      say(`npm test: installing ${packages.join(" ")}`);
      if (!apt(prefix, ["update"]) || !apt(prefix, ["install", "-y", "--no-install-recommends", ...packages])) say("npm test: apt-get failed");
    }
    missing = missingTools();
  }
  if (missing.length > 0) {
    for (const line of missingMessage(missing, install)) say(line);
    return false;
  }
  say(`npm test: the ${REQUIRED_TOOLS.length} tools the tests run are installed (${seconds(started)})`);
  return true;
}

interface Step {
  readonly name: string;
  readonly ok: boolean;
  readonly took: string;
}

/** Runs a package.json script as npm would (its bin directory first on the PATH), keeping its output to print when it ends. */
function script(name: string): Promise<Step> {
  const command = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts[name];
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn("sh", ["-c", command], { cwd: root, env: { ...process.env, PATH: `${join(root, "node_modules", ".bin")}:${process.env.PATH}` } });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => {
      const step = { name, ok: code === 0, took: seconds(started) };
      say(`npm test: ${name} ${step.ok ? "passed" : `FAILED (exit ${code})`} in ${step.took}${output.trim() ? `\n${output.trimEnd()}` : ""}`);
      resolve(step);
    });
  });
}

function jest(args: readonly string[]): Promise<Step> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(join(root, "node_modules", ".bin", "jest"), args, { cwd: root, stdio: "inherit" });
    child.on("close", (code) => resolve({ name: "jest", ok: code === 0, took: seconds(started) }));
  });
}

async function main(args: readonly string[]): Promise<number> {
  if (args.includes("--tools")) {
    const width = Math.max(...REQUIRED_TOOLS.map((t) => t.needs.length));
    for (const t of REQUIRED_TOOLS) say(`  ${t.needs.padEnd(width)}  ${t.package}${t.from ? ` (from ${t.from})` : ""}: ${t.for}`);
    return tools() ? 0 : 1;
  }
  if (!tools()) return 1;
  const started = Date.now();
  say("npm test: type check, lint and Jest, side by side");
  const steps = await Promise.all([script("typecheck"), script("lint"), jest(args)]);
  const failed = steps.filter((s) => !s.ok);
  say(`npm test: ${steps.map((s) => `${s.name} ${s.ok ? "passed" : "FAILED"} (${s.took})`).join(", ")}; ${seconds(started)} in all`);
  return failed.length === 0 ? 0 : 1;
}

const argv = process.argv.slice(2);
if (argv.includes("--help") || argv.includes("-h")) {
  process.stdout.write(helpText(TEST_COMMAND));
  process.exitCode = 0;
} else {
  main(argv).then((code) => (process.exitCode = code));
}
