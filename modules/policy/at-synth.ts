import { IValidation } from "constructs";
import { StackDocument } from "./document";
import { PolicyOptions, evaluatePolicy } from "./engine";

/** What the policy pack needs at synth: the report's options, and the stack's document as it will be written. */
export interface PolicyAtSynthOptions extends Omit<PolicyOptions, "rules"> {
  document(): Record<string, unknown>;
}

/**
 * The policy pack as a construct validation, which cdktf runs at synth before it writes
 * the stack: each unsuppressed finding fails synth with the rule's message. For stacks
 * built from the library's entry points (CloudTiersStack, DjangoTopology) outside
 * `buildApp`, whose `synthesize` runs the same pack after synth.
 */
export class PolicyAtSynth implements IValidation {
  constructor(private readonly options: PolicyAtSynthOptions) {}

  public validate(): string[] {
    const report = evaluatePolicy(new StackDocument(this.options.document()), this.options);
    return report.failed.map((f) => `policy pack: ${f.rule} ${f.resource}: ${f.message} (fix the spec, or suppress the rule for this resource in policy.suppress, with a reason)`);
  }
}
