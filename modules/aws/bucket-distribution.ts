import { Construct } from "constructs";
import { CloudfrontDistribution, CloudfrontDistributionCustomErrorResponse, CloudfrontDistributionOrigin } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { CloudfrontOriginAccessControl } from "@cdktf/provider-aws/lib/cloudfront-origin-access-control";
import { CloudfrontResponseHeadersPolicy } from "@cdktf/provider-aws/lib/cloudfront-response-headers-policy";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketCorsConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-cors-configuration";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Fn, Op, TerraformCount } from "cdktf";
import { fitText, isReference, optional } from "../core";
import { bucketLifecycle } from "../naming/bucket-name";
import { policyDocument } from "./shared";

/** AWS managed cache policy `Managed-CachingOptimized`. */
export const CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6";
/** AWS managed origin request policy `Managed-CORS-S3Origin`. */
export const CORS_S3_ORIGIN = "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf";
/** AWS managed response headers policy `Managed-SecurityHeadersPolicy`. */
export const SECURITY_HEADERS = "67f7725c-6f97-4210-82d7-5512b31e9d03";
/** The lowest TLS version CloudFront accepts from viewers. */
export const CLOUDFRONT_TLS_POLICY = "TLSv1.2_2021";

export interface BucketDistributionProps {
  readonly bucketName: string;
  /** Empty the bucket on destroy (never with deletion protection). */
  readonly forceDestroy: boolean;
  readonly preventDestroy: boolean;
  /** Days an old object version is kept. */
  readonly noncurrentVersionDays: number;
  /** Origins allowed cross-origin GETs (and their preflights). */
  readonly corsOrigins: readonly string[];
  /**
   * The bucket's own distribution. Absent: another distribution reads it (the site's, when
   * the whole site is behind CloudFront), which calls `allowReadsBy`.
   */
  readonly distribution?: OwnDistributionProps;
}

export interface OwnDistributionProps {
  /** Host names the distribution answers for. */
  readonly aliases: readonly string[];
  /** Validated us-east-1 ACM certificate ARN covering `aliases`. */
  readonly certificateArn: string;
  readonly priceClass: string;
  readonly comment: string;
  /** Answers for origin errors (the maintenance page turns every miss into a 503 page). @default [] */
  readonly errorResponses?: readonly CloudfrontDistributionCustomErrorResponse[];
}

/**
 * A private S3 bucket (public access blocked, owner-enforced, SSE-S3 with bucket keys,
 * versioned, old versions expired, TLS-only policy) that only one CloudFront
 * distribution may read, through origin access control; viewers are redirected to HTTPS
 * with TLS 1.2 or newer. Shared by object stores and the maintenance site.
 */
export class BucketDistribution extends Construct {
  public readonly bucket: S3Bucket;
  private accessControl?: CloudfrontOriginAccessControl;
  /** Absent when another distribution reads the bucket (`BucketDistributionProps.distribution`). */
  public readonly distribution?: CloudfrontDistribution;

