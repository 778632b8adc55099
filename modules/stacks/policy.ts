import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
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

/**
 * The files a synth writes, as they were before it: `restore()` puts them back (and
 * removes the ones that did not exist), so a synth refused by the policy leaves the
 * previous output as it was.
 */
export class OutputSnapshot {
  private readonly files = new Map<string, string | undefined>();

  constructor(app: App) {
    for (const file of [join(app.outdir, "manifest.json"), ...app.node.children.filter((c) => c instanceof TerraformStack).map((s) => stackFile(app, s))]) {
      this.files.set(file, existsSync(file) ? readFileSync(file, "utf8") : undefined);
    }
  }

  public restore(): void {
    for (const [file, content] of this.files) {
      if (content === undefined) {
        rmSync(file, { force: true });
      } else {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, content);
      }
    }
  }
}
