import { Construct } from "constructs";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { ElasticacheSubnetGroup } from "@cdktf/provider-aws/lib/elasticache-subnet-group";
import { CacheProps, Endpoint, ICache, IPeer, SecretRef, choose, isReference, protectedLifecycle } from "../core";
import { awsNetworkOf } from "./network";
import { TierSecurityGroup } from "./security-group";
import { GeneratedSecret } from "./generated-secret";
import { cacheName, finalSnapshotName, secretName } from "../naming/resource-names";

export const VALKEY_PORT = 6379;

export interface AwsCacheProps extends CacheProps {
  /** ElastiCache node type of `size`. */
  readonly nodeType: string;
  /** ElastiCache engine version, e.g. `8.0`. */
  readonly engineVersion: string;
}

/**
 * ElastiCache for Valkey (a replication group, cluster mode off): encrypted at rest and in
 * transit, AUTH token required. The token is a `GeneratedSecret`: in state and in Secrets
 * Manager, where hosts read it, never in synthesised output.
 * Highly available: a replica in another zone with automatic failover.
 */
export class AwsCache extends Construct implements ICache {
  public readonly port = VALKEY_PORT;
  public readonly tls = true;
  public readonly endpoint: Endpoint;
  public readonly password: SecretRef;
  public readonly securityGroup: TierSecurityGroup;
  public readonly group: ElasticacheReplicationGroup;
  /**
   * The group's nodes, as ElastiCache names them (`<group>-001`, `-002`): the names its
   * per-node metrics are reported under.
   */
  public readonly memberClusterIds: readonly string[];

  constructor(scope: Construct, id: string, props: AwsCacheProps) {
    super(scope, id);
    const network = awsNetworkOf(props.network);
    const name = cacheName(props.namePrefix);
    const protect = props.deletionProtection;

    this.securityGroup = new TierSecurityGroup(this, "security-group", {
      vpcId: network.vpcId,
      name,
      description: "Valkey: from the app tier only",
    });
    const subnets = new ElasticacheSubnetGroup(this, "subnet-group", {
      name,
      description: `${name}: database subnets`,
      subnetIds: network.subnetIds.database,
      tags: { Name: name },
    });

    const token = new GeneratedSecret(this, "auth-token", {
      name: secretName(props.namePrefix, "cache/auth-token"),
      description: `AUTH token of ${name}`,
      protect,
    });
    this.password = token.ref;

    this.group = new ElasticacheReplicationGroup(this, "replication-group", {
      replicationGroupId: name,
      description: `${props.namePrefix}: cache, sessions and Celery broker`,
      engine: "valkey",
      engineVersion: props.engineVersion,
      nodeType: props.nodeType,
      port: VALKEY_PORT,
      numCacheClusters: choose(props.highAvailability, 2, 1),
      automaticFailoverEnabled: props.highAvailability,
      multiAzEnabled: props.highAvailability,
      subnetGroupName: subnets.name,
      securityGroupIds: [this.securityGroup.id],
      atRestEncryptionEnabled: "true",
      transitEncryptionEnabled: true,
      authToken: token.password,
      autoMinorVersionUpgrade: "true",
      maintenanceWindow: "sun:04:30-sun:05:30",
      snapshotWindow: "01:00-02:00",
      snapshotRetentionLimit: choose(protect, 7, 0),
      finalSnapshotIdentifier: choose(protect, finalSnapshotName(name), undefined),
      applyImmediately: false,
      tags: { Name: name },
      lifecycle: protectedLifecycle(protect),
    });
    this.endpoint = { host: this.group.primaryEndpointAddress, port: VALKEY_PORT };
    this.memberClusterIds = isReference(props.highAvailability) ? [] : Array.from({ length: props.highAvailability ? 2 : 1 }, (_, i) => `${name}-${String(i + 1).padStart(3, "0")}`);
  }

  public allowFrom(peer: IPeer): void {
    this.securityGroup.allowFromPeer(peer, VALKEY_PORT);
  }
}
