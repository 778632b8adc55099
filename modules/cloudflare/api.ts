/**
 * The calls of Cloudflare's API v4 that `npm run preflight` makes, through the shared HTTPS
 * client (modules/core/http-api.ts: 429s wait as `retry-after` says, timeouts and 5xx are
 * retried, a 401 names CLOUDFLARE_API_TOKEN). Cloudflare wraps every answer in
 * `{ success, errors: [{ code, message }], result }`.
 */
import { HttpApi, HttpApiError, HttpApiOptions } from "../core/http-api";

export const CLOUDFLARE_API_URL = "https://api.cloudflare.com/client/v4";

/** An answer of the API that is not a success, with Cloudflare's first error code and message. */
export class CloudflareApiError extends HttpApiError {}

export class CloudflareApi extends HttpApi {
  constructor(options: HttpApiOptions) {
    super(
      {
        service: "Cloudflare",
        defaultBaseUrl: CLOUDFLARE_API_URL,
        tokenVariable: "CLOUDFLARE_API_TOKEN",
        complaint(body) {
          const first = (body as { errors?: { code?: number; message?: string }[] }).errors?.[0];
          return { id: first?.code === undefined ? undefined : String(first.code), message: first?.message };
        },
        error: (status, id, message) => new CloudflareApiError(status, id, message),
      },
      options,
    );
  }

  /** The `result` of GET `path`. */
  public async result<T>(path: string): Promise<T> {
    return (await this.get<{ result: T }>(path)).result;
  }
}
