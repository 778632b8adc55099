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

/**
 * Amazon MQ for RabbitMQ 3.13's node types by size. The smallest is AWS's "evaluation"
 * type and runs one node only, so a cluster (`broker.highAvailability`) starts at `medium`;
 * a broker cannot go back down to it from another type
 * (docs.aws.amazon.com/amazon-mq/latest/developer-guide/rabbitmq-sizing-guidelines.html).
 */
export const AWS_BROKER_SIZES: SizeMap = {
  small: "mq.t3.micro",
  medium: "mq.m5.large",
  large: "mq.m5.xlarge",
  xlarge: "mq.m5.2xlarge",
};
/** The node type that runs a single node only. */
export const AWS_SINGLE_NODE_BROKER = AWS_BROKER_SIZES.small;

/** Valkey engine version per neutral major version. */
export const AWS_VALKEY_VERSIONS: Readonly<Record<string, string>> = { "7": "7.2", "8": "8.0" };
