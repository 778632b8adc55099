import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer, request } from "node:http";
import { readFileSync } from "node:fs";
import { AddressInfo } from "node:net";
import { join } from "node:path";
import { requireTool } from "./required-tools";

/**
 * Runs Debian's `cloud-init schema --config-file <path>` on each path, in one Python process
 * (the same command-line entry point, called once per file): starting cloud-init costs
 * about 0.3 s, most of a check. Returns each file's exit code and everything it printed.
 */
export function cloudInitSchema(paths: string[]): { path: string; code: number; output: string }[] {
  requireTool("python3:jsonschema");
  const python = cloudInitPython();
  const driver = `
import contextlib, io, json, sys
from cloudinit.cmd import main as cli
for path in sys.argv[1:]:
    out, code = io.StringIO(), 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            code = cli.main(["cloud-init", "schema", "--config-file", path]) or 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
    print(json.dumps({"path": path, "code": code, "output": out.getvalue()}))
`;
  const run = spawnSync(python, ["-c", driver, ...paths], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`cloud-init schema failed to run (${run.status}):\n${run.stderr}`);
  return run.stdout.trim().split("\n").map((line) => JSON.parse(line));
}

/** The interpreter Debian's cloud-init is installed for, from its `#!` line (`/usr/bin/python3`, or `/usr/bin/env python3`). */
function cloudInitPython(): string {
  const [command, ...args] = readFileSync(requireTool("cloud-init"), "utf8").split("\n")[0].replace(/^#!\s*/, "").trim().split(/\s+/);
  return command.endsWith("/env") ? args.find((a) => !a.startsWith("-"))! : command;
}

/**
 * What cloud-init makes of each user data blob, as it reads an instance's: its own
 * `UserDataProcessor` (which gunzips, and splits multipart), each part's content type and text.
 */
export function cloudInitUserData(blobs: readonly Uint8Array[]): { type: string; text: string }[][] {
  const driver = `
import base64, json, sys
from cloudinit import helpers, user_data
for line in sys.stdin:
    message = user_data.UserDataProcessor(helpers.Paths({})).process(base64.b64decode(line))
    parts = [p for p in message.walk() if p.get_content_maintype() != "multipart"]
    print(json.dumps([{"type": p.get_content_type(), "text": p.get_payload(decode=True).decode("utf8")} for p in parts]))
`;
  const input = blobs.map((b) => Buffer.from(b).toString("base64")).join("\n") + "\n";
  const run = spawnSync(cloudInitPython(), ["-c", driver], { input, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`cloud-init's user data processor failed (${run.status}):\n${run.stderr}`);
  return run.stdout.trim().split("\n").map((line) => JSON.parse(line));
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface Response {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

/** One HTTP GET to 127.0.0.1, with the headers given (Host included). */
export function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on("error", reject);
    req.setTimeout(10000, () => req.destroy(new Error(`GET ${path} on ${port} timed out`)));
    req.end();
  });
}

/** Polls until a GET answers (any status), or fails after `timeoutMs`. */
export async function waitForHttp(port: number, path: string, headers: Record<string, string> = {}, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      await get(port, path, headers);
      return;
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`nothing answered on 127.0.0.1:${port}${path} within ${timeoutMs} ms: ${String(last)}`);
}

/** What a finished command printed, and its exit status. */
export interface Finished {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command to its end without blocking the event loop (so that it may call a server
 * of this process), collecting what it prints.
 */
export function runCommand(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** Runs `scripts/<script>.ts` as `npm run` would, from the project's root, with only PATH and `env` in its environment. */
export function runScript(script: string, args: readonly string[], env: Record<string, string>): Promise<Finished> {
  const root = join(__dirname, "..");
  return runCommand(process.execPath, ["--require", "./scripts/register-ts.cjs", `scripts/${script}.ts`, ...args], { cwd: root, env: { PATH: process.env.PATH, ...env } });
}

/** Child processes a test starts; `stopAll` ends every one of them. */
export class Processes {
  private readonly running: { name: string; child: ChildProcess; output: () => string }[] = [];

  public start(name: string, command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (d) => (output += d));
    this.running.push({ name, child, output: () => output });
    return child;
  }

  /** Everything a process printed, for failure messages. */
  public output(name: string): string {
    return this.running.find((p) => p.name === name)?.output() ?? "";
  }

  /** Stops one process (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  public async stop(name: string): Promise<void> {
    const entry = this.running.find((p) => p.name === name);
    if (entry) await terminate(entry.child);
  }

  public async stopAll(): Promise<void> {
    await Promise.all(this.running.map((p) => terminate(p.child)));
  }

  /** Whether any started process is still running. */
  public anyAlive(): boolean {
    return this.running.some((p) => p.child.exitCode === null && p.child.signalCode === null);
  }
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
