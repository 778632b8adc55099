import { Construct } from "constructs";
import { Annotations, Fn, Op, TerraformLocal, TerraformStack, TerraformVariable } from "cdktf";
import { DropletAutoscale } from "@cdktf/provider-digitalocean/lib/droplet-autoscale";
import { Firewall, FirewallInboundRule } from "@cdktf/provider-digitalocean/lib/firewall";
import { Tag } from "@cdktf/provider-digitalocean/lib/tag";
import { DEFAULTS, ComputePoolProps, IComputePool, IPeer, PoolDiscovery, PoolRole, Size, choose, equals, poolLifecycle, isReference, terraformTemplate } from "../core";
import { inlineHostDelivery } from "./host-delivery";
import { DoLogging } from "./logging";
import { DoLoadBalancer } from "./load-balancer";
import { doNetworkOf } from "./network";
import { DO_IMAGE } from "./sizes";
import { IDoPeer, asDo, firewallSourcesOf, stateSecret } from "./shared";
import { REVISION_DIGEST_LENGTH, poolName, revisionTagName } from "../naming/resource-names";

export interface DoComputePoolProps extends ComputePoolProps {
  /** The droplet size slug of `size`. */
  readonly dropletSize: string;
  readonly sshKeys: readonly string[];
  /** Addresses SSH is allowed from; none closes port 22. */
  readonly adminCidrs: readonly string[];
  readonly projectId?: string;
}

const ANYWHERE = ["0.0.0.0/0", "::/0"];

/**
 * The sensitive Terraform variable holding the token the web droplets of the `nginx-balanced`
 * layout list the app droplets with, and the name it has in their own environment.
 * PROVIDER GAPS: the provider has no resource that makes an API token, so the operator makes a
 * custom-scoped one with `droplet:read` and `tag:read` (a filter by tag "requires tag:read
 * scope", DigitalOcean's API reference; `droplet:read` brings `regions:read`, `sizes:read`,
 * `actions:read` and `image:read` with it), the least that lists droplets by tag. No scope is
 * narrower: `droplet:read` also reads the autoscale pools, whose droplet template holds the
 * app droplets' user data, and with it the application's secrets (`inlineHostDelivery`), so a
 * web droplet can reach them through its token (a warning at synth).
 */
export const READ_TOKEN = { variable: "digitalocean_read_token", setting: "DIGITALOCEAN_READ_TOKEN" } as const;

/** How droplets list the active droplets tagged `tag` (`taggedDropletsScript`), with the read token of their own environment. */
export function tagDiscovery(tag: string): PoolDiscovery {
  return {
    listScript: taggedDropletsScript(tag),
    packages: ["jq"],
    listedWhen: "once the droplet is active and answers its health path (DigitalOcean lists a droplet as soon as it runs), until it is destroyed",
  };
}

/**
 * Prints `<private IPv4> near` for each active droplet tagged `tag` (`PoolDiscovery.listScript`):
 * GET /v2/droplets?tag_name= with the read token of the host's own environment ($1), every
 * page. A region has no zones, so every droplet is near.
 */
export function taggedDropletsScript(tag: string): string {
  return `#!/bin/sh
# cloudtiers-list-app-hosts: the active droplets tagged ${tag}, by their private address.
set -eu
token=$(sed -n 's/^${READ_TOKEN.setting}=//p' "$1")
if [ -z "$token" ]; then
  echo "cloudtiers-list-app-hosts: ${READ_TOKEN.setting} is missing from $1" >&2
  exit 1
fi
url='https://api.digitalocean.com/v2/droplets?tag_name=${tag}&per_page=200'
while [ -n "$url" ]; do
  # The token goes to curl on its standard input (a header file), never in its arguments.
  page=$(printf 'Authorization: Bearer %s\n' "$token" | curl -fsS --max-time 10 --retry 2 -H @- "$url")
  printf '%s' "$page" | jq -r '.droplets[] | select(.status == "active") | .networks.v4[] | select(.type == "private") | "\\(.ip_address) near"'
  url=$(printf '%s' "$page" | jq -r '.links.pages.next // empty')
done
`;
}
/** The cooldown of pools that scale (fixed pools have 10 minutes, which cannot be changed). */
export const DO_COOLDOWN_MINUTES = 10;

