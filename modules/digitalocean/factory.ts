import { DIGITALOCEAN_POLICY } from "./policy";
import { Construct } from "constructs";
import {
  ApplicationSecretsProps,
  CacheProps,
  CertificateProps,
  ComputePoolProps,
  DnsFailoverProps,
  DnsZoneProps,
  ICache,
  ICertificate,
  IComputePool,
  IDnsFailover,
  IDnsZone,
  ILoadBalancer,
  INetwork,
  IObjectStoreCdn,
  IPostgresCluster,
  IStaticSite,
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
  SizeMap,
  StaticSiteProps,
  TierFactory,
  resolveSizeMap,
  ValidationIssue,
} from "../core";
import { DjangoTopologyProps } from "../django/spec";
import { CloudflareDnsFailover } from "../cloudflare/dns-failover";
import { EdgeCertificate } from "../cloudflare/edge-certificate";
import { MaintenanceSite } from "../cloudflare/maintenance-site";
import { CLOUDFLARE_DEFAULTS, CloudflareSettings } from "../cloudflare/settings";
import { CloudflareZone } from "../cloudflare/zone";
import { DoApplicationSecrets } from "./application-secrets";
import { doRegistryAccess } from "./registry";
import { DoCache } from "./cache";
import { DoCertificate } from "./certificate";
import { DoComputePool } from "./compute-pool";
import { validateDigitalOceanTopology } from "./validate";
import { DoLoadBalancer } from "./load-balancer";
import { DoLogging } from "./logging";
import { DoNetwork } from "./network";
import { DoObjectStore } from "./object-store";
import { DoPostgres } from "./postgres";
import { DO_DEFAULTS, DigitalOceanSettings } from "./settings";
import { DO_CACHE_SIZES, DO_COMPUTE_SIZES, DO_POSTGRES_SIZES } from "./sizes";
import { asDo } from "./shared";

export interface DigitalOceanTierFactoryProps {
  /** The environment's `digitalocean` section. */
  readonly settings: DigitalOceanSettings;
  /** The environment's `cloudflare` section. */
  readonly cloudflare: CloudflareSettings;
  /** Cloudflare's address ranges (`cidr:` entries), the only sources public load balancers admit. */
  readonly edgeCidrs: string[];
}

/**
 * Builds every tier on DigitalOcean, with Cloudflare for the zone, the TLS edge, and the
 * edge Worker that serves the maintenance page when the origin cannot answer. Providers
 * are the stack's.
 */
export class DigitalOceanTierFactory implements TierFactory {
  public readonly cloud = "do";
  /** Cloudflare proxies the site's name (the firewall, TLS and failover live in the proxy). */
  public readonly proxiesSite = true;
  public readonly policy = DIGITALOCEAN_POLICY;
  private readonly settings: DigitalOceanSettings;
  private readonly cloudflare: CloudflareSettings;
  private readonly edgeCidrs: string[];
  private readonly computeSizes: SizeMap;
  private readonly postgresSizes: SizeMap;
  private readonly cacheSizes: SizeMap;

  public validate(spec: unknown): readonly ValidationIssue[] {
    return validateDigitalOceanTopology(this.settings, this.cloudflare, spec as DjangoTopologyProps);
  }

  constructor(props: DigitalOceanTierFactoryProps) {
    this.settings = props.settings;
    this.cloudflare = props.cloudflare;
    this.edgeCidrs = props.edgeCidrs;
    this.computeSizes = resolveSizeMap(DO_COMPUTE_SIZES, props.settings.sizes?.compute);
    this.postgresSizes = resolveSizeMap(DO_POSTGRES_SIZES, props.settings.sizes?.postgres);
    this.cacheSizes = resolveSizeMap(DO_CACHE_SIZES, props.settings.sizes?.cache);
  }

  public createNetwork(scope: Construct, id: string, props: NetworkProps): INetwork {
    return new DoNetwork(scope, id, { ...props, region: this.settings.region });
  }

  public createDnsZone(scope: Construct, id: string, props: DnsZoneProps): IDnsZone {
    return new CloudflareZone(scope, id, {
      ...props,
      accountId: this.cloudflare.accountId,
      zoneId: this.cloudflare.zoneId,
      manageSettings: this.cloudflare.manageZoneSettings ?? false,
    });
  }

