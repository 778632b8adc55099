import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Construct } from "constructs";
import { AssetType, Fn, ITerraformDependable, TerraformAsset } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaInvocation } from "@cdktf/provider-aws/lib/lambda-invocation";
import { DatabaseRoleSetup } from "../core";
import { LambdaPackage, lambdaPackage } from "./lambda-package";
import { TierSecurityGroup } from "./security-group";
import { IAwsPeer, assumeRolePolicy, policyDocument } from "./shared";
import { databaseSetupName, lambdaLogGroupName } from "../naming/resource-names";

/** The Lambda runtime the setup runs on: Node.js 22, whose AWS SDK v3 the handler uses. */
export const DATABASE_SETUP_RUNTIME = "nodejs22.x";

/** The setup's code: one file, read from beside this module (the package ships it too). */
let setupPackage: LambdaPackage | undefined;
function databaseSetupPackage(): LambdaPackage {
  setupPackage ??= lambdaPackage("database-setup", { "handler.js": readFileSync(join(__dirname, "database-setup", "handler.js"), "utf8") });
  return setupPackage;
}

export interface AwsDatabaseSetupProps {
  readonly namePrefix: string;
  readonly vpcId: string;
  /** Where the function runs: the private subnets, which reach Secrets Manager through NAT. */
  readonly subnetIds: string[];
  /** The primary's security group: the setup connects to it. */
  readonly postgres: IAwsPeer;
  /** Admits the setup's security group to the primary; returns the rule. */
  readonly admitToPostgres: (peer: IAwsPeer) => ITerraformDependable;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly role: string;
  /** The master user's login secret and the application role's, as `{"username", "password"}`. */
  readonly masterSecretArn: string;
  readonly appSecretArn: string;
  /** Changes with the application role's password (the secret version's id): a new one is set. */
  readonly appSecretVersion: string;
  /** Changes when RDS replaces the primary (its `resource_id`): the new one is set up too. */
  readonly instance: string;
  readonly setup: DatabaseRoleSetup;
  /** What the function reaches the internet through (NAT routes). */
  readonly egressReady: ITerraformDependable[];
}

/**
 * The database setup on AWS: a Lambda function in the private subnets, with its own
 * security group (admitted to the primary only) and role (reading the two logins only),
 * which Terraform invokes once, and again whenever the SQL or the application role's
 * password changes (`aws_lambda_invocation`, in its default create-only scope: a new input
 * replaces it). A failed setup fails the apply, with PostgreSQL's error.
 *
 * Known provider behaviour: deleting a function attached to a VPC leaves its network
 * interfaces for up to 45 minutes, holding its security group (terraform-provider-aws
 * #10329); `replace_security_groups_on_destroy` moves them to the VPC's default group so
 * the group can go at once.
 */
export class AwsDatabaseSetup extends Construct {
  public readonly function: LambdaFunction;
  public readonly invocation: LambdaInvocation;

  constructor(scope: Construct, id: string, props: AwsDatabaseSetupProps) {
    super(scope, id);
    const name = databaseSetupName(props.namePrefix);
    const securityGroup = new TierSecurityGroup(this, "security-group", { vpcId: props.vpcId, name, description: "Database setup: to PostgreSQL, and HTTPS to Secrets Manager" });
    const toPostgres = securityGroup.allowToPeer(props.postgres, props.port);
    const admitted = props.admitToPostgres(securityGroup.asPeer("database setup"));
    const toApis = securityGroup.allowToInternet(443);

    const role = new IamRole(this, "role", { name, assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com"), tags: { Name: name } });
    const vpcAccess = new IamRolePolicyAttachment(this, "vpc-access", { role: role.name, policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole" });
    const readLogins = new IamRolePolicy(this, "read-logins", {
      name: "read-logins",
      role: role.id,
      policy: policyDocument([{ Sid: "ReadLogins", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [props.masterSecretArn, props.appSecretArn] }]),
    });
    const logs = new CloudwatchLogGroup(this, "logs", { name: lambdaLogGroupName(name), retentionInDays: 30, tags: { Name: name } });

    const code = databaseSetupPackage();
    const asset = new TerraformAsset(this, "code", { path: code.path, type: AssetType.FILE, assetHash: code.sha256.replace(/[^A-Za-z0-9]/g, "") });
    this.function = new LambdaFunction(this, "function", {
      functionName: name,
      description: "cloudtiers: makes the application's role the owner of its database",
      role: role.arn,
      runtime: DATABASE_SETUP_RUNTIME,
      handler: "handler.handler",
      filename: asset.path,
      sourceCodeHash: code.sha256,
      timeout: 120,
      memorySize: 256,
      vpcConfig: { subnetIds: props.subnetIds, securityGroupIds: [securityGroup.id] },
      replaceSecurityGroupsOnDestroy: true,
      loggingConfig: { logFormat: "Text", logGroup: logs.name },
      environment: {
        variables: {
          DB_HOST: props.host,
          DB_PORT: String(props.port),
          DB_NAME: props.database,
          APP_ROLE: props.role,
          MASTER_SECRET_ARN: props.masterSecretArn,
          APP_SECRET_ARN: props.appSecretArn,
          CREATE_ROLE_SQL: props.setup.createRoleSql,
          OWNER_SQL: props.setup.ownerSql,
        },
      },
      tags: { Name: name },
      dependsOn: [vpcAccess, readLogins, logs],
    });
    this.invocation = new LambdaInvocation(this, "run", {
      functionName: this.function.functionName,
      // A new input is a new invocation: the code, the SQL, the role's password or the instance changed.
      input: Fn.jsonencode({
        code: code.sha256,
        sql: createHash("sha256").update(`${props.setup.createRoleSql}${props.setup.ownerSql}`).digest("base64"),
        password: props.appSecretVersion,
        instance: props.instance,
      }),
      dependsOn: [toPostgres, admitted, toApis, ...props.egressReady],
    });
  }
}
