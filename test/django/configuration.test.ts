import { AppBackends, appConfiguration, postgresUrl } from "../../modules/django/configuration";
import { ICache, IObjectStoreCdn, IPostgresCluster } from "../../modules/core";

const secret = { store: "test-store", id: "db" };
const postgres: IPostgresCluster = {
  port: 5432,
  primary: { host: "primary.internal", port: 5432 },
  replicas: [
    { host: "replica-1.internal", port: 5432 },
    { host: "replica-2.internal", port: 5432 },
  ],
  pooler: { host: "pooler.internal", port: 6432 },
  databaseName: "app",
  username: "app",
  password: secret,
  allowFrom: () => undefined,
};
const cache: ICache = { port: 6379, endpoint: { host: "cache.internal", port: 6379 }, tls: true, password: { store: "test-store", id: "cache" }, allowFrom: () => undefined };
const store = (purpose: "media" | "static"): IObjectStoreCdn => ({
  purpose,
  bucketName: `${purpose}-bucket`,
  region: "eu-west-1",
  endpointUrl: "https://s3.example",
  cdnDomain: `${purpose}.example.com`,
  objectAcl: "private",
  grantReadWrite: () => undefined,
});
const backends: AppBackends = { domain: "www.example.com", postgres, cache, media: store("media"), staticFiles: store("static") };

describe("application configuration", () => {
  it("writes through the pooler, reads from every replica, and keeps passwords out of URLs", () => {
    const c = appConfiguration(backends);
    const settings = Object.fromEntries(c.settings.map((s) => [s.name, s.value]));
    expect(settings.DATABASE_URL).toBe("postgres://app@pooler.internal:6432/app?sslmode=require");
    expect(settings.DATABASE_REPLICA_URLS).toBe(
      "postgres://app@replica-1.internal:5432/app?sslmode=require,postgres://app@replica-2.internal:5432/app?sslmode=require",
    );
    expect(settings.REDIS_URL).toBe("rediss://cache.internal:6379/0");
    expect(c.secrets).toEqual([
      { name: "DATABASE_PASSWORD", secret },
      { name: "REDIS_PASSWORD", secret: { store: "test-store", id: "cache" } },
    ]);
  });

  it("writes to the primary when there is no pooler, and has no replica setting without replicas", () => {
    const c = appConfiguration({ ...backends, postgres: { ...postgres, pooler: undefined, replicas: [] } });
    const names = c.settings.map((s) => s.name);
    expect(c.settings.find((s) => s.name === "DATABASE_URL")!.value).toBe(postgresUrl(postgres.primary, "app", "app"));
    expect(names).not.toContain("DATABASE_REPLICA_URLS");
  });

  it("hands stores' keys to the app where hosts have no identity, and says which ACL objects need", () => {
    const keyed = (purpose: "media" | "static"): IObjectStoreCdn => ({
      ...store(purpose),
      objectAcl: "public-read",
      accessKey: { id: `${purpose}-key-id`, secret: { store: "test-store", id: `${purpose}-key` } },
    });
    const c = appConfiguration({ ...backends, media: keyed("media"), staticFiles: keyed("static") });
    expect(c.settings).toEqual(
      expect.arrayContaining([
        { name: "STORAGE_DEFAULT_ACL", value: "public-read" },
        { name: "MEDIA_ACCESS_KEY_ID", value: "media-key-id" },
        { name: "STATIC_ACCESS_KEY_ID", value: "static-key-id" },
      ]),
    );
    expect(c.secrets.map((s) => s.name)).toEqual(["DATABASE_PASSWORD", "REDIS_PASSWORD", "MEDIA_SECRET_ACCESS_KEY", "STATIC_SECRET_ACCESS_KEY"]);
    const plain = appConfiguration(backends);
    expect(plain.settings).toContainEqual({ name: "STORAGE_DEFAULT_ACL", value: "private" });
    expect(plain.settings.map((s) => s.name)).not.toContain("MEDIA_ACCESS_KEY_ID");
  });

  it("adds the application's own settings as written (adapters escape them where they become Terraform text)", () => {
    const c = appConfiguration({ ...backends, extra: { GREETING: "hello ${USER}" }, settingsModule: "shop.settings" });
    expect(c.settings).toContainEqual({ name: "GREETING", value: "hello ${USER}" });
    expect(c.settings).toContainEqual({ name: "DJANGO_SETTINGS_MODULE", value: "shop.settings" });
    expect(c.settings).toContainEqual({ name: "DJANGO_ALLOWED_HOSTS", value: "www.example.com" });
  });
});
