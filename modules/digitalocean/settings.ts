import { ECR_REGISTRY, SIZES, Size, SizeMapOverride, SpecValidator, ValidationIssue, cidrRange, cidrWithin, cidrsCoverAll, cidrsOverlap, fieldsOf, imageRegistry, isIpv4Cidr, show } from "../core";
import { InputDeclarations, checkInputs } from "../django/validate";

/** How long an autoscale pool waits after a droplet's shutdown event before it destroys it (DigitalOcean's autoscale pool docs). */
export const DO_SHUTDOWN_SECONDS = 60;

/** What a pool's revision tag adds to its name, `<pool>-rev-<hash of its user data>` (DoComputePool, `npm run rollout`). */
export { REVISION_TAG_INFIX } from "../naming/resource-names";

/** Settings only the DigitalOcean stacks read: the `digitalocean` section of an environment spec. */
export interface DigitalOceanSettings {
  /** The region of every resource, e.g. `fra1` (one with Spaces and managed databases). */
  readonly region: string;
  /**
   * SSH keys (ids or fingerprints) installed on droplets. Autoscale pools require at least
   * one; port 22 stays closed at the firewall unless `adminCidrs` opens it.
   */
  readonly sshKeys: readonly string[];
  /** Addresses SSH is allowed from. @default - none: SSH closed */
  readonly adminCidrs?: readonly string[];
  /** The project every resource joins. @default - the account's default project */
  readonly projectId?: string;
  /** A read replica in this other region, for disaster recovery (not used for reads). @default - none */
  readonly disasterRecoveryRegion?: string;
  /** Load balancer size units (1-100; each about 10,000 connections/s). @default 1 */
  readonly loadBalancerSizeUnit?: number;
  /**
   * Where the hosts send their logs when the spec has `logs`: a syslog-over-TLS endpoint
   * (RFC 5425), `host:port`, e.g. Papertrail's `logs5.papertrailapp.com:12345`. Required
   * with `logs`: DigitalOcean keeps no logs for droplets.
   * @default - none
   * @see docs/operations.md#logs
   */
  readonly logDestination?: string;
  /** Overrides of the size tables, e.g. `{ compute: { large: "c-4" } }`. @default - the shipped tables */
  readonly sizes?: {
    /** The pools' droplet size slugs by size, e.g. `{ large: "c-4" }`. @default - the shipped table (`modules/digitalocean/sizes.ts`) */
    readonly compute?: SizeMapOverride;
    /** PostgreSQL's node size slugs by size, e.g. `{ large: "db-s-4vcpu-8gb" }`. @default - the shipped table (`modules/digitalocean/sizes.ts`) */
    readonly postgres?: SizeMapOverride;
    /** The cache's node size slugs by size, e.g. `{ large: "db-s-4vcpu-8gb" }`. @default - the shipped table (`modules/digitalocean/sizes.ts`) */
    readonly cache?: SizeMapOverride;
  };
}

/** Regions with droplets, load balancers, managed databases and Spaces. */
export const DO_REGIONS = ["ams3", "atl1", "blr1", "fra1", "lon1", "nyc3", "sfo3", "sgp1", "syd1", "tor1"];

/** A size slug, e.g. `db-s-2vcpu-4gb`. */
export const DO_SIZE_SLUG = /^[a-z0-9][a-z0-9-]*$/;
/**
 * A droplet size slug (`s-2vcpu-4gb`, `c-4`, `gd-2vcpu-8gb`, `so1_5-2vcpu-16gb`), not a
 * database size (`db-…`). Every droplet is x86_64, as the pools' image (DO_IMAGE) is.
 */
export const DO_DROPLET_SLUG = /^(?!db-)[a-z][a-z0-9_]*(?:-[a-z0-9]+)+$/;
/**
 * A managed database node size: `db-s-…`, `db-amd-…`, `db-intel-…` (shared CPU), or a
 * dedicated CPU plan named like its droplet (`gd-2vcpu-8gb`, `m-2vcpu-16gb`, `so1_5-2vcpu-16gb`).
 */
export const DO_DATABASE_SLUG = /^(?:db-[a-z0-9]+(?:-[a-z0-9]+)+|(?:gd|m|so1_5)-\d+vcpu-\d+gb(?:-intel)?)$/;

/** The private ranges of RFC 1918, the only ones a DigitalOcean VPC may use (the VPC API's `ip_range`). */
export const RFC1918_BLOCKS = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];
/**
 * Ranges DigitalOcean keeps for itself, in which no VPC may be created: 10.229.0.0/16 in
 * every region since 7 March 2025 (DigitalOcean release notes), and 10.244.0.0/16,
 * 10.245.0.0/16, 10.246.0.0/24 (its VPC planning guide, "DigitalOcean Reserved IP
 * Addresses and Ranges"; DOKS's pod and service defaults).
 */
