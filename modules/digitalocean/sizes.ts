import { Size, SizeMap } from "../core";

/** Basic droplets per size. */
export const DO_COMPUTE_SIZES: SizeMap = {
  small: "s-1vcpu-2gb",
  medium: "s-2vcpu-4gb",
  large: "s-4vcpu-8gb",
  xlarge: "s-8vcpu-16gb",
};

/** Managed PostgreSQL node sizes. */
export const DO_POSTGRES_SIZES: SizeMap = {
  small: "db-s-1vcpu-2gb",
  medium: "db-s-2vcpu-4gb",
  large: "db-s-4vcpu-8gb",
  xlarge: "db-s-6vcpu-16gb",
};

/** Managed Valkey node sizes. */
export const DO_CACHE_SIZES: SizeMap = {
  small: "db-s-1vcpu-2gb",
  medium: "db-s-2vcpu-4gb",
  large: "db-s-4vcpu-8gb",
  xlarge: "db-s-6vcpu-16gb",
};

/**
 * PgBouncer pool size per PostgreSQL size: what the node's connection limit leaves after
 * DigitalOcean's reserved connections (about 25 per GiB of memory).
 */
export const DO_POOL_SIZES: Readonly<Record<Size, number>> = { small: 20, medium: 45, large: 95, xlarge: 190 };

/** Ports of DigitalOcean managed databases: direct connections and PgBouncer pools. */
export const DO_DATABASE_PORT = 25060;
export const DO_POOL_PORT = 25061;
export const DO_VALKEY_PORT = 25061;

/** Ubuntu 24.04 LTS, the image every pool boots. */
export const DO_IMAGE = "ubuntu-24-04-x64";
