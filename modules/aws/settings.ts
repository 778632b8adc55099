import { DOCR_REGISTRY, ECR_REGISTRY, SizeMapOverride, SpecValidator, ValidationIssue, cidrsOverlap, fieldsOf, imageRegistry, isIpv4Cidr, show } from "../core";
import { InputDeclarations, NETWORK_INPUTS, checkInputs } from "../django/validate";
import { AWS_COMPUTE_SIZES } from "./sizes";

/** One NAT gateway per zone (survives a zone's loss), or one for all (cheaper). */
export const NAT_GATEWAY_MODES = ["per-zone", "single"] as const;
/** Load balancers and database subnet groups span at least two zones. */
export const AWS_MIN_ZONES = 2;

/** CloudFront's price classes: where the edge serves from (`PriceClass_100`: North America and Europe). */
export const CDN_PRICE_CLASSES = ["PriceClass_100", "PriceClass_200", "PriceClass_All"] as const;

/** What an `aws` section gets for what it leaves out. */
export const AWS_DEFAULTS = { natGateways: "per-zone", cdnPriceClass: "PriceClass_100" } as const satisfies Pick<AwsSettings, "natGateways" | "cdnPriceClass">;

/** The `aws` section's fields that are one choice each, declared once: the validator and the AWS modules' variables follow from them. */
/** `aws.disasterRecoveryCidr`: a network's block, as `network.cidr`; with `aws.disasterRecoveryRegion` only. */
export const DISASTER_RECOVERY_INPUTS: InputDeclarations<Pick<AwsSettings, "disasterRecoveryCidr">> = {
  disasterRecoveryCidr: { constraint: NETWORK_INPUTS.cidr.constraint, optional: true },
};

export const AWS_INPUTS: InputDeclarations<Pick<AwsSettings, "natGateways" | "cdnPriceClass">> = {
  natGateways: { constraint: { kind: "oneOf", values: NAT_GATEWAY_MODES }, default: AWS_DEFAULTS.natGateways },
  cdnPriceClass: { constraint: { kind: "oneOf", values: CDN_PRICE_CLASSES }, default: AWS_DEFAULTS.cdnPriceClass, variable: "price_class" },
};

/** Settings only the AWS stacks read: the `aws` section of an environment spec. */
export interface AwsSettings {
  /** The region of every regional resource, e.g. `eu-west-1`: a commercial region with at least two availability zones. */
  readonly region: string;
  /** Refuse to run against any other account (the provider's `allowed_account_ids`). @default - any account */
  readonly allowedAccountIds?: readonly string[];
  /** One NAT gateway per zone (survives a zone outage) or a single one (cheaper). @default "per-zone" */
  readonly natGateways?: (typeof NAT_GATEWAY_MODES)[number];
  /** An existing Route 53 hosted zone id; skips the lookup of `dnsZone` by name. @default - looked up by name */
  readonly hostedZoneId?: string;
  /**
   * The pools' AMI: an id or `resolve:ssm:<parameter>`.
   * @default - Canonical's Ubuntu 24.04 LTS, resolved from its public SSM parameter at launch
   */
  readonly imageId?: string;
  /** Overrides of the size tables, e.g. `{ compute: { large: "m7i.xlarge" } }`. @default - the shipped tables */
  readonly sizes?: {
    /** The pools' EC2 instance types by size, e.g. `{ large: "m7i.xlarge" }`; x86_64 unless `imageId` boots arm64. @default - the shipped table (`modules/aws/sizes.ts`) */
    readonly compute?: SizeMapOverride;
    /** PostgreSQL's RDS instance classes by size, e.g. `{ large: "db.m7g.2xlarge" }`. @default - the shipped table (`modules/aws/sizes.ts`) */
    readonly postgres?: SizeMapOverride;
    /** The cache's ElastiCache node types by size, e.g. `{ large: "cache.m7g.large" }`. @default - the shipped table (`modules/aws/sizes.ts`) */
    readonly cache?: SizeMapOverride;
  };
  /**
   * A region for an encrypted read replica of PostgreSQL, with a network, subnet group and
   * KMS key of its own there, ready to be promoted if `region` is lost (docs/database.md#disaster-recovery).
   * @default - none
   */
  readonly disasterRecoveryRegion?: string;
  /**
   * The recovery network's private address block, a /16 to /19 (required with
   * `disasterRecoveryRegion`): apart from `network.cidr`, so that the two networks, or a
   * deployment in the recovery region, can be peered with it.
   * @default - none
   */
  readonly disasterRecoveryCidr?: string;
  /** CloudFront price class. @default "PriceClass_100" */
  readonly cdnPriceClass?: (typeof CDN_PRICE_CLASSES)[number];
  /**
   * Where the application's `existing` secrets live in Secrets Manager, by name
   * (`REGISTRY_PASSWORD` for a registry password whose source is `existing`). Hosts may
   * read exactly these. @default {}
   */
  readonly secrets?: Readonly<Record<string, AwsExistingSecret>>;
}

