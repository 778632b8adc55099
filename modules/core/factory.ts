import { Construct } from "constructs";
import { CacheProps, ICache } from "./cache";
import { ValidationIssue } from "./errors";
import { CertificateProps, ICertificate } from "./certificate";
import { ComputePoolProps, IComputePool } from "./compute";
import { DnsFailoverProps, DnsZoneProps, IDnsFailover, IDnsZone } from "./dns";
import { ILoadBalancer, LoadBalancerProps } from "./load-balancer";
import { INetwork, NetworkProps } from "./network";
import { IObjectStoreCdn, IStaticSite, ObjectStoreProps, StaticSiteProps } from "./object-store";
import { IPostgresCluster, PostgresProps } from "./postgres";
import { ApplicationSecretsProps, RegistryAccess, RegistryAccessProps } from "./secrets";
import { SecretRef } from "./tier";
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
  /** Keeps the application's own secrets where the cloud's hosts read them; returns where each lives, by name. */
  createApplicationSecrets(scope: Construct, id: string, props: ApplicationSecretsProps): Readonly<Record<string, SecretRef>>;
  /** How the hosts log in to the image's registry: the cloud's own registry with what it needs, or the spec's credentials. */
  createRegistryAccess(scope: Construct, id: string, props: RegistryAccessProps): RegistryAccess;
}
