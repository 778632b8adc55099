import { Construct } from "constructs";
import { Id } from "@cdktf/provider-random/lib/id";
import { TerraformResourceLifecycle } from "cdktf";
import { protectedLifecycle } from "../core";
import { BUCKET_SUFFIX_BYTES, bucketName } from "./resource-names";

/**
 * A bucket's name, `<prefix>-<purpose>-<8 hex digits>`, unique to the account that holds
 * its state: the digits are drawn once by `random_id` (in `scope`, as `name-suffix`) and
 * kept in state, so they never change across deploys, and nothing public predicts them.
 * Bucket names are global (S3, Spaces): a name computed from public facts (the prefix
 * and the CDN's domain) could be taken first by anyone, and the same spec deployed to a
 * second account (disaster recovery, a migration) would collide with the first. The
 * suffix is protected like the bucket: replacing it would replace the bucket.
 *
 * A bucket's name is fixed when it is created: give the bucket `bucketLifecycle`, which
 * ignores later changes to the name, so that buckets named before this (a hash of the CDN
 * domain) keep their names and need no import (docs/safety.md, "Bucket names").
 */
export function uniqueBucketName(scope: Construct, prefix: string, purpose: string, protect: boolean): string {
  const suffix = new Id(scope, "name-suffix", { byteLength: BUCKET_SUFFIX_BYTES, lifecycle: protectedLifecycle(protect) });
  return bucketName(prefix, purpose, suffix.hex);
}

/**
 * A bucket's lifecycle: protected like the environment, and its name (`attribute`: `bucket`
 * on S3, `name` on Spaces) kept as it was created. S3 would replace a renamed bucket (a
 * new, empty one); Spaces is worse: the DigitalOcean provider takes a new `name` as an
 * in-place change that renames nothing and records the new name in state
 * (terraform-provider-digitalocean v2.71.0, spaces/resource_spaces_bucket.go: `name` is
 * not ForceNew, and Read keeps the planned name), so everything that names the bucket would
 * then point at a bucket that does not exist. Everything else reads the name from the
 * bucket's own attribute, so it follows the bucket.
 */
export function bucketLifecycle(protect: boolean, attribute: "bucket" | "name"): TerraformResourceLifecycle {
  return { ...protectedLifecycle(protect), ignoreChanges: [attribute] };
}
