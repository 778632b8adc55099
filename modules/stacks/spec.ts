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

/** The repository a VCS-driven workspace follows. */
export interface TerraformCloudVcs {
  /** `<owner>/<repository>`. */
  readonly repository: string;
  /** The branch whose commits start runs. @default - the repository's default branch */
  readonly branch?: string;
  /** The OAuth token of the organization's VCS connection (`ot-…`); this or `githubAppInstallationId`. @default - none: give `githubAppInstallationId` */
  readonly oauthTokenId?: string;
  /** The GitHub App installation (`ghain-…`); this or `oauthTokenId`. @default - none: give `oauthTokenId` */
  readonly githubAppInstallationId?: string;
}

/** How this environment's stacks run in Terraform Cloud (or Terraform Enterprise). */
export interface TerraformCloudSettings {
  /** The organization. @default - `TF_CLOUD_ORGANIZATION` */
  readonly organization?: string;
  /** Terraform Enterprise's host name. @default - `TF_CLOUD_HOSTNAME`, else app.terraform.io */
  readonly hostname?: string;
  /** The project the workspaces belong to; the bootstrap stack creates it. @default - `TF_CLOUD_PROJECT`, else the organization's default project */
  readonly project?: string;
  /** Workspaces are named `<prefix>-<environment>-<cloud>`. @default - `application.name` */
  readonly workspacePrefix?: string;
  /** The Terraform version remote runs use: one the stacks' `required_version` (">= 1.5.0") allows. @default "1.11.4" */
  readonly terraformVersion?: string;
  /**
   * Makes the workspaces VCS-driven: runs start from commits to the repository, which
   * must contain the synthesised `cdktf.out` (each workspace's working directory is its
   * stack's). @default - CLI-driven: runs start from `cdktf deploy` and `cdktf diff`
   * @see docs/terraform-cloud.md#the-vcs-driven-alternative
   */
  readonly vcs?: TerraformCloudVcs;
  /**
   * The environment deployed before this one, e.g. `staging`. For VCS-driven workspaces a
   * run trigger queues a run here after each of its applies; CLI-driven environments are
   * ordered by the pipeline (whose job order a test holds to this). @default - none
   */
  readonly promotesFrom?: string;
}

/** The sections of an environment spec that belong to a cloud (each cloud's registration names its own). */
export type CloudSection = "aws" | "digitalocean" | "cloudflare";

/**
 * One environment: the neutral topology plus one section per cloud it is deployed to.
 * A stack `<environment>-<cloud>` is synthesised for each cloud section present.
 */
export interface EnvironmentSpec extends DjangoTopologyProps {
  /**
   * Hold the environment to the production rules of the policy pack (standby databases,
   * deletion protection, no `force_destroy`, a failover target). Opt out explicitly.
   * @default true
   * @see docs/safety.md#policy-rule-pack
   */
  readonly production?: boolean;
  /**
   * Where state lives: `local` (a file beside the project) or `terraform-cloud` (one
   * workspace per stack). @default - `terraform-cloud` when an organization is known (the
   * spec's or `TF_CLOUD_ORGANIZATION`), else `local`
   */
  readonly backend?: "local" | "terraform-cloud";
  /**
   * Terraform Cloud settings, used when the backend is Terraform Cloud.
   * @default - from the environment variables
   * @see docs/terraform-cloud.md
   */
  readonly terraformCloud?: TerraformCloudSettings;
  /**
   * Policy rules this environment switches off, each for one resource, with a reason.
   * @default - none
   * @see docs/safety.md#policy-rule-pack
   */
  readonly policy?: {
    /** The rules switched off: each names one rule, one resource and why. @default [] */
    readonly suppress?: readonly PolicySuppression[];
  };
  /** Settings of the AWS stack (`<environment>-aws`). @default - no AWS stack */
  readonly aws?: AwsSettings;
  /** Settings of the DigitalOcean stack (`<environment>-do`); it needs `cloudflare` too. @default - no DigitalOcean stack */
  readonly digitalocean?: DigitalOceanSettings;
  /** The Cloudflare edge of the DigitalOcean stack: account, zone, TLS settings. @default - none: required with `digitalocean` */
  readonly cloudflare?: CloudflareSettings;
}
