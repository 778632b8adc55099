import { CACHING_OPTIMIZED, CLOUDFRONT_TLS_POLICY, SECURITY_HEADERS } from "../../modules/aws/bucket-distribution";
import { awsFixture, fetchScriptHost, ref, synth } from "../helpers";

function mediaStore(protect: boolean) {
  const f = awsFixture();
  const store = f.factory.createObjectStore(f.stack, "media", {
    namePrefix: f.namePrefix,
    purpose: "media",
    cdnDomain: "media.example.com",
    zone: f.zone,
    certificate: f.cdnCertificate,
    corsOrigins: ["https://www.example.com"],
    deletionProtection: protect,
  });
  return { f, store };
}

describe("AWS object store + CDN", () => {
  it("blocks every form of public access and enforces bucket ownership", () => {
    const s = synth(mediaStore(true).f.stack);
    expect(s.one("aws_s3_bucket_public_access_block", "media")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
      bucket: ref(s.address("aws_s3_bucket", "media"), "id"),
    });
    expect(s.one("aws_s3_bucket_ownership_controls", "media").rule).toEqual({ object_ownership: "BucketOwnerEnforced" });
  });

  it("encrypts and versions objects, expiring old versions", () => {
    const s = synth(mediaStore(true).f.stack);
    expect(s.one("aws_s3_bucket_server_side_encryption_configuration", "media").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" }, bucket_key_enabled: true },
    ]);
    expect(s.one("aws_s3_bucket_versioning", "media").versioning_configuration).toEqual({ status: "Enabled" });
    expect(s.one("aws_s3_bucket_lifecycle_configuration", "media").rule[0]).toMatchObject({
      status: "Enabled",
      noncurrent_version_expiration: [{ noncurrent_days: 30 }],
    });
  });

  it("protected: never emptied on destroy; unprotected: force_destroy for throwaway environments", () => {
    expect(synth(mediaStore(true).f.stack).one("aws_s3_bucket", "media")).toMatchObject({ force_destroy: false, lifecycle: { prevent_destroy: true } });
    expect(synth(mediaStore(false).f.stack).one("aws_s3_bucket", "media")).toMatchObject({ force_destroy: true, lifecycle: { prevent_destroy: false } });
  });

  it("is read by CloudFront only, through origin access control, over TLS only", () => {
    const s = synth(mediaStore(true).f.stack);
    const bucket = s.address("aws_s3_bucket", "media");
    const distribution = s.address("aws_cloudfront_distribution", "media");
    const policy = JSON.parse(s.one("aws_s3_bucket_policy", "media").policy);
    expect(policy.Statement).toEqual([
      {
        Sid: "CloudFrontReads",
        Effect: "Allow",
        Principal: { Service: "cloudfront.amazonaws.com" },
        Action: "s3:GetObject",
        Resource: `${ref(bucket, "arn")}/*`,
        Condition: { StringEquals: { "AWS:SourceArn": ref(distribution, "arn") } },
      },
      {
        Sid: "TlsOnly",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [ref(bucket, "arn"), `${ref(bucket, "arn")}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
    expect(s.one("aws_cloudfront_origin_access_control", "media")).toMatchObject({
      origin_access_control_origin_type: "s3",
      signing_behavior: "always",
      signing_protocol: "sigv4",
    });
  });

  it("serves HTTPS only, TLS 1.2+, on its own name with the us-east-1 certificate", () => {
    const s = synth(mediaStore(true).f.stack);
    const d = s.one("aws_cloudfront_distribution", "media");
    expect(d.aliases).toEqual(["media.example.com"]);
    expect(d.default_cache_behavior).toMatchObject({ viewer_protocol_policy: "redirect-to-https", cache_policy_id: CACHING_OPTIMIZED, compress: true });
    expect(d.viewer_certificate).toEqual({
      acm_certificate_arn: ref(s.address("aws_acm_certificate_validation", "cdn-certificate"), "certificate_arn"),
      ssl_support_method: "sni-only",
      minimum_protocol_version: CLOUDFRONT_TLS_POLICY,
    });
    expect(d.origin).toEqual([
      {
        origin_id: "bucket",
        domain_name: ref(s.address("aws_s3_bucket", "media"), "bucket_regional_domain_name"),
        origin_access_control_id: ref(s.address("aws_cloudfront_origin_access_control", "media"), "id"),
      },
    ]);
    for (const type of ["A", "AAAA"]) {
      expect(s.one("aws_route53_record", `media_alias-${type.toLowerCase()}_`)).toMatchObject({
        name: "media.example.com",
        type,
        alias: { name: ref(s.address("aws_cloudfront_distribution", "media"), "domain_name"), zone_id: ref(s.address("aws_cloudfront_distribution", "media"), "hosted_zone_id") },
      });
    }
  });

  it("adds CORS headers for the site's origin at the edge, so cached responses carry them for every viewer", () => {
    const s = synth(mediaStore(true).f.stack);
    const policy = s.one("aws_cloudfront_response_headers_policy", "media");
    expect(policy.cors_config).toMatchObject({
      access_control_allow_origins: { items: ["https://www.example.com"] },
      access_control_allow_methods: { items: ["GET", "HEAD", "OPTIONS"] },
      access_control_allow_credentials: false,
      origin_override: true,
    });
    expect(policy.security_headers_config).toMatchObject({ content_type_options: { override: true }, strict_transport_security: { access_control_max_age_sec: 31536000 } });
    expect(s.one("aws_cloudfront_distribution", "media").default_cache_behavior.response_headers_policy_id).toBe(
      ref(s.address("aws_cloudfront_response_headers_policy", "media"), "id"),
    );
  });

  it("grants a pool's hosts read, write and delete on its objects through their role", () => {
    const { f, store } = mediaStore(true);
    const pool = f.factory.createComputePool(f.stack, "worker", {
      namePrefix: f.namePrefix,
      network: f.network,
      role: "worker",
      size: "small",
      minInstances: 1,
      maxInstances: 2,
      host: fetchScriptHost(),
    });
    store.grantReadWrite(pool);
    const s = synth(f.stack);
    const bucket = ref(s.address("aws_s3_bucket", "media"), "arn");
    const grant = s.one("aws_iam_role_policy", "media_worker-read-write");
    expect(grant.role).toBe(ref(s.address("aws_iam_role", "worker"), "id"));
    expect(JSON.parse(grant.policy).Statement).toEqual([
      { Sid: "List", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucket] },
      { Sid: "Objects", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: [`${bucket}/*`] },
    ]);
  });

  it("names buckets after the application, environment and purpose, and a random suffix kept in state and protected like the bucket", () => {
    const { f, store } = mediaStore(true);
    const s = synth(f.stack);
    const suffix = s.address("random_id", "media");
    // Nothing public predicts the name (it was a hash of the CDN domain, which anyone could compute and squat).
    expect(s.one("aws_s3_bucket", "media").bucket).toBe(`shop-test-media-${ref(suffix, "hex")}`);
    expect(s.one("random_id", "media")).toEqual({ byte_length: 4, lifecycle: { prevent_destroy: true } });
    expect(synth(mediaStore(false).f.stack).one("random_id", "media").lifecycle).toEqual({ prevent_destroy: false });
    // The name is fixed at creation: a bucket named otherwise before keeps its name (S3 would replace a renamed bucket).
    expect(s.one("aws_s3_bucket", "media").lifecycle).toEqual({ prevent_destroy: true, ignore_changes: ["bucket"] });
    const oac = s.one("aws_cloudfront_origin_access_control", "media");
    expect(oac.name).toBe(ref(s.address("aws_s3_bucket", "media"), "bucket"));
    expect(store.endpointUrl).toBe("https://s3.eu-west-1.amazonaws.com");
  });
});

describe("AWS maintenance site", () => {
  it("uploads the page and answers every miss, / included, with it and a 503, on the site's own name", () => {
    const f = awsFixture();
    f.factory.createStaticSite(f.stack, "maintenance", {
      namePrefix: f.namePrefix,
      domain: "www.example.com",
      deletionProtection: true,
      zone: f.zone,
      certificate: f.cdnCertificate,
      files: { "index.html": "<h1>Back soon ${not-a-reference}</h1>" },
    });
    const s = synth(f.stack);
    expect(s.one("aws_s3_object", "maintenance")).toMatchObject({
      key: "index.html",
      content: "<h1>Back soon $${not-a-reference}</h1>",
      content_type: "text/html; charset=utf-8",
      bucket: ref(s.address("aws_s3_bucket", "maintenance"), "id"),
    });
    const d = s.one("aws_cloudfront_distribution", "maintenance");
    expect(d.aliases).toEqual(["www.example.com"]);
    // "/" is a miss too (a 200 there would tell monitors the site is up): no root object, and
    // CloudFront may only get objects, so S3 answers the bucket's root with 403.
    expect(d.default_root_object).toBeUndefined();
    const reads = JSON.parse(s.one("aws_s3_bucket_policy", "maintenance").policy).Statement.find((st: { Sid: string }) => st.Sid === "CloudFrontReads");
    expect(reads.Action).toBe("s3:GetObject");
    expect(d.custom_error_response).toEqual([403, 404].map((code) => ({ error_code: code, response_code: 503, response_page_path: "/index.html", error_caching_min_ttl: 10 })));
    expect(s.one("aws_s3_bucket_public_access_block", "maintenance").block_public_policy).toBe(true);
    expect(d.default_cache_behavior.response_headers_policy_id).toBe(SECURITY_HEADERS);
    // Protected like every bucket of a protected environment.
    expect(s.one("aws_s3_bucket", "maintenance")).toMatchObject({ force_destroy: false, lifecycle: { prevent_destroy: true } });
    expect(s.where("aws_cloudfront_response_headers_policy")).toHaveLength(0);
  });

  it("refuses a site without an index page", () => {
    const f = awsFixture();
    expect(() =>
      f.factory.createStaticSite(f.stack, "maintenance", { namePrefix: f.namePrefix, domain: "www.example.com", zone: f.zone, certificate: f.cdnCertificate, deletionProtection: false, files: {} }),
    ).toThrow("a static site needs an index.html");
  });
});
