import { TierProps } from "./tier";

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
