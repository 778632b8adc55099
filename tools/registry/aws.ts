import { Fn } from "cdktf";
import { CACHE_VERSIONS } from "../../modules/django/validate";
import { pick } from "../../modules/core";
import { AwsCache, VALKEY_PORT } from "../../modules/aws/cache";
import { ExistingAwsNetwork } from "../../modules/aws/network";
import { AWS_CACHE_SIZES, AWS_VALKEY_VERSIONS } from "../../modules/aws/sizes";
import { ModuleDefinition, ModuleVariable, ProviderRequirement } from "./definition";
import { dataProtectionNote, deletionProtectionVariable, eachMatchesRule, matchesRule, minLengthRule, namePrefixVariable, oneOfRule, sizeVariable } from "./variables";

const AWS: ProviderRequirement = { name: "aws", binding: "@cdktf/provider-aws", example: { region: "eu-west-1" } };
const RANDOM: ProviderRequirement = { name: "random", binding: "@cdktf/provider-random" };

const VPC_ID = /^vpc-[0-9a-f]+$/;
const SUBNET_ID = /^subnet-[0-9a-f]+$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-f]+$/;

const vpcId: ModuleVariable = {
  name: "vpc_id",
  type: "string",
  description: "The VPC the tier lives in.",
  validation: [matchesRule("vpc_id", VPC_ID, 'a VPC id such as "vpc-0123456789abcdef0"')],
  example: "vpc-0123456789abcdef0",
};

function subnetIds(what: string): ModuleVariable {
  return {
    name: "subnet_ids",
    type: "list(string)",
    description: `${what}, in at least two availability zones.`,
    validation: [minLengthRule("subnet_ids", 2, "subnets"), eachMatchesRule("subnet_ids", SUBNET_ID, 'a subnet id such as "subnet-0123456789abcdef0"')],
    example: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
  };
}

const allowedSecurityGroups: ModuleVariable = {
  name: "allowed_security_group_ids",
  type: "list(string)",
  description: "Security groups whose members may connect (the application hosts). Nothing else can.",
  default: [],
  validation: [eachMatchesRule("allowed_security_group_ids", SECURITY_GROUP_ID, 'a security group id such as "sg-0123456789abcdef0"')],
};

/** ElastiCache for Valkey, as `AwsCache` builds it for the stacks. */
export const AWS_CACHE_MODULE: ModuleDefinition = {
  name: "cloudtiers-cache",
  provider: "aws",
  description:
    "ElastiCache for Valkey (a replication group, cluster mode off) for Django's cache, sessions and Celery broker: encrypted at rest and in transit, " +
    "an AUTH token generated in state and kept in Secrets Manager, in private subnets behind a security group that admits only the groups you name. " +
    "Highly available: a replica in another zone with automatic failover.",
  providers: [AWS, RANDOM],
  variables: [
    namePrefixVariable("shop-production"),
    vpcId,
    subnetIds("Subnets for the cache (the network's database subnets)"),
    allowedSecurityGroups,
    sizeVariable("size", "the cache nodes"),
    {
      name: "node_type",
      type: "string",
      description: "ElastiCache node type; overrides `size`.",
      default: null,
      validation: [matchesRule("node_type", /^cache\.[a-z0-9]+\.[a-z0-9]+$/, 'an ElastiCache node type such as "cache.t4g.small"', true)],
    },
    { name: "engine_version", type: "string", description: "Valkey major version.", default: "8", validation: [oneOfRule("engine_version", CACHE_VERSIONS)] },
    { name: "high_availability", type: "bool", description: "A replica in another zone with automatic failover.", default: false },
    deletionProtectionVariable("the cache and its token"),
  ],
  build(scope, inputs) {
    const network = new ExistingAwsNetwork(inputs.vpc_id.string, { public: [], private: [], database: inputs.subnet_ids.list }, "", 2);
    const cache = new AwsCache(scope, "cache", {
      namePrefix: inputs.name_prefix.string,
      network,
      size: inputs.size.string as never,
      version: inputs.engine_version.string,
      highAvailability: inputs.high_availability.boolean,
      deletionProtection: inputs.deletion_protection.boolean,
      nodeType: Fn.coalesce([inputs.node_type.string, pick(AWS_CACHE_SIZES, inputs.size.string)]),
      engineVersion: pick(AWS_VALKEY_VERSIONS, inputs.engine_version.string),
    });
    cache.securityGroup.allowFromSecurityGroups(inputs.allowed_security_group_ids.list, VALKEY_PORT);
    return [
      { name: "host", description: "The primary endpoint's host name.", value: cache.endpoint.host },
      { name: "port", description: "The port (TLS).", value: VALKEY_PORT },
      { name: "url", description: "A `rediss://` URL without the password: Django and Celery add the token from Secrets Manager.", value: `rediss://${cache.endpoint.host}:${VALKEY_PORT}/0` },
      { name: "auth_token_secret_arn", description: "The Secrets Manager secret holding the AUTH token (JSON key `password`).", value: cache.password.id },
      { name: "security_group_id", description: "The cache's security group.", value: cache.securityGroup.id },
      { name: "replication_group_id", description: "The ElastiCache replication group.", value: cache.group.id },
    ];
  },
  notes: [
    dataProtectionNote("a final snapshot, seven days of snapshots and a 30-day recovery window for the token"),
  ],
};
