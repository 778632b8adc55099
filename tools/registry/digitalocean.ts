import { Fn, Op, Token } from "cdktf";
import { DatabaseReplica } from "@cdktf/provider-digitalocean/lib/database-replica";
import { DEFAULTS, SIZES, choose, pick } from "../../modules/core";
import { CACHE_INPUTS, NETWORK_PREFIX, POSTGRES_INPUTS, POSTGRES_STORAGE_GIB } from "../../modules/django/validate";
import { DATABASE_NAME, DATABASE_USER } from "../../modules/django/topology";
import { DoCache } from "../../modules/digitalocean/cache";
import { DoNetwork, ExistingDoNetwork } from "../../modules/digitalocean/network";
import { DoObjectStore } from "../../modules/digitalocean/object-store";
import { DO_BACKUP_DAYS, DoPostgres } from "../../modules/digitalocean/postgres";
import { DO_INPUTS, DO_REGIONS, DO_SIZE_SLUG, DO_UUID } from "../../modules/digitalocean/settings";
import { DO_CACHE_SIZES, DO_DATABASE_PORT, DO_POOL_PORT, DO_POSTGRES_SIZES, DO_VALKEY_PORT } from "../../modules/digitalocean/sizes";
import { ModuleDefinition, ModuleVariable, ProviderRequirement, RANDOM } from "./definition";
import {
  cidrVariable,
  corsOriginsVariable,
  dataProtectionNote,
  declaredVariable,
  deletionProtectionVariable,
  domainVariable,
  eachMatchesRule,
  machineTypeVariable,
  matchesRule,
  minLengthRule,
  namePrefixVariable,
  oneOfRule,
  patternVariable,
  sizeVariable,
  wholeNumberRule,
} from "./variables";

/*
 * The DigitalOcean tiers as standalone modules. Inputs that mean what an AWS module's
 * mean carry the same names (name_prefix, size, replicas, pooling, ...), so callers can
 * move between the clouds' modules; DigitalOcean's own inputs use its terms (region,
 * vpc_uuid, droplet tags).
 */

/** The DigitalOcean provider; the caller configures it (`DIGITALOCEAN_TOKEN`, and `SPACES_ACCESS_KEY_ID`/`SPACES_SECRET_ACCESS_KEY` for Spaces). */
export const DIGITALOCEAN: ProviderRequirement = { name: "digitalocean", binding: "@cdktf/provider-digitalocean" };

/** The region every resource of the module lives in. */
export const regionVariable: ModuleVariable = declaredVariable(
  "region",
  DO_INPUTS.region,
  `The DigitalOcean region: one with droplets, load balancers, managed databases and Spaces (${DO_REGIONS.join(", ")}).`,
);

/** The VPC a tier joins, e.g. `cloudtiers-network`'s `vpc_uuid`. */
export const vpcUuidVariable = patternVariable(
  "vpc_uuid",
  "The VPC the tier joins (its id, a UUID); it must be in `region`.",
  DO_UUID,
  'a VPC id (a UUID such as "c2a5e4f0-1b3d-4e6f-8a9b-0c1d2e3f4a5b")',
  "c2a5e4f0-1b3d-4e6f-8a9b-0c1d2e3f4a5b",
);

/** The project resources join; null keeps the account's default project. */
export const projectIdVariable: ModuleVariable = declaredVariable("projectId", DO_INPUTS.projectId, "The DigitalOcean project the resources join (a UUID); the account's default project when null.");

/** DigitalOcean's tag names: letters, digits, colons, dashes and underscores, at most 255. */
export const DROPLET_TAG = /^[A-Za-z0-9:_-]{1,255}$/;

/** The droplet tags a database's trusted sources name: the application hosts'. */
function allowedDropletTags(what: string): ModuleVariable {
  return {
    name: "allowed_droplet_tags",
    type: "list(string)",
    description:
      `Droplet tags whose droplets may connect to ${what} (the application hosts' tags, e.g. \`cloudtiers-compute-pool\`'s). ` +
      "Nothing else can; at least one, as a managed database without trusted sources accepts every address.",
    validation: [
      minLengthRule("allowed_droplet_tags", 1, "droplet tag"),
      eachMatchesRule("allowed_droplet_tags", DROPLET_TAG, "a droplet tag (letters, digits, colons, dashes and underscores)"),
    ],
    example: ["shop-production-app", "shop-production-worker"],
  };
}

