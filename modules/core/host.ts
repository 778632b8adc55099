import { SecretRef } from "./tier";

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
}

/**
 * How a cloud delivers the application's configuration to a booting host. Each compute
 * pool adapter builds one for its own configuration store; the neutral renderer only
 * installs and runs it.
 */
export interface HostConfigDelivery {
  /** Debian/Ubuntu packages the fetch script needs. */
  readonly packages: readonly string[];
  /** Commands run once, before the first fetch (e.g. installing a cloud CLI). */
  readonly setupCommands: readonly string[];
  /**
   * A POSIX shell script. Run as root with one argument, a file path, it writes the whole
   * application environment there as `KEY=VALUE` lines, readable by root only.
   */
  readonly fetchScript: string;
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
}