export const DO_RESERVED_VPC_BLOCKS = ["10.229.0.0/16", "10.244.0.0/16", "10.245.0.0/16", "10.246.0.0/24"];
/**
 * The widest block `adminCidrs` may hold. IANA hands IPv4 space to the regional registries
 * a /8 at a time, so no one organisation's network is wider: a shorter prefix necessarily
 * lets in other organisations' hosts, which is no longer an administrators' network.
 */
export const ADMIN_CIDR_MIN_PREFIX = 8;

/** An SSH key DigitalOcean knows: its id, or its MD5 fingerprint. */
export const DO_SSH_KEY = /^([0-9a-f]{2}:){15}[0-9a-f]{2}$|^\d+$/;
/** A DigitalOcean id that is a UUID: projects, VPCs. */
export const DO_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Load balancer size units: each about 10,000 connections/s. */
export const DO_LB_SIZE_UNITS = { min: 1, max: 100 } as const;

/** What a `digitalocean` section gets for what it leaves out. */
export const DO_DEFAULTS = { loadBalancerSizeUnit: 1 } as const satisfies Pick<DigitalOceanSettings, "loadBalancerSizeUnit">;

/** The `digitalocean` section's fields that are one value each, declared once: the validator and the DigitalOcean modules' variables follow from them. */
export const DO_INPUTS: InputDeclarations<Pick<DigitalOceanSettings, "region" | "projectId" | "disasterRecoveryRegion" | "loadBalancerSizeUnit">> = {
  region: { constraint: { kind: "oneOf", values: DO_REGIONS }, example: "fra1" },
  projectId: { constraint: { kind: "pattern", pattern: DO_UUID, what: "a project id (a UUID)" }, optional: true },
  disasterRecoveryRegion: { constraint: { kind: "oneOf", values: DO_REGIONS }, optional: true },
  loadBalancerSizeUnit: { constraint: { kind: "integer", ...DO_LB_SIZE_UNITS }, default: DO_DEFAULTS.loadBalancerSizeUnit },
};

/** The neutral fields the DigitalOcean rules also look at. */
export interface DigitalOceanValidationContext {
  readonly environment: string;
  readonly poolMinimums: readonly { path: string; min: number }[];
  readonly postgresSize?: Size;
  readonly postgresReplicaSize?: Size;
  /** The secrets the spec declares (`application.secrets`, the registry password), with their paths. */
  readonly secrets: readonly { name: string; path: string; source: { source: string } }[];
  /** `application.image`. */
  readonly image?: unknown;
  /** `network.cidr`, the VPC's range, when the spec gives one. */
  readonly networkCidr?: unknown;
  /** Whether the spec ships its logs (`logs`). */
  readonly logs: boolean;
}

/** A syslog endpoint: a DNS name (TLS checks its certificate against it) and a port, 1 to 65535. */
export const LOG_DESTINATION = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]:(?:[1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])$/;

