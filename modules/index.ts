/**
 * `cloudtiers`: the stacks (one per environment and cloud, with providers, backend and
 * outputs), the app that builds them, the environment spec, and the policy pack. The
 * tiers themselves are in `cloudtiers/core` (neutral interfaces), `cloudtiers/aws`,
 * `cloudtiers/digitalocean`, `cloudtiers/cloudflare` and `cloudtiers/django`.
 */
export * from "./stacks";
export * from "./policy";