function nodeSizeVariable(description: string, example: string): ModuleVariable {
  return machineTypeVariable("node_size", description, DO_SIZE_SLUG, `a DigitalOcean size slug such as "${example}"`);
}

/**
 * DigitalOcean's databases have nothing a `deletion_protection` variable could switch (no
 * flag, no final snapshot), so their modules have none. The constructs still take one: a
 * reference sets no literal `prevent_destroy` either (see the modules' notes).
 */
const NOTHING_TO_SWITCH = Token.nullValue() as unknown as boolean;

/** What the database modules cannot protect, and where to protect them instead. */
function noDeletionProtectionNote(what: string): string {
  return (
    `No \`deletion_protection\` input: DigitalOcean's managed databases have no deletion-protection flag and take no final snapshot, ` +
    "and Terraform takes `prevent_destroy` only as a literal, so a module cannot refuse to destroy " +
    `${what} (the cloudtiers stacks set \`prevent_destroy\` in production): guard production state at the workspace instead ` +
    "(cloudtiers' Terraform Cloud bootstrap turns destroy plans off there)."
  );
}

const POSTGRES_IDENTIFIER = /^[a-z][a-z0-9_]{0,62}$/;

/** The VPC of every DigitalOcean tier, as `DoNetwork` builds it for the stacks. */
export const DO_NETWORK_MODULE: ModuleDefinition = {
  name: "cloudtiers-network",
  provider: "digitalocean",
  description:
    "A DigitalOcean VPC in one region: the private network the droplets, load balancers and managed databases of the other tiers join. " +
    "Tiers are kept apart by firewalls naming droplet tags and by databases' trusted sources, not by subnets.",
  providers: [DIGITALOCEAN],
  variables: [
    namePrefixVariable("shop-production"),
    regionVariable,
    cidrVariable(`The VPC's IPv4 range (\`ip_range\`), a /${NETWORK_PREFIX.min} to /${NETWORK_PREFIX.max}; it must not overlap another VPC of the account.`, "10.30.0.0/16"),
  ],
  build(scope, inputs) {
    const network = new DoNetwork(scope, "network", {
      namePrefix: inputs.name_prefix.string,
      cidr: inputs.cidr.string,
      // PROVIDER GAP: a region is one failure domain; DoNetwork spans one zone whatever this says.
      zones: 1,
      region: inputs.region.string,
    });
    return [
      { name: "vpc_uuid", description: "The VPC's id: the other DigitalOcean modules' `vpc_uuid`.", value: network.vpcId },
      { name: "vpc_urn", description: "The VPC's URN.", value: network.vpc.urn },
      { name: "cidr", description: "The VPC's range.", value: network.vpc.ipRange },
      { name: "region", description: "The VPC's region.", value: network.region },
    ];
  },
  notes: [
    "DigitalOcean has no availability zones (the AWS module's `zones`): a region is one failure domain. " +
      "A VPC has no subnets and no route tables, so there are no public, private and database subnet tiers, no NAT gateways and no S3-style endpoint: " +
      "droplets keep their public interface for egress, and each tier's firewall or trusted sources decide what may connect.",
  ],
};

