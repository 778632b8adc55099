import { SizeMap } from "../core";

/** EC2 instance types per size (x86_64: the application image is usually built for amd64). */
export const AWS_COMPUTE_SIZES: SizeMap = {
  small: "t3.small",
  medium: "t3.medium",
  large: "c6i.xlarge",
  xlarge: "c6i.2xlarge",
};

/** RDS instance classes per size (Graviton: the engine is managed, so the architecture is free). */
export const AWS_POSTGRES_SIZES: SizeMap = {
  small: "db.t4g.small",
  medium: "db.t4g.medium",
  large: "db.m7g.large",
  xlarge: "db.m7g.xlarge",
};

/** ElastiCache node types per size. */
export const AWS_CACHE_SIZES: SizeMap = {
  small: "cache.t4g.small",
  medium: "cache.t4g.medium",
  large: "cache.m7g.large",
  xlarge: "cache.m7g.xlarge",
};

/** Valkey engine version per neutral major version. */
export const AWS_VALKEY_VERSIONS: Readonly<Record<string, string>> = { "7": "7.2", "8": "8.0" };
