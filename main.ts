import { environments } from "./environments";
import { synthesize } from "./modules/stacks/app";
import { withFastStackTraces } from "./modules/stacks/fast-synth";

process.exitCode = withFastStackTraces(() => synthesize(environments));
