import { Construct } from "constructs";
import { TerraformProvider, TerraformResource, TerraformStack } from "cdktf";
import {
  ApplicationSecretsProps,
  CacheProps,
  CertificateProps,
  ComputePoolProps,
  DnsFailoverProps,
  DnsZoneProps,
  HostConfigDelivery,
  ICache,
  ICertificate,
  IComputePool,
  IDnsFailover,
  IDnsZone,
  ILoadBalancer,
  INetwork,
  IObjectStoreCdn,
  IPeer,
  IPostgresCluster,
  IStaticSite,
  ALARM_CONDITIONS,
  FirewallProps,
  IFirewall,
  ILogging,
  IMonitoring,
  LoggingProps,
  LoadBalancerProps,
  MonitoringProps,
  NetworkProps,
  ObjectStoreProps,
  PostgresProps,
  RegistryAccess,
  RegistryAccessProps,
  SecretRef,
  SpecValidator,
  StaticSiteProps,
  TierFactory,
} from "../../modules/core";
import { CloudCost, LOAD_BALANCER, COMPUTE, NETWORK, POSTGRES, CACHE, OBJECT_STORE, DNS, TLS, SECRETS, MONITORING, TERRAFORM_RULES, charge } from "../../modules/cost/rules";
import { PriceEntry, price } from "../../modules/cost/prices";
import { DiagramBuilder } from "../../modules/diagram/graph";
import { referencesIn } from "../../modules/diagram/references";
import { CloudPolicy, INTERNET, each } from "../../modules/policy/rules";
import type { CloudAdapter } from "../../modules/stacks/clouds";
import type { EnvironmentSpec } from "../../modules/stacks/spec";

/*
 * A third cloud, registered only in the tests (CONTRIBUTING.md, "Adding a cloud"): its
 * resources are `fake_*` types of a provider that exists nowhere, enough for the app to
 * synthesise it, the policy pack to check it, the cost estimate to price it and the diagram
 * to draw it, each through the registration alone.
 */

/** The fake cloud's section of an environment spec. */
export interface FakeSettings {
  /** Where its stack lives: one of {@link FAKE_REGIONS}. */
  readonly region: string;
  /** Gives the database a public address, which the policy pack refuses. @default false */
  readonly publicDatabase?: boolean;
}

export const FAKE_REGIONS = ["lab-1", "lab-2"];
const SECRET_STORE = "fake-vault";

/** The spec's fake section (EnvironmentSpec has no field for a cloud registered only here). */
export const fakeSection = (spec: EnvironmentSpec): FakeSettings | undefined => (spec as { fake?: FakeSettings }).fake;

class FakeProvider extends TerraformProvider {
  constructor(scope: Construct, private readonly region: string) {
    super(scope, "fake", { terraformResourceType: "fake", terraformProviderSource: "example/fake", terraformGeneratorMetadata: { providerName: "fake" } });
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { region: this.region };
  }
}

/** One `fake_<type>` resource with the arguments given; its attributes are references. */
class FakeResource extends TerraformResource {
  constructor(scope: Construct, id: string, type: string, private readonly args: Record<string, unknown>, protect = false) {
    super(scope, id, { terraformResourceType: `fake_${type}`, terraformGeneratorMetadata: { providerName: "fake" }, lifecycle: protect ? { preventDestroy: true } : undefined });
  }

  public attribute(name: string): string {
    return this.getStringAttribute(name);
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return this.args;
  }
}

const secret = (resource: FakeResource): SecretRef => ({ store: SECRET_STORE, id: resource.attribute("id") });

/** How fake hosts get the application's environment: a file the fake vault writes. */
const DELIVERY: HostConfigDelivery = { packages: [], setupCommands: [], fetchScript: '#!/bin/sh\ncp /etc/fake/environment "$1" && : > "$2"\n' };

class FakeTierFactory implements TierFactory {
  public readonly cloud = "fake";
  public readonly policy = FAKE_POLICY;
  private readonly loadBalancers = new Map<ILoadBalancer, FakeResource>();

  constructor(private readonly settings: FakeSettings) {}

