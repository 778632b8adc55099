import { subnetCidr } from "../../modules/aws/network";
import { awsTestStack, ref, synth } from "../helpers";

function network(zones: number, natGateways: "per-zone" | "single" = "per-zone") {
  const { stack, factory } = awsTestStack({ natGateways });
  factory.createNetwork(stack, "network", { namePrefix: "shop-test", cidr: "10.0.0.0/16", zones });
  return synth(stack);
}

describe("AWS network", () => {
  it("spreads public, private and database subnets over every zone without overlap", () => {
    const s = network(3);
    const subnets = Object.values(s.resources("aws_subnet"));
    expect(subnets).toHaveLength(9);
    const byTier = (tier: string) => subnets.filter((x) => x.tags.Tier === tier).map((x) => x.cidr_block).sort();
    expect(byTier("private")).toEqual(["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"]);
    expect(byTier("public")).toEqual(["10.0.128.0/24", "10.0.129.0/24", "10.0.130.0/24"]);
    expect(byTier("database")).toEqual(["10.0.144.0/24", "10.0.145.0/24", "10.0.146.0/24"]);
    const azData = Object.keys(s.data("aws_availability_zones"))[0];
    for (const [i, tier] of [[0, "private"], [1, "public"], [2, "database"]] as const) {
      expect(s.one("aws_subnet", `${tier}-subnet-${i}`).availability_zone).toBe(`\${element(data.aws_availability_zones.${azData}.names, ${i})}`);
    }
    expect(subnets.every((x) => x.map_public_ip_on_launch === false)).toBe(true);
  });

  it("keeps subnet blocks apart for every allowed VPC size", () => {
    for (const cidr of ["10.0.0.0/16", "10.0.0.0/17", "10.0.0.0/18", "10.0.0.0/19"]) {
      const blocks = (["private", "public", "database"] as const).flatMap((t) => [0, 1, 2].map((z) => subnetCidr(cidr, t, z)));
      expect(new Set(blocks).size).toBe(9);
      // Public subnets must be at least /27 for an Application Load Balancer.
      expect(Number(subnetCidr(cidr, "public", 0).split("/")[1])).toBeLessThanOrEqual(27);
    }
  });

  it("routes private subnets through one NAT gateway per zone, and database subnets nowhere", () => {
    const s = network(2);
    expect(Object.keys(s.resources("aws_nat_gateway"))).toHaveLength(2);
    const privateTables = s.where("aws_route_table", "private-route-table");
    expect(privateTables).toHaveLength(2);
    privateTables.forEach((t, i) => expect(t.route[0].nat_gateway_id).toBe(ref(s.address("aws_nat_gateway", `nat-gateway-${i}`), "id")));
    expect(s.one("aws_route_table", "public-route-table").route[0]).toMatchObject({
      cidr_block: "0.0.0.0/0",
      gateway_id: ref(s.address("aws_internet_gateway"), "id"),
    });
    expect(s.one("aws_route_table", "database-route-table").route).toBeUndefined();
    const dbTable = ref(s.address("aws_route_table", "database-route-table"), "id");
    expect(s.where("aws_route_table_association").filter((a) => a.route_table_id === dbTable)).toHaveLength(2);
  });

  it("can share a single NAT gateway to save cost", () => {
    const s = network(3, "single");
    expect(Object.keys(s.resources("aws_nat_gateway"))).toHaveLength(1);
    const table = ref(s.address("aws_route_table", "private-route-table-0"), "id");
    for (let i = 0; i < 3; i++) expect(s.one("aws_route_table_association", `private-subnet-${i}-routes`).route_table_id).toBe(table);
  });

  it("closes the default security group and keeps S3 traffic off NAT", () => {
    const s = network(2);
    const dsg = s.one("aws_default_security_group");
    expect(dsg.ingress).toBeUndefined();
    expect(dsg.egress).toBeUndefined();
    expect(s.one("aws_vpc_endpoint", "s3-endpoint")).toMatchObject({ service_name: "com.amazonaws.eu-west-1.s3", vpc_endpoint_type: "Gateway" });
    expect(s.one("aws_vpc", "network")).toMatchObject({ cidr_block: "10.0.0.0/16", enable_dns_hostnames: true, enable_dns_support: true });
  });
});
