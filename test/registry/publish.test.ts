import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { IncomingMessage, Server, ServerResponse, createServer } from "node:http";
import { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PublishOptions, PublishResult, listTarballs, parseTarballName, publishModules, resolveToken, summarize, tokenVariable } from "../../tools/registry/publish";

const root = join(__dirname, "..", "..");
const TOKEN = "tfc-token-0123456789.atlasv1.secret";
const JSON_API = "application/vnd.api+json";
const ORG = "acme";
const POSTGRES = "/api/v2/organizations/acme/registry-modules/private/acme/cloudtiers-postgres/aws";
const CREATE_MODULE = "/api/v2/organizations/acme/registry-modules";
const ORGANIZATION = "/api/v2/organizations/acme";

/** One request the fake registry received. */
interface Recorded {
  server: "api" | "storage";
  method: string;
  path: string;
  authorization?: string;
  contentType?: string;
  body: Buffer;
  /** When it arrived (Date.now()). */
  at: number;
}

interface VersionState {
  status: string;
  error?: string;
  uploaded: boolean;
  pollsLeft: number;
}

/** How an uploaded version's ingestion ends, after how many GETs of its module. */
interface Ingestion {
  polls: number;
  status: string;
  error?: string;
}

/** A JSON:API error document (https://jsonapi.org/format/#error-objects), as the API answers errors. */
function apiError(status: number, title: string, detail?: string): [number, unknown] {
  return [status, { errors: [{ status: String(status), title, ...(detail === undefined ? {} : { detail }) }] }];
}

const NOT_FOUND = apiError(404, "not found");
// The rules the docs give for POST /organizations/:organization_name/registry-modules.
const MODULE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62}[A-Za-z0-9])?$/;
const MODULE_PROVIDER = /^[a-z0-9]{1,64}$/;
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * The private registry API on one server and the upload storage on another (so the upload
 * URL is on another host:port, as in Terraform Cloud), with in-memory state; records every
 * request. It answers as https://developer.hashicorp.com/terraform/cloud-docs/api-docs/private-registry/modules
 * documents, and no more leniently: a missing or wrong token gets 401, an unknown path,
 * method or organization 404, a POST without Content-Type application/vnd.api+json 415, a
 * body of the wrong type or shape 422, an upload other than a PUT of
 * application/octet-stream 405 or 415.
 */
class FakeRegistry {
  readonly requests: Recorded[] = [];
  readonly modules = new Map<string, Map<string, VersionState>>();
  readonly uploads = new Map<string, Buffer>();
  acceptedToken = TOKEN;
  /**
   * What the accepted token may do in the organization: `manage` (the "Manage private
   * registry" permission), `read` (a member without it: reads modules, and any write is
   * answered 404 "user not authorized"), `none` (not a member: every path of the
   * organization is answered 404, as a missing organization would be).
   */
  access: "manage" | "read" | "none" = "manage";
  /** When set, the next `count` API requests are answered 429 with these headers. */
  rateLimit?: { count: number; headers: Record<string, string> };
  /** How the upload storage answers a good upload; the docs give no status for it. */
  uploadStatus = 200;
  /** When set, POST version adds the version with this status, as another publisher would have, and answers 422 "has already been taken". */
  versionRace?: string;
  /** When set, this path answers 500 with a JSON:API error. */
  failingPath?: string;
  ingestion: Ingestion = { polls: 2, status: "ok" };
  private readonly api = createServer((req, res) => void this.handle("api", req, res));
  private readonly storage = createServer((req, res) => void this.handle("storage", req, res));
  private readonly pendingUploads = new Map<string, VersionState>();

  async start(): Promise<this> {
    await Promise.all([listen(this.api), listen(this.storage)]);
    return this;
  }

  async stop(): Promise<void> {
    await Promise.all([close(this.api), close(this.storage)]);
  }

  get apiBase(): string {
    return `http://127.0.0.1:${port(this.api)}/api/v2`;
  }

  /** Adds a module, and versions with their statuses; a version seeded `pending` stays so, as one whose upload never came. */
  seed(name: string, provider: string, versions: Record<string, string> = {}): void {
    const entries = Object.entries(versions).map(([version, status]): [string, VersionState] => [version, { status, uploaded: false, pollsLeft: 0 }]);
    this.modules.set(`${ORG}/${name}/${provider}`, new Map(entries));
  }

  /** The requests without their raw bodies: JSON bodies parsed, upload bodies left out. */
  summary(): { server: string; method: string; path: string; authorization?: string; contentType?: string; json?: unknown }[] {
    return this.requests.map(({ server, method, path, authorization, contentType, body }) => ({
      server,
      method,
      path,
      authorization,
      contentType,
      ...(contentType === JSON_API ? { json: JSON.parse(body.toString("utf8")) } : {}),
    }));
  }

