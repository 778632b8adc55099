/**
 * The few calls of DigitalOcean's API v2 that `npm run rollout` makes, with the retries a
 * long watch needs: a request that times out or meets a 5xx is tried again with backoff;
 * a 429 waits as long as `retry-after` says (the burst limit), else until `ratelimit-reset`
 * (the hourly one); a 401 is a bad token. Plain `fetch`: no SDK to load.
 */

export const DO_API_URL = "https://api.digitalocean.com";

export interface DoApiOptions {
  readonly token: string;
  /** @default "https://api.digitalocean.com" */
  readonly baseUrl?: string;
  /** One request's time limit. @default 30000 */
  readonly timeoutMs?: number;
  /** Tries of one request before it fails. @default 5 */
  readonly attempts?: number;
  /** How to wait (tests wait no time). @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Where retries are reported. @default nothing */
  readonly log?: (line: string) => void;
}

/** An answer of the API that is not a success, with DigitalOcean's `id` and `message`. */
export class DoApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly id: string,
    message: string,
  ) {
    super(message);
  }
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The longest one 429 makes it wait (the hourly limit's reset can be an hour away; a watch has a deadline). */
const MAX_THROTTLE_MS = 5 * 60000;

/** How long a 429 asks to wait: `retry-after` seconds, else until the `ratelimit-reset` epoch second, else a minute. */
function throttleMs(headers: Headers, now: number): number {
  const after = Number(headers.get("retry-after"));
  if (Number.isFinite(after) && after > 0) return Math.min(MAX_THROTTLE_MS, after * 1000);
  const reset = Number(headers.get("ratelimit-reset"));
  if (Number.isFinite(reset) && reset > 0) return Math.min(MAX_THROTTLE_MS, Math.max(1000, reset * 1000 - now));
  return 60000;
}


export class DoApi {
  private readonly baseUrl: string;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: DoApiOptions) {
    this.baseUrl = (options.baseUrl ?? DO_API_URL).replace(/\/$/, "");
    this.sleep = options.sleep ?? realSleep;
  }

  /** GET `path` (with its query), as JSON. */
  public async get<T>(path: string): Promise<T> {
    const attempts = this.options.attempts ?? 5;
    let delay = 2000;
    for (let attempt = 1; ; attempt++) {
      const again = async (why: string, waitMs = delay): Promise<void> => {
        if (attempt >= attempts) throw new DoApiError(0, "unavailable", `GET ${path}: ${why}, ${attempts} times; giving up`);
        this.options.log?.(`GET ${path}: ${why}; trying again in ${Math.round(waitMs / 1000)}s (try ${attempt} of ${attempts})`);
        await this.sleep(waitMs);
        delay = Math.min(delay * 2, 60000);
      };
      let response: Response;
      try {
        response = await fetch(`${this.baseUrl}${path}`, {
          method: "GET",
          headers: { Authorization: `Bearer ${this.options.token}`, Accept: "application/json" },
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 30000),
        });
      } catch (e) {
        // AbortSignal.timeout rejects with a DOMException named TimeoutError (not an Error in Node 20).
        const timedOut = (e as { name?: string } | undefined)?.name === "TimeoutError";
        const reason = timedOut ? `no answer within ${(this.options.timeoutMs ?? 30000) / 1000}s` : `unreachable (${e instanceof Error ? e.message : String(e)})`;
        await again(reason);
        continue;
      }
      if (response.ok) return (await response.json()) as T;
      const body = (await response.json().catch(() => ({}))) as { id?: string; message?: string };
      const said = `${response.status} ${body.id ?? ""}: ${body.message ?? response.statusText}`.replace(" :", ":");
      if (response.status === 429) {
        await again(`throttled (${said})`, throttleMs(response.headers, Date.now()));
        continue;
      }
      if (response.status >= 500) {
        await again(said);
        continue;
      }
      if (response.status === 401) throw new DoApiError(401, body.id ?? "unauthorized", `DigitalOcean refused the token (${said}): check DIGITALOCEAN_TOKEN`);
      throw new DoApiError(response.status, body.id ?? "error", `GET ${path}: ${said}`);
    }
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
