import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { MANAGED_SETTINGS } from "../../modules/django/configuration";
import { APP_UPSTREAM_SETTING } from "../../modules/django/host";
import { DIRECT_DATABASE_SETTING } from "../../modules/django/release";
import { AWS_ENV, DB_PASSWORD, DO_ENV, REDIS_PASSWORD, SECRET_KEY, SNIPPET_DIR } from "./app-environments";

const root = join(__dirname, "..", "..");
const dump = join(root, "test", "fixtures", "dump_cloudtiers_settings.py");

/** Imports the snippet with only `env` (and Debian's Django) and returns what it defined, or its error. */
function importSnippet(env: Record<string, string>): { status: number | null; settings?: Record<string, any>; stderr: string } { // eslint-disable-line @typescript-eslint/no-explicit-any
  const run = spawnSync("/usr/bin/python3", [dump], { encoding: "utf8", env: { PATH: "/usr/bin:/bin", PYTHONDONTWRITEBYTECODE: "1", PYTHONPATH: SNIPPET_DIR, ...env } });
  return { status: run.status, settings: run.status === 0 ? JSON.parse(run.stdout) : undefined, stderr: run.stderr };
}

/** `env` less one variable. */
function without(env: Record<string, string>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([n]) => n !== name));
}

describe("contrib/django/cloudtiers_settings.py, imported with Debian's Django", () => {
  it("reads every variable the topology manages and DJANGO_SECRET_KEY, and defines nothing else when none is set", () => {
    const run = importSnippet({});
    expect(run.stderr).toBe("");
    expect(Object.keys(run.settings!)).toEqual(["VARIABLES"]);
    // Django's own, nginx's, and the release step's (its locks connect to the primary itself).
    const managed = MANAGED_SETTINGS.filter((n) => n !== "DJANGO_SETTINGS_MODULE" && n !== APP_UPSTREAM_SETTING && n !== DIRECT_DATABASE_SETTING);
    expect([...run.settings!.VARIABLES].sort()).toEqual([...managed, "DJANGO_SECRET_KEY"].sort());
  });

  it("with an SQS broker (broker.engine \"sqs\"): Celery's broker is the queue, named by its URL in the region, the results staying in the cache", () => {
    const queue = "https://sqs.eu-west-1.amazonaws.com/123456789012/shop-production-celery";
    const run = importSnippet({ ...AWS_ENV, CELERY_BROKER_URL: "sqs://", CELERY_SQS_REGION: "eu-west-1", CELERY_SQS_QUEUE_URL: queue });
    expect(run.stderr).toBe("");
    expect(run.settings!.CELERY_BROKER_URL).toBe("sqs://");
    expect(run.settings!.CELERY_BROKER_TRANSPORT_OPTIONS).toEqual({ region: "eu-west-1", predefined_queues: { celery: { url: queue } }, wait_time_seconds: 20 });
    expect(run.settings!.CELERY_WORKER_PREFETCH_MULTIPLIER).toBe(1);
    expect(run.settings!.CELERY_RESULT_BACKEND).toBe(importSnippet(AWS_ENV).settings!.CELERY_RESULT_BACKEND);
    // Without the queue's URL it refuses to start, naming what is missing.
    const missing = importSnippet({ ...AWS_ENV, CELERY_BROKER_URL: "sqs://", CELERY_SQS_REGION: "eu-west-1" });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain("CELERY_SQS_QUEUE_URL");
  });

  it("with RabbitMQ (broker.engine \"rabbitmq\"): Celery's broker is the AMQPS URL with the user and the quoted password, its certificate and name checked, the results staying in the cache", () => {
    const host = "b-4c1b3a2e-1f0d-4c55-9d2a-0e8f6b7a9c10.mq.eu-west-1.amazonaws.com";
    const rabbit = { ...AWS_ENV, RABBITMQ_URL: `amqps://${host}:5671`, RABBITMQ_USER: "celery", RABBITMQ_PASSWORD: "p@ss/w+rd=" };
    const run = importSnippet(rabbit);
    expect(run.stderr).toBe("");
    expect(run.settings!.CELERY_BROKER_URL).toBe(`amqps://celery:p%40ss%2Fw%2Brd%3D@${host}:5671`);
    // 2 is ssl.CERT_REQUIRED.
    expect(run.settings!.CELERY_BROKER_USE_SSL).toEqual({ cert_reqs: 2, server_hostname: host });
    expect(run.settings!.CELERY_WORKER_PREFETCH_MULTIPLIER).toBe(1);
    expect(run.settings!.CELERY_RESULT_BACKEND).toBe(importSnippet(AWS_ENV).settings!.CELERY_RESULT_BACKEND);
    // Without its password or user it refuses to start, naming what is missing; a URL that is not AMQPS is refused too.
    for (const name of ["RABBITMQ_PASSWORD", "RABBITMQ_USER"]) {
      const missing = importSnippet(without(rabbit, name));
      expect({ name, status: missing.status === 0, said: missing.stderr.includes(name) }).toEqual({ name, status: false, said: true });
    }
    const plain = importSnippet({ ...rabbit, RABBITMQ_URL: `amqp://${host}:5672` });
    expect(plain.status).not.toBe(0);
    expect(plain.stderr).toContain("is not amqps://");
  });

  it("takes SECRET_KEY from DJANGO_SECRET_KEY, the application secret the shipped environments generate", () => {
    expect(importSnippet(AWS_ENV).settings!.SECRET_KEY).toBe(SECRET_KEY);
    expect(importSnippet(DO_ENV).settings!.SECRET_KEY).toBe(SECRET_KEY);
    expect(importSnippet(without(AWS_ENV, "DJANGO_SECRET_KEY")).settings!.SECRET_KEY).toBeUndefined();
  });

  it("on AWS: writes to the pooler, reads from the replicas, Redis over TLS with Celery beside the cache, S3 through the instance role", () => {
    const run = importSnippet(AWS_ENV);
    expect(run.stderr).toBe("");
    const s = run.settings!;
    const db = (host: string) => ({ ENGINE: "django.db.backends.postgresql", NAME: "app", USER: "app", PASSWORD: DB_PASSWORD, HOST: host, PORT: "5432", OPTIONS: { sslmode: "require" } });
    expect(s.DATABASES).toEqual({
      // The pooler (RDS Proxy here, PgBouncer on DigitalOcean) cannot keep a cursor across transactions.
      default: { ...db("shop-production.proxy-c1a2b3.eu-west-1.rds.amazonaws.com"), DISABLE_SERVER_SIDE_CURSORS: true },
      "replica-1": { ...db("shop-production-replica-1.c1a2b3.eu-west-1.rds.amazonaws.com"), TEST: { MIRROR: "default" } },
      "replica-2": { ...db("shop-production-replica-2.c1a2b3.eu-west-1.rds.amazonaws.com"), TEST: { MIRROR: "default" } },
    });
    expect(s.DATABASE_ROUTERS).toEqual(["cloudtiers_settings.ReplicaRouter"]);
    expect({ reads: s.reads, writes: s.writes, migrates: s.migrates }).toEqual({ reads: ["replica-1", "replica-2"], writes: ["default"], migrates: ["default"] });
    expect(s.CACHES).toEqual({
      default: {
        BACKEND: "django.core.cache.backends.redis.RedisCache",
        LOCATION: "rediss://master.shop-production.abc123.euw1.cache.amazonaws.com:6379/0",
        OPTIONS: { password: REDIS_PASSWORD },
      },
    });
    expect({ engine: s.SESSION_ENGINE, alias: s.SESSION_CACHE_ALIAS }).toEqual({ engine: "django.contrib.sessions.backends.cache", alias: "default" });
    const celery = "rediss://:r3dis%2Btoken%2F%3D@master.shop-production.abc123.euw1.cache.amazonaws.com:6379/1?ssl_cert_reqs=required";
    expect({ broker: s.CELERY_BROKER_URL, results: s.CELERY_RESULT_BACKEND }).toEqual({ broker: celery, results: celery });
    const store = (bucket: string, domain: string, overwrite: boolean) => ({
      BACKEND: "storages.backends.s3.S3Storage",
      OPTIONS: { bucket_name: bucket, region_name: "eu-west-1", endpoint_url: "https://s3.eu-west-1.amazonaws.com", custom_domain: domain, file_overwrite: overwrite, querystring_auth: false },
    });
    expect(s.STORAGES).toEqual({ default: store("shop-production-media-3f9a", "media.example.com", false), staticfiles: store("shop-production-static-3f9a", "static.example.com", true) });
    expect({ media: s.MEDIA_URL, static: s.STATIC_URL }).toEqual({ media: "https://media.example.com/", static: "https://static.example.com/" });
    expect(s.ALLOWED_HOSTS).toEqual(["www.example.com", "10.30.4.17"]);
    expect(s.CSRF_TRUSTED_ORIGINS).toEqual(["https://www.example.com"]);
    expect(s.SECURE_PROXY_SSL_HEADER).toEqual(["HTTP_X_FORWARDED_PROTO", "https"]);
    expect({ session: s.SESSION_COOKIE_SECURE, csrf: s.CSRF_COOKIE_SECURE }).toEqual({ session: true, csrf: true });
  });

  it("on DigitalOcean: Spaces through its endpoint with each bucket's key, objects public-read for the CDN", () => {
    const run = importSnippet(DO_ENV);
    expect(run.stderr).toBe("");
    const s = run.settings!;
    expect(s.DATABASES.default).toMatchObject({ HOST: "private-pool-db-postgresql-fra1-1.b.db.ondigitalocean.com", PORT: "25061", PASSWORD: DB_PASSWORD, OPTIONS: { sslmode: "require" }, DISABLE_SERVER_SIDE_CURSORS: true });
    expect(Object.keys(s.DATABASES)).toEqual(["default", "replica-1", "replica-2"]);
    expect(s.DATABASES["replica-2"]).toMatchObject({ HOST: "private-replica-2.b.db.ondigitalocean.com", PORT: "25060" });
    expect(s.reads).toEqual(["replica-1", "replica-2"]);
    expect(s.CELERY_BROKER_URL).toBe("rediss://:r3dis%2Btoken%2F%3D@private-cache-do-user-1.b.db.ondigitalocean.com:25061/1?ssl_cert_reqs=required");
    const spaces = (purpose: "media" | "static", overwrite: boolean) => ({
      BACKEND: "storages.backends.s3.S3Storage",
      OPTIONS: {
        bucket_name: `shop-production-${purpose}`,
        region_name: "fra1",
        endpoint_url: "https://fra1.digitaloceanspaces.com",
        custom_domain: `shop-production-${purpose}.fra1.cdn.digitaloceanspaces.com`,
        file_overwrite: overwrite,
        querystring_auth: false,
        default_acl: "public-read",
        access_key: purpose === "media" ? "DO00MEDIAKEYID" : "DO00STATICKEYID",
        secret_key: `${purpose}-secret`,
      },
    });
    expect(s.STORAGES).toEqual({ default: spaces("media", false), staticfiles: spaces("static", true) });
  });

  it("without replicas has one database and no router; plain redis:// stays without TLS", () => {
    const s = importSnippet({ ...without(AWS_ENV, "DATABASE_REPLICA_URLS"), REDIS_URL: "redis://cache.internal:6379/2" }).settings!;
    expect(Object.keys(s.DATABASES)).toEqual(["default"]);
    expect(s.DATABASE_ROUTERS).toBeUndefined();
    expect({ reads: s.reads, writes: s.writes }).toEqual({ reads: ["default"], writes: ["default"] });
    expect(s.CELERY_BROKER_URL).toBe("redis://:r3dis%2Btoken%2F%3D@cache.internal:6379/3");
    // A user in REDIS_URL (an ACL user, as Valkey allows) stays the user of Celery's URL.
    const user = importSnippet({ ...AWS_ENV, REDIS_URL: "rediss://worker@cache.internal:6379/0" }).settings!;
    expect(user.CELERY_BROKER_URL).toBe("rediss://worker:r3dis%2Btoken%2F%3D@cache.internal:6379/1?ssl_cert_reqs=required");
  });

  it("refuses a main variable without the companion it needs, naming it", () => {
    expect(importSnippet(without(AWS_ENV, "DATABASE_PASSWORD"))).toMatchObject({ status: 1, stderr: expect.stringContaining("ImproperlyConfigured: DATABASE_PASSWORD is not set, but DATABASE_URL is") });
    expect(importSnippet(without(DO_ENV, "MEDIA_SECRET_ACCESS_KEY"))).toMatchObject({ status: 1, stderr: expect.stringContaining("MEDIA_SECRET_ACCESS_KEY is not set, but MEDIA_ACCESS_KEY_ID is") });
    expect(importSnippet({ ...AWS_ENV, DATABASE_URL: "mysql://app@db:3306/app" })).toMatchObject({ status: 1, stderr: expect.stringContaining("is not postgres://") });
  });
});