/** DigitalOcean's own limits on a spec. */
export function validateDigitalOceanSettings(settings: DigitalOceanSettings | undefined, ctx: DigitalOceanValidationContext): ValidationIssue[] {
  const v = new SpecValidator(ctx.environment);
  if (settings === undefined) {
    v.fail("digitalocean", "is required to synthesise a DigitalOcean stack");
    return [...v.issues];
  }
  const known = fieldsOf<DigitalOceanSettings>({ region: true, sshKeys: true, adminCidrs: true, projectId: true, disasterRecoveryRegion: true, loadBalancerSizeUnit: true, logDestination: true, sizes: true });
  if (!v.fields("digitalocean", settings, known)) return [...v.issues];
  if (settings.sizes !== undefined) v.fields("digitalocean.sizes", settings.sizes, fieldsOf<NonNullable<DigitalOceanSettings["sizes"]>>({ compute: true, postgres: true, cache: true }));
  const declared = checkInputs(v, "digitalocean", settings, DO_INPUTS);
  if (!Array.isArray(settings.sshKeys) || settings.sshKeys.length === 0) {
    v.fail("digitalocean.sshKeys", `must list at least one SSH key id or fingerprint (DigitalOcean autoscale pools require one), got ${show(settings.sshKeys)}`);
  } else {
    settings.sshKeys.forEach((k, i) => v.matches(`digitalocean.sshKeys[${i}]`, k, DO_SSH_KEY, 'an SSH key id or MD5 fingerprint ("ab:cd:...")'));
  }
  if (settings.adminCidrs !== undefined) adminCidrs(v, settings.adminCidrs);
  if (declared.has("disasterRecoveryRegion") && settings.disasterRecoveryRegion !== undefined && settings.disasterRecoveryRegion === settings.region) {
    v.fail("digitalocean.disasterRecoveryRegion", `must differ from digitalocean.region ("${settings.region}")`);
  }
  for (const table of ["compute", "postgres", "cache"] as const) {
    for (const [size, slug] of Object.entries(settings.sizes?.[table] ?? {})) {
      if (!["small", "medium", "large", "xlarge"].includes(size)) v.fail(`digitalocean.sizes.${table}.${size}`, "is not a size: use small, medium, large or xlarge");
      else if (table === "compute") v.matches(`digitalocean.sizes.${table}.${size}`, slug, DO_DROPLET_SLUG, 'a droplet size slug such as "s-4vcpu-8gb" (not a database size, "db-…")');
      else v.matches(`digitalocean.sizes.${table}.${size}`, slug, DO_DATABASE_SLUG, 'a managed database size slug such as "db-s-4vcpu-8gb" ("db-…", or a dedicated "gd-", "m-" or "so1_5-" plan)');
    }
  }
  if (isIpv4Cidr(ctx.networkCidr)) vpcRange(v, ctx.networkCidr);
  const { postgresSize: primary, postgresReplicaSize: replica } = ctx;
  if (primary && replica && SIZES.indexOf(replica) < SIZES.indexOf(primary)) {
    v.fail("postgres.replicaSize", `must be at least postgres.size ("${primary}") on DigitalOcean, whose read-only nodes cannot be smaller than the primary, got "${replica}"`);
  }
  if (typeof ctx.image === "string" && ECR_REGISTRY.test(imageRegistry(ctx.image))) {
    // PROVIDER GAP: droplets have no AWS identity, and ECR's passwords last 12 hours.
    v.fail("application.image", `is in Amazon ECR ("${imageRegistry(ctx.image)}"), which only AWS identities can log in to (its passwords last 12 hours): push it to DigitalOcean Container Registry or another registry for the DigitalOcean stack`);
  }
  for (const s of ctx.secrets.filter((s) => s.source?.source === "existing")) {
    // PROVIDER GAP: DigitalOcean has no secret store.
    v.fail(`${s.path}.source`, 'is "existing", but DigitalOcean has no secret store to hold it: use "variable" (a sensitive Terraform variable)');
  }
  if (settings.logDestination !== undefined) {
    v.matches("digitalocean.logDestination", settings.logDestination, LOG_DESTINATION, 'a syslog-over-TLS endpoint "host:port", such as "logs5.papertrailapp.com:12345"');
  } else if (ctx.logs) {
    v.fail("digitalocean.logDestination", 'is required with logs: DigitalOcean keeps no logs for droplets; name a syslog-over-TLS endpoint "host:port" to send them to');
  }
  for (const { path, min } of ctx.poolMinimums) {
    if (min < 1) v.fail(path, `must be at least 1 on DigitalOcean (autoscale pools keep one droplet at least), got ${min}`);
  }
  return [...v.issues];
}

/** `network.cidr` is the VPC's `ip_range`: private, and clear of what DigitalOcean keeps. */
function vpcRange(v: SpecValidator, cidr: string): void {
  if (!RFC1918_BLOCKS.some((b) => cidrWithin(cidr, b))) {
    v.fail("network.cidr", `must be a private (RFC 1918) block on DigitalOcean, inside ${RFC1918_BLOCKS.join(", ")}, got "${cidr}"`);
    return;
  }
  const reserved = DO_RESERVED_VPC_BLOCKS.filter((b) => cidrsOverlap(cidr, b));
  if (reserved.length > 0) {
    v.fail("network.cidr", `must not overlap the ranges DigitalOcean reserves (${DO_RESERVED_VPC_BLOCKS.join(", ")}), got "${cidr}", which overlaps ${reserved.join(", ")}`);
  }
}

/** SSH sources: CIDR blocks, none wider than a /8, not adding up to the whole internet. */
function adminCidrs(v: SpecValidator, given: readonly string[]): void {
  if (!Array.isArray(given)) {
    v.fail("digitalocean.adminCidrs", `must be a list of IPv4 CIDR blocks, got ${show(given)}`);
    return;
  }
  let wellFormed = true;
  given.forEach((c, i) => {
    if (!v.cidr(`digitalocean.adminCidrs[${i}]`, c)) wellFormed = false;
    else if (Number(c.split("/")[1]) < ADMIN_CIDR_MIN_PREFIX) {
      const [first, last] = cidrRange(c);
      v.fail(`digitalocean.adminCidrs[${i}]`, `must be a /${ADMIN_CIDR_MIN_PREFIX} or narrower block (administrators' own networks; IANA allocates nothing wider to one holder), got "${c}" (${last - first + 1} addresses)`);
    }
  });
  if (wellFormed && given.length > 0 && cidrsCoverAll(given)) {
    v.fail("digitalocean.adminCidrs", `must not cover the whole internet together (0.0.0.0/0), which would open SSH to anyone: list the networks administrators connect from, got ${show(given)}`);
  }
}
