import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zipArchive } from "../../modules/aws/lambda-package";
import { DATABASE_SETUP_PATHS, databaseRoleSetup } from "../../modules/django/database";
import { SNIPPET_DIR } from "../django/app-environments";
import { HostRoot } from "../django/host-root";
import { fakeSecretsManager, lambdaEnvironment } from "../fake-secrets-manager";
import { PostgresServer, PostgresVersion, asDigitalOcean, asRds, ok, startPostgres } from "../postgres";

/*
 * The application's role on each cloud, proved on a real PostgreSQL server of one
 * version: the cluster set up as the cloud leaves it, the setup cloudtiers runs (the
 * DigitalOcean droplet's own script with psql; the AWS Lambda function's own package,
 * against a local Secrets Manager), then Django's real `manage.py migrate` as the
 * application's role, from Debian's python3-django and python3-psycopg2.
 */

const root = join(__dirname, "..", "..");
const PROJECT = join(root, "test", "fixtures", "django_migrate");

/** Django's `manage.py migrate` as `user`, configured through the shipped settings snippet from DATABASE_URL and DATABASE_PASSWORD. */
export function migrate(server: PostgresServer, o: { user: string; password: string; database: string }): { status: number | null; output: string } {
  const run = spawnSync("/usr/bin/python3", ["manage.py", "migrate", "--noinput"], {
    cwd: PROJECT,
    encoding: "utf8",
    timeout: 120000,
    env: {
      PATH: "/usr/bin:/bin",
      PYTHONPATH: SNIPPET_DIR,
      PYTHONDONTWRITEBYTECODE: "1",
      DJANGO_SECRET_KEY: "a-test-key-for-the-migration-fixture-0123456789abcdef",
      DATABASE_URL: `postgres://${o.user}@${server.host}:${server.port}/${o.database}?sslmode=require`,
      DATABASE_PASSWORD: o.password,
    },
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** The owner of `database`, and of the table Django made for the fixture's model, as the platform sees them. */
export function owners(server: PostgresServer, database: string): { database: string; table: string } {
  const [db, table] = ok(
    server.psql(`SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '${database}';\nSELECT coalesce((SELECT tableowner FROM pg_tables WHERE tablename = 'shop_product'), '(none)');`, { database }),
  )
    .trim()
    .split("\n");
  return { database: db, table };
}

/**
 * Runs the DigitalOcean setup exactly as the one-off droplet does: its user data's files,
 * its script, Debian's psql, connecting as the admin over TLS. Returns what it printed.
 */
export function runDigitalOceanSetup(server: PostgresServer, o: { admin: string; adminPassword: string; database: string; user: string }): { status: number | null; output: string } {
  const setup = databaseRoleSetup(o.database, o.user);
  const host = new HostRoot(setup.renderHost({ host: server.host, port: server.port, database: o.database, admin: o.admin, adminPassword: o.adminPassword }));
  try {
    const run = host.run(DATABASE_SETUP_PATHS.script, [], { PATH: "/usr/bin:/bin" });
    return { status: run.status, output: run.stdout + run.stderr };
  } finally {
    host.remove();
  }
}

/** The setup's Lambda package, as the stacks deploy it, unpacked by Python's zipfile into a directory of its own. */
export function unpackedSetupFunction(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "cloudtiers-lambda-"));
  const zip = join(dir, "package.zip");
  const handler = readFileSync(join(root, "modules", "aws", "database-setup", "handler.js"), "utf8");
  writeFileSync(zip, zipArchive({ "handler.js": handler }));
  const unzip = spawnSync("/usr/bin/python3", ["-m", "zipfile", "-e", zip, join(dir, "code")], { encoding: "utf8" });
  if (unzip.status !== 0) throw new Error(`the package does not unzip:\n${unzip.stderr}`);
  return { dir: join(dir, "code"), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Invokes the setup function as Lambda would (a fresh Node.js process: the unpacked
 * package, the runtime's AWS SDK on NODE_PATH, the function's environment), against the
 * local Secrets Manager in `env`. Asynchronous: that server answers from this process.
 */
export function invokeAwsSetup(code: string, env: Record<string, string>): Promise<{ status: number | null; result?: { role: string; database: string; server: string; notices: string[] }; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["-e", `require(${JSON.stringify(join(code, "handler.js"))}).handler({}).then((r) => process.stdout.write("\\nRESULT " + JSON.stringify(r)), (e) => { process.stderr.write(String(e && e.message)); process.exit(1); })`],
      { env: { PATH: process.env.PATH, NODE_PATH: join(root, "node_modules"), ...env } },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => {
      const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
      resolve({ status, result: line ? JSON.parse(line.slice("RESULT ".length)) : undefined, output: stdout + stderr });
    });
  });
}

