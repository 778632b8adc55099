import { Construct } from "constructs";
import { DatabaseCluster } from "@cdktf/provider-digitalocean/lib/database-cluster";
import { CacheProps, Endpoint, ICache, IPeer, SecretRef, choose, protectedLifecycle } from "../core";
import { DatabaseTrustedSources } from "./database-firewall";
import { doNetworkOf } from "./network";
import { DO_VALKEY_PORT } from "./sizes";
import { resourceSecret } from "./shared";
import { cacheName } from "../naming/resource-names";

export interface DoCacheProps extends CacheProps {
  readonly nodeSize: string;
  readonly projectId?: string;
}

/**
 * DigitalOcean managed Valkey on the VPC: TLS always, a password, a standby node when
 * highly available, trusted sources naming only the app and worker tags. Eviction is
 * `volatile_lru`: cache entries (which expire) make room, Celery's queues (which do not)
 * are never evicted. PROVIDER GAP: no deletion protection or final snapshot beyond
 * `prevent_destroy`.
 */
export class DoCache extends Construct implements ICache {
  public readonly port = DO_VALKEY_PORT;
  public readonly tls = true;
  public readonly endpoint: Endpoint;
  public readonly password: SecretRef;
  public readonly cluster: DatabaseCluster;
  private readonly trusted: DatabaseTrustedSources;

  constructor(scope: Construct, id: string, props: DoCacheProps) {
    super(scope, id);
    const network = doNetworkOf(props.network);
    this.cluster = new DatabaseCluster(this, "cluster", {
      name: cacheName(props.namePrefix),
      engine: "valkey",
      version: props.version,
      size: props.nodeSize,
      region: network.region,
      nodeCount: choose(props.highAvailability, 2, 1),
      privateNetworkUuid: network.vpcId,
      projectId: props.projectId,
      evictionPolicy: "volatile_lru",
      tags: [props.namePrefix],
      maintenanceWindow: [{ day: "sunday", hour: "04:00:00" }],
      lifecycle: protectedLifecycle(props.deletionProtection),
    });
    this.endpoint = { host: this.cluster.privateHost, port: DO_VALKEY_PORT };
    this.password = resourceSecret(this.cluster.password, this.cluster, "password");
    this.trusted = new DatabaseTrustedSources(this, "trusted-sources", { firewall: this.cluster.id });
  }

  public allowFrom(peer: IPeer): void {
    this.trusted.admit(peer);
  }

  /** Admits the droplets carrying any of `tags` (which may be a reference). */
  public allowFromTags(tags: string[]): void {
    this.trusted.admitTags(tags);
  }
}