  /**
   * Load balancers present a Cloudflare Origin CA certificate; CDN names are Cloudflare's
   * edge certificate's (nothing to create: the CDN and the maintenance Worker bring their
   * own).
   */
  public createCertificate(scope: Construct, id: string, props: CertificateProps): ICertificate {
    return props.use === "load-balancer" ? new DoCertificate(scope, id, props) : new EdgeCertificate(props);
  }

  public createLoadBalancer(scope: Construct, id: string, props: LoadBalancerProps): ILoadBalancer {
    return new DoLoadBalancer(scope, id, {
      ...props,
      sizeUnit: this.settings.loadBalancerSizeUnit ?? DO_DEFAULTS.loadBalancerSizeUnit,
      projectId: this.settings.projectId,
      edgeCidrs: this.edgeCidrs,
    });
  }

  public createComputePool(scope: Construct, id: string, props: ComputePoolProps): IComputePool {
    return new DoComputePool(scope, id, {
      ...props,
      dropletSize: this.computeSizes[props.size],
      sshKeys: this.settings.sshKeys,
      adminCidrs: this.settings.adminCidrs ?? [],
      projectId: this.settings.projectId,
    });
  }

  public createPostgres(scope: Construct, id: string, props: PostgresProps): IPostgresCluster {
    return new DoPostgres(scope, id, {
      ...props,
      sshKeys: this.settings.sshKeys,
      nodeSize: this.postgresSizes[props.size],
      replicaNodeSize: this.postgresSizes[props.replicaSize ?? props.size],
      projectId: this.settings.projectId,
      disasterRecoveryRegion: this.settings.disasterRecoveryRegion,
    });
  }

  public createCache(scope: Construct, id: string, props: CacheProps): ICache {
    return new DoCache(scope, id, { ...props, nodeSize: this.cacheSizes[props.size], projectId: this.settings.projectId });
  }

  public createObjectStore(scope: Construct, id: string, props: ObjectStoreProps): IObjectStoreCdn {
    return new DoObjectStore(scope, id, { ...props, region: this.settings.region, projectId: this.settings.projectId });
  }

  /** The maintenance page: served by the site's edge Worker, which the failover makes (nothing is created here). */
  public createStaticSite(_scope: Construct, _id: string, props: StaticSiteProps): IStaticSite {
    asDo(props.zone, CloudflareZone, "DNS zone");
    return new MaintenanceSite({ domain: props.domain, files: props.files });
  }

  /** To `digitalocean.logDestination` (see `DoLogging`), which the validation requires with logs. */
  public createLogging(scope: Construct, id: string, props: LoggingProps): ILogging {
    if (!this.settings.logDestination) throw new Error("digitalocean.logDestination is required with logs");
    return new DoLogging(scope, id, { ...props, destination: this.settings.logDestination });
  }

  /** At the Cloudflare edge, for the whole zone (see `CloudflareFirewall`). */
  public createFirewall(scope: Construct, id: string, props: FirewallProps): IFirewall {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only for a spec that asks for this tier
    const { CloudflareFirewall } = require("../cloudflare/firewall") as typeof import("../cloudflare/firewall");
    return new CloudflareFirewall(scope, id, {
      ...props,
      zone: asDo(props.zone, CloudflareZone, "DNS zone"),
      plan: this.cloudflare.plan ?? CLOUDFLARE_DEFAULTS.plan,
      manageZone: this.cloudflare.manageZoneSettings ?? false,
    });
  }

  public createMonitoring(scope: Construct, id: string, props: MonitoringProps): IMonitoring {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only for a spec that asks for this tier
    const { DoMonitoring } = require("./monitoring") as typeof import("./monitoring");
    return new DoMonitoring(scope, id, props);
  }

  public createDnsFailover(scope: Construct, id: string, props: DnsFailoverProps): IDnsFailover {
    return new CloudflareDnsFailover(scope, id, { ...props, zone: asDo(props.zone, CloudflareZone, "DNS zone") });
  }

  public createRegistryAccess(scope: Construct, id: string, props: RegistryAccessProps): RegistryAccess {
    return doRegistryAccess(scope, id, props);
  }

  public createApplicationSecrets(scope: Construct, id: string, props: ApplicationSecretsProps): Readonly<Record<string, SecretRef>> {
    return new DoApplicationSecrets(scope, id, props).refs;
  }
}
