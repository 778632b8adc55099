import { EnvironmentSpec } from "./types";
import { dev } from "./dev";
import { production } from "./production";
import { staging } from "./staging";

/** Every shipped environment, in the order their stacks are listed. */
export const environments: readonly EnvironmentSpec[] = [dev, staging, production];

export type { EnvironmentSpec };
