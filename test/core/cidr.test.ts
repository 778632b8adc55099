import { cidrSubnet } from "../../modules/core/cidr";

describe("cidrSubnet", () => {
  it("computes subnets the way Terraform's cidrsubnet() does", () => {
    expect(cidrSubnet("10.0.0.0/16", 4, 0)).toBe("10.0.0.0/20");
    expect(cidrSubnet("10.0.0.0/16", 4, 2)).toBe("10.0.32.0/20");
    expect(cidrSubnet("10.0.0.0/16", 8, 128)).toBe("10.0.128.0/24");
    expect(cidrSubnet("10.30.0.0/16", 8, 146)).toBe("10.30.146.0/24");
    expect(cidrSubnet("172.16.0.0/19", 8, 129)).toBe("172.16.16.32/27");
  });

  it("refuses blocks that do not fit", () => {
    expect(() => cidrSubnet("10.0.0.0/16", 4, 16)).toThrow("10.0.0.0/16 holds 16 subnets of /20, index 16 is out of range");
    expect(() => cidrSubnet("10.0.0.0/30", 4, 0)).toThrow("10.0.0.0/30 has no room for 4 more prefix bits");
    expect(() => cidrSubnet("10.0.0.1/16", 4, 0)).toThrow('"10.0.0.1/16" is not an IPv4 CIDR block');
  });
});
