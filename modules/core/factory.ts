import { Construct } from "constructs";
import { IBroker, QueueBrokerProps } from "./broker";
import { CacheProps, ICache } from "./cache";
import { ValidationIssue } from "./errors";
import { CertificateProps, ICertificate } from "./certificate";
import { ComputePoolProps, IComputePool } from "./compute";
import { DnsFailoverProps, DnsZoneProps, IDnsFailover, IDnsZone } from "./dns";
import { ILoadBalancer, LoadBalancerProps } from "./load-balancer";
import { FirewallProps, IFirewall } from "./firewall";
import { ILogging, LoggingProps } from "./logging";
import { IMonitoring, MonitoringProps } from "./monitoring";
import { INetwork, NetworkProps } from "./network";
import { IObjectStoreCdn, IStaticSite, ObjectStoreProps, StaticSiteProps } from "./object-store";
import { IPostgresCluster, PostgresProps } from "./postgres";
import { ApplicationSecretsProps, RegistryAccess, RegistryAccessProps } from "./secrets";
import { SecretRef } from "./tier";
import { isReference } from "./decide";
import type { CloudPolicy } from "../policy/rules";

/**
 * Creates every tier on one cloud. The topology asks a factory for each tier and never
 * names a cloud; a cloud is added by implementing this interface. Construct ids passed
 * in become Terraform addresses: keep them stable.
 */
export interface TierFactory {
  /** The cloud's short name, used in stack names: `aws`, `do`. */
  readonly cloud: string;
  /**
   * The cloud's own rules for a topology this factory would build from `spec` (a
   * `DjangoTopologyProps`): its settings and the names it would derive. `DjangoTopology`
   * built by a library user runs them; `buildApp` runs the same rules through its cloud adapter.
   */
  validate?(spec: unknown): readonly ValidationIssue[];
  /**
   * The cloud's edge proxies the site's own name always (Cloudflare), so a spec's
   * `cdn.site` adds nothing. @default false: the site's name points at its load balancer
   * unless `cdn.site` puts the CDN in front
   */
  readonly proxiesSite?: boolean;
  /** The policy pack's checks on what this factory builds, which `DjangoTopology` built by a library user runs at synth. @default - none */
  readonly policy?: CloudPolicy;
  createNetwork(scope: Construct, id: string, props: NetworkProps): INetwork;
  createDnsZone(scope: Construct, id: string, props: DnsZoneProps): IDnsZone;
  createCertificate(scope: Construct, id: string, props: CertificateProps): ICertificate;
  createLoadBalancer(scope: Construct, id: string, props: LoadBalancerProps): ILoadBalancer;
  createComputePool(scope: Construct, id: string, props: ComputePoolProps): IComputePool;
  createPostgres(scope: Construct, id: string, props: PostgresProps): IPostgresCluster;
  createCache(scope: Construct, id: string, props: CacheProps): ICache;
  createObjectStore(scope: Construct, id: string, props: ObjectStoreProps): IObjectStoreCdn;
  createStaticSite(scope: Construct, id: string, props: StaticSiteProps): IStaticSite;
  createDnsFailover(scope: Construct, id: string, props: DnsFailoverProps): IDnsFailover;
  /**
   * Alarms on the other tiers, sent to people (a spec's `alerts`). A factory that cannot
   * alarm leaves it out, and a topology whose spec asks for alerts refuses it.
   * @default - no alarms
   */
  createMonitoring?(scope: Construct, id: string, props: MonitoringProps): IMonitoring;
  /**
   * Where the hosts ship their logs (a spec's `logs`); pools given it ship theirs there. A
   * factory that cannot leaves it out, and a topology whose spec asks for logs refuses it.
   * @default - logs stay on the hosts
   */
  createLogging?(scope: Construct, id: string, props: LoggingProps): ILogging;
  /** Celery's broker on the cloud's queue service (`broker.engine: "sqs"`); a cloud without one refuses the engine in its `validate`. */
  createQueueBroker?(scope: Construct, id: string, props: QueueBrokerProps): IBroker;
  /**
   * A web application firewall in front of the site (a spec's `firewall`). A factory that
   * has none leaves it out, and a topology whose spec asks for one refuses it.
   * @default - no firewall
   */
  createFirewall?(scope: Construct, id: string, props: FirewallProps): IFirewall;
  /** Keeps the application's own secrets where the cloud's hosts read them; returns where each lives, by name. */
  createApplicationSecrets(scope: Construct, id: string, props: ApplicationSecretsProps): Readonly<Record<string, SecretRef>>;
  /** How the hosts log in to the image's registry: the cloud's own registry with what it needs, or the spec's credentials. */
  createRegistryAccess(scope: Construct, id: string, props: RegistryAccessProps): RegistryAccess;
  /**
   * Makes what `make` makes only where `condition` holds, for a condition Terraform decides
   * (a whole-topology module's variable): a factory that emits module calls counts them.
   * A factory that builds resources leaves it out: it takes decisions only as literals.
   * @default - decisions are literals
   */
  counted?<T>(condition: boolean, make: () => T): T;
  /** The pool `condition` picks, for a condition Terraform decides (see `counted`). @default - decisions are literals */
  either?(condition: boolean, whenTrue: IComputePool, whenFalse: IComputePool): IComputePool;
}

function decidedByTerraform(factory: TierFactory, what: string): never {
  throw new Error(`the ${factory.cloud} tier factory builds resources at synth: ${what} must be decided by a literal, not a Terraform reference`);
}

/**
 * What `make` makes when `condition` holds: at synth for a literal (nothing at all when it is
 * false), counted by Terraform through the factory for a reference.
 */
export function whenever<T>(factory: TierFactory, condition: boolean, make: () => T): T | undefined {
  if (!isReference(condition)) return condition ? make() : undefined;
  return factory.counted ? factory.counted(condition, make) : decidedByTerraform(factory, "a tier that exists or not");
}

/** `condition ? whenTrue : whenFalse` of two pools: at synth for a literal, through the factory for a reference. */
export function eitherPool(factory: TierFactory, condition: boolean, whenTrue: IComputePool, whenFalse: IComputePool): IComputePool {
  if (!isReference(condition)) return condition ? whenTrue : whenFalse;
  return factory.either ? factory.either(condition, whenTrue, whenFalse) : decidedByTerraform(factory, "a choice of pools");
}
