import { join } from "node:path";

/**
 * What the Django processes of production-aws and production-do receive, with the values
 * Terraform would fill in (test/stacks/settings.test.ts proves the names are the
 * stacks' own), for tests that run the settings snippet.
 */

/** The directory holding the settings snippet, for PYTHONPATH. */
export const SNIPPET_DIR = join(__dirname, "..", "..", "contrib", "django");

export const DB_PASSWORD = "p@ss/word:1";
/** The generated key's shape: 50 letters and digits. */
export const SECRET_KEY = "Q7dLr0aT5vXk2NwYb9HcE3jPz8MfU1sGqK4oRi6VeA0nBlCtWx";
export const REDIS_PASSWORD = "r3dis+token/=";

/** What a production-aws app host receives (values as Terraform would fill them in). */
export const AWS_ENV = {
  DJANGO_ALLOWED_HOSTS: "www.example.com,10.30.4.17",
  DJANGO_SETTINGS_MODULE: "shop.settings.production",
  SITE_URL: "https://www.example.com",
  DATABASE_URL: "postgres://app@shop-production.proxy-c1a2b3.eu-west-1.rds.amazonaws.com:5432/app?sslmode=require",
  DATABASE_DIRECT_URL: "postgres://app@shop-production.c1a2b3.eu-west-1.rds.amazonaws.com:5432/app?sslmode=require",
  DATABASE_REPLICA_URLS:
    "postgres://app@shop-production-replica-1.c1a2b3.eu-west-1.rds.amazonaws.com:5432/app?sslmode=require,postgres://app@shop-production-replica-2.c1a2b3.eu-west-1.rds.amazonaws.com:5432/app?sslmode=require",
  REDIS_URL: "rediss://master.shop-production.abc123.euw1.cache.amazonaws.com:6379/0",
  STORAGE_REGION: "eu-west-1",
  STORAGE_ENDPOINT_URL: "https://s3.eu-west-1.amazonaws.com",
  MEDIA_BUCKET: "shop-production-media-3f9a",
  MEDIA_CDN_DOMAIN: "media.example.com",
  STATIC_BUCKET: "shop-production-static-3f9a",
  STATIC_CDN_DOMAIN: "static.example.com",
  STORAGE_DEFAULT_ACL: "private",
  DATABASE_PASSWORD: DB_PASSWORD,
  REDIS_PASSWORD,
  DJANGO_SECRET_KEY: SECRET_KEY,
};

/** What a production-do app host receives. */
export const DO_ENV = {
  DJANGO_ALLOWED_HOSTS: "www.example.com,10.30.0.5",
  DJANGO_SETTINGS_MODULE: "shop.settings.production",
  SITE_URL: "https://www.example.com",
  DATABASE_URL: "postgres://app@private-pool-db-postgresql-fra1-1.b.db.ondigitalocean.com:25061/app?sslmode=require",
  DATABASE_DIRECT_URL: "postgres://app@private-db-postgresql-fra1-1.b.db.ondigitalocean.com:25060/app?sslmode=require",
  DATABASE_REPLICA_URLS: "postgres://app@private-replica-1.b.db.ondigitalocean.com:25060/app?sslmode=require,postgres://app@private-replica-2.b.db.ondigitalocean.com:25060/app?sslmode=require",
  REDIS_URL: "rediss://private-cache-do-user-1.b.db.ondigitalocean.com:25061/0",
  STORAGE_REGION: "fra1",
  STORAGE_ENDPOINT_URL: "https://fra1.digitaloceanspaces.com",
  MEDIA_BUCKET: "shop-production-media",
  MEDIA_CDN_DOMAIN: "shop-production-media.fra1.cdn.digitaloceanspaces.com",
  STATIC_BUCKET: "shop-production-static",
  STATIC_CDN_DOMAIN: "shop-production-static.fra1.cdn.digitaloceanspaces.com",
  STORAGE_DEFAULT_ACL: "public-read",
  MEDIA_ACCESS_KEY_ID: "DO00MEDIAKEYID",
  STATIC_ACCESS_KEY_ID: "DO00STATICKEYID",
  DATABASE_PASSWORD: DB_PASSWORD,
  REDIS_PASSWORD,
  MEDIA_SECRET_ACCESS_KEY: "media-secret",
  STATIC_SECRET_ACCESS_KEY: "static-secret",
  DJANGO_SECRET_KEY: SECRET_KEY,
};

