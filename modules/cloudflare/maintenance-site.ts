import { IAliasTarget, IStaticSite, StaticSiteProps } from "../core";

export interface MaintenanceSiteProps extends Pick<StaticSiteProps, "domain" | "files"> {
  /**
   * The files hold references (a module's variables), which Terraform writes into the
   * Worker's source. Otherwise every character of them is data, never a reference.
   * @default false
   */
  readonly references?: boolean;
}

/**
 * The maintenance page on Cloudflare: nothing of its own. The site's edge Worker (made
 * with the failover, `CloudflareDnsFailover`) serves it on the site's own name, with a
 * 503, whenever the origin gives no answer of its own. Spaces cannot serve it: it has no
 * index documents, and a load balancer's fallback pool cannot point at a name Cloudflare
 * proxies, which is the only kind a Worker answers on.
 */
export class MaintenanceSite implements IStaticSite {
  public readonly domain: string;
  /** The name it answers for: the site's own (it stands in on the same name). */
  public readonly hostname: string;
  public readonly files: Readonly<Record<string, string>>;
  public readonly references: boolean;

  constructor(props: MaintenanceSiteProps) {
    if (!Object.hasOwn(props.files, "index.html")) throw new Error("a static site needs an index.html");
    this.domain = props.domain;
    this.hostname = props.domain;
    this.files = props.files;
    this.references = props.references ?? false;
  }
}

/** The maintenance page a failover falls back to: one of {@link MaintenanceSite}'s, or an error naming what was given. */
export function maintenancePageOf(target: IAliasTarget): MaintenanceSite {
  if (target instanceof MaintenanceSite) return target;
  throw new Error(`Cloudflare fails over only to a maintenance page made by this factory's createStaticSite, served by the site's edge Worker; got "${target.hostname}"`);
}
