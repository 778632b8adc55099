import { ResourceConfig, StackDocument } from "../policy/document";
import { CACHE, COMPUTE, CloudCost, DNS, LOAD_BALANCER, MONITORING, NETWORK, OBJECT_STORE, POSTGRES, Rule, TERRAFORM_RULES, TLS, charge, count, globalPrice, required, text } from "../cost/rules";

const DIGITALOCEAN_RULES: Readonly<Record<string, Rule>> = {
  // DigitalOcean network.
  digitalocean_vpc: { tier: NETWORK, free: "VPCs have no charge" },
  digitalocean_firewall: { tier: NETWORK, free: "cloud firewalls have no charge" },
  digitalocean_tag: { tier: NETWORK, free: "no charge" },
  digitalocean_project_resources: { tier: NETWORK, free: "no charge" },

  // DigitalOcean compute.
  digitalocean_droplet_autoscale: {
    tier: COMPUTE,
    charges: (r) => {
      const config = required(r, "config") as ResourceConfig;
      const size = String(required(r, "droplet_template").size);
      const fixed = config.target_number_instances;
      const min = typeof fixed === "number" ? fixed : config.min_instances;
      const max = typeof fixed === "number" ? fixed : config.max_instances;
      if (typeof min !== "number" || typeof max !== "number") throw new Error(`cost: ${r.address} has no instance counts known at synth`);
      return [charge(COMPUTE, r, `${size} droplet`, min, globalPrice("digitalocean", "droplet", size), max)];
    },
    usage: ["droplet outbound transfer beyond the team's pooled allowance ($0.01/GiB)"],
  },

  digitalocean_droplet: {
    tier: POSTGRES,
    // The database setup's one-off droplet: billed while it exists, powered off or not.
    charges: (r) => [charge(POSTGRES, r, `${String(required(r, "size"))} droplet of the database setup (billed while it exists, powered off too)`, 1, globalPrice("digitalocean", "droplet", String(required(r, "size"))))],
  },

  // DigitalOcean load balancers.
  digitalocean_loadbalancer: {
    tier: LOAD_BALANCER,
    charges: (r) => {
      const nodes = typeof r.config.size_unit === "number" ? r.config.size_unit : 1;
      return [charge(LOAD_BALANCER, r, `load balancer (${String(r.config.network ?? "EXTERNAL").toLowerCase()}), ${nodes} node${nodes > 1 ? "s" : ""}`, nodes, globalPrice("digitalocean", "load-balancer", "node"))];
    },
  },
  digitalocean_certificate: { tier: TLS, free: "no charge" },

  // DigitalOcean PostgreSQL and cache.
  digitalocean_database_cluster: {
    tier: POSTGRES,
    charges: (r) => {
      const engine = text(r, "engine");
      const size = text(r, "size");
      const nodes = count(r, "node_count");
      const tier = engine === "pg" ? POSTGRES : CACHE;
      const what = engine === "pg" ? "PostgreSQL" : engine === "valkey" ? "Valkey" : engine;
      return [charge(tier, r, `${size} ${what} node${nodes > 1 ? `s (primary + ${nodes - 1} standby)` : ""}`, nodes, globalPrice("digitalocean", `database-${engine}`, size))];
    },
    usage: ["managed database storage beyond the plan's disk (added storage, per GiB)"],
  },
  digitalocean_database_replica: {
    tier: POSTGRES,
    charges: (r, ctx) => {
      const cluster = ctx.referenced(required(r, "cluster_id"));
      if (!cluster) throw new Error(`cost: ${r.address} replicates no cluster in the stack`);
      const size = typeof r.config.size === "string" ? r.config.size : text(cluster, "size");
      const engine = text(cluster, "engine");
      return [charge(POSTGRES, r, `${size} read-only node in ${String(r.config.region ?? cluster.config.region)}`, 1, globalPrice("digitalocean", `database-${engine}`, size))];
    },
  },
  digitalocean_database_connection_pool: { tier: POSTGRES, free: "PgBouncer pools are included in the cluster's price" },
  digitalocean_database_db: { tier: POSTGRES, free: "no charge" },
  digitalocean_database_user: { tier: POSTGRES, free: "no charge" },
  digitalocean_database_firewall: { tier: POSTGRES, free: "no charge" },
  digitalocean_container_registry_docker_credentials: { tier: COMPUTE, free: "read-only credentials of the team's existing registry (its plan is not counted)" },

  // DigitalOcean object store + CDN.
  digitalocean_spaces_bucket: {
    tier: OBJECT_STORE,
    charges: (r, ctx) => (ctx.once("spaces") ? [charge(OBJECT_STORE, r, "Spaces subscription (every bucket of the team; 250 GiB, 1 TiB out)", 1, globalPrice("digitalocean", "spaces", "subscription"))] : []),
    usage: ["Spaces storage beyond 250 GiB and outbound transfer beyond 1 TiB (the team's, across environments)"],
  },
  digitalocean_spaces_bucket_cors_configuration: { tier: OBJECT_STORE, free: "part of the bucket" },
  digitalocean_spaces_key: { tier: OBJECT_STORE, free: "no charge" },
  digitalocean_cdn: { tier: OBJECT_STORE, usage: ["Spaces CDN traffic (counts against the Spaces transfer allowance)"] },

  // Cloudflare.
  cloudflare_dns_record: { tier: DNS, free: "DNS records have no charge" },
  cloudflare_workers_script: {
    tier: DNS,
    charges: (r, ctx) => (ctx.once("cloudflare-workers-paid") ? [charge(DNS, r, "Workers Paid subscription (10 million requests a month included)", 1, globalPrice("cloudflare", "workers", "paid-subscription"))] : []),
    usage: ["Cloudflare Workers requests beyond 10 million a month ($0.30 a million) and CPU time beyond 30 million ms ($0.02 a million ms); the edge Worker runs on every request to the site"],
  },
  cloudflare_workers_route: { tier: DNS, free: "no charge (requests are priced with the Worker)" },
  cloudflare_origin_ca_certificate: { tier: TLS, free: "Origin CA certificates have no charge" },
  cloudflare_zone_setting: { tier: TLS, free: "no charge (the zone's plan is not part of the stack)" },
  cloudflare_ruleset: { tier: LOAD_BALANCER, free: "included in the zone's plan (the plan is not part of the stack)" },

  // DigitalOcean monitoring.
  digitalocean_monitor_alert: { tier: MONITORING, free: "DigitalOcean Monitoring alert policies have no charge" },
  digitalocean_uptime_check: { tier: MONITORING, charges: (r) => [charge(MONITORING, r, "Uptime check", 1, globalPrice("digitalocean", "uptime", "check"))] },
  digitalocean_uptime_alert: { tier: MONITORING, free: "Uptime alerts have no charge" },
};

/** How `npm run cost` prices a DigitalOcean + Cloudflare stack: DigitalOcean prices every region alike. */
export const DIGITALOCEAN_COST: CloudCost = {
  title: "DigitalOcean + Cloudflare",
  rules: { ...TERRAFORM_RULES, ...DIGITALOCEAN_RULES },
  region(doc: StackDocument) {
    const vpc = doc.resources("digitalocean_vpc")[0];
    return typeof vpc?.config.region === "string" ? vpc.config.region : "global";
  },
  dataSourceNotes: {
    cloudflare_ip_ranges: "the Cloudflare zone's plan (the zone exists already; the edge Worker works on every plan)",
  },
};
