import { DEFAULTS } from "../../modules/core";
import { OUTPUT_NAMES, SENSITIVE_OUTPUTS, SHIPPED_STACKS, Synth, dropletUserData, ref, synthDoEnvironment } from "../helpers";
import { failoverOn, separateAppTier } from "../../modules/django/spec";

describe.each(SHIPPED_STACKS.filter((stack) => stack.cloud === "do").map(({ spec }) => [spec.environment, spec] as const))("%s on DigitalOcean + Cloudflare", (_name, spec) => {
  let s: Synth;
  beforeAll(() => {
    s = synthDoEnvironment(spec);
  });
  const split = spec.layout === "split";
  // split and nginx-balanced: gunicorn on an app pool of its own.
  const separate = separateAppTier(spec.layout ?? "colocated");
  const roles = ["web", ...(separate ? ["app"] : []), "worker", ...(spec.pools.worker.beat === false ? [] : ["beat"])];
  const tag = (role: string) => ref(s.address("digitalocean_tag", `${role}-pool/tag`), "name");

  it("has every tier: VPC, load balancers, one pool per role, PostgreSQL, Valkey, Spaces + CDN, the Cloudflare edge", () => {
    expect(s.where("digitalocean_vpc")).toHaveLength(1);
    expect(s.where("digitalocean_loadbalancer")).toHaveLength(split ? 2 : 1);
    expect(s.where("digitalocean_droplet_autoscale").map((p) => p.name).sort()).toEqual(roles.map((r) => `shop-${spec.environment}-${r}`).sort());
    expect(s.where("digitalocean_database_cluster").map((c) => c.engine).sort()).toEqual(["pg", "valkey"]);
    expect(s.where("digitalocean_database_replica")).toHaveLength(spec.postgres.replicas + (spec.digitalocean?.disasterRecoveryRegion ? 1 : 0));
    expect(s.where("digitalocean_database_connection_pool")).toHaveLength(spec.postgres.pooling ? 1 : 0);
    expect(s.where("digitalocean_spaces_bucket")).toHaveLength(2);
    expect(s.where("digitalocean_cdn")).toHaveLength(2);
    expect(s.where("cloudflare_dns_record")).toHaveLength(1);
    expect(s.where("cloudflare_workers_script")).toHaveLength(failoverOn(spec) ? 1 : 0);
    expect(s.where("cloudflare_workers_route")).toHaveLength(failoverOn(spec) ? 1 : 0);
  });

  it("sends each load balancer's traffic to its pool's tag, and each pool admits only its load balancer", () => {
    const pub = s.address("digitalocean_loadbalancer", "django_load-balancer");
    expect(s.one("digitalocean_loadbalancer", "django_load-balancer").droplet_tag).toBe(tag("web"));
    expect(s.one("digitalocean_firewall", "web-pool").inbound_rule).toEqual([{ protocol: "tcp", port_range: "80", source_load_balancer_uids: [ref(pub, "id")] }]);
    if (split) {
      const internal = s.address("digitalocean_loadbalancer", "internal-load-balancer");
      expect(s.one("digitalocean_loadbalancer", "internal-load-balancer").droplet_tag).toBe(tag("app"));
      expect(s.one("digitalocean_firewall", "app-pool").inbound_rule).toEqual([{ protocol: "tcp", port_range: "8000", source_load_balancer_uids: [ref(internal, "id")] }]);
    } else if (separate) {
      // nginx-balanced: the web droplets straight to the app droplets' gunicorn.
      expect(s.one("digitalocean_firewall", "app-pool").inbound_rule).toEqual([{ protocol: "tcp", port_range: "8000", source_tags: [tag("web")] }]);
    }
    for (const role of roles.filter((r) => r === "worker" || r === "beat")) {
      expect(s.one("digitalocean_firewall", `${role}-pool`).inbound_rule).toBeUndefined();
    }
  });

  it("lets only the Django hosts' tags reach PostgreSQL and Valkey", () => {
    const djangoHosts = [separate ? "app" : "web", ...roles.filter((r) => r === "worker" || r === "beat")];
    const expected = djangoHosts.map((r) => ({ type: "tag", value: tag(r) }));
    // The primary and every replica (the disaster-recovery one too) have trusted sources of their own.
    const nodes = [
      ref(s.address("digitalocean_database_cluster", "postgres"), "id"),
      ...Object.keys(s.resources("digitalocean_database_replica")).map((id) => ref(`digitalocean_database_replica.${id}`, "uuid")),
    ];
    const firewalls = s.where("digitalocean_database_firewall", "postgres");
    expect(firewalls.map((f) => f.cluster_id).sort()).toEqual(nodes.sort());
    // The primary also admits the database setup's droplet; the replicas do not.
    const setup = { type: "tag", value: ref(s.address("digitalocean_tag", "postgres_setup_tag"), "name") };
    for (const f of firewalls) expect(f.rule).toEqual(f.cluster_id === nodes[0] ? [...expected, setup] : expected);
    expect(s.one("digitalocean_database_firewall", "cache").rule).toEqual(expected);
  });

  it("opens nothing to the internet: the load balancer admits Cloudflare only, names are proxied, no SSH", () => {
    expect(s.one("digitalocean_loadbalancer", "django_load-balancer").firewall.allow).toMatch(/^\$\{\[ for key, val in toset\(data\.cloudflare_ip_ranges\.[\w-]+\.ipv4_cidrs\): "cidr:\$\{val\}"\]\}$/);
    for (const fw of s.where("digitalocean_firewall")) {
      for (const rule of fw.inbound_rule ?? []) expect(rule.source_addresses).toBeUndefined();
    }
    for (const record of s.where("cloudflare_dns_record")) expect(record.proxied).toBe(true);
  });

  it("points every read replica at the primary", () => {
    const primary = ref(s.address("digitalocean_database_cluster", "postgres"), "id");
    for (const r of s.where("digitalocean_database_replica")) expect(r.cluster_id).toBe(primary);
  });

  it("puts the shared zone in Full (strict) itself before it proxies the name, whichever environment manages the zone's other settings", () => {
    // dev, staging and production share one zone; any of them may deploy first, and each origin redirects HTTP to HTTPS.
    const ssl = Object.entries(s.resources("cloudflare_zone_setting")).filter(([, z]) => z.setting_id === "ssl");
    expect(ssl.map(([, z]) => z.value)).toEqual(["strict"]);
    const address = `cloudflare_zone_setting.${ssl[0][0]}`;
    expect(s.one("cloudflare_dns_record", "django_dns").depends_on).toEqual([address]);
    if (failoverOn(spec)) expect(s.one("cloudflare_workers_route").depends_on).toEqual([address]);
    const others = s.where("cloudflare_zone_setting").filter((z) => z.setting_id !== "ssl");
    expect(others.map((z) => z.setting_id).sort()).toEqual(spec.cloudflare?.manageZoneSettings ? ["always_use_https", "min_tls_version", "tls_1_3"] : []);
  });

  it("proxies the site's name, through the edge Worker with its maintenance page exactly when failover is on", () => {
    expect(s.one("cloudflare_dns_record", "django_dns")).toMatchObject({ name: spec.domain, type: "A", proxied: true });
    if (failoverOn(spec)) {
      expect(s.one("cloudflare_workers_route").pattern).toBe(`${spec.domain}/*`);
      const content: string = s.one("cloudflare_workers_script").content;
      expect(content).toContain(`const HEALTH_PATH = ${JSON.stringify(spec.healthCheckPath ?? "/healthz")};`);
      expect(content).toContain(`<title>${spec.failover?.title ?? DEFAULTS.failover.title}</title>`);
    }
  });

  it("protects data exactly as the spec says", () => {
    const protect = spec.deletionProtection ?? true;
    for (const c of s.where("digitalocean_database_cluster")) expect(c.lifecycle.prevent_destroy).toBe(protect);
    for (const r of s.where("digitalocean_database_replica")) expect(r.lifecycle.prevent_destroy).toBe(protect);
    for (const b of s.where("digitalocean_spaces_bucket")) expect(b).toMatchObject({ force_destroy: !protect, lifecycle: { prevent_destroy: protect } });
  });

  it("has the same outputs, with the same names and sensitivity, as every stack", () => {
    // The application's outputs, written once (applicationOutputs); an AWS stack of the same spec gives the same (test/contract).
    expect(Object.keys(s.outputs).sort()).toEqual(OUTPUT_NAMES);
    for (const name of OUTPUT_NAMES) expect({ name, sensitive: s.outputs[name].sensitive }).toEqual({ name, sensitive: SENSITIVE_OUTPUTS.includes(name) });
    // The user's address in state, as `terraform state show` takes it, and the attribute.
    const [user] = Object.keys(s.resources("digitalocean_database_user"));
    expect(s.outputs.database_password_secret.value).toBe(`terraform-state:digitalocean_database_user.${user}.password`);
    expect(s.outputs.site_url.value).toBe(`https://${spec.domain}`);
  });

  it("holds no literal secret and no path of the machine it ran on; tokens come from the environment", () => {
    const text = JSON.stringify(s.json);
    expect(text).not.toMatch(/"(\/tmp|\/work|\/home|\/root|\/Users)\//);
    expect(s.json.provider).toEqual({ cloudflare: [{}], digitalocean: [{}], random: [{}], tls: [{}] });
    const userData = dropletUserData(s, "worker-pool");
    expect(userData).toMatch(/DATABASE_PASSWORD=\$\{digitalocean_database_user\.[\w-]+\.password\}/);
  });

  it("synthesises byte-identical output twice", () => {
    expect(JSON.stringify(synthDoEnvironment(spec).json)).toBe(JSON.stringify(s.json));
  });
});
