import { CloudflareSettings } from "../../modules/cloudflare/settings";
import { FakeApi } from "../fake-api";

/*
 * A local Cloudflare API v4 implementing exactly the calls npm run preflight makes, each
 * answer wrapped as Cloudflare wraps it; a request without the token is refused as
 * Cloudflare refuses it (401, code 1000).
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
    /** Paths the token may not read (answered 403, code 9109). */
    forbidden: [] as string[],
  };
}

export type CloudflareAccount = ReturnType<typeof cloudflareAccount>;

const ok = (result: unknown) => ({ body: { success: true, errors: [], messages: [], result } });
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
      [`GET /client/v4/zones/${zone}/dns_records`]: (url) => (url.searchParams.get("per_page") === "1" ? list() : error(400, 1004, "per_page")),
      "GET /client/v4/certificates": (url) => (url.searchParams.get("zone_id") === zone ? list() : error(400, 1001, "zone_id")),
      [`GET /client/v4/zones/${zone}/load_balancers`]: list,
      [`GET /client/v4/accounts/${account}/load_balancers/pools`]: list,
      [`GET /client/v4/accounts/${account}/load_balancers/monitors`]: list,
      [`GET /client/v4/accounts/${account}/workers/scripts`]: list,
      [`GET /client/v4/zones/${zone}/workers/routes`]: list,
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
