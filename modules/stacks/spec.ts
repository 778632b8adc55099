import { AwsSettings } from "../aws/settings";
import { CloudflareSettings } from "../cloudflare/settings";
import { DigitalOceanSettings } from "../digitalocean/settings";
import { DjangoTopologyProps } from "../django/spec";

/** A policy rule switched off for one resource, and why. */
export interface PolicySuppression {
  /** The rule's id, e.g. `CT-DB-004`. */
  readonly rule: string;
  /** The cloud whose stack holds the resource: `aws` or `do`. */
  readonly cloud: string;
  /** The resource's Terraform address, e.g. `aws_db_instance.django_postgres_primary_955DAB27`. */
  readonly resource: string;
  /** Why this is acceptable here; the policy report prints it. */
  readonly reason: string;
}

/**
 * One environment: the neutral topology plus one section per cloud it is deployed to.
 * A stack `<environment>-<cloud>` is synthesised for each cloud section present.
 */
export interface EnvironmentSpec extends DjangoTopologyProps {
  /**
   * Hold the environment to the production rules of the policy pack (standby databases,
   * deletion protection, no `force_destroy`, a failover target). Opt out explicitly.
   * @default true
   */
  readonly production?: boolean;
  /** Policy rules this environment switches off, each for one resource, with a reason. @default - none */
  readonly policy?: { readonly suppress?: readonly PolicySuppression[] };
  /** Settings of the AWS stack (`<environment>-aws`). */
  readonly aws?: AwsSettings;
  /** Settings of the DigitalOcean stack (`<environment>-do`); it needs `cloudflare` too. */
  readonly digitalocean?: DigitalOceanSettings;
  /** The Cloudflare edge of the DigitalOcean stack: account, zone, TLS settings. */
  readonly cloudflare?: CloudflareSettings;
}