  public createNetwork(scope: Construct, id: string, props: NetworkProps): INetwork {
    new FakeResource(scope, id, "network", { name: props.namePrefix, cidr: props.cidr });
    return { cidr: props.cidr, zones: props.zones };
  }

  public createDnsZone(scope: Construct, id: string, props: DnsZoneProps): IDnsZone {
    new FakeResource(scope, id, "zone", { name: props.zoneName }, props.deletionProtection);
    return { zoneName: props.zoneName };
  }

  public createCertificate(scope: Construct, id: string, props: CertificateProps): ICertificate {
    const names = [props.domainName, ...(props.alternativeNames ?? [])];
    new FakeResource(scope, id, "certificate", { names });
    return { names, use: props.use };
  }

  public createLoadBalancer(scope: Construct, id: string, props: LoadBalancerProps): ILoadBalancer {
    const lb = new FakeResource(scope, id, "load_balancer", { name: `${props.namePrefix}-${id}`, public: props.scheme === "public", port: props.targetPort, health_path: props.healthCheck.path, allowed_from: [] as string[] });
    const made: ILoadBalancer = { peerName: `load balancer ${id}`, scheme: props.scheme, targetPort: props.targetPort, healthCheckPath: props.healthCheck.path, hostname: lb.attribute("hostname"), port: 443, allowFrom: () => undefined };
    this.loadBalancers.set(made, lb);
    return made;
  }

  public createComputePool(scope: Construct, id: string, props: ComputePoolProps): IComputePool {
    const pool = new FakeResource(scope, id, "pool", {
      name: `${props.namePrefix}-${props.role}`,
      size: props.size,
      min: props.minInstances,
      max: props.maxInstances,
      load_balancer: props.loadBalancer ? this.loadBalancers.get(props.loadBalancer)!.attribute("id") : undefined,
      user_data: props.host.render(DELIVERY),
    });
    return { peerName: `pool ${props.role}`, role: props.role, size: props.size, minInstances: props.minInstances, maxInstances: props.maxInstances, port: props.port, allowFrom: (peer: IPeer) => void pool.node.addMetadata("allowed", peer.peerName) };
  }

  public createPostgres(scope: Construct, id: string, props: PostgresProps): IPostgresCluster {
    const password = new FakeResource(scope, `${id}-password`, "secret", { name: `${props.namePrefix}-database` }, props.deletionProtection);
    const db = new FakeResource(scope, id, "database", { size: props.size, version: props.version, public: this.settings.publicDatabase === true, standby: props.highAvailability }, props.deletionProtection);
    return {
      primary: { host: db.attribute("host"), port: 5432 },
      replicas: [],
      databaseName: props.databaseName,
      username: props.username,
      password: secret(password),
      port: 5432,
      allowFrom: () => undefined,
    };
  }

  public createCache(scope: Construct, id: string, props: CacheProps): ICache {
    const password = new FakeResource(scope, `${id}-password`, "secret", { name: `${props.namePrefix}-cache` }, props.deletionProtection);
    const cache = new FakeResource(scope, id, "cache", { size: props.size, version: props.version });
    return { endpoint: { host: cache.attribute("host"), port: 6379 }, tls: true, password: secret(password), port: 6379, allowFrom: () => undefined };
  }

  public createObjectStore(scope: Construct, id: string, props: ObjectStoreProps): IObjectStoreCdn {
    const bucket = new FakeResource(scope, id, "bucket", { name: `${props.namePrefix}-${props.purpose}`, cdn_domain: props.cdnDomain }, props.deletionProtection);
    return {
      purpose: props.purpose,
      bucketName: bucket.attribute("name"),
      region: this.settings.region,
      endpointUrl: `https://${this.settings.region}.objects.example`,
      cdnDomain: props.cdnDomain,
      objectAcl: "private",
      grantReadWrite: () => undefined,
    };
  }

  public createStaticSite(scope: Construct, id: string, props: StaticSiteProps): IStaticSite {
    const site = new FakeResource(scope, id, "site", { domain: props.domain, files: Object.keys(props.files) });
    return { domain: props.domain, hostname: site.attribute("hostname") };
  }

