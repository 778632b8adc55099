import { ICertificate } from "./certificate";
import { IAliasTarget, StatefulTierProps, TierProps } from "./tier";

/** A DNS zone that holds the site's records. */
export interface DnsZoneProps extends StatefulTierProps {
  /** The zone's name, e.g. `example.com`. */
  readonly zoneName: string;
  /**
   * Create and own the zone. When false, the zone must already exist and is looked up.
   * @default false
   */
  readonly create?: boolean;
}

/** A DNS zone. */
export interface IDnsZone {
  /** The zone's name, e.g. `example.com`. */
  readonly zoneName: string;
}

/** The site's public name: a plain record, or a health-checked failover pair. */
export interface DnsFailoverProps extends TierProps {
  /** The zone that holds the record. */
  readonly zone: IDnsZone;
  /** The site's host name, e.g. `www.example.com`. */
  readonly recordName: string;
  /** Where the name points while healthy: the public load balancer, checked on its port. */
  readonly primary: IAliasTarget & { readonly port: number };
  /** The path the health check requests over HTTPS, e.g. `/healthz`. */
  readonly healthCheckPath: string;
  /**
   * Where the name points while the primary is unhealthy: the static maintenance site.
   * @default - no failover: a plain record to the primary, no health check
   */
  readonly secondary?: IAliasTarget;
  /**
   * The whole site behind the CDN (`cdn.site`): the name is the CDN's, which reaches the
   * primary over HTTPS and passes dynamic requests through uncached; the secondary's pages
   * answer for the primary's failures at the CDN, per request, instead of a DNS switch.
   * Cloudflare proxies every site's name already: this changes nothing there.
   * @default - the name points at the primary
   */
  readonly cdn?: {
    /** A CDN certificate covering `recordName`. */
    readonly certificate: ICertificate;
  };
}

/** The site's public DNS name. */
export interface IDnsFailover {
  /** The site's host name. */
  readonly recordName: string;
  /** Whether a health check moves traffic to a secondary. */
  readonly failover: boolean;
}