/** A secret already in Secrets Manager. */
export interface AwsExistingSecret {
  /** The secret's whole ARN, with the six characters Secrets Manager appends to its name (the hosts' policy names it). */
  readonly arn: string;
  /** For a secret holding a JSON document: the key of the value. @default - the whole secret string */
  readonly jsonKey?: string;
}

/** A Secrets Manager secret's whole ARN: `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6 characters>`. */
export const SECRET_ARN = /^arn:aws(?:-[a-z]+)*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;

/** AWS commercial regions with at least two availability zones. */
export const AWS_REGIONS = [
  "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
  "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1",
  "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
  "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
];

/** `<family>.<size>`, the size with an optional suffix (`m7i.large`, `m7i-flex.xlarge`, `m7i.metal-24xl`). */
const FAMILY_SIZE = "[a-z][a-z0-9-]*\\.[a-z0-9]+(?:-[a-z0-9]+)?";
/** An EC2 instance type; not an RDS or ElastiCache class. */
export const EC2_INSTANCE_TYPE = new RegExp(`^(?!db\\.|cache\\.)${FAMILY_SIZE}$`);
/** An RDS DB instance class, `db.<family>.<size>` (`db.m7g.2xlarge`, `db.t4g.small`). */
export const RDS_INSTANCE_CLASS = new RegExp(`^db\\.${FAMILY_SIZE}$`);
/** An ElastiCache node type, `cache.<family>.<size>` (`cache.m7g.large`, `cache.t4g.small`). */
export const CACHE_NODE_TYPE = new RegExp(`^cache\\.${FAMILY_SIZE}$`);

/** What each size table's entries must look like, and an example of one. */
const SIZE_FORMATS = {
  compute: { pattern: EC2_INSTANCE_TYPE, what: 'an AWS instance type such as "m7i.large"' },
  postgres: { pattern: RDS_INSTANCE_CLASS, what: 'an RDS instance class such as "db.m7g.2xlarge"' },
  cache: { pattern: CACHE_NODE_TYPE, what: 'an ElastiCache node type such as "cache.m7g.large"' },
} as const;

/**
 * Whether an EC2 instance type runs on AWS Graviton (arm64): `a1`, and the families whose
 * generation digit is followed by `g` (`m7g`, `c7gn`, `t4g`, `r8gd`, `x2gd`, `im4gn`,
 * `is4gen`, `hpc7g`, `g5g`); `g4dn` and `m7i-flex` are x86_64.
 */
export function isGravitonType(type: string): boolean {
  const family = type.split(".")[0];
  return family === "a1" || /^[a-z]+\d+g[a-z0-9]*$/.test(family);
}

/**
 * The architecture the pools' image boots: Canonical's amd64 Ubuntu when `aws.imageId` is
 * not set (UBUNTU_AMI in compute-pool.ts, whose SSM path says `amd64`); an SSM path's own
 * `/arm64/` or `/amd64/`; unknown for an AMI id.
 */
