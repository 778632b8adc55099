import { spawnSync } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";

/**
 * The tools outside npm that the tests run for real, each with the package that brings it.
 * This list is the one place they are written: `npm test` checks it before anything else
 * (and installs what is missing when asked, see docs/testing.md), `.ci/run` installs through
 * that check, and a test that needs a tool names its package from here when it is missing.
 */
export interface RequiredTool {
  /** What the tests need: a command on the PATH, an absolute path, or a module of Debian's Python (`python3:<module>`). */
  readonly needs: string;
  /** The Debian package that provides it. */
  readonly package: string;
  /** What the tests do with it. */
  readonly for: string;
  /** Where the package comes from when Debian's archive has none: `npm test` names it but never installs it. */
  readonly from?: string;
  /** What else to know when it is missing. */
  readonly note?: string;
}

/** Debian's Python, which the tests run Django and cloud-init with; its modules are `python3:<module>`. */
const PYTHON = "/usr/bin/python3";

export const REQUIRED_TOOLS: readonly RequiredTool[] = [
  { needs: "nginx", package: "nginx", for: "serves the hosts' nginx configuration" },
  { needs: "cloud-init", package: "cloud-init", for: "validates every host's user data (cloud-init schema)" },
  { needs: "python3:jsonschema", package: "python3-jsonschema", for: "cloud-init's schema check" },
  { needs: "shellcheck", package: "shellcheck", for: "lints the hosts' scripts and the pipeline's" },
  { needs: "systemd-analyze", package: "systemd", for: "verifies the hosts' systemd units" },
  { needs: "/usr/bin/gunicorn", package: "gunicorn", for: "runs the Django test sites behind nginx" },
  { needs: PYTHON, package: "python3", for: "runs Django, cloud-init and the settings snippet" },
  { needs: "python3:django", package: "python3-django", for: "the Django test sites, their migrations and releases" },
  { needs: "python3:psycopg2", package: "python3-psycopg2", for: "Django's PostgreSQL driver" },
  {
    needs: "/usr/lib/postgresql/15/bin/postgres",
    package: "postgresql-15",
    for: "PostgreSQL 15 servers for the database proofs (16 and 17 come from npm)",
    note: "Debian 12's PostgreSQL; Ubuntu's archive has none, add the PostgreSQL project's apt repository first (https://wiki.postgresql.org/wiki/Apt)",
  },
  { needs: "psql", package: "postgresql-client", for: "runs SQL on the test servers" },
  { needs: "openssl", package: "openssl", for: "the test servers' TLS certificates" },
  { needs: "dot", package: "graphviz", for: "draws the diagrams (npm run diagram)" },
  { needs: "jq", package: "jq", for: "runs the pipeline's steps" },
  { needs: "/usr/sbin/rsyslogd", package: "rsyslog", for: "checks the hosts' log shipping configuration (rsyslogd -N1)" },
  { needs: "curl", package: "curl", for: "runs the pipeline's smoke check" },
  { needs: "/usr/lib/rabbitmq/bin/rabbitmq-server", package: "rabbitmq-server", for: "a RabbitMQ broker with TLS for Celery (broker.engine \"rabbitmq\")" },
  { needs: "python3:celery", package: "python3-celery", for: "Celery workers and senders over RabbitMQ, configured by the settings snippet" },
  { needs: "/usr/bin/aws", package: "awscli", for: "runs the AWS hosts' scripts against a local AWS endpoint" },
  {
    needs: process.env.TERRAFORM_BINARY ?? "terraform",
    package: "terraform",
    for: "formats and checks the Terraform modules (or set TERRAFORM_BINARY)",
    from: "HashiCorp's apt repository, https://developer.hashicorp.com/terraform/install#linux",
  },
];

/** The tool the tests call `needs`; an unknown one is a mistake in a test. */
export function requiredTool(needs: string): RequiredTool {
  const tool = REQUIRED_TOOLS.find((t) => t.needs === needs);
  if (!tool) throw new Error(`${needs} is not in REQUIRED_TOOLS (test/required-tools.ts): add it there with the package that provides it`);
  return tool;
}

/** How to get `tools`: one apt-get line for those in Debian's archive, then where the others come from and any notes. */
export function installAdvice(tools: readonly RequiredTool[]): string[] {
  const debian = [...new Set(tools.filter((t) => !t.from).map((t) => t.package))];
  return [
    ...(debian.length > 0 ? [`apt-get install -y --no-install-recommends ${debian.join(" ")}`] : []),
    ...tools.filter((t) => t.from).map((t) => `${t.package}: from ${t.from}`),
    ...tools.filter((t) => t.note).map((t) => `${t.package}: ${t.note}`),
  ];
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Where `command` is: itself when it is a path, else the first executable of that name on the PATH. */
export function locate(command: string, path = process.env.PATH ?? ""): string | undefined {
  if (command.includes("/")) return executable(command) ? command : undefined;
  return path
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, command))
    .find(executable);
}

/** The required tools that are missing here: one look at the PATH each, and one Python process for the modules. */
export function missingTools(tools: readonly RequiredTool[] = REQUIRED_TOOLS): RequiredTool[] {
  const modules = tools.filter((t) => t.needs.startsWith("python3:")).map((t) => t.needs.slice("python3:".length));
  let absentModules = new Set(modules);
  if (modules.length > 0 && executable(PYTHON)) {
    const probe = spawnSync(PYTHON, ["-c", "import importlib.util, sys\nprint(' '.join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))", ...modules], { encoding: "utf8" });
    if (probe.status === 0) absentModules = new Set(probe.stdout.split(/\s+/).filter(Boolean));
  }
  return tools.filter((t) => (t.needs.startsWith("python3:") ? absentModules.has(t.needs.slice("python3:".length)) : locate(t.needs) === undefined));
}

/**
 * The path of a required command (for a Python module, of the Python that has it), or an
 * error naming its package. It fails, never skips: a test that cannot run its tool has not
 * shown anything.
 */
export function requireTool(needs: string): string {
  const tool = requiredTool(needs);
  if (missingTools([tool]).length > 0) throw new Error(`${needs} is not installed: ${installAdvice([tool]).join("; ")} (npm test checks every tool the tests need first; docs/testing.md)`);
  return needs.startsWith("python3:") ? PYTHON : locate(tool.needs)!;
}
