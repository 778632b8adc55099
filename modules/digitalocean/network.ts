import { Construct } from "constructs";
import { Vpc } from "@cdktf/provider-digitalocean/lib/vpc";
import { INetwork, NetworkProps } from "../core";
import { asDo } from "./shared";

export interface DoNetworkProps extends NetworkProps {
  readonly region: string;
}

/** A DigitalOcean VPC the tiers live in: one this stack makes, or one that exists. */
export interface IDoNetwork extends INetwork {
  readonly region: string;
  /** The VPC's id (a UUID: droplets' `vpc_uuid`, databases' `private_network_uuid`). */
  readonly vpcId: string;
}

/** A VPC made elsewhere, known by its id and region (a module's input), for the tiers placed in it. */
export class ExistingDoNetwork implements IDoNetwork {
  public readonly zones = 1;

  constructor(
    public readonly vpcId: string,
    public readonly region: string,
    public readonly cidr: string,
  ) {}
}

/** Narrows a neutral network to a DigitalOcean one; networks of another cloud's factory are refused. */
export function doNetworkOf(network: INetwork): IDoNetwork {
  return network instanceof ExistingDoNetwork ? network : asDo(network, DoNetwork, "network");
}

/**
 * A DigitalOcean VPC in one region. PROVIDER GAP: DigitalOcean has no availability zones;
 * a region is one failure domain, so the network spans one zone whatever `zones` says.
 */
export class DoNetwork extends Construct implements IDoNetwork {
  public readonly cidr: string;
  public readonly zones = 1;
  public readonly region: string;
  public readonly vpc: Vpc;

  constructor(scope: Construct, id: string, props: DoNetworkProps) {
    super(scope, id);
    this.cidr = props.cidr;
    this.region = props.region;
    this.vpc = new Vpc(this, "vpc", {
      name: props.namePrefix,
      region: props.region,
      ipRange: props.cidr,
      description: `${props.namePrefix}: managed by cloudtiers`,
    });
  }

  public get vpcId(): string {
    return this.vpc.id;
  }
}