export function imageArchitecture(imageId: string | undefined): "arm64" | "x86_64" | undefined {
  if (imageId === undefined) return "x86_64";
  if (/\/arm64\//.test(imageId)) return "arm64";
  if (/\/amd64\//.test(imageId)) return "x86_64";
  return undefined;
}

/** "Each Region has at least three Availability Zones" (AWS's Availability Zones page). */
const AWS_DOCUMENTED_ZONES = 3;

/**
 * Availability zones an account can use in each region. AWS documents "Each Region has at
 * least three Availability Zones" (docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html),
 * which is MAX_ZONES, so three everywhere but us-west-1, where accounts created since about
 * 2013 see two of its three (the third is closed to new customers). A network asking for more
 * zones than the region has would put two subnets of a tier in one zone without a word
 * (the subnets take `element(names, i)`, which wraps around).
 */
export const AWS_REGION_ZONES: Readonly<Record<string, number>> = Object.fromEntries(AWS_REGIONS.map((r) => [r, r === "us-west-1" ? 2 : AWS_DOCUMENTED_ZONES]));

/** The neutral fields the AWS rules also look at. */
export interface AwsValidationContext {
  readonly environment: string;
  readonly zones: number;
  /** The secrets the spec declares (`application.secrets`, the registry password), with their paths. */
  readonly secrets: readonly { name: string; path: string; source: { source: string } }[];
  /** `application.image`, and whether `application.registry` gives a login. */
  readonly image?: unknown;
  readonly registryLogin: boolean;
  /** `network.cidr`, which the recovery network must stay apart from. */
  readonly networkCidr?: string;
  /** `application.settings`, whose size the hosts' environment document must hold. */
  readonly settings?: Readonly<Record<string, unknown>>;
}

/**
 * What the application's own settings and secrets may take of a host's environment
 * document: the document is one SSM parameter, at most 8 KB (the Advanced tier, which
 * Intelligent-Tiering picks above Standard's 4 KB: docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html),
 * and the topology's own settings take up to 4 KB of it with every reference at its
 * longest (a test holds the shipped documents to that).
 */
export const APPLICATION_ENVIRONMENT_BYTES = 4096;
/** A secret's entry at its longest: `{"id":"<ARN>","jsonKey":"<name>"}`. */
const SECRET_ENTRY_BYTES = 320;

/** The bytes the application's settings and secrets add to a host's environment document (JSON). */
export function applicationEnvironmentBytes(settings: Readonly<Record<string, unknown>>, secretNames: readonly string[]): number {
  const settingBytes = Object.entries(settings).reduce((sum, [name, value]) => sum + JSON.stringify(name).length + JSON.stringify(String(value)).length + 2, 0);
  return settingBytes + secretNames.reduce((sum, name) => sum + JSON.stringify(name).length + 2 + SECRET_ENTRY_BYTES, 0);
}

/** The recovery network's block: given with the region (and only then), a private /16 to /19 apart from the site's network. */
function disasterRecoveryCidr(v: SpecValidator, settings: AwsSettings, networkCidr: string | undefined): void {
  const cidr = settings.disasterRecoveryCidr;
  if (settings.disasterRecoveryRegion !== undefined && cidr === undefined) {
    v.fail("aws.disasterRecoveryCidr", "is required with aws.disasterRecoveryRegion: the recovery network's own private block, a /16 to /19 apart from network.cidr (so the two can be peered)");
    return;
  }
  if (cidr === undefined) return;
  if (settings.disasterRecoveryRegion === undefined) {
    v.fail("aws.disasterRecoveryCidr", "is only used with aws.disasterRecoveryRegion");
    return;
  }
  if (!checkInputs(v, "aws", { disasterRecoveryCidr: cidr }, DISASTER_RECOVERY_INPUTS).has("disasterRecoveryCidr")) return;
  if (networkCidr !== undefined && isIpv4Cidr(networkCidr) && cidrsOverlap(cidr, networkCidr)) {
    v.fail("aws.disasterRecoveryCidr", `must not overlap network.cidr ("${networkCidr}"), so that the two networks can be peered, got "${cidr}"`);
  }
}

/** AWS's own limits on a spec. */
export function validateAwsSettings(settings: AwsSettings | undefined, ctx: AwsValidationContext): ValidationIssue[] {
  const v = new SpecValidator(ctx.environment);
  if (settings === undefined) {
    v.fail("aws", "is required to synthesise an AWS stack");
    return [...v.issues];
  }
  if (!v.fields("aws", settings, fieldsOf<AwsSettings>({ region: true, allowedAccountIds: true, natGateways: true, hostedZoneId: true, imageId: true, sizes: true, cdnPriceClass: true, secrets: true, disasterRecoveryRegion: true, disasterRecoveryCidr: true }))) return [...v.issues];
  if (settings.sizes !== undefined) v.fields("aws.sizes", settings.sizes, fieldsOf<NonNullable<AwsSettings["sizes"]>>({ compute: true, postgres: true, cache: true }));
  v.oneOf("aws.region", settings.region, AWS_REGIONS);
  if (settings.disasterRecoveryRegion !== undefined && v.oneOf("aws.disasterRecoveryRegion", settings.disasterRecoveryRegion, AWS_REGIONS) && settings.disasterRecoveryRegion === settings.region) {
    v.fail("aws.disasterRecoveryRegion", `must differ from aws.region ("${settings.region}")`);
  }
  disasterRecoveryCidr(v, settings, ctx.networkCidr);
  settings.allowedAccountIds?.forEach((id, i) => v.matches(`aws.allowedAccountIds[${i}]`, id, /^\d{12}$/, "a 12-digit AWS account id"));
  checkInputs(v, "aws", settings, AWS_INPUTS);
  if (settings.hostedZoneId !== undefined) v.matches("aws.hostedZoneId", settings.hostedZoneId, /^Z[A-Z0-9]{1,31}$/, 'a Route 53 hosted zone id such as "Z0123456789ABCDEFGHIJ"');
  if (settings.imageId !== undefined) {
    v.matches("aws.imageId", settings.imageId, /^(ami-[0-9a-f]{8,17}|resolve:ssm:\/[\w./-]+)$/, 'an AMI id ("ami-0123456789abcdef0") or "resolve:ssm:/<parameter>"');
  }
  const bytes = applicationEnvironmentBytes(ctx.settings ?? {}, ctx.secrets.map((secret) => secret.name));
  if (bytes > APPLICATION_ENVIRONMENT_BYTES) {
    v.fail(
      "application.settings",
      `and application.secrets take ${bytes} bytes of the hosts' environment, which AWS hosts read from one SSM parameter of 8 KB at most, half of it the topology's own: at most ${APPLICATION_ENVIRONMENT_BYTES} bytes (move large values into a file in the image, or into one secret)`,
    );
  }
  for (const table of ["compute", "postgres", "cache"] as const) {
    for (const [size, type] of Object.entries(settings.sizes?.[table] ?? {})) {
      if (!["small", "medium", "large", "xlarge"].includes(size)) {
        v.fail(`aws.sizes.${table}.${size}`, `is not a size: use small, medium, large or xlarge`);
      } else if (!SIZE_FORMATS[table].pattern.test(type ?? "")) {
        v.fail(`aws.sizes.${table}.${size}`, `must be ${SIZE_FORMATS[table].what}, got ${show(type)}`);
      }
    }
  }
  architecture(v, settings);
  existingSecrets(v, settings.secrets, ctx.secrets);
  registry(v, ctx);
  if (ctx.zones < AWS_MIN_ZONES) {
    v.fail("network.zones", `must be at least ${AWS_MIN_ZONES} on AWS (load balancers and database subnet groups span two zones), got ${ctx.zones}`);
  }
  const regionZones = AWS_REGION_ZONES[settings.region];
  // More than three zones is the neutral rule's to report (network.zones, 1 to MAX_ZONES).
  if (regionZones !== undefined && Number.isInteger(ctx.zones) && ctx.zones > regionZones && ctx.zones <= AWS_DOCUMENTED_ZONES) {
    v.fail("network.zones", `must be at most ${regionZones} in ${settings.region}, whose accounts have ${regionZones} availability zones, got ${ctx.zones}`);
  }
  return [...v.issues];
}

/** `aws.secrets`: one whole ARN for each `existing` secret the spec declares, and for nothing else. */
function existingSecrets(v: SpecValidator, given: AwsSettings["secrets"], declared: AwsValidationContext["secrets"]): void {
  const existing = declared.filter((s) => s.source?.source === "existing");
  if (given !== undefined && (typeof given !== "object" || given === null || Array.isArray(given))) {
    v.fail("aws.secrets", `must be an object of secret names and where they live, got ${show(given)}`);
    return;
  }
  for (const [name, where] of Object.entries(given ?? {})) {
    const path = `aws.secrets.${name}`;
    if (!existing.some((s) => s.name === name)) {
      v.fail(path, `names no secret whose source is "existing"; those are: ${existing.map((s) => s.name).join(", ") || "none"}`);
      continue;
    }
    if (!v.fields(path, where, fieldsOf<AwsExistingSecret>({ arn: true, jsonKey: true }))) continue;
    v.matches(`${path}.arn`, where.arn, SECRET_ARN, 'a Secrets Manager secret\'s whole ARN, "arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>"');
    if (where.jsonKey !== undefined) v.nonEmpty(`${path}.jsonKey`, where.jsonKey);
  }
  for (const s of existing) {
    if (!Object.prototype.hasOwnProperty.call(given ?? {}, s.name)) v.fail(`${s.path}.source`, `is "existing", but aws.secrets.${s.name} does not say which Secrets Manager secret holds it`);
  }
}

/** ECR images are pulled with the hosts' role, any other private image with a login. */
function registry(v: SpecValidator, ctx: AwsValidationContext): void {
  if (typeof ctx.image !== "string") return;
  const server = imageRegistry(ctx.image);
  if (ECR_REGISTRY.test(server) && ctx.registryLogin) {
    v.fail("application.registry", `is not used with an ECR image on AWS: the hosts pull ${server} with their role, which may pull exactly that repository; remove application.registry`);
  } else if (server === DOCR_REGISTRY && !ctx.registryLogin) {
    v.fail("application.image", `is in DigitalOcean Container Registry ("${server}"), which AWS hosts can only log in to with application.registry (a DigitalOcean API token with read access as password)`);
  }
}

/** The compute pools' instance types must run the image's architecture (RDS and ElastiCache are managed: any). */
function architecture(v: SpecValidator, settings: AwsSettings): void {
  const arch = imageArchitecture(settings.imageId);
  if (arch === undefined) return; // an AMI id: its architecture is not in the spec
  const overrides = settings.sizes?.compute ?? {};
  const image = settings.imageId === undefined ? "Canonical's Ubuntu 24.04 for amd64 (the default image)" : `${arch === "arm64" ? "an arm64" : "an amd64"} image (${show(settings.imageId)})`;
  for (const [size, type] of Object.entries({ ...AWS_COMPUTE_SIZES, ...overrides })) {
    if (typeof type !== "string" || !EC2_INSTANCE_TYPE.test(type) || isGravitonType(type) === (arch === "arm64")) continue;
    const path = size in overrides ? `aws.sizes.compute.${size}` : "aws.imageId";
    if (arch === "x86_64") {
      v.fail(
        path,
        `is ${show(type)}, a Graviton (arm64) instance type, but the pools boot ${image}: use an x86_64 type such as "m7i.large", or set aws.imageId to an arm64 AMI ("resolve:ssm:/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id") with application.image built for linux/arm64`,
      );
    } else if (size in overrides) {
      v.fail(path, `is ${show(type)}, an x86_64 instance type, but the pools boot ${image}: use a Graviton (arm64) type such as "m7g.large"`);
    } else {
      v.fail(path, `is ${image}, but the shipped compute size ${size} is ${show(type)}, an x86_64 instance type: set aws.sizes.compute.${size} to a Graviton type such as "m7g.large"`);
    }
  }
}
