import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse } from "yaml";

/** The absolute paths the hosts' files name, moved under a test's root directory. */
const MOVED = ["/usr/local/sbin/", "/run/cloudtiers/", "/snap/bin/", "/usr/local/lib/cloudtiers/", "/etc/nginx/", "/etc/systemd/system/", "/etc/cloudtiers/"];

/** What a command run under a `HostRoot` did. */
export interface Outcome {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A host's files, as its user data writes them, under a scratch directory: absolute paths
 * moved under it, the commands the scripts call replaced by stubs that record every call
 * (`calls()`), so that the hosts' own scripts run here as they would on a host. Retries
 * wait no time (`CLOUDTIERS_RETRY_DELAY=0`).
 */
export class HostRoot {
  public readonly dir: string;
  private readonly files = new Map<string, string>();

  constructor(userData: string) {
    this.dir = mkdtempSync(join(tmpdir(), "cloudtiers-host-root-"));
    for (const d of ["bin", "run/cloudtiers", "etc/nginx/sites-enabled", "state"]) mkdirSync(join(this.dir, d), { recursive: true });
    for (const f of parse(userData).write_files as { path: string; content: string; permissions: string }[]) {
      this.files.set(f.path, f.content);
      this.write(f.path, f.content, parseInt(f.permissions, 8));
    }
  }

  /** `text` with the moved absolute paths under the root. */
  public moved(text: string): string {
    return MOVED.reduce((t, prefix) => t.split(prefix).join(`${this.dir}${prefix}`), text);
  }

  /** Writes a file of the host (its path as on the host), paths inside moved. */
  public write(path: string, content: string, mode = 0o644): void {
    const target = join(this.dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, this.moved(content));
    chmodSync(target, mode);
  }

  /** The content of a file the user data writes, as rendered. */
  public file(path: string): string {
    const content = this.files.get(path);
    if (content === undefined) throw new Error(`the user data writes no ${path}`);
    return content;
  }

  /** A path on the host, under the root. */
  public path(path: string): string {
    return join(this.dir, path);
  }

  /**
   * A stub for `name` (on PATH, or at an absolute host path): it records its arguments in
   * the call log, then runs `body` (a POSIX shell script body; `$STATE` is a directory for
   * counters).
   */
  public stub(name: string, body = "exit 0"): void {
    const script = `#!/bin/sh\nprintf '%s\\n' "${name.split("/").pop()} $*" >> ${JSON.stringify(join(this.dir, "calls.log"))}\nSTATE=${JSON.stringify(join(this.dir, "state"))}\n${body}\n`;
    if (name.startsWith("/")) this.write(name, script, 0o755);
    else writeFileSync(join(this.dir, "bin", name), script, { mode: 0o755 });
  }

  /** Every call the stubs recorded, in order: `name arguments...`. */
  public calls(): string[] {
    const log = join(this.dir, "calls.log");
    return existsSync(log) ? readFileSync(log, "utf8").split("\n").filter((l) => l !== "") : [];
  }

  public clearCalls(): void {
    rmSync(join(this.dir, "calls.log"), { force: true });
  }

  /** Runs a host script (by its path on the host) with the stubs first on PATH. */
  public run(path: string, args: readonly string[] = [], env: Record<string, string> = {}, input?: string): Outcome {
    const run = spawnSync(join(this.dir, path), args, {
      encoding: "utf8",
      input,
      timeout: 120000,
      env: { PATH: `${join(this.dir, "bin")}:/usr/bin:/bin`, CLOUDTIERS_RETRY_DELAY: "0", ...env },
    });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  }

  /**
   * Starts a unit as systemd would, without systemd: its `ExecStartPre=` lines in order
   * (a `-` prefix ignores a failure), then `ExecStart=`, stopping at the first failure.
   */
  public start(unitPath: string, env: Record<string, string> = {}): Outcome & { ran: string[] } {
    const lines = this.file(unitPath)
      .split("\n")
      .filter((l) => /^ExecStart(Pre)?=/.test(l))
      .map((l) => l.replace(/^ExecStart(Pre)?=/, ""));
    const ran: string[] = [];
    let stderr = "";
    let stdout = "";
    for (const line of lines) {
      const ignoreFailure = line.startsWith("-");
      // `/usr/bin/<command>` is the stub of that command, wherever the line names it.
      const stubbed = this.moved(line.replace(/^-/, "")).replace(/\/usr\/bin\/([\w-]+)/g, (whole, name: string) => (existsSync(join(this.dir, "bin", name)) ? join(this.dir, "bin", name) : whole));
      const [command, ...args] = stubbed.split(" ");
      ran.push(line);
      const run = spawnSync(command, args, {
        encoding: "utf8",
        env: { PATH: `${join(this.dir, "bin")}:/usr/bin:/bin`, CLOUDTIERS_RETRY_DELAY: "0", ...env },
      });
      stderr += run.stderr;
      stdout += run.stdout;
      if (run.status !== 0 && !ignoreFailure) return { status: run.status, stdout, stderr, ran };
    }
    return { status: 0, stdout, stderr, ran };
  }

  public remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
