import { cloudPart } from "../../tools/cloud-parts";
import type { CloudAdapter } from "../../modules/stacks/clouds";

/** A synthesised stack with only the given resources: `{ type: { id: config } }`. */
export type Resources = Record<string, Record<string, Record<string, unknown>>>;

/** For one rule on one cloud: a stack it passes, a stack it fails, and the finding it reports. */
export interface RuleFixture {
  readonly rule: string;
  readonly pass: Resources;
  readonly fail: Resources;
  readonly finding: { resource: string; message: string };
}

/** A Terraform reference, as cdktf writes it. */
export const ref = (address: string, attribute: string) => `\${${address}.${attribute}}`;

/** The folder of each cloud's fixtures: `test/policy/fixtures/<cloud id>.ts`, its `FIXTURES`, one per check of its `CloudPolicy`. */
export const FIXTURES_FOLDER = "test/policy/fixtures";

/** The fixtures of a registered cloud; a cloud without its file fails, naming it. */
export const fixturesOf = (cloud: CloudAdapter): readonly RuleFixture[] => cloudPart(cloud, FIXTURES_FOLDER, "FIXTURES");
