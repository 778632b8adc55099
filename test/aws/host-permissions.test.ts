import { Config, SHIPPED_STACKS, Synth, synthAwsEnvironment } from "../helpers";

/**
 * Every host's effective permissions, evaluated: what its role's policies allow, read from
 * the synthesised stack the way IAM reads them (Allow statements; `*` and `?` wildcards in
 * actions and resources; an action's service and name case-insensitive; conditions, which
 * only narrow, left out). A policy the test cannot read (an attached managed policy,
 * `NotAction`, a Deny, a document Terraform assembles) counts as allowing everything, so it
 * fails the test rather than pass unseen.
 */
const REGION = "eu-west-1";
const ACCOUNT = "111122223333";

interface Statement {
  readonly actions: string[];
  readonly resources: string[];
}

/** Terraform references to ARNs, as concrete ARNs, so that a policy's wildcards can match them. */
function concreteArns(s: Synth): Map<string, string> {
  const arns = new Map<string, string>();
  for (const [id, p] of Object.entries(s.resources("aws_ssm_parameter"))) arns.set(`\${aws_ssm_parameter.${id}.arn}`, `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${p.name}`);
  for (const [id, p] of Object.entries(s.resources("aws_secretsmanager_secret"))) arns.set(`\${aws_secretsmanager_secret.${id}.arn}`, `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${p.name}-AbCdEf`);
  return arns;
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value : [value as string];
}

function statementsOf(policy: string, arns: Map<string, string>): Statement[] {
  let document: Config;
  try {
    document = JSON.parse(policy);
  } catch {
    return [{ actions: ["*"], resources: ["*"] }];
  }
  return (document.Statement as Config[]).map((st) => {
    if (st.Effect !== "Allow" || st.NotAction || st.NotResource) return { actions: ["*"], resources: ["*"] };
    // A Condition only narrows an Allow: read without it, the statement allows as much or more, never less.
    return { actions: list(st.Action), resources: list(st.Resource).map((r) => arns.get(r) ?? r) };
  });
}

/** The statements of every policy on the role at `address`: inline, attached (unreadable: everything), and the role's own. */
function effectivePolicy(s: Synth, address: string, arns: Map<string, string>): Statement[] {
  const onRole = (r: Config) => [`\${${address}.id}`, `\${${address}.name}`].includes(r.role);
  const role = s.resources("aws_iam_role")[address.split(".")[1]];
  return [
    ...Object.values(s.resources("aws_iam_role_policy")).filter(onRole).flatMap((p) => statementsOf(p.policy, arns)),
    ...Object.values(s.resources("aws_iam_role_policy_attachment")).filter(onRole).map(() => ({ actions: ["*"], resources: ["*"] })),
    ...(role.managed_policy_arns?.length || role.inline_policy ? [{ actions: ["*"], resources: ["*"] }] : []),
  ];
}

function wildcard(pattern: string, flags = ""): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, flags);
}

function allows(policy: Statement[], action: string, resource: string): boolean {
  return policy.some((st) => st.actions.some((a) => wildcard(a, "i").test(action)) && st.resources.some((r) => wildcard(r).test(resource)));
}

const READ_PARAMETER = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParameterHistory"];
const FOREIGN_PARAMETER = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/another-environment/web/environment`;
const FOREIGN_SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:another-environment/application-AbCdEf`;

/** Each pool's host role, with its construct path (the prefix its parameter shares). */
function hostRoles(s: Synth): { address: string; pool: string }[] {
  return Object.entries(s.resources("aws_iam_role"))
    .filter(([, r]) => JSON.parse(r.assume_role_policy).Statement.some((st: Config) => st.Principal?.Service === "ec2.amazonaws.com"))
    .map(([id]) => ({ address: `aws_iam_role.${id}`, pool: id.replace(/role_[0-9A-F]+$/, "") }));
}

const AWS_STACKS = SHIPPED_STACKS.filter((st) => st.cloud === "aws");

describe.each(AWS_STACKS.map((st) => [st.name, st.spec] as const))("%s: each host's effective permissions", (_name, spec) => {
  const s = synthAwsEnvironment(spec);
  const arns = concreteArns(s);
  const parameters = Object.entries(s.resources("aws_ssm_parameter")).map(([id]) => arns.get(`\${aws_ssm_parameter.${id}.arn}`)!);
  const existing = Object.values(spec.aws?.secrets ?? {}).map((secret) => secret.arn);
  const secrets = [...Object.entries(s.resources("aws_secretsmanager_secret")).map(([id]) => arns.get(`\${aws_secretsmanager_secret.${id}.arn}`)!), ...existing, FOREIGN_SECRET];
  const roles = hostRoles(s);

  it("has a host role per pool", () => {
    expect(roles.length).toBeGreaterThanOrEqual(1);
    expect(parameters).toHaveLength(roles.length);
  });

  it.each(roles.map((r) => [r.pool, r] as const))("%s reads its own parameter and no other, in this environment or another", (_pool, role) => {
    const policy = effectivePolicy(s, role.address, arns);
    const [own] = Object.entries(s.resources("aws_ssm_parameter")).filter(([id]) => id.startsWith(role.pool));
    const ownArn = arns.get(`\${aws_ssm_parameter.${own[0]}.arn}`)!;
    expect(allows(policy, "ssm:GetParameter", ownArn)).toBe(true);
    const readable = [...parameters, FOREIGN_PARAMETER].filter((p) => READ_PARAMETER.some((action) => allows(policy, action, p)));
    expect(readable).toEqual([ownArn]);
  });

  it.each(roles.map((r) => [r.pool, r] as const))("%s reads exactly the secrets its environment names", (_pool, role) => {
    const policy = effectivePolicy(s, role.address, arns);
    const [own] = Object.entries(s.resources("aws_ssm_parameter")).filter(([id]) => id.startsWith(role.pool));
    const named = Object.values(JSON.parse(own[1].value).secrets as Record<string, { id: string }>).map((secret) => arns.get(secret.id) ?? secret.id);
    const readable = secrets.filter((secret) => allows(policy, "secretsmanager:GetSecretValue", secret));
    expect(readable.sort()).toEqual([...new Set(named)].sort());
  });
});

describe("the evaluator", () => {
  it("sees a managed policy attached to a host role as allowing everything (AmazonSSMManagedInstanceCore reads every parameter)", () => {
    const [stack] = AWS_STACKS;
    const s = synthAwsEnvironment(stack.spec);
    const [role] = hostRoles(s);
    const arns = concreteArns(s);
    const before = effectivePolicy(s, role.address, arns);
    expect(allows(before, "ssm:GetParameter", FOREIGN_PARAMETER)).toBe(false);
    s.json.resource.aws_iam_role_policy_attachment = {
      ...s.resources("aws_iam_role_policy_attachment"),
      core: { role: `\${${role.address}.name}`, policy_arn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" },
    };
    expect(allows(effectivePolicy(s, role.address, arns), "ssm:GetParameter", FOREIGN_PARAMETER)).toBe(true);
  });

  it("matches IAM wildcards in actions and resources", () => {
    const policy = [{ actions: ["ssm:GetParam*"], resources: [`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/shop-production/*`] }];
    expect(allows(policy, "SSM:GetParameters", `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/shop-production/web/environment`)).toBe(true);
    expect(allows(policy, "ssm:GetParameter", FOREIGN_PARAMETER)).toBe(false);
    expect(allows(policy, "ssm:PutParameter", `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/shop-production/web/environment`)).toBe(false);
  });
});
