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

/**
 * The instance metadata service (IMDSv2): `imds <path>`, a token fetched for each call (a
 * lifecycle wait lasts longer than any token).
 */
const IMDS = `imds() {
  token=$(curl -fsS --retry 3 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token)
  curl -fsS --retry 3 -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"
}`;

/** The lifecycle hooks every pool's group has, which its hosts complete (see `lifecycle`). */
export const LIFECYCLE_HOOKS = { launch: "cloudtiers-launch", terminate: "cloudtiers-terminate" } as const;

/**
 * What CompleteLifecycleAction answers for an instance with no action pending (one the
 * group launched before its hook existed, or one launched or terminated outside a hook).
 */
export const NO_LIFECYCLE_ACTION = "No active Lifecycle Action found";

/**
 * An instance's part in its group's lifecycle hooks. `ready` and `abandon` complete the
 * launch hook's action (CONTINUE: the instance goes InService, and the load balancer
 * registers it; ABANDON: the group terminates it and launches another); `wait-terminating`
 * returns once the instance metadata's target lifecycle state is Terminated (the group has
 * begun terminating it: a scale-in, a refresh, a replacement); `terminated` completes the
 * termination hook's action.
 */
function lifecycleScript(groupName: string): string {
  return `#!/bin/sh
# cloudtiers-lifecycle ready|abandon|wait-terminating|terminated: this instance's part in
# the lifecycle hooks of its autoscaling group, ${groupName}.
set -eu
${IMDS}
# complete_action HOOK RESULT [TRIES]: TRIES (1 unless given) looks, 5 s apart, for a pending action.
complete_action() {
  instance=$(imds instance-id)
  region=$(imds placement/region)
  try=1
  while ! out=$(${AWS_CLI} autoscaling complete-lifecycle-action --region "$region" --auto-scaling-group-name '${groupName}' --lifecycle-hook-name "$1" --instance-id "$instance" --lifecycle-action-result "$2" 2>&1); do
    case "$out" in
      *"${NO_LIFECYCLE_ACTION}"*)
        if [ "$try" -ge "\${3:-1}" ]; then
          echo "cloudtiers-lifecycle: $1: no action pending for this instance"
          return 0
        fi ;;
      *) printf '%s\\n' "$out" >&2; return 1 ;;
    esac
    try=$((try + 1))
    sleep 5
  done
  echo "cloudtiers-lifecycle: $1: $2"
}
case "\${1:-}" in
  ready) complete_action ${LIFECYCLE_HOOKS.launch} CONTINUE ;;
  abandon) complete_action ${LIFECYCLE_HOOKS.launch} ABANDON ;;
  wait-terminating)
    until [ "$(imds autoscaling/target-lifecycle-state 2>/dev/null || true)" = Terminated ]; do sleep 5; done ;;
  # The target state turns Terminated before the action exists (a load balancer drains the instance first): look for it for 5 minutes.
  terminated) complete_action ${LIFECYCLE_HOOKS.terminate} CONTINUE 60 ;;
  *) echo "usage: cloudtiers-lifecycle ready|abandon|wait-terminating|terminated" >&2; exit 2 ;;
esac
`;
}

/**
 * Prints `<private IPv4> near|far` for each host of the autoscaling group `groupName` that is
 * InService and healthy (`PoolDiscovery.listScript`): near in this host's zone. A host is
 * InService once it answers its health path (the launch hook, `lifecycleScript`) and until
 * the group begins to terminate it. Two read calls through the instance role:
 * DescribeAutoScalingGroups for the hosts, DescribeInstances for their addresses and zones.
 */
export function groupHostsScript(groupName: string): string {
  return `#!/bin/sh
# cloudtiers-list-app-hosts: the app hosts in service in ${groupName}, "near" in this host's zone.
set -eu
aws=${AWS_CLI}
${IMDS}
region=$(imds placement/region)
zone=$(imds placement/availability-zone)
ids=$("$aws" autoscaling describe-auto-scaling-groups --region "$region" --auto-scaling-group-names '${groupName}' \\
  --query "AutoScalingGroups[0].Instances[?LifecycleState=='InService' && HealthStatus=='Healthy'].InstanceId" --output text)
case "$ids" in
  "") exit 0 ;;
  # No such group: not an empty pool, so nginx keeps the hosts it has.
  None) echo "cloudtiers-list-app-hosts: no autoscaling group ${groupName}" >&2; exit 1 ;;
esac
# shellcheck disable=SC2086 # one word per instance id
hosts=$("$aws" ec2 describe-instances --region "$region" --instance-ids $ids \\
  --query 'Reservations[].Instances[].[PrivateIpAddress,Placement.AvailabilityZone]' --output text)
printf '%s\\n' "$hosts" | awk -v zone="$zone" 'NF == 2 { print $1, ($2 == zone ? "near" : "far") }'
`;
}

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
 * gave up is replaced at once). With `groupName`, they complete its lifecycle hooks
 * (`lifecycleScript`): they join the group once they do their work, and stop it before
 * they are terminated.
 */
export function awsHostDelivery(parameterName: string, groupName?: string): HostConfigDelivery {
  return {
    ...(groupName ? { lifecycle: lifecycleScript(groupName) } : {}),
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
