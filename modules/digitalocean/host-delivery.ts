import { AppConfiguration, AppDeliveryDescription, HostConfigDelivery } from "../core";
import { TERRAFORM_STATE } from "./shared";

const END = "CLOUDTIERS_ENV";

/** How `inlineHostDelivery` gets the environment to the hosts, in words (`npm run settings`). */
export const DIGITALOCEAN_DELIVERY: AppDeliveryDescription = {
  settings: "in each pool's user data, copied to a root-only file at every start of the app (recycle the droplets after a change)",
  secrets: { [TERRAFORM_STATE]: "read from Terraform state and written into each pool's user data with the settings" },
};

/**
 * How DigitalOcean hosts get their configuration. DigitalOcean has no secret store or
 * instance identity, so the whole environment, secrets included, is written into the
 * user data and copied to a root-only file at every start. Trade-off (docs/application.md): anyone
 * who can read the droplet's metadata (the API with the account's token, or a process on
 * the droplet through 169.254.169.254) can read the secrets; they are also in Terraform
 * state, as on every cloud. At every start the script closes the metadata service to
 * the processes of regular users (uid 1000 and up, which is what an image's non-root
 * `USER` is), so an application run as one cannot be made to fetch it; root and the
 * system users of DigitalOcean's agents, which read it, keep their access.
 *
 * PROVIDER GAP: no `registryLogin` (droplets have no identity to log in with: a private
 * image needs a user name and password) and no `reportUnhealthy` (DigitalOcean documents
 * no health check for autoscale pools): a droplet that gives up powers itself off.
 */
export function inlineHostDelivery(configuration: AppConfiguration): HostConfigDelivery {
  const lines = (c: Pick<AppConfiguration, "settings" | "secrets">) => [
    ...c.settings.map((s) => `${s.name}=${s.value}`),
    ...c.secrets.map((s) => {
      if (s.secret.store !== TERRAFORM_STATE) throw new Error(`DigitalOcean hosts can only receive secrets held in ${TERRAFORM_STATE}, not "${s.secret.store}"`);
      return `${s.name}=${s.secret.id}`;
    }),
  ];
  const write = (file: string, env: string[]) => (env.length > 0 ? `cat > "${file}" <<'${END}'\n${env.join("\n")}\n${END}` : `printf '' > "${file}"`);
  return inlineEnvironmentDelivery(`${write("$1", lines(configuration))}\n${write("$2", configuration.host ? lines(configuration.host) : [])}`);
}

/**
 * The delivery of `inlineHostDelivery` for an environment Terraform assembles (a module's
 * variables): `KEY=VALUE` lines, base64-encoded so that they stay one line of the YAML
 * whatever they hold. The host's own environment is empty.
 */
export function encodedEnvironmentDelivery(linesBase64: string): HostConfigDelivery {
  return inlineEnvironmentDelivery(`printf '%s' '${linesBase64}' | base64 -d > "$1"\nprintf '' > "$2"`);
}

/** The metadata service, which serves the user data and with it the secrets. */
const METADATA = "169.254.169.254";
const CLOSE_METADATA = `-d ${METADATA} -p tcp -m owner --uid-owner 1000-4294967294 -j REJECT`;

function inlineEnvironmentDelivery(write: string): HostConfigDelivery {
  return {
    packages: ["iptables"],
    setupCommands: [],
    fetchScript: `#!/bin/sh
# Writes the application's environment to $1 and the host's own to $2. Both are part of
# this host's user data: DigitalOcean has no secret store the host could read them from.
# Regular users' processes (the application's, run as a non-root USER) may not read the
# metadata service that serves it.
set -eu
iptables -C OUTPUT ${CLOSE_METADATA} 2>/dev/null || iptables -I OUTPUT ${CLOSE_METADATA}
umask 077
${write}
`,
  };
}
