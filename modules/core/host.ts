import { SecretRef } from "./tier";
import { isReference } from "./decide";

/**
 * A plain setting of the application's environment: literal text, or text with Terraform
 * tokens in it. Cloud adapters escape the literal parts where they embed it in Terraform
 * configuration (`terraformTemplate`).
 */
export interface AppSetting {
  readonly name: string;
  readonly value: string;
}

/** A secret of the application's environment, fetched on the host at boot. */
export interface AppSecret {
  readonly name: string;
  readonly secret: SecretRef;
  /** Where its value comes from, in words safe to print (`npm run settings`). @default - a tier of the topology made it */
  readonly origin?: string;
}

/** Everything the application's process receives as environment variables. */
export interface AppConfiguration {
  readonly settings: readonly AppSetting[];
  readonly secrets: readonly AppSecret[];
  /**
   * What the host itself reads and the application never receives in its environment:
   * the registry login's user name and password. @default - nothing
   */
  readonly host?: { readonly settings: readonly AppSetting[]; readonly secrets: readonly AppSecret[] };
  /**
   * `condition ? whenTrue : whenFalse`, where Terraform decides (`chooseConfiguration`):
   * `settings` and `secrets` are empty then, and only a factory that counts (`TierFactory.counted`) gets one.
   * @default - the configuration is `settings` and `secrets`
   */
  readonly choice?: { readonly condition: boolean; readonly whenTrue: AppConfiguration; readonly whenFalse: AppConfiguration };
}

/** `condition ? whenTrue : whenFalse`: one of them for a literal, a choice Terraform makes for a reference. */
export function chooseConfiguration(condition: boolean, whenTrue: AppConfiguration, whenFalse: AppConfiguration): AppConfiguration {
  if (!isReference(condition)) return condition ? whenTrue : whenFalse;
  return { settings: [], secrets: [], choice: { condition, whenTrue, whenFalse } };
}

/**
 * How a cloud delivers the application's configuration to a booting host. Each compute
 * pool adapter builds one for its own configuration store; the neutral renderer only
 * installs and runs it.
 */
/**
 * How a cloud ships a host's logs off it: the application's container logs (written by
 * rsyslog to `/var/log/cloudtiers/app.log`) and nginx's (`/var/log/nginx/*.log`).
 */
export interface LogShipping {
  /** Debian/Ubuntu packages the shipper needs. */
  readonly packages: readonly string[];
  /** Its configuration files and scripts (`permissions` "0700" for a script). */
  readonly files: readonly { readonly path: string; readonly content: string; readonly permissions?: string }[];
  /** Commands run once at first boot, after the packages, each retried (installing and starting an agent). */
  readonly setupCommands: readonly string[];
}

export interface HostConfigDelivery {
  /** Debian/Ubuntu packages the fetch script needs. */
  readonly packages: readonly string[];
  /** Commands run once at first boot, before the first fetch, each retried (e.g. installing a cloud CLI). */
  readonly setupCommands: readonly string[];
  /**
   * A POSIX shell script. Run as root with two file paths, it writes the whole
   * application environment to the first and the host's own (`AppConfiguration.host`: the
   * registry login) to the second, as `KEY=VALUE` lines readable by root only.
   */
  readonly fetchScript: string;
  /**
   * Shell commands that log Docker in to `server` with the host's cloud identity (AWS:
   * ECR through the instance role). @default - the hosts have none: private images need a
   * user name and password
   */
  readonly registryLogin?: (server: string) => string;
  /**
   * A POSIX shell script that tells what replaces the pool's hosts that this one is
   * unhealthy, exiting non-zero when it cannot (it is retried, then the host powers off).
   * @default - the cloud has no such call: the host powers itself off
   */
  readonly reportUnhealthy?: string;
  /**
   * A POSIX shell script through which a host takes part in its pool's lifecycle hooks
   * (AWS), with one argument: `ready` once the host does its work (the pool then counts it
   * in: a load balancer registers it, a rolling replacement moves on), `abandon` when it
   * gave up (the pool replaces it, the hosts it was to replace stay), `wait-terminating`,
   * which returns once the pool is about to terminate the host, and `terminated` once the
   * host has stopped its work (a worker's warm shutdown). Each exits 0 when no action is
   * pending. @default - the cloud has no lifecycle hooks: a pool counts a host in once it boots
   */
  readonly lifecycle?: string;
  /** Ships the host's logs off it. @default - logs stay on the host, in its journal */
  readonly logShipping?: LogShipping;
}

/** How a cloud's hosts receive the application's environment, in words safe to print. */
export interface AppDeliveryDescription {
  /** Where the plain settings travel, e.g. `in each pool's SSM parameter ...`. */
  readonly settings: string;
  /** For each secret store the cloud's tiers use (`SecretRef.store`), how a secret of it reaches the host. */
  readonly secrets: Readonly<Record<string, string>>;
}

/** Administrative access a cloud allows to its hosts. */
export interface HostAccess {
  /** IPv4 blocks the host firewall admits to SSH. @default [] */
  readonly sshFrom?: readonly string[];
}

/** What a compute pool's hosts run, rendered once the cloud has said how config arrives. */
export interface HostBootstrap {
  /** The configuration the cloud must make available to the hosts. */
  readonly configuration: AppConfiguration;
  /** The cloud-init user data for the pool's hosts. */
  render(delivery: HostConfigDelivery, access?: HostAccess): string;
  /** How long a new host may take from its first boot to doing its work; a pool that waits for it gives up after this. */
  readonly readySeconds: number;
  /** How long a host takes to stop its work (a worker's warm shutdown) once its pool terminates it. */
  readonly stopSeconds: number;
}
