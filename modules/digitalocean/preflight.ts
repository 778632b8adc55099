/* eslint-disable @typescript-eslint/no-require-imports -- the S3 client loads only when the Spaces keys are tried */
import { cloudflareGroup } from "../cloudflare/preflight";
import { cidrsOverlap } from "../core/cidr";
import { HttpApiError } from "../core/http-api";
import { StackDocument } from "../policy/document";
import { Check, CloudPreflight, Outcome, PreflightContext, fail, pass, sdkError, skip, unset } from "../stacks/preflight";
import { DIGITALOCEAN } from "../stacks/clouds";
import { DoApi } from "./api";
import { READ_TOKEN } from "./compute-pool";

/*
 * What a DigitalOcean stack needs of its team, read from the synthesised stack, and the
 * read-only calls of the API v2 that tell whether the team has it.
 */

/** A pool: its droplets' size and region, and the most droplets it may run. */
interface PoolNeed {
  readonly name: string;
  readonly size: string;
  readonly region: string;
  readonly max: number;
}

/** What the stack asks of the team. */
export interface DigitalOceanNeeds {
  readonly pools: readonly PoolNeed[];
  /** Single droplets (the database setup's). */
  readonly droplets: readonly { readonly name: string; readonly size: string; readonly region: string }[];
  /** The tags the stack gives its droplets: a droplet with one of them is the stack's own. */
  readonly tags: readonly string[];
  readonly databases: readonly { readonly name: string; readonly engine: string; readonly version: string; readonly size: string; readonly region: string; readonly nodes: number }[];
  readonly replicas: readonly { readonly name: string; readonly engine: string; readonly size: string; readonly region: string }[];
  readonly vpcs: readonly { readonly name: string; readonly region: string; readonly ipRange: string }[];
  /** Regions of everything regional: droplets, databases, VPC, buckets, load balancers. */
  readonly regions: readonly string[];
  readonly bucketRegions: readonly string[];
  /** nginx-balanced: the tag the web droplets list (the app pool's), with the read token the stack declares. @default - no listing */
  readonly listedTag?: string;
}

const literal = (value: unknown): value is string => typeof value === "string" && !value.includes("${");

/** Reads what the stack needs from its synthesised JSON. */
export function digitalOceanNeeds(doc: StackDocument): DigitalOceanNeeds {
  const pools = doc.resources("digitalocean_droplet_autoscale").map(({ config: c }) => ({
    name: c.name,
    size: c.droplet_template.size,
    region: c.droplet_template.region,
    max: Number(c.config.max_instances ?? c.config.target_number_instances),
  }));
  const droplets = doc.resources("digitalocean_droplet").map(({ config: c }) => ({ name: c.name, size: c.size, region: c.region }));
  const clusters = doc.resources("digitalocean_database_cluster");
  const databases = clusters.map(({ config: c }) => ({ name: c.name, engine: c.engine, version: String(c.version), size: c.size, region: c.region, nodes: Number(c.node_count ?? 1) }));
  const replicas = doc.resources("digitalocean_database_replica").map(({ config: c }) => {
    const cluster = clusters.find((k) => c.cluster_id === `\${${k.address}.id}`);
    return { name: c.name, engine: cluster?.config.engine ?? "pg", size: c.size, region: c.region };
  });
  const vpcs = doc.resources("digitalocean_vpc").map(({ config: c }) => ({ name: c.name, region: c.region, ipRange: c.ip_range }));
  const bucketRegions = [...new Set(doc.resources("digitalocean_spaces_bucket").map((b) => b.config.region as string))];
  const regional = doc.all(["digitalocean_droplet", "digitalocean_database_cluster", "digitalocean_database_replica", "digitalocean_vpc", "digitalocean_spaces_bucket", "digitalocean_loadbalancer"]);
  const regions = [...new Set([...pools.map((p) => p.region), ...regional.map((r) => r.config.region).filter(literal)])];
  // nginx-balanced: the web droplets' list script (in their user data, a local) names the tag it lists (taggedDropletsScript).
  const listedTag = doc.json.variable?.[READ_TOKEN.variable] ? /[?&]tag_name=([a-z0-9-]+)&per_page=200/.exec(JSON.stringify(doc.json.locals ?? {}))?.[1] : undefined;
  return { pools, droplets, tags: doc.resources("digitalocean_tag").map((t) => t.config.name).filter(literal), databases, replicas, vpcs, regions, bucketRegions, ...(listedTag ? { listedTag } : {}) };
}