/**
 * A DigitalOcean droplet autoscale pool on Ubuntu 24.04 in the VPC, with the monitoring
 * agent, CPU target scaling (a fixed size when min = max), the same rendered user data as
 * every cloud, and a firewall on its tag: inbound only the pool's port from its load
 * balancer or peers, SSH only from `adminCidrs`; outbound open.
 *
 * PROVIDER GAPS: droplets are replaced when they fail, never because a load balancer finds
 * them unhealthy (`replaceUnhealthy` has no effect); the disk is the droplet size's own
 * (`diskGiB` has no effect); hosts have no identity, so `readableSecrets` reach them inside
 * their user data (see `inlineHostDelivery`). A changed droplet template (a release: the
 * image is in the user data) makes the pool itself create droplets from it, wait the
 * cooldown (10 minutes for a fixed pool) and destroy the old ones, whether or not the new
 * ones are healthy; a droplet the pool destroys gets a shutdown and 60 seconds
 * (docs.digitalocean.com/products/droplets/concepts/autoscale-pools), so a worker's warm
 * shutdown is cut at 60 seconds (a longer `pools.worker.stopTimeoutSeconds` is refused).
 */
export class DoComputePool extends Construct implements IComputePool, IDoPeer {
  public readonly role: PoolRole;
  public readonly size: Size;
  public readonly minInstances: number;
  public readonly maxInstances: number;
  public readonly port?: number;
  public readonly peerName: string;
  public readonly tag: Tag;
  /** `<pool>-rev-<12 hex digits of the user data's SHA-256>`: the droplets of the current template. */
  public readonly revisionTag: Tag;
  public readonly firewall: Firewall;
  public readonly pool: DropletAutoscale;
  private readonly inbound: FirewallInboundRule[] = [];
  private readonly tagName: string;

  constructor(scope: Construct, id: string, props: DoComputePoolProps) {
    super(scope, id);
    const network = doNetworkOf(props.network);
    const name = poolName(props.namePrefix, props.role);
    this.role = props.role;
    this.size = props.size;
    this.minInstances = props.minInstances;
    this.maxInstances = props.maxInstances;
    this.port = props.port;
    this.peerName = `${props.role} pool`;
    const exclusive = props.exclusive ?? false;
    if (!isReference(exclusive) && exclusive && props.maxInstances !== 1) {
      throw new Error(`the ${props.role} pool is exclusive (one host at most) but maxInstances is ${props.maxInstances}`);
    }

    this.tag = new Tag(this, "tag", { name });
    this.tagName = name;
    if (props.adminCidrs.length > 0) this.inbound.push({ protocol: "tcp", portRange: "22", sourceAddresses: [...props.adminCidrs] });
    this.firewall = new Firewall(this, "firewall", {
      name,
      tags: [this.tag.name],
      inboundRule: this.inbound.length > 0 ? [...this.inbound] : undefined,
      outboundRule: [
        { protocol: "tcp", portRange: "1-65535", destinationAddresses: ANYWHERE },
        { protocol: "udp", portRange: "1-65535", destinationAddresses: ANYWHERE },
        { protocol: "icmp", destinationAddresses: ANYWHERE },
      ],
    });

    const logging = props.logging ? asDo(props.logging, DoLogging, "log destination") : undefined;
    const delivery = inlineHostDelivery(props.host.configuration);
    const userData = terraformTemplate(props.host.render(logging ? { ...delivery, logShipping: logging.shipping(props.role) } : delivery, { sshFrom: props.adminCidrs }));
    // A tag for each version of the droplets' user data (a release: the image is in it), so
    // that `npm run rollout` tells droplets made from the current template from the others.
    // Made before the old one goes: the pool's template names it throughout.
    const template = new TerraformLocal(this, "user-data", userData);
    this.revisionTag = new Tag(this, "revision", {
      name: revisionTagName(name, Fn.substr(Fn.sha256(template.asString), 0, REVISION_DIGEST_LENGTH)),
      lifecycle: { createBeforeDestroy: true },
    });

    const fixed = equals(props.minInstances, props.maxInstances);
    const cpuTarget = props.cpuTargetPercent ?? DEFAULTS.pool.cpuTargetPercent;
    this.pool = new DropletAutoscale(this, "pool", {
      name,
      // A fixed number of droplets when min = max; else CPU target scaling between them.
      config: {
        targetNumberInstances: choose(fixed, props.minInstances, undefined),
        minInstances: choose(fixed, undefined, props.minInstances),
        maxInstances: choose(fixed, undefined, props.maxInstances),
        targetCpuUtilization: choose(fixed, undefined, isReference(cpuTarget) ? Op.div(cpuTarget, 100) : cpuTarget / 100),
        // Also how long a changed template's new droplets get before the pool destroys the old
        // ones: "at least as long as it takes your Droplets to boot" (DigitalOcean's autoscale
        // pool docs); a first boot installs packages and pulls the image. Fixed pools: 10, always.
        cooldownMinutes: choose(fixed, undefined, DO_COOLDOWN_MINUTES),
      },
      dropletTemplate: {
        image: DO_IMAGE,
        size: props.dropletSize,
        region: network.region,
        vpcUuid: network.vpcId,
        projectId: props.projectId,
        tags: [this.tag.name, this.revisionTag.name],
        sshKeys: [...props.sshKeys],
        ipv6: false,
        withDropletAgent: true,
        userData: template.asString,
      },
      dependsOn: [this.firewall],
      lifecycle: poolLifecycle(exclusive, props.minInstances, props.maxInstances),
    });

    if (props.loadBalancer) {
      const lb = asDo(props.loadBalancer, DoLoadBalancer, "load balancer");
      if (props.port === undefined) throw new Error(`the ${props.role} pool is behind a load balancer but serves no port`);
      lb.targetTag(this.tag.name);
      this.allowFrom(lb);
    }
  }

