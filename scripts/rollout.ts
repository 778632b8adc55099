/** `npm run rollout`: what it does is its `--help`, declared below. */
import { environments } from "../environments";
import { DoApi, DoApiError } from "../modules/digitalocean/api";
import { RolloutFailure, watchRelease } from "../modules/digitalocean/rollout";
import { REVISION_TAG_INFIX } from "../modules/digitalocean/settings";
import { RolloutUsageError, rolloutPools } from "../modules/stacks/rollout";
import { runCommand } from "./command-line";

runCommand(
  {
    name: "rollout",
    args: "<stack>",
    description:
      "After `cdktf deploy` of a DigitalOcean stack, follows each autoscale pool while it replaces its\n" +
      "droplets (it does so itself when its template changed, a release among such changes), printing\n" +
      "each pool's progress, until every pool runs only droplets of its current template, active and\n" +
      "healthy. Exits 1 as soon as a new droplet stays off (its host gave up: a release that cannot\n" +
      "start), the pool is in error, or after 30 minutes, so that the pipeline rolls back before the\n" +
      "pools' cooldown destroys the old droplets; 2 when asked wrongly (no such stack, not a\n" +
      "DigitalOcean one, no DIGITALOCEAN_TOKEN), having called nothing.",
    environment: {
      DIGITALOCEAN_TOKEN: "a token that can read the team's droplets",
      DIGITALOCEAN_API_URL: "DigitalOcean's API endpoint, as for the provider",
    },
  },
  async ({ positionals }) => {
    let pools: string[];
    try {
      if (positionals.length > 1) throw new RolloutUsageError(`one stack at a time, got ${positionals.length}: ${positionals.join(" ")}`);
      pools = rolloutPools(environments, positionals[0]);
      if (!process.env.DIGITALOCEAN_TOKEN) throw new RolloutUsageError("DIGITALOCEAN_TOKEN is not set: a token that can read the team's droplets");
    } catch (e) {
      if (!(e instanceof RolloutUsageError)) throw e;
      process.stderr.write(`rollout: ${e.message}\n`);
      return 2;
    }
    const out = (line: string) => process.stdout.write(`rollout: ${line}\n`);
    const api = new DoApi({ token: process.env.DIGITALOCEAN_TOKEN, baseUrl: process.env.DIGITALOCEAN_API_URL || undefined, log: out });
    try {
      await watchRelease({ api, pools, out, revisionInfix: REVISION_TAG_INFIX });
      out(`${positionals[0]}: every pool runs its new droplets`);
      return 0;
    } catch (e) {
      if (!(e instanceof RolloutFailure || e instanceof DoApiError)) throw e;
      process.stderr.write(`rollout: ${e.message}\n`);
      return 1;
    }
  },
);
