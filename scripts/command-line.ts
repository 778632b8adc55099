/**
 * The command line every `npm run` entry point shares. `--help` (or `-h`) prints the
 * command's usage, what it does, its options and the environment variables it reads, and
 * runs nothing. An unknown option, or an option missing its value, prints what was wrong
 * and the usage on stderr and exits 2, as does a `CommandUsageError` from the command.
 * Invalid environment specs print one line per problem (environment, field, value, what
 * is allowed) and exit 1. Anything else is a bug and keeps its stack trace.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ValidationError, formatIssue } from "../modules/core";

/** One option: `--name` (and `-short`), a flag or one taking a value. */
export interface CommandOption {
  readonly type: "boolean" | "string";
  readonly short?: string;
  /** The value's placeholder in the usage, for a string option: `dir` gives `--out <dir>`. */
  readonly value?: string;
  readonly description: string;
  /** Accepted but not shown in `--help` (test hooks). */
  readonly hidden?: boolean;
}

/** A command, declared once: what `--help` prints and what the parser accepts. */
export interface Command {
  /** The npm script: `npm run <name>`. */
  readonly name: string;
  /** The arguments after the options, as shown in the usage: `[stack pattern...]`. */
  readonly args?: string;
  /** What the command does, in a few lines. */
  readonly description: string;
  readonly options?: Readonly<Record<string, CommandOption>>;
  /** The environment variables the command reads, each with what it does. */
  readonly environment?: Readonly<Record<string, string>>;
}

/** What the command line said: the arguments, and the options' values. */
export interface CommandLine {
  readonly positionals: readonly string[];
  /** Whether a flag was given. */
  flag(name: string): boolean;
  /** A string option's value, if given. */
  text(name: string): string | undefined;
}

/** A command asked for wrongly; `runCommand` prints the message and the usage and exits 2. */
export class CommandUsageError extends Error {}

/** The variable that selects stacks for every command taking stack patterns, when it is given none. */
export const STACK_SELECTION: Readonly<Record<string, string>> = {
  CLOUDTIERS_STACKS: "stack patterns, comma-separated, used when the command line gives none",
};

/** The variables that put stacks in Terraform Cloud, for the commands that show where state lives. */
export const TERRAFORM_CLOUD_SETTINGS: Readonly<Record<string, string>> = {
  TF_CLOUD_ORGANIZATION: "keep state and runs in this Terraform Cloud organization (TFC_ORGANIZATION when unset)",
  TF_CLOUD_HOSTNAME: "Terraform Enterprise's host",
  TF_CLOUD_PROJECT: "the workspaces' project",
};

/**
 * cdktf.json's `context`, which the cdktf CLI passes to the app (`cdktf synth`, `deploy`,
 * `list`), so that `npm run synth` and `npm run list` see what those see.
 */
export function cdktfContext(dir: string = process.cwd()): Record<string, unknown> | undefined {
  const file = join(dir, "cdktf.json");
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")).context : undefined;
}

const HELP: CommandOption = { type: "boolean", short: "h", description: "print this help and run nothing" };

function optionsOf(command: Command): [string, CommandOption][] {
  return [...Object.entries(command.options ?? {}), ["help", HELP]];
}

function flag(name: string, option: CommandOption): string {
  return `${option.short ? `-${option.short}, ` : ""}--${name}${option.type === "string" ? ` <${option.value ?? "value"}>` : ""}`;
}

/** `usage: npm run <name> -- [options] <args>`. */
export function usage(command: Command): string {
  const shown = Object.entries(command.options ?? {}).filter(([, o]) => !o.hidden);
  const words = [...shown.map(([name, o]) => `[--${name}${o.type === "string" ? ` <${o.value ?? "value"}>` : ""}]`), ...(command.args ? [command.args] : [])];
  return `usage: npm run ${command.name}${words.length > 0 ? ` -- ${words.join(" ")}` : ""}`;
}

/** Two aligned columns, each row indented by two spaces. */
function columns(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

/** What `--help` prints: the usage, the description, the options and the environment variables. */
export function helpText(command: Command): string {
  const options = optionsOf(command).filter(([, o]) => !o.hidden);
  const environment = Object.entries(command.environment ?? {});
  return [
    usage(command),
    "",
    command.description.trim(),
    "",
    "options:",
    ...columns(options.map(([name, o]) => [flag(name, o), o.description])),
    ...(environment.length > 0 ? ["", "environment variables:", ...columns(environment)] : []),
    "",
  ].join("\n");
}

/** Parses `argv` against the command's options; throws CommandUsageError for an unknown option or a missing value. */
export function parseCommandLine(command: Command, argv: readonly string[]): CommandLine {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(optionsOf(command).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}) }])),
    });
    const given: Record<string, string | boolean | undefined> = values;
    return {
      positionals,
      flag: (name) => given[name] === true,
      text: (name) => (typeof given[name] === "string" ? (given[name] as string) : undefined),
    };
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      const option = /'([^']+)'/.exec((e as Error).message)?.[1];
      throw new CommandUsageError(`unknown option ${option ?? ""}`.trim());
    }
    if (code?.startsWith("ERR_PARSE_ARGS_")) throw new CommandUsageError((e as Error).message);
    throw e;
  }
}

/**
 * Runs a script's `main` with its command line, unless it asks for `--help`, and sets the
 * exit code `main` returns (0 when it returns nothing). See the top of this file for what
 * is printed when the command is asked wrongly or a spec is invalid.
 */
export function runCommand(command: Command, main: (line: CommandLine) => number | void | Promise<number | void>, argv: readonly string[] = process.argv.slice(2)): void {
  const fail = (e: unknown): void => {
    if (e instanceof CommandUsageError) {
      process.stderr.write(`${command.name}: ${e.message}\n${usage(command)}\n(npm run ${command.name} -- --help says more)\n`);
      process.exitCode = 2;
    } else if (e instanceof ValidationError) {
      for (const issue of e.issues) process.stderr.write(`${formatIssue(issue)}\n`);
      process.exitCode = 1;
    } else {
      throw e;
    }
  };
  try {
    const line = parseCommandLine(command, argv);
    if (line.flag("help")) {
      process.stdout.write(helpText(command));
      process.exitCode = 0;
      return;
    }
    const result = main(line);
    if (result instanceof Promise) {
      result.then((code) => (process.exitCode = code ?? 0), fail);
    } else {
      process.exitCode = result ?? 0;
    }
  } catch (e) {
    fail(e);
  }
}
