import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App, TerraformStack } from "cdktf";
import { PolicyReport, StackDocument, evaluatePolicy } from "../policy";
import { CloudTiersStack } from "./stack";

/** Every stack the app holds. */
export function cloudTiersStacks(app: App): CloudTiersStack[] {
  return app.node.children.filter((c): c is CloudTiersStack => c instanceof CloudTiersStack);
}

/** Where a stack's synthesised JSON is written. */
export function stackFile(app: App, stack: TerraformStack): string {
  return join(app.outdir, "stacks", stack.node.id, "cdk.tf.json");
}

/** A stack's synthesised JSON, read back from where the app wrote it. */
export function writtenDocument(app: App, stack: TerraformStack): StackDocument {
  return StackDocument.parse(readFileSync(stackFile(app, stack), "utf8"));
}

/** Runs the policy pack on every stack the app has written; `read` gives a stack's document (read back from disk unless a caller already holds it). */
export function checkPolicy(app: App, read: (stack: TerraformStack) => StackDocument = (stack) => writtenDocument(app, stack)): PolicyReport[] {
  return cloudTiersStacks(app).map((stack) =>
    evaluatePolicy(read(stack), {
      stack: stack.node.id,
      cloud: stack.cloud.policy,
      production: stack.spec.production ?? true,
      suppressions: (stack.spec.policy?.suppress ?? []).filter((s) => s.cloud === stack.cloud.id),
    }),
  );
}