/** DigitalOcean managed PostgreSQL, as `DoPostgres` builds it for the stacks. */
export const DO_POSTGRES_MODULE: ModuleDefinition = {
  name: "cloudtiers-postgres",
  provider: "digitalocean",
  description:
    "DigitalOcean managed PostgreSQL for Django on a VPC: a cluster (a standby node when highly available; TLS always), `replicas` read replicas in the same region, " +
    "an optional disaster-recovery replica in another region, a PgBouncer pool in transaction mode as the write endpoint when pooling is on, " +
    "and the application's database and user. The cluster and every replica trust only the droplet tags you name.",
  providers: [DIGITALOCEAN],
  variables: [
    namePrefixVariable("shop-production"),
    regionVariable,
    vpcUuidVariable,
    allowedDropletTags("the cluster, its replicas and its pool"),
    sizeVariable("size", "the primary (and standby)"),
    {
      ...sizeVariable("replica_size", "each read replica"),
      default: null,
      validation: [oneOfRule("replica_size", SIZES, true)],
      description: `Size of each read replica: ${SIZES.join(", ")}, at least \`size\` (DigitalOcean's read-only nodes cannot be smaller than the primary); the primary's when null.`,
    },
    nodeSizeVariable("DigitalOcean size slug of the primary (and standby); overrides `size`.", "db-s-2vcpu-4gb"),
    declaredVariable("version", POSTGRES_INPUTS.version, "PostgreSQL major version.", "engine_version"),
    declaredVariable("highAvailability", POSTGRES_INPUTS.highAvailability, "A standby node that takes over on failure (`node_count` 2)."),
    declaredVariable("replicas", POSTGRES_INPUTS.replicas, "Read replicas that follow the primary, in `region`."),
    declaredVariable("pooling", POSTGRES_INPUTS.pooling, "A PgBouncer pool in transaction mode in front of the primary, as the application's write endpoint."),
    { name: "database_name", type: "string", description: "The application database.", default: DATABASE_NAME, validation: [matchesRule("database_name", POSTGRES_IDENTIFIER, "a PostgreSQL identifier (lower-case letters, digits and _)")] },
    { name: "username", type: "string", description: "The application's database user.", default: DATABASE_USER, validation: [matchesRule("username", POSTGRES_IDENTIFIER, "a PostgreSQL identifier (lower-case letters, digits and _)")] },
    declaredVariable("disasterRecoveryRegion", DO_INPUTS.disasterRecoveryRegion, "One more read replica in this other region, for disaster recovery (not for reads); none when null."),
    projectIdVariable,
  ],
  build(scope, inputs) {
    const size = inputs.size.string;
    const replicaSize = Fn.coalesce([inputs.replica_size.string, size]);
    const region = inputs.region.string;
    const disasterRecoveryRegion = inputs.disaster_recovery_region.string;
    const postgres = new DoPostgres(scope, "postgres", {
      namePrefix: inputs.name_prefix.string,
      network: new ExistingDoNetwork(inputs.vpc_uuid.string, region, ""),
      size: size as never,
      replicaSize: replicaSize as never,
      version: inputs.engine_version.string,
      // Unused: a DigitalOcean cluster's storage is its node size's.
      storageGiB: POSTGRES_STORAGE_GIB.min,
      highAvailability: inputs.high_availability.boolean,
      replicas: inputs.replicas.number,
      pooling: inputs.pooling.boolean,
      // DigitalOcean's fixed window: no variable, no warning.
      backupRetentionDays: DO_BACKUP_DAYS,
      databaseName: inputs.database_name.string,
      username: inputs.username.string,
      deletionProtection: NOTHING_TO_SWITCH,
      nodeSize: Fn.coalesce([inputs.node_size.string, pick(DO_POSTGRES_SIZES, size)]),
      replicaNodeSize: pick(DO_POSTGRES_SIZES, replicaSize),
      projectId: inputs.project_id.string,
      disasterRecoveryRegion,
    });
    postgres.allowFromTags(inputs.allowed_droplet_tags.list);

    // What the spec validator checks across fields, which variables of Terraform 1.5 cannot: checked at plan.
    const atLeastPrimary = {
      condition: Op.gte(Fn.index(SIZES, replicaSize), Fn.index(SIZES, size)),
      errorMessage: "The replica_size must be at least size on DigitalOcean, whose read-only nodes cannot be smaller than the primary.",
    };
    setPreconditions(postgres.replicaNodes[0], [atLeastPrimary]);
    setPreconditions(postgres.disasterRecoveryReplica!, [
      atLeastPrimary,
      { condition: Op.neq(disasterRecoveryRegion, region), errorMessage: "The disaster_recovery_region must differ from region." },
    ]);

    const poolerHost = postgres.pooler!.host;
    return [
      { name: "primary_host", description: "The primary's private host name, for writes.", value: postgres.primary.host },
      { name: "replica_hosts", description: "The read replicas' private host names, in order (they have no pools: connect on `port`).", value: postgres.replicaHosts },
      { name: "pooler_host", description: "The pool's private host name when pooling is on, else null.", value: poolerHost },
      { name: "write_host", description: "Where the application writes: the pool when pooling is on, else the primary.", value: Fn.coalesce([poolerHost, postgres.primary.host]) },
      { name: "port", description: "The port of direct connections to the primary and the replicas (TLS required).", value: DO_DATABASE_PORT },
      { name: "write_port", description: "The port of `write_host`: the pool's when pooling is on, else `port`.", value: choose(inputs.pooling.boolean, DO_POOL_PORT, DO_DATABASE_PORT) },
      { name: "database_name", description: "The application database.", value: postgres.databaseName },
      { name: "username", description: "The application's database user.", value: postgres.username },
      { name: "password", description: "The user's password (DigitalOcean has no secret store: it lives in Terraform state).", value: postgres.password.id, sensitive: true },
      { name: "cluster_id", description: "The database cluster.", value: postgres.cluster.id },
      { name: "cluster_urn", description: "The database cluster's URN.", value: postgres.cluster.urn },
    ];
  },
  notes: [
    noDeletionProtectionNote("the cluster, its replicas, its database or its user"),
    "The application's user is made through DigitalOcean's API and gets no rights on the database's schema `public` (PostgreSQL 15+): unlike the cloudtiers stacks, whose one-off droplet makes it the owner of its database, " +
      "this module runs no database setup. Before the first migration, run the setup's SQL (cloudtiers' `databaseRoleSetup`) as `doadmin` from inside the VPC, or `GRANT CREATE ON SCHEMA public` to the user.",
    `No \`backup_retention_days\` and no \`storage_gib\` (the AWS module's): DigitalOcean keeps daily backups and point-in-time recovery for ${DO_BACKUP_DAYS} days whatever is asked, ` +
      "and the cluster keeps its node size's storage, as the cloudtiers stacks do.",
    "`high_availability` adds a standby node in the same region: DigitalOcean has no zones to spread over.",
    "Replicas are one counted resource (`digitalocean_database_replica.postgres_replica[*]`), each with its trusted sources (`digitalocean_database_firewall.postgres_trusted_sources_replica[*]`): " +
      "lowering `replicas` removes the last ones. Replicas have no pools of their own, so reads connect to them directly on `port`.",
    "`replica_size` must be at least `size`, and `disaster_recovery_region` must differ from `region`: Terraform 1.5's variables cannot compare two inputs, so preconditions on the replicas refuse these at plan. " +
      "The pool's size follows `size`, also when `node_size` overrides the primary's slug.",
    "The password is an attribute in Terraform state, output as `password` (sensitive): keep state encrypted and access to it narrow.",
  ],
};

