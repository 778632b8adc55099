export type { EnvironmentSpec } from "../modules/stacks/spec";
