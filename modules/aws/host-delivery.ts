import { AppConfiguration, AppDeliveryDescription, HostConfigDelivery } from "../core";
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
  const settings = Object.fromEntries(configuration.settings.map((s) => [s.name, s.value]));
  const secrets = Object.fromEntries(
    configuration.secrets.map((s) => [s.name, s.secret.jsonKey ? { id: s.secret.id, jsonKey: s.secret.jsonKey } : { id: s.secret.id }]),
  );
  return JSON.stringify({ settings, secrets });
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

/**
 * How AWS hosts get their configuration: the user data carries only the SSM parameter's
 * name; the fetch script reads the parameter and every Secrets Manager secret it names
 * through the instance role (IMDSv2 for the region), each secret once however many values
 * it holds. Secret values pass through shell variables and pipes, never a command's
 * arguments (which other users' processes can read). Nothing secret is in the user data.
 */
export function awsHostDelivery(parameterName: string): HostConfigDelivery {
  return {
    packages: ["curl", "jq", "snapd"],
    setupCommands: ["snap install aws-cli --classic"],
    fetchScript: `#!/bin/sh
# Writes the application environment to $1: settings from SSM Parameter Store, secrets
# from Secrets Manager, both read through the instance role.
set -eu
out="$1"
parameter='${parameterName}'
aws=${AWS_CLI}
token=$(curl -fsS --retry 3 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' http://169.254.169.254/latest/api/token)
region=$(curl -fsS --retry 3 -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/placement/region)
doc=$("$aws" ssm get-parameter --region "$region" --name "$parameter" --query Parameter.Value --output text)
umask 077
printf '%s' "$doc" | jq -r '.settings | to_entries[] | "\\(.key)=\\(.value)"' > "$out"
ids=$(printf '%s' "$doc" | jq -r '[.secrets[].id] | unique[]')
for id in $ids; do
  value=$("$aws" secretsmanager get-secret-value --region "$region" --secret-id "$id" --query SecretString --output text)
  printf '%s' "$value" | jq -rRs --arg id "$id" --argjson doc "$doc" '${SECRET_LINES}' >> "$out"
done
`,
  };
}
