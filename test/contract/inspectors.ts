import type { AlarmCondition, FirewallProtection } from "../../modules/core";
import type { CloudAdapter } from "../../modules/stacks/clouds";
import { cloudPart } from "../../tools/cloud-parts";
import { Config, Synth } from "../helpers";

/**
 * Reads a synthesised stack of one cloud in neutral terms, so one contract can hold every
 * cloud to the same capabilities. Each registered cloud has one, found by its file's name.
 */
export interface CloudInspector {
  /** The pool of `role`'s bounds. */
  poolBounds(s: Synth, role: string): { min: number; max: number };
  /** The health path of the load balancer in front of `role`'s pool, if any. */
  poolHealthPath(s: Synth, role: string): string | undefined;
  /** Whether the public load balancer serves HTTPS and sends HTTP there permanently. */
  redirectsHttpToHttps(s: Synth): boolean;
  /** How many read replicas replicate the primary. */
  replicasOfPrimary(s: Synth): number;
  /**
   * The disaster-recovery replica, read from its resources: the region it is in, whether it
   * follows the primary, is encrypted at rest, and is kept from destruction; undefined without one.
   */
  disasterRecovery(s: Synth): { region: string; followsPrimary: boolean; encrypted: boolean; protected: boolean } | undefined;
  /** Whether a pooler sits in front of the primary and is the app's write endpoint. */
  poolerFrontsPrimary(s: Synth): boolean;
  /** What the internet can reach: load balancers, CDN host names, maintenance sites; anything else under `other`. */
  publicEntryPoints(s: Synth): { loadBalancers: number; cdnNames: string[]; maintenanceSites: number; other: string[] };
  /**
   * The site's own name served by the CDN (the whole site behind it, seed 004): whether
   * dynamic requests pass uncached with the viewer's headers, cookies and query string, and
   * whether the load balancer admits the CDN alone; undefined when the name points at the
   * load balancer.
   */
  siteEdge(s: Synth): { name: string; uncached: boolean; viewerRequestPassed: boolean; originOnlyFromEdge: boolean } | undefined;
  /** While the origin is unhealthy: the site whose name a maintenance page answers for, if failover is on. */
  failoverTarget(s: Synth): { maintenanceFor: string } | undefined;
  /**
   * Every alarm, read from what it measures (its metric or alert type, never its name): the
   * neutral condition, its threshold in the spec's units (percent, milliseconds, seconds,
   * hosts, keys) and the email addresses it reaches.
   */
  alarms(s: Synth): { condition: AlarmCondition; threshold: number; emails: string[] }[];
  /**
   * What stands in front of the site's public entry, read from the firewall's rules: the
   * protections it runs, and the requests a minute one client may send (if it limits them).
   */
  firewall(s: Synth): { protections: FirewallProtection[]; requestsPerMinute?: number };
}

/** A nested block: an object in cdktf's JSON, a list of one in a parsed HCL file (a module's), as Terraform's JSON syntax writes it. */
export const block = (value: Config | Config[] | undefined): Config | undefined => (Array.isArray(value) ? value[0] : value);

/** The folder of each cloud's inspector: `test/contract/inspectors/<cloud id>.ts`, its `INSPECTOR`. */
export const INSPECTORS_FOLDER = "test/contract/inspectors";

/** The inspector of a registered cloud; a cloud without its file fails, naming it. */
export const inspectorOf = (cloud: CloudAdapter): CloudInspector => cloudPart(cloud, INSPECTORS_FOLDER, "INSPECTOR");
