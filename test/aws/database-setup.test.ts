import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DATABASE_SETUP_RUNTIME } from "../../modules/aws/database-setup";
import { zipArchive } from "../../modules/aws/lambda-package";
import { RDS_MASTER_USERNAME } from "../../modules/aws/postgres";
import { databaseRoleSetup } from "../../modules/django/database";
import { DATABASE_NAME, DATABASE_USER } from "../../modules/django/topology";
import { production } from "../../environments/production";
import { invokeAwsSetup, unpackedSetupFunction } from "../database/scenarios";
import { TEST_CREDENTIALS, fakeSecretsManager, lambdaEnvironment } from "../fake-secrets-manager";
import { Synth, synthAwsEnvironment } from "../helpers";

const root = join(__dirname, "..", "..");
const MASTER_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/postgres/credentials-AbC123";
const APP_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/postgres/application-XyZ789";

describe("the database setup on AWS, in the synthesised stack", () => {
  let s: Synth;
  beforeAll(() => {
    s = synthAwsEnvironment(production);
  });
  const ref = (type: string, path: string, attribute: string) => `\${${s.address(type, path)}.${attribute}}`;

  it("logs the application in as a role of its own, never the master user, whose login only the setup reads", () => {
    expect(s.one("aws_db_instance", "postgres/primary")).toMatchObject({ username: RDS_MASTER_USERNAME, db_name: DATABASE_NAME });
    expect(RDS_MASTER_USERNAME).not.toBe(DATABASE_USER);
    const version = (path: string) => s.one("aws_secretsmanager_secret_version", path).secret_string;
    expect(version("postgres/credentials")).toMatch(/^\$\{jsonencode\(\{"username" = "postgres", "password" = random_password\.[\w-]+\.result\}\)\}$/);
    expect(version("postgres/application-credentials")).toMatch(/^\$\{jsonencode\(\{"username" = "app", "password" = random_password\.[\w-]+\.result\}\)\}$/);
    const master = ref("aws_secretsmanager_secret", "postgres/credentials_secret", "arn");
    const application = ref("aws_secretsmanager_secret", "postgres/application-credentials_secret", "arn");
    // The hosts read the application's password; RDS Proxy logs in as the application too.
    for (const pool of ["web-pool", "app-pool", "worker-pool", "beat-pool"]) {
      const resources = JSON.stringify(JSON.parse(s.one("aws_iam_role_policy", `${pool}/read-environment`).policy));
      expect({ pool, master: resources.includes(master) }).toEqual({ pool, master: false });
    }
    expect(JSON.parse(s.one("aws_ssm_parameter", "app-pool").value).secrets.DATABASE_PASSWORD).toEqual({ id: application, jsonKey: "password" });
    expect(s.one("aws_db_proxy").auth[0].secret_arn).toBe(application);
  });

  it("runs a Lambda function in the private subnets that reads the two logins and nothing else, and reaches the primary and HTTPS only", () => {
    const fn = s.one("aws_lambda_function", "postgres/setup");
    const setup = databaseRoleSetup(DATABASE_NAME, DATABASE_USER);
    expect(fn).toMatchObject({
      function_name: "shop-production-database-setup",
      runtime: DATABASE_SETUP_RUNTIME,
      handler: "handler.handler",
      timeout: 120,
      replace_security_groups_on_destroy: true,
      vpc_config: { subnet_ids: s.where("aws_subnet", "network/private").map((_, i) => expect.stringContaining(`private-subnet-${i}`)), security_group_ids: [ref("aws_security_group", "postgres/setup/security-group", "id")] },
      environment: {
        variables: {
          DB_HOST: ref("aws_db_instance", "postgres/primary", "address"),
          DB_PORT: "5432",
          DB_NAME: DATABASE_NAME,
          APP_ROLE: DATABASE_USER,
          MASTER_SECRET_ARN: ref("aws_secretsmanager_secret", "postgres/credentials_secret", "arn"),
          APP_SECRET_ARN: ref("aws_secretsmanager_secret", "postgres/application-credentials_secret", "arn"),
          CREATE_ROLE_SQL: setup.createRoleSql,
          OWNER_SQL: setup.ownerSql,
        },
      },
    });
    expect(JSON.parse(s.one("aws_iam_role_policy", "postgres/setup/read-logins").policy).Statement).toEqual([
      { Sid: "ReadLogins", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [fn.environment.variables.MASTER_SECRET_ARN, fn.environment.variables.APP_SECRET_ARN] },
    ]);
    const egress = s.where("aws_vpc_security_group_egress_rule", "postgres/setup/security-group");
    expect(egress.map((r) => ({ port: r.from_port, to: r.referenced_security_group_id ?? r.cidr_ipv4 })).sort((a, b) => a.port - b.port)).toEqual([
      { port: 443, to: "0.0.0.0/0" },
      { port: 5432, to: ref("aws_security_group", "postgres/security-group", "id") },
    ]);
    expect(s.one("aws_vpc_security_group_ingress_rule", "postgres/security-group_from-database-setup")).toMatchObject({ from_port: 5432, referenced_security_group_id: ref("aws_security_group", "postgres/setup/security-group", "id") });
    expect(s.one("aws_cloudwatch_log_group", "postgres/setup")).toMatchObject({ name: "/aws/lambda/shop-production-database-setup", retention_in_days: 30 });
  });

  it("invokes it once, and again when the code, the SQL, the application's password or the instance changes, after the network and rules it needs", () => {
    const run = s.one("aws_lambda_invocation", "postgres/setup");
    expect(run.lifecycle_scope).toBeUndefined();
    expect(run.input).toMatch(
      /^\$\{jsonencode\(\{"code" = "[\w+/=]{44}", "sql" = "[\w+/=]{44}", "password" = aws_secretsmanager_secret_version\.[\w-]+\.version_id, "instance" = aws_db_instance\.django_postgres_primary_\w+\.resource_id\}\)\}$/,
    );
    expect(run.depends_on).toEqual(
      expect.arrayContaining([s.address("aws_vpc_security_group_ingress_rule", "postgres/security-group_from-database-setup"), s.address("aws_nat_gateway", "network/nat-gateway-0")]),
    );
  });

  it("deploys the handler as a zip whose bytes and hash depend on the code alone", () => {
    const handler = readFileSync(join(root, "modules", "aws", "database-setup", "handler.js"), "utf8");
    const zip = zipArchive({ "handler.js": handler });
    expect(Buffer.from(zipArchive({ "handler.js": handler })).toString("base64")).toBe(Buffer.from(zip).toString("base64"));
    const fn = s.one("aws_lambda_function", "postgres/setup");
    expect(fn.source_code_hash).toBe(createHash("sha256").update(zip).digest("base64"));
    expect(fn.filename).toMatch(/^assets\/django_postgres_setup_code_[0-9A-F]{8}\/[A-Za-z0-9]+\/database-setup\.zip$/);
  });
});

