import { dev } from "../../environments/dev";
import { AWS_SINGLE_NODE_BROKER } from "../../modules/aws/sizes";
import { production } from "../../environments/production";
import { staging } from "../../environments/staging";
import { BrokerEngine, DEFAULTS, IBroker, ICache, IObjectStoreCdn, IPostgresCluster, RABBITMQ_SETTINGS, SQS_SETTINGS, rabbitmqSettings, sqsSettings } from "../../modules/core";
import { appConfiguration } from "../../modules/django/configuration";
import { APPLICATION_INPUTS, CACHE_INPUTS, CDN_INPUTS, FAILOVER_INPUTS, NETWORK_INPUTS, InputConstraint, InputDeclaration, POSTGRES_INPUTS, TOPOLOGY_INPUTS, inputVariable, poolInputs, validateTopology } from "../../modules/django/validate";
import { renderMaintenancePage } from "../../modules/django/maintenance-page";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { Config, synthAwsEnvironment } from "../helpers";
import { checkValues, expectShippedValues, evaluate, inEachLayout, expectModuleCalls, expectRefused, expr, localsOf, problemsIn, topologyDefaults, useModule } from "./support";

/** The module's inputs for a shipped environment's spec: what a team moving from the stacks to the module would pass. */
function inputsOf(spec: EnvironmentSpec): Record<string, unknown> {
  const pool = (p: { size: string; min: number; max: number; cpuTargetPercent?: number } | undefined) =>
    p && { size: p.size, min: p.min, max: p.max, cpu_target_percent: p.cpuTargetPercent };
  const pg = spec.postgres;
  const inputs: Record<string, unknown> = {
    name_prefix: `${spec.application.name}-${spec.environment}`,
    domain: spec.domain,
    zone_id: "Z0123456789ABCDEFGHIJ",
    cidr: spec.network?.cidr,
    zones: spec.network?.zones,
    nat_gateways: spec.aws?.natGateways,
    layout: spec.layout,
    container_image: spec.application.image,
    wsgi_module: spec.application.wsgiModule,
    celery_app: spec.application.celeryApp,
    settings_module: spec.application.settingsModule,
    environment: spec.application.settings ?? {},
    health_check_path: spec.healthCheckPath,
    pools: { web: pool(spec.pools.web), app: pool(spec.pools.app), worker: { ...pool(spec.pools.worker), concurrency: spec.pools.worker.concurrency, beat: spec.pools.worker.beat } },
    postgres: {
      size: pg.size,
      replica_size: pg.replicaSize,
      version: pg.version,
      storage_gib: pg.storageGiB,
      high_availability: pg.highAvailability,
      replicas: pg.replicas,
      pooling: pg.pooling,
      backup_retention_days: pg.backupRetentionDays,
      disaster_recovery_cidr: spec.aws?.disasterRecoveryCidr,
    },
    cache: { size: spec.cache.size, version: spec.cache.version, high_availability: spec.cache.highAvailability },
    broker: spec.broker && { engine: spec.broker.engine, size: spec.broker.size, high_availability: spec.broker.highAvailability },
    cdn: { media_domain: spec.cdn?.mediaDomain, static_domain: spec.cdn?.staticDomain, price_class: spec.aws?.cdnPriceClass },
    failover: spec.failover ? { enabled: true, ...spec.failover } : { enabled: false },
    deletion_protection: spec.deletionProtection,
  };
  // Left out, an input takes its default (nested fields left out are dropped on the way as JSON).
  return Object.fromEntries(Object.entries(inputs).filter(([, value]) => value !== undefined));
}

