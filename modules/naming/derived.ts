import { DEFAULTS, DerivedName, NameRuleId, isDomainName } from "../core";
import { DjangoTopologyProps, LAYOUTS, Layout, failoverOn } from "../django/spec";
import { poolRoles } from "../django/topology";
import { MAX_NAME_PREFIX, RESOURCE_NAME, namePrefix } from "../django/validate";
import { BUCKET_SUFFIX_BYTES, cdnDomains } from "./resource-names";

/** The spec fields `<application>-<environment>` is made of. */
export const PREFIX_FIELDS = ["application.name", "environment"] as const;

/** The worst case of a suffix Terraform draws (hex digits: any of them keeps every row). */
export const hexPlaceholder = (digits: number): string => "f".repeat(digits);
/** A bucket name's random suffix, as the validators see it. */
export const BUCKET_SUFFIX_PLACEHOLDER = hexPlaceholder(BUCKET_SUFFIX_BYTES * 2);

/**
 * What the validators derive names from: the parts of a spec that passed the neutral
 * rules (validateTopology reports the rest), so a name is checked only when its fields
 * are sound on their own and a bad field is not reported twice.
 */
export interface NamingFacts {
  /** `<application>-<environment>`, when both are names and fit `MAX_NAME_PREFIX`. */
  readonly prefix?: string;
  readonly roles: readonly string[];
  readonly layout: Layout;
  readonly replicas: number;
  readonly pooling: boolean;
  readonly postgresVersion: string;
  readonly protect: boolean;
  readonly failover: boolean;
  /** Celery's broker is the cloud's queue service (`broker.engine: "sqs"`). */
  readonly queueBroker: boolean;
  readonly rabbitMq: boolean;
  /** The site's domain and the CDN names, each with the fields it comes from. */
  readonly domain?: { name: string; from: readonly string[] };
  readonly mediaDomain?: { name: string; from: readonly string[] };
  readonly healthCheckPath: { name: string; from: readonly string[] };
}

/** `<application>-<environment>` of a spec whose names are well formed, else `undefined` (their own rules report them). */
export function soundPrefix(spec: Pick<DjangoTopologyProps, "application" | "environment">): string | undefined {
  const app = spec.application?.name;
  const env = spec.environment;
  return typeof app === "string" && typeof env === "string" && RESOURCE_NAME.test(app) && RESOURCE_NAME.test(env) ? namePrefix(spec as DjangoTopologyProps) : undefined;
}

/** The facts of `spec` names are derived from; see `NamingFacts`. */
export function namingFacts(spec: DjangoTopologyProps): NamingFacts {
  const prefix = soundPrefix(spec);
  const worker = spec.pools?.worker;
  const layout = LAYOUTS.includes(spec.layout as Layout) ? (spec.layout as Layout) : "colocated";
  const domain = isDomainName(spec.domain) ? spec.domain : undefined;
  // Names are derived only from text that is a name: a malformed one is its own rule's to report.
  const mediaDomain = spec.cdn?.mediaDomain;
  const media = domain ? cdnDomains({ domain, cdn: { mediaDomain: isDomainName(mediaDomain) ? mediaDomain : undefined } }).media : undefined;
  const replicas = spec.postgres?.replicas;
  return {
    prefix: prefix !== undefined && prefix.length <= MAX_NAME_PREFIX ? prefix : undefined,
    roles: worker && typeof worker === "object" ? poolRoles({ layout, pools: spec.pools }) : [],
    layout,
    replicas: Number.isInteger(replicas) && replicas >= 0 && replicas <= 99 ? replicas : 0,
    pooling: spec.postgres?.pooling === true,
    postgresVersion: typeof spec.postgres?.version === "string" ? spec.postgres.version : DEFAULTS.postgres.version,
    protect: spec.deletionProtection ?? DEFAULTS.deletionProtection,
    failover: failoverOn(spec),
    queueBroker: spec.broker?.engine === "sqs",
    rabbitMq: spec.broker?.engine === "rabbitmq",
    domain: domain ? { name: domain, from: ["domain"] } : undefined,
    mediaDomain: media && isDomainName(media) ? { name: media, from: isDomainName(mediaDomain) ? ["cdn.mediaDomain"] : ["domain"] } : media ? { name: media, from: ["domain"] } : undefined,
    healthCheckPath: typeof spec.healthCheckPath === "string" ? { name: spec.healthCheckPath, from: ["healthCheckPath"] } : { name: DEFAULTS.healthCheckPath, from: ["healthCheckPath"] },
  };
}

/** Collects derived names: `prefixed` for names made of the prefix, `other` for the rest. */
export class NameList {
  public readonly names: DerivedName[] = [];
  public prefixed(name: string, ...rules: NameRuleId[]): void {
    for (const rule of rules) this.names.push({ rule, name, from: PREFIX_FIELDS });
  }
  public other(rule: NameRuleId, derived: { name: string; from: readonly string[] } | undefined): void {
    if (derived) this.names.push({ rule, name: derived.name, from: derived.from });
  }
}
