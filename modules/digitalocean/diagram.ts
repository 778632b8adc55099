import { StackDocument } from "../policy/document";
import { Diagram, DiagramBuilder, DiagramCluster } from "../diagram/graph";
import { Index, attributeReferencesIn, bounds, drawnName, plural, poolRole, purpose, referencesIn, throughLocal } from "../diagram/references";

/**
 * A DigitalOcean + Cloudflare stack's diagram, read from its resources alone: regions from
 * each resource's `region`, pools from `digitalocean_droplet_autoscale` (tags tie them to
 * load balancers, firewalls and database trusted sources), load balancer → pool ports from
 * the pools' firewall rules, host → database/cache/load balancer ports from the URLs in the
 * hosts' user data (DigitalOcean fixes a managed database's port by engine, so the
 * configuration is where it is written down), replicas from `digitalocean_database_replica`,
 * and the failover from the Workers route on the site's proxied name and the Worker it runs.
 */
export function describeDigitalOcean(name: string, doc: StackDocument): Diagram {
  const ix = new Index(doc);
  const g = new DiagramBuilder();
  const inRegion = new Map<string, { vpc: string[]; outside: string[]; clusters: DiagramCluster[] }>();
  const region = (r: string) => {
    if (!inRegion.has(r)) inRegion.set(r, { vpc: [], outside: [], clusters: [] });
    return inRegion.get(r)!;
  };
  const placeIn = (id: string, regionName: unknown, network: unknown) => {
    const where = region(String(regionName ?? "?"));
    (ix.first(network, "digitalocean_vpc") ? where.vpc : where.outside).push(id);
  };

  const internet = g.node("internet", "internet", ["internet"]);

  // A pool's user data: its template names the local that holds it (the revision tag hashes it too).
  const userDataOf = (config: { droplet_template?: { user_data?: string } }): unknown => throughLocal(doc.json, config.droplet_template?.user_data);

  // Pools and the tags that name them.
  const poolOfTag = new Map<string, string>();
  const pools = doc.resources("digitalocean_droplet_autoscale");
  for (const pool of pools) {
    const t = pool.config.droplet_template ?? {};
    const c = pool.config.config ?? {};
    const fixed = c.target_number_instances;
    g.node(pool.address, "pool", [
      `${poolRole(pool)} pool`,
      `${t.size ?? "?"} × ${fixed !== undefined ? `${fixed}` : bounds(c.min_instances, c.max_instances)}`,
      c.target_cpu_utilization !== undefined && `CPU target ${Math.round(c.target_cpu_utilization * 100)}%`,
      t.image,
    ]);
    for (const tag of ix.referenced(t.tags, "digitalocean_tag")) poolOfTag.set(tag.address, pool.address);
    placeIn(pool.address, t.region, t.vpc_uuid);
  }
  const poolsOf = (value: unknown) => ix.referenced(value, "digitalocean_tag").map((t) => poolOfTag.get(t.address)).filter((p): p is string => p !== undefined);
  const roleOf = (id: string) => poolRole(ix.get(id)!);

  // Load balancers, and from each the pools behind it, on the port the pool's firewall opens to it.
  const lbEntry = new Map<string, string[]>();
  for (const lb of doc.resources("digitalocean_loadbalancer")) {
    const rules = [...(lb.config.forwarding_rule ?? [])].sort((a, b) => b.entry_port - a.entry_port);
    const forward = (r: { entry_protocol: string; entry_port: number; target_port: number; target_protocol: string }) =>
      r.entry_port === 80 && r.entry_protocol === "http" && lb.config.redirect_http_to_https ? `HTTP :80 → 301 :443` : `${r.entry_protocol.toUpperCase()} :${r.entry_port} → :${r.target_port}`;
    lbEntry.set(
      lb.address,
      rules.map((r) => `:${r.entry_port} ${r.entry_protocol.toUpperCase()}${r.entry_port === 80 && r.entry_protocol === "http" && lb.config.redirect_http_to_https ? " → 301" : ""}`),
    );
    const allow = lb.config.firewall?.allow;
    const admits = allow === undefined ? undefined : JSON.stringify(allow).includes("data.cloudflare_ip_ranges.") ? "admits Cloudflare's ranges only" : `admits ${[allow].flat().join(", ").replace(/cidr:/g, "")}`;
    const internal = lb.config.network === "INTERNAL";
    g.node(lb.address, "load-balancer", [`load balancer (${internal ? "internal" : "public"})`, lb.config.name, ...rules.map(forward), lb.config.tls_cipher_policy && `${lb.config.tls_cipher_policy} ciphers`, admits, lb.config.healthcheck && `health ${lb.config.healthcheck.protocol.toUpperCase()} :${lb.config.healthcheck.port} ${lb.config.healthcheck.path ?? ""}`]);
    placeIn(lb.address, lb.config.region, lb.config.vpc_uuid);
    for (const pool of poolsOf(lb.config.droplet_tag)) {
      const firewall = doc.resources("digitalocean_firewall").find((f) => poolsOf(f.config.tags).includes(pool) || f.config.name === ix.get(pool)!.config.name);
      const opened = (firewall?.config.inbound_rule ?? []).filter((r: { source_load_balancer_uids?: string[] }) => referencesIn(r.source_load_balancer_uids).includes(lb.address));
      const ports = opened.length > 0 ? opened.map((r: { port_range: string }) => `:${r.port_range}`) : [...new Set(rules.map((r) => `:${r.target_port}`))];
      for (const port of ports) g.edge(lb.address, pool, "traffic", port);
    }
  }

  // Pool to pool, on the port a pool's firewall opens to another's tag (the nginx-balanced web droplets to the app droplets).
  for (const firewall of doc.resources("digitalocean_firewall")) {
    for (const target of poolsOf(firewall.config.tags)) {
      for (const rule of (firewall.config.inbound_rule ?? []) as { port_range: string; source_tags?: string[] }[]) {
        for (const source of poolsOf(rule.source_tags)) g.edge(source, target, "traffic", `:${rule.port_range}`);
      }
    }
  }

  // PostgreSQL and Valkey clusters, replicas, the pooler.
  const trusted = (address: string) => {
    const firewall = doc.resources("digitalocean_database_firewall").find((f) => referencesIn(f.config.cluster_id).includes(address));
    const roles = firewall ? [...new Set(poolsOf(firewall.config.rule).map(roleOf))].sort() : [];
    return roles.length > 0 ? `trusts ${roles.join(", ")} pools` : undefined;
  };
  const postgresClusters: { id: string; region: string; members: string[] }[] = [];
  for (const cluster of doc.resources("digitalocean_database_cluster")) {
    const c = cluster.config;
    if (c.engine === "pg") {
      const members = [cluster.address];
      g.node(cluster.address, "postgres-primary", [`PostgreSQL ${c.version ?? ""} primary`.replace("  ", " "), `${c.size}, ${c.region}`, trusted(cluster.address)]);
      const standbys = Math.max(0, Number(c.node_count ?? 1) - 1);
      for (let i = 1; i <= standbys; i++) {
        const standby = g.node(`${cluster.address}#standby-${i}`, "postgres-standby", [standbys > 1 ? `standby node ${i}` : "standby node", "high availability"]);
        g.edge(cluster.address, standby, "replication", "standby");
        members.push(standby);
      }
      const replicas = doc.resources("digitalocean_database_replica").filter((r) => referencesIn(r.config.cluster_id).includes(cluster.address));
      let n = 0;
      for (const replica of replicas) {
        const elsewhere = replica.config.region !== c.region;
        g.node(replica.address, "postgres-replica", [elsewhere ? `disaster-recovery replica` : `read replica ${++n}`, `${replica.config.size}, ${replica.config.region}`, trusted(replica.address)]);
        g.edge(cluster.address, replica.address, "replication", elsewhere ? `streaming to ${replica.config.region}` : "streaming");
        if (elsewhere) region(String(replica.config.region)).outside.push(replica.address);
        else members.push(replica.address);
      }
      for (const pool of doc.resources("digitalocean_database_connection_pool").filter((p) => referencesIn(p.config.cluster_id).includes(cluster.address))) {
        g.node(pool.address, "pooler", ["PgBouncer connection pool", `"${pool.config.name}", ${pool.config.mode} mode, ${pool.config.size} connections`]);
        g.edge(pool.address, cluster.address, "traffic", "in the cluster");
        members.push(pool.address);
      }
      const id = `postgres-${cluster.address}`;
      postgresClusters.push({ id, region: String(c.region), members });
      const where = region(String(c.region));
      (ix.first(c.private_network_uuid, "digitalocean_vpc") ? where.vpc : where.outside).push(`cluster:${id}`);
    } else {
      g.node(cluster.address, "cache", [`managed ${c.engine === "valkey" ? "Valkey" : c.engine} ${c.version ?? ""}`.trim(), `${c.size} × ${c.node_count ?? 1}`, c.eviction_policy && `eviction ${c.eviction_policy}`, trusted(cluster.address)]);
      placeIn(cluster.address, c.region, c.private_network_uuid);
    }
  }

  // What each pool's hosts connect to: the URLs (host and port) and names in their user data.
  const nodeFor = (address: string) => (g.has(address) ? address : undefined);
  for (const pool of pools) {
    for (const ref of attributeReferencesIn(userDataOf(pool.config))) {
      const target = nodeFor(ref.address);
      if (!target) continue;
      if (ref.address.startsWith("digitalocean_spaces_bucket.")) continue;
      if (ref.port !== undefined) g.edge(pool.address, target, "traffic", `:${ref.port}`);
      else if (ref.address.startsWith("digitalocean_loadbalancer.")) for (const label of lbEntry.get(target) ?? []) g.edge(pool.address, target, "traffic", label);
    }
  }

  // Buckets (Spaces), their CDNs, and which pools hold a key to them.
  const storage = String((doc.json.output?.storage_endpoint_url?.value as string | undefined) ?? "");
  const apiPort = storage.startsWith("https://") ? ":443" : storage.startsWith("http://") ? ":80" : "";
  for (const bucket of doc.resources("digitalocean_spaces_bucket")) {
    g.node(bucket.address, "bucket", [`Spaces ${purpose(bucket)}`, drawnName(bucket.config.name), bucket.config.acl && `ACL ${bucket.config.acl}`, bucket.config.versioning?.enabled && "versioned"]);
    region(String(bucket.config.region ?? "?")).outside.push(bucket.address);
    const keys = doc.resources("digitalocean_spaces_key").filter((k) => referencesIn(k.config.grant).includes(bucket.address));
    for (const pool of pools) {
      const used = referencesIn(userDataOf(pool.config));
      const key = keys.find((k) => used.includes(k.address));
      if (key) g.edge(pool.address, bucket.address, "traffic", `S3 API ${apiPort} (${key.config.grant?.[0]?.permission ?? "key"})`.replace("  ", " "));
    }
  }
  const cdns = doc.resources("digitalocean_cdn");
  for (const cdn of cdns) {
    const origin = ix.first(cdn.config.origin, "digitalocean_spaces_bucket");
    g.node(cdn.address, "cdn", [`DigitalOcean CDN: ${origin ? purpose(origin) : purpose(cdn)}`, cdn.config.custom_domain ?? "its endpoint name", cdn.config.ttl !== undefined && `TTL ${cdn.config.ttl} s`]);
    g.edge(internet, cdn.address, "traffic", ":443 HTTPS");
    if (origin) g.edge(cdn.address, origin.address, "traffic", "origin");
  }

  // Cloudflare: the proxied name, and the edge Worker its route runs (the maintenance page when the origin cannot answer).
  const cloudflare: string[] = [];
  const originOf = (address: unknown): string | undefined => referencesIn(address).find((a) => a.startsWith("digitalocean_loadbalancer.") && g.has(a));
  for (const record of doc.resources("cloudflare_dns_record")) {
    const target = originOf(record.config.content);
    if (!target) continue;
    cloudflare.push(g.node(record.address, "dns", [`Cloudflare DNS ${record.config.type} ${record.config.name}`, record.config.proxied ? "proxied: edge TLS" : "DNS only"]));
    g.edge(internet, record.address, "traffic", ":443 HTTPS");
    const toOrigin = (lbEntry.get(target) ?? []).filter((l) => l.startsWith(":443"));
    const route = doc.resources("cloudflare_workers_route").find((r) => r.config.pattern === `${record.config.name}/*`);
    const worker = route && ix.first(route.config.script, "cloudflare_workers_script");
    if (route && worker) {
      cloudflare.push(g.node(worker.address, "edge-worker", ["Cloudflare Worker: the site's edge", `route ${route.config.pattern}`, "maintenance page (503) when the origin cannot answer"]));
      g.edge(record.address, worker.address, "traffic", "every request");
      for (const label of toOrigin) g.edge(worker.address, target, "traffic", label);
    } else {
      for (const label of toOrigin) g.edge(record.address, target, "traffic", label);
    }
  }

  // The zone's firewall: its managed rules and rate limit, before every proxied name.
  const rulesets = doc.resources("cloudflare_ruleset");
  if (rulesets.length > 0) {
    const limit = rulesets.flatMap((r) => r.config.rules ?? []).find((rule) => rule.ratelimit)?.ratelimit;
    const managed = rulesets.some((r) => r.config.phase === "http_request_firewall_managed");
    cloudflare.push(
      g.node("firewall", "firewall", [
        "Cloudflare WAF (the zone's)",
        managed && "managed rules",
        limit && `rate limit: ${limit.requests_per_period} per ${limit.period} s per IP`,
      ]),
    );
    for (const record of cloudflare.filter((id) => id.startsWith("cloudflare_dns_record."))) g.edge("firewall", record, "check", "filters");
  }

  const vpcs = doc.resources("digitalocean_vpc");
  // Where the hosts' logs go: the syslog endpoint their user data forwards to (rsyslog over TLS).
  const forwards = new Set(
    doc.resources("digitalocean_droplet_autoscale").flatMap((pool) => {
      const match = /action\(type="omfwd" target="([^"]+)" port="(\d+)"/.exec(String(userDataOf(pool.config) ?? ""));
      return match ? [`${match[1]}:${match[2]}`] : [];
    }),
  );
  if (forwards.size > 0) {
    g.node("logs", "logs", ["the hosts' logs: syslog over TLS", ...[...forwards].sort()]);
    for (const pool of doc.resources("digitalocean_droplet_autoscale")) g.edge(pool.address, "logs", "check", "rsyslog");
  }

  // The alerts, and who they reach.
  const policies = doc.resources("digitalocean_monitor_alert");
  const uptime = doc.resources("digitalocean_uptime_check");
  if (policies.length + uptime.length > 0) {
    const emails = new Set([...policies.flatMap((p) => p.config.alerts?.email ?? []), ...doc.resources("digitalocean_uptime_alert").flatMap((a) => a.config.notifications?.[0]?.email ?? [])]);
    g.node("alarms", "alarms", [
      `Monitoring: ${plural(policies.length, "alert policy", "alert policies")}`,
      ...uptime.map((u) => `Uptime check ${u.config.target}`),
      `→ ${plural(emails.size, "email address", "email addresses")}`,
    ]);
  }

  const regionClusters: DiagramCluster[] = [...inRegion.entries()].map(([name, where]) => {
    const vpc = vpcs.find((v) => v.config.region === name);
    const pg = (ids: string[]) =>
      postgresClusters
        .filter((c) => ids.includes(`cluster:${c.id}`))
        .map((c) => ({ id: c.id, lines: [`PostgreSQL: ${plural(c.members.filter((m) => ix.get(m)?.type === "digitalocean_database_replica").length, "read replica")}`], nodes: c.members, clusters: [] }));
    const inner: DiagramCluster[] = vpc ? [{ id: `vpc-${name}`, lines: [`VPC ${vpc.config.ip_range ?? ""}`], nodes: where.vpc.filter((id) => !id.startsWith("cluster:")), clusters: pg(where.vpc) }] : [];
    const nodes = [...where.outside.filter((id) => !id.startsWith("cluster:")), ...(vpc ? [] : where.vpc.filter((id) => !id.startsWith("cluster:")))];
    return { id: `region-${name}`, lines: [`DigitalOcean ${name}`], nodes, clusters: [...inner, ...pg(where.outside), ...(vpc ? [] : pg(where.vpc))] };
  });
  const edge: DiagramCluster = { id: "cloudflare", lines: ["Cloudflare edge"], nodes: cloudflare, clusters: [] };
  const cdn: DiagramCluster = { id: "cdn", lines: ["DigitalOcean CDN"], nodes: cdns.map((c) => c.address), clusters: [] };
  const regions = [...inRegion.keys()].sort();
  return g.build(name, `${name}: DigitalOcean ${regions.join(", ")} + Cloudflare`, [edge, cdn, ...regionClusters]);
}