  public createDnsFailover(scope: Construct, id: string, props: DnsFailoverProps): IDnsFailover {
    new FakeResource(scope, id, "dns_record", { name: props.recordName, primary: props.primary.hostname, secondary: props.secondary?.hostname });
    return { recordName: props.recordName, failover: props.secondary !== undefined };
  }

  /** A log sink the fake hosts write to, kept the spec's days. */
  public createLogging(scope: Construct, id: string, props: LoggingProps): ILogging {
    new FakeResource(scope, id, "log_sink", { name: `${props.namePrefix}-logs`, retention_days: props.retentionDays });
    return { destination: `the fake log sink ${props.namePrefix}-logs` };
  }

  /** A firewall on the public load balancer: managed rules and the rate limit; it keeps no list of bad addresses. */
  public createFirewall(scope: Construct, id: string, props: FirewallProps): IFirewall {
    new FakeResource(scope, id, "firewall", { name: `${props.namePrefix}-edge`, load_balancer: props.loadBalancer.hostname, requests_per_minute: props.requestsPerMinute, managed_rules: true });
    return { gaps: { "ip-reputation": "the fake cloud keeps no list of addresses with a bad reputation" } };
  }

  /** One alarm per neutral condition it can measure, each emailing the spec's addresses; it cannot measure replica lag. */
  public createMonitoring(scope: Construct, id: string, props: MonitoringProps): IMonitoring {
    const gaps: IMonitoring["gaps"] = { "replica-lag": "the fake database has no replicas to lag" };
    for (const condition of ALARM_CONDITIONS.filter((c) => !(c in gaps))) {
      new FakeResource(scope, `${id}-${condition}`, "alarm", { name: `${props.namePrefix}-${condition}`, condition, emails: [...props.emails] });
    }
    return { gaps };
  }

  public createApplicationSecrets(scope: Construct, id: string, props: ApplicationSecretsProps): Readonly<Record<string, SecretRef>> {
    return Object.fromEntries(props.secrets.map((s) => [s.name, secret(new FakeResource(scope, `${id}-${s.name.toLowerCase()}`, "secret", { name: s.name }, props.deletionProtection))]));
  }

  public createRegistryAccess(_scope: Construct, _id: string, props: RegistryAccessProps): RegistryAccess {
    return { login: "none", server: props.image.split("/")[0] };
  }
}

/** What the policy pack checks on a fake stack: two rules, and the resources that hold data. */
export const FAKE_POLICY: CloudPolicy = {
  statefulTypes: ["fake_database", "fake_bucket", "fake_zone", "fake_secret"],
  checks: {
    "CT-DB-001": (s) => each(s.resources("fake_database"), (d) => d.public !== true, "public is true"),
    "CT-NET-001": (s) => each(s.resources("fake_load_balancer"), (lb) => !(lb.allowed_from ?? []).some((a: string) => INTERNET.includes(a)), "admits the internet beside its listener"),
  },
};

/** The fake cloud's price list: a server by size, a database, a load balancer. */
export const FAKE_PRICES: readonly PriceEntry[] = ["small", "medium", "large"].flatMap((size, i) => [
  { cloud: "fake", service: "server", item: size, amount: 10 * 2 ** i, unit: "USD/month" as const, region: "global", recorded: "2026-12-01", source: "https://fake.example/pricing", basis: "made up for the tests" },
  { cloud: "fake", service: "database", item: size, amount: 30 * 2 ** i, unit: "USD/month" as const, region: "global", recorded: "2026-12-01", source: "https://fake.example/pricing", basis: "made up for the tests" },
]).concat([{ cloud: "fake", service: "load-balancer", item: "lb", amount: 12, unit: "USD/month", region: "global", recorded: "2026-12-01", source: "https://fake.example/pricing", basis: "made up for the tests" }]);

const fakePrice = (service: string, item: string) => price("fake", service, item, "global", FAKE_PRICES);