/** Sets the preconditions of a replica the module builds (no `lifecycle` of its own: see `NOTHING_TO_SWITCH`). */
function setPreconditions(replica: DatabaseReplica, conditions: readonly { condition: unknown; errorMessage: string }[]): void {
  replica.lifecycle = { precondition: [...conditions] };
}

/** DigitalOcean managed Valkey, as `DoCache` builds it for the stacks. */
export const DO_CACHE_MODULE: ModuleDefinition = {
  name: "cloudtiers-cache",
  provider: "digitalocean",
  description:
    "DigitalOcean managed Valkey for Django's cache, sessions and Celery broker, on a VPC: TLS always, a password, a standby node when highly available, " +
    "and trusted sources naming only the droplet tags you give. Eviction is `volatile_lru`: cache entries (which expire) make room, Celery's queues (which do not) are never evicted.",
  providers: [DIGITALOCEAN],
  variables: [
    namePrefixVariable("shop-production"),
    regionVariable,
    vpcUuidVariable,
    allowedDropletTags("the cache"),
    sizeVariable("size", "the cache nodes"),
    nodeSizeVariable("DigitalOcean size slug of the cache nodes; overrides `size`.", "db-s-1vcpu-2gb"),
    declaredVariable("version", CACHE_INPUTS.version, "Valkey major version.", "engine_version"),
    declaredVariable("highAvailability", CACHE_INPUTS.highAvailability, "A standby node that takes over on failure (`node_count` 2)."),
    projectIdVariable,
  ],
  build(scope, inputs) {
    const cache = new DoCache(scope, "cache", {
      namePrefix: inputs.name_prefix.string,
      network: new ExistingDoNetwork(inputs.vpc_uuid.string, inputs.region.string, ""),
      size: inputs.size.string as never,
      version: inputs.engine_version.string,
      highAvailability: inputs.high_availability.boolean,
      deletionProtection: NOTHING_TO_SWITCH,
      nodeSize: Fn.coalesce([inputs.node_size.string, pick(DO_CACHE_SIZES, inputs.size.string)]),
      projectId: inputs.project_id.string,
    });
    cache.allowFromTags(inputs.allowed_droplet_tags.list);
    return [
      { name: "host", description: "The cache's private host name.", value: cache.endpoint.host },
      { name: "port", description: "The port (TLS).", value: DO_VALKEY_PORT },
      { name: "url", description: "A `rediss://` URL without the password: Django and Celery add `password`.", value: `rediss://${cache.endpoint.host}:${DO_VALKEY_PORT}/0` },
      { name: "password", description: "The password (DigitalOcean has no secret store: it lives in Terraform state).", value: cache.password.id, sensitive: true },
      { name: "cluster_id", description: "The database cluster.", value: cache.cluster.id },
      { name: "cluster_urn", description: "The database cluster's URN.", value: cache.cluster.urn },
    ];
  },
  notes: [
    noDeletionProtectionNote("the cache"),
    "`high_availability` adds a standby node in the same region: DigitalOcean has no zones to spread over.",
    "The password is an attribute in Terraform state, output as `password` (sensitive), not a secret in a store as on AWS.",
  ],
};

