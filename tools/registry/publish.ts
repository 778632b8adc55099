/**
 * Publishes Terraform module tarballs (`<name>-<provider>-<version>.tar.gz`) to the private
 * module registry of a Terraform Cloud / Terraform Enterprise organization, through the
 * registry's JSON:API:
 *
 * 1. GET the module; create it when it is absent. A version already there is skipped when its
 *    status is `ok` (a version can be published once: bump it to publish again); in any
 *    other status it cannot be used, and the tarball fails with how to delete it.
 * 2. Create the version, which answers with a pre-signed upload URL.
 * 3. PUT the tarball to that URL, without the token (the URL is usually on another host).
 * 4. Poll the module until the registry has ingested the version, or failed to.
 *
 * The API answers 401 to a token that is absent or invalid and 404 both to a path that does
 * not exist and to a valid token without permission
 * (https://developer.hashicorp.com/terraform/cloud-docs/api-docs#authentication), so when a
 * module or a write comes back 404 the organization is read once (its `can-create-module`
 * permission) to say which it was.
 *
 * A request answered 429 (the API allows 30 requests a second per user, whatever the token, so
 * other automation can exhaust it) is retried after the wait the API asks for, with a
 * growing backoff, for at most `rateLimitWaitMs` of waiting in a run; each wait is logged.
 *
 * Each tarball ends `published`, `skipped` or `failed`; HTTP and network failures become a
 * tarball's `failed` message, never an exception. Problems with the inputs (a badly named
 * file, no organization, no token) throw a {@link PublishError} before any request is sent.
 * The token never appears in a log line, a message or an error.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** The host used when neither `hostname` nor `TF_CLOUD_HOSTNAME` names one. */
export const DEFAULT_HOSTNAME = "app.terraform.io";

/** Where the build leaves module tarballs, relative to the project root. */
export const DEFAULT_TARBALL_DIR = "build/terraform-modules";

/** How tarballs must be named, as shown in error messages. */
export const TARBALL_PATTERN = "<name>-<provider>-<version>.tar.gz (e.g. cloudtiers-postgres-aws-0.1.0.tar.gz)";

/** The fallback token variable, read when the host-specific `TF_TOKEN_...` one is unset. */
export const FALLBACK_TOKEN_VARIABLE = "TFE_TOKEN";

