import { AWS_CACHE_MODULE, AWS_CERTIFICATE_MODULE, AWS_COMPUTE_POOL_MODULE, AWS_DNS_FAILOVER_MODULE, AWS_LOAD_BALANCER_MODULE, AWS_NETWORK_MODULE, AWS_OBJECT_STORE_MODULE, AWS_POSTGRES_MODULE } from "./aws";
import { AWS_DJANGO_MODULE } from "./aws-topology";
import { ModuleDefinition } from "./definition";
import { DO_CACHE_MODULE, DO_NETWORK_MODULE, DO_OBJECT_STORE_MODULE, DO_POSTGRES_MODULE } from "./digitalocean";
import { DO_COMPUTE_POOL_MODULE } from "./digitalocean-compute";
import { CLOUDFLARE_DNS_FAILOVER_MODULE, DO_CERTIFICATE_MODULE, DO_LOAD_BALANCER_MODULE } from "./digitalocean-edge";
import { DO_DJANGO_MODULE } from "./digitalocean-topology";

/**
 * Each registered cloud's standalone Terraform modules, by the cloud's id (its `CloudAdapter`
 * in modules/stacks/clouds.ts), in registry order. Every cloud has an entry, empty when it
 * ships no modules: a test holds the keys to `CLOUDS`.
 */
export const CLOUD_MODULES: Readonly<Record<string, readonly ModuleDefinition[]>> = {
  aws: [AWS_NETWORK_MODULE, AWS_COMPUTE_POOL_MODULE, AWS_LOAD_BALANCER_MODULE, AWS_POSTGRES_MODULE, AWS_CACHE_MODULE, AWS_OBJECT_STORE_MODULE, AWS_CERTIFICATE_MODULE, AWS_DNS_FAILOVER_MODULE, AWS_DJANGO_MODULE],
  do: [DO_NETWORK_MODULE, DO_COMPUTE_POOL_MODULE, DO_LOAD_BALANCER_MODULE, DO_POSTGRES_MODULE, DO_CACHE_MODULE, DO_OBJECT_STORE_MODULE, DO_CERTIFICATE_MODULE, CLOUDFLARE_DNS_FAILOVER_MODULE, DO_DJANGO_MODULE],
};

/** Every module `npm run modules:build` writes, in registry order. */
export const MODULES: readonly ModuleDefinition[] = Object.values(CLOUD_MODULES).flat();
