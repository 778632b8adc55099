import { Testing, TerraformStack } from "cdktf";
import { environments } from "../../environments";
import { CLOUDS } from "../../modules/stacks/clouds";
import { CloudTiersStack } from "../../modules/stacks/stack";

describe("skipping cdktf's preparing resolve pass", () => {
  it.each(environments.flatMap((spec) => CLOUDS.map((cloud) => [`${spec.environment}-${cloud.id}`, spec, cloud] as const)))(
    "%s synthesises exactly what cdktf's default preparation gives (no cross-stack references to create)",
    (_name, spec, cloud) => {
      const ours = new CloudTiersStack(Testing.app(), spec, cloud);
      ours.prepareStack();
      const theirs = new CloudTiersStack(Testing.app(), spec, cloud);
      TerraformStack.prototype.prepareStack.call(theirs);
      expect(JSON.stringify(ours.toTerraform())).toBe(JSON.stringify(theirs.toTerraform()));
      expect(theirs.dependencies).toEqual([]);
    },
  );
});