const JSON_API = "application/vnd.api+json";
const TARBALL_NAME = /^([A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?)-([a-z0-9]+)-(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\.tar\.gz$/;
const HOSTNAME = /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/;

/** An error in what the publisher was asked to do; its message is meant for the user as is. */
export class PublishError extends Error {
  override name = "PublishError";
}

/** A module tarball and the module version its file name declares. */
export interface Tarball {
  /** The path the tarball was given as. */
  file: string;
  name: string;
  provider: string;
  version: string;
}

/** How publishing one tarball ended; `dry-run` is every tarball's outcome in a dry run. */
export type PublishOutcome = "published" | "skipped" | "failed" | "dry-run";

/** What happened to one tarball, with the line that was logged about it. */
export interface PublishResult extends Tarball {
  outcome: PublishOutcome;
  message: string;
}

/** What to publish, where, and how to report it. */
export interface PublishOptions {
  /** Tarball paths, published in this order. */
  files: readonly string[];
  /** The organization whose private registry receives the modules; defaults to env `TF_CLOUD_ORGANIZATION`. */
  organization?: string;
  /** The Terraform Cloud / Enterprise host; defaults to env `TF_CLOUD_HOSTNAME`, then `app.terraform.io`. */
  hostname?: string;
  /** Replaces `https://<hostname>/api/v2`, for tests. The token is still looked up by `hostname`. */
  apiBase?: string;
  /** Print what would be done; send no request and need no token. */
  dryRun?: boolean;
  /** Receives every progress and result line. */
  log: (line: string) => void;
  /** Where the organization, hostname and token are looked up; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Time between two polls of an uploaded version's status; default 2000. */
  pollIntervalMs?: number;
  /** How long to wait for an uploaded version to be ingested; default 120000. */
  pollTimeoutMs?: number;
  /** How long one HTTP request may take, upload included; default 300000. */
  requestTimeoutMs?: number;
  /** How long a run may spend, in all, waiting to retry requests answered 429; default 180000. */
  rateLimitWaitMs?: number;
  /** The first wait before retrying a 429 when the API asks for less (or names no time), doubled at each retry up to 30 s; default 1000. */
  backoffMs?: number;
}

/** A token and the environment variable it came from. */
export interface ResolvedToken {
  variable: string;
  token: string;
}

/** Reads the module name, provider and version from a tarball's file name. */
export function parseTarballName(file: string): Tarball {
  const match = TARBALL_NAME.exec(basename(file));
  if (match === null) throw new PublishError(`${file} is not named ${TARBALL_PATTERN}`);
  const [, name, provider, version] = match;
  return { file, name, provider, version };
}

/** The `*.tar.gz` files in `dir`, sorted by name; throws when there are none. */
export function listTarballs(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (e) {
    throw new PublishError(`cannot read ${dir} (${errorCode(e)}): build the module tarballs first, or name the files to publish`);
  }
  const tarballs = entries.filter((entry) => entry.endsWith(".tar.gz")).sort();
  if (tarballs.length === 0) throw new PublishError(`${dir} holds no *.tar.gz file: build the module tarballs first, or name the files to publish`);
  return tarballs.map((entry) => join(dir, entry));
}

const TOKEN_PREFIX = "TF_TOKEN_";

/** Terraform's token variable for a host, spelt for any shell: `TF_TOKEN_` and the host with `.` → `_` and `-` → `__`. */
export function tokenVariable(hostname: string): string {
  return `${TOKEN_PREFIX}${hostname.replace(/-/g, "__").replace(/\./g, "_")}`;
}

/**
 * The host a `TF_TOKEN_` variable names, read as the Terraform CLI reads it: `__` is a
 * hyphen, `_` a dot, and hyphens and dots may also be left as they are (env and CI systems
 * can set such names); hosts compare without case.
 * https://developer.hashicorp.com/terraform/cli/config/config-file#environment-variable-credentials
 */
function tokenHost(variable: string): string {
  return variable.slice(TOKEN_PREFIX.length).replace(/__/g, "-").replace(/_/g, ".").toLowerCase();
}

/**
 * The token for `hostname`: a `TF_TOKEN_` variable naming it in any of Terraform's spellings
 * (the `__` one named first), else `TFE_TOKEN`; undefined when none is set and non-empty.
 * Throws when two spellings hold different tokens, where Terraform would pick one at random.
 */
export function resolveToken(hostname: string, env: NodeJS.ProcessEnv): ResolvedToken | undefined {
  const host = hostname.toLowerCase();
  const canonical = tokenVariable(host);
  const variables = Object.keys(env)
    .filter((variable) => variable.startsWith(TOKEN_PREFIX) && tokenHost(variable) === host && env[variable]?.trim())
    .sort((a, b) => Number(b === canonical) - Number(a === canonical) || a.localeCompare(b));
  if (new Set(variables.map((variable) => env[variable]!.trim())).size > 1) {
    throw new PublishError(`${variables.join(", ")} name the same host, ${host}, with different tokens: keep one`);
  }
  for (const variable of [...variables, FALLBACK_TOKEN_VARIABLE]) {
    const token = env[variable]?.trim();
    if (token) return { variable, token };
  }
  return undefined;
}

/** One line counting the outcomes, e.g. `published 2, skipped 1, failed 0`. */
export function summarize(results: readonly PublishResult[]): string {
  const count = (outcome: PublishOutcome): number => results.filter((r) => r.outcome === outcome).length;
  if (results.length > 0 && results.every((r) => r.outcome === "dry-run")) return `dry run: would publish ${results.length}, sent no request`;
  return `published ${count("published")}, skipped ${count("skipped")}, failed ${count("failed")}`;
}

/**
 * Publishes each tarball of `options.files` in turn and returns what happened to each.
 * Throws a {@link PublishError}, before sending anything, when a file is badly named or
 * missing, or the organization, hostname or token is missing or malformed.
 */
export async function publishModules(options: PublishOptions): Promise<PublishResult[]> {
  const env = options.env ?? process.env;
  const hostname = resolveHostname(options.hostname ?? env.TF_CLOUD_HOSTNAME);
  const organization = resolveOrganization(options.organization ?? env.TF_CLOUD_ORGANIZATION);
  const tarballs = options.files.map((file) => ({ ...parseTarballName(file), bytes: fileSize(file) }));
  if (tarballs.length === 0) throw new PublishError("no tarball to publish");

  if (options.dryRun) return tarballs.map((tarball) => planOne(tarball, hostname, organization, options.log));

  const { variable, token } = requireToken(hostname, env);
  const ctx: Context = {
    organization,
    hostname,
    apiBase: (options.apiBase ?? `https://${hostname}/api/v2`).replace(/\/+$/, ""),
    token,
    tokenVariable: variable,
    log: (line) => options.log(redact(line, token)),
    pollIntervalMs: options.pollIntervalMs ?? 2000,
    pollTimeoutMs: options.pollTimeoutMs ?? 120_000,
    requestTimeoutMs: options.requestTimeoutMs ?? 300_000,
    rateLimitWaitMs: options.rateLimitWaitMs ?? 180_000,
    rateLimitWaitLeftMs: options.rateLimitWaitMs ?? 180_000,
    backoffMs: options.backoffMs ?? 1000,
  };
  ctx.log(`publishing ${tarballs.length} module version(s) to ${hostname}/${organization} with the token from ${variable}`);
  const results: PublishResult[] = [];
  for (const tarball of tarballs) {
    const result = await publishOne(ctx, tarball);
    const message = redact(result.message, token);
    ctx.log(message);
    results.push({ ...result, message });
  }
  return results;
}

interface Context {
  organization: string;
  /** What the token may do in the organization, read at most once a run. */
  access?: Promise<OrganizationAccess>;
  hostname: string;
  apiBase: string;
  token: string;
  tokenVariable: string;
  log: (line: string) => void;
  pollIntervalMs: number;
  pollTimeoutMs: number;
  requestTimeoutMs: number;
  rateLimitWaitMs: number;
  /** What is left of `rateLimitWaitMs` for this run. */
  rateLimitWaitLeftMs: number;
  backoffMs: number;
}

interface SizedTarball extends Tarball {
  bytes: number;
}

/** One entry of a registry module's `version-statuses`. */
interface VersionStatus {
  version: string;
  status: string;
  error?: string;
}

/** `manage`: may create modules; `read`: may not; `unknown`: the API did not say. */
type OrganizationAccess = "manage" | "read" | "unknown";

interface ApiResponse {
  status: number;
  body: unknown;
}

// ---------------------------------------------------------------------------------------
// Inputs

function resolveHostname(value: string | undefined): string {
  const hostname = (value?.trim() || DEFAULT_HOSTNAME).toLowerCase();
  if (!HOSTNAME.test(hostname)) throw new PublishError(`the hostname must be a bare host name such as ${DEFAULT_HOSTNAME}, not ${JSON.stringify(value)}`);
  return hostname;
}

function resolveOrganization(value: string | undefined): string {
  const organization = value?.trim();
  if (!organization) throw new PublishError("no organization: pass --organization ORG or set TF_CLOUD_ORGANIZATION");
  if (!/^[A-Za-z0-9_-]+$/.test(organization)) throw new PublishError(`${JSON.stringify(organization)} is not a Terraform Cloud organization name (letters, digits, - and _)`);
  return organization;
}

function requireToken(hostname: string, env: NodeJS.ProcessEnv): ResolvedToken {
  const resolved = resolveToken(hostname, env);
  if (resolved === undefined) {
    const asIs = hostname.includes("-") ? ` (or ${TOKEN_PREFIX}${hostname.replace(/\./g, "_")})` : "";
    throw new PublishError(`no API token for ${hostname}: set ${tokenVariable(hostname)}${asIs} or ${FALLBACK_TOKEN_VARIABLE}`);
  }
  // An invalid header value would make fetch fail with an error that quotes the header.
  if (/[\s\x00-\x1f\x7f]/.test(resolved.token)) throw new PublishError(`${resolved.variable} does not hold a valid API token (it contains whitespace or control characters)`);
  return resolved;
}

function fileSize(file: string): number {
  try {
    const stats = statSync(file);
    if (!stats.isFile()) throw new PublishError(`${file} is not a file`);
    return stats.size;
  } catch (e) {
    if (e instanceof PublishError) throw e;
    throw new PublishError(`cannot read ${file} (${errorCode(e)})`);
  }
}

// ---------------------------------------------------------------------------------------
// One tarball

function planOne(tarball: SizedTarball, hostname: string, organization: string, log: (line: string) => void): PublishResult {
  const message = `would publish ${label(tarball)} (${tarball.bytes} bytes) to ${hostname}/${organization}: create the module if absent, create the version, upload the tarball`;
  log(message);
  return result(tarball, "dry-run", message);
}

async function publishOne(ctx: Context, tarball: SizedTarball): Promise<PublishResult> {
  try {
    const statuses = await getVersionStatuses(ctx, tarball);
    if (statuses === undefined) {
      // The 404 may hide a token that cannot publish: creating the module would then fail
      // with another bare 404.
      if ((await organizationAccess(ctx)) === "read") throw new PublishError(noPermission(ctx));
      await createModule(ctx, tarball);
    } else {
      const existing = statuses.find((s) => s.version === tarball.version);
      if (existing !== undefined) return existingVersion(ctx, tarball, existing);
    }
    const uploadUrl = await createVersion(ctx, tarball);
    if (uploadUrl === undefined) {
      // Another publisher created the version meanwhile: how it stands decides, as above.
      const raced = (await getVersionStatuses(ctx, tarball))?.find((s) => s.version === tarball.version);
      return existingVersion(ctx, tarball, raced ?? { version: tarball.version, status: "not listed" });
    }
    await upload(ctx, tarball, uploadUrl);
    return await awaitIngestion(ctx, tarball);
  } catch (e) {
    if (e instanceof PublishError) return result(tarball, "failed", `failed to publish ${label(tarball)}: ${e.message}`);
    throw e;
  }
}

/**
 * A version the registry already has. Only `ok` is usable: `pending` is a version whose
 * tarball never arrived or was not yet ingested, and the `*_failed` statuses (go-tfe's
 * RegistryModuleVersionStatus lists them) are final. Skipping those would end the run
 * green with a version nobody can use, and a version cannot be created twice, so the way
 * out is to delete it and publish again.
 */
function existingVersion(ctx: Context, tarball: Tarball, entry: VersionStatus): PublishResult {
  if (entry.status === "ok") {
    return result(tarball, "skipped", `${label(tarball)} is already in ${ctx.organization}'s registry (status ok); skipped: bump the version to publish a new one`);
  }
  const error = entry.error ? ` (${entry.error})` : "";
  return result(
    tarball,
    "failed",
    `failed to publish ${label(tarball)}: it is in ${ctx.organization}'s registry with status ${entry.status}${error}, not ok, so it cannot be used (${statusMeaning(entry.status)}); ${deleteAdvice(ctx, tarball)}`,
  );
}

function statusMeaning(status: string): string {
  // The upload link's lifetime: https://developer.hashicorp.com/terraform/cloud-docs/api-docs#blob-storage-authentication
  if (status === "pending") return "created, but its tarball was never uploaded or not yet ingested: an interrupted publish, or one still under way; upload links are valid for 25 hours";
  if (status.includes("fail")) return "the registry could not ingest it";
  if (status === "not listed") return "the registry refused to create it as taken, yet does not list it";
  return "still being ingested, or stuck: if another publish is under way, wait for it";
}

/**
 * How to delete one module version, by the API and in the UI:
 * https://developer.hashicorp.com/terraform/cloud-docs/api-docs/private-registry/modules#delete-a-module
 * https://developer.hashicorp.com/terraform/cloud-docs/registry/publish-modules#delete-versions-and-modules
 * Deleting a provider's only version deletes the module too; the next run creates it again.
 */
function deleteAdvice(ctx: Context, tarball: Tarball): string {
  const url = `${ctx.apiBase}${modulePath(ctx, tarball)}/${encodeURIComponent(tarball.version)}`;
  const ui = `Registry > ${tarball.name} (${tarball.provider}) > Versions: ${tarball.version} > Delete module > Delete only this module version`;
  return `delete the version, then run modules:publish again: DELETE ${url}, or in ${ctx.hostname}'s UI: ${ui}`;
}

function result(tarball: Tarball, outcome: PublishOutcome, message: string): PublishResult {
  const { file, name, provider, version } = tarball;
  return { file, name, provider, version, outcome, message };
}

function label(tarball: Tarball): string {
  return `${tarball.name}/${tarball.provider} ${tarball.version}`;
}

// ---------------------------------------------------------------------------------------
// The registry API

function modulePath(ctx: Context, tarball: Tarball): string {
  const org = encodeURIComponent(ctx.organization);
  return `/organizations/${org}/registry-modules/private/${org}/${tarball.name}/${tarball.provider}`;
}

/**
 * What the token may do in `ctx.organization`, from GET /organizations/:organization_name
 * (https://developer.hashicorp.com/terraform/cloud-docs/api-docs/organizations#show-an-organization),
 * read once a run. A 404 there means the organization does not exist or the token cannot
 * see it, which fails the tarball.
 */
function organizationAccess(ctx: Context): Promise<OrganizationAccess> {
  ctx.access ??= readOrganizationAccess(ctx);
  return ctx.access;
}

async function readOrganizationAccess(ctx: Context): Promise<OrganizationAccess> {
  const path = `/organizations/${encodeURIComponent(ctx.organization)}`;
  const response = await callApi(ctx, "GET", path);
  if (response.status === 404) {
    throw new PublishError(
      `the organization ${ctx.organization} does not exist on ${ctx.hostname}, or the token from ${ctx.tokenVariable} cannot see it (the API answers 404 to both): ` +
        `check the name, and that the token's user or team belongs to ${ctx.organization} with the organization permission ${PERMISSION}`,
    );
  }
  if (response.status !== 200) throw httpError(ctx, "GET", path, response);
  const canCreate = field(response.body, "data", "attributes", "permissions", "can-create-module");
  return canCreate === true ? "manage" : canCreate === false ? "read" : "unknown";
}

/**
 * The permission that publishing needs: "Manage private registry"
 * (https://developer.hashicorp.com/terraform/cloud-docs/users-teams-organizations/permissions/organization#manage-private-registry;
 * the API reference calls it "Manage modules").
 */
const PERMISSION = '"Manage private registry"';

function noPermission(ctx: Context): string {
  return `the token from ${ctx.tokenVariable} can read the organization ${ctx.organization} on ${ctx.hostname} but may not publish modules: its user or team needs the organization permission ${PERMISSION} (the owners team has it)`;
}

/** The error for a write answered 404, which the docs give as "user not authorized". */
async function writeNotFound(ctx: Context, method: string, path: string, response: ApiResponse): Promise<PublishError> {
  if ((await organizationAccess(ctx)) === "read") return new PublishError(noPermission(ctx));
  const error = httpError(ctx, method, path, response);
  return new PublishError(`${error.message}: the API answers 404 to a token without permission; the token from ${ctx.tokenVariable} needs the organization permission ${PERMISSION} in ${ctx.organization}`);
}

/** The module's version statuses, or undefined when the module does not exist (404). */
async function getVersionStatuses(ctx: Context, tarball: Tarball): Promise<VersionStatus[] | undefined> {
  const response = await callApi(ctx, "GET", modulePath(ctx, tarball));
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw httpError(ctx, "GET", modulePath(ctx, tarball), response);
  return versionStatuses(response.body);
}

async function createModule(ctx: Context, tarball: Tarball): Promise<void> {
  const path = `/organizations/${encodeURIComponent(ctx.organization)}/registry-modules`;
  const body = { data: { type: "registry-modules", attributes: { name: tarball.name, provider: tarball.provider, "registry-name": "private", "no-code": false } } };
  const response = await callApi(ctx, "POST", path, body);
  if (response.status === 404) throw await writeNotFound(ctx, "POST", path, response);
  if (response.status !== 201) throw httpError(ctx, "POST", path, response);
  ctx.log(`created the module ${tarball.name}/${tarball.provider} in ${ctx.organization}'s registry`);
}

/** Creates the version and returns its upload URL, or undefined when the version turned out to be taken. */
async function createVersion(ctx: Context, tarball: Tarball): Promise<string | undefined> {
  const path = `${modulePath(ctx, tarball)}/versions`;
  const body = { data: { type: "registry-module-versions", attributes: { version: tarball.version } } };
  const response = await callApi(ctx, "POST", path, body);
  if (response.status === 422 && errorDetails(response.body).some((detail) => /already (been )?taken|already exists/i.test(detail))) return undefined;
  if (response.status === 404) throw await writeNotFound(ctx, "POST", path, response);
  if (response.status !== 201) throw httpError(ctx, "POST", path, response);
  const link = uploadLink(response.body);
  if (link === undefined) throw new PublishError(`POST ${path} returned 201 without an absolute data.links.upload URL`);
  return link;
}

async function upload(ctx: Context, tarball: SizedTarball, url: string): Promise<void> {
  let bytes: Uint8Array;
  try {
    const buffer = readFileSync(tarball.file);
    // A plain view: this @types/node's Buffer does not type-check as a fetch body.
    bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (e) {
    throw new PublishError(`cannot read ${tarball.file} (${errorCode(e)})`);
  }
  // No Authorization header: the URL is pre-signed, and the token must not leave its host.
  const response = await send(ctx, "PUT", url, { headers: { "Content-Type": "application/octet-stream" }, body: bytes });
  // Any 2xx: the docs give no status for this PUT to the blob storage, and stores answer 200, 201 or 204.
  // https://developer.hashicorp.com/terraform/cloud-docs/api-docs/private-registry/modules#add-a-module-version-private-module
  if (response.status < 200 || response.status > 299) throw httpError(ctx, "PUT", displayUrl(url), { status: response.status, body: await readJson(response) }, false);
  await response.arrayBuffer();
  ctx.log(`uploaded ${label(tarball)} (${bytes.length} bytes); waiting for the registry to ingest it`);
}

async function awaitIngestion(ctx: Context, tarball: Tarball): Promise<PublishResult> {
  const deadline = Date.now() + ctx.pollTimeoutMs;
  for (;;) {
    const entry = (await getVersionStatuses(ctx, tarball))?.find((s) => s.version === tarball.version);
    const status = entry?.status ?? "not listed";
    if (status === "ok") return result(tarball, "published", `published ${label(tarball)} to ${ctx.hostname}/${ctx.organization}`);
    if (status.includes("fail")) {
      const why = entry?.error ? `: ${entry.error}` : "";
      return result(tarball, "failed", `failed to publish ${label(tarball)}: the registry could not ingest it (status ${status}${why}); fix the module, ${deleteAdvice(ctx, tarball)}`);
    }
    if (Date.now() + ctx.pollIntervalMs > deadline) {
      return result(tarball, "failed", `failed to publish ${label(tarball)}: uploaded, but its status is still ${status} after ${duration(ctx.pollTimeoutMs)}; check ${ctx.hostname}/${ctx.organization}'s registry`);
    }
    await sleep(ctx.pollIntervalMs);
  }
}

// ---------------------------------------------------------------------------------------
// HTTP

/**
 * Sends an authenticated JSON:API request to `ctx.apiBase + path`; waits out and retries a
 * 429 (https://developer.hashicorp.com/terraform/cloud-docs/api-docs#rate-limits) while the
 * run's allowance lasts.
 */
async function callApi(ctx: Context, method: string, path: string, body?: unknown): Promise<ApiResponse> {
  const headers: Record<string, string> = { Authorization: `Bearer ${ctx.token}`, Accept: JSON_API };
  if (body !== undefined) headers["Content-Type"] = JSON_API;
  let waitedMs = 0;
  for (let retry = 1; ; retry++) {
    // redirect "manual": a redirect must not carry the token anywhere; it surfaces as an unexpected status.
    const response = await send(ctx, method, ctx.apiBase + path, { headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: "manual" });
    const answer = { status: response.status, body: await readJson(response) };
    if (answer.status !== 429) return answer;
    const delay = rateLimitDelay(response.headers, retry, ctx.backoffMs);
    if (delay.ms > ctx.rateLimitWaitLeftMs) {
      // The limit stays saturated: the run stops waiting for it, and later requests give up at once.
      ctx.rateLimitWaitLeftMs = 0;
      const details = errorDetails(answer.body);
      throw new PublishError(
        `${method} ${path} was rate limited (429${details.length > 0 ? `: ${details.join("; ")}` : ""}) ` +
          `and gave up after ${retry - 1} retr${retry === 2 ? "y" : "ies"} and ${duration(waitedMs)} of waiting: the next wait, ${duration(delay.ms)} ${delay.reason}, ` +
          `would pass the ${duration(ctx.rateLimitWaitMs)} of waiting allowed a run; the limit (30 requests a second to most endpoints) is per user, not per token, ` +
          "so other automation of the same user or team can use it up: run again later",
      );
    }
    ctx.log(`${method} ${path} was rate limited (429); retry ${retry} in ${duration(delay.ms)}, ${delay.reason}; at most ${duration(ctx.rateLimitWaitMs)} of waiting a run`);
    ctx.rateLimitWaitLeftMs -= delay.ms;
    waitedMs += delay.ms;
    await sleep(delay.ms);
  }
}

/** The longest wait of the exponential backoff. */
const MAX_BACKOFF_MS = 30_000;

/**
 * How long to wait before retry number `retry` of a request answered 429, and why. The API
 * sends X-RateLimit-Reset, the seconds until its limit resets, which HashiCorp's go-tfe
 * waits for before retrying (tfe.go, rateLimitBackoff); Retry-After, in seconds or as a date,
 * is honoured too. The wait is never shorter than a backoff doubling from `backoffMs`, so a
 * limit that stays saturated is not hit again and again, and up to a tenth more at random
 * keeps publishers that were limited together from retrying together.
 */
function rateLimitDelay(headers: Headers, retry: number, backoffMs: number): { ms: number; reason: string } {
  const backoff = Math.min(backoffMs * 2 ** (retry - 1), MAX_BACKOFF_MS);
  const asked = askedDelay(headers);
  const chosen = asked !== undefined && asked.ms >= backoff ? asked : { ms: backoff, reason: "backing off" };
  return { ms: Math.ceil(chosen.ms * (1 + Math.random() / 10)), reason: chosen.reason };
}

function askedDelay(headers: Headers): { ms: number; reason: string } | undefined {
  const reset = Number(headers.get("X-RateLimit-Reset") ?? Number.NaN);
  if (reset > 0) {
    // go-tfe reads seconds to wait; a value this large can only be a Unix time, as some other APIs send.
    return { ms: Math.max(reset > 1e9 ? reset * 1000 - Date.now() : reset * 1000, 0), reason: "as X-RateLimit-Reset asks" };
  }
  const retryAfter = headers.get("Retry-After")?.trim();
  if (retryAfter) {
    const ms = /^\d+(\.\d+)?$/.test(retryAfter) ? Number(retryAfter) * 1000 : Date.parse(retryAfter) - Date.now();
    if (ms >= 0) return { ms, reason: "as Retry-After asks" };
  }
  return undefined;
}

/** fetch, with a timeout, and a {@link PublishError} naming the URL when no response comes back. */
async function send(ctx: Context, method: string, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, method, signal: AbortSignal.timeout(ctx.requestTimeoutMs) });
  } catch (e) {
    throw new PublishError(`${method} ${displayUrl(url)} failed: ${networkReason(e, ctx.requestTimeoutMs)}`);
  }
}

