import { App, DefaultTokenResolver, Fn, StringConcat, TerraformStack, TerraformVariable, Token, Tokenization } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AwsTierFactory } from "../../modules/aws/factory";
import { AppConfiguration, IComputePool, chooseConfiguration, concatenated, eitherPool, equals, exceeds, formatted, orElse, plus, whenever } from "../../modules/core";

/*
 * The topology's decisions: at synth for literals (a stack), by Terraform for references
 * (a whole-topology module's variables). A stack never sees the Terraform form.
 */
describe("decisions the topology makes", () => {
  const stack = new TerraformStack(new App(), "decisions");
  const flag = new TerraformVariable(stack, "flag", { type: "bool" }).booleanValue as unknown as boolean;
  const name = new TerraformVariable(stack, "name", { type: "string" }).stringValue;
  const resolved = (value: unknown) => Tokenization.resolve(value, { scope: stack, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });

  it("are plain values for literals, and Terraform expressions for references", () => {
    expect(formatted("media.%s", "example.com")).toBe("media.example.com");
    expect(resolved(formatted("media.%s", name))).toBe('${format("media.%s", var.name)}');
    expect(orElse(undefined, "b")).toBe("b");
    expect(orElse("a", "b")).toBe("a");
    expect(resolved(orElse(name, "b"))).toBe('${coalesce(var.name, "b")}');
    expect(concatenated(["a"], ["b", "c"])).toEqual(["a", "b", "c"]);
    // cdktf renders a falsy literal operand as `undefined`.
    expect(resolved(exceeds(Fn.lengthOf([name]), 0))).toBe("${(length([var.name]) > 0)}");
    expect(resolved(plus(Token.asNumber(name), 0))).toBe("${(var.name + 0)}");
    expect([resolved(equals(name, "")), resolved(equals(flag, false)), resolved(equals(Token.asNumber(name), 0))]).toEqual(["${(var.name == \"\")}", "${(var.flag == false)}", "${(var.name == 0)}"]);
    expect(orElse(null, "b")).toBe("b");
  });

  it("choose one configuration at synth, or leave the choice to Terraform", () => {
    const a: AppConfiguration = { settings: [{ name: "A", value: "1" }], secrets: [] };
    const b: AppConfiguration = { settings: [], secrets: [] };
    expect(chooseConfiguration(true, a, b)).toBe(a);
    expect(chooseConfiguration(false, a, b)).toBe(b);
    expect(chooseConfiguration(flag, a, b)).toEqual({ settings: [], secrets: [], choice: { condition: flag, whenTrue: a, whenFalse: b } });
  });

  it("make a tier or not at synth; a factory that builds resources refuses a decision Terraform would make", () => {
    const factory = new AwsTierFactory({ settings: { region: "eu-west-1" }, cdnProvider: new AwsProvider(stack, "us-east-1", { region: "us-east-1", alias: "us_east_1" }) });
    expect(whenever(factory, true, () => "made")).toBe("made");
    expect(whenever(factory, false, () => "made")).toBeUndefined();
    expect(() => whenever(factory, flag, () => "made")).toThrow(
      "the aws tier factory builds resources at synth: a tier that exists or not must be decided by a literal, not a Terraform reference",
    );
    const [web, app] = [{ role: "web" }, { role: "app" }] as IComputePool[];
    expect(eitherPool(factory, true, app, web)).toBe(app);
    expect(eitherPool(factory, false, app, web)).toBe(web);
    expect(() => eitherPool(factory, flag, app, web)).toThrow("a choice of pools must be decided by a literal");
  });
});
