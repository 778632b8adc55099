import { dev } from "../../environments/dev";
import { production } from "../../environments/production";
import { staging } from "../../environments/staging";
import { ICache, IObjectStoreCdn, IPostgresCluster } from "../../modules/core";
import { appConfiguration } from "../../modules/django/configuration";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { dropletUserData, synthDoEnvironment } from "../helpers";
import { blockOf, checkValues, evaluate, expectModuleCalls, expectRefused, localsOf, problemsIn, useModule } from "./support";

/** The module's inputs for a shipped environment's spec (its `digitalocean` and `cloudflare` sections included): what a team moving from the stacks to the module would pass. */
function inputsOf(spec: EnvironmentSpec): Record<string, unknown> {
  const pool = (p: { size: string; min: number; max: number; cpuTargetPercent?: number } | undefined) =>
    p && { size: p.size, min: p.min, max: p.max, cpu_target_percent: p.cpuTargetPercent };
  const pg = spec.postgres;
  const digitalocean = spec.digitalocean!;
  const cloudflare = spec.cloudflare!;
  const inputs: Record<string, unknown> = {
    name_prefix: `${spec.application.name}-${spec.environment}`,
    domain: spec.domain,
    region: digitalocean.region,
    account_id: cloudflare.accountId,
    zone_id: cloudflare.zoneId,
    cidr: spec.network?.cidr,
    layout: spec.layout,
    container_image: spec.application.image,
    wsgi_module: spec.application.wsgiModule,
    celery_app: spec.application.celeryApp,
    settings_module: spec.application.settingsModule,
    environment: spec.application.settings ?? {},
    health_check_path: spec.healthCheckPath,
    ssh_keys: digitalocean.sshKeys,
    admin_cidrs: digitalocean.adminCidrs,
    project_id: digitalocean.projectId,
    pools: { web: pool(spec.pools.web), app: pool(spec.pools.app), worker: { ...pool(spec.pools.worker), concurrency: spec.pools.worker.concurrency, beat: spec.pools.worker.beat } },
    postgres: {
      size: pg.size,
      replica_size: pg.replicaSize,
      version: pg.version,
      high_availability: pg.highAvailability,
      replicas: pg.replicas,
      pooling: pg.pooling,
      disaster_recovery_region: digitalocean.disasterRecoveryRegion,
    },
    cache: { size: spec.cache.size, version: spec.cache.version, high_availability: spec.cache.highAvailability },
    cdn: { media_domain: spec.cdn?.mediaDomain, static_domain: spec.cdn?.staticDomain },
    load_balancer_size_unit: digitalocean.loadBalancerSizeUnit,
    failover: spec.failover ? { enabled: true, ...spec.failover } : { enabled: false },
    deletion_protection: spec.deletionProtection,
  };
  // Left out, an input takes its default (nested fields left out are dropped on the way as JSON).
  return Object.fromEntries(Object.entries(inputs).filter(([, value]) => value !== undefined));
}

/** The names of the environment a DigitalOcean stack writes into a pool's user data, in order. */
function environmentNames(userData: string): string[] {
  const body = userData.slice(userData.indexOf("<<'CLOUDTIERS_ENV'\n") + "<<'CLOUDTIERS_ENV'\n".length);
  const lines = body.split("\n").map((l) => l.trim());
  return lines.slice(0, lines.indexOf("CLOUDTIERS_ENV")).map((l) => l.slice(0, l.indexOf("=")));
}

