import { awsDerivedNames } from "./modules/aws/names";
import { digitalOceanDerivedNames } from "./modules/digitalocean/names";
import { checkName, nameIssues, NAME_RULES } from "./modules/core/name-rules";
import { generatedEnvironments } from "./scripts/bench/environments";
const specs = generatedEnvironments(200);
let t = performance.now();
const lists = specs.map((s) => [awsDerivedNames(s as never), digitalOceanDerivedNames(s as never, false)]);
console.log("derive", (performance.now() - t).toFixed(1));
t = performance.now();
for (const [a, d] of lists) { nameIssues("x", a); nameIssues("x", d); }
console.log("issues cold", (performance.now() - t).toFixed(1));
const byRule = new Map<string, number>();
for (const [a, d] of lists) for (const n of [...a, ...d]) { const t0 = performance.now(); for (let i = 0; i < 20; i++) checkName(n.rule, n.name); byRule.set(n.rule, (byRule.get(n.rule) ?? 0) + performance.now() - t0); }
console.log([...byRule].sort((x, y) => y[1] - x[1]).slice(0, 8).map(([r, ms]) => `${r} ${ms.toFixed(1)} ${(NAME_RULES as any)[r].pattern}`).join("\n"));