  private async handle(server: Recorded["server"], req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Plain views: this @types/node's Buffer does not type-check as a Uint8Array.
    const chunks: Uint8Array[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    const request: Recorded = {
      server,
      method: req.method ?? "",
      path: req.url ?? "",
      authorization: req.headers.authorization,
      contentType: req.headers["content-type"],
      body: Buffer.concat(chunks),
      at: Date.now(),
    };
    this.requests.push(request);
    if (server === "storage") {
      const status = this.store(request);
      res.writeHead(status);
      res.end();
      return;
    }
    const [status, body, headers = {}] = this.route(request);
    res.writeHead(status, { ...headers, "Content-Type": JSON_API });
    res.end(body === undefined ? "" : JSON.stringify(body));
  }

  private route(request: Recorded): [number, unknown, Record<string, string>?] {
    // Authenticated or not, every request counts against the limit; the body is the docs' sample.
    if (this.rateLimit !== undefined && this.rateLimit.count > 0) {
      this.rateLimit.count--;
      return [429, { errors: [{ detail: "You have exceeded the API's rate limit.", status: 429, title: "Too many requests" }] }, this.rateLimit.headers];
    }
    // "If the token is absent or invalid, HCP Terraform responds with HTTP status 401."
    if (request.authorization !== `Bearer ${this.acceptedToken}`) return apiError(401, "unauthorized");
    if (request.path === this.failingPath) return apiError(500, "internal error", "the database is on fire");
    if (this.access === "none") return NOT_FOUND;
    if (request.path === ORGANIZATION) return request.method === "GET" ? this.getOrganization() : NOT_FOUND;
    const path = /^\/api\/v2\/organizations\/([^/?]+)\/registry-modules(?:\/private\/([^/?]+)\/([^/?]+)\/([^/?]+)(\/versions)?)?$/.exec(request.path);
    if (path === null || path[1] !== ORG) return NOT_FOUND;
    // "404: User not authorized", for every write of a token without the permission.
    if (request.method !== "GET" && this.access !== "manage") return apiError(404, "not found", "User not authorized");
    const [, , namespace, name, provider, versions] = path;
    if (namespace === undefined) return request.method === "POST" ? this.withJsonApi(request, "registry-modules", (a) => this.createModule(a)) : NOT_FOUND;
    // A private module's namespace is its organization's name.
    if (namespace !== ORG) return NOT_FOUND;
    const key = `${ORG}/${name}/${provider}`;
    if (versions === undefined) return request.method === "GET" ? this.getModule(key) : NOT_FOUND;
    return request.method === "POST" ? this.withJsonApi(request, "registry-module-versions", (a) => this.createVersion(key, a)) : NOT_FOUND;
  }

  /** Checks a POST's media type and JSON:API document, then hands its attributes to `create`. */
  private withJsonApi(request: Recorded, type: string, create: (attributes: Record<string, unknown>) => [number, unknown]): [number, unknown] {
    // https://jsonapi.org/format/#content-negotiation-servers
    if (request.contentType !== JSON_API) return apiError(415, "unsupported media type", `Content-Type must be ${JSON_API}, got ${String(request.contentType)}`);
    let document: unknown;
    try {
      document = JSON.parse(request.body.toString("utf8"));
    } catch {
      return apiError(400, "bad request", "the body is not JSON");
    }
    const data = (document as { data?: { type?: unknown; attributes?: unknown } }).data;
    if (data?.type !== type || typeof data.attributes !== "object" || data.attributes === null) return apiError(422, "invalid attribute", `data.type must be "${type}", with data.attributes`);
    return create(data.attributes as Record<string, unknown>);
  }

  /** GET /organizations/:organization_name, with the permissions the docs show (those this client reads). */
  private getOrganization(): [number, unknown] {
    const permissions = { "can-update": false, "can-create-module": this.access === "manage", "can-create-workspace": false };
    return [200, { data: { id: ORG, type: "organizations", attributes: { name: ORG, permissions } } }];
  }

  private getModule(key: string): [number, unknown] {
    const versions = this.modules.get(key);
    if (versions === undefined) return NOT_FOUND;
    for (const state of versions.values()) {
      if (!state.uploaded || state.status !== "pending" || --state.pollsLeft > 0) continue;
      state.status = this.ingestion.status;
      if (this.ingestion.error !== undefined) state.error = this.ingestion.error;
    }
    const statuses = [...versions].map(([version, { status, error }]) => ({ version, status, ...(error === undefined ? {} : { error }) }));
    const [, name, provider] = key.split("/");
    return [200, { data: { id: "mod-1", type: "registry-modules", attributes: { name, provider, namespace: ORG, "registry-name": "private", "version-statuses": statuses } } }];
  }

  private createModule(attributes: Record<string, unknown>): [number, unknown] {
    const { name, provider, namespace } = attributes;
    if (attributes["registry-name"] !== "private" || namespace !== undefined) return apiError(422, "invalid attribute", 'registry-name must be "private", without a namespace');
    if (typeof name !== "string" || !MODULE_NAME.test(name)) return apiError(422, "invalid attribute", `Name is invalid: ${String(name)}`);
    if (typeof provider !== "string" || !MODULE_PROVIDER.test(provider)) return apiError(422, "invalid attribute", `Provider is invalid: ${String(provider)}`);
    const key = `${ORG}/${name}/${provider}`;
    if (this.modules.has(key)) return apiError(422, "invalid attribute", "Name has already been taken");
    this.modules.set(key, new Map());
    return [201, { data: { id: "mod-1", type: "registry-modules", attributes: { name, provider, namespace: ORG, "registry-name": "private", status: "pending", "version-statuses": [] } } }];
  }

  private createVersion(key: string, attributes: Record<string, unknown>): [number, unknown] {
    const { version } = attributes;
    const versions = this.modules.get(key);
    if (versions === undefined) return NOT_FOUND;
    if (typeof version !== "string" || !SEMVER.test(version)) return apiError(422, "invalid attribute", `Version is invalid: ${String(version)}`);
    if (this.versionRace !== undefined && !versions.has(version)) versions.set(version, { status: this.versionRace, uploaded: false, pollsLeft: 0 });
    if (versions.has(version)) return apiError(422, "invalid attribute", "Version has already been taken");
    const state: VersionState = { status: "pending", uploaded: false, pollsLeft: this.ingestion.polls };
    versions.set(version, state);
    const id = `${key.replace(/\//g, "-")}-${version}`;
    this.pendingUploads.set(id, state);
    const upload = `http://127.0.0.1:${port(this.storage)}/object/${id}?signature=presigned`;
    return [201, { data: { id: "modver-1", type: "registry-module-versions", attributes: { source: "tfe-api", version, status: "pending" }, links: { upload } } }];
  }

  private store(request: Recorded): number {
    const id = /^\/object\/([^?]+)/.exec(request.path)?.[1];
    const state = id === undefined ? undefined : this.pendingUploads.get(id);
    if (id === undefined || state === undefined) return 404;
    if (request.method !== "PUT") return 405;
    if (request.contentType !== "application/octet-stream") return 415;
    if (this.uploadStatus < 200 || this.uploadStatus > 299) return this.uploadStatus;
    this.uploads.set(id, request.body);
    state.uploaded = true;
    return this.uploadStatus;
  }
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function port(server: Server): number {
  return (server.address() as AddressInfo).port;
}

let registry: FakeRegistry;
let dir: string;
let log: string[];

beforeEach(async () => {
  registry = await new FakeRegistry().start();
  dir = mkdtempSync(join(tmpdir(), "cloudtiers-publish-"));
  log = [];
});

afterEach(async () => {
  await registry.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a tarball of random bytes into the temp directory and returns its path. */
function tarball(name: string, bytes = 1024): string {
  const file = join(dir, name);
  writeFileSync(file, new Uint8Array(randomBytes(bytes)));
  return file;
}

/** Publishes against the fake registry with fast polling and the token in TF_TOKEN_app_terraform_io. */
function publish(files: string[], options: Partial<PublishOptions> = {}): Promise<PublishResult[]> {
  return publishModules({
    files,
    organization: ORG,
    apiBase: registry.apiBase,
    env: { TF_TOKEN_app_terraform_io: TOKEN },
    log: (line) => log.push(line),
    pollIntervalMs: 10,
    pollTimeoutMs: 5000,
    ...options,
  });
}

const auth = `Bearer ${TOKEN}`;
const get = (path: string) => ({ server: "api", method: "GET", path, authorization: auth, contentType: undefined });
const createModule = (name: string, provider: string) => ({
  server: "api",
  method: "POST",
  path: CREATE_MODULE,
  authorization: auth,
  contentType: JSON_API,
  json: { data: { type: "registry-modules", attributes: { name, provider, "registry-name": "private", "no-code": false } } },
});
const createVersion = (path: string, version: string) => ({
  server: "api",
  method: "POST",
  path: `${path}/versions`,
  authorization: auth,
  contentType: JSON_API,
  json: { data: { type: "registry-module-versions", attributes: { version } } },
});
const upload = (id: string) => ({ server: "storage", method: "PUT", path: `/object/${id}?signature=presigned`, authorization: undefined, contentType: "application/octet-stream" });

describe("publishModules against a registry", () => {
  it("creates an absent module and its version, uploads the tarball without the token, and polls until ok", async () => {
    const file = tarball("cloudtiers-postgres-aws-0.1.0.tar.gz");
    const results = await publish([file]);

    expect(registry.summary()).toEqual([
      get(POSTGRES),
      get(ORGANIZATION),
      createModule("cloudtiers-postgres", "aws"),
      createVersion(POSTGRES, "0.1.0"),
      upload("acme-cloudtiers-postgres-aws-0.1.0"),
      get(POSTGRES),
      get(POSTGRES),
    ]);
    expect(registry.uploads.get("acme-cloudtiers-postgres-aws-0.1.0")).toEqual(readFileSync(file));
    expect(results).toEqual([
      { file, name: "cloudtiers-postgres", provider: "aws", version: "0.1.0", outcome: "published", message: "published cloudtiers-postgres/aws 0.1.0 to app.terraform.io/acme" },
    ]);
    expect(log).toEqual([
      "publishing 1 module version(s) to app.terraform.io/acme with the token from TF_TOKEN_app_terraform_io",
      "created the module cloudtiers-postgres/aws in acme's registry",
      "uploaded cloudtiers-postgres/aws 0.1.0 (1024 bytes); waiting for the registry to ingest it",
      "published cloudtiers-postgres/aws 0.1.0 to app.terraform.io/acme",
    ]);
    expect(summarize(results)).toBe("published 1, skipped 0, failed 0");
  });

  it("adds a new version to an existing module without creating the module", async () => {
    registry.seed("cloudtiers-postgres", "aws", { "0.1.0": "ok" });
    registry.ingestion = { polls: 1, status: "ok" };
    const file = tarball("cloudtiers-postgres-aws-0.2.0.tar.gz");
    const results = await publish([file]);

    expect(registry.summary()).toEqual([get(POSTGRES), createVersion(POSTGRES, "0.2.0"), upload("acme-cloudtiers-postgres-aws-0.2.0"), get(POSTGRES)]);
    expect(registry.uploads.get("acme-cloudtiers-postgres-aws-0.2.0")).toEqual(readFileSync(file));
    expect(results.map((r) => r.outcome)).toEqual(["published"]);
  });

  it("skips a version already in the registry and still publishes the other tarballs", async () => {
    registry.seed("cloudtiers-postgres", "aws", { "0.1.0": "ok" });
    registry.ingestion = { polls: 1, status: "ok" };
    const existing = tarball("cloudtiers-postgres-aws-0.1.0.tar.gz");
    const fresh = tarball("cloudtiers-redis-aws-0.1.0.tar.gz", 10);
    const results = await publish([existing, fresh]);

    const redis = "/api/v2/organizations/acme/registry-modules/private/acme/cloudtiers-redis/aws";
    expect(registry.summary()).toEqual([
      get(POSTGRES),
      get(redis),
      get(ORGANIZATION),
      createModule("cloudtiers-redis", "aws"),
      createVersion(redis, "0.1.0"),
      upload("acme-cloudtiers-redis-aws-0.1.0"),
      get(redis),
    ]);
    expect(results.map((r) => [r.outcome, r.message])).toEqual([
      ["skipped", "cloudtiers-postgres/aws 0.1.0 is already in acme's registry (status ok); skipped: bump the version to publish a new one"],
      ["published", "published cloudtiers-redis/aws 0.1.0 to app.terraform.io/acme"],
    ]);
    expect(log).toContain(results[0].message);
    expect(summarize(results)).toBe("published 1, skipped 1, failed 0");
  });

  it("reads again a version created meanwhile (422 has already been taken): skipped when ok, failed when not", async () => {
    registry.seed("cloudtiers-postgres", "aws");
    registry.versionRace = "ok";
    const file = tarball("cloudtiers-postgres-aws-0.1.0.tar.gz");
    const results = await publish([file]);

    expect(registry.summary()).toEqual([get(POSTGRES), createVersion(POSTGRES, "0.1.0"), get(POSTGRES)]);
    expect(results.map((r) => [r.outcome, r.message])).toEqual([
      ["skipped", "cloudtiers-postgres/aws 0.1.0 is already in acme's registry (status ok); skipped: bump the version to publish a new one"],
    ]);

    registry.seed("cloudtiers-postgres", "aws");
    registry.versionRace = "pending";
    const raced = await publish([file]);
    expect(raced.map((r) => r.outcome)).toEqual(["failed"]);
    expect(raced[0].message).toContain("with status pending, not ok");
  });

  it("fails, rather than skips, a version left pending by an interrupted upload, and says how to delete it", async () => {
    registry.seed("cloudtiers-postgres", "aws", { "0.1.0": "pending" });
    const results = await publish([tarball("cloudtiers-postgres-aws-0.1.0.tar.gz")]);

    expect(registry.summary()).toEqual([get(POSTGRES)]);
    expect(results.map((r) => [r.outcome, r.message])).toEqual([
      [
        "failed",
        "failed to publish cloudtiers-postgres/aws 0.1.0: it is in acme's registry with status pending, not ok, so it cannot be used " +
          "(created, but its tarball was never uploaded or not yet ingested: an interrupted publish, or one still under way; upload links are valid for 25 hours); " +
          `delete the version, then run modules:publish again: DELETE ${registry.apiBase}/organizations/acme/registry-modules/private/acme/cloudtiers-postgres/aws/0.1.0, ` +
          "or in app.terraform.io's UI: Registry > cloudtiers-postgres (aws) > Versions: 0.1.0 > Delete module > Delete only this module version",
      ],
    ]);
    expect(summarize(results)).toBe("published 0, skipped 0, failed 1");
  });

  it("fails a version left reg_ingress_failed, with the registry's error and how to delete it", async () => {
    registry.seed("cloudtiers-postgres", "aws", { "0.1.0": "reg_ingress_failed" });
    registry.modules.get("acme/cloudtiers-postgres/aws")!.get("0.1.0")!.error = "main.tf:3: Unsupported argument";
    const results = await publish([tarball("cloudtiers-postgres-aws-0.1.0.tar.gz")]);

    expect(registry.summary()).toEqual([get(POSTGRES)]);
    expect(results[0].outcome).toBe("failed");
    expect(results[0].message).toContain("with status reg_ingress_failed (main.tf:3: Unsupported argument), not ok, so it cannot be used (the registry could not ingest it)");
    expect(results[0].message).toContain(`DELETE ${registry.apiBase}/organizations/acme/registry-modules/private/acme/cloudtiers-postgres/aws/0.1.0`);
  });

  it("fails a tarball the registry cannot ingest, with the registry's error", async () => {
    registry.ingestion = { polls: 1, status: "reg_ingress_failed", error: "main.tf:3: Unsupported argument" };
    const results = await publish([tarball("cloudtiers-postgres-aws-0.1.0.tar.gz")]);

    expect(results.map((r) => [r.outcome, r.message])).toEqual([
      [
        "failed",
        "failed to publish cloudtiers-postgres/aws 0.1.0: the registry could not ingest it (status reg_ingress_failed: main.tf:3: Unsupported argument); " +
          `fix the module, delete the version, then run modules:publish again: DELETE ${registry.apiBase}/organizations/acme/registry-modules/private/acme/cloudtiers-postgres/aws/0.1.0, ` +
          "or in app.terraform.io's UI: Registry > cloudtiers-postgres (aws) > Versions: 0.1.0 > Delete module > Delete only this module version",
      ],
    ]);
    expect(summarize(results)).toBe("published 0, skipped 0, failed 1");
  });

  it("reports the last status when ingestion outlasts the poll timeout", async () => {
    registry.ingestion = { polls: Number.POSITIVE_INFINITY, status: "ok" };
    const results = await publish([tarball("cloudtiers-postgres-aws-0.1.0.tar.gz")], { pollTimeoutMs: 50 });

    expect(results.map((r) => [r.outcome, r.message])).toEqual([
      ["failed", "failed to publish cloudtiers-postgres/aws 0.1.0: uploaded, but its status is still pending after 50 ms; check app.terraform.io/acme's registry"],
    ]);
  });

  // The docs: "If the token is absent or invalid, HCP Terraform responds with HTTP status 401
  // [...] forbidden requests with a valid token result in a 404."
  it("reports a 401 as a token absent, invalid or expired, not as one lacking permission, and never shows the token", async () => {
    const wrong = "wrong-token-5ecret.atlasv1.zzz";
    const results = await publish([tarball("cloudtiers-postgres-aws-0.1.0.tar.gz")], { env: { TFE_TOKEN: wrong } });

    expect(registry.summary()).toEqual([{ ...get(POSTGRES), authorization: `Bearer ${wrong}` }]);
    expect(results.map((r) => [r.outcome, r.message])).toEqual([
      [
        "failed",
        `failed to publish cloudtiers-postgres/aws 0.1.0: app.terraform.io refused the token from TFE_TOKEN (GET ${POSTGRES.replace("/api/v2", "")} returned 401: unauthorized): ` +
          "it is absent, invalid or expired; create a user or team API token in acme and set it in TFE_TOKEN",
      ],
    ]);
    expect(JSON.stringify([log, results])).not.toContain(wrong);
  });

  it("tells a 404 for a token without permission from an absent module, and creates nothing", async () => {
    registry.access = "read";
    const results = await publish([tarball("cloudtiers-postgres-aws-0.1.0.tar.gz"), tarball("cloudtiers-redis-aws-0.1.0.tar.gz")]);

    // The organization is read once a run, to tell "no such module" from "no permission".
    const redis = "/api/v2/organizations/acme/registry-modules/private/acme/cloudtiers-redis/aws";
    expect(registry.summary()).toEqual([get(POSTGRES), get(ORGANIZATION), get(redis)]);
    expect(results.map((r) => r.message)).toEqual(
      ["cloudtiers-postgres/aws", "cloudtiers-redis/aws"].map(
        (module) =>
          `failed to publish ${module} 0.1.0: the token from TF_TOKEN_app_terraform_io can read the organization acme on app.terraform.io but may not publish modules: ` +
          'its user or team needs the organization permission "Manage private registry" (the owners team has it)',
      ),
    );
  });

  it("tells a 404 on a write from a token without permission", async () => {
    registry.seed("cloudtiers-postgres", "aws", { "0.1.0": "ok" });
    registry.access = "read";
    const results = await publish([tarball("cloudtiers-postgres-aws-0.2.0.tar.gz")]);

    expect(registry.summary()).toEqual([get(POSTGRES), createVersion(POSTGRES, "0.2.0"), get(ORGANIZATION)]);
    expect(results[0].message).toBe(
      "failed to publish cloudtiers-postgres/aws 0.2.0: the token from TF_TOKEN_app_terraform_io can read the organization acme on app.terraform.io but may not publish modules: " +
        'its user or team needs the organization permission "Manage private registry" (the owners team has it)',
    );
  });

  it("tells an organization the token cannot see (or that does not exist) from an absent module", async () => {
    registry.access = "none";
    const results = await publish([tarball("cloudtiers-postgres-aws-0.1.0.tar.gz")]);

    expect(registry.summary()).toEqual([get(POSTGRES), get(ORGANIZATION)]);
    expect(results[0].message).toBe(
      "failed to publish cloudtiers-postgres/aws 0.1.0: the organization acme does not exist on app.terraform.io, or the token from TF_TOKEN_app_terraform_io cannot see it " +
        '(the API answers 404 to both): check the name, and that the token\'s user or team belongs to acme with the organization permission "Manage private registry"',
    );
  });

  it("waits out a 429 as long as its X-RateLimit-Reset asks, saying so, then carries on", async () => {
    registry.seed("cloudtiers-postgres", "aws", { "0.1.0": "ok" });
    registry.rateLimit = { count: 2, headers: { "X-RateLimit-Limit": "30", "X-RateLimit-Reset": "0.4" } };
    const results = await publish([tarball("cloudtiers-postgres-aws-0.1.0.tar.gz")], { backoffMs: 10 });

    expect(registry.summary()).toEqual([get(POSTGRES), get(POSTGRES), get(POSTGRES)]);
    // Timers may fire a millisecond early.
    expect(registry.requests[1].at - registry.requests[0].at).toBeGreaterThanOrEqual(395);
    expect(registry.requests[2].at - registry.requests[1].at).toBeGreaterThanOrEqual(395);
    expect(results.map((r) => r.outcome)).toEqual(["skipped"]);
    const path = POSTGRES.replace("/api/v2", "");
    expect(log.slice(1, 3)).toEqual([
      expect.stringMatching(new RegExp(`^GET ${path} was rate limited \\(429\\); retry 1 in 4[0-4]\\d ms, as X-RateLimit-Reset asks; at most 180 s of waiting a run$`)),
      expect.stringMatching(new RegExp(`^GET ${path} was rate limited \\(429\\); retry 2 in 4[0-4]\\d ms, as X-RateLimit-Reset asks; at most 180 s of waiting a run$`)),
    ]);
  });

  it("waits out a 429 as long as its Retry-After asks, never less than the backoff", async () => {
    registry.seed("cloudtiers-postgres", "aws", { "0.1.0": "ok" });
    registry.rateLimit = { count: 1, headers: { "Retry-After": "1" } };
    const results = await publish([tarball("cloudtiers-postgres-aws-0.1.0.tar.gz")], { backoffMs: 10 });

    expect(registry.requests[1].at - registry.requests[0].at).toBeGreaterThanOrEqual(995);
    expect(log[1]).toMatch(/ was rate limited \(429\); retry 1 in 1(\.\d+)? s, as Retry-After asks; /);
    expect(results.map((r) => r.outcome)).toEqual(["skipped"]);

    // A header asking for less than the backoff gets the backoff.
    registry.requests.length = 0;
    log.length = 0;
    registry.rateLimit = { count: 1, headers: { "X-RateLimit-Reset": "0.001" } };
    await publish([tarball("cloudtiers-postgres-aws-0.1.0.tar.gz")], { backoffMs: 200 });
    expect(registry.requests[1].at - registry.requests[0].at).toBeGreaterThanOrEqual(195);
    expect(log[1]).toMatch(/ was rate limited \(429\); retry 1 in 2[0-2]\d ms, backing off; /);
  });

  it("gives up on a 429 that lasts once the run's waiting allowance is spent, and says why", async () => {
    registry.rateLimit = { count: Number.POSITIVE_INFINITY, headers: { "X-RateLimit-Limit": "30" } };
    const started = Date.now();
    // Backoffs of 20, 40, 80 and 160 ms (a tenth more at most) fit in 400 ms; the fifth does not.
    const results = await publish([tarball("cloudtiers-postgres-aws-0.1.0.tar.gz"), tarball("cloudtiers-redis-aws-0.1.0.tar.gz")], { backoffMs: 20, rateLimitWaitMs: 400 });

    expect(Date.now() - started).toBeLessThan(5000);
    const redis = "/api/v2/organizations/acme/registry-modules/private/acme/cloudtiers-redis/aws";
    // The allowance is the run's: once spent, the next tarball gets no wait at all.
    expect(registry.summary()).toEqual([...Array<unknown>(5).fill(get(POSTGRES)), get(redis)]);
    expect(log.filter((line) => line.includes("; retry "))).toHaveLength(4);
    expect(results.map((r) => r.outcome)).toEqual(["failed", "failed"]);
    expect(results[0].message).toMatch(
      new RegExp(
        `^failed to publish cloudtiers-postgres/aws 0\\.1\\.0: GET ${POSTGRES.replace("/api/v2", "")} was rate limited \\(429: You have exceeded the API's rate limit\\.\\) ` +
          "and gave up after 4 retries and 3\\d\\d ms of waiting: the next wait, 3\\d\\d ms backing off, would pass the 400 ms of waiting allowed a run; " +
          "the limit \\(30 requests a second to most endpoints\\) is per user, not per token, so other automation of the same user or team can use it up: run again later$",
      ),
    );
    expect(results[1].message).toContain("gave up after 0 retries and 0 ms of waiting");
  }, 10_000);

  it("reports any other HTTP error with method, path, status and the JSON:API details", async () => {
    registry.failingPath = CREATE_MODULE;
    const results = await publish([tarball("cloudtiers-postgres-aws-0.1.0.tar.gz")]);

    expect(results[0].outcome).toBe("failed");
    expect(results[0].message).toBe("failed to publish cloudtiers-postgres/aws 0.1.0: POST /organizations/acme/registry-modules returned 500: the database is on fire");
  });

  it("names the URL when the API cannot be reached", async () => {
    const closed = createServer();
    await listen(closed);
    const apiBase = `http://127.0.0.1:${port(closed)}/api/v2`;
    await close(closed);
    const results = await publish([tarball("cloudtiers-postgres-aws-0.1.0.tar.gz")], { apiBase });

    expect(results[0].outcome).toBe("failed");
    expect(results[0].message).toContain(`GET ${apiBase}/organizations/acme/registry-modules/private/acme/cloudtiers-postgres/aws failed: `);
  });

  it("sends TF_TOKEN_<host> of the hostname given, in preference to TFE_TOKEN", async () => {
    registry.seed("cloudtiers-postgres", "aws", { "0.1.0": "ok" });
    const results = await publish([tarball("cloudtiers-postgres-aws-0.1.0.tar.gz")], {
      hostname: "tfe.example-corp.com",
      env: { TF_TOKEN_tfe_example__corp_com: TOKEN, TFE_TOKEN: "the-fallback-token" },
    });

    expect(registry.summary()).toEqual([get(POSTGRES)]);
    expect(results[0].message).toContain("already in acme's registry");
  });

  // https://developer.hashicorp.com/terraform/cli/config/config-file#environment-variable-credentials
  it("sends the token of TF_TOKEN_<host> spelt with the host's hyphens as they are, as Terraform accepts", async () => {
    registry.seed("cloudtiers-postgres", "aws", { "0.1.0": "ok" });
    const results = await publish([tarball("cloudtiers-postgres-aws-0.1.0.tar.gz")], {
      hostname: "tfe.example-corp.com",
      env: { "TF_TOKEN_tfe_example-corp_com": TOKEN, TFE_TOKEN: "the-fallback-token" },
    });

    expect(registry.summary()).toEqual([get(POSTGRES)]);
    expect(log[0]).toBe("publishing 1 module version(s) to tfe.example-corp.com/acme with the token from TF_TOKEN_tfe_example-corp_com");
    expect(results.map((r) => r.outcome)).toEqual(["skipped"]);
  });

  it("accepts any 2xx from the tarball upload, and fails on another status without showing the signed query", async () => {
    for (const status of [201, 204]) {
      registry.uploadStatus = status;
      const file = tarball(`cloudtiers-postgres-aws-0.1.${status}.tar.gz`);
      const results = await publish([file]);
      expect(results.map((r) => [r.outcome, r.message])).toEqual([["published", `published cloudtiers-postgres/aws 0.1.${status} to app.terraform.io/acme`]]);
      expect(registry.uploads.get(`acme-cloudtiers-postgres-aws-0.1.${status}`)).toEqual(readFileSync(file));
    }

    registry.uploadStatus = 403;
    const results = await publish([tarball("cloudtiers-postgres-aws-0.2.0.tar.gz")]);
    expect(results[0].outcome).toBe("failed");
    expect(results[0].message).toMatch(/^failed to publish cloudtiers-postgres\/aws 0\.2\.0: PUT http:\/\/127\.0\.0\.1:\d+\/object\/acme-cloudtiers-postgres-aws-0\.2\.0 returned 403$/);
  });

  it("sends no request at all in a dry run, needs no token, and prints one line per tarball", async () => {
    const files = [tarball("cloudtiers-postgres-aws-0.1.0.tar.gz", 2048), tarball("cloudtiers-dns-cloudflare-1.0.0-rc.1.tar.gz", 7)];
    const results = await publish(files, { dryRun: true, env: {} });

    expect(registry.requests).toEqual([]);
    expect(log).toEqual([
      "would publish cloudtiers-postgres/aws 0.1.0 (2048 bytes) to app.terraform.io/acme: create the module if absent, create the version, upload the tarball",
      "would publish cloudtiers-dns/cloudflare 1.0.0-rc.1 (7 bytes) to app.terraform.io/acme: create the module if absent, create the version, upload the tarball",
    ]);
    expect(results.map((r) => r.outcome)).toEqual(["dry-run", "dry-run"]);
    expect(summarize(results)).toBe("dry run: would publish 2, sent no request");
  });

  it("refuses, before any request, a missing token, naming both variables", async () => {
    const promise = publish([tarball("cloudtiers-postgres-aws-0.1.0.tar.gz")], { env: { TF_TOKEN_tfe_example__corp_com: "for another host" } });
    await expect(promise).rejects.toThrow("no API token for app.terraform.io: set TF_TOKEN_app_terraform_io or TFE_TOKEN");
    await expect(publish([tarball("cloudtiers-postgres-aws-0.1.0.tar.gz")], { hostname: "tfe.example-corp.com", env: {} })).rejects.toThrow(
      "no API token for tfe.example-corp.com: set TF_TOKEN_tfe_example__corp_com (or TF_TOKEN_tfe_example-corp_com) or TFE_TOKEN",
    );
    expect(registry.requests).toEqual([]);
  });

  it("refuses, before any request, a badly named file or a missing organization", async () => {
    const good = tarball("cloudtiers-postgres-aws-0.1.0.tar.gz");
    const bad = tarball("cloudtiers-postgres.tgz");
    await expect(publish([good, bad])).rejects.toThrow(`${bad} is not named <name>-<provider>-<version>.tar.gz (e.g. cloudtiers-postgres-aws-0.1.0.tar.gz)`);
    await expect(publish([good], { organization: undefined })).rejects.toThrow("no organization: pass --organization ORG or set TF_CLOUD_ORGANIZATION");
    expect(registry.requests).toEqual([]);
  });
});

describe("the fake registry", () => {
  // The client's tests are only as strict as the fake: these hold it to the documented API.
  const send = (path: string, init: RequestInit = {}) => fetch(registry.apiBase + path, { ...init, headers: { Authorization: `Bearer ${TOKEN}`, ...init.headers } });
  const versionBody = JSON.stringify({ data: { type: "registry-module-versions", attributes: { version: "0.1.0" } } });

  it("answers a missing or wrong token 401, and an unknown path, method or organization 404", async () => {
    registry.seed("cloudtiers-postgres", "aws");
    expect((await fetch(registry.apiBase + POSTGRES.replace("/api/v2", ""))).status).toBe(401);
    expect((await send(POSTGRES.replace("/api/v2", ""), { headers: { Authorization: "Bearer nope" } })).status).toBe(401);
    expect((await send(POSTGRES.replace("/api/v2", ""))).status).toBe(200);
    expect((await send(POSTGRES.replace("/api/v2", ""), { method: "DELETE" })).status).toBe(404);
    expect((await send(POSTGRES.replace("/api/v2/organizations/acme", "/organizations/initech"))).status).toBe(404);
    expect((await send("/registry-modules/show/acme/cloudtiers-postgres/aws")).status).toBe(404);
  });

  it("refuses a POST that is not a JSON:API document of the documented type and attributes", async () => {
    registry.seed("cloudtiers-postgres", "aws");
    const versions = `${POSTGRES.replace("/api/v2", "")}/versions`;
    const post = (body: string, contentType = JSON_API) => send(versions, { method: "POST", body, headers: { "Content-Type": contentType } });
    expect((await post(versionBody, "application/json")).status).toBe(415);
    expect((await post(JSON.stringify({ data: { type: "registry-modules", attributes: { version: "0.1.0" } } }))).status).toBe(422);
    expect((await post(JSON.stringify({ data: { type: "registry-module-versions", attributes: { version: "1.0" } } }))).status).toBe(422);
    const created = await post(versionBody);
    expect(created.status).toBe(201);
    expect((await post(versionBody)).status).toBe(422);
    const module = (attributes: Record<string, unknown>) =>
      send("/organizations/acme/registry-modules", { method: "POST", body: JSON.stringify({ data: { type: "registry-modules", attributes } }), headers: { "Content-Type": JSON_API } });
    expect((await module({ name: "-bad", provider: "aws", "registry-name": "private" })).status).toBe(422);
    expect((await module({ name: "good", provider: "AWS", "registry-name": "private" })).status).toBe(422);
    expect((await module({ name: "good", provider: "aws", "registry-name": "public" })).status).toBe(422);
    expect((await module({ name: "good", provider: "aws", "registry-name": "private" })).status).toBe(201);

    const upload = ((await created.json()) as { data: { links: { upload: string } } }).data.links.upload;
    expect((await fetch(upload, { method: "POST", body: "x", headers: { "Content-Type": "application/octet-stream" } })).status).toBe(405);
    expect((await fetch(upload, { method: "PUT", body: "x", headers: { "Content-Type": "text/plain" } })).status).toBe(415);
    expect((await fetch(upload, { method: "PUT", body: "x", headers: { "Content-Type": "application/octet-stream" } })).status).toBe(200);
  });
});

describe("inputs", () => {
  it("reads name, provider and version from the right of a tarball's name", () => {
    expect(parseTarballName("build/cloudtiers-postgres-aws-0.1.0.tar.gz")).toEqual({ file: "build/cloudtiers-postgres-aws-0.1.0.tar.gz", name: "cloudtiers-postgres", provider: "aws", version: "0.1.0" });
    expect(parseTarballName("vpc-digitalocean-12.3.45-beta-2.tar.gz")).toMatchObject({ name: "vpc", provider: "digitalocean", version: "12.3.45-beta-2" });
    for (const bad of ["postgres-0.1.0.tar.gz", "cloudtiers-postgres-aws-0.1.tar.gz", "cloudtiers-postgres-AWS-0.1.0.tar.gz", "cloudtiers-postgres-aws-0.1.0.zip", "-aws-0.1.0.tar.gz"]) {
      expect(() => parseTarballName(bad)).toThrow(`${bad} is not named <name>-<provider>-<version>.tar.gz`);
    }
  });

  it("resolves the token as Terraform does: TF_TOKEN_<host>, else TFE_TOKEN", () => {
    expect(tokenVariable("app.terraform.io")).toBe("TF_TOKEN_app_terraform_io");
    expect(tokenVariable("tfe.example-corp.com")).toBe("TF_TOKEN_tfe_example__corp_com");
    expect(resolveToken("app.terraform.io", { TF_TOKEN_app_terraform_io: "a", TFE_TOKEN: "b" })).toEqual({ variable: "TF_TOKEN_app_terraform_io", token: "a" });
    expect(resolveToken("tfe.example-corp.com", { TF_TOKEN_tfe_example__corp_com: "c", TFE_TOKEN: "b" })).toEqual({ variable: "TF_TOKEN_tfe_example__corp_com", token: "c" });
    expect(resolveToken("tfe.example-corp.com", { TF_TOKEN_app_terraform_io: "a", TFE_TOKEN: "b" })).toEqual({ variable: "TFE_TOKEN", token: "b" });
    expect(resolveToken("app.terraform.io", { TF_TOKEN_app_terraform_io: "", TFE_TOKEN: "" })).toBeUndefined();
  });

  it("reads TF_TOKEN_ names as Terraform does: hyphens as they are or as __, dots as they are or as _, any case", () => {
    for (const variable of ["TF_TOKEN_tfe_example-corp_com", "TF_TOKEN_tfe.example-corp.com", "TF_TOKEN_TFE_EXAMPLE__CORP_COM"]) {
      expect(resolveToken("tfe.example-corp.com", { [variable]: "c", TFE_TOKEN: "b" })).toEqual({ variable, token: "c" });
    }
    expect(resolveToken("tfe.example-corp.com", { TF_TOKEN_tfe_example_corp_com: "c", TFE_TOKEN: "b" })).toEqual({ variable: "TFE_TOKEN", token: "b" });
    // Two spellings of one host: the same token is fine (the __ spelling is named), two tokens are ambiguous.
    const both = { "TF_TOKEN_tfe_example-corp_com": "c", TF_TOKEN_tfe_example__corp_com: "c" };
    expect(resolveToken("tfe.example-corp.com", both)).toEqual({ variable: "TF_TOKEN_tfe_example__corp_com", token: "c" });
    expect(() => resolveToken("tfe.example-corp.com", { ...both, TF_TOKEN_tfe_example__corp_com: "d" })).toThrow(
      "TF_TOKEN_tfe_example__corp_com, TF_TOKEN_tfe_example-corp_com name the same host, tfe.example-corp.com, with different tokens: keep one",
    );
  });

  it("lists a directory's tarballs sorted by name, and refuses an empty one", () => {
    tarball("b-aws-1.0.0.tar.gz");
    tarball("a-aws-1.0.0.tar.gz");
    tarball("notes.txt");
    expect(listTarballs(dir)).toEqual([join(dir, "a-aws-1.0.0.tar.gz"), join(dir, "b-aws-1.0.0.tar.gz")]);
    const empty = join(dir, "empty");
    mkdirSync(empty);
    expect(() => listTarballs(empty)).toThrow(`${empty} holds no *.tar.gz file`);
  });
});

describe("scripts/modules-publish.ts", () => {
  const args = ["--require", "./scripts/register-ts.cjs", "scripts/modules-publish.ts"];
  /** The environment without Terraform Cloud settings or tokens, plus `extra`. */
  const cleanEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(TF_TOKEN_|TFE_TOKEN$|TF_CLOUD_)/.test(name))),
    ...extra,
  });

  it("prints the dry run's plan and a summary, and exits 0, without a token", () => {
    const file = tarball("cloudtiers-postgres-aws-0.1.0.tar.gz", 300);
    const run = spawnSync(process.execPath, [...args, "--dry-run", "--organization", ORG, file], { cwd: root, env: cleanEnv(), encoding: "utf8" });

    expect(run.stderr).toBe("");
    expect(run.stdout).toBe(
      "would publish cloudtiers-postgres/aws 0.1.0 (300 bytes) to app.terraform.io/acme: create the module if absent, create the version, upload the tarball\n" +
        "dry run: would publish 1, sent no request\n",
    );
    expect(run.status).toBe(0);
  });

  it("reads the organization, hostname and default directory from the environment and the cwd", () => {
    mkdirSync(join(dir, "build", "terraform-modules"), { recursive: true });
    writeFileSync(join(dir, "build", "terraform-modules", "dns-cloudflare-2.0.0.tar.gz"), "x");
    const run = spawnSync(process.execPath, ["--require", join(root, "scripts", "register-ts.cjs"), join(root, "scripts", "modules-publish.ts"), "--dry-run"], {
      cwd: dir,
      env: cleanEnv({ TF_CLOUD_ORGANIZATION: "initech", TF_CLOUD_HOSTNAME: "tfe.example-corp.com" }),
      encoding: "utf8",
    });

    expect(run.stdout).toContain("would publish dns/cloudflare 2.0.0 (1 bytes) to tfe.example-corp.com/initech: ");
    expect(run.status).toBe(0);
  });

  it("prints an expected error without a stack trace and exits 1", () => {
    const file = tarball("postgres.tgz");
    const run = spawnSync(process.execPath, [...args, "--dry-run", "--organization", ORG, file], { cwd: root, env: cleanEnv(), encoding: "utf8" });

    expect(run.stderr).toBe(`${file} is not named <name>-<provider>-<version>.tar.gz (e.g. cloudtiers-postgres-aws-0.1.0.tar.gz)\n`);
    expect(run.status).toBe(1);

    const missing = spawnSync(process.execPath, [...args, "--organization", ORG, tarball("x-aws-1.0.0.tar.gz")], { cwd: root, env: cleanEnv(), encoding: "utf8" });
    expect(missing.stderr).toBe("no API token for app.terraform.io: set TF_TOKEN_app_terraform_io or TFE_TOKEN\n");
    expect(missing.status).toBe(1);
  });

  it("publishes against the registry given by --api-base, and exits 1 when a tarball failed", async () => {
    registry.seed("cloudtiers-redis", "aws", { "0.1.0": "ok" });
    registry.ingestion = { polls: 1, status: "ok" };
    const files = [tarball("cloudtiers-postgres-aws-0.1.0.tar.gz"), tarball("cloudtiers-redis-aws-0.1.0.tar.gz")];
    const ok = await runAsync([...args, "--organization", ORG, "--api-base", registry.apiBase, ...files], cleanEnv({ TFE_TOKEN: TOKEN }));

    expect(ok.stdout.split("\n").slice(-2)).toEqual(["published 1, skipped 1, failed 0", ""]);
    expect(ok.stdout + ok.stderr).not.toContain(TOKEN);
    expect(ok.status).toBe(0);

    // A version another run left pending is not published: CI must not go green on it.
    registry.seed("cloudtiers-redis", "aws", { "0.1.0": "pending" });
    const pending = await runAsync([...args, "--organization", ORG, "--api-base", registry.apiBase, files[1]], cleanEnv({ TFE_TOKEN: TOKEN }));
    expect(pending.stdout).toContain("cloudtiers-redis/aws 0.1.0: it is in acme's registry with status pending, not ok");
    expect(pending.stdout.split("\n").slice(-2)).toEqual(["published 0, skipped 0, failed 1", ""]);
    expect(pending.status).toBe(1);

    registry.acceptedToken = "another";
    const denied = await runAsync([...args, "--organization", ORG, "--api-base", registry.apiBase, files[0]], cleanEnv({ TFE_TOKEN: TOKEN }));
    expect(denied.stdout).toContain("app.terraform.io refused the token from TFE_TOKEN");
    expect(denied.stdout.split("\n").slice(-2)).toEqual(["published 0, skipped 0, failed 1", ""]);
    expect(denied.stdout + denied.stderr).not.toContain(TOKEN);
    expect(denied.status).toBe(1);
  });
});

/** Runs node with `args` from the project root without blocking this process, which serves the registry. */
function runAsync(args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string; status: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ stdout, stderr, status }));
  });
}
