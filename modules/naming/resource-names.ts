import { formatted, orElse } from "../core";
/**
 * How every cloud resource's name is made from the spec, in one place: the constructs
 * name their resources with these, and the validators derive the same names from a spec
 * to hold them to `NAME_RULES` (modules/core/name-rules.ts) before anything is written.
 * `prefix` is `namePrefix(spec)`, `<application>-<environment>`.
 */

/** A pool's resources: launch template, group, security group, firewall, autoscale pool. */
export const poolName = (prefix: string, role: string): string => `${prefix}-${role}`;
/** A pool's host role and instance profile. */
export const poolHostName = (prefix: string, role: string): string => `${poolName(prefix, role)}-host`;
/** A pool's CPU target tracking policy. */
export const scalingPolicyName = (prefix: string, role: string): string => `${poolName(prefix, role)}-cpu`;
/** A load balancer, its target group and security group. */
export const loadBalancerName = (prefix: string, scheme: "public" | "internal"): string => `${prefix}-${scheme === "public" ? "public" : "int"}`;
/** The PostgreSQL primary (instance, cluster, subnet group, security group). */
export const postgresName = (prefix: string): string => `${prefix}-postgres`;
/** The `ordinal`-th read replica (1-based; a Terraform expression in a module). */
export const postgresReplicaName = (prefix: string, ordinal: number | string): string => `${postgresName(prefix)}-replica-${ordinal}`;
/** The disaster recovery replica in another region. */
/** Celery's SQS queue (and `<name>-dead`, its dead-letter queue). */
export const celeryQueueName = (prefix: string): string => `${prefix}-celery`;
/** The Amazon MQ broker that is Celery's RabbitMQ. */
export const rabbitMqBrokerName = (prefix: string): string => `${prefix}-rabbitmq`;
export const postgresDisasterRecoveryName = (prefix: string): string => `${postgresName(prefix)}-dr`;
/** The parameter group's name prefix: one per major version. */
export const parameterGroupPrefix = (prefix: string, version: string): string => `${postgresName(prefix)}-${version}-`;
/** The connection pooler (RDS Proxy, its role and security group), after the database's name. */
export const poolerName = (databaseName: string): string => `${databaseName}-pooler`;
/** The cache (replication group or cluster, subnet group, security group). */
export const cacheName = (prefix: string): string => `${prefix}-cache`;

/** The topic (AWS) or policy names (DigitalOcean) alerts go through. */
export const alertsTopicName = (prefix: string): string => `${prefix}-alerts`;

/** One alarm: its condition, and what it watches (a pool, a database instance, a cache node). */
export const alarmName = (prefix: string, condition: string, subject: string): string => `${prefix}-${condition}-${subject}`;

/** A log group of the hosts' logs (AWS): `app` or `nginx`. */
export const hostLogGroupName = (prefix: string, kind: string): string => `/cloudtiers/${prefix}/${kind}`;

/** The web application firewall's web ACL (AWS). */
export const webAclName = (prefix: string): string => `${prefix}-edge`;

/** The environment's dashboard. */
export const dashboardName = (prefix: string): string => prefix;
/** The final snapshot of a protected database or cache. */
export const finalSnapshotName = (name: string): string => `${name}-final`;
/** The one-off database setup (Lambda function, role, droplet). */
export const databaseSetupName = (prefix: string): string => `${prefix}-database-setup`;
/** The log group Lambda writes a function's logs to. */
export const lambdaLogGroupName = (functionName: string): string => `/aws/lambda/${functionName}`;
/** A secret in the cloud's secret store, e.g. `<prefix>/postgres/credentials`. */
export const secretName = (prefix: string, path: string): string => `${prefix}/${path}`;
/** A security group's name prefix (the provider appends a unique suffix). */
export const securityGroupPrefix = (groupName: string): string => `${groupName}-`;
/** The edge Worker serving the maintenance page. */
export const edgeWorkerName = (prefix: string): string => `${prefix}-edge`;
/** A DigitalOcean certificate: `digest` tells one certificate's content from the next. */
export const certificateName = (prefix: string, use: string, digest: string): string => `${prefix}-${use}-${digest}`;
/** Hex digits of the digest in a DigitalOcean certificate's name. */
export const CERTIFICATE_DIGEST_LENGTH = 8;
/** The infix of a DigitalOcean pool's revision tag, `<pool>-rev-<digest>`. */
export const REVISION_TAG_INFIX = "-rev-";
/** Hex digits of the digest in a revision tag. */
export const REVISION_DIGEST_LENGTH = 12;
/** A pool's revision tag. */
export const revisionTagName = (pool: string, digest: string): string => `${pool}${REVISION_TAG_INFIX}${digest}`;
/** A bucket: `<prefix>-<purpose>-<8 hex digits drawn once>` (modules/naming/bucket-name.ts). */
export const bucketName = (prefix: string, purpose: string, suffix: string): string => `${prefix}-${purpose}-${suffix}`;
/** Hex digits of a bucket name's random suffix (`random_id` of 4 bytes). */
export const BUCKET_SUFFIX_BYTES = 4;

/** The names the media and static CDNs answer to: the spec's, else `media.` and `static.` before the site's domain. */
export function cdnDomains(spec: { readonly domain: string; readonly cdn?: { readonly mediaDomain?: string; readonly staticDomain?: string } }): { media: string; static: string } {
  return { media: orElse(spec.cdn?.mediaDomain, formatted("media.%s", spec.domain)), static: orElse(spec.cdn?.staticDomain, formatted("static.%s", spec.domain)) };
}
