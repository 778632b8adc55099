import { AWS_CACHE_MODULE, AWS_CERTIFICATE_MODULE, AWS_DNS_FAILOVER_MODULE, AWS_LOAD_BALANCER_MODULE, AWS_NETWORK_MODULE, AWS_POSTGRES_MODULE } from "./aws";
import { ModuleDefinition } from "./definition";

/** Every module `npm run modules:build` writes, in registry order. */
export const MODULES: readonly ModuleDefinition[] = [AWS_NETWORK_MODULE, AWS_LOAD_BALANCER_MODULE, AWS_POSTGRES_MODULE, AWS_CACHE_MODULE, AWS_CERTIFICATE_MODULE, AWS_DNS_FAILOVER_MODULE];