describe("the AWS topology module (cloudtiers-django)", () => {
  const { module, read, hcl } = useModule("cloudtiers-django", "aws");
  const call = (name: string): Config => hcl("main.tf").json.module[name];
  const required = { name_prefix: "shop-production", domain: "www.example.com", zone_id: "Z0123456789ABCDEFGHIJ", container_image: "ghcr.io/acme/shop:1.4.2", wsgi_module: "shop.wsgi:application", celery_app: "shop" };

  it("calls every tier's module from modules/, and counts the optional ones by the layout, beat, failover and pooling", () => {
    const sources: Record<string, string> = {
      network: "network",
      certificate: "certificate",
      cdn_certificate: "certificate",
      postgres: "postgres",
      postgres_disaster_recovery: "postgres-disaster-recovery",
      cache: "cache",
      rabbitmq: "rabbitmq",
      celery_queue: "celery-queue",
      media: "object-store",
      static: "object-store",
      load_balancer: "load-balancer",
      internal_load_balancer: "internal-load-balancer",
      web_pool: "compute-pool",
      app_pool: "compute-pool",
      worker_pool: "compute-pool",
      beat_pool: "compute-pool",
      maintenance_site: "maintenance-site",
      dns_failover: "dns-failover",
    };
    const counted: Record<string, string> = {
      internal_load_balancer: '(var.layout == "split") ? 1 : 0',
      app_pool: '((var.layout == "split") || (var.layout == "nginx-balanced")) ? 1 : 0',
      beat_pool: "var.pools.worker.beat ? 1 : 0",
      maintenance_site: "var.failover.enabled ? 1 : 0",
      dns_failover: "var.failover.enabled ? 1 : 0",
      postgres_disaster_recovery: "(var.postgres.disaster_recovery_cidr != null) ? 1 : 0",
      rabbitmq: '(var.broker.engine == "rabbitmq") ? 1 : 0',
      celery_queue: '(var.broker.engine == "sqs") ? 1 : 0',
    };
    expectModuleCalls(hcl("main.tf"), sources, counted);
    // Without failover, one alias record to the load balancer, as the stacks make it.
    expect(hcl("main.tf").resources("aws_route53_record").site).toMatchObject({
      count: expr("!var.failover.enabled ? 1 : 0"),
      type: "A",
      alias: [{ name: expr("module.load_balancer.dns_name"), zone_id: expr("module.load_balancer.zone_id"), evaluate_target_health: true }],
    });
    // The postgres submodule's own submodule, RDS Proxy, is written inside it and counted by pooling.
    expect(call("postgres").pooling).toBe(expr("var.postgres.pooling"));
    expect(module.files).toEqual(expect.arrayContaining(["modules/postgres/main.tf", "modules/postgres/modules/pooler/main.tf", "modules/postgres/modules/pooler/variables.tf"]));
    expect(hcl("modules/postgres/main.tf").json.module.pooler.count).toBe(expr("var.pooling ? 1 : 0"));
  });

  it("issues the CloudFront certificate through aws.us_east_1, covering the site's name too when failover is on", () => {
    expect(hcl("versions.tf").json.terraform.required_providers[0].aws.configuration_aliases).toEqual([expr("aws.us_east_1"), expr("aws.disaster_recovery")]);
    expect(call("cdn_certificate")).toMatchObject({
      providers: { aws: expr("aws.us_east_1") },
      domain_name: expr('coalesce(var.cdn.media_domain, format("media.%s", var.domain))'),
      alternative_names: expr('concat([coalesce(var.cdn.static_domain, format("static.%s", var.domain))], var.failover.enabled ? [var.domain] : [])'),
      use: "cdn",
    });
    expect(call("certificate").providers).toBeUndefined();
    for (const store of ["media", "static", "maintenance_site"]) expect({ store, certificate: call(store).certificate_arn }).toEqual({ store, certificate: expr("module.cdn_certificate.arn") });
    expect(call("load_balancer").certificate_arn).toBe(expr("module.certificate.arn"));
    expect(hcl("examples/basic/main.tf").json.provider.aws).toEqual(expect.arrayContaining([{ alias: "us_east_1", region: "us-east-1" }]));
  });

  it("keeps the database's disaster-recovery replica in the aws.disaster_recovery provider's region, with the logins copied there, as the stacks' aws.disasterRecoveryRegion", () => {
    const region = "data.aws_region.disaster_recovery_region.region";
    expect(hcl("main.tf").json.data.aws_region.disaster_recovery_region.provider).toBe(expr("aws.disaster_recovery"));
    expect(call("postgres").credentials_replica_regions).toBe(expr(`(var.postgres.disaster_recovery_cidr != null) ? [${region}] : []`));
    expect(call("postgres_disaster_recovery")).toMatchObject({
      providers: { aws: expr("aws.disaster_recovery") },
      source_db_arn: expr("module.postgres.primary_arn"),
      cidr: expr("var.postgres.disaster_recovery_cidr"),
      size: expr("coalesce(var.postgres.replica_size, var.postgres.size)"),
      engine_version: expr("var.postgres.version"),
      storage_gib: expr("var.postgres.storage_gib"),
      backup_retention_days: expr("var.postgres.backup_retention_days"),
      deletion_protection: expr("var.deletion_protection"),
    });
    expect(hcl("examples/basic/main.tf").json.provider.aws).toEqual(expect.arrayContaining([{ alias: "disaster_recovery", region: "eu-central-1" }]));
    // Its provider's region is another than the default provider's, when there is a replica.
    const condition = String(hcl("main.tf").json.data.aws_region.disaster_recovery_region.lifecycle[0].postcondition[0].condition).slice(2, -1);
    const holds = (recovery: string, cidr: string | null) =>
      checkValues(module, { ...required, postgres: { disaster_recovery_cidr: cidr } }, condition.replace("self.region", JSON.stringify(recovery)).replace("data.aws_region.region.region", '"eu-west-1"')).trim().endsWith("true");
    expect({ apart: holds("eu-central-1", "10.130.0.0/16"), same: holds("eu-west-1", "10.130.0.0/16"), unused: holds("eu-west-1", null) }).toEqual({ apart: true, same: false, unused: true });
  });

  it("puts the web pool behind the load balancer, and the app pool behind the internal one (split) or the web hosts' own nginx (nginx-balanced)", () => {
    expect(call("web_pool")).toMatchObject({
      role: "web",
      target_group_arns: [expr("module.load_balancer.target_group_arn")],
      allowed_security_group_ids: [expr("module.load_balancer.security_group_id")],
      subnet_ids: expr("module.network.private_subnet_ids"),
    });
    expect(call("load_balancer")).toMatchObject({ target_security_group_ids: [expr("module.web_pool.security_group_id")], subnet_ids: expr("module.network.public_subnet_ids"), target_port: 80 });
    expect(call("internal_load_balancer")).toMatchObject({
      allowed_security_group_ids: [expr("module.web_pool.security_group_id")],
      // The app pool's, when there is one: the internal load balancer itself exists in the split layout only.
      target_security_group_ids: expr('((var.layout == "split") || (var.layout == "nginx-balanced")) ? [module.app_pool[0].security_group_id] : []'),
      target_port: 8000,
    });
    expect(call("app_pool")).toMatchObject({
      target_group_arns: expr('(var.layout == "split") ? [module.internal_load_balancer[0].target_group_arn] : []'),
      allowed_security_group_ids: expr('concat((var.layout == "split") ? [module.internal_load_balancer[0].security_group_id] : [], (var.layout == "nginx-balanced") ? [module.web_pool.security_group_id] : [])'),
    });
    // nginx-balanced web hosts list the app pool's group (the compute pool module lets their role describe it).
    expect(call("web_pool").app_autoscaling_group_name).toBe(expr('(var.layout == "nginx-balanced") ? module.app_pool[0].autoscaling_group_name : null'));
    for (const [name, role, sizes] of [["worker_pool", "worker", "var.pools.worker"], ["app_pool", "app", "var.pools.app"]]) {
      expect(call(name)).toMatchObject({
        role,
        size: expr(`${sizes}.size`),
        min_instances: expr(`${sizes}.min`),
        max_instances: expr(`${sizes}.max`),
        cpu_target_percent: expr(`${sizes}.cpu_target_percent`),
        instance_type: expr(`${sizes}.instance_type`),
      });
    }
    expect(call("beat_pool")).toMatchObject({ role: "beat", size: "small", min_instances: 1, max_instances: 1 });
    expect(call("dns_failover")).toMatchObject({
      primary_dns_name: expr("module.load_balancer.dns_name"),
      secondary_dns_name: expr("var.failover.enabled ? module.maintenance_site[0].dns_name : null"),
      record_name: expr("var.domain"),
    });
  });

  it("admits the hosts that run Django to the database and the cache, and grants them the buckets", () => {
    const appServers = (output: string) => `((var.layout == "split") || (var.layout == "nginx-balanced")) ? [module.app_pool[0].${output}] : [module.web_pool.${output}]`;
    const hosts = (output: string) => expr(`concat(${appServers(output)}, [module.worker_pool.${output}], var.pools.worker.beat ? [module.beat_pool[0].${output}] : [])`);
    expect(call("postgres").allowed_security_group_ids).toBe(hosts("security_group_id"));
    expect(call("cache").allowed_security_group_ids).toBe(hosts("security_group_id"));
    expect(call("media").read_write_role_ids).toBe(hosts("instance_role_name"));
    // collectstatic runs on the app servers.
    expect(call("static").read_write_role_ids).toBe(expr(appServers("instance_role_name")));
    for (const tier of ["postgres", "cache"]) expect({ tier, subnets: call(tier).subnet_ids }).toEqual({ tier, subnets: expr("module.network.database_subnet_ids") });
    // The rules those lists make are counted by position: Terraform knows the lists' length at plan, not the ids.
    expect(hcl("modules/postgres/main.tf").one("aws_vpc_security_group_ingress_rule").count).toBe(expr("length(var.allowed_security_group_ids)"));
  });

  it("gives app, worker and beat hosts the stacks' environment and secrets, split-layout web hosts only the app tier's address, and nginx-balanced ones only what lists the app hosts", () => {
    for (const name of ["app_pool", "worker_pool", "beat_pool"]) {
      expect(call(name)).toMatchObject({ environment: expr("local.app_environment"), secrets: expr("local.app_secrets") });
    }
    // What the web pool gets in each layout, as Terraform applies it: the internal load balancer's address on its port
    // (a call that exists only in the split layout), or the application's environment; and whether its hosts are
    // replaced on the load balancer's check (split-layout web hosts answer it through the app tier: an app outage must not get them replaced).
    const web = call("web_pool");
    const layouts = inEachLayout(
      read("variables.tf"),
      { environment: web.environment, secrets: web.secrets, replace: web.replace_on_load_balancer_health, lists: web.app_autoscaling_group_name },
      {
        locals: { app_environment: '{ app = "environment" }', app_secrets: '{ app = "secrets" }' },
        calls: {
          internal_load_balancer: { count: call("internal_load_balancer").count, outputs: { dns_name: '"internal.example"' } },
          app_pool: { count: call("app_pool").count, outputs: { autoscaling_group_name: '"shop-app"' } },
        },
      },
      required,
    );
    expect(layouts).toEqual({
      // (A null output is left out.)
      colocated: { environment: { app: "environment" }, secrets: { app: "secrets" }, replace: true },
      split: { environment: { APP_UPSTREAM: "internal.example:80" }, secrets: {}, replace: false },
      // nginx-balanced web hosts hold nothing of the application's: they list the app pool's group with their role.
      "nginx-balanced": { environment: {}, secrets: {}, replace: false, lists: "shop-app" },
    });
    expect(hcl("modules/internal-load-balancer/outputs.tf").outputs.port.value).toBe(80);

    // The same names as the production stack's hosts get.
    const stack = synthAwsEnvironment(production);
    const document = (pool: string) => JSON.parse(stack.one("aws_ssm_parameter", pool).value) as { settings: Record<string, string>; secrets: Record<string, unknown> };
    const locals = hcl("main.tf").json.locals;
    // Production's broker is the cache: the settings and secrets of a broker of its own are the module's only with one (left out when null).
    const brokerNames: string[] = [...Object.values(RABBITMQ_SETTINGS), ...Object.values(SQS_SETTINGS)];
    const settingNames = Object.keys(locals.app_settings).filter((name) => !brokerNames.includes(name));
    // The module's own secrets, then the caller's (`var.secrets`: the stacks' application.secrets), those without a value left out.
    const secretsLocal = /^\$\{\{ for key, val in merge\((\{.*\}), var\.secrets\) : key => val if val\.secret_arn != null \}\}$/.exec(locals.app_secrets);
    expect(secretsLocal).not.toBeNull();
    const secretNames = [...secretsLocal![1].matchAll(/"([A-Z_]+)" = \{/g)].map((m) => m[1]).filter((name) => !brokerNames.includes(name));
    expect(secretNames.sort()).toEqual(["DATABASE_PASSWORD", "REDIS_PASSWORD"]);
    const applicationSecrets = Object.keys(production.application.secrets ?? {});
    for (const pool of ["app-pool", "worker-pool", "beat-pool"]) {
      expect(Object.keys(document(pool).settings).sort()).toEqual([...settingNames].sort());
      expect(Object.keys(document(pool).secrets).sort()).toEqual([...secretNames, ...applicationSecrets].sort());
    }
    expect(Object.keys(document("web-pool").settings)).toEqual(["APP_UPSTREAM"]);
    expect(document("web-pool").secrets).toEqual({});
  });

  it("gives Celery the broker broker.engine names, wired as the stacks wire it: RabbitMQ admitting the Django hosts, SQS letting the site's hosts and beat send and the workers take", () => {
    const appServers = (output: string) => `((var.layout == "split") || (var.layout == "nginx-balanced")) ? [module.app_pool[0].${output}] : [module.web_pool.${output}]`;
    const beat = (output: string) => `var.pools.worker.beat ? [module.beat_pool[0].${output}] : []`;
    expect(call("rabbitmq")).toMatchObject({
      size: expr("var.broker.size"),
      high_availability: expr("var.broker.high_availability"),
      subnet_ids: expr("module.network.database_subnet_ids"),
      deletion_protection: expr("var.deletion_protection"),
      allowed_security_group_ids: expr(`concat(${appServers("security_group_id")}, [module.worker_pool.security_group_id], ${beat("security_group_id")})`),
    });
    expect(call("celery_queue")).toMatchObject({
      sender_role_ids: expr(`concat(${appServers("instance_role_name")}, ${beat("instance_role_name")})`),
      consumer_role_ids: [expr("module.worker_pool.instance_role_name")],
      deletion_protection: expr("var.deletion_protection"),
    });
    // SQS carries no broadcast: a worker is ready once its process runs (the compute pool module picks that user data).
    for (const pool of ["web_pool", "app_pool", "worker_pool", "beat_pool"]) expect({ pool, remote: call(pool).celery_remote_control }).toEqual({ pool, remote: expr('!(var.broker.engine == "sqs")') });
    expectRefused(module, { ...required, broker: { engine: "sqs", high_availability: true } }, ['The broker.high_availability applies to broker.engine "rabbitmq" only (a broker of its own hosts).']);
    expectRefused(module, { ...required, broker: { engine: "rabbitmq", size: "small", high_availability: true } }, [
      `The broker.size must be one of "medium", "large", "xlarge" with broker.high_availability (${AWS_SINGLE_NODE_BROKER} runs a single node only).`,
    ]);
    expectRefused(module, { ...required, broker: { engine: "kafka" } }, ['The broker.engine must be one of "valkey", "sqs", "rabbitmq".']);
    expect(problemsIn(checkValues(module, { ...required, broker: { engine: "rabbitmq", size: "medium", high_availability: true } }))).toEqual([]);
  });

  it("builds the environment in Terraform as appConfiguration builds it for the stacks", () => {
    // The submodules' outputs stand in as text (`<postgres.write_host>`), the replicas as a variable.
    const locals = localsOf(read("main.tf"))
      .replace(/module\.postgres\.replica_hosts/g, "var.replica_hosts")
      .replace(/module\.([a-z_]+)(?:\[0\])?\.([a-z_]+)/g, '"<$1.$2>"');
    const variables = `${read("variables.tf")}\nvariable "replica_hosts" {\n  type = list(string)\n}\n`;
    const fakeTiers = (replicaHosts: string[]) => {
      const never = () => {
        throw new Error("not wired here");
      };
      const postgres: IPostgresCluster = {
        port: 5432,
        primary: { host: "<postgres.primary_host>", port: 5432 },
        pooler: { host: "<postgres.write_host>", port: 5432 },
        replicas: replicaHosts.map((host) => ({ host, port: 5432 })),
        databaseName: "app",
        username: "app",
        password: { store: "aws-secrets-manager", id: "<postgres.credentials_secret_arn>", jsonKey: "password" },
        allowFrom: never,
      };
      const cache: ICache = { port: 6379, endpoint: { host: "<cache.host>", port: 6379 }, tls: true, password: { store: "aws-secrets-manager", id: "<cache.auth_token_secret_arn>", jsonKey: "password" }, allowFrom: never };
      const store = (purpose: "media" | "static"): IObjectStoreCdn => ({
        purpose,
        bucketName: `<${purpose}.bucket_name>`,
        region: `<${purpose}.region>`,
        endpointUrl: `<${purpose}.endpoint_url>`,
        cdnDomain: `<${purpose}.cdn_domain>`,
        objectAcl: "private",
        grantReadWrite: never,
      });
      return { postgres, cache, media: store("media"), staticFiles: store("static") };
    };
    const ownArn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/application-AbC123";
    // Celery's broker as each engine gives it: the settings and the password its tier's outputs make.
    const brokers: Record<BrokerEngine, IBroker | undefined> = {
      valkey: undefined,
      rabbitmq: {
        engine: "rabbitmq",
        settings: rabbitmqSettings("<rabbitmq.url>", "<rabbitmq.user>"),
        secrets: [{ name: RABBITMQ_SETTINGS.password, secret: { store: "aws-secrets-manager", id: "<rabbitmq.password_secret_arn>", jsonKey: "password" } }],
        remoteControl: true,
        grantSend: () => undefined,
        grantConsume: () => undefined,
      },
      sqs: { engine: "sqs", settings: sqsSettings("<celery_queue.region>", "<celery_queue.queue_url>"), secrets: [], remoteControl: false, grantSend: () => undefined, grantConsume: () => undefined },
    };
    const cases: { replicas: string[]; settingsModule?: string; extra: Record<string, string>; own: Record<string, { secret_arn: string; json_key?: string }>; engine: BrokerEngine }[] = [
      { replicas: [], extra: { DJANGO_DEBUG: "false" }, own: {}, engine: "valkey" },
      { replicas: ["replica-1.example", "replica-2.example"], settingsModule: "shop.settings.production", extra: {}, own: { DJANGO_SECRET_KEY: { secret_arn: ownArn, json_key: "DJANGO_SECRET_KEY" } }, engine: "rabbitmq" },
      { replicas: [], extra: {}, own: {}, engine: "sqs" },
    ];
    for (const { replicas, settingsModule, extra, own, engine } of cases) {
      const values = { ...required, replica_hosts: replicas, environment: extra, secrets: own, broker: { engine }, ...(settingsModule ? { settings_module: settingsModule } : {}) };
      const extraSecrets = Object.entries(own).map(([name, s]) => ({ name, secret: { store: "aws-secrets-manager", id: s.secret_arn, jsonKey: s.json_key } }));
      const expected = appConfiguration({ domain: required.domain, ...fakeTiers(replicas), broker: brokers[engine], settingsModule, extra, extraSecrets });
      const environment = JSON.parse(evaluate(variables, locals, "jsonencode(local.app_environment)", values));
      expect(environment).toEqual(Object.fromEntries(expected.settings.map((s) => [s.name, s.value])));
      const secrets = JSON.parse(evaluate(variables, locals, "jsonencode(local.app_secrets)", values));
      expect(secrets).toEqual(Object.fromEntries(expected.secrets.map((s) => [s.name, { secret_arn: s.secret.id, json_key: s.secret.jsonKey }])));
    }
  });

  it("serves the stacks' maintenance page, its text escaped by Terraform", () => {
    const page = read("modules/maintenance-site/main.tf");
    expect(hcl("modules/maintenance-site/main.tf").one("aws_s3_object")).toMatchObject({ key: "index.html", content: expr("local.maintenance_page") });
    const values = { name_prefix: "shop", domain: "www.example.com", certificate_arn: "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b", title: 'We\'ll be <right> back & "soon"', message: "Try again in a few minutes." };
    expect(evaluate(read("modules/maintenance-site/variables.tf"), localsOf(page), "local.maintenance_page", values)).toBe(renderMaintenancePage(values.title, values.message));
    expect(call("maintenance_site")).toMatchObject({ title: expr("var.failover.title"), message: expr("var.failover.message") });
  });

  it("protects the data tiers by deletion_protection, on by default", () => {
    for (const name of ["postgres", "cache", "media", "static", "maintenance_site"]) expect({ name, protection: call(name).deletion_protection }).toEqual({ name, protection: expr("var.deletion_protection") });
    expect(hcl("variables.tf").json.variable.deletion_protection.default).toBe(true);
    expect(hcl("modules/postgres/main.tf").resources("aws_db_instance").postgres_primary.deletion_protection).toBe(expr("var.deletion_protection"));
    expect(hcl("modules/object-store/main.tf").one("aws_s3_bucket").force_destroy).toBe(expr("!var.deletion_protection"));
    expect(hcl("modules/maintenance-site/main.tf").one("aws_s3_bucket").force_destroy).toBe(expr("!var.deletion_protection"));
  });

  it("outputs what the stacks output, the secrets' URLs sensitive", () => {
    const outputs = hcl("outputs.tf").outputs;
    const names = ["site_url", "database_url", "database_replica_urls", "database_password_secret", "redis_url", "redis_password_secret", "media_bucket", "static_bucket", "media_cdn_domain", "static_cdn_domain", "storage_region", "storage_endpoint_url"];
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(names));
    // The same outputs, written once (applicationOutputs): what each is and whether it is sensitive, as the stack says it (the image is a stack's release, a module's input).
    const stack = synthAwsEnvironment(production);
    const described = (from: Record<string, Config>) => Object.keys(stack.outputs).filter((name) => name !== "application_image").map((name) => [name, from[name].description, from[name].sensitive ?? false]);
    expect(described(outputs)).toEqual(described(stack.outputs));
    for (const name of ["database_url", "database_replica_urls", "redis_url"]) expect({ name, sensitive: outputs[name].sensitive }).toEqual({ name, sensitive: true });
    expect(outputs.database_url.value).toBe("postgres://app@${module.postgres.write_host}:5432/app?sslmode=require");
    expect(outputs.database_password_secret.value).toBe("aws-secrets-manager:${module.postgres.credentials_secret_arn}#password");
    expect(outputs.database_replica_urls.value).toBe(expr('formatlist("postgres://app@%s:5432/app?sslmode=require", module.postgres.replica_hosts)'));
  });

  it("gives a caller who leaves an input out what a spec that leaves it out gets: the one table of defaults", () => {
    const { given, table } = topologyDefaults(read("variables.tf"), required, { backup: ["var.postgres.backup_retention_days", DEFAULTS.postgres.backupRetentionDays] });
    expect(given).toEqual(table);
  });

  it("refuses a bad value of every declared field, as the spec validator does from the same declaration", () => {
    const bad = (c: InputConstraint) => ({ oneOf: "nope", integer: c.kind === "integer" ? c.max + 1 : 0, text: " ", pattern: "not a value!", domain: "Not.A.Domain", cidr: "10.0.0.0/8", boolean: "yes" })[c.kind];
    // Each group of declared fields: where the spec has it, where the module has it ("": top-level variables).
    const groups: [string, string, Readonly<Record<string, InputDeclaration>>][] = [
      ["postgres", "postgres", POSTGRES_INPUTS],
      ["cache", "cache", CACHE_INPUTS],
      ["pools.web", "pools.web", poolInputs(1)],
      ["failover", "failover", FAILOVER_INPUTS],
      ["cdn", "cdn", CDN_INPUTS],
      ["network", "", NETWORK_INPUTS],
      ["application", "", APPLICATION_INPUTS],
      ["", "", TOPOLOGY_INPUTS],
    ];
    const checked = groups.map(([specPath, modulePath, inputs]) => ({ specPath, modulePath, fields: Object.entries(inputs).filter(([, input]) => input.constraint.kind !== "boolean") }));
    const put = (target: Record<string, unknown>, path: string, name: string, value: unknown) => {
      const at = path ? path.split(".").reduce((o, key) => (o[key] = { ...((o[key] as object) ?? {}) }) as Record<string, unknown>, target) : target;
      at[name] = value;
    };
    const moduleValues: Record<string, unknown> = { ...required };
    const spec = structuredClone(production) as unknown as Record<string, unknown>;
    for (const { specPath, modulePath, fields } of checked) {
      for (const [field, input] of fields) {
        put(moduleValues, modulePath, inputVariable(field, input), bad(input.constraint));
        put(spec, specPath, field, bad(input.constraint));
      }
    }
    const refused = checkValues(module, moduleValues);
    const issues = validateTopology(spec as unknown as EnvironmentSpec);
    const dotted = (path: string, name: string) => (path ? `${path}.${name}` : name);
    for (const { specPath, modulePath, fields } of checked) {
      for (const [field, input] of fields) {
        const at = { field: dotted(specPath, field), module: refused.includes(`The ${dotted(modulePath, inputVariable(field, input))} must be`), spec: issues.some((i) => i.path === dotted(specPath, field)) };
        expect(at).toEqual({ field: at.field, module: true, spec: true });
      }
    }
    expect(checked.flatMap(({ fields }) => fields).length).toBeGreaterThanOrEqual(21);
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
        cidr: "10.0.0.0/8",
        zones: 4,
        nat_gateways: "two",
        layout: "mixed",
        settings_module: "shop/settings",
        environment: { DATABASE_URL: "postgres://elsewhere", debug: "1" },
        pools: { web: { size: "huge", min: 4, max: 2 }, app: { min: 0, cpu_target_percent: 95 }, worker: { concurrency: 0, instance_type: "big" } },
        postgres: { version: "14", replicas: 9, storage_gib: 10, backup_retention_days: 0, replica_size: "tiny" },
        cache: { version: "6", node_type: "t3.small" },
        cdn: { media_domain: "Media.example.com", price_class: "PriceClass_1" },
        cors_origins: ["http://www.example.com"],
        failover: { enabled: true, title: " " },
      },
      [
        "The name_prefix must be at most 24 characters.",
        "The cidr must be a /16 to /19 block.",
        "The zones must be a whole number between 2 and 3.",
        'The nat_gateways must be one of "per-zone", "single".',
        'The layout must be one of "colocated", "split", "nginx-balanced".',
        'The settings_module must be a Python module path such as "shop.settings.production".',
        "No key of environment may be one the module sets itself: DJANGO_ALLOWED_HOSTS,",
        "Every key of environment must be named like an environment variable",
        'The pools.web.size must be one of "small", "medium", "large", "xlarge".',
        "The pools.web.max must be at least pools.web.min.",
        "The pools.app.min must be a whole number between 1 and 100.",
        "The pools.app.cpu_target_percent must be a whole number between 10 and 90.",
        "The pools.worker.concurrency must be a whole number between 1 and 64.",
        'The pools.worker.instance_type must be an EC2 instance type such as "t3.small".',
        'The postgres.version must be one of "15", "16", "17".',
        "The postgres.replicas must be a whole number between 0 and 5.",
        "The postgres.storage_gib must be a whole number between 20 and 16384.",
        "The postgres.backup_retention_days must be a whole number between 1 and 35.",
        'The postgres.replica_size must be one of "small", "medium", "large", "xlarge".',
        'The cache.version must be one of "7", "8".',
        'The cache.node_type must be an ElastiCache node type such as "cache.t4g.small".',
        'The cdn.media_domain must be a lower-case domain name such as "www.example.com".',
        'The cdn.price_class must be one of "PriceClass_100", "PriceClass_200", "PriceClass_All".',
        'Every item of cors_origins must be an https origin such as "https://www.example.com".',
        "The failover.title must be text of 1 to 500 characters.",
      ],
    );
    expect(checkValues(module, { ...required, environment: { NOTE: "two\nlines" } })).toContain("Every value of environment must be a single line.");
    // A worker pool may scale to zero; web and app pools may not.
    expect(problemsIn(checkValues(module, { ...required, pools: { worker: { min: 0 } } }))).toEqual([]);
  });
});
