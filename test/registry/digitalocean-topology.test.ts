import { dev } from "../../environments/dev";
import { production } from "../../environments/production";
import { staging } from "../../environments/staging";
import { ICache, IObjectStoreCdn, IPostgresCluster } from "../../modules/core";
import { appConfiguration } from "../../modules/django/configuration";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { Config, dropletUserData, synthDoEnvironment } from "../helpers";
import { READ_TOKEN } from "../../modules/digitalocean/compute-pool";
import { checkValues, expectShippedValues, evaluate, expectModuleCalls, inEachLayout, expectRefused, expr, localsOf, problemsIn, topologyDefaults, useModule } from "./support";

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
  const { module, read, hcl } = useModule("cloudtiers-django", "digitalocean");
  const call = (name: string): Config => hcl("main.tf").json.module[name];
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
      internal_load_balancer: '(var.layout == "split") ? 1 : 0',
      app_pool: '((var.layout == "split") || (var.layout == "nginx-balanced")) ? 1 : 0',
      beat_pool: "var.pools.worker.beat ? 1 : 0",
      dns_failover: "var.failover.enabled ? 1 : 0",
    };
    const main = hcl("main.tf");
    expectModuleCalls(main, sources, counted);
    // Without failover, one proxied record of the load balancer, as the stacks make it.
    expect(main.resources("cloudflare_dns_record").site).toMatchObject({
      count: expr("!var.failover.enabled ? 1 : 0"),
      content: expr("module.load_balancer.ip"),
      name: expr("var.domain"),
      proxied: true,
      ttl: 1,
      type: "A",
      zone_id: expr("var.zone_id"),
      comment: "${var.name_prefix}: the load balancer",
      depends_on: [expr("cloudflare_zone_setting.ssl")],
    });
    // With it, the Cloudflare failover: the record, the site's edge Worker and its route, in one module.
    expect(module.files).toEqual(expect.arrayContaining(["modules/dns-failover/main.tf", "modules/internal-load-balancer/main.tf"]));
    expect(module.files.filter((f) => f.startsWith("modules/dns-failover/modules/"))).toEqual([]);
    const dns = call("dns_failover");
    expect(dns).toMatchObject({
      origin_address: expr("module.load_balancer.ip"),
      record_name: expr("var.domain"),
      account_id: expr("var.account_id"),
      zone_id: expr("var.zone_id"),
      health_check_path: expr("var.health_check_path"),
      maintenance_title: expr("var.failover.title"),
      maintenance_message: expr("var.failover.message"),
    });
    expect(dns.maintenance_hostname).toBeUndefined();
    // The zone's encryption mode, Full (strict), which the origin needs: set with the record when failover is off (the
    // dns-failover module sets it otherwise); the zone's other TLS settings are the zone's owner's, not the module's.
    expect(main.resources("cloudflare_zone_setting")).toEqual({ ssl: { setting_id: "ssl", value: "strict", zone_id: expr("var.zone_id"), count: expr("!var.failover.enabled ? 1 : 0") } });
    expect(Object.keys(hcl("modules/dns-failover/main.tf").resources("cloudflare_zone_setting"))).toEqual(["dns_ssl"]);
  });

  it("needs the digitalocean, cloudflare and tls providers, and presents an Origin CA certificate on the load balancer only", () => {
    const providers: Config[] = Object.values(hcl("versions.tf").json.terraform.required_providers[0]);
    expect(providers.map((p) => p.source).sort()).toEqual(["cloudflare/cloudflare", "digitalocean/digitalocean", "hashicorp/tls"]);
    expect(providers.filter((p) => p.configuration_aliases)).toEqual([]);
    const certificate = call("certificate");
    expect(certificate).toMatchObject({ domain_name: expr("var.domain"), use: "load-balancer" });
    expect(certificate.alternative_names).toBeUndefined();
    expect(call("load_balancer").certificate_name).toBe(expr("module.certificate.name"));
    expect(Object.entries(hcl("main.tf").json.module).filter(([, c]) => (c as Config).providers)).toEqual([]);
  });

  it("puts the web pool behind the load balancer by its tag, and the app pool behind the internal one (split) or the web droplets' own nginx (nginx-balanced)", () => {
    const web = call("web_pool");
    expect(web).toMatchObject({
      role: "web",
      load_balancer_ids: [expr("module.load_balancer.id")],
      vpc_uuid: expr("module.network.vpc_uuid"),
      size: expr("var.pools.web.size"),
      droplet_size: expr("var.pools.web.droplet_size"),
    });
    expect(web.allowed_droplet_tags).toBeUndefined();
    expect(call("load_balancer")).toMatchObject({
      droplet_tag: expr("module.web_pool.tag"),
      target_port: 80,
      vpc_uuid: expr("module.network.vpc_uuid"),
      region: expr("var.region"),
      size_unit: expr("var.load_balancer_size_unit"),
      project_id: expr("var.project_id"),
    });
    expect(call("internal_load_balancer")).toMatchObject({
      // The app pool's, when there is one: the internal load balancer itself exists in the split layout only.
      droplet_tag: expr('((var.layout == "split") || (var.layout == "nginx-balanced")) ? module.app_pool[0].tag : null'),
      cidr: expr("module.network.cidr"),
      target_port: 8000,
      size_unit: expr("var.load_balancer_size_unit"),
      health_check_path: expr("var.health_check_path"),
    });
    expect(call("app_pool").load_balancer_ids).toBe(expr('(var.layout == "split") ? [module.internal_load_balancer[0].id] : []'));
    // nginx-balanced web droplets list the app pool's tag, which admits theirs.
    expect(call("app_pool").allowed_droplet_tags).toBe(expr('(var.layout == "nginx-balanced") ? [module.web_pool.tag] : []'));
    expect(web.app_tag).toBe(expr('(var.layout == "nginx-balanced") ? module.app_pool[0].tag : null'));
    for (const [name, role, sizes] of [["worker_pool", "worker", "var.pools.worker"], ["app_pool", "app", "var.pools.app"]]) {
      expect(call(name)).toMatchObject({
        role,
        size: expr(`${sizes}.size`),
        min_instances: expr(`${sizes}.min`),
        max_instances: expr(`${sizes}.max`),
        cpu_target_percent: expr(`${sizes}.cpu_target_percent`),
        droplet_size: expr(`${sizes}.droplet_size`),
      });
    }
    expect(call("worker_pool").load_balancer_ids).toBeUndefined();
    expect(call("beat_pool")).toMatchObject({ role: "beat", size: "small", min_instances: 1, max_instances: 1 });
    for (const name of ["web_pool", "app_pool", "worker_pool", "beat_pool"]) {
      expect({ name, ...call(name) }).toMatchObject({
        name,
        ssh_keys: expr("var.ssh_keys"),
        admin_cidrs: expr("var.admin_cidrs"),
        project_id: expr("var.project_id"),
        layout: expr("var.layout"),
        worker_concurrency: expr("var.pools.worker.concurrency"),
      });
    }
  });

  it("builds the internal load balancer as the stacks' DoLoadBalancer builds it: TCP pass-through on 80 inside the VPC, admitting the VPC's range", () => {
    const lb = hcl("modules/internal-load-balancer/main.tf").one("digitalocean_loadbalancer");
    expect(lb).toMatchObject({
      forwarding_rule: [{ entry_port: 80, entry_protocol: "tcp", target_port: expr("var.target_port"), target_protocol: "tcp" }],
      firewall: [{ allow: ["cidr:${var.cidr}"] }],
      network: "INTERNAL",
      name: "${var.name_prefix}-int",
      droplet_tag: expr("var.droplet_tag"),
      redirect_http_to_https: false,
      enable_backend_keepalive: false,
      size_unit: expr("var.size_unit"),
      project_id: expr("var.project_id"),
      healthcheck: [{ check_interval_seconds: 10, healthy_threshold: 2, path: expr("var.health_check_path"), port: expr("var.target_port"), protocol: "http", response_timeout_seconds: 5, unhealthy_threshold: 3 }],
    });
    expect(lb.forwarding_rule[0].certificate_name).toBeUndefined();
    expect(hcl("modules/internal-load-balancer/outputs.tf").outputs.ip.value).toBe("${digitalocean_loadbalancer.load_balancer_load_balancer.ip}");
    // What the production stack's internal load balancer has, in the same words.
    const stack = synthDoEnvironment(production).one("digitalocean_loadbalancer", "internal-load-balancer");
    expect(stack.forwarding_rule).toEqual([{ entry_port: 80, entry_protocol: "tcp", target_port: 8000, target_protocol: "tcp" }]);
    expect(stack.firewall).toEqual({ allow: ["cidr:10.30.0.0/16"] });
    expect(stack.network).toBe("INTERNAL");
  });

  it("trusts the tags of the droplets that run Django at the database and the cache", () => {
    const tags = expr('concat(((var.layout == "split") || (var.layout == "nginx-balanced")) ? [module.app_pool[0].tag] : [module.web_pool.tag], [module.worker_pool.tag], var.pools.worker.beat ? [module.beat_pool[0].tag] : [])');
    for (const tier of ["postgres", "cache"]) {
      expect({ tier, ...call(tier) }).toMatchObject({ tier, allowed_droplet_tags: tags, vpc_uuid: expr("module.network.vpc_uuid"), project_id: expr("var.project_id") });
    }
    expect(call("postgres")).toMatchObject({
      disaster_recovery_region: expr("var.postgres.disaster_recovery_region"),
      node_size: expr("var.postgres.node_size"),
      replicas: expr("var.postgres.replicas"),
      pooling: expr("var.postgres.pooling"),
    });
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

  it("gives app, worker and beat droplets the stacks' environment and secrets, split-layout web droplets only the app tier's address, and nginx-balanced ones only the read token", () => {
    for (const name of ["app_pool", "worker_pool", "beat_pool"]) {
      expect(call(name)).toMatchObject({ environment: expr("local.app_environment"), secrets: expr("local.app_secrets") });
    }
    // What the web pool gets in each layout, as Terraform applies it: the internal load balancer's address on its port
    // (a call that exists only in the split layout), or the application's environment.
    const web = call("web_pool");
    const layouts = inEachLayout(
      read("variables.tf"),
      { environment: web.environment, secrets: web.secrets },
      {
        locals: { app_environment: '{ app = "environment" }', app_secrets: '{ app = "secrets" }' },
        calls: { internal_load_balancer: { count: call("internal_load_balancer").count, outputs: { ip: '"10.10.0.5"' } } },
      },
      { ...required, [READ_TOKEN.variable]: "dop_v1_read" },
    );
    expect(layouts).toEqual({
      colocated: { environment: { app: "environment" }, secrets: { app: "secrets" } },
      split: { environment: { APP_UPSTREAM: "10.10.0.5:80" }, secrets: {} },
      "nginx-balanced": { environment: {}, secrets: { [READ_TOKEN.setting]: "dop_v1_read" } },
    });

    // The same names as the production stack's droplets get, the secrets last (the stacks write them after the settings).
    const stack = synthDoEnvironment(production);
    const names = (pool: string) => environmentNames(dropletUserData(stack, pool));
    const locals = hcl("main.tf").json.locals;
    const settingNames = Object.keys(locals.app_settings);
    // The module's own secrets, then the caller's (`var.secrets`: the stacks' application.secrets), those without a value left out.
    const secretsLocal = /^\$\{\{ for key, val in merge\((\{.*\}), var\.secrets\) : key => val if val != null \}\}$/.exec(locals.app_secrets);
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
    const locals = localsOf(read("main.tf"))
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
      expect({ name, ...call(name) }).toMatchObject({
        name,
        deletion_protection: expr("var.deletion_protection"),
        cors_origins: expr('coalesce(var.cors_origins, [format("https://%s", var.domain)])'),
        region: expr("var.region"),
        cdn_domain: expr(`coalesce(var.cdn.${name}_domain, format("${name}.%s", var.domain))`),
      });
    }
    expect(hcl("variables.tf").json.variable.deletion_protection.default).toBe(true);
    expect(hcl("modules/object-store/main.tf").one("digitalocean_spaces_bucket").force_destroy).toBe(expr("!var.deletion_protection"));
  });

  it("outputs what the stacks output, the secrets and their URLs sensitive", () => {
    const outputs = hcl("outputs.tf").outputs;
    const stack = synthDoEnvironment(production);
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(Object.keys(stack.outputs)));
    // The same outputs, written once (applicationOutputs): what each is and whether it is sensitive, as the stack says it (the image is a stack's release, a module's input).
    // A caller cannot read the submodules' state that *_password_secret names: the URLs send it to the module's password outputs instead.
    const own = ["application_image", "database_url", "redis_url"];
    const described = (from: Record<string, Config>) => Object.keys(stack.outputs).filter((name) => !own.includes(name)).map((name) => [name, from[name].description, from[name].sensitive ?? false]);
    expect(described(outputs)).toEqual(described(stack.outputs));
    expect(outputs.database_url.description).toMatch(/; the password is the database_password output\.$/);
    expect(outputs.redis_url.description).toMatch(/; the password is the redis_password output\.$/);
    for (const name of ["database_url", "database_replica_urls", "redis_url", "database_password", "redis_password"]) expect({ name, sensitive: outputs[name].sensitive }).toEqual({ name, sensitive: true });
    expect(outputs.database_url.value).toBe("postgres://app@${module.postgres.write_host}:${module.postgres.write_port}/app?sslmode=require");
    expect(outputs.database_replica_urls.value).toBe(expr('formatlist("postgres://app@%s:25060/app?sslmode=require", module.postgres.replica_hosts)'));
    expect(outputs.redis_url.value).toBe("rediss://${module.cache.host}:25061/0");
    expect(outputs.database_password_secret.value).toBe("terraform-state:module.postgres.password");
    expect(outputs.edge_worker_script_name.value).toBe(expr("var.failover.enabled ? module.dns_failover[0].worker_script_name : null"));
  });

  it("gives a caller who leaves an input out what a spec that leaves it out gets: the one table of defaults", () => {
    const { given, table } = topologyDefaults(read("variables.tf"), required);
    expect(given).toEqual(table);
  });

  it("accepts the shipped environments' values", () => {
    expectShippedValues(module, [dev, staging, production].map(inputsOf));
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
        'The layout must be one of "colocated", "split", "nginx-balanced".',
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