export const FAKE_COST: CloudCost = {
  title: "Fake Cloud",
  rules: {
    ...TERRAFORM_RULES,
    fake_network: { tier: NETWORK, free: "networks have no charge" },
    fake_zone: { tier: DNS, free: "zones have no charge" },
    fake_dns_record: { tier: DNS, usage: ["fake DNS queries"] },
    fake_certificate: { tier: TLS, free: "certificates have no charge" },
    fake_load_balancer: { tier: LOAD_BALANCER, charges: (r) => [charge(LOAD_BALANCER, r, "load balancer", 1, fakePrice("load-balancer", "lb"))] },
    fake_pool: { tier: COMPUTE, charges: (r) => [charge(COMPUTE, r, `${r.config.size} server`, r.config.min, fakePrice("server", r.config.size), r.config.max)] },
    fake_database: { tier: POSTGRES, charges: (r) => [charge(POSTGRES, r, `${r.config.size} database`, r.config.standby ? 2 : 1, fakePrice("database", r.config.size))] },
    fake_cache: { tier: CACHE, free: "the fake cache is free" },
    fake_bucket: { tier: OBJECT_STORE, usage: ["fake object storage (per GB)"] },
    fake_site: { tier: DNS, free: "static sites have no charge" },
    fake_secret: { tier: SECRETS, free: "secrets have no charge" },
    fake_alarm: { tier: MONITORING, free: "alarms have no charge" },
    fake_firewall: { tier: LOAD_BALANCER, free: "the fake firewall is free" },
    fake_log_sink: { tier: MONITORING, usage: ["fake log storage (per GB)"] },
  },
  region: (doc) => (doc.json.provider?.fake?.[0]?.region as string | undefined) ?? undefined,
};

/** The fake cloud's registration: what `CLOUDS` lists for each cloud. */
export const FAKE_CLOUD: CloudAdapter = {
  id: "fake",
  sections: ["fake"],
  credentials: ["FAKE_TOKEN"],
  validate(spec) {
    const v = new SpecValidator(spec.environment);
    const settings = fakeSection(spec)!;
    if (v.fields("fake", settings, ["region", "publicDatabase"])) {
      v.oneOf("fake.region", settings.region, FAKE_REGIONS);
      if (settings.publicDatabase !== undefined) v.boolean("fake.publicDatabase", settings.publicDatabase);
    }
    return [...v.issues];
  },
  configure(stack: TerraformStack, spec) {
    new FakeProvider(stack, fakeSection(spec)!.region);
    return new FakeTierFactory(fakeSection(spec)!);
  },
  describeDelivery: () => ({ settings: "in the fake vault's settings file", secrets: { [SECRET_STORE]: "read from the fake vault at boot" } }),
  policy: FAKE_POLICY,
  cost: () => FAKE_COST,
  // Its section in the split sample, every field set (EnvironmentSpec has no field for it).
  samples: () => ({ split: { fake: { region: "lab-2", publicDatabase: false } } as Partial<EnvironmentSpec> }),
  diagram(name, doc) {
    const g = new DiagramBuilder();
    const internet = g.node("internet", "internet", ["internet"]);
    for (const lb of doc.resources("fake_load_balancer")) {
      g.node(lb.address, "load-balancer", [`load balancer ${lb.config.name}`]);
      if (lb.config.public) g.edge(internet, lb.address, "traffic", ":443 HTTPS");
    }
    for (const pool of doc.resources("fake_pool")) {
      g.node(pool.address, "pool", [`pool ${pool.config.name}`, `${pool.config.min}–${pool.config.max} × ${pool.config.size}`]);
      for (const lb of referencesIn(pool.config.load_balancer)) g.edge(lb, pool.address, "traffic");
    }
    for (const db of doc.resources("fake_database")) g.node(db.address, "postgres-primary", [`PostgreSQL ${db.config.version}`, db.config.size]);
    for (const bucket of doc.resources("fake_bucket")) g.node(bucket.address, "bucket", [`bucket ${bucket.config.name}`]);
    return g.build(name, `${name} (fake, ${doc.json.provider?.fake?.[0]?.region})`, []);
  },
};