async function readJson(response: Response): Promise<unknown> {
  try {
    const text = await response.text();
    return text === "" ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

function httpError(ctx: Context, method: string, path: string, response: ApiResponse, authenticated = true): PublishError {
  const details = errorDetails(response.body);
  const where = `${method} ${path} returned ${response.status}${details.length > 0 ? `: ${details.join("; ")}` : ""}`;
  // 401 is the token itself; a token without permission gets 404 (see writeNotFound).
  if (authenticated && response.status === 401) {
    return new PublishError(
      `${ctx.hostname} refused the token from ${ctx.tokenVariable} (${where}): ` +
        `it is absent, invalid or expired; create a user or team API token in ${ctx.organization} and set it in ${ctx.tokenVariable}`,
    );
  }
  return new PublishError(where);
}

function networkReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === "TimeoutError") return `no response within ${duration(timeoutMs)}`;
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** The URL without its query, which for a pre-signed upload URL is a credential. */
function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return "(an invalid URL)";
  }
}

// ---------------------------------------------------------------------------------------
// JSON:API bodies

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function field(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) current = isRecord(current) ? current[key] : undefined;
  return current;
}

function versionStatuses(body: unknown): VersionStatus[] {
  const list = field(body, "data", "attributes", "version-statuses");
  if (!Array.isArray(list)) return [];
  return list.filter(isRecord).flatMap((entry) => {
    if (typeof entry.version !== "string") return [];
    const status = typeof entry.status === "string" ? entry.status : "unknown";
    return [typeof entry.error === "string" && entry.error !== "" ? { version: entry.version, status, error: entry.error } : { version: entry.version, status }];
  });
}

function uploadLink(body: unknown): string | undefined {
  const link = field(body, "data", "links", "upload");
  if (typeof link !== "string" || !/^https?:\/\//.test(link)) return undefined;
  return link;
}

/** Each JSON:API error's `detail`, else its `title`. */
function errorDetails(body: unknown): string[] {
  const errors = field(body, "errors");
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((error) => {
    const text = field(error, "detail") || field(error, "title");
    return typeof text === "string" && text !== "" ? [text] : [];
  });
}

// ---------------------------------------------------------------------------------------
// Text

function redact(text: string, token: string): string {
  return token === "" ? text : text.split(token).join("[token]");
}

function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${ms / 1000} s`;
}

function errorCode(error: unknown): string {
  if (isRecord(error) && typeof error.code === "string") return error.code;
  return error instanceof Error ? error.message : String(error);
}
