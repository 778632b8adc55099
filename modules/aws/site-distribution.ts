import { Construct } from "constructs";
import { CloudfrontDistribution } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { AwsLoadBalancer } from "./load-balancer";
import { AwsStaticSite } from "./static-site";
import { CACHING_OPTIMIZED, CLOUDFRONT_TLS_POLICY } from "./bucket-distribution";

/** AWS managed cache policy `Managed-CachingDisabled`: nothing cached, nothing in a cache key. */
export const CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
/** AWS managed origin request policy `Managed-AllViewer`: every viewer header (`Host` too), cookie and query string goes to the origin. */
export const ALL_VIEWER = "216adef6-5c7f-47e4-b989-5492eafa07d3";

/** Every method: Django's forms post, its APIs put, patch and delete. */
const ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"];

/**
 * What the load balancer's failures become: the maintenance page with a 503, for 502 (no
 * answer the load balancer could use, or none from it), 503 (no healthy host) and 504 (a
 * timeout: nginx's, the load balancer's, or CloudFront's own when the load balancer does
 * not answer). Django's own 500 passes as it is; its own 503 or an nginx 504 of one slow view
 * gets the page too. How long an edge keeps answering with the page before it asks again:
 * not at all for 502 and 503, which the load balancer gives at once, so one failed request
 * never stands for others; 10 s for 504, so an unreachable origin costs one slow request
 * (two 5 s connection attempts) per edge every 10 s, not every viewer's.
 */
export const FAILOVER_STATUSES = { 502: 0, 503: 0, 504: 10 } as const;

/**
 * CloudFront's patience with the load balancer: two connection attempts of 5 s each (the
 * default, 3 × 10 s, would hold a viewer 30 s before the maintenance page), 60 s for an
 * answer (CloudFront's most without a quota increase), longer than nginx waits for gunicorn
 * (`NGINX_READ_TIMEOUT_SECONDS`): a slow view ends in nginx's 504, never in CloudFront's
 * timeout, after which CloudFront would send a GET again (as many times as it tries to
 * connect); keep-alive connections idle 5 s, under the load balancer's idle timeout.
 */
export const ORIGIN_TIMEOUTS = { connectionAttempts: 2, connectionTimeout: 5, originReadTimeout: 60, originKeepaliveTimeout: 5 } as const;

export interface SiteDistributionProps {
  readonly namePrefix: string;
  /** The site's name. */
  readonly domain: string;
  /** A us-east-1 certificate covering `domain`. */
  readonly certificateArn: string;
  readonly priceClass: string;
  /** The public load balancer, made `behindCdn`. */
  readonly loadBalancer: AwsLoadBalancer;
  /** The maintenance pages, made `servedBySite`. @default - origin errors reach viewers as they are */
  readonly maintenance?: AwsStaticSite;
}

/**
 * The whole site on CloudFront (seed 004): one distribution answering for the site's name,
 * passing every request to the public load balancer over HTTPS, uncached, with everything
 * the viewer sent (headers, `Host` among them, cookies and query string: Django's sessions,
 * CSRF and `ALLOWED_HOSTS` see what they see without a CDN), and the load balancer's secret
 * header. With the maintenance pages, CloudFront is the failover: they answer for the load
 * balancer's 502, 503 and 504, per request, for every method, instead of a DNS switch (two
 * distributions cannot both answer for the site's name, and an origin group fails over GET,
 * HEAD and OPTIONS only).
 */
export class SiteDistribution extends Construct {
  public readonly distribution: CloudfrontDistribution;
  public readonly loadBalancer: AwsLoadBalancer;

  constructor(scope: Construct, id: string, props: SiteDistributionProps) {
    super(scope, id);
    const lb = props.loadBalancer;
    this.loadBalancer = lb;
    if (!lb.originHeader) throw new Error("the site's distribution needs a public load balancer made behindCdn (it holds the origin's secret header)");
    const pages = props.maintenance;
    const origin = "load-balancer";
    const maintenance = "maintenance";
    const { connectionAttempts, connectionTimeout, ...customTimeouts } = ORIGIN_TIMEOUTS;
    this.distribution = new CloudfrontDistribution(this, "distribution", {
      enabled: true,
      comment: `${props.namePrefix} site`,
      aliases: [props.domain],
      isIpv6Enabled: true,
      httpVersion: "http2and3",
      priceClass: props.priceClass,
      origin: [
        {
          originId: origin,
          // The load balancer's own name: CloudFront checks its certificate against the Host
          // header it forwards (the site's name, which the certificate covers).
          domainName: lb.hostname,
          connectionAttempts,
          connectionTimeout,
          customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"], ...customTimeouts },
          customHeader: [{ name: lb.originHeader.name, value: lb.originHeader.value }],
        },
        ...(pages ? [pages.site.origin(maintenance)] : []),
      ],
      defaultCacheBehavior: {
        targetOriginId: origin,
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: ALL_METHODS,
        cachedMethods: ["GET", "HEAD"],
        // nginx compresses (the viewer's Accept-Encoding reaches it); CloudFront compresses only what it caches.
        compress: false,
        cachePolicyId: CACHING_DISABLED,
        originRequestPolicyId: ALL_VIEWER,
      },
      orderedCacheBehavior: pages
        ? [
            {
              pathPattern: `${pages.pagesPath}*`,
              targetOriginId: maintenance,
              viewerProtocolPolicy: "redirect-to-https",
              allowedMethods: ["GET", "HEAD"],
              cachedMethods: ["GET", "HEAD"],
              compress: true,
              cachePolicyId: CACHING_OPTIMIZED,
            },
          ]
        : undefined,
      customErrorResponse: pages
        ? Object.entries(FAILOVER_STATUSES).map(([status, cached]) => ({ errorCode: Number(status), responseCode: 503, responsePagePath: `${pages.pagesPath}index.html`, errorCachingMinTtl: cached }))
        : undefined,
      restrictions: { geoRestriction: { restrictionType: "none" } },
      viewerCertificate: { acmCertificateArn: props.certificateArn, sslSupportMethod: "sni-only", minimumProtocolVersion: CLOUDFRONT_TLS_POLICY },
      tags: { Name: `${props.namePrefix}-site` },
    });
    if (pages?.replacedDistribution) this.distribution.moveFromId(pages.replacedDistribution);
    pages?.site.allowReadsBy(this.distribution);
  }
}
