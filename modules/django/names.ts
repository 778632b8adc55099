import { SpecValidator, isDomainName } from "../core";
import { DjangoTopologyProps, failoverOn } from "./spec";

/** A host name an environment answers for, with the field it comes from. */
export interface SiteName {
  /** The spec's field, e.g. `cdn.mediaDomain`. */
  readonly path: string;
  readonly name: string;
  /** What answers for it, in words: `the site's name (domain)`, `the media CDN's name (cdn.mediaDomain, by default "media.<domain>")`. */
  readonly what: string;
}

/**
 * The host names a spec's stacks answer for: the site (and, with failover, its maintenance
 * site, which stands in under the same name), the media CDN and the static CDN, defaults
 * included. Names that are not domain names are left out: their own rules report them.
 */
export function siteNames(spec: Pick<DjangoTopologyProps, "domain" | "cdn" | "failover">): SiteName[] {
  if (!isDomainName(spec?.domain)) return [];
  const names: SiteName[] = [
    { path: "domain", name: spec.domain, what: failoverOn(spec) ? "the site's and its maintenance site's name (domain)" : "the site's name (domain)" },
  ];
  for (const [key, kind, label] of [["mediaDomain", "media", "media"], ["staticDomain", "static", "static"]] as const) {
    const given = spec.cdn?.[key];
    if (given === undefined) names.push({ path: `cdn.${key}`, name: `${kind}.${spec.domain}`, what: `the ${label} CDN's name (cdn.${key}, by default "${kind}.<domain>")` });
    else if (isDomainName(given)) names.push({ path: `cdn.${key}`, name: given, what: `the ${label} CDN's name (cdn.${key})` });
  }
  return names;
}

/** Within one environment: the site, its maintenance site, the media CDN and the static CDN each answer for a name of their own. */
export function validateSiteNames(v: SpecValidator, spec: DjangoTopologyProps): void {
  const names = siteNames(spec);
  names.forEach((n, i) => {
    const first = names.findIndex((m) => m.name === n.name);
    if (first < i) v.fail(n.path, `is "${n.name}", which is already ${names[first].what}: the site, the media CDN and the static CDN each need a name of their own`);
  });
}
