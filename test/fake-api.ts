import { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse, createServer } from "node:http";
import { AddressInfo } from "node:net";

/*
 * A local HTTP API on 127.0.0.1 that implements exactly the routes a test gives it and
 * records every request (method, URL, headers, body) for the test to check. A request no
 * route takes is recorded as unexpected and answered 404; a request the `authorize` rule
 * refuses gets its answer; `hiccups` answer the next requests of a path before its route
 * does (a 429, a 5xx).
 */

export interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface Answer {
  readonly status?: number;
  /** JSON, or a string sent as it is. */
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

/** Answers a request: `url` parsed, with its query. */
export type Route = (url: URL, request: Recorded) => Answer;

/** An HTTP server on 127.0.0.1, on a free port, that hands each request to `handle`. */
export abstract class LoopbackServer {
  private server!: Server;

  /** Starts listening; the base URL (`http://127.0.0.1:<port>`). */
  public async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  protected abstract handle(req: IncomingMessage, res: ServerResponse): void;
}

export class FakeApi extends LoopbackServer {
  public readonly requests: Recorded[] = [];
  public readonly unexpected: string[] = [];
  /** Answers given before the route's, once each, to the first request whose path (and query) starts with `path`. */
  public readonly hiccups: { path: string; answer: Answer }[] = [];

  /**
   * @param routes by `METHOD /path` (no query)
   * @param authorize the answer to a request it refuses, or undefined to let it through
   */
  constructor(
    public readonly routes: Record<string, Route>,
    private readonly authorize: (request: Recorded) => Answer | undefined,
  ) {
    super();
  }

  private send(res: ServerResponse, answer: Answer): void {
    const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
    const headers = Object.fromEntries(Object.entries(answer.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    res.writeHead(answer.status ?? 200, { "content-type": typeof answer.body === "string" ? "text/xml" : "application/json", ...headers });
    res.end(text);
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const recorded: Recorded = { method: req.method!, url: req.url!, headers: req.headers, body };
      this.requests.push(recorded);
      const refused = this.authorize(recorded);
      if (refused) return this.send(res, refused);
      const hiccup = this.hiccups.findIndex((h) => req.url!.startsWith(h.path));
      if (hiccup >= 0) return this.send(res, this.hiccups.splice(hiccup, 1)[0].answer);
      const url = new URL(req.url!, "http://fake");
      const route = this.routes[`${req.method} ${url.pathname}`];
      if (!route) {
        this.unexpected.push(`${req.method} ${req.url}`);
        return this.send(res, { status: 404, body: { id: "not_found", message: "The resource you were accessing could not be found." } });
      }
      this.send(res, route(url, recorded));
    });
  }
}