  constructor(scope: Construct, id: string, props: BucketDistributionProps) {
    super(scope, id);
    this.bucket = new S3Bucket(this, "bucket", {
      bucket: props.bucketName,
      forceDestroy: props.forceDestroy,
      tags: { Name: props.bucketName },
      lifecycle: bucketLifecycle(props.preventDestroy, "bucket"),
    });
    const bucket = this.bucket.id;
    new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
    });
    new S3BucketVersioningA(this, "versioning", { bucket, versioningConfiguration: { status: "Enabled" } });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket,
      rule: [
        {
          id: "expire-old-versions",
          status: "Enabled",
          filter: [{}],
          noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
    // CORS only for the origins given: resources made at synth for a literal list, counted by Terraform for a reference.
    // (`>= 1`, not `> 0`: cdktf renders a literal 0 operand as `undefined`.)
    const withCors = isReference(props.corsOrigins) ? (Op.gte(Fn.lengthOf(props.corsOrigins), 1) as unknown as boolean) : props.corsOrigins.length > 0;
    optional(withCors, (meta) =>
      new S3BucketCorsConfiguration(this, "cors", {
        ...meta,
        bucket,
        corsRule: [{ allowedMethods: ["GET", "HEAD"], allowedOrigins: [...props.corsOrigins], allowedHeaders: ["*"], maxAgeSeconds: 3600 }],
      }),
    );
    const own = props.distribution;
    if (!own) return;
    const corsHeaders = optional(withCors, (meta) => this.corsAndSecurityHeaders(props, meta));
    const responseHeaders = isReference(withCors) ? Fn.coalesce([Fn.one(corsHeaders.all("id")), SECURITY_HEADERS]) : (corsHeaders.constructs[0]?.id ?? SECURITY_HEADERS);
    const originId = "bucket";
    this.distribution = new CloudfrontDistribution(this, "distribution", {
      enabled: true,
      comment: own.comment,
      aliases: [...own.aliases],
      isIpv6Enabled: true,
      httpVersion: "http2and3",
      priceClass: own.priceClass,
      origin: [this.origin(originId)],
      defaultCacheBehavior: {
        targetOriginId: originId,
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: ["GET", "HEAD", "OPTIONS"],
        cachedMethods: ["GET", "HEAD"],
        compress: true,
        cachePolicyId: CACHING_OPTIMIZED,
        originRequestPolicyId: CORS_S3_ORIGIN,
        responseHeadersPolicyId: responseHeaders,
      },
      customErrorResponse: own.errorResponses ? [...own.errorResponses] : undefined,
      restrictions: { geoRestriction: { restrictionType: "none" } },
      viewerCertificate: {
        acmCertificateArn: own.certificateArn,
        sslSupportMethod: "sni-only",
        minimumProtocolVersion: CLOUDFRONT_TLS_POLICY,
      },
      tags: { Name: this.bucket.bucket },
    });
    this.allowReadsBy(this.distribution);
  }

  /**
   * The bucket as a distribution's origin, signed through origin access control (made
   * once, on first use).
   */
  public origin(originId: string): CloudfrontDistributionOrigin {
    this.accessControl ??= new CloudfrontOriginAccessControl(this, "origin-access-control", {
      name: this.bucket.bucket,
      description: `CloudFront reads ${this.bucket.bucket}`,
      originAccessControlOriginType: "s3",
      signingBehavior: "always",
      signingProtocol: "sigv4",
    });
    return { originId, domainName: this.bucket.bucketRegionalDomainName, originAccessControlId: this.accessControl.id };
  }


  /**
   * CORS headers added by CloudFront on every response, cached or not, for the allowed
   * origins only (S3's own CORS answer would be cached for whichever origin asked
   * first), plus the security headers of AWS's managed SecurityHeadersPolicy.
   */
  private corsAndSecurityHeaders(props: BucketDistributionProps, meta: { count?: TerraformCount }): CloudfrontResponseHeadersPolicy {
    const origins = isReference(props.corsOrigins) ? Fn.join(", ", [...props.corsOrigins]) : props.corsOrigins.join(", ");
    return new CloudfrontResponseHeadersPolicy(this, "response-headers", {
      ...meta,
      name: this.bucket.bucket,
      // The origins are the spec's domains: a long one is cut here rather than the spec refused.
      comment: fitText("aws_cloudfront_response_headers_policy.comment", `CORS for ${origins}, and security headers`),
      corsConfig: {
        accessControlAllowCredentials: false,
        accessControlAllowHeaders: { items: ["*"] },
        accessControlAllowMethods: { items: ["GET", "HEAD", "OPTIONS"] },
        accessControlAllowOrigins: { items: [...props.corsOrigins] },
        accessControlMaxAgeSec: 3600,
        originOverride: true,
      },
      securityHeadersConfig: {
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: "SAMEORIGIN", override: false },
        referrerPolicy: { referrerPolicy: "strict-origin-when-cross-origin", override: false },
        strictTransportSecurity: { accessControlMaxAgeSec: 31536000, override: false },
      },
    });
  }

  /** Only `distribution` reads objects, and nothing reaches the bucket without TLS (once per bucket). */
  public allowReadsBy(distribution: CloudfrontDistribution): void {
    new S3BucketPolicy(this, "policy", {
      bucket: this.bucket.id,
      policy: policyDocument([
        {
          Sid: "CloudFrontReads",
          Effect: "Allow",
          Principal: { Service: "cloudfront.amazonaws.com" },
          Action: "s3:GetObject",
          Resource: `${this.bucket.arn}/*`,
          Condition: { StringEquals: { "AWS:SourceArn": distribution.arn } },
        },
        {
          Sid: "TlsOnly",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]),
    });
  }
}
