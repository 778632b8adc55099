import { createHash } from "node:crypto";
import { Fn } from "cdktf";
import { isReference } from "../core";

/** Eight hex characters that make a global name (a Spaces bucket, a certificate) unique; Terraform's `sha256` for a reference. */
export function shortHash(text: string): string {
  if (isReference(text)) return Fn.substr(Fn.sha256(text), 0, 8);
  return createHash("sha256").update(text).digest("hex").slice(0, 8);
}
