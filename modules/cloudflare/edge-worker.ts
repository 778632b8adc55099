import { Fn } from "cdktf";

/*
 * The Worker in front of a DigitalOcean + Cloudflare site (a Workers route on the site's
 * name): it passes every request to the origin and answers with the maintenance page when
 * the origin gives no answer of its own. Cloudflare's load balancer could not do this
 * soundly: its pools' origins "should resolve directly to the origin, and not be a
 * hostname proxied by Cloudflare" (the pool's `origins.address`, docs/resources/load_balancer_pool.md
 * of cloudflare/terraform-provider-cloudflare v5.14.0, from Cloudflare's API schema), and
 * a Worker only answers on a proxied name.
 */

/**
 * Seconds the edge waits for the origin's response headers before it answers with the
 * page. Longer than every limit of the origin's own (gunicorn's `--timeout`, nginx's
 * `proxy_read_timeout` and the load balancer's idle timeout are all 60 s), so a response
 * the origin would still give is never cut off, and a POST is never abandoned while the
 * application may still commit it; shorter than Cloudflare's own 100 s wait for an
 * origin (error 524), so a hung origin shows the page rather than Cloudflare's error.
 */
export const ORIGIN_TIMEOUT_SECONDS = 70;

/** Cloudflare's own wait for an origin's response, after which it answers 524 (https://developers.cloudflare.com/support/troubleshooting/http-status-codes/cloudflare-5xx-errors/error-524/). */
export const CLOUDFLARE_ORIGIN_TIMEOUT_SECONDS = 100;

/** Seconds the health path gets to answer when the edge asks it whether a 500 means the site is down. */
export const HEALTH_TIMEOUT_SECONDS = 10;

/** The page's `Retry-After`, in seconds. */
export const RETRY_AFTER_SECONDS = 300;

/**
 * Statuses that mean the origin gave no answer of its own, so the page stands in: 502,
 * 503 and 504 (nginx without gunicorn, the load balancer without a healthy droplet, a
 * gateway timeout), and Cloudflare's own 520-527 and 530 (origin unreachable, refused,
 * timed out, TLS failed: https://developers.cloudflare.com/support/troubleshooting/http-status-codes/cloudflare-5xx-errors/).
 * A 500 is the application's own answer and passes through, unless the health path fails
 * too (no 2xx or 3xx within {@link HEALTH_TIMEOUT_SECONDS}, as Route 53 judges it): then
 * the site is down (its database, say), as the health checks of the other clouds would
 * find. Other statuses always pass through.
 */
export const ORIGIN_UNAVAILABLE_STATUSES: readonly number[] = [502, 503, 504, 520, 521, 522, 523, 524, 525, 526, 527, 530];

/** What the Worker serves, and where it asks whether the site is healthy. */
export interface EdgeWorkerProps {
  /** The maintenance page's files by path; `index.html` answers every other path. */
  readonly files: Readonly<Record<string, string>>;
  /** The origin's health path, asked after a 500 (e.g. `/healthz`). */
  readonly healthPath: string;
  /**
   * The files and the path hold references (a module's variables), which Terraform writes
   * into the source. Otherwise every character of them is data, never a reference.
   * @default false
   */
  readonly references?: boolean;
}

const TOKEN = /(\$\{TfToken\[[^\]]+\]\})/;

/**
 * A JavaScript string literal of `text`. Data: JSON with every `$` as `\u0024`, so no
 * text can read as a cdktf reference or a Terraform interpolation, whatever it holds.
 * With references: its literal parts as JSON strings, joined with each reference
 * JSON-encoded by Terraform.
 */
function stringLiteral(text: string, references: boolean): string {
  if (!references) return JSON.stringify(text).replace(/\$/g, "\\u0024");
  const parts = text.split(TOKEN).filter((part) => part !== "");
  if (parts.length === 0) return '""';
  return parts.map((part) => (TOKEN.test(part) ? Fn.jsonencode(part) : JSON.stringify(part))).join(" + ");
}

/**
 * The Worker's source (an ES module). Each request goes to the origin (the site's proxied
 * DNS record, https://developers.cloudflare.com/workers/configuration/routing/routes/),
 * method, headers and body as they came, redirects not followed; the response comes back
 * unchanged, unless the origin gave no answer of its own ({@link ORIGIN_UNAVAILABLE_STATUSES},
 * a failed connection, no headers within {@link ORIGIN_TIMEOUT_SECONDS}): then the page,
 * with status 503, `Retry-After` and `Cache-Control: no-store`. `env.ORIGIN_TIMEOUT_MS` and
 * `env.HEALTH_TIMEOUT_MS` shorten the waits for tests; the deployed Worker has no bindings.
 */
export function edgeWorker(props: EdgeWorkerProps): string {
  const references = props.references ?? false;
  const files = Object.entries(props.files)
    .map(([path, text]) => `  ${JSON.stringify(path)}: ${stringLiteral(text, references)},`)
    .join("\n");
  return `// Managed by cloudtiers: the site's edge. The origin answers; the maintenance page stands in when it cannot.
const FILES = {
${files}
};
const HEALTH_PATH = ${stringLiteral(props.healthPath, references)};
const ORIGIN_TIMEOUT_MS = ${ORIGIN_TIMEOUT_SECONDS * 1000};
const HEALTH_TIMEOUT_MS = ${HEALTH_TIMEOUT_SECONDS * 1000};
const UNAVAILABLE = new Set(${JSON.stringify(ORIGIN_UNAVAILABLE_STATUSES)});
const TYPES = { html: "text/html; charset=utf-8", css: "text/css; charset=utf-8", svg: "image/svg+xml" };

async function fromOrigin(request, timeoutMs) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    return await fetch(request, { signal: controller.signal, redirect: "manual" });
  } finally {
    clearTimeout(timer);
  }
}

async function healthy(request, timeoutMs) {
  try {
    const response = await fromOrigin(new Request(new URL(HEALTH_PATH, request.url), { method: "GET" }), timeoutMs);
    await response.body?.cancel();
    return response.status >= 200 && response.status < 400;
  } catch {
    return false;
  }
}

// \`reason\`: why the origin's answer was not served (its status, "timeout" or "unreachable"),
// for whoever looks at the response (curl -sI): a 526 means the origin's certificate, not an outage.
function page(request, reason) {
  const path = new URL(request.url).pathname.replace(/^\\/+/, "");
  const name = Object.hasOwn(FILES, path) ? path : "index.html";
  const type = TYPES[name.split(".").pop()] ?? "text/plain; charset=utf-8";
  return new Response(FILES[name], {
    status: 503,
    headers: { "content-type": type, "cache-control": "no-store", "retry-after": "${RETRY_AFTER_SECONDS}", "x-origin-unavailable": reason },
  });
}

export default {
  async fetch(request, env) {
    const originTimeout = Number(env?.ORIGIN_TIMEOUT_MS) || ORIGIN_TIMEOUT_MS;
    const healthTimeout = Number(env?.HEALTH_TIMEOUT_MS) || HEALTH_TIMEOUT_MS;
    let response;
    try {
      response = await fromOrigin(request, originTimeout);
    } catch (error) {
      return page(request, error?.name === "AbortError" ? "timeout" : "unreachable");
    }
    if (UNAVAILABLE.has(response.status) || (response.status === 500 && !(await healthy(request, healthTimeout)))) {
      await response.body?.cancel();
      return page(request, String(response.status));
    }
    return response;
  },
};
`;
}
