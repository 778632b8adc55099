import { Construct } from "constructs";
import { Fn, ITerraformDependable } from "cdktf";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { INetwork, NetworkProps, cidrSubnet } from "../core";

export interface AwsNetworkProps extends NetworkProps {
  readonly region: string;
  readonly natGateways: "per-zone" | "single";
}

/** The three subnet tiers, after terraform-aws-modules/vpc. */
export type SubnetTier = "public" | "private" | "database";

/**
 * The block of each subnet: private subnets take the first sixteenths of the VPC (a /20
 * each in a /16), public and database subnets a 256th each from its upper half.
 */
export function subnetCidr(vpcCidr: string, tier: SubnetTier, zone: number): string {
  switch (tier) {
    case "private":
      return cidrSubnet(vpcCidr, 4, zone);
    case "public":
      return cidrSubnet(vpcCidr, 8, 128 + zone);
    case "database":
      return cidrSubnet(vpcCidr, 8, 144 + zone);
  }
}

/** What AWS tiers need of a network: its VPC and the subnets of each tier. */
export interface IAwsNetwork extends INetwork {
  readonly vpcId: string;
  readonly publicSubnetIds: string[];
  readonly privateSubnetIds: string[];
  readonly databaseSubnetIds: string[];
  /** What hosts in the private subnets need before they boot (NAT and its routes), if this stack makes it. */
  readonly egressReady: ITerraformDependable[];
}

/** A network made elsewhere (another stack, a module's inputs), given by its ids; values may be references. */
export class ExistingAwsNetwork implements IAwsNetwork {
  public readonly egressReady: ITerraformDependable[] = [];

  constructor(
    public readonly vpcId: string,
    public readonly subnets: { readonly public: string[]; readonly private: string[]; readonly database: string[] },
    public readonly cidr: string,
    public readonly zones: number,
  ) {}

  public get publicSubnetIds(): string[] {
    return this.subnets.public;
  }

  public get privateSubnetIds(): string[] {
    return this.subnets.private;
  }

  public get databaseSubnetIds(): string[] {
    return this.subnets.database;
  }
}

/** Narrows a neutral network to an AWS one; networks of another cloud's factory are refused. */
export function awsNetworkOf(network: INetwork): IAwsNetwork {
  if (network instanceof AwsNetwork || network instanceof ExistingAwsNetwork) return network;
  throw new Error("AwsTierFactory was given a network that another factory created; AWS tiers only combine with AWS tiers");
}

/**
 * A VPC over `zones` availability zones: public subnets (load balancer, NAT), private
 * subnets (hosts, egress through NAT) and database subnets (no route out at all). The
 * default security group is emptied; an S3 gateway endpoint keeps bucket traffic off NAT.
 */
export class AwsNetwork extends Construct implements IAwsNetwork {
  public readonly cidr: string;
  public readonly zones: number;
  public readonly vpc: Vpc;
  public readonly publicSubnets: Subnet[] = [];
  public readonly privateSubnets: Subnet[] = [];
  public readonly databaseSubnets: Subnet[] = [];
  /** What hosts in the private subnets need before they boot: NAT gateways and their routes. */
  public readonly egressReady: ITerraformDependable[] = [];

  constructor(scope: Construct, id: string, props: AwsNetworkProps) {
    super(scope, id);
    this.cidr = props.cidr;
    this.zones = props.zones;
    const name = props.namePrefix;

    const azs = new DataAwsAvailabilityZones(this, "zones", {
      state: "available",
      filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
    });
    this.vpc = new Vpc(this, "vpc", {
      cidrBlock: props.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: name },
    });
    new DefaultSecurityGroup(this, "default-security-group", { vpcId: this.vpc.id, tags: { Name: `${name}-default-closed` } });
    const igw = new InternetGateway(this, "internet-gateway", { vpcId: this.vpc.id, tags: { Name: name } });

    const subnet = (tier: SubnetTier, zone: number) =>
      new Subnet(this, `${tier}-subnet-${zone}`, {
        vpcId: this.vpc.id,
        cidrBlock: subnetCidr(props.cidr, tier, zone),
        availabilityZone: Fn.element(azs.names, zone),
        mapPublicIpOnLaunch: false,
        tags: { Name: `${name}-${tier}-${zone}`, Tier: tier },
      });
    for (let zone = 0; zone < props.zones; zone++) {
      this.publicSubnets.push(subnet("public", zone));
      this.privateSubnets.push(subnet("private", zone));
      this.databaseSubnets.push(subnet("database", zone));
    }

    const publicRoutes = new RouteTable(this, "public-route-table", {
      vpcId: this.vpc.id,
      route: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
      tags: { Name: `${name}-public` },
    });
    this.publicSubnets.forEach((s, zone) =>
      new RouteTableAssociation(this, `public-subnet-${zone}-routes`, { subnetId: s.id, routeTableId: publicRoutes.id }),
    );

    const natCount = props.natGateways === "single" ? 1 : props.zones;
    const nats = Array.from({ length: natCount }, (_, zone) => {
      const eip = new Eip(this, `nat-address-${zone}`, { domain: "vpc", tags: { Name: `${name}-nat-${zone}` }, dependsOn: [igw] });
      return new NatGateway(this, `nat-gateway-${zone}`, {
        allocationId: eip.id,
        subnetId: this.publicSubnets[zone].id,
        tags: { Name: `${name}-${zone}` },
        dependsOn: [igw],
      });
    });
    const privateRoutes = nats.map(
      (nat, zone) =>
        new RouteTable(this, `private-route-table-${zone}`, {
          vpcId: this.vpc.id,
          route: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }],
          tags: { Name: `${name}-private-${zone}` },
        }),
    );
    this.privateSubnets.forEach((s, zone) =>
      this.egressReady.push(
        new RouteTableAssociation(this, `private-subnet-${zone}-routes`, {
          subnetId: s.id,
          routeTableId: privateRoutes[Math.min(zone, privateRoutes.length - 1)].id,
        }),
      ),
    );
    this.egressReady.push(...nats, ...privateRoutes);

    const databaseRoutes = new RouteTable(this, "database-route-table", { vpcId: this.vpc.id, tags: { Name: `${name}-database` } });
    this.databaseSubnets.forEach((s, zone) =>
      new RouteTableAssociation(this, `database-subnet-${zone}-routes`, { subnetId: s.id, routeTableId: databaseRoutes.id }),
    );

    new VpcEndpoint(this, "s3-endpoint", {
      vpcId: this.vpc.id,
      serviceName: `com.amazonaws.${props.region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: privateRoutes.map((r) => r.id),
      tags: { Name: `${name}-s3` },
    });
  }

  public get vpcId(): string {
    return this.vpc.id;
  }

  public get publicSubnetIds(): string[] {
    return this.publicSubnets.map((s) => s.id);
  }

  public get privateSubnetIds(): string[] {
    return this.privateSubnets.map((s) => s.id);
  }

  public get databaseSubnetIds(): string[] {
    return this.databaseSubnets.map((s) => s.id);
  }
}
