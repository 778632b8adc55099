import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone";
import { ALB_SSL_POLICY } from "../../modules/aws/load-balancer";
import { DR_ZONES } from "../../modules/aws/disaster-recovery";
import { OUTPUT_NAMES, SHIPPED_STACKS, Synth, decodeUserData, ref, synthAwsEnvironment } from "../helpers";
import { failoverOn, separateAppTier } from "../../modules/django/spec";


describe.each(SHIPPED_STACKS.filter((stack) => stack.cloud === "aws").map(({ spec }) => [spec.environment, spec] as const))("%s on AWS", (_name, spec) => {
  let s: Synth;
  beforeAll(() => {
    s = synthAwsEnvironment(spec);
  });
  const split = spec.layout === "split";
  // split and nginx-balanced: gunicorn on an app pool of its own.
  const separate = separateAppTier(spec.layout ?? "colocated");
  const roles = ["web", ...(separate ? ["app"] : []), "worker", ...(spec.pools.worker.beat === false ? [] : ["beat"])];
  const sg = (path: string) => ref(s.address("aws_security_group", path), "id");
  // The whole site behind CloudFront: the load balancer answers the site's distribution alone.
  const siteCdn = spec.cdn?.site === true;

  it("has every tier: network, load balancer, one pool per role, database, cache, buckets, CDN, DNS", () => {
    // With a disaster-recovery region, a VPC there too, of database subnets in two zones.
    const dr = spec.aws?.disasterRecoveryRegion !== undefined;
    expect(Object.keys(s.resources("aws_vpc"))).toHaveLength(dr ? 2 : 1);
    expect(s.where("aws_subnet")).toHaveLength(3 * (spec.network?.zones ?? 2) + (dr ? DR_ZONES : 0));
    expect(s.where("aws_lb")).toHaveLength(split ? 2 : 1);
    expect(s.where("aws_autoscaling_group").map((g) => g.name).sort()).toEqual(roles.map((r) => `shop-${spec.environment}-${r}`).sort());
    expect(s.where("aws_db_instance")).toHaveLength(1 + spec.postgres.replicas + (dr ? 1 : 0));
    expect(s.where("aws_db_proxy")).toHaveLength(spec.postgres.pooling ? 1 : 0);
    expect(s.where("aws_elasticache_replication_group")).toHaveLength(1);
    expect(s.where("aws_s3_bucket")).toHaveLength(failoverOn(spec) ? 3 : 2);
    // Media's and static's, and the maintenance site's or the whole site's (which serves the maintenance page then).
    expect(s.where("aws_cloudfront_distribution")).toHaveLength(failoverOn(spec) || siteCdn ? 3 : 2);
    expect(s.where("aws_acm_certificate")).toHaveLength(2);
  });

  it("configures the stack's region, the us-east-1 alias for CloudFront certificates, and the zone to look up", () => {
    const tags = { Application: "shop", Environment: spec.environment, ManagedBy: "cloudtiers" };
    expect(s.text).toHaveProviderWithProperties(AwsProvider, { region: spec.aws!.region, default_tags: [{ tags }] });
    expect(s.text).toHaveProviderWithProperties(AwsProvider, { alias: "us_east_1", region: "us-east-1", default_tags: [{ tags }] });
    expect(s.text).toHaveDataSourceWithProperties(DataAwsRoute53Zone, { name: spec.dnsZone, private_zone: false });
    expect(s.text).toHaveResourceWithProperties(LbListener, { port: 443, protocol: "HTTPS", ssl_policy: ALB_SSL_POLICY });
  });

  it("wires the public load balancer's HTTPS listener to a target group the web pool registers with", () => {
    const tg = s.address("aws_lb_target_group", "django_load-balancer");
    const https = s.one("aws_lb_listener", "django_load-balancer_https");
    if (siteCdn) {
      // Only what carries the distribution's header is forwarded; the rest is refused.
      expect(https.default_action[0]).toMatchObject({ type: "fixed-response", fixed_response: { status_code: "403" } });
      const [rule] = s.where("aws_lb_listener_rule");
      expect(rule).toMatchObject({ listener_arn: ref(s.address("aws_lb_listener", "django_load-balancer_https"), "arn"), action: [{ type: "forward", target_group_arn: ref(tg, "arn") }] });
    } else {
      expect(https.default_action[0].target_group_arn).toBe(ref(tg, "arn"));
    }
    expect(s.one("aws_autoscaling_group", "web-pool").target_group_arns).toEqual([ref(tg, "arn")]);
    if (split) {
      const internal = s.address("aws_lb_target_group", "internal-load-balancer");
      expect(s.one("aws_autoscaling_group", "app-pool").target_group_arns).toEqual([ref(internal, "arn")]);
      expect(s.one("aws_lb_listener", "internal-load-balancer_tcp").default_action[0].target_group_arn).toBe(ref(internal, "arn"));
    }
    for (const role of ["worker", "beat"].filter((r) => roles.includes(r))) {
      expect(s.one("aws_autoscaling_group", `${role}-pool`).target_group_arns).toBeUndefined();
    }
  });

  it("replaces hosts on their own health: split and nginx-balanced web hosts are not replaced for an app-tier outage; beat never runs twice", () => {
    expect(s.one("aws_autoscaling_group", "web-pool").health_check_type).toBe(separate ? "EC2" : "ELB");
    // nginx-balanced app hosts are behind no load balancer: the machine's own health.
    if (separate) expect(s.one("aws_autoscaling_group", "app-pool").health_check_type).toBe(split ? "ELB" : "EC2");
    if (roles.includes("beat")) {
      expect(s.one("aws_autoscaling_group", "beat-pool")).toMatchObject({ min_size: 1, max_size: 1, suspended_processes: ["AZRebalance"] });
    }
  });

  it("chains security groups internet (or CloudFront) → load balancer → web (→ internal LB → app) → Postgres/Valkey, and nothing else comes in", () => {
    const lb = sg("django_load-balancer_security-group");
    const appHosts = separate ? ["app-pool"] : ["web-pool"];
    const djangoHosts = [...appHosts, ...roles.filter((r) => r === "worker" || r === "beat").map((r) => `${r}-pool`)];
    const edges = s.where("aws_vpc_security_group_ingress_rule").map((r) => [r.security_group_id, r.referenced_security_group_id ?? r.cidr_ipv4 ?? r.prefix_list_id, r.from_port]);
    const cloudfront = ref(`data.aws_ec2_managed_prefix_list.${Object.keys(s.data("aws_ec2_managed_prefix_list"))[0]}`, "id");
    const expected: unknown[][] = [
      ...(siteCdn
        ? [[lb, cloudfront, 443]]
        : [
            [lb, "0.0.0.0/0", 443],
            [lb, "0.0.0.0/0", 80],
          ]),
      [sg("web-pool"), lb, 80],
    ];
    if (split) {
      const nlb = sg("internal-load-balancer");
      expected.push([nlb, sg("web-pool"), 80], [sg("app-pool"), nlb, 8000]);
    } else if (separate) {
      // nginx-balanced: the web hosts straight to the app hosts' gunicorn.
      expected.push([sg("app-pool"), sg("web-pool"), 8000]);
    }
    const postgres = sg("postgres_security-group");
    const cache = sg("cache_security-group");
    for (const host of djangoHosts) {
      expected.push([postgres, sg(host), 5432], [cache, sg(host), 6379]);
      if (spec.postgres.pooling) expected.push([sg("postgres_pooler-security-group"), sg(host), 5432]);
    }
    if (spec.postgres.pooling) expected.push([postgres, sg("postgres_pooler-security-group"), 5432]);
    // A RabbitMQ broker admits the Django hosts on AMQPS.
    if (spec.broker?.engine === "rabbitmq") for (const host of djangoHosts) expected.push([sg("broker_security-group"), sg(host), 5671]);
    // The database setup's function, to the primary.
    expected.push([postgres, sg("postgres_setup_security-group"), 5432]);
    const key = (e: unknown[]) => JSON.stringify(e);
    expect(edges.map(key).sort()).toEqual(expected.map(key).sort());
  });

  it("opens nothing to the internet but the public load balancer's 80 and 443 (nothing at all behind CloudFront), and no SSH anywhere", () => {
    const open = s.where("aws_vpc_security_group_ingress_rule").filter((r) => r.cidr_ipv4 || r.cidr_ipv6);
    expect(open.map((r) => r.from_port).sort()).toEqual(siteCdn ? [] : [443, 80]);
    expect(s.where("aws_vpc_security_group_ingress_rule").filter((r) => r.from_port === 22)).toHaveLength(0);
    expect(s.where("aws_security_group").every((g) => g.ingress === undefined && g.egress === undefined)).toBe(true);
    for (const lt of s.where("aws_launch_template")) expect(lt.key_name).toBeUndefined();
  });

  it("points every read replica at the primary", () => {
    const primary = s.address("aws_db_instance", "postgres_primary");
    const replicas = s.where("aws_db_instance", "postgres_replica");
    expect(replicas).toHaveLength(spec.postgres.replicas);
    for (const r of replicas) expect(r.replicate_source_db).toBe(ref(primary, "identifier"));
  });

  it("checks one health path everywhere: every target group, the DNS failover and nginx", () => {
    const path = spec.healthCheckPath ?? "/healthz";
    const groups = s.where("aws_lb_target_group");
    expect(groups.length).toBeGreaterThan(0);
    for (const tg of groups) expect(tg.health_check.path).toBe(path);
    for (const hc of s.where("aws_route53_health_check")) expect(hc.resource_path).toBe(path);
    const web = decodeUserData(s.one("aws_launch_template", "web-pool"));
    expect(web).toContain(`location = ${path} {`);
  });

  it("routes DNS through the health-checked failover pair exactly when failover is on, or to the site's distribution", () => {
    const records = s.where("aws_route53_record").filter((r) => r.name === spec.domain);
    if (siteCdn) {
      const site = s.address("aws_cloudfront_distribution", "dns_cdn");
      expect(records.map((r) => [r.type, r.alias.name, r.health_check_id]).sort()).toEqual([
        ["A", ref(site, "domain_name"), undefined],
        ["AAAA", ref(site, "domain_name"), undefined],
      ]);
      // CloudFront is the failover: only the alarms' own check of the site, through it.
      expect(s.where("aws_route53_health_check").map((hc) => hc.fqdn)).toEqual(spec.alerts ? [spec.domain] : []);
    } else if (failoverOn(spec)) {
      const hc = ref(s.address("aws_route53_health_check"), "id");
      expect(records.map((r) => r.failover_routing_policy?.type).sort()).toEqual(["PRIMARY", "SECONDARY"]);
      expect(records.find((r) => r.set_identifier === "primary")!.health_check_id).toBe(hc);
      expect(s.one("aws_route53_health_check").resource_path).toBe("/healthz");
    } else {
      expect(records).toHaveLength(1);
      expect(records[0].health_check_id).toBeUndefined();
      // Only the alarms' own check of the site, where the spec has alerts.
      expect(s.where("aws_route53_health_check").map((hc) => hc.fqdn)).toEqual(spec.alerts ? [spec.domain] : []);
    }
  });

  it("protects data exactly as the spec says", () => {
    const protect = spec.deletionProtection ?? true;
    for (const db of s.where("aws_db_instance")) {
      expect(db.deletion_protection).toBe(protect);
      expect(db.lifecycle.prevent_destroy).toBe(protect);
    }
    expect(s.one("aws_db_instance", "postgres_primary").multi_az).toBe(spec.postgres.highAvailability);
    expect(s.one("aws_elasticache_replication_group").lifecycle.prevent_destroy).toBe(protect);
    for (const purpose of ["media", "static"]) {
      expect(s.one("aws_s3_bucket", `django_${purpose}`)).toMatchObject({ force_destroy: !protect, lifecycle: { prevent_destroy: protect } });
    }
  });

  it("gives the app every output it needs, secrets-bearing ones marked sensitive", () => {
    expect(Object.keys(s.outputs).sort()).toEqual(OUTPUT_NAMES);
    for (const name of ["database_url", "database_replica_urls", "redis_url"]) expect(s.outputs[name].sensitive).toBe(true);
    expect(s.outputs.site_url.value).toBe(`https://${spec.domain}`);
    expect(s.outputs.database_replica_urls.value).toHaveLength(spec.postgres.replicas);
    const writer = spec.postgres.pooling ? ref(s.address("aws_db_proxy"), "endpoint") : ref(s.address("aws_db_instance", "postgres_primary"), "address");
    expect(s.outputs.database_url.value).toBe(`postgres://app@${writer}:5432/app?sslmode=require`);
  });

  it("holds no literal secret and no path of the machine it ran on", () => {
    const text = JSON.stringify(s.json);
    const generated = (path: string) => ref(s.address("random_password", path), "result");
    expect(s.one("aws_db_instance", "postgres_primary").password).toBe(generated("postgres_credentials"));
    for (const replica of s.where("aws_db_instance", "postgres_replica")) expect(replica.password).toBeUndefined();
    expect(s.one("aws_elasticache_replication_group").auth_token).toBe(generated("cache_auth-token"));
    for (const version of s.where("aws_secretsmanager_secret_version")) expect(version.secret_string).toMatch(/^\$\{jsonencode\(\{.*random_password\.[\w-]+\.result\}\)\}$/);
    expect(text).not.toMatch(/"(\/tmp|\/work|\/home|\/root|\/Users)\//);
    expect(text).not.toMatch(/AKIA[0-9A-Z]{16}/);
    expect(s.json.terraform.backend).toEqual({ local: { path: `../../../terraform.${spec.environment}-aws.tfstate` } });
  });

  it("synthesises byte-identical output twice", () => {
    expect(JSON.stringify(synthAwsEnvironment(spec).json)).toBe(JSON.stringify(s.json));
  });
});
