import { Construct } from "constructs";
import { Fn, ITerraformDependable, TerraformCount, TerraformResource } from "cdktf";
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
import { Copies, INetwork, NetworkProps, Position, choose, cidrSubnet, copiesOf, equals, isReference, plus, repeat } from "../core";

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
  const [newBits, first] = SUBNET_LAYOUT[tier];
  return cidrSubnet(vpcCidr, newBits, plus(first, zone));
}

const TIERS: readonly SubnetTier[] = ["public", "private", "database"];

/** Per tier: the extra prefix bits of its subnets and the index of the first one. */
const SUBNET_LAYOUT: Readonly<Record<SubnetTier, readonly [number, number]>> = { private: [4, 0], public: [8, 128], database: [8, 144] };

/** What AWS tiers need of a network: its VPC and the subnets of each tier. */
export interface IAwsNetwork extends INetwork {
  readonly vpcId: string;
  /** The subnet ids of each tier, one per zone (list references when made elsewhere or counted). */
  readonly subnetIds: Readonly<Record<SubnetTier, string[]>>;
  /** What hosts in the private subnets need before they boot (NAT and its routes), if this stack makes it. */
  readonly egressReady: ITerraformDependable[];
}

/** A network made elsewhere (another stack, a module's inputs), given by its ids; values may be references. */
export class ExistingAwsNetwork implements IAwsNetwork {
  public readonly egressReady: ITerraformDependable[] = [];
  public readonly subnetIds: Readonly<Record<SubnetTier, string[]>>;

  constructor(
    public readonly vpcId: string,
    /** The tiers a module is given; the others are empty. */
    subnetIds: Partial<Record<SubnetTier, string[]>>,
    public readonly cidr: string,
    public readonly zones: number,
  ) {
    this.subnetIds = { public: [], private: [], database: [], ...subnetIds };
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
  /** One per zone; a single counted subnet when the zone count is a reference. */
  public readonly publicSubnets: readonly Subnet[];
  public readonly privateSubnets: readonly Subnet[];
  public readonly databaseSubnets: readonly Subnet[];
  /** What hosts in the private subnets need before they boot: NAT gateways and their routes. */
  public readonly egressReady: ITerraformDependable[] = [];
  public readonly subnetIds: Readonly<Record<SubnetTier, string[]>>;

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

    // Per zone, in the order the stacks have always created them (their ids are addresses).
    const perZone = <T extends TerraformResource>(what: string, make: (id: string, zone: Position, meta: { count?: TerraformCount }) => T) =>
      repeat(props.zones, what, make, 0);
    const subnet = (tier: SubnetTier, subnetId: string, zone: Position, meta: { count?: TerraformCount }) =>
      new Subnet(this, subnetId, {
        ...meta,
        vpcId: this.vpc.id,
        cidrBlock: subnetCidr(props.cidr, tier, zone.index),
        availabilityZone: Fn.element(azs.names, zone.index),
        mapPublicIpOnLaunch: false,
        tags: { Name: `${name}-${tier}-${zone.ordinal}`, Tier: tier },
      });
    const subnets = {} as Record<SubnetTier, Copies<Subnet>>;
    if (isReference(props.zones)) {
      for (const tier of TIERS) subnets[tier] = perZone(`${tier}-subnet`, (subnetId, zone, meta) => subnet(tier, subnetId, zone, meta));
    } else {
      // Zone by zone, as the stacks always have: the same JSON, byte for byte.
      const made = Object.fromEntries(TIERS.map((tier) => [tier, [] as Subnet[]])) as Record<SubnetTier, Subnet[]>;
      for (let zone = 0; zone < props.zones; zone++) {
        for (const tier of TIERS) made[tier].push(subnet(tier, `${tier}-subnet-${zone}`, { index: zone, ordinal: String(zone) }, {}));
      }
      for (const tier of TIERS) subnets[tier] = copiesOf(made[tier]);
    }
    this.publicSubnets = subnets.public.constructs;
    this.privateSubnets = subnets.private.constructs;
    this.databaseSubnets = subnets.database.constructs;
    this.subnetIds = { public: subnets.public.all("id"), private: subnets.private.all("id"), database: subnets.database.all("id") };
    const subnetOf = (tier: SubnetTier, zone: Position) => subnets[tier].at(zone.index, "id");

    const publicRoutes = new RouteTable(this, "public-route-table", {
      vpcId: this.vpc.id,
      route: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
      tags: { Name: `${name}-public` },
    });
    perZone("public-subnet", (_, zone, meta) =>
      new RouteTableAssociation(this, `public-subnet-${isReference(props.zones) ? "" : `${zone.index}-`}routes`, { ...meta, subnetId: subnetOf("public", zone), routeTableId: publicRoutes.id }),
    );

    const natCount = choose(equals(props.natGateways, "single"), 1, props.zones);
    const eips = repeat(natCount, "nat-address", (eipId, zone, meta) => new Eip(this, eipId, { ...meta, domain: "vpc", tags: { Name: `${name}-nat-${zone.ordinal}` }, dependsOn: [igw] }), 0);
    const nats = repeat(
      natCount,
      "nat-gateway",
      (natId, zone, meta) =>
        new NatGateway(this, natId, {
          ...meta,
          allocationId: eips.at(zone.index, "id"),
          subnetId: subnetOf("public", zone),
          tags: { Name: `${name}-${zone.ordinal}` },
          dependsOn: [igw],
        }),
      0,
    );
    const privateRoutes = repeat(
      natCount,
      "private-route-table",
      (tableId, zone, meta) =>
        new RouteTable(this, tableId, {
          ...meta,
          vpcId: this.vpc.id,
          route: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nats.at(zone.index, "id") }],
          tags: { Name: `${name}-private-${zone.ordinal}` },
        }),
      0,
    );
    const privateRouteIds = privateRoutes.all("id");
    // One NAT for every zone, or one for all: each zone's route table is its own, or the only one.
    const privateAssociations = perZone("private-subnet", (_, zone, meta) =>
      new RouteTableAssociation(this, `private-subnet-${isReference(props.zones) ? "" : `${zone.index}-`}routes`, {
        ...meta,
        subnetId: subnetOf("private", zone),
        routeTableId: isReference(natCount) ? Fn.element(privateRouteIds, zone.index) : privateRoutes.constructs[Math.min(zone.index, privateRoutes.constructs.length - 1)].id,
      }),
    );
    this.egressReady.push(...privateAssociations.constructs, ...nats.constructs, ...privateRoutes.constructs);

    const databaseRoutes = new RouteTable(this, "database-route-table", { vpcId: this.vpc.id, tags: { Name: `${name}-database` } });
    perZone("database-subnet", (_, zone, meta) =>
      new RouteTableAssociation(this, `database-subnet-${isReference(props.zones) ? "" : `${zone.index}-`}routes`, { ...meta, subnetId: subnetOf("database", zone), routeTableId: databaseRoutes.id }),
    );

    new VpcEndpoint(this, "s3-endpoint", {
      vpcId: this.vpc.id,
      serviceName: `com.amazonaws.${props.region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: privateRouteIds,
      tags: { Name: `${name}-s3` },
    });
  }

  public get vpcId(): string {
    return this.vpc.id;
  }
}
