import { CloudPolicy, INTERNET, each } from "../policy/rules";
import { ResourceConfig, StackDocument, reference } from "../policy/document";

const pgClusters = (s: StackDocument) => s.resources("digitalocean_database_cluster").filter((c) => c.config.engine === "pg");
const externalDoLbs = (s: StackDocument) => s.resources("digitalocean_loadbalancer").filter((lb) => (lb.config.network ?? "EXTERNAL") === "EXTERNAL");
const doPortCovers22 = (range?: string) => range === undefined || range === "all" || range === "22" || (/^(\d+)-(\d+)$/.test(range) && Number(range.split("-")[0]) <= 22 && 22 <= Number(range.split("-")[1]));

const DIGITALOCEAN_STATEFUL_TYPES = ["digitalocean_database_cluster", "digitalocean_database_replica", "digitalocean_database_db", "digitalocean_database_user", "digitalocean_spaces_bucket", "random_id"];

/** The policy pack's checks on a DigitalOcean + Cloudflare stack (the rules themselves are in modules/policy/rules.ts). */
export const DIGITALOCEAN_POLICY: CloudPolicy = {
  statefulTypes: DIGITALOCEAN_STATEFUL_TYPES,
  checks: {
    "CT-DB-001": (s) => each(s.resources("digitalocean_database_cluster"), (c) => typeof c.private_network_uuid === "string", "has no private network (private_network_uuid)"),
    "CT-DB-004": (s) => each(pgClusters(s), (c) => (c.node_count ?? 1) >= 2, "node_count is below 2 (no standby node)"),
    "CT-DB-007": (s) => {
      const guarded = new Set(
        s.resources("digitalocean_database_firewall").filter((f) => (f.config.rule ?? []).length > 0).map((f) => f.config.cluster_id as string),
      );
      // A firewall names a cluster by its id and a replica by its uuid.
      const nodes = [
        ...s.resources("digitalocean_database_cluster").map((c) => [c, reference(c.address, "id")] as const),
        ...s.resources("digitalocean_database_replica").map((r) => [r, reference(r.address, "uuid")] as const),
      ];
      return nodes.filter(([, id]) => !guarded.has(id)).map(([node]) => ({ resource: node.address, message: "has no database firewall with rules" }));
    },
    "CT-S3-001": (s) => each(s.resources("digitalocean_spaces_bucket"), (b) => (b.acl ?? "private") === "private", "acl is not private"),
    "CT-S3-003": (s) => each(s.resources("digitalocean_spaces_bucket"), (b) => b.versioning?.enabled === true, "versioning is not enabled"),
    "CT-S3-004": (s) => each(s.resources("digitalocean_spaces_bucket"), (b) => b.force_destroy !== true, "force_destroy is true"),
    "CT-LB-001": (s) =>
      each(
        externalDoLbs(s),
        (lb) => lb.redirect_http_to_https === true && (lb.forwarding_rule ?? []).some((r: ResourceConfig) => r.entry_protocol === "https" && r.entry_port === 443),
        "has no HTTPS forwarding on 443 with HTTP redirected to it",
      ),
    "CT-LB-002": (s) => each(externalDoLbs(s), (lb) => lb.tls_cipher_policy === "STRONG", "tls_cipher_policy is not STRONG"),
    "CT-NET-001": (s) =>
      s
        .resources("digitalocean_firewall")
        .filter((f) => (f.config.inbound_rule ?? []).some((r: ResourceConfig) => (r.source_addresses ?? []).some((a: string) => INTERNET.includes(a))))
        .map((f) => ({ resource: f.address, message: "admits the internet to droplets (only the load balancer may be public)" })),
    "CT-NET-002": (s) =>
      s
        .resources("digitalocean_firewall")
        .filter((f) =>
          (f.config.inbound_rule ?? []).some(
            (r: ResourceConfig) => (r.source_addresses ?? []).some((a: string) => INTERNET.includes(a)) && r.protocol === "tcp" && doPortCovers22(r.port_range),
          ),
        )
        .map((f) => ({ resource: f.address, message: "admits SSH (22) from the internet" })),
    // The site's edge Worker, on a route for its name, serves the maintenance page when the origin cannot answer.
    "CT-DNS-001": (s) =>
      s.resources("cloudflare_workers_route").some((r) => typeof r.config.script === "string" && r.config.script.includes("cloudflare_workers_script."))
        ? []
        : [{ resource: "(stack)", message: "no Workers route running the site's edge Worker (the maintenance page)" }],
    // A replica of each PostgreSQL cluster in a region of its own (DigitalOcean encrypts every database at rest).
    "CT-DB-008": (s) =>
      pgClusters(s).flatMap((c) =>
        s.resources("digitalocean_database_replica").some((r) => r.config.cluster_id === reference(c.address, "id") && typeof r.config.region === "string" && r.config.region !== c.config.region)
          ? []
          : [{ resource: c.address, message: "has no replica in another region (digitalocean.disasterRecoveryRegion)" }],
      ),
    // Alert policies that email someone.
    "CT-OPS-001": (s) =>
      s.resources("digitalocean_monitor_alert").some((a) => (a.config.alerts?.email ?? []).length > 0 || (a.config.alerts?.slack ?? []).length > 0)
        ? []
        : [{ resource: "(stack)", message: "no Monitoring alert policy sends to an email address or Slack" }],
    // The zone's managed WAF rules and a rate limiting rule, at the Cloudflare edge in front of the site.
    "CT-EDGE-001": (s) => {
      const phase = (name: string) => s.resources("cloudflare_ruleset").filter((r) => r.config.phase === name && (r.config.rules ?? []).some((rule: ResourceConfig) => rule.enabled !== false));
      const missing = [phase("http_request_firewall_managed").length === 0 && "no managed WAF ruleset", phase("http_ratelimit").length === 0 && "no rate limiting ruleset"].filter((m): m is string => typeof m === "string");
      return missing.length === 0 ? [] : [{ resource: "(stack)", message: `${missing.join(" and ")} for the zone` }];
    },
    "CT-DATA-001": (s) => each(s.all(DIGITALOCEAN_STATEFUL_TYPES), (r) => r.lifecycle?.prevent_destroy === true, "lifecycle.prevent_destroy is not true"),
  },
};
