import { Construct } from "constructs";
import { Vpc } from "@cdktf/provider-digitalocean/lib/vpc";
import { INetwork, NetworkProps } from "../core";

export interface DoNetworkProps extends NetworkProps {
  readonly region: string;
}

/**
 * A DigitalOcean VPC in one region. PROVIDER GAP: DigitalOcean has no availability zones;
 * a region is one failure domain, so the network spans one zone whatever `zones` says.
 */
export class DoNetwork extends Construct implements INetwork {
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
