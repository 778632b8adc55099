import { DEFAULTS, ValidationIssue, cidrRange, isIpv4Cidr, rangesOverlap } from "../core";
import { siteNames } from "../django/names";
import { soundPrefix } from "../naming/derived";
import { EnvironmentSpec } from "./spec";

/**
 * What two environments of one app may not share, each refused on the later environment
 * with the earlier one named: the resource name prefix (`<application>-<environment>`,
 * compared as derived, not field by field), a host name (site, maintenance site, CDN), a
 * hosted zone both create, and overlapping DigitalOcean VPC blocks in one region.
 * Environments with one name are left to the rule on names.
 */
export function validateCollisions(environments: readonly EnvironmentSpec[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const specs = environments.filter((s) => typeof s === "object" && s !== null && typeof s.environment === "string");
  // What the environments before this one hold, indexed (so that many environments cost
  // little more than a few: synth time is benchmarked with 400); the first holder is named.
  const prefixes = new Map<string, EnvironmentSpec>();
  const hostNames = new Map<string, { spec: EnvironmentSpec; what: string }>();
  const zoneCreators = new Map<string, EnvironmentSpec>();
  const vpcsByRegion = new Map<string, { spec: EnvironmentSpec; cidr: string; range: [number, number] }[]>();
  const other = (e: EnvironmentSpec | undefined, spec: EnvironmentSpec) => (e && e.environment !== spec.environment ? e : undefined);
  for (const spec of specs) {
    const fail = (path: string, message: string) => issues.push({ environment: spec.environment, path, message });

    const prefix = soundPrefix(spec);
    const samePrefix = prefix !== undefined ? other(prefixes.get(prefix), spec) : undefined;
    if (samePrefix) {
      fail(
        "application.name",
        `"${spec.application.name}" and environment "${spec.environment}" give the resource name prefix "${prefix}", as application.name "${samePrefix.application.name}" and environment "${samePrefix.environment}" do: every environment needs a prefix of its own`,
      );
    }

    const names = siteNames(spec);
    for (const name of names) {
      const theirs = hostNames.get(name.name);
      if (theirs && other(theirs.spec, spec)) fail(name.path, `is "${name.name}", which environment "${theirs.spec.environment}" also uses, as ${theirs.what}: each host name belongs to one environment`);
    }

    const creates = spec.createDnsZone === true && spec.aws !== undefined && typeof spec.dnsZone === "string";
    const creator = creates ? other(zoneCreators.get(spec.dnsZone), spec) : undefined;
    if (creator) {
      fail(
        "createDnsZone",
        `is true for the hosted zone "${spec.dnsZone}", which environment "${creator.environment}" creates too: one stack creates a zone, the others look it up (createDnsZone false) or name it in aws.hostedZoneId`,
      );
    }

    const cidr = spec.network?.cidr ?? DEFAULTS.network.cidr;
    const region = spec.digitalocean?.region;
    const vpc = region !== undefined && isIpv4Cidr(cidr) ? { spec, cidr, range: cidrRange(cidr) } : undefined;
    if (region !== undefined && vpc !== undefined) {
      for (const e of vpcsByRegion.get(region) ?? []) {
        if (!other(e.spec, spec) || !rangesOverlap(vpc.range, e.range)) continue;
        fail(
          "network.cidr",
          `${shown(spec, cidr)} overlaps environment "${e.spec.environment}"'s ${shown(e.spec, e.cidr)} in DigitalOcean region "${region}", where VPC ranges may not overlap: give one of them a block of its own`,
        );
      }
    }

    // This environment's, for those after it.
    if (prefix !== undefined && !prefixes.has(prefix)) prefixes.set(prefix, spec);
    for (const name of names) if (!hostNames.has(name.name)) hostNames.set(name.name, { spec, what: name.what });
    if (creates && !zoneCreators.has(spec.dnsZone)) zoneCreators.set(spec.dnsZone, spec);
    if (region !== undefined && vpc !== undefined) {
      const inRegion = vpcsByRegion.get(region);
      if (inRegion) inRegion.push(vpc);
      else vpcsByRegion.set(region, [vpc]);
    }
  }
  return issues;
}

function shown(spec: EnvironmentSpec, cidr: string): string {
  return spec.network?.cidr === undefined ? `"${cidr}" (the default)` : `"${cidr}"`;
}

/** A stack and where its name comes from, for the rule that no two stacks of an app share a name. */
export interface NamedStack {
  readonly name: string;
  /** The environment to report, and the field its name comes from. */
  readonly environment: string;
  readonly path: string;
  /** What the stack is, in words: `the AWS stack of environment "x"`, `the Terraform Cloud bootstrap stack of organization "acme"`. */
  readonly what: string;
}

/**
 * No two stacks share a name: cdktf would stop with a stack trace of its own on the second
 * (`There is already a Construct with name ...`), e.g. an environment `terraform-cloud-acme`
 * whose AWS stack is the bootstrap stack of an organization `acme-aws`.
 */
export function validateStackNames(stacks: readonly NamedStack[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  // The first stack of each name, indexed: an app of hundreds of stacks is benchmarked.
  const first = new Map<string, NamedStack>();
  for (const s of stacks) {
    const key = s.name.toLowerCase();
    const earlier = first.get(key);
    if (earlier) issues.push({ environment: s.environment, path: s.path, message: `gives ${s.what} the name "${s.name}", the name of ${earlier.what} too: every stack needs a name of its own` });
    else first.set(key, s);
  }
  return issues;
}
