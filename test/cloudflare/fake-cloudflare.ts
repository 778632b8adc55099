import { CloudflareSettings } from "../../modules/cloudflare/settings";
import { FakeApi } from "../fake-api";

/*
 * A local Cloudflare API v4 implementing exactly the calls npm run preflight makes, each
 * answer wrapped as Cloudflare wraps it; a request without the token is refused as
 * Cloudflare refuses it (401, code 1000), one with a query it does not expect is answered 400.
 */

export const CLOUDFLARE_TOKEN = "cf-preflight-token-0123456789abcdef";

/** An account and zone that can take the stack, each part replaceable by a test. */
export function cloudflareAccount(settings: CloudflareSettings, zoneName: string) {
  return {
    token: { id: "t1", status: "active", expires_on: "2027-06-30T00:00:00Z" } as Record<string, unknown>,
    /** Whether the token is an account-owned one (verified under /accounts/{id}/tokens/verify only). */
    accountOwned: false,
    zone: { id: settings.zoneId, name: zoneName, status: "active", account: { id: settings.accountId, name: "Acme" }, name_servers: ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"] } as Record<string, unknown>,
    ssl: "strict",
    /** The zone's DNS records (the stack's own not yet among them): name, type, content, proxied. */
    records: [] as { name: string; type: string; content: string; proxied: boolean }[],
    /** How many records a page of the list holds, whatever per_page asks (as result_info tells). */
    pageSize: 100,
    /** The account's subscriptions, as API v4 gives them (the `Subscription` schema): Workers Paid. */
    subscriptions: [
      {
        id: "s1",
        currency: "USD",
        frequency: "monthly",
        price: 5,
        state: "Paid",
        current_period_start: "2026-05-01T00:00:00Z",
        current_period_end: "2026-06-01T00:00:00Z",
        rate_plan: { id: "workers_paid", public_name: "Workers Paid", currency: "USD", scope: "account", externally_managed: false, is_contract: false, sets: [] },
      },
    ] as Record<string, unknown>[],
    /** The zone's entry point rulesets, by phase (none: 404, as for a zone that never had one). */
    entrypoints: {} as Record<string, { id: string; name: string }>,
    /** Paths the token may not read (answered 403, code 9109). */
    forbidden: [] as string[],
  };
}

export type CloudflareAccount = ReturnType<typeof cloudflareAccount>;

const ok = (result: unknown, resultInfo?: Record<string, number>) => ({ body: { success: true, errors: [], messages: [], result, ...(resultInfo ? { result_info: resultInfo } : {}) } });
const error = (status: number, code: number, message: string) => ({ status, body: { success: false, errors: [{ code, message }], messages: [], result: null } });

export function fakeCloudflare(settings: CloudflareSettings, a: CloudflareAccount): FakeApi {
  const { accountId: account, zoneId: zone } = settings;
  const list = () => ok([]);
  return new FakeApi(
    {
      "GET /client/v4/user/tokens/verify": () => (a.accountOwned ? error(401, 1000, "Invalid API Token") : ok(a.token)),
      [`GET /client/v4/accounts/${account}/tokens/verify`]: () => (a.accountOwned ? ok(a.token) : error(401, 1000, "Invalid API Token")),
      [`GET /client/v4/zones/${zone}`]: () => ok(a.zone),
      [`GET /client/v4/zones/${zone}/settings/ssl`]: () => ok({ id: "ssl", value: a.ssl, editable: true }),
      [`GET /client/v4/accounts/${account}/subscriptions`]: () => ok(a.subscriptions),
      [`GET /client/v4/zones/${zone}/dns_records`]: (url) => {
        const query = url.searchParams;
        const keys = [...query.keys()].sort().join(",");
        // The token permissions check's probe.
        if (keys === "per_page" && query.get("per_page") === "1") return list();
        // The SSL mode check's list of proxied records, at the documented maximum per page (5,000,000), page by page.
        if (keys !== "page,per_page,proxied" || query.get("proxied") !== "true" || query.get("per_page") !== "5000000") return error(400, 1004, `unexpected query: ${url.search}`);
        const proxied = a.records.filter((r) => r.proxied);
        const pages = Math.ceil(proxied.length / a.pageSize);
        const page = Number(query.get("page"));
        if (!Number.isInteger(page) || page < 1 || page > Math.max(1, pages)) return error(400, 1004, `page ${query.get("page")} of ${pages}`);
        const result = proxied.slice((page - 1) * a.pageSize, page * a.pageSize).map((r, i) => ({
          id: `${page}${i}`.padStart(32, "0"),
          ...r,
          proxiable: true,
          ttl: 1,
          settings: {},
          meta: {},
          comment: null,
          tags: [],
          created_on: "2026-01-01T00:00:00Z",
          modified_on: "2026-01-01T00:00:00Z",
        }));
        return ok(result, { page, per_page: a.pageSize, count: result.length, total_count: proxied.length, total_pages: pages });
      },
      "GET /client/v4/certificates": (url) => (url.searchParams.get("zone_id") === zone ? list() : error(400, 1001, "zone_id")),
      [`GET /client/v4/zones/${zone}/load_balancers`]: list,
      [`GET /client/v4/accounts/${account}/load_balancers/pools`]: list,
      [`GET /client/v4/accounts/${account}/load_balancers/monitors`]: list,
      [`GET /client/v4/accounts/${account}/workers/scripts`]: list,
      [`GET /client/v4/zones/${zone}/workers/routes`]: list,
      ...Object.fromEntries(
        ["http_ratelimit", "http_request_firewall_managed"].map((phase) => [
          `GET /client/v4/zones/${zone}/rulesets/phases/${phase}/entrypoint`,
          () => (a.entrypoints[phase] ? ok({ ...a.entrypoints[phase], kind: "zone", phase, rules: [] }) : error(404, 10003, "could not find entrypoint ruleset in the zone")),
        ]),
      ),
      [`GET /client/v4/accounts/${account}/workers/domains`]: (url) => (url.searchParams.get("zone_id") === zone ? list() : error(400, 1001, "zone_id")),
    },
    (r) => {
      if (r.headers.authorization !== `Bearer ${CLOUDFLARE_TOKEN}`) return error(401, 1000, "Invalid API Token");
      if (r.method !== "GET" || r.body !== "" || r.headers.accept !== "application/json") return error(400, 6003, "Invalid request");
      if (a.forbidden.some((p) => r.url.startsWith(`/client/v4${p}`))) return error(403, 9109, "Unauthorized to access requested resource");
      return undefined;
    },
  );
}