  public get firewallSources(): { tags: string[] } {
    return { tags: [this.tag.name] };
  }

  /**
   * The pool's active droplets, listed by another pool's droplets through DigitalOcean's API
   * with a read-only token the operator gives as the sensitive variable `digitalocean_read_token`
   * (declared here, once per stack): DigitalOcean droplets have no identity to call it with.
   */
  public discovery(): PoolDiscovery {
    const stack = TerraformStack.of(this);
    const declared = stack.node.tryFindChild(READ_TOKEN.variable) as TerraformVariable | undefined;
    const token =
      declared ??
      new TerraformVariable(stack, READ_TOKEN.variable, {
        type: "string",
        sensitive: true,
        nullable: false,
        description: `A DigitalOcean API token with the custom scopes droplet:read and tag:read only, which the web droplets list the app droplets with (nginx-balanced layout): set TF_VAR_${READ_TOKEN.variable}, or a sensitive Terraform variable of the workspace`,
        validation: [{ condition: `\${length(var.${READ_TOKEN.variable}) > 0 && !can(regex("[\\r\\n]", var.${READ_TOKEN.variable}))}`, errorMessage: `${READ_TOKEN.variable} must be one line of text, not empty.` }],
      });
    token.overrideLogicalId(READ_TOKEN.variable);
    Annotations.of(this).addWarning(
      `PROVIDER GAP: the web droplets list the ${this.role} droplets with a droplet:read token, which can also read the ${this.role} pool's droplet template, whose user data holds the application's secrets (DigitalOcean has no narrower scope); the split layout keeps them off the web droplets`,
    );
    return {
      ...tagDiscovery(this.tagName),
      hostSecrets: [
        {
          name: READ_TOKEN.setting,
          secret: stateSecret(token.stringValue, `var.${READ_TOKEN.variable}`),
          origin: `given to Terraform as the sensitive variable ${READ_TOKEN.variable} (TF_VAR_${READ_TOKEN.variable}): a token with the droplet:read and tag:read scopes only`,
        },
      ],
    };
  }

  /** Lets `peer`'s droplets connect to the port; the token of `discovery` is all they need to list this pool's. */
  public grantDiscovery(peer: IComputePool): void {
    this.allowFrom(peer);
  }

  /** Admits `peer` on the pool's port. */
  public allowFrom(peer: IPeer): void {
    if (this.port === undefined) throw new Error(`the ${this.role} pool serves no port and accepts no connections`);
    const sources = firewallSourcesOf(peer);
    this.inbound.push({
      protocol: "tcp",
      portRange: String(this.port),
      ...(sources.loadBalancerUids ? { sourceLoadBalancerUids: sources.loadBalancerUids } : {}),
      ...(sources.tags ? { sourceTags: sources.tags } : {}),
    });
    this.firewall.putInboundRule([...this.inbound]);
  }
}
