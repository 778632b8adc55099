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

/**
 * How AWS hosts get their configuration: the user data carries only the SSM parameter's
 * name; the fetch script reads the parameter and every Secrets Manager secret it names
 * through the instance role (IMDSv2 for the region). Nothing secret is in the user data.
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
aws=/snap/bin/aws
token=$(curl -fsS -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' http://169.254.169.254/latest/api/token)
region=$(curl -fsS -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/placement/region)
doc=$("$aws" ssm get-parameter --region "$region" --name "$parameter" --query Parameter.Value --output text)
umask 077
printf '%s' "$doc" | jq -r '.settings | to_entries[] | "\\(.key)=\\(.value)"' > "$out"
printf '%s' "$doc" | jq -r '.secrets | to_entries[] | [.key, .value.id, (.value.jsonKey // "")] | @tsv' |
  while IFS="$(printf '\\t')" read -r name id key; do
    value=$("$aws" secretsmanager get-secret-value --region "$region" --secret-id "$id" --query SecretString --output text)
    if [ -n "$key" ]; then
      value=$(printf '%s' "$value" | jq -r --arg key "$key" '.[$key]')
    fi
    printf '%s=%s\\n' "$name" "$value" >> "$out"
  done
`,
  };
}
