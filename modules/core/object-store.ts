import { ICertificate } from "./certificate";
import { IDnsZone } from "./dns";
import { IComputePool } from "./compute";
import { IAliasTarget, SecretRef, StatefulTierProps } from "./tier";

/** A private bucket served only through a CDN on its own host name. */
export interface ObjectStoreProps extends StatefulTierProps {
  /** What Django keeps there: user uploads (`media`) or collected static files (`static`). */
  readonly purpose: "media" | "static";
  /** The CDN's host name, e.g. `media.example.com`. */
  readonly cdnDomain: string;
  /** The zone that holds `cdnDomain`. */
  readonly zone: IDnsZone;
  /** A CDN certificate covering `cdnDomain`. */
  readonly certificate: ICertificate;
  /** Origins allowed to fetch across origins (fonts, uploads), e.g. `https://example.com`. @default [] */
  readonly corsOrigins?: readonly string[];
  /** Days a replaced or deleted object's old version is kept. @default 30 */
  readonly noncurrentVersionDays?: number;
}

/** A bucket and its CDN. */
export interface IObjectStoreCdn {
  readonly purpose: "media" | "static";
  /** The bucket's name. */
  readonly bucketName: string;
  /** The cloud region the bucket lives in. */
  readonly region: string;
  /** The S3-compatible API endpoint clients (django-storages) use. */
  readonly endpointUrl: string;
  /** The CDN's host name. */
  readonly cdnDomain: string;
  /**
   * The ACL new objects need: `private` where the CDN reads the bucket with its own
   * identity (origin access control), `public-read` where the cloud's CDN reads objects
   * anonymously.
   */
  readonly objectAcl: "private" | "public-read";
  /**
   * Keys the application signs its requests with, where hosts have no identity of their
   * own to grant access to.
   * @default - none: `grantReadWrite` gives hosts access through their identity
   */
  readonly accessKey?: { readonly id: string; readonly secret: SecretRef };
  /** Lets the pool's hosts read, write and delete objects. */
  grantReadWrite(pool: IComputePool): void;
}

/** A static site served by the CDN from its own private bucket: the maintenance page. */
export interface StaticSiteProps extends StatefulTierProps {
  /** The host name it answers for (the site's own name: it stands in during failover). */
  readonly domain: string;
  /** The zone that holds `domain`. */
  readonly zone: IDnsZone;
  /** A CDN certificate covering `domain`. */
  readonly certificate: ICertificate;
  /** Files to serve, by path, e.g. `{ "index.html": "<html>..." }`. `index.html` is required. */
  readonly files: Readonly<Record<string, string>>;
  /**
   * The whole site is behind the CDN (`cdn.site`): the pages are the site distribution's own
   * answer to its origin's errors, under `MAINTENANCE_PATH` of the site's name, with no name
   * or distribution of their own. Cloudflare's maintenance Worker answers at the site's name
   * always, so this changes nothing there.
   * @default false
   */
  readonly servedBySite?: boolean;
}

/** Where the maintenance pages live under the site's own name when the site distribution serves them (`StaticSiteProps.servedBySite`); the application cannot use the path. */
export const MAINTENANCE_PATH = "/_maintenance/";

/** A static site; DNS failover points at it. */
export interface IStaticSite extends IAliasTarget {
  readonly domain: string;
}
