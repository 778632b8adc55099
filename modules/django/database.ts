/*
 * The application's own database role. Django runs its migrations as the role it serves
 * requests with, so that role must be able to create tables; it should not be the
 * cluster's admin. Since PostgreSQL 15 only a database's owner (through the
 * `pg_database_owner` role, which owns schema `public`) may create objects in `public`,
 * so the application's role is made the owner of the application's database. Each cloud
 * runs this SQL once, as the cluster's admin, connected to the application's database,
 * inside the private network: AWS's master user from a Lambda function, DigitalOcean's
 * `doadmin` from a one-off droplet.
 */

import { DatabaseRoleSetup } from "../core";
import { HOST_PATHS, aptInstall, cloudConfig, retryScript, writeFile } from "./host";

/** Identifiers cloudtiers gives the application's database and role: no quoting surprises. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

function identifier(name: string, what: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`${what} must be a lower-case PostgreSQL identifier, got "${name}"`);
  return name;
}

/**
 * Creates the application's role, where the cloud has not made it (AWS: the master user is
 * the only login RDS makes), with no attribute beyond LOGIN (a non-superuser admin may not
 * even name SUPERUSER, REPLICATION or BYPASSRLS, to give or to take). The admin that
 * creates a role holds ADMIN OPTION on it (PostgreSQL 16+), which `databaseOwnerSql` needs.
 */
export function createRoleSql(role: string): string {
  const r = identifier(role, "the application's role");
  return `DO $cloudtiers$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${r}') THEN
    CREATE ROLE ${r} LOGIN;
  END IF;
END
$cloudtiers$;
ALTER ROLE ${r} WITH LOGIN;
`;
}

/**
 * Makes the application's role the owner of the application's database, run by the
 * cluster's admin connected to that database; idempotent. Changing a database's owner
 * takes membership in the new owner: granted by the admin to itself, which PostgreSQL 15
 * allows any CREATEROLE role and 16+ a role with ADMIN OPTION on it (its creator). Where
 * the admin holds neither (PostgreSQL 16+, a role made by the platform's superuser), the
 * role gets CREATE on schema `public` instead: it owns every object it creates there, and
 * Django migrates the same; a NOTICE says which was done.
 */
export function databaseOwnerSql(database: string, role: string): string {
  const d = identifier(database, "the application's database");
  const r = identifier(role, "the application's role");
  return `DO $cloudtiers$
BEGIN
  IF (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '${d}') = '${r}' THEN
    RAISE NOTICE 'cloudtiers: ${r} owns database ${d}';
    RETURN;
  END IF;
  BEGIN
    GRANT ${r} TO CURRENT_USER;
    ALTER DATABASE ${d} OWNER TO ${r};
    RAISE NOTICE 'cloudtiers: ${r} owns database ${d} now';
  EXCEPTION WHEN insufficient_privilege THEN
    GRANT CONNECT, TEMPORARY ON DATABASE ${d} TO ${r};
    GRANT USAGE, CREATE ON SCHEMA public TO ${r};
    RAISE NOTICE 'cloudtiers: % cannot hand database ${d} to ${r} (%); ${r} may create in schema public instead', CURRENT_USER, SQLERRM;
  END;
END
$cloudtiers$;
`;
}

/** Where the database setup's files live on the one-off host that runs it. */
export const DATABASE_SETUP_PATHS = {
  script: "/usr/local/sbin/cloudtiers-database-setup",
  sql: "/etc/cloudtiers/database-setup.sql",
  env: "/etc/cloudtiers/database-setup.env",
  unit: "/etc/systemd/system/cloudtiers-database-setup.service",
} as const;

/** What the one-off host needs to run the setup: the cluster's admin login (values may be Terraform references) and the SQL. */
export interface DatabaseSetupHostOptions {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly admin: string;
  /** The admin's password: a reference, never a literal. */
  readonly adminPassword: string;
  readonly sql: string;
}

/**
 * The cloud-init user data of a one-off host inside the private network that runs the
 * database setup as the cluster's admin, with psql over TLS, and powers itself off when
 * done (or when it fails after its retries, its journal kept). It runs again at each boot:
 * powering the host on re-runs the setup. The admin's password is in a root-only file and
 * in this user data, never on the application's hosts.
 */
export function renderDatabaseSetupHost(o: DatabaseSetupHostOptions): string {
  const p = DATABASE_SETUP_PATHS;
  const script = `#!/bin/sh
# Runs the database setup as the cluster's admin, connected to the application's database over TLS.
set -eu
set -a
# shellcheck source=/dev/null # the admin's login, written beside this script
. ${p.env}
set +a
psql -X -v ON_ERROR_STOP=1 -f ${p.sql}
`;
  // Read by the shell (`. file`): quoted, for a password with a character the shell would read.
  const env = Object.entries({ PGHOST: o.host, PGPORT: o.port, PGDATABASE: o.database, PGUSER: o.admin, PGPASSWORD: o.adminPassword, PGSSLMODE: "require", PGCONNECT_TIMEOUT: 10, PGAPPNAME: "cloudtiers-database-setup" })
    .map(([name, value]) => `${name}='${value}'\n`)
    .join("");
  const unit = `[Unit]
Description=cloudtiers: make the application's role the owner of its database, then power off
After=network-online.target
Wants=network-online.target
# Done or not, the host powers off: it holds the cluster's admin password.
SuccessAction=poweroff
FailureAction=poweroff

[Service]
# No RemainAfterExit: SuccessAction acts when the unit, done, goes inactive.
Type=oneshot
Environment=DEBIAN_FRONTEND=noninteractive
${aptInstall(["postgresql-client"]).map((command) => `ExecStartPre=${command}\n`).join("")}# The database may not yet admit this host (its trusted sources are applied after it boots): retried.
ExecStart=${HOST_PATHS.retry} 10 ${p.script}
TimeoutStartSec=3600

[Install]
WantedBy=multi-user.target
`;
  const doc = {
    ssh_pwauth: false,
    write_files: [
      writeFile(HOST_PATHS.retry, retryScript(), "0755"),
      writeFile(p.script, script, "0700"),
      writeFile(p.sql, o.sql, "0600"),
      writeFile(p.env, env, "0600"),
      writeFile(p.unit, unit),
    ],
    runcmd: [
      ["systemctl", "daemon-reload"],
      ["systemctl", "enable", "cloudtiers-database-setup.service"],
      ["systemctl", "start", "--no-block", "cloudtiers-database-setup.service"],
    ],
  };
  return cloudConfig(doc);
}

/** The setup of the application's role and database, for `PostgresProps.roleSetup`. */
export function databaseRoleSetup(database: string, role: string): DatabaseRoleSetup {
  const ownerSql = databaseOwnerSql(database, role);
  return {
    createRoleSql: createRoleSql(role),
    ownerSql,
    renderHost: (o) => renderDatabaseSetupHost({ ...o, sql: ownerSql }),
  };
}
