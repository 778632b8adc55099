/**
 * The cdktf app `npm run bench` synthesises for its scaling run: `BENCH_ENVIRONMENTS`
 * generated environments, built and checked exactly as main.ts builds the shipped ones
 * (selection through `CLOUDTIERS_STACKS` included).
 */
import { synthesizeAll } from "../../modules/stacks/app";
import { generatedEnvironments } from "./environments";

const count = Number(process.env.BENCH_ENVIRONMENTS);
if (!Number.isInteger(count) || count < 1) throw new Error(`BENCH_ENVIRONMENTS must be a whole number of environments, 1 or more; got "${process.env.BENCH_ENVIRONMENTS}"`);
synthesizeAll(generatedEnvironments(count)).then((code) => (process.exitCode = code));
