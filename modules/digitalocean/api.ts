/**
 * The calls of DigitalOcean's API v2 that `npm run rollout` and `npm run preflight` make,
 * through the shared HTTPS client (modules/core/http-api.ts: 429s wait as `retry-after` or
 * `ratelimit-reset` say, timeouts and 5xx are retried, a 401 names DIGITALOCEAN_TOKEN).
 */
import { HttpApi, HttpApiError, HttpApiOptions } from "../core/http-api";

export const DO_API_URL = "https://api.digitalocean.com";

/** An answer of the API that is not a success, with DigitalOcean's `id` and `message`. */
export class DoApiError extends HttpApiError {}

export class DoApi extends HttpApi {
  constructor(options: HttpApiOptions) {
    super(
      {
        service: "DigitalOcean",
        defaultBaseUrl: DO_API_URL,
        tokenVariable: "DIGITALOCEAN_TOKEN",
        complaint: (body) => body as { id?: string; message?: string },
        error: (status, id, message) => new DoApiError(status, id, message),
      },
      options,
    );
  }

  /** Every item of a paged list: `key` of each page, following `links.pages.next`. */
  public async all<T>(path: string, key: string): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = `${path}${path.includes("?") ? "&" : "?"}per_page=200`;
    while (next) {
      const page: Record<string, unknown> & { links?: { pages?: { next?: string } } } = await this.get(next);
      items.push(...((page[key] as T[] | undefined) ?? []));
      // DigitalOcean's links name its own host: follow their path and query on this client's.
      const link = page.links?.pages?.next ? new URL(page.links.pages.next, this.baseUrl) : undefined;
      next = link ? `${link.pathname}${link.search}` : undefined;
    }
    return items;
  }
}
