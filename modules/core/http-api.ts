/**
 * A plain HTTPS JSON client for the cloud APIs the commands call without an SDK
 * (DigitalOcean's v2, Cloudflare's v4), with the retries a command needs: a request that
 * times out or meets a 5xx is tried again with backoff; a 429 waits as long as
 * `retry-after` says (a burst limit), else until `ratelimit-reset` (an hourly one); a 401
 * is a credential refused, named with the variable it came from. Plain `fetch`: no SDK to
 * load. Not re-exported from `core`'s index: synth never loads it.
 */

export interface HttpApiOptions {
  readonly token: string;
  /** @default - the API's own */
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

/** An answer of an API that is not a success: its status, the API's own code (`id`) and what it said. */
export class HttpApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly id: string,
    message: string,
  ) {
    super(message);
  }
}

/** What an API says in an error's body: its code and message. */
export interface ApiComplaint {
  readonly id?: string;
  readonly message?: string;
}

/** How one API differs from another: where it is, how it authenticates, how it words errors. */
export interface HttpApiDialect {
  /** The API's name in messages: `DigitalOcean`. */
  readonly service: string;
  readonly defaultBaseUrl: string;
  /** The environment variable the token comes from, named when it is refused. */
  readonly tokenVariable: string;
  /** The API's code and message in an error body. */
  complaint(body: unknown): ApiComplaint;
  /** Makes the error the API's callers catch. */
  error(status: number, id: string, message: string): HttpApiError;
}

/** Waits `ms` milliseconds. */
export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The longest one 429 makes it wait (an hourly limit's reset can be an hour away; a command has a deadline). */
const MAX_THROTTLE_MS = 5 * 60000;

/** How long a 429 asks to wait: `retry-after` seconds, else until the `ratelimit-reset` epoch second, else a minute. */
function throttleMs(headers: Headers, now: number): number {
  const after = Number(headers.get("retry-after"));
  if (Number.isFinite(after) && after > 0) return Math.min(MAX_THROTTLE_MS, after * 1000);
  const reset = Number(headers.get("ratelimit-reset"));
  if (Number.isFinite(reset) && reset > 0) return Math.min(MAX_THROTTLE_MS, Math.max(1000, reset * 1000 - now));
  return 60000;
}

export class HttpApi {
  protected readonly baseUrl: string;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly dialect: HttpApiDialect,
    private readonly options: HttpApiOptions,
  ) {
    this.baseUrl = (options.baseUrl ?? dialect.defaultBaseUrl).replace(/\/$/, "");
    this.sleep = options.sleep ?? realSleep;
  }

  /** GET `path` (with its query), as JSON. */
  public async get<T>(path: string): Promise<T> {
    const attempts = this.options.attempts ?? 5;
    const { service } = this.dialect;
    let delay = 2000;
    for (let attempt = 1; ; attempt++) {
      const again = async (why: string, waitMs = delay): Promise<void> => {
        if (attempt >= attempts) throw this.dialect.error(0, "unavailable", `GET ${path}: ${why}, ${attempts} times; giving up`);
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
      const body = this.dialect.complaint(await response.json().catch(() => ({})));
      const said = `${response.status} ${body.id ?? ""}: ${body.message ?? response.statusText}`.replace(" :", ":");
      if (response.status === 429) {
        await again(`throttled (${said})`, throttleMs(response.headers, Date.now()));
        continue;
      }
      if (response.status >= 500) {
        await again(said);
        continue;
      }
      if (response.status === 401) throw this.dialect.error(401, body.id ?? "unauthorized", `${service} refused the token (${said}): check ${this.dialect.tokenVariable}`);
      if (response.status === 403) throw this.dialect.error(403, body.id ?? "forbidden", `GET ${path}: ${said}: the token in ${this.dialect.tokenVariable} may not read this`);
      throw this.dialect.error(response.status, body.id ?? "error", `GET ${path}: ${said}`);
    }
  }
}