describe("the setup function against Secrets Manager's failures", () => {
  let fn: ReturnType<typeof unpackedSetupFunction>;
  beforeAll(() => {
    fn = unpackedSetupFunction();
  });
  afterAll(() => fn.remove());
  const environment = (url: string, extra: Record<string, string> = {}) => ({
    ...lambdaEnvironment(url),
    DB_HOST: "127.0.0.1",
    DB_PORT: "9",
    DB_NAME: "app",
    APP_ROLE: "app",
    MASTER_SECRET_ARN: MASTER_ARN,
    APP_SECRET_ARN: APP_ARN,
    CREATE_ROLE_SQL: "SELECT 1",
    OWNER_SQL: "SELECT 1",
    ...extra,
  });

  it("fails, naming the problem, with credentials Secrets Manager refuses", async () => {
    const secrets = await fakeSecretsManager({ [MASTER_ARN]: '{"username":"postgres","password":"p"}' });
    try {
      const run = await invokeAwsSetup(fn.dir, environment(secrets.url, { AWS_SECRET_ACCESS_KEY: `${TEST_CREDENTIALS.secretAccessKey}-wrong` }));
      expect(run.status).toBe(1);
      expect(run.output).toContain("The security token included in the request is invalid.");
      expect(secrets.requests.every((r) => !r.signed)).toBe(true);
    } finally {
      await secrets.close();
    }
  });

  it("gives up, within its timeout and retries, on a Secrets Manager that never answers", async () => {
    const secrets = await fakeSecretsManager({});
    secrets.hang();
    try {
      const started = Date.now();
      const run = await invokeAwsSetup(fn.dir, environment(secrets.url, { SECRETS_TIMEOUT_MS: "200" }));
      expect(run.status).toBe(1);
      expect(Date.now() - started).toBeLessThan(30000);
      expect(secrets.requests.length).toBeGreaterThanOrEqual(2);
    } finally {
      await secrets.close();
    }
  });

  it("refuses a login secret of another role, and an environment without its settings", async () => {
    const secrets = await fakeSecretsManager({ [MASTER_ARN]: '{"username":"postgres","password":"p"}', [APP_ARN]: '{"username":"someone_else","password":"q"}' });
    try {
      const other = await invokeAwsSetup(fn.dir, environment(secrets.url));
      expect(other).toMatchObject({ status: 1, output: expect.stringContaining(`${APP_ARN} is the login of "someone_else", not of app`) });
      expect(other.output).not.toContain('"password":"q"');
      const missing = await invokeAwsSetup(fn.dir, { ...environment(secrets.url), OWNER_SQL: "", DB_HOST: "" });
      expect(missing).toMatchObject({ status: 1, output: expect.stringContaining("the function's environment lacks DB_HOST, OWNER_SQL") });
    } finally {
      await secrets.close();
    }
  });
});
