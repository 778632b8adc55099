/* eslint-disable @typescript-eslint/no-require-imports -- the provider classes and tiers load when the first DigitalOcean stack is built */
import type { CloudAdapter } from "../stacks/clouds";
import { DIGITALOCEAN_DELIVERY } from "./host-delivery";
import { DIGITALOCEAN_POLICY } from "./policy";
import { validateDigitalOceanTopology } from "./validate";

/*
 * The provider classes and tiers are required when the first DigitalOcean stack is built,
 * not when this file loads: building only AWS stacks never loads them (about 30 ms). What
 * the commands use (cost, diagram, preflight) and the tests' samples load when first asked for.
 */
const classes = () => ({
  ...(require("@cdktf/provider-digitalocean/lib/provider") as typeof import("@cdktf/provider-digitalocean/lib/provider")),
  ...(require("@cdktf/provider-cloudflare/lib/provider") as typeof import("@cdktf/provider-cloudflare/lib/provider")),
  ...(require("@cdktf/provider-tls/lib/provider") as typeof import("@cdktf/provider-tls/lib/provider")),
  ...(require("@cdktf/provider-random/lib/provider") as typeof import("@cdktf/provider-random/lib/provider")),
  ...(require("../cloudflare/ip-ranges") as typeof import("../cloudflare/ip-ranges")),
  ...(require("./factory") as typeof import("./factory")),
});

/** DigitalOcean with Cloudflare's edge: the `digitalocean` and `cloudflare` sections, stacks `<environment>-do`. */
export const DIGITALOCEAN: CloudAdapter = {
  id: "do",
  sections: ["digitalocean", "cloudflare"],
  credentials: ["DIGITALOCEAN_TOKEN", "SPACES_ACCESS_KEY_ID", "SPACES_SECRET_ACCESS_KEY", "CLOUDFLARE_API_TOKEN"],
  validate: (spec) => validateDigitalOceanTopology(spec.digitalocean, spec.cloudflare, spec),
  configure(stack, spec) {
    const { CloudflareProvider, DigitaloceanProvider, DigitalOceanTierFactory, RandomProvider, TlsProvider, cloudflareEdgeCidrs } = classes();
    // Tokens come from DIGITALOCEAN_TOKEN, SPACES_ACCESS_KEY_ID / SPACES_SECRET_ACCESS_KEY and CLOUDFLARE_API_TOKEN.
    new DigitaloceanProvider(stack, "digitalocean", {});
    new CloudflareProvider(stack, "cloudflare", {});
    new TlsProvider(stack, "tls", {});
    new RandomProvider(stack, "random");
    return new DigitalOceanTierFactory({ settings: spec.digitalocean!, cloudflare: spec.cloudflare!, edgeCidrs: cloudflareEdgeCidrs(stack) });
  },
  describeDelivery: () => DIGITALOCEAN_DELIVERY,
  policy: DIGITALOCEAN_POLICY,
  cost: () => (require("./cost") as typeof import("./cost")).DIGITALOCEAN_COST,
  diagram: (name, doc) => (require("./diagram") as typeof import("./diagram")).describeDigitalOcean(name, doc),
  preflight: () => (require("./preflight") as typeof import("./preflight")).DIGITALOCEAN_PREFLIGHT,
  samples: () => (require("./samples") as typeof import("./samples")).DIGITALOCEAN_SAMPLES,
};
