import { AWS_POLICY } from "./policy";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import {
  ApplicationSecretsProps,
  DEFAULTS,
  CacheProps,
  IBroker,
  QueueBrokerProps,
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
import { AwsApplicationSecrets } from "./application-secrets";
import { awsRegistryAccess } from "./registry";
import { AwsCache } from "./cache";
import { AwsCertificate } from "./certificate";
import { AwsComputePool, UBUNTU_AMI } from "./compute-pool";
import { AwsDnsFailover } from "./dns-failover";
import { AwsDnsZone } from "./dns-zone";
import { AwsLoadBalancer } from "./load-balancer";
import { AwsLogging } from "./logging";
import { AwsNetwork } from "./network";
import { AwsObjectStore } from "./object-store";
import { AwsPostgres, AwsPostgresProps } from "./postgres";
import { AWS_DEFAULTS, AwsSettings } from "./settings";
import { validateAwsTopology } from "./validate";
import { AWS_BROKER_SIZES, AWS_CACHE_SIZES, AWS_COMPUTE_SIZES, AWS_POSTGRES_SIZES, AWS_VALKEY_VERSIONS } from "./sizes";
import { AwsStaticSite } from "./static-site";

export interface AwsTierFactoryProps {
  /** The environment's `aws` section. */
  readonly settings: AwsSettings;
  /** The us-east-1 provider alias CloudFront certificates are issued through. */
  readonly cdnProvider: AwsProvider;
  /** The provider alias of `aws.disasterRecoveryRegion`. @default - none: no disaster-recovery replica */
  readonly disasterRecoveryProvider?: AwsProvider;
}

/** The disaster-recovery region and its provider, when the settings name one (the stack makes the provider). */
function drRegion(settings: AwsSettings, provider: AwsProvider | undefined): AwsPostgresProps["disasterRecovery"] {
  if (settings.disasterRecoveryRegion === undefined) return undefined;
  if (!provider) throw new Error(`aws.disasterRecoveryRegion is ${settings.disasterRecoveryRegion}, but the stack gave the tier factory no provider for it (AwsTierFactoryProps.disasterRecoveryProvider)`);
  if (settings.disasterRecoveryCidr === undefined) throw new Error("aws.disasterRecoveryRegion needs aws.disasterRecoveryCidr (the validator says so first)");
  return { region: settings.disasterRecoveryRegion, cidr: settings.disasterRecoveryCidr, provider };
}

/** Builds every tier on AWS. Providers are the stack's; this only creates resources. */
export class AwsTierFactory implements TierFactory {
  public readonly cloud = "aws";
  public readonly policy = AWS_POLICY;
  private readonly settings: AwsSettings;
  private readonly cdnProvider: AwsProvider;
  private readonly disasterRecoveryProvider?: AwsProvider;
  private readonly computeSizes: SizeMap;
  private readonly postgresSizes: SizeMap;
  private readonly cacheSizes: SizeMap;

  public validate(spec: unknown): readonly ValidationIssue[] {
    const issues = validateAwsTopology(this.settings, spec as DjangoTopologyProps);
    const dr = this.settings.disasterRecoveryRegion;
    if (issues.length === 0 && dr !== undefined && !this.disasterRecoveryProvider) {
      const environment = (spec as DjangoTopologyProps).environment;
      return [{ environment, path: "aws.disasterRecoveryRegion", message: `is "${dr}", which needs an AWS provider for that region: give it to the factory as AwsTierFactoryProps.disasterRecoveryProvider (the stacks make one, alias disaster_recovery)` }];
    }
    return issues;
  }

  constructor(props: AwsTierFactoryProps) {
    this.settings = props.settings;
    this.cdnProvider = props.cdnProvider;
    this.disasterRecoveryProvider = props.disasterRecoveryProvider;
    this.computeSizes = resolveSizeMap(AWS_COMPUTE_SIZES, props.settings.sizes?.compute);
    this.postgresSizes = resolveSizeMap(AWS_POSTGRES_SIZES, props.settings.sizes?.postgres);
    this.cacheSizes = resolveSizeMap(AWS_CACHE_SIZES, props.settings.sizes?.cache);
  }

  private get priceClass(): string {
    return this.settings.cdnPriceClass ?? AWS_DEFAULTS.cdnPriceClass;
  }

  public createNetwork(scope: Construct, id: string, props: NetworkProps): INetwork {
    return new AwsNetwork(scope, id, { ...props, region: this.settings.region, natGateways: this.settings.natGateways ?? AWS_DEFAULTS.natGateways });
  }

  public createDnsZone(scope: Construct, id: string, props: DnsZoneProps): IDnsZone {
    return new AwsDnsZone(scope, id, { ...props, hostedZoneId: this.settings.hostedZoneId });
  }

  public createCertificate(scope: Construct, id: string, props: CertificateProps): ICertificate {
    return new AwsCertificate(scope, id, { ...props, cdnProvider: this.cdnProvider });
  }

  public createLoadBalancer(scope: Construct, id: string, props: LoadBalancerProps): ILoadBalancer {
    return new AwsLoadBalancer(scope, id, props);
  }

  public createComputePool(scope: Construct, id: string, props: ComputePoolProps): IComputePool {
    return new AwsComputePool(scope, id, {
      ...props,
      instanceType: this.computeSizes[props.size],
      imageId: this.settings.imageId ?? UBUNTU_AMI,
    });
  }

  public createPostgres(scope: Construct, id: string, props: PostgresProps): IPostgresCluster {
    return new AwsPostgres(scope, id, {
      ...props,
      instanceClass: this.postgresSizes[props.size],
      replicaInstanceClass: this.postgresSizes[props.replicaSize ?? props.size],
      disasterRecovery: drRegion(this.settings, this.disasterRecoveryProvider),
    });
  }

  public createQueueBroker(scope: Construct, id: string, props: QueueBrokerProps): IBroker {
    if (props.engine === "rabbitmq") {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- Amazon MQ's bindings load only for a spec that asks for it
      const { AwsRabbitMqBroker } = require("./rabbitmq") as typeof import("./rabbitmq");
      if (!props.network) throw new Error("a RabbitMQ broker needs the network its hosts live in (QueueBrokerProps.network)");
      const size = props.size ?? DEFAULTS.broker.size;
      return new AwsRabbitMqBroker(scope, id, { ...props, network: props.network, size, highAvailability: props.highAvailability ?? DEFAULTS.broker.highAvailability, instanceType: AWS_BROKER_SIZES[size] });
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- SQS's bindings load only for a spec that asks for it
    const { AwsSqsBroker } = require("./broker") as typeof import("./broker");
    return new AwsSqsBroker(scope, id, { ...props, region: this.settings.region });
  }

  public createCache(scope: Construct, id: string, props: CacheProps): ICache {
    const engineVersion = AWS_VALKEY_VERSIONS[props.version];
    if (!engineVersion) {
      throw new Error(`ElastiCache has no Valkey ${props.version}; use one of ${Object.keys(AWS_VALKEY_VERSIONS).join(", ")}`);
    }
    return new AwsCache(scope, id, { ...props, nodeType: this.cacheSizes[props.size], engineVersion });
  }

  public createObjectStore(scope: Construct, id: string, props: ObjectStoreProps): IObjectStoreCdn {
    return new AwsObjectStore(scope, id, { ...props, region: this.settings.region, priceClass: this.priceClass });
  }

  public createStaticSite(scope: Construct, id: string, props: StaticSiteProps): IStaticSite {
    return new AwsStaticSite(scope, id, { ...props, priceClass: this.priceClass });
  }

  public createDnsFailover(scope: Construct, id: string, props: DnsFailoverProps): IDnsFailover {
    return new AwsDnsFailover(scope, id, { ...props, priceClass: this.priceClass });
  }

  public createLogging(scope: Construct, id: string, props: LoggingProps): ILogging {
    return new AwsLogging(scope, id, { ...props, region: this.settings.region });
  }

  public createFirewall(scope: Construct, id: string, props: FirewallProps): IFirewall {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only for a spec that asks for this tier
    const { AwsFirewall } = require("./firewall") as typeof import("./firewall");
    return new AwsFirewall(scope, id, { ...props, globalProvider: this.cdnProvider });
  }

  public createMonitoring(scope: Construct, id: string, props: MonitoringProps): IMonitoring {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only for a spec that asks for this tier
    const { AwsMonitoring } = require("./monitoring") as typeof import("./monitoring");
    return new AwsMonitoring(scope, id, { ...props, region: this.settings.region, globalProvider: this.cdnProvider });
  }

  /** ECR needs no resource: the pools' roles are granted the repository. */
  public createRegistryAccess(_scope: Construct, _id: string, props: RegistryAccessProps): RegistryAccess {
    return awsRegistryAccess(props);
  }

  public createApplicationSecrets(scope: Construct, id: string, props: ApplicationSecretsProps): Readonly<Record<string, SecretRef>> {
    return new AwsApplicationSecrets(scope, id, { ...props, existing: this.settings.secrets ?? {} }).refs;
  }
}
