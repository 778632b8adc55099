import { BROKER_ENGINES, DEFAULTS, SIZES, SpecValidator, ValidationIssue, fieldsOf, show } from "../core";
import { validateSiteNames } from "./names";
import { validateApplicationEnvironment } from "./secrets";
import { AlertsSpec, ApplicationSpec, BrokerSpec, CacheSpec, DjangoTopologyProps, FailoverSpec, FirewallSpec, LogsSpec, LAYOUTS, PoolSpec, separateAppTier, PostgresSpec, WorkerPoolSpec } from "./spec";

/** Names of applications and environments, and the resource name prefixes made of them. */
export const RESOURCE_NAME = /^[a-z][a-z0-9-]*[a-z0-9]$/;
/** A container image reference, e.g. `ghcr.io/acme/shop:1.4.2`; never starting with `-`, which `docker pull` would read as an option. */
export const CONTAINER_IMAGE = /^(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64}|@sha512:[a-f0-9]{128})?$/;
/** A WSGI callable, e.g. `shop.wsgi:application`. */
export const WSGI_CALLABLE = /^[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*(?::[A-Za-z_][\w]*)?$/;
/** A dotted Python module path, e.g. `shop.settings`. */
export const PYTHON_PATH = /^[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*$/;
/** An environment variable's name. */
export const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
/** The longest `<application>-<environment>` prefix: every cloud's resource names fit after it. */
export const MAX_NAME_PREFIX = 24;

export const POSTGRES_VERSIONS = ["15", "16", "17"];
/** A health check path: absolute, URL-safe. */
export const HEALTH_CHECK_PATH = /^\/[\w\-./]*$/;
/** The prefix lengths a network's block may have: room for every subnet tier in three zones. */
export const NETWORK_PREFIX = { min: 16, max: 19 } as const;
/** The most availability zones a network spans. */
export const MAX_ZONES = 3;
/** Allocated PostgreSQL storage, in GiB: the range every cloud's managed service takes. */
export const POSTGRES_STORAGE_GIB = { min: 20, max: 16384 } as const;
/** Days of automated PostgreSQL backups. */
export const BACKUP_RETENTION_DAYS = { min: 1, max: 35 } as const;
export const CACHE_VERSIONS = ["7", "8"];
export const MAX_REPLICAS = 5;
/** The longest maintenance page title or message (`failover.title`, `failover.message`), in characters. */
export const MAX_MAINTENANCE_TEXT = 500;
/** Hosts in a pool, at most. */
export const MAX_POOL_HOSTS = 100;
/** The average CPU a pool may scale to hold. */
export const CPU_TARGET_PERCENT = { min: 10, max: 90 } as const;
/** Celery worker processes per host. */
export const WORKER_CONCURRENCY = { min: 1, max: 64 } as const;
/** A worker's warm shutdown, in seconds: AWS's termination hook waits two hours at most. */
export const WORKER_STOP_SECONDS = { min: 10, max: 3600 } as const;

/** What values one input takes. */
export type InputConstraint =
  | { readonly kind: "oneOf"; readonly values: readonly string[] }
  | { readonly kind: "integer"; readonly min: number; readonly max: number }
  | { readonly kind: "boolean" }
  /** Text, not blank, of at most `maxLength` characters; `what` says where it goes. */
  | { readonly kind: "text"; readonly maxLength: number; readonly what: string }
  /** Text matching `pattern` (RE2-compatible: Terraform checks it too); `what` says what it is. */
  | { readonly kind: "pattern"; readonly pattern: RegExp; readonly what: string }
  /** A lower-case domain name. */
  | { readonly kind: "domain" }
  /** An IPv4 CIDR block whose prefix is `minPrefix` to `maxPrefix` bits. */
  | { readonly kind: "cidr"; readonly minPrefix: number; readonly maxPrefix: number };

/**
 * One field of the spec, declared once: what it takes, what a spec that leaves it out gets,
 * and its name in the Terraform modules. The spec validator checks it (`checkInputs`), the
 * whole-topology modules type, default and validate their object variables from it
 * (tools/registry), and the spec's field lists are the declarations' keys. Its documentation
 * is the doc comment of its field in spec.ts.
 */
export interface InputDeclaration {
  readonly constraint: InputConstraint;
  /** What a spec that leaves the field out gets. Absent: the spec must give it, unless `optional`. */
  readonly default?: string | number | boolean;
  /** The field may be left out with no value of its own (`replicaSize`: the primary's then). */
  readonly optional?: true;
  /**
   * What a module's caller who leaves the field out gets, where that is not `default`: for a
   * field a spec must give, the smallest topology; for `failover.enabled`, off.
   */
  readonly moduleDefault?: string | number | boolean;
  /** Its name in the modules. @default - the field's name in snake_case */
  readonly variable?: string;
  /** The value a module's usage example passes, where the module requires it. */
  readonly example?: string;
  /** `false`: a field the standalone modules leave out (docs/modules.md says why). @default true */
  readonly inModules?: false;
}

/** A declaration for every field of `T`, in the spec's order: the compiler refuses a field left undeclared. */
export type InputDeclarations<T> = { readonly [K in keyof T]-?: InputDeclaration };

const SIZE: InputConstraint = { kind: "oneOf", values: SIZES };
const BOOLEAN: InputConstraint = { kind: "boolean" };
const between = (range: { readonly min: number; readonly max: number }): InputConstraint => ({ kind: "integer", min: range.min, max: range.max });

/** Every pool's fields (`pools.web`, `pools.app`, `pools.worker`): `minFloor` is the fewest hosts `min` may be. */
export const poolInputs = (minFloor: number): InputDeclarations<PoolSpec> => ({
  size: { constraint: SIZE, moduleDefault: DEFAULTS.module.size },
  min: { constraint: between({ min: minFloor, max: MAX_POOL_HOSTS }), moduleDefault: DEFAULTS.module.pool.min },
  max: { constraint: between({ min: 1, max: MAX_POOL_HOSTS }), moduleDefault: DEFAULTS.module.pool.max },
  cpuTargetPercent: { constraint: between(CPU_TARGET_PERCENT), default: DEFAULTS.pool.cpuTargetPercent },
});

/** The worker pool's fields besides a pool's. */
export const WORKER_INPUTS: InputDeclarations<Omit<WorkerPoolSpec, keyof PoolSpec>> = {
  concurrency: { constraint: between(WORKER_CONCURRENCY), optional: true },
  stopTimeoutSeconds: { constraint: between(WORKER_STOP_SECONDS), default: DEFAULTS.worker.stopTimeoutSeconds },
  beat: { constraint: BOOLEAN, default: DEFAULTS.worker.beat },
};

export const POSTGRES_INPUTS: InputDeclarations<PostgresSpec> = {
  size: { constraint: SIZE, moduleDefault: DEFAULTS.module.size },
  replicaSize: { constraint: SIZE, optional: true },
  version: { constraint: { kind: "oneOf", values: POSTGRES_VERSIONS }, default: DEFAULTS.postgres.version },
  storageGiB: { constraint: between(POSTGRES_STORAGE_GIB), moduleDefault: POSTGRES_STORAGE_GIB.min, variable: "storage_gib" },
  highAvailability: { constraint: BOOLEAN, moduleDefault: DEFAULTS.module.highAvailability },
  replicas: { constraint: between({ min: 0, max: MAX_REPLICAS }), moduleDefault: DEFAULTS.module.replicas },
  pooling: { constraint: BOOLEAN, default: DEFAULTS.postgres.pooling },
  backupRetentionDays: { constraint: between(BACKUP_RETENTION_DAYS), default: DEFAULTS.postgres.backupRetentionDays },
};

export const CACHE_INPUTS: InputDeclarations<CacheSpec> = {
  size: { constraint: SIZE, moduleDefault: DEFAULTS.module.size },
  highAvailability: { constraint: BOOLEAN, moduleDefault: DEFAULTS.module.highAvailability },
  version: { constraint: { kind: "oneOf", values: CACHE_VERSIONS }, default: DEFAULTS.cache.version },
};

const MAINTENANCE_TEXT: InputConstraint = { kind: "text", maxLength: MAX_MAINTENANCE_TEXT, what: "for the maintenance page" };

/** The failover section's fields. A module's failover is off unless turned on; a spec's section is on unless turned off. */
export const FAILOVER_INPUTS: InputDeclarations<FailoverSpec> = {
  enabled: { constraint: BOOLEAN, default: true, moduleDefault: false },
  title: { constraint: MAINTENANCE_TEXT, default: DEFAULTS.failover.title },
  message: { constraint: MAINTENANCE_TEXT, default: DEFAULTS.failover.message },
};

const DOMAIN: InputConstraint = { kind: "domain" };

/** The network's CIDR block (how many zones it spans is each cloud's to bound). */
export const NETWORK_INPUTS: InputDeclarations<Pick<NonNullable<DjangoTopologyProps["network"]>, "cidr">> = {
  cidr: { constraint: { kind: "cidr", minPrefix: NETWORK_PREFIX.min, maxPrefix: NETWORK_PREFIX.max }, default: DEFAULTS.network.cidr },
};

/** The CDN's own names for media and static files (each must be in the zone too: `validateTopology`). */
export const CDN_INPUTS: InputDeclarations<NonNullable<DjangoTopologyProps["cdn"]>> = {
  mediaDomain: { constraint: DOMAIN, optional: true },
  staticDomain: { constraint: DOMAIN, optional: true },
  site: { constraint: BOOLEAN, default: DEFAULTS.cdn.site, inModules: false },
};

/** The topology's own fields that are one value each. */
export const TOPOLOGY_INPUTS: InputDeclarations<Pick<DjangoTopologyProps, "layout" | "healthCheckPath" | "deletionProtection" | "createDnsZone">> = {
  layout: { constraint: { kind: "oneOf", values: LAYOUTS }, default: DEFAULTS.layout },
  healthCheckPath: { constraint: { kind: "pattern", pattern: HEALTH_CHECK_PATH, what: 'an absolute URL path such as "/healthz"' }, default: DEFAULTS.healthCheckPath },
  deletionProtection: { constraint: BOOLEAN, default: DEFAULTS.deletionProtection },
  createDnsZone: { constraint: BOOLEAN, default: DEFAULTS.createDnsZone },
};

/** The application's fields the hosts run it by. */
export const APPLICATION_INPUTS: InputDeclarations<Pick<ApplicationSpec, "image" | "wsgiModule" | "celeryApp" | "settingsModule">> = {
  image: { constraint: { kind: "pattern", pattern: CONTAINER_IMAGE, what: 'a container image reference such as "ghcr.io/acme/shop:1.4.2"' }, variable: "container_image", example: "ghcr.io/acme/shop:1.4.2" },
  wsgiModule: { constraint: { kind: "pattern", pattern: WSGI_CALLABLE, what: 'a WSGI callable such as "shop.wsgi:application"' }, example: "shop.wsgi:application" },
  celeryApp: { constraint: { kind: "pattern", pattern: PYTHON_PATH, what: 'a Python module path such as "shop"' }, example: "shop" },
  settingsModule: { constraint: { kind: "pattern", pattern: PYTHON_PATH, what: 'a Python module path such as "shop.settings.production"' }, optional: true },
};

/** An email address alerts go to: a practical subset of RFC 5322 that every cloud's notification service takes. */
export const EMAIL_ADDRESS = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}$/;
/** Email addresses an environment's alerts go to, at most. */
export const MAX_ALERT_EMAILS = 10;
const PERCENT_USED: InputConstraint = { kind: "integer", min: 10, max: 99 };

/** The alarms' thresholds (`alerts.*`); the destinations are checked by `validateAlerts`. */
export const ALERT_INPUTS: InputDeclarations<Omit<AlertsSpec, "emails" | "webhook">> = {
  errorRatePercent: { constraint: between({ min: 1, max: 100 }), default: DEFAULTS.alerts.errorRatePercent },
  latencyP95Ms: { constraint: between({ min: 50, max: 60000 }), default: DEFAULTS.alerts.latencyP95Ms },
  databaseCpuPercent: { constraint: between({ min: 10, max: 100 }), default: DEFAULTS.alerts.databaseCpuPercent },
  databaseStoragePercent: { constraint: PERCENT_USED, default: DEFAULTS.alerts.databaseStoragePercent },
  databaseMemoryPercent: { constraint: PERCENT_USED, default: DEFAULTS.alerts.databaseMemoryPercent },
  databaseConnectionsPercent: { constraint: between({ min: 10, max: 100 }), default: DEFAULTS.alerts.databaseConnectionsPercent },
  replicaLagSeconds: { constraint: between({ min: 1, max: 3600 }), default: DEFAULTS.alerts.replicaLagSeconds },
  cacheMemoryPercent: { constraint: PERCENT_USED, default: DEFAULTS.alerts.cacheMemoryPercent },
  cacheEvictions: { constraint: between({ min: 0, max: 1000000 }), default: DEFAULTS.alerts.cacheEvictions },
  hostDiskPercent: { constraint: PERCENT_USED, default: DEFAULTS.alerts.hostDiskPercent },
};

/**
 * Requests a minute one client may send: at least AWS WAF's smallest rate limit (10), which
 * is above what a health checker sends (Route 53's every 30 s, DigitalOcean's uptime checks
 * every minute), at most what any plan counts.
 */
export const FIREWALL_REQUESTS_PER_MINUTE = { min: 10, max: 100000 } as const;

/** The retention periods CloudWatch Logs takes, in days (PutRetentionPolicy's retentionInDays); `validateTopology` holds a spec to them. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

export const LOGS_INPUTS: InputDeclarations<LogsSpec> = {
  retentionDays: { constraint: between({ min: LOG_RETENTION_DAYS[0], max: LOG_RETENTION_DAYS[LOG_RETENTION_DAYS.length - 1] }), default: DEFAULTS.logs.retentionDays },
};

export const BROKER_INPUTS: InputDeclarations<BrokerSpec> = {
  engine: { constraint: { kind: "oneOf", values: BROKER_ENGINES }, default: DEFAULTS.broker.engine },
  size: { constraint: SIZE, default: DEFAULTS.broker.size },
  highAvailability: { constraint: BOOLEAN, default: DEFAULTS.broker.highAvailability },
};

/** The broker's fields that size a broker of hosts, which only `rabbitmq` has. */
export const RABBITMQ_ONLY_FIELDS = ["size", "highAvailability"] as const;

export const FIREWALL_INPUTS: InputDeclarations<FirewallSpec> = {
  requestsPerMinute: { constraint: between(FIREWALL_REQUESTS_PER_MINUTE), default: DEFAULTS.firewall.requestsPerMinute },
};

/** The thresholds of a spec's alerts, each its own or the default. */
export function alertThresholds(alerts: AlertsSpec): Required<Omit<AlertsSpec, "emails" | "webhook">> {
  return { ...DEFAULTS.alerts, ...Object.fromEntries(Object.entries(alerts).filter(([k, v]) => k in ALERT_INPUTS && v !== undefined)) };
}

/** The destinations of `alerts`: 1 to 10 distinct email addresses, and an HTTPS webhook without credentials in it. */
function validateAlerts(v: SpecValidator, alerts: AlertsSpec): void {
  const emails: unknown = alerts.emails;
  if (!Array.isArray(emails) || emails.length === 0 || emails.length > MAX_ALERT_EMAILS) {
    v.fail("alerts.emails", `must be a list of 1 to ${MAX_ALERT_EMAILS} email addresses, got ${show(emails)}`);
  } else {
    emails.forEach((e, i) => v.matches(`alerts.emails[${i}]`, e, EMAIL_ADDRESS, 'an email address such as "oncall@example.com"'));
    const repeated = emails.filter((e, i) => typeof e === "string" && emails.findIndex((o) => typeof o === "string" && o.toLowerCase() === e.toLowerCase()) !== i);
    if (repeated.length > 0) v.fail("alerts.emails", `must not list an address twice, got ${show(repeated[0])} again`);
  }
  if (alerts.webhook !== undefined) {
    const what = 'an https:// URL with a host and no user name or password in it, such as "https://events.example.com/alerts"';
    let url: URL | undefined;
    try {
      url = typeof alerts.webhook === "string" && !/\s/.test(alerts.webhook) ? new URL(alerts.webhook) : undefined;
    } catch {
      url = undefined;
    }
    if (!url || url.protocol !== "https:" || !url.hostname || url.username || url.password) v.fail("alerts.webhook", `must be ${what}, got ${show(alerts.webhook)}`);
  }
  checkInputs(v, "alerts", alerts, ALERT_INPUTS);
}

/** The module name of a declared field: its own, else the field's name in snake_case. */
export function inputVariable(field: string, input: InputDeclaration): string {
  return input.variable ?? field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * Checks the declared fields of `value` at `path` (all, or those of `only`, in declaration
 * order): a field the spec must give always, another when given. Returns the fields that passed.
 */
export function checkInputs<T>(v: SpecValidator, path: string, value: T, inputs: InputDeclarations<T>, only?: readonly (keyof T & string)[]): Set<string> {
  const passed = new Set<string>();
  // Not an object: the field check (`SpecValidator.fields`) reports it.
  if (typeof value !== "object" || value === null) return passed;
  for (const [field, input] of Object.entries(inputs) as [keyof T & string, InputDeclaration][]) {
    if (only && !only.includes(field)) continue;
    const given = (value as Record<string, unknown>)[field];
    if (given === undefined && (input.default !== undefined || input.optional)) continue;
    const at = path ? `${path}.${field}` : field;
    const c = input.constraint;
    if (checkConstraint(v, at, given, c)) passed.add(field);
  }
  return passed;
}

function checkConstraint(v: SpecValidator, at: string, given: unknown, c: InputConstraint): boolean {
  switch (c.kind) {
    case "oneOf":
      return v.oneOf(at, given, c.values);
    case "integer":
      return v.integer(at, given, c.min, c.max);
    case "boolean":
      return v.boolean(at, given);
    case "pattern":
      return v.matches(at, given, c.pattern, c.what);
    case "domain":
      return v.domain(at, given);
    case "cidr": {
      if (!v.cidr(at, given)) return false;
      const prefix = Number(given.split("/")[1]);
      if (prefix >= c.minPrefix && prefix <= c.maxPrefix) return true;
      v.fail(at, `must be a /${c.minPrefix} to /${c.maxPrefix} block, got "${given}"`);
      return false;
    }
    case "text":
      if (typeof given === "string" && given.trim() !== "" && given.length <= c.maxLength) return true;
      v.fail(at, `must be text of 1 to ${c.maxLength} characters ${c.what}, got ${show(given)}`);
      return false;
  }
}

/** Whether nginx leaves `path` as it is: no empty segment inside it (`//`), no `.` or `..` segment. */
export function isNormalPath(path: string): boolean {
  const segments = path.split("/").slice(1);
  return segments.every((s, i) => s !== "." && s !== ".." && (s !== "" || i === segments.length - 1));
}

/**
 * What `isNormalPath` refuses, as one RE2-compatible pattern (no lookaround) for Terraform's
 * `regex()`: `//` anywhere, or a `.` or `..` segment. A path matching it is not normal.
 */
export const DENORMAL_PATH = /\/\/|\/\.\.?(?:\/|$)/;
/** Why a denormal health check path is refused, in the validator's and the modules' words. */
export const NORMAL_PATH_WORDS = 'a normalised path, without "//", "." or ".." segments, which nginx rewrites before matching (so the check would never reach the route it names)';

/** `<application>-<environment>`: the prefix of every resource name. */
export function namePrefix(props: Pick<DjangoTopologyProps, "application" | "environment">): string {
  return `${props.application.name}-${props.environment}`;
}

function pool(v: SpecValidator, path: string, spec: PoolSpec | undefined, minFloor: number): void {
  if (spec === undefined) {
    v.fail(path, "is required");
    return;
  }
  const inputs = poolInputs(minFloor);
  const bounds = checkInputs(v, path, spec, inputs, ["size", "min", "max"]);
  if (bounds.has("min") && bounds.has("max") && spec.min > spec.max) {
    v.fail(`${path}.max`, `must be at least ${path}.min (${spec.min}), got ${spec.max}`);
  }
  checkInputs(v, path, spec, inputs, ["cpuTargetPercent"]);
}

function under(v: SpecValidator, path: string, name: string, zone: string): void {
  if (name !== zone && !name.endsWith(`.${zone}`)) {
    v.fail(path, `must be inside the DNS zone "${zone}", got "${name}"`);
  }
}

/** The fields of the neutral spec, level by level (the stack adds the cloud sections to the top level). */
export const TOPOLOGY_FIELDS = fieldsOf<DjangoTopologyProps>({
  environment: true, application: true, domain: true, dnsZone: true, createDnsZone: true, layout: true, network: true, pools: true,
  postgres: true, cache: true, cdn: true, failover: true, alerts: true, firewall: true, logs: true, broker: true, deletionProtection: true, healthCheckPath: true,
});
type Props = DjangoTopologyProps;
const FIELDS = {
  application: fieldsOf<ApplicationSpec>({
    name: true, image: true, wsgiModule: true, celeryApp: true, settingsModule: true, settings: true, secrets: true, publicSettings: true, registry: true,
  }),
  network: fieldsOf<NonNullable<Props["network"]>>({ cidr: true, zones: true }),
  pools: fieldsOf<Props["pools"]>({ web: true, app: true, worker: true }),
  // The declared inputs: keyed by their interfaces, so the compiler holds them to every field.
  pool: Object.keys(poolInputs(0)),
  worker: [...Object.keys(poolInputs(0)), ...Object.keys(WORKER_INPUTS)],
  postgres: Object.keys(POSTGRES_INPUTS),
  cache: Object.keys(CACHE_INPUTS),
  cdn: Object.keys(CDN_INPUTS),
  failover: Object.keys(FAILOVER_INPUTS),
  alerts: ["emails", "webhook", ...Object.keys(ALERT_INPUTS)],
  firewall: Object.keys(FIREWALL_INPUTS),
  logs: Object.keys(LOGS_INPUTS),
  broker: Object.keys(BROKER_INPUTS),
};

/** Checks the nested objects' field names; the top level is the stack's to check (it adds cloud sections). */
function knownFields(v: SpecValidator, props: DjangoTopologyProps): void {
  const nested: [string, unknown, readonly string[]][] = [
    ["application", props.application, FIELDS.application],
    ["network", props.network, FIELDS.network],
    ["pools", props.pools, FIELDS.pools],
    ["pools.web", props.pools?.web, FIELDS.pool],
    ["pools.app", props.pools?.app, FIELDS.pool],
    ["pools.worker", props.pools?.worker, FIELDS.worker],
    ["postgres", props.postgres, FIELDS.postgres],
    ["cache", props.cache, FIELDS.cache],
    ["cdn", props.cdn, FIELDS.cdn],
    ["failover", props.failover, FIELDS.failover],
    ["alerts", props.alerts, FIELDS.alerts],
    ["firewall", props.firewall, FIELDS.firewall],
    ["logs", props.logs, FIELDS.logs],
    ["broker", props.broker, FIELDS.broker],
  ];
  for (const [path, value, allowed] of nested) if (value !== undefined) v.fields(path, value, allowed);
}

/**
 * The rules every cloud shares. Returns every problem found; the clouds add their own
 * limits on top (see each factory's `validate`).
 */
export function validateTopology(props: DjangoTopologyProps): ValidationIssue[] {
  const env = typeof props.environment === "string" && props.environment ? props.environment : "(unnamed)";
  const v = new SpecValidator(env);
  knownFields(v, props);
  v.matches("environment", props.environment, RESOURCE_NAME, "lower-case letters, digits and hyphens, starting with a letter");

  const app = props.application;
  if (!app) {
    v.fail("application", "is required");
  } else {
    v.matches("application.name", app.name, RESOURCE_NAME, "lower-case letters, digits and hyphens, starting with a letter");
    if (typeof app.name === "string" && typeof props.environment === "string") {
      const prefix = namePrefix(props);
      if (prefix.length > MAX_NAME_PREFIX) {
        v.fail("application.name", `and environment together ("${prefix}") must be at most ${MAX_NAME_PREFIX} characters, got ${prefix.length}`);
      }
    }
    checkInputs(v, "application", app, APPLICATION_INPUTS);
    validateApplicationEnvironment(v, app, ENV_NAME);
  }

  const zoneOk = v.domain("dnsZone", props.dnsZone);
  const domainOk = v.domain("domain", props.domain);
  if (zoneOk && domainOk) under(v, "domain", props.domain, props.dnsZone);
  const cdnOk = props.cdn ? checkInputs(v, "cdn", props.cdn, CDN_INPUTS) : new Set<string>();
  for (const key of ["mediaDomain", "staticDomain"] as const) {
    const value = props.cdn?.[key];
    if (value !== undefined && cdnOk.has(key) && zoneOk) under(v, `cdn.${key}`, value, props.dnsZone);
  }
  validateSiteNames(v, props);

  const layout = props.layout ?? DEFAULTS.layout;
  const top = checkInputs(v, "", props, TOPOLOGY_INPUTS);
  if (props.network) checkInputs(v, "network", props.network, NETWORK_INPUTS);
  if (props.network?.zones !== undefined) v.integer("network.zones", props.network.zones, 1, MAX_ZONES);

  if (!props.pools) {
    v.fail("pools", "is required");
  } else {
    pool(v, "pools.web", props.pools.web, 1);
    if (LAYOUTS.includes(layout) && separateAppTier(layout)) pool(v, "pools.app", props.pools.app, 1);
    else if (props.pools.app !== undefined) v.fail("pools.app", `is only used by the ${LAYOUTS.filter(separateAppTier).map((l) => `"${l}"`).join(" and ")} layouts, but layout is "${layout}"`);
    pool(v, "pools.worker", props.pools.worker, 0);
    if (props.pools.worker !== undefined) checkInputs(v, "pools.worker", props.pools.worker, WORKER_INPUTS);
  }

  const pg = props.postgres;
  if (!pg) {
    v.fail("postgres", "is required");
  } else {
    checkInputs(v, "postgres", pg, POSTGRES_INPUTS);
  }

  const cache = props.cache;
  if (!cache) {
    v.fail("cache", "is required");
  } else {
    checkInputs(v, "cache", cache, CACHE_INPUTS);
  }

  if (props.failover !== undefined) checkInputs(v, "failover", props.failover, FAILOVER_INPUTS);
  // Not an object: the field check above reports it.
  if (typeof props.alerts === "object" && props.alerts !== null && !Array.isArray(props.alerts)) validateAlerts(v, props.alerts);
  if (props.firewall !== undefined) checkInputs(v, "firewall", props.firewall, FIREWALL_INPUTS);
  if (props.broker !== undefined) {
    const ok = checkInputs(v, "broker", props.broker, BROKER_INPUTS);
    const engine = props.broker.engine ?? DEFAULTS.broker.engine;
    for (const field of RABBITMQ_ONLY_FIELDS) {
      const value = props.broker[field];
      if (value !== undefined && ok.has(field) && (props.broker.engine === undefined || ok.has("engine")) && engine !== "rabbitmq") v.fail(`broker.${field}`, `applies to broker.engine "rabbitmq" only (a broker of its own hosts), but the engine is "${engine}", got ${show(value)}`);
    }
  }
  if (props.logs !== undefined && checkInputs(v, "logs", props.logs, LOGS_INPUTS).has("retentionDays") && props.logs.retentionDays !== undefined && !LOG_RETENTION_DAYS.includes(props.logs.retentionDays)) {
    v.fail("logs.retentionDays", `must be one of the periods CloudWatch Logs keeps logs for, ${LOG_RETENTION_DAYS.join(", ")} (days), got ${props.logs.retentionDays}`);
  }
  if (top.has("healthCheckPath") && props.healthCheckPath !== undefined && !isNormalPath(props.healthCheckPath)) {
    v.fail("healthCheckPath", `must be ${NORMAL_PATH_WORDS}, got ${show(props.healthCheckPath)}`);
  }
  return [...v.issues];
}
