import { ValidationError, formatIssue } from "../../modules/core/errors";
import { SpecValidator, isDomainName, isIpv4Cidr } from "../../modules/core/validation";
import { terraformLiteral, terraformTemplate } from "../../modules/core/terraform";

describe("validation primitives", () => {
  it("recognises domain names", () => {
    expect(isDomainName("www.example.com")).toBe(true);
    expect(isDomainName("example.com")).toBe(true);
    expect(isDomainName("a-b.example.co.uk")).toBe(true);
    for (const bad of ["example", "Example.com", "-a.example.com", "a..com", "1.2.3.4", "exa mple.com", 42]) {
      expect(isDomainName(bad)).toBe(false);
    }
  });

  it("recognises IPv4 CIDR blocks aligned on their prefix", () => {
    expect(isIpv4Cidr("10.0.0.0/16")).toBe(true);
    expect(isIpv4Cidr("192.168.4.0/22")).toBe(true);
    for (const bad of ["10.0.0.1/16", "10.0.0.0/33", "256.0.0.0/8", "10.0.0.0", "10.0.0.0/x"]) expect(isIpv4Cidr(bad)).toBe(false);
  });

  it("collects every issue and reports them together, naming environment, field, value and what is allowed", () => {
    const v = new SpecValidator("production");
    expect(v.integer("postgres.replicas", 9, 0, 5)).toBe(false);
    expect(v.oneOf("layout", "mesh", ["colocated", "split"])).toBe(false);
    expect(v.integer("pools.web.min", 2, 1, 100)).toBe(true);
    expect(v.issues.map(formatIssue)).toEqual([
      "production: postgres.replicas must be a whole number between 0 and 5, got 9",
      'production: layout must be one of "colocated", "split", got "mesh"',
    ]);
    expect(() => v.throwIfAny()).toThrow(ValidationError);
    try {
      v.throwIfAny();
    } catch (e) {
      expect((e as ValidationError).issues).toHaveLength(2);
      expect((e as Error).message).toBe(
        'invalid environment specs (2 problems):\n  - production: postgres.replicas must be a whole number between 0 and 5, got 9\n  - production: layout must be one of "colocated", "split", got "mesh"',
      );
    }
  });

  it("escapes literal text so Terraform does not interpolate it", () => {
    expect(terraformLiteral("cost ${HOME} and %{if x}")).toBe("cost $${HOME} and %%{if x}");
    expect(terraformLiteral("plain $5 and 100%")).toBe("plain $5 and 100%");
  });

  it("escapes the literal parts of a document but keeps the tokens embedded in it", () => {
    expect(terraformTemplate("echo ${HOME} %{x} ${TfToken[TOKEN.12]}")).toBe("echo $${HOME} %%{x} ${TfToken[TOKEN.12]}");
  });
});
