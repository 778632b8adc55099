import { App } from "cdktf";
import { environments } from "./environments";
import { formatIssue } from "./modules/core/errors";
import { CLOUDS } from "./modules/stacks/clouds";
import { CloudTiersStack } from "./modules/stacks/stack";
import { validateEnvironment } from "./modules/stacks/validate";

// Every spec is checked before anything is built, so an invalid one leaves cdktf.out as it was.
const issues = environments.flatMap(validateEnvironment);
if (issues.length > 0) {
  process.stderr.write(`cloudtiers: ${issues.length} problem(s) in the environment specs; nothing was synthesised.\n`);
  for (const issue of issues) process.stderr.write(`  ${formatIssue(issue)}\n`);
  process.exit(1);
}

const app = new App();
for (const spec of environments) {
  for (const cloud of CLOUDS.filter((c) => c.wanted(spec))) new CloudTiersStack(app, spec, cloud);
}
app.synth();
