import { environments } from "../../environments";
import { aws, cloudflare, digitalocean } from "../../environments/defaults";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { AWS_MIN_ZONES } from "../../modules/aws/settings";

/** The name of the `index`-th generated environment: `customer-001`, `customer-002`, ... */
export function generatedName(index: number): string {
  return `customer-${String(index + 1).padStart(3, "0")}`;
}

/**
 * `count` environments for the scaling benchmark, the way a team keeps one per customer:
 * each shaped in turn like a shipped one (dev, staging, production, dev, ...), with its own
 * name, domain, CDN names and network, and each production promoting from the staging
 * before it, as the shipped production does. Every one has both clouds' sections (the
 * shipped defaults where its shape has none, and then as many zones as AWS needs at least and
 * a log destination where it ships its logs, and the cache as Celery's broker),
 * so `count` environments are `2 × count` stacks.
 */
export function generatedEnvironments(count: number): EnvironmentSpec[] {
  return Array.from({ length: count }, (_, index) => {
    const shape = environments[index % environments.length];
    const name = generatedName(index);
    const promotesFrom = shape.terraformCloud?.promotesFrom;
    return {
      ...shape,
      environment: name,
      domain: `${name}.example.com`,
      network: shape.network && {
        ...shape.network,
        cidr: `10.${index % 256}.0.0/16`,
        ...(shape.aws || shape.network.zones === undefined ? {} : { zones: Math.max(shape.network.zones, AWS_MIN_ZONES) }),
      },
      cdn: shape.cdn && { ...shape.cdn, mediaDomain: `media.${name}.example.com`, staticDomain: `static.${name}.example.com` },
      // A broker of its own hosts or queues (AWS only) becomes the cache, which both clouds build.
      broker: shape.broker?.engine === undefined || shape.broker.engine === "valkey" ? shape.broker : undefined,
      terraformCloud: promotesFrom ? { ...shape.terraformCloud, promotesFrom: generatedName(index - 1) } : undefined,
      aws: shape.aws ?? aws,
      // A shape that ships its logs needs a destination on DigitalOcean, which keeps none.
      digitalocean: shape.digitalocean ?? (shape.logs ? { ...digitalocean, logDestination: "logs.example.com:6514" } : digitalocean),
      cloudflare: shape.cloudflare ?? cloudflare,
    };
  });
}
