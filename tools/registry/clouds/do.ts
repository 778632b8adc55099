import { ModuleDefinition } from "../definition";
import { DO_CACHE_MODULE, DO_NETWORK_MODULE, DO_OBJECT_STORE_MODULE, DO_POSTGRES_MODULE } from "../digitalocean";
import { DO_COMPUTE_POOL_MODULE } from "../digitalocean-compute";
import { CLOUDFLARE_DNS_FAILOVER_MODULE, DO_CERTIFICATE_MODULE, DO_LOAD_BALANCER_MODULE } from "../digitalocean-edge";
import { DO_DJANGO_MODULE } from "../digitalocean-topology";

/** DigitalOcean + Cloudflare's standalone Terraform modules, in registry order. */
export const MODULES: readonly ModuleDefinition[] = [DO_NETWORK_MODULE, DO_COMPUTE_POOL_MODULE, DO_LOAD_BALANCER_MODULE, DO_POSTGRES_MODULE, DO_CACHE_MODULE, DO_OBJECT_STORE_MODULE, DO_CERTIFICATE_MODULE, CLOUDFLARE_DNS_FAILOVER_MODULE, DO_DJANGO_MODULE];
