import { createHash, createHmac } from "node:crypto";
import { IncomingHttpHeaders } from "node:http";

/*
 * Signature Version 4, checked as AWS checks it, for the local AWS servers of the tests:
 * the canonical request (method, path, sorted query, the signed headers, the payload's
 * hash) signed with a key derived from the secret, the date, the region and the service.
 */

const hmac = (key: Uint8Array | string, text: string): Uint8Array => new Uint8Array(createHmac("sha256", key).update(text).digest());
const hex = (text: string) => createHash("sha256").update(text).digest("hex");
const encode = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** A request as a local server received it. */
export interface SignedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Who signed a request, for which region and service, and whether the signature is right for `secretAccessKey`. */
export interface Signature {
  readonly accessKeyId: string;
  readonly region: string;
  readonly service: string;
  readonly valid: boolean;
}

/** The request's SigV4 signature, checked against `secretAccessKey`; undefined when it carries none. */
export function checkSignature(req: SignedRequest, secretAccessKey: string): Signature | undefined {
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(String(req.headers.authorization ?? ""));
  if (!m) return undefined;
  const [, accessKeyId, date, region, service, signedHeaders, signature] = m;
  const url = new URL(req.url, "http://local");
  const query = [...url.searchParams].map(([k, v]) => [encode(k), encode(v)]).sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join("&");
  const canonicalHeaders = signedHeaders
    .split(";")
    .map((h) => `${h}:${String(req.headers[h] ?? "").trim().replace(/\s+/g, " ")}\n`)
    .join("");
  const payload = String(req.headers["x-amz-content-sha256"] ?? hex(req.body));
  const canonical = [req.method, url.pathname, query, canonicalHeaders, signedHeaders, payload].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", String(req.headers["x-amz-date"] ?? ""), scope, hex(canonical)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), "aws4_request");
  return { accessKeyId, region, service, valid: Buffer.from(hmac(key, toSign)).toString("hex") === signature };
}