describe("the DigitalOcean topology module (cloudtiers-django)", () => {
  const { module, read } = useModule("cloudtiers-django", "digitalocean");
  const main = read("main.tf");
  const call = (name: string) => blockOf(main, `module "${name}"`);
  const required = {
    name_prefix: "shop-production",
    domain: "www.example.com",
    region: "fra1",
    account_id: "0123456789abcdef0123456789abcdef",
    zone_id: "fedcba9876543210fedcba9876543210",
    container_image: "ghcr.io/acme/shop:1.4.2",
    wsgi_module: "shop.wsgi:application",
    celery_app: "shop",
    ssh_keys: ["12345678"],
  };

  it("calls every tier's module from modules/, and counts the optional ones by the layout, beat and failover", () => {
    const sources: Record<string, string> = {
      network: "network",
      certificate: "certificate",
      postgres: "postgres",
      cache: "cache",
      media: "object-store",
      static: "object-store",
      load_balancer: "load-balancer",
      internal_load_balancer: "internal-load-balancer",
      web_pool: "compute-pool",
      app_pool: "compute-pool",
      worker_pool: "compute-pool",
      beat_pool: "compute-pool",
      dns_failover: "dns-failover",
    };
    const counted: Record<string, string> = {
      internal_load_balancer: 'count = (var.layout == "split") ? 1 : 0',
      app_pool: 'count = (var.layout == "split") ? 1 : 0',
      beat_pool: "count = var.pools.worker.beat ? 1 : 0",
      dns_failover: "count = var.failover.enabled ? 1 : 0",
    };
    expectModuleCalls(main, sources, counted);
    // Without failover, one proxied record of the load balancer, as the stacks make it.
    const site = blockOf(main, 'resource "cloudflare_dns_record" "site"');
    for (const line of [
      "count = !var.failover.enabled ? 1 : 0",
      "content = module.load_balancer.ip",
      "name = var.domain",
      "proxied = true",
      "ttl = 1",
      'type = "A"',
      "zone_id = var.zone_id",
      'comment = "${var.name_prefix}: the load balancer"',
    ]) {
      expect(site).toContain(line);
    }
    // With it, the Cloudflare failover: the record, the site's edge Worker and its route, in one module.
    expect(module.files).toEqual(expect.arrayContaining(["modules/dns-failover/main.tf", "modules/internal-load-balancer/main.tf"]));
    expect(module.files.filter((f) => f.startsWith("modules/dns-failover/modules/"))).toEqual([]);
    const dns = call("dns_failover");
    for (const line of [
      "origin_address = module.load_balancer.ip",
      "record_name = var.domain",
      "account_id = var.account_id",
      "zone_id = var.zone_id",
      "health_check_path = var.health_check_path",
      "maintenance_title = var.failover.title",
      "maintenance_message = var.failover.message",
    ]) {
      expect(dns).toContain(line);
    }
    expect(dns).not.toContain("maintenance_hostname");
    // The zone's encryption mode, Full (strict), which the origin needs: set with the record when failover is off (the
    // dns-failover module sets it otherwise); the zone's other TLS settings are the zone's owner's, not the module's.
    const ssl = blockOf(main, 'resource "cloudflare_zone_setting" "ssl"');
    for (const line of ['setting_id = "ssl"', 'value = "strict"', "zone_id = var.zone_id", "count = !var.failover.enabled ? 1 : 0"]) expect(ssl).toContain(line);
    expect(site).toContain("depends_on = [ cloudflare_zone_setting.ssl, ]");
    expect(main.match(/resource "cloudflare_zone_setting"/g)).toHaveLength(1);
    expect(read("modules/dns-failover/main.tf")).toContain('resource "cloudflare_zone_setting" "dns_ssl"');
  });

  it("needs the digitalocean, cloudflare and tls providers, and presents an Origin CA certificate on the load balancer only", () => {
    const versions = read("versions.tf");
    for (const source of ["digitalocean/digitalocean", "cloudflare/cloudflare", "hashicorp/tls"]) expect(versions).toContain(`source  = "${source}"`);
    expect(versions).not.toContain("hashicorp/random");
    expect(versions).not.toContain("configuration_aliases");
    const certificate = call("certificate");
    for (const line of ["domain_name = var.domain", 'use = "load-balancer"']) expect(certificate).toContain(line);
    expect(certificate).not.toContain("alternative_names");
    expect(call("load_balancer")).toContain("certificate_name = module.certificate.name");
    expect(main).not.toMatch(/^\s*providers\s*=/m);
  });

  it("puts the web pool behind the load balancer by its tag, and in the split layout the app pool behind the internal one", () => {
    const web = call("web_pool");
    for (const line of ['role = "web"', "load_balancer_ids = [ module.load_balancer.id, ]", "vpc_uuid = module.network.vpc_uuid", "size = var.pools.web.size", "droplet_size = var.pools.web.droplet_size"]) {
      expect(web).toContain(line);
    }
    expect(web).not.toContain("allowed_droplet_tags");
    const lb = call("load_balancer");
    for (const line of ["droplet_tag = module.web_pool.tag", "target_port = 80", "vpc_uuid = module.network.vpc_uuid", "region = var.region", "size_unit = var.load_balancer_size_unit", "project_id = var.project_id"]) {
      expect(lb).toContain(line);
    }
    const internal = call("internal_load_balancer");
    for (const line of ['droplet_tag = (var.layout == "split") ? module.app_pool[0].tag : null', "cidr = module.network.cidr", "target_port = 8000", "size_unit = var.load_balancer_size_unit", "health_check_path = var.health_check_path"]) {
      expect(internal).toContain(line);
    }
    expect(call("app_pool")).toContain('load_balancer_ids = (var.layout == "split") ? [module.internal_load_balancer[0].id] : []');
    for (const [name, role, sizes] of [["worker_pool", "worker", "var.pools.worker"], ["app_pool", "app", "var.pools.app"]]) {
      for (const line of [`role = "${role}"`, `size = ${sizes}.size`, `min_instances = ${sizes}.min`, `max_instances = ${sizes}.max`, `cpu_target_percent = ${sizes}.cpu_target_percent`, `droplet_size = ${sizes}.droplet_size`]) {
        expect(call(name)).toContain(line);
      }
    }
    expect(call("worker_pool")).not.toContain("load_balancer_ids");
    for (const line of ['role = "beat"', 'size = "small"', "min_instances = 1", "max_instances = 1"]) expect(call("beat_pool")).toContain(line);
    for (const name of ["web_pool", "app_pool", "worker_pool", "beat_pool"]) {
      for (const line of ["ssh_keys = var.ssh_keys", "admin_cidrs = var.admin_cidrs", "project_id = var.project_id", "layout = var.layout", "worker_concurrency = var.pools.worker.concurrency"]) expect(call(name)).toContain(line);
    }
  });

  it("builds the internal load balancer as the stacks' DoLoadBalancer builds it: TCP pass-through on 80 inside the VPC, admitting the VPC's range", () => {
    const lb = blockOf(read("modules/internal-load-balancer/main.tf"), 'resource "digitalocean_loadbalancer" "load_balancer_load_balancer"');
    for (const line of [
      'forwarding_rule { entry_port = 80 entry_protocol = "tcp" target_port = var.target_port target_protocol = "tcp" }',
      'firewall { allow = [ "cidr:${var.cidr}" ] }',
      'network = "INTERNAL"',
      'name = "${var.name_prefix}-int"',
      "droplet_tag = var.droplet_tag",
      "redirect_http_to_https = false",
      "enable_backend_keepalive = false",
      "size_unit = var.size_unit",
      "project_id = var.project_id",
      'healthcheck { check_interval_seconds = 10 healthy_threshold = 2 path = var.health_check_path port = var.target_port protocol = "http" response_timeout_seconds = 5 unhealthy_threshold = 3 }',
    ]) {
      expect(lb).toContain(line);
    }
    expect(lb).not.toContain("certificate_name");
    expect(read("modules/internal-load-balancer/outputs.tf")).toContain('value       = "${digitalocean_loadbalancer.load_balancer_load_balancer.ip}:80"');
    // What the production stack's internal load balancer has, in the same words.
    const stack = synthDoEnvironment(production).one("digitalocean_loadbalancer", "internal-load-balancer");
    expect(stack.forwarding_rule).toEqual([{ entry_port: 80, entry_protocol: "tcp", target_port: 8000, target_protocol: "tcp" }]);
    expect(stack.firewall).toEqual({ allow: ["cidr:10.30.0.0/16"] });
    expect(stack.network).toBe("INTERNAL");
  });

  it("trusts the tags of the droplets that run Django at the database and the cache", () => {
    const tags = 'concat((var.layout == "split") ? [module.app_pool[0].tag] : [module.web_pool.tag], [module.worker_pool.tag], var.pools.worker.beat ? [module.beat_pool[0].tag] : [])';
    for (const tier of ["postgres", "cache"]) {
      expect(call(tier)).toContain(`allowed_droplet_tags = ${tags}`);
      expect(call(tier)).toContain("vpc_uuid = module.network.vpc_uuid");
      expect(call(tier)).toContain("project_id = var.project_id");
    }
    for (const line of ["disaster_recovery_region = var.postgres.disaster_recovery_region", "node_size = var.postgres.node_size", "replicas = var.postgres.replicas", "pooling = var.postgres.pooling"]) {
      expect(call("postgres")).toContain(line);
    }
    // The production stack admits the same droplets: app, worker and beat in the split layout.
    const stack = synthDoEnvironment(production);
    const tag = (pool: string) => `\${${stack.address("digitalocean_tag", `${pool}_tag`)}.name}`;
    const admitted = ["app-pool", "worker-pool", "beat-pool"].map((pool) => ({ type: "tag", value: tag(pool) }));
    // The stack's primary also admits its database setup's droplet, which the module does not make.
    const setup = { type: "tag", value: `\${${stack.address("digitalocean_tag", "postgres_setup_tag")}.name}` };
    for (const firewall of [...stack.where("digitalocean_database_firewall", "postgres"), ...stack.where("digitalocean_database_firewall", "cache")]) {
      expect(firewall.rule.filter((r: { value: string }) => r.value !== setup.value)).toEqual(admitted);
    }
  });

  it("gives app, worker and beat droplets the stacks' environment and secrets, and split-layout web droplets only the app tier's address", () => {
    for (const name of ["app_pool", "worker_pool", "beat_pool"]) {
      expect(call(name)).toContain("environment = local.app_environment");
      expect(call(name)).toContain("secrets = local.app_secrets");
    }
    const web = call("web_pool");
    expect(web).toContain('environment = (var.layout == "split") ? tomap({ "APP_UPSTREAM" = module.internal_load_balancer[0].upstream }) : local.app_environment');
    expect(web).toContain('secrets = (var.layout == "split") ? {} : local.app_secrets');

    // The same names as the production stack's droplets get, the secrets last (the stacks write them after the settings).
    const stack = synthDoEnvironment(production);
    const names = (pool: string) => environmentNames(dropletUserData(stack, pool));
    const locals = localsOf(main);
    const local = (name: string) => locals.slice(locals.indexOf(`  ${name} = {`), locals.indexOf("\n  }\n", locals.indexOf(`  ${name} = {`)));
    const settingNames = [...local("app_settings").matchAll(/^ {4}([A-Z_]+)\s+=/gm)].map((m) => m[1]);
    // The module's own secrets, then the caller's (`var.secrets`: the stacks' application.secrets).
    const secretsLocal = locals.match(/^ {2}app_secrets += merge\((\{.*\}), var\.secrets\)$/m);
    expect(secretsLocal).not.toBeNull();
    const secretNames = [...secretsLocal![1].matchAll(/"([A-Z_]+)" = /g)].map((m) => m[1]);
    expect(secretNames.sort()).toEqual(["DATABASE_PASSWORD", "MEDIA_SECRET_ACCESS_KEY", "REDIS_PASSWORD", "STATIC_SECRET_ACCESS_KEY"]);
    const applicationSecrets = Object.keys(production.application.secrets ?? {});
    for (const pool of ["app-pool", "worker-pool", "beat-pool"]) {
      const stackNames = names(pool).filter((n) => !applicationSecrets.includes(n));
      expect(stackNames.slice(0, -secretNames.length).sort()).toEqual([...settingNames].sort());
      expect(stackNames.slice(-secretNames.length).sort()).toEqual([...secretNames].sort());
      expect(names(pool).slice(-applicationSecrets.length)).toEqual(applicationSecrets);
    }
    expect(names("web-pool")).toEqual(["APP_UPSTREAM"]);
  });

  it("builds the environment and the secrets in Terraform as appConfiguration builds them for the stacks", () => {
    // The submodules' outputs stand in as text (`<postgres.write_host>`), the replicas and the write port as variables.
    const locals = localsOf(main)
      .replace(/module\.postgres\.replica_hosts/g, "var.replica_hosts")
      .replace(/module\.postgres\.write_port/g, "var.write_port")
      .replace(/module\.([a-z_]+)\.([a-z_]+)/g, '"<$1.$2>"');
    const variables = `${read("variables.tf")}\nvariable "replica_hosts" {\n  type = list(string)\n}\nvariable "write_port" {\n  type = number\n}\n`;
    const fakeTiers = (replicaHosts: string[], writePort: number) => {
      const never = () => {
        throw new Error("not wired here");
      };
      const postgres: IPostgresCluster = {
        port: 25060,
        primary: { host: "<postgres.primary_host>", port: 25060 },
        pooler: { host: "<postgres.write_host>", port: writePort },
        replicas: replicaHosts.map((host) => ({ host, port: 25060 })),
        databaseName: "app",
        username: "app",
        password: { store: "terraform-state", id: "<postgres.password>" },
        allowFrom: never,
      };
      const cache: ICache = { port: 25061, endpoint: { host: "<cache.host>", port: 25061 }, tls: true, password: { store: "terraform-state", id: "<cache.password>" }, allowFrom: never };
      const store = (purpose: "media" | "static"): IObjectStoreCdn => ({
        purpose,
        bucketName: `<${purpose}.bucket_name>`,
        region: `<${purpose}.region>`,
        endpointUrl: `<${purpose}.endpoint_url>`,
        cdnDomain: `<${purpose}.cdn_domain>`,
        objectAcl: "<media.object_acl>" as IObjectStoreCdn["objectAcl"],
        accessKey: { id: `<${purpose}.access_key_id>`, secret: { store: "terraform-state", id: `<${purpose}.secret_access_key>` } },
        grantReadWrite: never,
      });
      return { postgres, cache, media: store("media"), staticFiles: store("static") };
    };
    const cases: { replicas: string[]; writePort: number; settingsModule?: string; extra: Record<string, string>; own: Record<string, string> }[] = [
      { replicas: [], writePort: 25060, extra: { DJANGO_DEBUG: "false" }, own: {} },
      { replicas: ["replica-1.example", "replica-2.example"], writePort: 25061, settingsModule: "shop.settings.production", extra: {}, own: { DJANGO_SECRET_KEY: "<random_password.result>" } },
    ];
    for (const { replicas, writePort, settingsModule, extra, own } of cases) {
      const values = { ...required, replica_hosts: replicas, write_port: writePort, environment: extra, secrets: own, ...(settingsModule ? { settings_module: settingsModule } : {}) };
      const extraSecrets = Object.entries(own).map(([name, id]) => ({ name, secret: { store: "terraform-state", id } }));
      const expected = appConfiguration({ domain: required.domain, ...fakeTiers(replicas, writePort), settingsModule, extra, extraSecrets });
      const environment = JSON.parse(evaluate(variables, locals, "jsonencode(local.app_environment)", values));
      expect(environment).toEqual(Object.fromEntries(expected.settings.map((s) => [s.name, s.value])));
      // The caller's secrets make the whole map sensitive, as they are.
      const secrets = JSON.parse(evaluate(variables, locals, "nonsensitive(jsonencode(local.app_secrets))", values));
      expect(secrets).toEqual(Object.fromEntries(expected.secrets.map((s) => [s.name, s.secret.id])));
    }
  });

  it("protects the buckets by deletion_protection, on by default, and serves them with CORS for the site", () => {
    for (const name of ["media", "static"]) {
      expect(call(name)).toContain("deletion_protection = var.deletion_protection");
      expect(call(name)).toContain('cors_origins = coalesce(var.cors_origins, [format("https://%s", var.domain)])');
      expect(call(name)).toContain("region = var.region");
    }
    expect(call("media")).toContain('cdn_domain = coalesce(var.cdn.media_domain, format("media.%s", var.domain))');
    expect(call("static")).toContain('cdn_domain = coalesce(var.cdn.static_domain, format("static.%s", var.domain))');
    expect(blockOf(read("variables.tf"), 'variable "deletion_protection"')).toContain("default = true");
    expect(read("modules/object-store/main.tf")).toContain("force_destroy = !var.deletion_protection");
  });

  it("outputs what the stacks output, the secrets and their URLs sensitive", () => {
    const outputs = read("outputs.tf");
    const stack = synthDoEnvironment(production);
    for (const name of Object.keys(stack.outputs)) expect(outputs).toContain(`output "${name}" {`);
    for (const name of ["database_url", "database_replica_urls", "redis_url", "database_password", "redis_password"]) expect(blockOf(outputs, `output "${name}"`)).toContain("sensitive = true");
    expect(blockOf(outputs, 'output "database_url"')).toContain('value = "postgres://app@${module.postgres.write_host}:${module.postgres.write_port}/app?sslmode=require"');
    expect(blockOf(outputs, 'output "database_replica_urls"')).toContain('value = formatlist("postgres://app@%s:25060/app?sslmode=require", module.postgres.replica_hosts)');
    expect(blockOf(outputs, 'output "redis_url"')).toContain('value = "rediss://${module.cache.host}:25061/0"');
    expect(blockOf(outputs, 'output "database_password_secret"')).toContain('value = "terraform-state:module.postgres.password"');
    expect(blockOf(outputs, 'output "edge_worker_script_name"')).toContain("value = var.failover.enabled ? module.dns_failover[0].worker_script_name : null");
  });

  it("accepts the shipped environments' values", () => {
    for (const spec of [dev, staging, production]) expect({ environment: spec.environment, problems: problemsIn(checkValues(module, inputsOf(spec))) }).toEqual({ environment: spec.environment, problems: [] });
  });

  it("refuses what the spec refuses, with the rules' messages", () => {
    expectRefused(
      module,
      {
        ...required,
        name_prefix: "shop-a-very-long-environment",
        region: "mars1",
        account_id: "acme",
        zone_id: "example.com",
        cidr: "10.0.0.0/8",
        layout: "mixed",
        settings_module: "shop/settings",
        environment: { DATABASE_PASSWORD: "hunter2", debug: "1" },
        ssh_keys: [],
        admin_cidrs: ["everyone"],
        project_id: "default",
        pools: { web: { size: "huge", min: 4, max: 2 }, app: { cpu_target_percent: 95, droplet_size: "Big" }, worker: { min: 0, concurrency: 0 } },
        postgres: { version: "14", replicas: 9, replica_size: "tiny", node_size: "DB", disaster_recovery_region: "mars1" },
        cache: { version: "6", node_size: "Cache_1" },
        cdn: { media_domain: "Media.example.com" },
        load_balancer_size_unit: 101,
        cors_origins: ["http://www.example.com"],
        failover: { enabled: true, title: " " },
      },
      [
        "The name_prefix must be at most 24 characters.",
        "The region must be one of",
        "The account_id must be a Cloudflare account id (32 hexadecimal characters).",
        "The zone_id must be a Cloudflare zone id (32 hexadecimal characters).",
        "The cidr must be a /16 to /19 block.",
        'The layout must be one of "colocated", "split".',
        'The settings_module must be a Python module path such as "shop.settings.production".',
        "No key of environment may be one the module sets itself: DJANGO_ALLOWED_HOSTS,",
        "Every key of environment must be named like an environment variable",
        "The ssh_keys must hold at least 1 key.",
        'Every item of admin_cidrs must be an IPv4 CIDR block such as "203.0.113.0/24".',
        "The project_id must be a project id (a UUID).",
        'The pools.web.size must be one of "small", "medium", "large", "xlarge".',
        "The pools.web.max must be at least pools.web.min.",
        "The pools.app.cpu_target_percent must be a whole number between 10 and 90.",
        'The pools.app.droplet_size must be a droplet size slug such as "s-2vcpu-4gb".',
        "The pools.worker.min must be a whole number between 1 and 100.",
        "The pools.worker.concurrency must be a whole number between 1 and 64.",
        'The postgres.version must be one of "15", "16", "17".',
        "The postgres.replicas must be a whole number between 0 and 5.",
        'The postgres.replica_size must be one of "small", "medium", "large", "xlarge".',
        'The postgres.node_size must be a DigitalOcean size slug such as "db-s-2vcpu-4gb".',
        "The postgres.disaster_recovery_region must be one of",
        'The cache.version must be one of "7", "8".',
        'The cache.node_size must be a DigitalOcean size slug such as "db-s-1vcpu-2gb".',
        'The cdn.media_domain must be a lower-case domain name such as "www.example.com".',
        "The load_balancer_size_unit must be a whole number between 1 and 100.",
        'Every item of cors_origins must be an https origin such as "https://www.example.com".',
        "The failover.title must be text of 1 to 500 characters.",
      ],
    );
    expect(checkValues(module, { ...required, environment: { NOTE: "two\nlines" } })).toContain("Every value of environment must be a single line.");
    // Unlike AWS's, DigitalOcean's autoscale pools keep one droplet at least: a worker pool may not scale to zero.
    expect(problemsIn(checkValues(module, { ...required, pools: { worker: { min: 1 } }, postgres: { disaster_recovery_region: "ams3" }, project_id: "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b" }))).toEqual([]);
  });
});
