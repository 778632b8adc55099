import { SecretRef, TierProps } from "./tier";

/** Characters of a generated secret unless the spec says otherwise: Django's own key length. */
export const DEFAULT_SECRET_LENGTH = 50;

/** One of the application's own secrets, as the topology asks a cloud to keep it. */
export interface ApplicationSecret {
  /** The environment variable it becomes, e.g. `DJANGO_SECRET_KEY`. */
  readonly name: string;
  /**
   * `generated`: the cloud has Terraform make it (letters and digits, kept in state);
   * `given`: `value`, which Terraform is given when it runs (a sensitive variable);
   * `existing`: already in the cloud's secret store, where the cloud's settings say.
   */
  readonly source: "generated" | "given" | "existing";
  /** `generated` only: how many characters. @default DEFAULT_SECRET_LENGTH */
  readonly length?: number;
  /** `given` only: the value, as a Terraform reference (never a literal). */
  readonly value?: string;
  /** `given` only: the Terraform variable it is given through, e.g. `secret_stripe_api_key`. */
  readonly variable?: string;
}

/** The application's secrets, kept where the cloud's hosts can read them. */
export interface ApplicationSecretsProps extends TierProps {
  readonly secrets: readonly ApplicationSecret[];
  /** Keep the store's secret: `prevent_destroy` and a recovery window where the store has one. */
  readonly deletionProtection: boolean;
}

/** How a pool's hosts log in to the registry of the application's image. */
export interface RegistryAccess {
  /** `none`: a public image; `cloud`: with the host's cloud identity; `password`: with `username` and `password`. */
  readonly login: "none" | "cloud" | "password";
  /** The registry's host name, e.g. `ghcr.io`. */
  readonly server: string;
  /** `password` only: the user name, text or a Terraform reference. */
  readonly username?: string;
  /** `password` only: where the password lives. */
  readonly password?: SecretRef;
  /** `cloud` only: the repositories the hosts may pull from, in the cloud's terms (ECR repository ARNs). */
  readonly repositories?: readonly string[];
}

/** What the topology asks of a cloud for the application's image. */
export interface RegistryAccessProps extends TierProps {
  /** The image the hosts pull, e.g. `ghcr.io/acme/shop:1.4.2`. */
  readonly image: string;
  /** The login the spec gives (`application.registry`), for a registry other than the cloud's own. @default - the cloud's own registry's, else none */
  readonly credentials?: { readonly username: string; readonly password: SecretRef };
}