/** A Spaces bucket behind DigitalOcean's CDN for Django's media or static files, as `DoObjectStore` builds it. */
export const DO_OBJECT_STORE_MODULE: ModuleDefinition = {
  name: "cloudtiers-object-store",
  provider: "digitalocean",
  description:
    "A Spaces bucket for Django's media or static files (listing private, versioned with old versions expired, incomplete uploads aborted) behind DigitalOcean's CDN, " +
    "CORS for the origins you list, and a Spaces key limited to this bucket that the application signs its requests with.",
  providers: [DIGITALOCEAN, RANDOM],
  variables: [
    namePrefixVariable("shop-production"),
    regionVariable,
    { name: "purpose", type: "string", description: "What Django keeps there: `media` (uploads) or `static` (collected static files).", validation: [oneOfRule("purpose", ["media", "static"])], example: "media" },
    domainVariable(
      "cdn_domain",
      "The host name the files belong to, which makes the bucket's name unique (`<name_prefix>-<purpose>-<hash>`). DigitalOcean's CDN serves them on its own endpoint name, output as `cdn_domain`.",
      "media.example.com",
    ),
    corsOriginsVariable(),
    { name: "noncurrent_version_days", type: "number", description: "Days a replaced or deleted object's old version is kept.", default: DEFAULTS.objectStore.noncurrentVersionDays, validation: [wholeNumberRule("noncurrent_version_days", 1, 3650)] },
    projectIdVariable,
    deletionProtectionVariable("the bucket (no force_destroy)"),
  ],
  build(scope, inputs) {
    const store = new DoObjectStore(scope, "store", {
      namePrefix: inputs.name_prefix.string,
      purpose: inputs.purpose.string as never,
      cdnDomain: inputs.cdn_domain.string,
      corsOrigins: inputs.cors_origins.list,
      noncurrentVersionDays: inputs.noncurrent_version_days.number,
      deletionProtection: inputs.deletion_protection.boolean,
      region: inputs.region.string,
      projectId: inputs.project_id.string,
    });
    return [
      { name: "bucket_name", description: "The bucket (AWS_STORAGE_BUCKET_NAME).", value: store.bucketName },
      { name: "region", description: "The bucket's region (AWS_S3_REGION_NAME).", value: store.region },
      { name: "endpoint_url", description: "The Spaces endpoint (AWS_S3_ENDPOINT_URL).", value: store.endpointUrl },
      { name: "cdn_domain", description: "The CDN's endpoint name (AWS_S3_CUSTOM_DOMAIN).", value: store.cdnDomain },
      { name: "object_acl", description: "The ACL objects need (AWS_DEFAULT_ACL): the CDN reads them anonymously.", value: store.objectAcl },
      { name: "access_key_id", description: "The Spaces key limited to the bucket (AWS_ACCESS_KEY_ID).", value: store.accessKey.id },
      { name: "secret_access_key", description: "Its secret (AWS_SECRET_ACCESS_KEY), kept in Terraform state.", value: store.accessKey.secret.id, sensitive: true },
      { name: "cdn_id", description: "The CDN endpoint, for cache purges.", value: store.cdn.id },
    ];
  },
  notes: [
    dataProtectionNote("the bucket: `force_destroy` stays off, so Terraform cannot delete it while it holds objects; versions keep overwritten and deleted objects for `noncurrent_version_days`"),
    "The CDN serves on its own endpoint name, not `cdn_domain`: a custom name needs a publicly trusted certificate (DigitalOcean's CDN refuses Cloudflare Origin CA certificates), " +
      "so the AWS module's `zone_id` and `certificate_arn` have no counterpart here, nor does its `price_class`.",
    "Spaces has no origin access control: the CDN reads objects anonymously, so objects must be uploaded `public-read` (`object_acl`); the bucket's listing stays private.",
    "Hosts have no identity to grant access to (the AWS module's `read_write_role_ids`): every host given `access_key_id` and `secret_access_key` can read, write and delete the bucket's objects.",
  ],
};
