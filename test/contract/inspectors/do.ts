import { CloudInspector, block } from "../inspectors";
import { Config, ref } from "../../helpers";
import { AlarmCondition, FirewallProtection } from "../../../modules/core";
import { MANAGED_RULESETS } from "../../../modules/cloudflare/firewall";

/** The neutral condition of each alert type, and how its value reads in the spec's units. */
const ALERT_TYPES: Record<string, { condition: AlarmCondition; scale?: number }> = {
  "v1/insights/lbaas/increase_in_http_error_rate_percentage_5xx": { condition: "error-rate" },
  "v1/insights/lbaas/high_http_request_response_time_95p": { condition: "latency-p95", scale: 1000 },
  "v1/insights/droplet/disk_utilization_percent": { condition: "host-disk" },
};
/** The dbaas types, which read as the database's or the cache's by the cluster they name. */
const DBAAS_TYPES: Record<string, [AlarmCondition, AlarmCondition | undefined]> = {
  "v1/dbaas/alerts/cpu_alerts": ["database-cpu", undefined],
  "v1/dbaas/alerts/disk_utilization_alerts": ["database-storage", undefined],
  "v1/dbaas/alerts/memory_utilization_alerts": ["database-memory", "cache-memory"],
};

/** Reads a DigitalOcean + Cloudflare stack (modules/digitalocean) in the contract's terms. */
export const INSPECTOR: CloudInspector = {
  firewall(s) {
    const rulesets = s.where("cloudflare_ruleset");
    const enabled = (phase: string) => rulesets.filter((r) => r.phase === phase).flatMap((r) => r.rules.filter((rule: Config) => rule.enabled !== false));
    const managed = enabled("http_request_firewall_managed").some((rule) => rule.action === "execute" && Object.values(MANAGED_RULESETS).includes(rule.action_parameters.id));
    const [limit] = enabled("http_ratelimit").filter((rule) => rule.action === "block" && rule.ratelimit.characteristics.includes("ip.src"));
    const protections: FirewallProtection[] = [...(managed ? (["common-attacks", "known-bad-inputs"] as const) : []), ...(limit ? (["rate-limit"] as const) : [])];
    return { protections: protections.sort(), requestsPerMinute: limit ? (limit.ratelimit.requests_per_period * 60) / limit.ratelimit.period : undefined };
  },
  alarms(s) {
    const clusters = s.resources("digitalocean_database_cluster");
    const isCache = (entities: string[]) => entities.every((e) => Object.entries(clusters).some(([id, c]) => c.engine === "valkey" && e === ref(`digitalocean_database_cluster.${id}`, "id")));
    const policies = s.where("digitalocean_monitor_alert").map((a) => {
      const dbaas = DBAAS_TYPES[a.type];
      const known = ALERT_TYPES[a.type];
      const condition = dbaas ? (isCache(a.entities) ? dbaas[1] : dbaas[0]) : known?.condition;
      return { condition: condition!, threshold: Math.round(a.value * (known?.scale ?? 1)), emails: [...a.alerts.email].sort() };
    });
    const uptime = s.where("digitalocean_uptime_alert").filter((u) => u.type === "down" || u.type === "down_global").map((u) => ({ condition: "site-down" as const, threshold: 0, emails: [...block(u.notifications)!.email].sort() }));
    return [...uptime, ...policies];
  },
  poolBounds(s, role) {
    const [, pool] = Object.entries(s.resources("digitalocean_droplet_autoscale")).find(([, p]) => p.name.endsWith(`-${role}`))!;
    const c = pool.config;
    return c.target_number_instances !== undefined ? { min: c.target_number_instances, max: c.target_number_instances } : { min: c.min_instances, max: c.max_instances };
  },
  poolHealthPath(s, role) {
    const [tagId] = Object.entries(s.resources("digitalocean_tag")).find(([, t]) => t.name.endsWith(`-${role}`))!;
    const lb = s.where("digitalocean_loadbalancer").find((l) => l.droplet_tag === ref(`digitalocean_tag.${tagId}`, "name"));
    return lb?.healthcheck.path;
  },
  redirectsHttpToHttps(s) {
    const lb = s.where("digitalocean_loadbalancer").find((l) => l.network === "EXTERNAL")!;
    return lb.redirect_http_to_https === true && lb.forwarding_rule.some((r: Config) => r.entry_port === 443 && r.entry_protocol === "https" && r.certificate_name);
  },
  replicasOfPrimary(s) {
    const [primaryId] = Object.entries(s.resources("digitalocean_database_cluster")).find(([, c]) => c.engine === "pg")!;
    // The disaster-recovery replica follows the primary too, but in another region and not for reads.
    return s.where("digitalocean_database_replica").filter((r) => r.cluster_id === ref(`digitalocean_database_cluster.${primaryId}`, "id") && !r.name.endsWith("-dr")).length;
  },
  disasterRecovery(s) {
    const [primaryId] = Object.entries(s.resources("digitalocean_database_cluster")).find(([, c]) => c.engine === "pg")!;
    const dr = s.where("digitalocean_database_replica").find((r) => r.name.endsWith("-dr"));
    if (!dr) return undefined;
    return {
      region: dr.region,
      followsPrimary: dr.cluster_id === ref(`digitalocean_database_cluster.${primaryId}`, "id"),
      // DigitalOcean encrypts every managed database's storage at rest; no setting turns it off.
      encrypted: true,
      // No deletion protection exists for a replica: prevent_destroy is what there is.
      protected: dr.lifecycle?.prevent_destroy === true,
    };
  },
  poolerFrontsPrimary(s) {
    const [primaryId] = Object.entries(s.resources("digitalocean_database_cluster")).find(([, c]) => c.engine === "pg")!;
    const pools = Object.entries(s.resources("digitalocean_database_connection_pool")).filter(([, p]) => p.cluster_id === ref(`digitalocean_database_cluster.${primaryId}`, "id"));
    return pools.length === 1 && String(s.outputs.database_url.value).includes(ref(`digitalocean_database_connection_pool.${pools[0][0]}`, "private_host"));
  },
  publicEntryPoints(s) {
    const external = s.where("digitalocean_loadbalancer").filter((l) => l.network === "EXTERNAL");
    const other = [
      ...s.where("digitalocean_firewall").flatMap((fw) => (fw.inbound_rule ?? []).filter((r: Config) => r.source_addresses).map(() => `firewall ${fw.name}`)),
      ...s.where("digitalocean_spaces_bucket").filter((b) => b.acl !== "private").map((b) => `bucket ${b.name}`),
      ...s.where("digitalocean_loadbalancer").filter((l) => l.network === "EXTERNAL" && !String(block(l.firewall)?.allow).includes("cloudflare_ip_ranges")).map((l) => `load balancer ${l.name} open to all`),
    ];
    // PROVIDER GAP: the CDN answers on its endpoint name (no custom domain).
    const cdnNames = Object.keys(s.resources("digitalocean_cdn")).map((id) => ref(`digitalocean_cdn.${id}`, "endpoint"));
    // The maintenance page is served on the site's own name, by the edge Worker its route runs.
    return { loadBalancers: external.length, cdnNames: cdnNames.sort(), maintenanceSites: s.where("cloudflare_workers_route").filter((r) => r.script).length, other };
  },
  siteEdge(s) {
    const domain = s.where("cloudflare_workers_route")[0]?.pattern?.replace(/\/\*$/, "");
    const lbs = Object.keys(s.resources("digitalocean_loadbalancer")).filter((id) => s.resources("digitalocean_loadbalancer")[id].network === "EXTERNAL");
    const site = s.where("cloudflare_dns_record").find((r) => lbs.some((id) => r.content === ref(`digitalocean_loadbalancer.${id}`, "ip")) && (domain === undefined || r.name === domain));
    if (!site?.proxied) return undefined;
    return {
      name: site.name,
      // Cloudflare caches no HTML unless a cache rule says so, and passes what the viewer sent.
      uncached: s.where("cloudflare_ruleset").every((r) => r.phase !== "http_request_cache_settings"),
      viewerRequestPassed: s.where("cloudflare_ruleset").every((r) => r.phase !== "http_request_late_transform" && r.phase !== "http_request_transform"),
      originOnlyFromEdge: s.where("digitalocean_loadbalancer").filter((l) => l.network === "EXTERNAL").every((l) => String(block(l.firewall)?.allow).includes("cloudflare_ip_ranges")),
    };
  },
  failoverTarget(s) {
    const route = s.where("cloudflare_workers_route")[0];
    if (!route) return undefined;
    const [, worker] = Object.entries(s.resources("cloudflare_workers_script")).find(([id]) => route.script === ref(`cloudflare_workers_script.${id}`, "script_name"))!;
    // It must be the maintenance page: the Worker answers with the index page and a 503 when the origin cannot.
    const page = String(worker.content).includes('"index.html":') && String(worker.content).includes("status: 503");
    return page ? { maintenanceFor: String(route.pattern).replace(/\/\*$/, "") } : { maintenanceFor: `not a maintenance site: ${worker.script_name}` };
  },
};
