import { Fn, Token } from "cdktf";
import { AppConfiguration, AppSecret, AppSetting, Endpoint, IBroker, ICache, IObjectStoreCdn, IPostgresCluster, choose, exceeds } from "../core";
import { DIRECT_DATABASE_SETTING } from "./release";

/** `postgres://user@host:port/db?sslmode=require`; the password travels separately. */
export function postgresUrl(endpoint: Endpoint, username: string, databaseName: string): string {
  return `postgres://${username}@${endpoint.host}:${endpoint.port}/${databaseName}?sslmode=require`;
}

/** One URL per read replica (`postgresUrl`): by Terraform's `formatlist()` where it decides how many there are. */
export function replicaUrls(pg: IPostgresCluster): string[] {
  if (pg.countedReplicaHosts === undefined) return pg.replicas.map((r) => postgresUrl(r, pg.username, pg.databaseName));
  return Fn.formatlist(postgresUrl({ host: "%s", port: pg.port }, pg.username, pg.databaseName), [pg.countedReplicaHosts]);
}

/** `DATABASE_REPLICA_URLS`, comma-separated, where there are replicas: by Terraform (`null` without) where it decides how many there are. */
function replicaSetting(pg: IPostgresCluster): AppSetting[] {
  const urls = replicaUrls(pg);
  if (pg.countedReplicaHosts === undefined) return urls.length > 0 ? [{ name: "DATABASE_REPLICA_URLS", value: urls.join(",") }] : [];
  return [{ name: "DATABASE_REPLICA_URLS", value: Token.asString(choose<unknown>(exceeds(Fn.lengthOf(pg.countedReplicaHosts), 0), Fn.join(",", urls), undefined)) }];
}

/** `rediss://host:port/0` (or `redis://` without TLS); the password travels separately. */
export function redisUrl(cache: ICache): string {
  return `${cache.tls ? "rediss" : "redis"}://${cache.endpoint.host}:${cache.endpoint.port}/0`;
}

/** The environment variables the topology sets itself; `application.settings` may not redefine them. */
export const MANAGED_SETTINGS = [
  "DJANGO_ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "SITE_URL", "DATABASE_URL", "DATABASE_DIRECT_URL", "DATABASE_PASSWORD",
  "DATABASE_REPLICA_URLS", "REDIS_URL", "REDIS_PASSWORD", "STORAGE_REGION", "STORAGE_ENDPOINT_URL",
  "MEDIA_BUCKET", "MEDIA_CDN_DOMAIN", "STATIC_BUCKET", "STATIC_CDN_DOMAIN", "STORAGE_DEFAULT_ACL",
  "MEDIA_ACCESS_KEY_ID", "MEDIA_SECRET_ACCESS_KEY", "STATIC_ACCESS_KEY_ID", "STATIC_SECRET_ACCESS_KEY", "APP_UPSTREAM",
  "CELERY_BROKER_URL", "CELERY_SQS_REGION", "CELERY_SQS_QUEUE_URL", "RABBITMQ_URL", "RABBITMQ_USER", "RABBITMQ_PASSWORD",
] as const;

/** Where a store needs keys (no host identity), the settings and secrets that carry them. */
function storeKeys(prefix: "MEDIA" | "STATIC", store: IObjectStoreCdn): { settings: AppSetting[]; secrets: AppSecret[] } {
  if (!store.accessKey) return { settings: [], secrets: [] };
  return {
    settings: [{ name: `${prefix}_ACCESS_KEY_ID`, value: store.accessKey.id }],
    secrets: [{ name: `${prefix}_SECRET_ACCESS_KEY`, secret: store.accessKey.secret }],
  };
}

/** The tiers the application's processes talk to. */
export interface AppBackends {
  readonly domain: string;
  readonly postgres: IPostgresCluster;
  readonly cache: ICache;
  /** Celery's broker where it is not the cache. @default - the cache (`REDIS_URL`) */
  readonly broker?: IBroker;
  readonly media: IObjectStoreCdn;
  readonly staticFiles: IObjectStoreCdn;
  readonly settingsModule?: string;
  readonly extra?: Readonly<Record<string, string>>;
  /** The application's own secrets (`application.secrets`), after the topology's. */
  readonly extraSecrets?: readonly AppSecret[];
  /** What the hosts read for themselves (the registry login). @default - nothing */
  readonly host?: AppConfiguration["host"];
}

/**
 * The environment every Django process (gunicorn, Celery worker, beat) receives. Passwords
 * are secrets fetched on the host; URLs never carry them (`DATABASE_PASSWORD`,
 * `REDIS_PASSWORD` complete them).
 */
export function appConfiguration(b: AppBackends): AppConfiguration {
  const pg = b.postgres;
  const media = storeKeys("MEDIA", b.media);
  const statics = storeKeys("STATIC", b.staticFiles);
  const settings: AppSetting[] = [
    { name: "DJANGO_ALLOWED_HOSTS", value: b.domain },
    ...(b.settingsModule ? [{ name: "DJANGO_SETTINGS_MODULE", value: b.settingsModule }] : []),
    { name: "SITE_URL", value: `https://${b.domain}` },
    { name: "DATABASE_URL", value: postgresUrl(pg.pooler ?? pg.primary, pg.username, pg.databaseName) },
    // The release step's and beat's locks need a session of their own, which a pooler does not keep.
    ...(pg.pooler ? [{ name: DIRECT_DATABASE_SETTING, value: postgresUrl(pg.primary, pg.username, pg.databaseName) }] : []),
    ...replicaSetting(pg),
    { name: "REDIS_URL", value: redisUrl(b.cache) },
    { name: "STORAGE_REGION", value: b.media.region },
    { name: "STORAGE_ENDPOINT_URL", value: b.media.endpointUrl },
    { name: "MEDIA_BUCKET", value: b.media.bucketName },
    { name: "MEDIA_CDN_DOMAIN", value: b.media.cdnDomain },
    { name: "STATIC_BUCKET", value: b.staticFiles.bucketName },
    { name: "STATIC_CDN_DOMAIN", value: b.staticFiles.cdnDomain },
    { name: "STORAGE_DEFAULT_ACL", value: b.media.objectAcl },
    ...media.settings,
    ...statics.settings,
    ...(b.broker?.settings ?? []),
    ...Object.entries(b.extra ?? {}).map(([name, value]) => ({ name, value })),
  ];
  const secrets: AppSecret[] = [
    { name: "DATABASE_PASSWORD", secret: pg.password },
    { name: "REDIS_PASSWORD", secret: b.cache.password },
    ...media.secrets,
    ...statics.secrets,
    ...(b.broker?.secrets ?? []),
    ...(b.extraSecrets ?? []),
  ];
  return { settings, secrets, ...(b.host ? { host: b.host } : {}) };
}