/** The function's environment, as AwsDatabaseSetup gives it, for a database `database` and role `role`. */
export function setupEnvironment(server: PostgresServer, o: { database: string; role: string; masterArn: string; appArn: string }): Record<string, string> {
  const setup = databaseRoleSetup(o.database, o.role);
  return {
    DB_HOST: server.host,
    DB_PORT: String(server.port),
    DB_NAME: o.database,
    APP_ROLE: o.role,
    MASTER_SECRET_ARN: o.masterArn,
    APP_SECRET_ARN: o.appArn,
    CREATE_ROLE_SQL: setup.createRoleSql,
    OWNER_SQL: setup.ownerSql,
  };
}

const MASTER_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/postgres/credentials-AbC123";
const APP_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/postgres/application-XyZ789";

/** Every scenario on one PostgreSQL version. */
export function roleScenarios(version: PostgresVersion): void {
  describe(`PostgreSQL ${version}: a role of the application's own that owns its database and runs Django's migrations`, () => {
    let server: PostgresServer;
    const doadmin = { admin: "doadmin", adminPassword: "AVNS_doadmin0password1" };
    beforeAll(async () => {
      server = await startPostgres(version);
      // DigitalOcean's admin, once per cluster.
      ok(server.psql(`CREATE ROLE ${doadmin.admin} LOGIN PASSWORD '${doadmin.adminPassword}' CREATEROLE CREATEDB REPLICATION BYPASSRLS;`));
    }, 120000);
    afterAll(() => server?.stop());

    /** A database and user as DigitalOcean's API makes them (the admin exists already). */
    const digitalOceanDatabase = (name: string, usersBy: "admin" | "superuser") => {
      const o = { ...doadmin, database: name, user: name, userPassword: `${name}-pw-0123`, usersBy };
      asDigitalOcean(server, { ...o, createAdmin: false });
      return o;
    };

    it("fails Django's first migrate the way DigitalOcean does, without the setup: permission denied for schema public", () => {
      const o = digitalOceanDatabase("plain", "admin");
      const run = migrate(server, { user: o.user, password: o.userPassword, database: o.database });
      expect(run.status).not.toBe(0);
      expect(run.output).toContain("permission denied for schema public");
      expect(owners(server, o.database)).toEqual({ database: "doadmin", table: "(none)" });
    });

    it("DigitalOcean: the setup droplet's own script makes the API's user the owner of the API's database, and Django migrates as it", () => {
      const o = digitalOceanDatabase("shop_do", "admin");
      const setup = runDigitalOceanSetup(server, o);
      expect(setup).toEqual({ status: 0, output: expect.stringContaining(`NOTICE:  cloudtiers: ${o.user} owns database ${o.database} now`) });
      const run = migrate(server, { user: o.user, password: o.userPassword, database: o.database });
      expect({ status: run.status, output: run.output }).toEqual({ status: 0, output: expect.stringContaining("Applying shop.0001_initial... OK") });
      expect(owners(server, o.database)).toEqual({ database: o.user, table: o.user });
      // Run again (a powered-on droplet, a replaced one): nothing to do.
      expect(runDigitalOceanSetup(server, o)).toEqual({ status: 0, output: expect.stringContaining(`NOTICE:  cloudtiers: ${o.user} owns database ${o.database}\n`) });
    });

    it("DigitalOcean, where the platform's superuser makes the API's users: the user can still migrate (it owns the database where PostgreSQL lets the admin hand it over)", () => {
      const o = digitalOceanDatabase("shop_su", "superuser");
      const setup = runDigitalOceanSetup(server, o);
      expect(setup.status).toBe(0);
      const handed = version === "15";
      expect(setup.output).toContain(
        handed ? `cloudtiers: ${o.user} owns database ${o.database} now` : `cloudtiers: doadmin cannot hand database ${o.database} to ${o.user} (permission denied to grant role "${o.user}")`,
      );
      const run = migrate(server, { user: o.user, password: o.userPassword, database: o.database });
      expect({ status: run.status, output: run.output }).toEqual({ status: 0, output: expect.stringContaining("Applying shop.0001_initial... OK") });
      expect(owners(server, o.database)).toEqual({ database: handed ? o.user : "doadmin", table: o.user });
    });

    it("AWS: the setup function's own package creates the role, sets its password and hands it the database; Django migrates as it", async () => {
      const master = { username: "postgres", password: "master0password1" };
      const app = { username: "shop_aws", password: "app0password1first" };
      asRds(server, { master: master.username, password: master.password, database: "shop_aws" });
      const secrets = await fakeSecretsManager({ [MASTER_ARN]: JSON.stringify(master), [APP_ARN]: JSON.stringify(app) });
      const fn = unpackedSetupFunction();
      try {
        // Secrets Manager throttles the first call: the SDK retries.
        secrets.throttle(1);
        const env = { ...lambdaEnvironment(secrets.url), ...setupEnvironment(server, { database: "shop_aws", role: app.username, masterArn: MASTER_ARN, appArn: APP_ARN }) };
        const first = await invokeAwsSetup(fn.dir, env);
        expect({ status: first.status, output: first.status === 0 ? "" : first.output }).toEqual({ status: 0, output: "" });
        expect(first.result).toEqual({ role: app.username, database: "shop_aws", server: expect.stringMatching(new RegExp(`^${version}\\.`)), notices: [`cloudtiers: ${app.username} owns database shop_aws now`] });
        expect(secrets.requests.map((r) => ({ method: r.method, path: r.path, target: r.target, secretId: r.secretId, signed: r.signed }))).toEqual([
          { method: "POST", path: "/", target: "secretsmanager.GetSecretValue", secretId: MASTER_ARN, signed: true },
          { method: "POST", path: "/", target: "secretsmanager.GetSecretValue", secretId: MASTER_ARN, signed: true },
          { method: "POST", path: "/", target: "secretsmanager.GetSecretValue", secretId: APP_ARN, signed: true },
        ]);
        // The role is the application's only: no attribute beyond LOGIN, its password stored as SCRAM.
        expect(ok(server.psql(`SELECT rolsuper, rolcreaterole, rolcreatedb, rolcanlogin, left(rolpassword, 14) FROM pg_authid WHERE rolname = '${app.username}';`)).trim()).toBe("f|f|f|t|SCRAM-SHA-256$");
        const run = migrate(server, { user: app.username, password: app.password, database: "shop_aws" });
        expect({ status: run.status, output: run.output }).toEqual({ status: 0, output: expect.stringContaining("Applying shop.0001_initial... OK") });
        expect(owners(server, "shop_aws")).toEqual({ database: app.username, table: app.username });

        // A new password (the secret's new version re-invokes the function): the old one stops working.
        const rotated = { ...app, password: "app0password2second" };
        const secrets2 = await fakeSecretsManager({ [MASTER_ARN]: JSON.stringify(master), [APP_ARN]: JSON.stringify(rotated) });
        try {
          const second = await invokeAwsSetup(fn.dir, { ...env, ...lambdaEnvironment(secrets2.url) });
          expect(second.result?.notices).toEqual([`cloudtiers: ${app.username} owns database shop_aws`]);
          const logIn = (password: string) => server.psql("SELECT current_user;", { user: app.username, password, database: "shop_aws" });
          expect(logIn(rotated.password)).toMatchObject({ status: 0, stdout: `${app.username}\n` });
          expect(logIn(app.password)).toMatchObject({ status: 2, stderr: expect.stringContaining("password authentication failed") });
        } finally {
          await secrets2.close();
        }
      } finally {
        fn.remove();
        await secrets.close();
      }
    });
  });
}
