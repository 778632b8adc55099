import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AWS_REGIONS } from "../../modules/aws/settings";
import { DO_REGIONS } from "../../modules/digitalocean/settings";
import { PriceCloud, UnpricedRegionError, estimateStack, isPricedRegion, pricedRegions, unpricedRegion } from "../../modules/cost";
import { withScratchSynth } from "../../modules/stacks/app";
import { AWS } from "../../modules/stacks/clouds";
import { cloudTiersStacks, writtenDocument } from "../../modules/stacks/policy";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { specWith } from "../helpers";

/*
 * Issue 17, class 8: every region the validator accepts is either priced by `npm run cost`
 * or refused by it with a message naming the environment, the region and the priced
 * regions; never an uncaught error. The accepted lists are the validator's own.
 */

const root = join(__dirname, "..", "..");
const refusal = (environment: string, stack: string, cloud: string, region: string, priced: string) =>
  `cost: environment "${environment}" (stack ${stack}) is in ${cloud} region "${region}", which modules/cost/prices.ts has no prices for; priced ${cloud} regions: ${priced}. Record that region's list prices in prices.ts to estimate it`;

describe("npm run cost and the validator's regions", () => {
  const accepted: [PriceCloud, string, readonly string[]][] = [
    ["aws", "AWS", AWS_REGIONS],
    ["digitalocean", "DigitalOcean", DO_REGIONS],
  ];

  it.each(accepted)("prices or clearly refuses every %s region the validator accepts", (cloud, name, regions) => {
    const priced = pricedRegions(cloud);
    for (const region of regions) {
      const refused = unpricedRegion("staging", `staging-${cloud}`, cloud, region);
      if (isPricedRegion(cloud, region)) expect([region, refused]).toEqual([region, undefined]);
      else expect([region, refused?.message]).toEqual([region, refusal("staging", `staging-${cloud}`, name, region, priced.join(", "))]);
    }
  });

  it("prices every DigitalOcean region alike and AWS only where its table has figures", () => {
    expect(pricedRegions("digitalocean")).toEqual([]);
    expect(DO_REGIONS.every((r) => isPricedRegion("digitalocean", r))).toBe(true);
    expect(pricedRegions("aws")).toEqual(["eu-west-1"]);
    expect(pricedRegions("aws").every((r) => AWS_REGIONS.includes(r))).toBe(true);
  });

  it("refuses a synthesised AWS stack in an unpriced region before pricing anything", () => {
    const spec: EnvironmentSpec = specWith({ digitalocean: undefined, cloudflare: undefined, aws: { region: "us-east-1", natGateways: "single" } });
    const docs = withScratchSynth([spec], [], (app) => cloudTiersStacks(app).map((s) => [s.node.id, writtenDocument(app, s)] as const), {});
    expect(docs.map(([id]) => id)).toEqual(["dev-aws"]);
    const [id, doc] = docs[0];
    expect(() => estimateStack(doc, AWS.cost(), id)).toThrow(UnpricedRegionError);
    expect(() => estimateStack(doc, AWS.cost(), id, "dev")).toThrow(refusal("dev", "dev-aws", "AWS", "us-east-1", "eu-west-1"));
  });

  it("npm run cost says so and exits 1, without a stack trace", () => {
    const dir = mkdtempSync(join(tmpdir(), "cost-region-"));
    try {
      // Moves the shipped dev to us-east-1 before the script reads it.
      const preload = join(dir, "us-east-1.js");
      writeFileSync(preload, `require(${JSON.stringify(join(root, "environments", "dev.ts"))}).dev.aws.region = "us-east-1";\n`);
      const run = spawnSync(process.execPath, ["--require", "./scripts/register-ts.cjs", "--require", preload, "scripts/cost.ts", "dev-aws"], {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, CLOUDTIERS_STACKS: "" },
      });
      expect(run.stderr).toBe(`${refusal("dev", "dev-aws", "AWS", "us-east-1", "eu-west-1")}\n`);
      expect(run.status).toBe(1);
      expect(run.stdout).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
