import { Construct } from "constructs";
import { S3Object } from "@cdktf/provider-aws/lib/s3-object";
import { IStaticSite, MAINTENANCE_PATH, StaticSiteProps, addressAt, isReference, negate, terraformLiteral, terraformTemplate } from "../core";
import { BucketDistribution } from "./bucket-distribution";
import { awsCertificateOf } from "./certificate";
import { uniqueBucketName } from "../naming/bucket-name";
import { IAwsAliasTarget } from "./shared";

export interface AwsStaticSiteProps extends StaticSiteProps {
  readonly priceClass: string;
}

function contentType(path: string): string {
  if (path.endsWith(".html")) return "text/html; charset=utf-8";
  if (path.endsWith(".css")) return "text/css; charset=utf-8";
  if (path.endsWith(".svg")) return "image/svg+xml";
  return "text/plain; charset=utf-8";
}

/**
 * The maintenance site: its own private bucket with the pages uploaded as objects, and a
 * CloudFront distribution answering for the site's own name. Every path that is not a
 * page, `/` included, gets `index.html` with status 503, so browsers, monitors and
 * crawlers see an outage. Served by the site's distribution (`servedBySite`): the bucket
 * alone, the pages under `MAINTENANCE_PATH`, which that distribution reads.
 */
export class AwsStaticSite extends Construct implements IStaticSite, IAwsAliasTarget {
  public readonly domain: string;
  public readonly site: BucketDistribution;
  /** The pages' path under the site's name when the site distribution serves them; `/` otherwise. */
  public readonly pagesPath: string;
  /**
   * Served by the site: the address the pages' own distribution had. A live site that turns
   * `cdn.site` on moves that distribution's state to the site's, which then updates in
   * place: it holds the site's name, which CloudFront lets no second distribution take
   * (`CNAMEAlreadyExists`), and the bucket's policy already names its ARN.
   */
  public readonly replacedDistribution?: string;

  constructor(scope: Construct, id: string, props: AwsStaticSiteProps) {
    super(scope, id);
    if (!("index.html" in props.files)) throw new Error("a static site needs an index.html");
    const certificate = awsCertificateOf(props.certificate);
    this.domain = props.domain;
    const unavailable = (errorCode: number) => ({ errorCode, responseCode: 503, responsePagePath: "/index.html", errorCachingMinTtl: 10 });
    this.pagesPath = props.servedBySite ? MAINTENANCE_PATH : "/";
    this.site = new BucketDistribution(this, "site", {
      bucketName: uniqueBucketName(this, props.namePrefix, "maintenance", props.deletionProtection),
      forceDestroy: negate(props.deletionProtection),
      preventDestroy: props.deletionProtection,
      noncurrentVersionDays: 7,
      corsOrigins: [],
      distribution: props.servedBySite
        ? undefined
        : {
            aliases: [props.domain],
            certificateArn: certificate.arn,
            priceClass: props.priceClass,
            comment: `${props.namePrefix} maintenance page`,
            // No default root object: "/" must be a miss like every other path, or monitors and
            // crawlers get the page with a 200 during an outage. CloudFront asks the bucket for its
            // root, which CloudFront may not list (the policy grants s3:GetObject only), so S3
            // answers 403 and the error response serves the page with a 503.
            errorResponses: [unavailable(403), unavailable(404)],
          },
    });
    if (props.servedBySite) this.replacedDistribution = addressAt(this.site, "distribution", "aws_cloudfront_distribution");
    for (const [path, body] of Object.entries(props.files).sort(([a], [b]) => a.localeCompare(b))) {
      new S3Object(this, `file-${path.replace(/[^a-z0-9]+/gi, "-")}`, {
        bucket: this.site.bucket.id,
        key: `${this.pagesPath.slice(1)}${path}`,
        // A page may be a reference (a module's heredoc local): its interpolations stay.
        content: isReference(body) ? terraformTemplate(body) : terraformLiteral(body),
        contentType: contentType(path),
        cacheControl: "no-cache",
      });
    }
  }

  public get hostname(): string {
    return this.ownDistribution().domainName;
  }

  public get aliasZoneId(): string {
    return this.ownDistribution().hostedZoneId;
  }

  private ownDistribution() {
    if (!this.site.distribution) throw new Error(`the maintenance pages of ${this.domain} are served by the site's distribution, under ${this.pagesPath}: they have no name to alias`);
    return this.site.distribution;
  }
}
