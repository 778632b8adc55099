import { Lazy, Testing, TerraformStack, Token } from "cdktf";
import { environments } from "../../environments";
import { CLOUDS } from "../../modules/stacks/clouds";
import { CloudTiersStack } from "../../modules/stacks/stack";
import { SHIPPED_STACKS } from "../helpers";

/** The stack's document the way CloudTiersStack writes it, and the way cdktf's own `prepareStack` and `toTerraform` write it. */
function bothWays(build: () => CloudTiersStack): { ours: string; theirs: string; theirStack: CloudTiersStack } {
  const ours = build();
  ours.prepareStack();
  const theirStack = build();
  TerraformStack.prototype.prepareStack.call(theirStack);
  return { ours: JSON.stringify(ours.toTerraform()), theirs: JSON.stringify(TerraformStack.prototype.toTerraform.call(theirStack)), theirStack };
}

describe("skipping cdktf's preparing pass and its second resolve of the merged document", () => {
  it.each(SHIPPED_STACKS.map(({ name, spec, cloud }) => [name, spec, CLOUDS.find((c) => c.id === cloud)!] as const))(
    "%s synthesises exactly what cdktf's default preparation and toTerraform give (no cross-stack references to create)",
    (_name, spec, cloud) => {
      const { ours, theirs, theirStack } = bothWays(() => new CloudTiersStack(Testing.app(), spec, cloud));
      expect(ours).toBe(theirs);
      expect(theirStack.dependencies).toEqual([]);
    },
  );

  it("merges the stack's own overrides as cdktf does: values, tokens, a token standing for a whole block, and undefined deleting a key", () => {
    const [spec, cloud] = [environments[2], CLOUDS[0]];
    const { ours, theirs } = bothWays(() => {
      const stack = new CloudTiersStack(Testing.app(), spec, cloud);
      stack.addOverride("terraform.required_version", ">= 1.6");
      stack.addOverride("locals.endpoint", stack.topology.outputs().find((o) => Token.isUnresolved(o.value))!.value);
      stack.addOverride("terraform.backend", Lazy.anyValue({ produce: () => ({ s3: { bucket: "state", key: "production.tfstate" } }) }));
      stack.addOverride("output", undefined);
      return stack;
    });
    expect(ours).toBe(theirs);
    const document = JSON.parse(ours);
    expect(document.locals.endpoint).toContain("${aws_db_proxy.");
    expect(document.terraform.backend).toEqual({ s3: { bucket: "state", key: "production.tfstate" } });
    expect(document.output).toBeUndefined();
    expect(document["//"].metadata.overrides).toEqual({ stack: ["terraform", "locals", "output"] });
  });
});
