import { Construct } from "constructs";
import { Id } from "@cdktf/provider-random/lib/id";
import { protectedLifecycle } from "../core";

/**
 * A bucket's name, `<prefix>-<purpose>-<8 hex digits>`, unique to the account that holds
 * its state: the digits are drawn once by `random_id` (in `scope`, as `name-suffix`) and
 * kept in state, so they never change across deploys, and nothing public predicts them.
 * Bucket names are global (S3, Spaces): a name computed from public facts (the prefix
 * and the CDN's domain) could be taken first by anyone, and the same spec deployed to a
 * second account (disaster recovery, a migration) would collide with the first. The
 * suffix is protected like the bucket: replacing it would replace the bucket.
 *
 * Buckets named before this (a hash of the CDN domain) keep their name when the old
 * digits are imported as the suffix (docs/safety.md, "Bucket names").
 */
export function uniqueBucketName(scope: Construct, prefix: string, purpose: string, protect: boolean): string {
  const suffix = new Id(scope, "name-suffix", { byteLength: 4, lifecycle: protectedLifecycle(protect) });
  return `${prefix}-${purpose}-${suffix.hex}`;
}