interface Account {
  readonly droplet_limit: number;
  readonly email?: string;
  readonly status: string;
  readonly status_message?: string;
  readonly team?: { readonly name?: string };
}
interface Droplet {
  readonly id: number;
  readonly name: string;
  readonly tags?: readonly string[];
}
interface Size {
  readonly slug: string;
  readonly available: boolean;
  readonly regions: readonly string[];
}
interface Region {
  readonly slug: string;
  readonly available: boolean;
}
interface EngineOptions {
  readonly regions: readonly string[];
  readonly versions: readonly string[];
  readonly layouts: readonly { readonly num_nodes: number; readonly sizes: readonly string[] }[];
}
interface Vpc {
  readonly name: string;
  readonly region: string;
  readonly ip_range: string;
}
interface SpacesKey {
  readonly name: string;
  readonly access_key: string;
  readonly grants?: readonly { readonly bucket: string; readonly permission: string }[];
}

const list = (items: readonly string[]) => items.join(", ");

/** The checks of a DigitalOcean stack with DIGITALOCEAN_TOKEN, and of its Spaces keys. */
export function digitalOceanChecks(needs: DigitalOceanNeeds, api: DoApi, context: PreflightContext): Check[] {
  const env = context.env;
  let account: Account | undefined;
  const checks: Check[] = [
    {
      name: "account",
      gate: true,
      async run() {
        account = (await api.get<{ account: Account }>("/v2/account")).account;
        const who = `${account.email ?? "the token's account"}${account.team?.name ? `, team "${account.team.name}"` : ""}`;
        if (account.status !== "active") {
          return fail(`${who} is ${account.status}${account.status_message ? ` (${account.status_message})` : ""}`, "settle what the control panel asks (billing, e-mail verification): a locked or warned account cannot create resources");
        }
        return pass(`${who}, active`);
      },
    },
    {
      name: "droplet limit",
      async run() {
        const droplets = await api.all<Droplet>("/v2/droplets", "droplets");
        const others = droplets.filter((d) => !(d.tags ?? []).some((t) => needs.tags.includes(t)));
        // A pool replaces its droplets by creating the new ones first: twice its maximum during a release.
        const pools = needs.pools.reduce((n, p) => n + 2 * p.max, 0);
        const need = pools + needs.droplets.length + others.length;
        const limit = account!.droplet_limit;
        const detail =
          `${need} droplets at most: the pools' maxima (${needs.pools.map((p) => `${p.name.split("-").pop()} ${p.max}`).join(", ")}) twice over while a release replaces them (${pools})` +
          `${needs.droplets.length ? `, ${needs.droplets.length} single (${list(needs.droplets.map((d) => d.name))})` : ""}, and ${others.length} other droplets of the team; the limit is ${limit}`;
        if (need > limit) return fail(detail, `ask DigitalOcean to raise the team's droplet limit to ${need} or more (control panel: Settings, Team, Droplet limit; or a support ticket)`);
        return pass(detail);
      },
    },
    {
      name: "regions",
      async run() {
        const regions = await api.all<Region>("/v2/regions", "regions");
        const missing = needs.regions.filter((slug) => !regions.some((r) => r.slug === slug && r.available));
        if (missing.length > 0) return fail(`${list(missing)}: not an available region`, `choose a region from GET /v2/regions whose "available" is true (digitalocean.region, digitalocean.disasterRecoveryRegion)`);
        return pass(`${list(needs.regions)} available`);
      },
    },
    {
      name: "droplet sizes",
      async run() {
        const sizes = await api.all<Size>("/v2/sizes", "sizes");
        const wanted = [...new Map([...needs.pools, ...needs.droplets].map((d) => [`${d.size} in ${d.region}`, d])).values()];
        const missing = wanted.filter((d) => !sizes.some((s) => s.slug === d.size && s.available && s.regions.includes(d.region)));
        if (missing.length > 0) {
          return fail(`${list(missing.map((d) => `${d.size} in ${d.region}`))}: not offered`, "choose sizes the region offers (GET /v2/sizes lists each size's regions): pools.<role>.size, or digitalocean.sizes");
        }
        return pass(`${list(wanted.map((d) => `${d.size} in ${d.region}`))} offered`);
      },
    },
    {
      name: "database engines",
      async run() {
        if (needs.databases.length === 0) return pass("no database cluster");
        const options = (await api.get<{ options: Record<string, EngineOptions> }>("/v2/databases/options")).options;
        const problems: string[] = [];
        const offered = (engine: string, size: string, nodes: number) => options[engine]?.layouts.some((l) => l.num_nodes === nodes && l.sizes.includes(size));
        for (const d of needs.databases) {
          const o = options[d.engine];
          if (!o) problems.push(`${d.name}: no engine "${d.engine}"`);
          else {
            if (!o.versions.includes(d.version)) problems.push(`${d.name}: ${d.engine} ${d.version} is not offered (${list(o.versions)} are)`);
            if (!o.regions.includes(d.region)) problems.push(`${d.name}: ${d.engine} is not offered in ${d.region}`);
            if (!offered(d.engine, d.size, d.nodes)) problems.push(`${d.name}: ${d.size} is not offered with ${d.nodes} node(s)`);
          }
        }
        for (const r of needs.replicas) {
          if (!options[r.engine]?.regions.includes(r.region)) problems.push(`${r.name}: ${r.engine} is not offered in ${r.region}`);
          if (!offered(r.engine, r.size, 1)) problems.push(`${r.name}: ${r.size} is not offered`);
        }
        if (problems.length > 0) return fail(problems.join("; "), "choose what GET /v2/databases/options offers: the version, region and size of postgres and cache");
        return pass(list([...needs.databases.map((d) => `${d.engine} ${d.version} ${d.size}×${d.nodes} in ${d.region}`), ...needs.replicas.map((r) => `replica ${r.size} in ${r.region}`)]));
      },
    },
    {
      name: "VPC range",
      async run() {
        const existing = await api.all<Vpc>("/v2/vpcs", "vpcs");
        const clashes = needs.vpcs.flatMap((mine) =>
          existing.filter((v) => v.region === mine.region && v.name !== mine.name && cidrsOverlap(v.ip_range, mine.ipRange)).map((v) => `${mine.ipRange} overlaps ${v.name} (${v.ip_range}) in ${v.region}`),
        );
        if (clashes.length > 0) return fail(clashes.join("; "), "give network.cidr a range no VPC of the region uses (GET /v2/vpcs lists them)");
        return pass(list(needs.vpcs.map((v) => `${v.ipRange} in ${v.region} overlaps none of the ${existing.filter((e) => e.region === v.region && e.name !== v.name).length} other VPCs there`)));
      },
    },
  ];
  const listedTag = needs.listedTag;
  if (listedTag) {
    checks.push({
      name: "read token",
      async run() {
        const token = env[`TF_VAR_${READ_TOKEN.variable}`];
        const fix = `make a custom-scoped token with droplet:read and tag:read only (API, Tokens), and set TF_VAR_${READ_TOKEN.variable} (or the workspace's sensitive variable ${READ_TOKEN.variable})`;
        if (!token) {
          if (env.TF_CLOUD_ORGANIZATION) return skip(`TF_VAR_${READ_TOKEN.variable} is not set here: in Terraform Cloud it is the workspace's sensitive variable ${READ_TOKEN.variable}, which this check cannot read`);
          return fail(`TF_VAR_${READ_TOKEN.variable} is not set: the web droplets list the app droplets with it (nginx-balanced layout), and the plan refuses a stack without it`, fix);
        }
        // As the web droplets call it: a page of the app tag's droplets, with the read token.
        const reader = new DoApi({ token, baseUrl: env.DIGITALOCEAN_API_URL || undefined, log: context.log, sleep: context.sleep });
        try {
          await reader.get(`/v2/droplets?tag_name=${encodeURIComponent(listedTag)}&per_page=200`);
        } catch (error) {
          if (error instanceof HttpApiError && (error.status === 401 || error.status === 403)) {
            return fail(`TF_VAR_${READ_TOKEN.variable} cannot list droplets by tag (HTTP ${error.status}: ${error.status === 401 ? "DigitalOcean refused it" : "a scope is missing"})`, fix);
          }
          throw error;
        }
        return pass(`TF_VAR_${READ_TOKEN.variable} lists the droplets tagged ${listedTag}, as the web droplets will`);
      },
    });
  }
  if (needs.bucketRegions.length > 0) {
    const accessKey = env.SPACES_ACCESS_KEY_ID!;
    checks.push(
      {
        name: "Spaces key",
        async run() {
          const key = (await api.get<{ key: SpacesKey }>(`/v2/spaces/keys/${encodeURIComponent(accessKey)}`)).key;
          const full = (key.grants ?? []).some((g) => g.permission === "fullaccess");
          if (!full) {
            const grants = (key.grants ?? []).map((g) => `${g.permission} on ${g.bucket || "every bucket"}`);
            return fail(`SPACES_ACCESS_KEY_ID is "${key.name}", limited to ${list(grants) || "nothing"}`, "the stack creates buckets: give it a key with full access (Spaces Object Storage, Access Keys, Full Access)");
          }
          return pass(`SPACES_ACCESS_KEY_ID is "${key.name}", with full access`);
        },
      },
      {
        name: "Spaces keys sign",
        async run() {
          if (!env.SPACES_SECRET_ACCESS_KEY) return skip("SPACES_SECRET_ACCESS_KEY is not set (read-only credentials): the key's secret is not tried");
          const { S3Client, ListBucketsCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
          const region = needs.bucketRegions[0];
          const s3 = new S3Client({
            region: "us-east-1",
            endpoint: env.SPACES_ENDPOINT_URL || `https://${region}.digitaloceanspaces.com`,
            credentials: { accessKeyId: accessKey, secretAccessKey: env.SPACES_SECRET_ACCESS_KEY },
            requestChecksumCalculation: "WHEN_REQUIRED",
            responseChecksumValidation: "WHEN_REQUIRED",
          });
          try {
            const buckets = (await s3.send(new ListBucketsCommand({}))).Buckets ?? [];
            return pass(`the key pair lists the team's buckets in ${region} (${buckets.length})`);
          } finally {
            s3.destroy();
          }
        },
      },
    );
  }
  return checks;
}

/** DigitalOcean's and Spaces' refusals, as a failed check. */
function explainDigitalOcean(error: unknown): Outcome | undefined {
  if (error instanceof HttpApiError) {
    const fix =
      error.status === 401
        ? "DIGITALOCEAN_TOKEN was refused: create a token (API, Tokens) that has not expired, and set it"
        : error.status === 403
          ? "give the token read scope on this resource (a custom-scoped token needs each resource's :read scope)"
          : error.status === 404 && error.message.includes("/v2/spaces/keys/")
            ? "SPACES_ACCESS_KEY_ID names no key of this team: create one (Spaces Object Storage, Access Keys) and set both variables"
            : "try again later; see status.digitalocean.com";
    return fail(error.message, fix);
  }
  const sdk = sdkError(error);
  if (sdk) return fail(`Spaces refused the keys (${sdk.status} ${sdk.name}: ${sdk.message})`, "SPACES_ACCESS_KEY_ID and SPACES_SECRET_ACCESS_KEY must be a pair of a key that exists (Spaces Object Storage, Access Keys)");
  return undefined;
}

export const DIGITALOCEAN_PREFLIGHT: CloudPreflight = {
  // The variables the stack's providers read (modules/stacks/clouds.ts); the Spaces secret may stay out of read-only runs.
  async missingCredentials(env) {
    const missing = unset(
      env,
      DIGITALOCEAN.credentials.filter((name) => name !== "SPACES_SECRET_ACCESS_KEY"),
    );
    return missing.length > 0 ? `${list(missing)} ${missing.length > 1 ? "are" : "is"} not set: a DigitalOcean stack is checked with its own credentials (docs/preflight.md)` : undefined;
  },
  groups(context) {
    const api = new DoApi({ token: context.env.DIGITALOCEAN_TOKEN!, baseUrl: context.env.DIGITALOCEAN_API_URL || undefined, log: context.log, sleep: context.sleep });
    return [{ title: "DigitalOcean", checks: digitalOceanChecks(digitalOceanNeeds(context.doc), api, context), explain: explainDigitalOcean }, cloudflareGroup(context)];
  },
};
