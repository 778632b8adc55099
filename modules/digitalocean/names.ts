import { createHash } from "node:crypto";

/** Eight hex characters that make a global name (a Spaces bucket, a certificate) unique. */
export function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 8);
}
