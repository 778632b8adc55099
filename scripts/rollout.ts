/**
 * `npm run rollout -- <stack>`: after `cdktf deploy` of a DigitalOcean stack, follows each
 * autoscale pool while it replaces its droplets (it does so itself when its template
 * changed, a release among such changes), printing each pool's progress, until every pool
 * runs only droplets of its current template (its revision tag), active and healthy.
 * Exits 1 as soon as a new droplet stays off (its host gave up: a release that cannot
 * start), the pool is in error, or after 30 minutes, so that the
 * pipeline rolls back before the pools' cooldown destroys the old droplets; 2 when asked
 * wrongly (no such stack, not a DigitalOcean one, no DIGITALOCEAN_TOKEN), having called
 * nothing. DIGITALOCEAN_API_URL points it at another endpoint, as for the provider.
 */
import { environments } from "../environments";
import { DoApi, DoApiError } from "../modules/digitalocean/api";
import { RolloutFailure, watchRelease } from "../modules/digitalocean/rollout";
import { REVISION_TAG_INFIX } from "../modules/digitalocean/settings";
import { RolloutUsageError, rolloutPools } from "../modules/stacks/rollout";

async function main(argv: string[]): Promise<number> {
  let pools: string[];
  try {
    if (argv.length > 1) throw new RolloutUsageError(`one stack at a time, got ${argv.length}: ${argv.join(" ")}`);
    pools = rolloutPools(environments, argv[0]);
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
    out(`${argv[0]}: every pool runs its new droplets`);
    return 0;
  } catch (e) {
    if (!(e instanceof RolloutFailure || e instanceof DoApiError)) throw e;
    process.stderr.write(`rollout: ${e.message}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => (process.exitCode = code));
