import { AppConfiguration, AppDeliveryDescription, ECR_REGISTRY, HostConfigDelivery } from "../core";
import { SECRETS_MANAGER } from "./shared";

/** The SSM parameter holding a pool's environment document. */
export function environmentParameterName(namePrefix: string, role: string): string {
  return `/${namePrefix}/${role}/environment`;
}

/** How `awsHostDelivery` gets the environment to the hosts of a topology, in words (`npm run settings`). */
export function awsDeliveryDescription(namePrefix: string): AppDeliveryDescription {
  return {
    settings: `in each pool's SSM parameter ${environmentParameterName(namePrefix, "<role>")}, read through the instance role at every start of the app`,
    secrets: { [SECRETS_MANAGER]: "fetched on the host from Secrets Manager through the instance role at every start of the app" },
  };
}

/**
 * The document a pool's SSM parameter holds: plain settings by name, and for each secret
 * where it lives. Hosts read both at every start of the application through their role.
 */
export function environmentDocument(configuration: AppConfiguration): string {
  const section = (c: Pick<AppConfiguration, "settings" | "secrets">) => ({
    settings: Object.fromEntries(c.settings.map((s) => [s.name, s.value])),
    secrets: Object.fromEntries(c.secrets.map((s) => [s.name, s.secret.jsonKey ? { id: s.secret.id, jsonKey: s.secret.jsonKey } : { id: s.secret.id }])),
  });
  return JSON.stringify({ ...section(configuration), ...(configuration.host ? { host: section(configuration.host) } : {}) });
}

/** Where the AWS CLI is on the hosts: the snap (Ubuntu 24.04 has no `awscli` package). */
export const AWS_CLI = "/snap/bin/aws";

/**
 * Prints `NAME=value` for every name of the environment document `$doc` that the secret
 * `$id` holds, from that secret's string (jq's raw input): the whole string, or the value
 * of its `jsonKey`. A key the secret lacks is an error, not an empty value.
 */
const SECRET_LINES = [
  'rtrimstr("\\n") as $s | $doc.secrets | to_entries[] | select(.value.id == $id) | .key as $name | (.value.jsonKey // "") as $key',
  '| if $key == "" then "\\($name)=\\($s)"',
  'else ($s | fromjson | .[$key]) as $v | if $v == null then error("\\($name): the secret has no key \\($key)") else "\\($name)=\\($v)" end end',
].join(" ");

/** The instance metadata service (IMDSv2): a token, then `get <path>`. */
const IMDS = `token=$(curl -fsS --retry 3 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' http://169.254.169.254/latest/api/token)
imds() { curl -fsS --retry 3 -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"; }`;

/** The region of an ECR registry host (`<account>.dkr.ecr.<region>.amazonaws.com`). */
function ecrRegion(server: string): string {
  const match = ECR_REGISTRY.exec(server);
  if (!match) throw new Error(`${server} is not an ECR registry: AWS hosts log in with their role to ECR only`);
  return match[2];
}

/**
 * How AWS hosts get their configuration: the user data carries only the SSM parameter's
 * name; the fetch script reads the parameter and every Secrets Manager secret it names
 * through the instance role (IMDSv2 for the region), each secret once however many values
 * it holds. Secret values pass through shell variables and pipes, never a command's
 * arguments (which other users' processes can read). Nothing secret is in the user data.
 * The hosts log in to ECR with their role, and report themselves unhealthy to their
 * autoscaling group (`SetInstanceHealth`, the grace period not respected: a host that
 * gave up is replaced at once).
 */
export function awsHostDelivery(parameterName: string): HostConfigDelivery {
  return {
    packages: ["curl", "jq", "snapd"],
    // snapd seeds its snaps at first boot; installing before that fails.
    setupCommands: ["timeout 600 snap wait system seed.loaded", "snap install aws-cli --classic"],
    fetchScript: `#!/bin/sh
# Writes the application's environment to $1 and the host's own to $2: settings from SSM
# Parameter Store, secrets from Secrets Manager, both read through the instance role.
set -eu
parameter='${parameterName}'
aws=${AWS_CLI}
${IMDS}
region=$(imds placement/region)
doc=$("$aws" ssm get-parameter --region "$region" --name "$parameter" --query Parameter.Value --output text)
umask 077
# write_env SECTION FILE: the section's settings, then its secrets, one read per secret.
write_env() {
  section=$(printf '%s' "$doc" | jq -c "$1 // {}")
  printf '%s' "$section" | jq -r '(.settings // {}) | to_entries[] | "\\(.key)=\\(.value)"' > "$2"
  ids=$(printf '%s' "$section" | jq -r '[(.secrets // {})[].id] | unique[]')
  for id in $ids; do
    value=$("$aws" secretsmanager get-secret-value --region "$region" --secret-id "$id" --query SecretString --output text)
    printf '%s' "$value" | jq -rRs --arg id "$id" --argjson doc "$section" '${SECRET_LINES}' >> "$2"
  done
}
write_env . "$1"
write_env .host "$2"
`,
    registryLogin: (server) => `password=$(${AWS_CLI} ecr get-login-password --region ${ecrRegion(server)})
printf '%s' "$password" | docker login --username AWS --password-stdin ${server}
`,
    reportUnhealthy: `#!/bin/sh
# Marks this instance unhealthy in its autoscaling group, which replaces it at once.
set -eu
${IMDS}
instance=$(imds instance-id)
region=$(imds placement/region)
${AWS_CLI} autoscaling set-instance-health --region "$region" --instance-id "$instance" --health-status Unhealthy --no-should-respect-grace-period
`,
  };
}
