/**
 * The README's table of the shipped environments, drawn from their specs, so changing an
 * environment changes the table with it (`npm run docs:environments` rewrites it between
 * its two markers; a test holds the README to it).
 */
import { AWS_DEFAULTS } from "../../modules/aws/settings";
import { DEFAULTS } from "../../modules/core";
import { PoolSpec, failoverOn, separateAppTier } from "../../modules/django/spec";
import { poolRoles } from "../../modules/django/topology";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { withMarkedBlock } from "./marked-block";

export const SHIPPED_TABLE_START = "<!-- the shipped environments: written by npm run docs:environments from environments/ -->";
export const SHIPPED_TABLE_END = "<!-- end of the shipped environments -->";

const NONE = "–";
const range = (p?: PoolSpec) => (p === undefined ? NONE : p.min === p.max ? `${p.min}` : `${p.min}-${p.max}`);

/** One row per fact, one column per environment. */
const ROWS: readonly [string, (e: EnvironmentSpec) => string][] = [
  ["layout", (e) => e.layout ?? DEFAULTS.layout],
  ["zones / AWS NAT", (e) => `${e.network?.zones ?? DEFAULTS.network.zones} / ${e.aws ? (e.aws.natGateways ?? AWS_DEFAULTS.natGateways) : NONE}`],
  ["web / app / worker hosts", (e) => `${range(e.pools.web)} / ${range(separateAppTier(e.layout ?? "colocated") ? e.pools.app : undefined)} / ${range(e.pools.worker)}${poolRoles(e).includes("beat") ? " + beat" : " (no beat)"}`],
  [
    "PostgreSQL",
    (e) => `${e.postgres.size}, ${e.postgres.highAvailability ? "standby" : "no standby"}, ${e.postgres.replicas} replica${e.postgres.replicas === 1 ? "" : "s"}${e.postgres.pooling ? ", pooler" : ""}`,
  ],
  ["Valkey", (e) => `${e.cache.size}${e.cache.highAvailability ? ", replica + failover" : ""}`],
  ["DNS failover", (e) => (failoverOn(e) ? "maintenance page" : NONE)],
  ["deletion protection", (e) => ((e.deletionProtection ?? DEFAULTS.deletionProtection) ? "on" : "off")],
  ["clouds", (e) => [e.aws ? `AWS ${e.aws.region}` : "", e.digitalocean ? `DigitalOcean ${e.digitalocean.region}` : ""].filter(Boolean).join(", ")],
  [
    "DigitalOcean extras",
    (e) =>
      [e.digitalocean?.disasterRecoveryRegion ? `DR replica in \`${e.digitalocean.disasterRecoveryRegion}\`` : "", e.cloudflare?.manageZoneSettings ? "manages the zone's TLS settings" : ""]
        .filter(Boolean)
        .join("; ") || NONE,
  ],
];

/** The table, with its markers. */
export function shippedEnvironmentsTable(environments: readonly EnvironmentSpec[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [
    SHIPPED_TABLE_START,
    line(["", ...environments.map((e) => e.environment)]),
    line(["---", ...environments.map(() => "---")]),
    ...ROWS.map(([name, cell]) => line([name, ...environments.map(cell)])),
    SHIPPED_TABLE_END,
  ].join("\n");
}

/** `readme` with its table replaced by `table`; throws when the markers are missing. */
export const withShippedTable = (readme: string, table: string): string => withMarkedBlock(readme, "README.md", SHIPPED_TABLE_START, SHIPPED_TABLE_END, table);
