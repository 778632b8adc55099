import { environments } from "./environments";
import { synthesize } from "./modules/stacks/app";

process.exitCode = synthesize(environments);
