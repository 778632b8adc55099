import { Fn, Op, TerraformIterator, TerraformStack, Token, ref } from "cdktf";
import { DataAwsVpc } from "@cdktf/provider-aws/lib/data-aws-vpc";
import { AwsComputePool, LIST_HOSTS, UBUNTU_AMI, groupDiscovery } from "../../modules/aws/compute-pool";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { policyDocument } from "../../modules/aws/shared";
import { DEFAULTS, HostBootstrap, PoolRole, Size } from "../../modules/core";
import { APP_UPSTREAM_SETTING } from "../../modules/django/host";
import { HOST_TIMING, applicationVariables, envNamesRule, hostUserData, layoutRequirements, listsAppHosts, poolRoleVariables, poolScalingVariables, servedPortOf, textOrEmpty } from "./hosts";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { BROKER_INPUTS, CACHE_INPUTS, MAX_ZONES, NETWORK_PREFIX, POSTGRES_INPUTS } from "../../modules/django/validate";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { AWS_INPUTS, AWS_MIN_ZONES } from "../../modules/aws/settings";
import { DATABASE_NAME, DATABASE_USER, QUEUE_VISIBILITY_SECONDS } from "../../modules/django/topology";
import { AMQPS_PORT, AwsRabbitMqBroker, RABBITMQ_VERSION } from "../../modules/aws/rabbitmq";
import { AwsSqsBroker, MAX_RECEIVES } from "../../modules/aws/broker";
import { ORIGIN_HEADER, RABBITMQ_SETTINGS, SIZES, equals, given, optional, pick, terraformTemplate } from "../../modules/core";
import { renderMaintenancePage } from "../../modules/django/maintenance-page";
import { AwsStaticSite } from "../../modules/aws/static-site";
import { AwsCache, VALKEY_PORT } from "../../modules/aws/cache";
import { AwsNetwork, ExistingAwsNetwork } from "../../modules/aws/network";
import { AwsCertificate, ExistingAwsCertificate } from "../../modules/aws/certificate";
import { AwsDnsFailover } from "../../modules/aws/dns-failover";
import { AwsObjectStore } from "../../modules/aws/object-store";
import { IAwsAliasTarget } from "../../modules/aws/shared";
import { ExistingAwsDnsZone } from "../../modules/aws/dns-zone";
import { DOMAIN_NAME, DOMAIN_NAME_WORDS } from "../../modules/core";
import { AwsLoadBalancer } from "../../modules/aws/load-balancer";
import { NGINX_PORT } from "../../modules/django/host";
import { AwsPostgres, POSTGRES_PORT, addRdsProxy } from "../../modules/aws/postgres";
import { AwsDisasterRecovery, DR_ZONES } from "../../modules/aws/disaster-recovery";
import { AWS_BROKER_SIZES, AWS_CACHE_SIZES, AWS_COMPUTE_SIZES, AWS_POSTGRES_SIZES, AWS_SINGLE_NODE_BROKER, AWS_VALKEY_VERSIONS } from "../../modules/aws/sizes";
import { BuildContext, ModuleDefinition, ModuleInputs, ModuleVariable, ProviderRequirement, RANDOM } from "./definition";
import { Construct } from "constructs";
import { cidrVariable, corsOriginsVariable, dataProtectionNote, declaredVariable, deletionProtectionVariable, domainVariable, healthCheckPathVariable, machineTypeVariable, maintenanceTextVariable, patternVariable, wholeNumberRule, eachMatchesRule, matchesRule, minLengthRule, namePrefixVariable, oneOfRule, sizeVariable } from "./variables";

export const AWS: ProviderRequirement = { name: "aws", binding: "@cdktf/provider-aws", example: { region: "eu-west-1" } };

const VPC_ID = /^vpc-[0-9a-f]+$/;
const SUBNET_ID = /^subnet-[0-9a-f]+$/;
export const SECURITY_GROUP_ID = /^sg-[0-9a-f]+$/;

export const vpcId = patternVariable("vpc_id", "The VPC the tier lives in.", VPC_ID, 'a VPC id such as "vpc-0123456789abcdef0"', "vpc-0123456789abcdef0");

export function subnetIds(what: string): ModuleVariable {
  return {
    name: "subnet_ids",
    type: "list(string)",
    description: `${what}, in at least two availability zones.`,
    validation: [minLengthRule("subnet_ids", 2, "subnets"), eachMatchesRule("subnet_ids", SUBNET_ID, 'a subnet id such as "subnet-0123456789abcdef0"')],
    example: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
  };
}

export const allowedSecurityGroups: ModuleVariable = {
  name: "allowed_security_group_ids",
  type: "list(string)",
  description: "Security groups whose members may connect (the application hosts). Nothing else can. One rule per position (ids may come from resources not made yet): add groups at the end.",
  default: [],
  validation: [eachMatchesRule("allowed_security_group_ids", SECURITY_GROUP_ID, 'a security group id such as "sg-0123456789abcdef0"')],
};

/** Amazon MQ for RabbitMQ as Celery's broker, as `AwsRabbitMqBroker` builds it for the stacks (`broker.engine: "rabbitmq"`). */
export const AWS_RABBITMQ_MODULE: ModuleDefinition = {
  name: "cloudtiers-rabbitmq",
  provider: "aws",
  description:
    `Amazon MQ for RabbitMQ ${RABBITMQ_VERSION} as Celery's broker: one node or a three-node cluster across zones, private in the subnets you give, ` +
    "AMQPS only from the security groups you name, its one user's password generated in state and kept in Secrets Manager, " +
    "a message held unacknowledged by a worker for up to an hour (`consumer_timeout`).",
  providers: [AWS, RANDOM],
  variables: [
    namePrefixVariable("shop-production"),
    vpcId,
    subnetIds("Subnets for the broker (the network's database subnets): one node takes the first, a cluster one in each zone"),
    allowedSecurityGroups,
    declaredVariable("size", BROKER_INPUTS.size, `Size of the broker's nodes: ${SIZES.map((s) => `${s} (${AWS_BROKER_SIZES[s]})`).join(", ")}; ${AWS_SINGLE_NODE_BROKER} runs one node only.`),
    machineTypeVariable("host_instance_type", "Amazon MQ node type; overrides `size`.", /^mq\.[a-z0-9]+\.[a-z0-9]+$/, 'an Amazon MQ node type such as "mq.m5.large"'),
    declaredVariable("highAvailability", BROKER_INPUTS.highAvailability, "A three-node cluster across the subnets' zones rather than one node (not on the single-node type)."),
    deletionProtectionVariable("the broker's password"),
  ],
  build(scope, inputs) {
    const network = new ExistingAwsNetwork(inputs.vpc_id.string, { database: inputs.subnet_ids.list }, "", 2);
    const broker = new AwsRabbitMqBroker(scope, "broker", {
      engine: "rabbitmq",
      namePrefix: inputs.name_prefix.string,
      network,
      size: inputs.size.string as Size,
      highAvailability: inputs.high_availability.boolean,
      deletionProtection: inputs.deletion_protection.boolean,
      visibilityTimeoutSeconds: QUEUE_VISIBILITY_SECONDS,
      instanceType: Fn.coalesce([inputs.host_instance_type.string, pick(AWS_BROKER_SIZES, inputs.size.string)]),
    });
    broker.securityGroup.allowFromSecurityGroups(inputs.allowed_security_group_ids.list, AMQPS_PORT);
    const setting = (name: string) => broker.settings.find((s) => s.name === name)!.value;
    return [
      { name: "url", description: "The broker's `amqps://` endpoint, as `RABBITMQ_URL`: the settings snippet adds the user and the password.", value: setting(RABBITMQ_SETTINGS.url) },
      { name: "user", description: "The broker's one user, as `RABBITMQ_USER`.", value: setting(RABBITMQ_SETTINGS.user) },
      { name: "password_secret_arn", description: "The Secrets Manager secret holding the user's password (JSON key `password`), as `RABBITMQ_PASSWORD`.", value: broker.secrets[0].secret.id },
      { name: "security_group_id", description: "The broker's security group.", value: broker.securityGroup.id },
      { name: "broker_id", description: "The Amazon MQ broker.", value: broker.broker.id },
    ];
  },
  notes: [
    dataProtectionNote("the broker's password (a 30-day recovery window); Amazon MQ has no deletion protection of its own, and the broker holds the queued tasks"),
    `\`high_availability\` and a move down to ${AWS_SINGLE_NODE_BROKER} make a new broker or are refused by Amazon MQ (the stacks' validator refuses a cluster of ${AWS_SINGLE_NODE_BROKER}; the module cannot see the other variable).`,
  ],
};

const roleIds = (name: string, description: string): ModuleVariable => ({
  name,
  type: "list(string)",
  description: `${description} One policy per position (names may come from resources not made yet): add roles at the end.`,
  default: [],
});

/** SQS as Celery's broker, as `AwsSqsBroker` builds it for the stacks (`broker.engine: "sqs"`). */
export const AWS_CELERY_QUEUE_MODULE: ModuleDefinition = {
  name: "cloudtiers-celery-queue",
  provider: "aws",
  description:
    "SQS as Celery's broker: Celery's default queue, encrypted, long polling, a visibility timeout of an hour, and a dead-letter queue for a task " +
    `received ${MAX_RECEIVES} times; the roles you name may send tasks, or send and take them, on this queue alone.`,
  providers: [AWS],
  variables: [
    namePrefixVariable("shop-production"),
    roleIds("sender_role_ids", "IAM roles (names) of the hosts that only send tasks (the site's, beat's)."),
    roleIds("consumer_role_ids", "IAM roles (names) of the hosts that take tasks (the workers')."),
    deletionProtectionVariable("the queues"),
  ],
  build(scope, inputs) {
    const region = new DataAwsRegion(scope, "region");
    const broker = new AwsSqsBroker(scope, "broker", {
      engine: "sqs",
      namePrefix: inputs.name_prefix.string,
      deletionProtection: inputs.deletion_protection.boolean,
      visibilityTimeoutSeconds: QUEUE_VISIBILITY_SECONDS,
      region: region.region,
    });
    broker.grantToRoles(inputs.sender_role_ids.list, "send");
    broker.grantToRoles(inputs.consumer_role_ids.list, "consume");
    return [
      { name: "queue_url", description: "The queue's URL, as `CELERY_SQS_QUEUE_URL` (with `CELERY_BROKER_URL=sqs://` and `CELERY_SQS_REGION`).", value: broker.queue.url },
      { name: "queue_arn", description: "The queue.", value: broker.queue.arn },
      { name: "region", description: "The queue's region, as `CELERY_SQS_REGION`.", value: region.region },
      { name: "dead_letter_queue_name", description: "Where a task received too often is set aside: alarm on its messages.", value: broker.deadLetters.name },
    ];
  },
  notes: [dataProtectionNote("nothing more here: SQS has no deletion protection, so the queued tasks go with a destroy")],
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
    machineTypeVariable("node_type", "ElastiCache node type; overrides `size`.", /^cache\.[a-z0-9]+\.[a-z0-9]+$/, 'an ElastiCache node type such as "cache.t4g.small"'),
    declaredVariable("version", CACHE_INPUTS.version, "Valkey major version.", "engine_version"),
    declaredVariable("highAvailability", CACHE_INPUTS.highAvailability, "A replica in another zone with automatic failover."),
    deletionProtectionVariable("the cache and its token"),
  ],
  build(scope, inputs) {
    const network = new ExistingAwsNetwork(inputs.vpc_id.string, { database: inputs.subnet_ids.list }, "", 2);
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

/** A whole secret ARN, with the six characters Secrets Manager appends: IAM policies grant exactly this. */
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9\/_+=.@-]+-[A-Za-z0-9]{6}$/;
const POSTGRES_IDENTIFIER = /^[a-z][a-z0-9-]*$/;

/** RDS Proxy in front of a primary: the pooler submodule of `cloudtiers-postgres`, counted by `var.pooling`. */
const AWS_POOLER_SUBMODULE: ModuleDefinition = {
  name: "pooler",
  provider: "aws",
  description: "RDS Proxy in front of the primary.",
  providers: [AWS],
  variables: [
    { name: "name", type: "string", description: "The cluster's name; the pooler's resources are `<name>-pooler`.", example: "shop-production-postgres" },
    vpcId,
    subnetIds("The database subnets"),
    patternVariable("secret_arn", "The secret with the application user's credentials.", SECRET_ARN, "a Secrets Manager secret ARN"),
    patternVariable("instance_identifier", "The primary the pooler forwards to.", POSTGRES_IDENTIFIER, "an RDS instance identifier"),
    patternVariable("postgres_security_group_id", "The primary's security group.", SECURITY_GROUP_ID, "a security group id"),
    allowedSecurityGroups,
  ],
  build(scope, inputs) {
    const postgresGroup = inputs.postgres_security_group_id.string;
    const pooler = addRdsProxy(scope, {
      name: inputs.name.string,
      vpcId: inputs.vpc_id.string,
      subnetIds: inputs.subnet_ids.list,
      secretArn: inputs.secret_arn.string,
      instanceIdentifier: inputs.instance_identifier.string,
      postgres: { peerName: "postgres", securityGroupId: postgresGroup },
      admitToPostgres: (peer) =>
        new VpcSecurityGroupIngressRule(scope, "postgres-from-pooler", {
          securityGroupId: postgresGroup,
          referencedSecurityGroupId: peer.securityGroupId,
          ipProtocol: "tcp",
          fromPort: POSTGRES_PORT,
          toPort: POSTGRES_PORT,
          description: `${peer.peerName} on ${POSTGRES_PORT}`,
        }),
    });
    pooler.securityGroup.allowFromSecurityGroups(inputs.allowed_security_group_ids.list, POSTGRES_PORT);
    return [
      { name: "host", description: "The pooler's endpoint.", value: pooler.endpoint.host },
      { name: "security_group_id", description: "The pooler's security group.", value: pooler.securityGroup.id },
    ];
  },
};

/** RDS for PostgreSQL, as `AwsPostgres` builds it for the stacks, with the pooler as a submodule. */
export const AWS_POSTGRES_MODULE: ModuleDefinition = {
  name: "cloudtiers-postgres",
  provider: "aws",
  description:
    "RDS for PostgreSQL for Django: an encrypted, private primary with `rds.force_ssl` (a Multi-AZ standby when highly available), automated backups, " +
    "read replicas through `replicate_source_db`, and RDS Proxy in front of the primary when pooling is on. The password is generated in state and kept in " +
    "Secrets Manager (RDS cannot make replicas of an instance whose password it manages), never in outputs.",
  providers: [AWS, RANDOM],
  variables: [
    namePrefixVariable("shop-production"),
    vpcId,
    subnetIds("Subnets for the database (the network's database subnets)"),
    { ...allowedSecurityGroups, description: "Security groups whose members may connect to the primary, the replicas and the pooler (the application hosts). Nothing else can." },
    sizeVariable("size", "the primary (and standby)"),
    declaredVariable("replicaSize", POSTGRES_INPUTS.replicaSize, `Size of each read replica: ${SIZES.join(", ")}; the primary's when null.`),
    machineTypeVariable("instance_class", "RDS instance class of the primary; overrides `size`.", /^db\.[a-z0-9]+\.[a-z0-9]+$/, 'an RDS instance class such as "db.t4g.small"'),
    declaredVariable("version", POSTGRES_INPUTS.version, "PostgreSQL major version.", "engine_version"),
    declaredVariable("storageGiB", POSTGRES_INPUTS.storageGiB, "Allocated storage in GiB; it grows to four times this on its own."),
    declaredVariable("highAvailability", POSTGRES_INPUTS.highAvailability, "A synchronous Multi-AZ standby that takes over on failure."),
    declaredVariable("replicas", POSTGRES_INPUTS.replicas, "Read replicas that follow the primary."),
    declaredVariable("pooling", POSTGRES_INPUTS.pooling, "RDS Proxy in front of the primary, as the application's write endpoint."),
    declaredVariable("backupRetentionDays", POSTGRES_INPUTS.backupRetentionDays, "Days of automated backups kept."),
    { name: "database_name", type: "string", description: "The application database.", default: DATABASE_NAME, validation: [matchesRule("database_name", /^[a-z][a-z0-9_]{0,62}$/, "a PostgreSQL identifier (lower-case letters, digits and _)")] },
    { name: "username", type: "string", description: "The application's database user.", default: DATABASE_USER, validation: [matchesRule("username", /^[a-z][a-z0-9_]{0,62}$/, "a PostgreSQL identifier (lower-case letters, digits and _)")] },
    {
      name: "credentials_replica_regions",
      type: "list(string)",
      description: "Regions where Secrets Manager keeps a copy of the credentials: a disaster-recovery replica's (cloudtiers-postgres-disaster-recovery), which a lost primary region would otherwise leave without them.",
      default: [],
      validation: [eachMatchesRule("credentials_replica_regions", /^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as "eu-central-1"')],
    },
    deletionProtectionVariable("the database, its backups and its credentials"),
  ],
  submodules: [AWS_POOLER_SUBMODULE],
  build(scope, inputs, context) {
    const size = inputs.size.string;
    const replicaSize = Fn.coalesce([inputs.replica_size.string, size]);
    const network = new ExistingAwsNetwork(inputs.vpc_id.string, { database: inputs.subnet_ids.list }, "", 2);
    const postgres = new AwsPostgres(scope, "postgres", {
      namePrefix: inputs.name_prefix.string,
      network,
      size: size as never,
      version: inputs.engine_version.string,
      storageGiB: inputs.storage_gib.number,
      highAvailability: inputs.high_availability.boolean,
      replicas: inputs.replicas.number,
      // The pooler is the submodule below, which Terraform counts.
      pooling: false,
      backupRetentionDays: inputs.backup_retention_days.number,
      databaseName: inputs.database_name.string,
      username: inputs.username.string,
      deletionProtection: inputs.deletion_protection.boolean,
      instanceClass: Fn.coalesce([inputs.instance_class.string, pick(AWS_POSTGRES_SIZES, size)]),
      replicaInstanceClass: pick(AWS_POSTGRES_SIZES, replicaSize),
      credentialsReplicaRegions: inputs.credentials_replica_regions.list,
    });
    postgres.securityGroup.allowFromSecurityGroups(inputs.allowed_security_group_ids.list, POSTGRES_PORT);
    const pooler = context.submodule(
      "pooler",
      {
        name: `${inputs.name_prefix.string}-postgres`,
        vpc_id: inputs.vpc_id.string,
        subnet_ids: inputs.subnet_ids.list,
        secret_arn: postgres.password.id,
        instance_identifier: postgres.instance.identifier,
        postgres_security_group_id: postgres.securityGroup.id,
        allowed_security_group_ids: inputs.allowed_security_group_ids.list,
      },
      { enabled: inputs.pooling.boolean },
    );
    return [
      { name: "primary_host", description: "The primary's host name, for writes.", value: postgres.primary.host },
      { name: "replica_hosts", description: "The read replicas' host names, in order.", value: postgres.replicaHosts },
      { name: "pooler_host", description: "The pooler's endpoint when pooling is on, else null.", value: pooler.output("host") },
      {
        name: "write_host",
        description: "Where the application writes: the pooler when pooling is on, else the primary.",
        value: Fn.coalesce([pooler.output("host"), postgres.primary.host]),
      },
      { name: "port", description: "The port (TLS required).", value: POSTGRES_PORT },
      { name: "database_name", description: "The application database.", value: postgres.databaseName },
      { name: "username", description: "The application's database user.", value: postgres.username },
      { name: "credentials_secret_arn", description: "The Secrets Manager secret holding `username` and `password`.", value: postgres.password.id },
      { name: "security_group_id", description: "The database's security group.", value: postgres.securityGroup.id },
      { name: "primary_identifier", description: "The primary RDS instance.", value: postgres.instance.identifier },
      { name: "primary_arn", description: "The primary's ARN: a disaster-recovery replica's `source_db_arn`.", value: postgres.instance.arn },
    ];
  },
  notes: [
    dataProtectionNote("RDS deletion protection, a final snapshot, automated backups after deletion and a 30-day recovery window for the credentials"),
    "Replicas are one counted resource (`aws_db_instance.postgres_replica[*]`): lowering `replicas` removes the last ones.",
    "The application logs in as the master user (`username`), as RDS makes it: unlike the cloudtiers stacks, this module runs no database setup, which there makes a role of the application's own " +
      "own the database and keeps the master user for administration. To do the same, create the role and run the setup's SQL (cloudtiers' `databaseRoleSetup`) yourself as the master user.",
  ],
};

/** An autoscaling group's name as cloudtiers names them (the app pool's), quotable in a shell script. */
const ASG_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

const RDS_INSTANCE_ARN = /^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:db:[a-z][a-z0-9-]*$/;

/**
 * The disaster-recovery replica in another region, as `AwsDisasterRecovery` builds it for the
 * stacks (`aws.disasterRecoveryRegion`): called with that region's provider.
 */
export const AWS_POSTGRES_DISASTER_RECOVERY_MODULE: ModuleDefinition = {
  name: "cloudtiers-postgres-disaster-recovery",
  provider: "aws",
  description:
    "An encrypted read replica of a cloudtiers-postgres primary in another region, ready to be promoted when the primary's region is lost, with what it needs there: " +
    `a VPC of database subnets in ${DR_ZONES} zones (no route out, nothing admitted until a recovery), a subnet group, a parameter group requiring TLS and a KMS key of that region. ` +
    "Its own automated backups, and storage that grows as the primary's. Call it with the recovery region's provider (`providers = { aws = aws.disaster_recovery }`).",
  providers: [AWS],
  variables: [
    namePrefixVariable("shop-production"),
    patternVariable("source_db_arn", "The primary it follows (cloudtiers-postgres' `primary_arn`): another region's source is named by its ARN.", RDS_INSTANCE_ARN, "an RDS instance ARN", "arn:aws:rds:eu-west-1:123456789012:db:shop-production-postgres"),
    cidrVariable("The recovery network's IPv4 block, apart from the primary's so that the two networks (or a deployment in the recovery region) can be peered; its database subnets only.", "10.40.0.0/16"),
    sizeVariable("size", "the replica (the primary's replicas' size)"),
    machineTypeVariable("instance_class", "RDS instance class; overrides `size`.", /^db\.[a-z0-9]+\.[a-z0-9]+$/, 'an RDS instance class such as "db.t4g.small"'),
    declaredVariable("version", POSTGRES_INPUTS.version, "The primary's PostgreSQL major version (the replica's parameter group family).", "engine_version"),
    declaredVariable("storageGiB", POSTGRES_INPUTS.storageGiB, "The primary's allocated storage in GiB: the replica grows to four times it, as the primary does."),
    declaredVariable("backupRetentionDays", POSTGRES_INPUTS.backupRetentionDays, "Days of the replica's own automated backups (so a promotion takes no first backup)."),
    {
      ...deletionProtectionVariable("the replica"),
      description: "Turn on the replica's RDS deletion protection. (RDS takes no final snapshot of a read replica; its key is kept 30 days after a delete either way.)",
    },
  ],
  build(scope, inputs) {
    // The provider's region, which must not be the primary's (the ARN's fourth field): a replica there recovers from nothing.
    const region = new DataAwsRegion(scope, "region", {
      lifecycle: {
        postcondition: [
          {
            condition: Op.neq(Fn.element(Fn.split(":", inputs.source_db_arn.string), 3), ref("self.region", TerraformStack.of(scope))),
            errorMessage: "The aws provider this module is called with must be of another region than the primary's (source_db_arn's).",
          },
        ],
      },
    });
    const dr = new AwsDisasterRecovery(scope, "disaster-recovery", {
      namePrefix: inputs.name_prefix.string,
      // The module's resources take the provider it is called with.
      provider: undefined,
      region: region.region,
      cidr: inputs.cidr.string,
      storageGiB: inputs.storage_gib.number,
      backupRetentionDays: inputs.backup_retention_days.number,
      sourceArn: inputs.source_db_arn.string,
      instanceClass: Fn.coalesce([inputs.instance_class.string, pick(AWS_POSTGRES_SIZES, inputs.size.string)]),
      version: inputs.engine_version.string,
      port: POSTGRES_PORT,
      deletionProtection: inputs.deletion_protection.boolean,
    });
    return [
      { name: "host", description: "The replica's host name (read-only until promoted).", value: dr.replica.address },
      { name: "identifier", description: "The replica's RDS identifier: the one to promote (`aws rds promote-read-replica`).", value: dr.replica.identifier },
      { name: "arn", description: "The replica.", value: dr.replica.arn },
      { name: "region", description: "The recovery region.", value: region.region },
      { name: "vpc_id", description: "The recovery network: peer it, or deploy the application into it, after a promotion.", value: dr.vpc.id },
      { name: "kms_key_arn", description: "The key of the replica's storage in the recovery region.", value: dr.key.arn },
    ];
  },
  notes: [
    dataProtectionNote("RDS deletion protection and a 30-day deletion window for the key (RDS takes no final snapshot of a read replica; the replica's own automated backups go with it)"),
    "Give the primary's module `credentials_replica_regions = [<this region>]`: Secrets Manager then keeps the logins in the recovery region too, which a lost primary region would otherwise take with it.",
    "RDS refuses to start a replica while the primary is busy with another (`InvalidDBInstanceState`, hashicorp/terraform-provider-aws#43474): the stacks create this replica after the primary's others; when this module is applied together with the primary's, apply again if RDS refuses.",
    "Promotion, and what to do after it: the cloudtiers docs, `docs/database.md#disaster-recovery`.",
  ],
};

/** The VPC of every AWS tier, as `AwsNetwork` builds it for the stacks. */
export const AWS_NETWORK_MODULE: ModuleDefinition = {
  name: "cloudtiers-network",
  provider: "aws",
  description:
    "A VPC over two or three availability zones with three subnet tiers, after terraform-aws-modules/vpc: public subnets (load balancers, NAT), " +
    "private subnets (hosts, out through NAT) and database subnets (no route out at all). The default security group is emptied; " +
    "an S3 gateway endpoint keeps bucket traffic off NAT.",
  providers: [AWS],
  variables: [
    namePrefixVariable("shop-production"),
    cidrVariable(
      `The VPC's IPv4 block, a /${NETWORK_PREFIX.min} to /${NETWORK_PREFIX.max}: private subnets take its first sixteenths, public and database subnets a 256th each from its upper half.`,
      "10.30.0.0/16",
    ),
    { name: "zones", type: "number", description: "How many availability zones to spread over.", default: AWS_MIN_ZONES, validation: [wholeNumberRule("zones", AWS_MIN_ZONES, MAX_ZONES)] },
    // A network on its own starts cheap: one NAT gateway (the stacks and cloudtiers-django: one per zone).
    { ...declaredVariable("natGateways", AWS_INPUTS.natGateways, "`per-zone`: a NAT gateway in every zone (survives a zone's loss); `single`: one for all (cheaper)."), default: "single" },
  ],
  build(scope, inputs) {
    const region = new DataAwsRegion(scope, "region", {});
    const network = new AwsNetwork(scope, "network", {
      namePrefix: inputs.name_prefix.string,
      cidr: inputs.cidr.string,
      zones: inputs.zones.number,
      natGateways: inputs.nat_gateways.string as never,
      region: region.region,
    });
    return [
      { name: "vpc_id", description: "The VPC.", value: network.vpcId },
      { name: "cidr", description: "The VPC's block.", value: network.cidr },
      { name: "public_subnet_ids", description: "One public subnet per zone (load balancers, NAT).", value: network.subnetIds.public },
      {
        name: "private_subnet_ids",
        description: "One private subnet per zone (hosts), once their NAT routes exist: hosts placed there reach the internet from their first boot.",
        value: network.subnetIds.private,
        dependsOn: network.egressReady,
      },
      { name: "database_subnet_ids", description: "One database subnet per zone, with no route out.", value: network.subnetIds.database },
    ];
  },
};

const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/;

/** The public Application Load Balancer in front of the web pool, as `AwsLoadBalancer` builds it. */
export const AWS_LOAD_BALANCER_MODULE: ModuleDefinition = {
  name: "cloudtiers-load-balancer",
  provider: "aws",
  description:
    "The internet-facing Application Load Balancer in front of the web hosts: HTTPS on 443 with your ACM certificate and the " +
    "`ELBSecurityPolicy-TLS13-1-2-2021-06` policy, HTTP on 80 redirected to HTTPS, invalid header fields dropped, desync mitigation on, " +
    "and a target group that checks each host's health path. (The internal Network Load Balancer of the split layout is part of the topology module.)",
  providers: [AWS],
  variables: [
    namePrefixVariable("shop-production"),
    vpcId,
    subnetIds("Public subnets (the network's public subnets)"),
    patternVariable(
      "certificate_arn",
      "The ACM certificate of the site's name, validated, in the load balancer's region.",
      CERTIFICATE_ARN,
      "an ACM certificate ARN",
      "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
    ),
    { name: "target_port", type: "number", description: "The port the hosts serve HTTP on (nginx).", default: NGINX_PORT, validation: [wholeNumberRule("target_port", 1, 65535)] },
    healthCheckPathVariable("The path each host answers 200 on when healthy."),
    { name: "idle_timeout_seconds", type: "number", description: "Seconds an idle connection is kept open.", default: DEFAULTS.loadBalancer.idleTimeoutSeconds, validation: [wholeNumberRule("idle_timeout_seconds", 1, 4000)] },
    { name: "drain_seconds", type: "number", description: "Seconds a deregistering host keeps draining requests.", default: DEFAULTS.loadBalancer.drainSeconds, validation: [wholeNumberRule("drain_seconds", 0, 3600)] },
    {
      ...allowedSecurityGroups,
      name: "target_security_group_ids",
      description: "Security groups of the hosts behind it: the load balancer may connect to them on `target_port`. (Their own rules must admit it.)",
      validation: [eachMatchesRule("target_security_group_ids", SECURITY_GROUP_ID, 'a security group id such as "sg-0123456789abcdef0"')],
    },
  ],
  build(scope, inputs) {
    const lb = publicLoadBalancer(scope, inputs, false);
    return [
      { name: "dns_name", description: "The load balancer's DNS name, for an alias record.", value: lb.hostname },
      { name: "zone_id", description: "The load balancer's hosted zone, for an alias record.", value: lb.aliasZoneId },
      { name: "arn", description: "The load balancer.", value: lb.lb.arn },
      { name: "target_group_arn", description: "The target group the hosts (an autoscaling group) register in.", value: lb.targetGroup.arn },
      { name: "security_group_id", description: "The load balancer's security group: admit it on the hosts' `target_port`.", value: lb.securityGroupId },
    ];
  },
};

/**
 * The maintenance page of a module's `title` and `message`, rendered as the stacks render it
 * and kept as a heredoc, on its own distribution or `servedBySite` (`AwsStaticSite`). No
 * records: the site's (or the failover's SECONDARY) answer for its name.
 */
export function maintenancePages(scope: Construct, inputs: ModuleInputs, context: BuildContext, certificate: ExistingAwsCertificate, servedBySite: boolean): AwsStaticSite {
  const page = context.template("maintenance_page", terraformTemplate(renderMaintenancePage(inputs.title.string, inputs.message.string, "terraform")));
  return new AwsStaticSite(scope, "maintenance-site", {
    namePrefix: inputs.name_prefix.string,
    domain: inputs.domain.string,
    zone: { zoneName: "" },
    certificate,
    deletionProtection: inputs.deletion_protection.boolean,
    files: { "index.html": page },
    priceClass: inputs.price_class.string,
    servedBySite,
  });
}

/** The public load balancer of cloudtiers-load-balancer's variables, reaching the target groups given; `behindCdn` as `AwsLoadBalancer` takes it. */
function publicLoadBalancer(scope: Construct, inputs: ModuleInputs, behindCdn: boolean): AwsLoadBalancer {
  const lb = new AwsLoadBalancer(scope, "load-balancer", {
    namePrefix: inputs.name_prefix.string,
    network: new ExistingAwsNetwork(inputs.vpc_id.string, { public: inputs.subnet_ids.list }, "", 2),
    scheme: "public",
    certificate: new ExistingAwsCertificate(inputs.certificate_arn.string, "load-balancer"),
    targetPort: inputs.target_port.number,
    healthCheck: { path: inputs.health_check_path.string },
    idleTimeoutSeconds: inputs.idle_timeout_seconds.number,
    drainSeconds: inputs.drain_seconds.number,
    behindCdn,
  });
  lb.securityGroup.allowToSecurityGroups(inputs.target_security_group_ids.list, inputs.target_port.number);
  return lb;
}

export const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;

export const zoneId = patternVariable("zone_id", "The Route 53 public hosted zone that holds the names.", HOSTED_ZONE_ID, 'a Route 53 hosted zone id such as "Z0123456789ABCDEFGHIJ"', "Z0123456789ABCDEFGHIJ");

/** An ACM certificate validated through Route 53, as `AwsCertificate` issues them for the stacks. */
export const AWS_CERTIFICATE_MODULE: ModuleDefinition = {
  name: "cloudtiers-certificate",
  provider: "aws",
  description:
    "An ACM certificate (RSA 2048) for a name and its alternatives, validated through DNS records in a Route 53 hosted zone; " +
    "its ARN is output only once validation succeeded. Issued in the region of the `aws` provider you pass: " +
    "for CloudFront, pass a provider configured for us-east-1.",
  providers: [AWS],
  variables: [
    namePrefixVariable("shop-production"),
    domainVariable("domain_name", "The certificate's main name.", "www.example.com"),
    {
      name: "alternative_names",
      type: "list(string)",
      description: "Further names it covers.",
      default: [],
      validation: [eachMatchesRule("alternative_names", DOMAIN_NAME, DOMAIN_NAME_WORDS)],
    },
    zoneId,
    { name: "use", type: "string", description: "Where it is presented, for its Name tag: `load-balancer` or `cdn`.", default: "load-balancer", validation: [oneOfRule("use", ["load-balancer", "cdn"])] },
  ],
  build(scope, inputs) {
    const certificate = new AwsCertificate(scope, "certificate", {
      namePrefix: inputs.name_prefix.string,
      zone: new ExistingAwsDnsZone(inputs.zone_id.string, ""),
      domainName: inputs.domain_name.string,
      alternativeNames: inputs.alternative_names.list,
      use: inputs.use.string as never,
    });
    return [{ name: "arn", description: "The certificate's ARN, once validated: attach this one.", value: certificate.arn }];
  },
};

/** The site's record with DNS failover to a maintenance page, as `AwsDnsFailover` builds it. */
export const AWS_DNS_FAILOVER_MODULE: ModuleDefinition = {
  name: "cloudtiers-dns-failover",
  provider: "aws",
  description:
    "The site's A record in Route 53 as a PRIMARY/SECONDARY failover pair: the primary aliases the load balancer and carries an HTTPS health check " +
    "of its health path; the secondary aliases a static maintenance site (a CloudFront distribution) while the primary is unhealthy.",
  providers: [AWS],
  variables: [
    namePrefixVariable("shop-production"),
    zoneId,
    domainVariable("record_name", "The site's host name.", "www.example.com"),
    domainVariable("primary_dns_name", "The load balancer's DNS name.", "shop-production-public-123456789.eu-west-1.elb.amazonaws.com"),
    { ...zoneId, name: "primary_zone_id", description: "The load balancer's hosted zone id (an alias target's).", validation: [matchesRule("primary_zone_id", HOSTED_ZONE_ID, "a hosted zone id")], example: "Z32O12XQLNTSW2" },
    healthCheckPathVariable("The path the health check requests over HTTPS."),
    domainVariable("secondary_dns_name", "The maintenance site's CloudFront domain name.", "d111111abcdef8.cloudfront.net"),
    {
      name: "secondary_zone_id",
      type: "string",
      description: "The maintenance site's hosted zone id (CloudFront's is Z2FDTNDATAQYW2).",
      default: "Z2FDTNDATAQYW2",
      validation: [matchesRule("secondary_zone_id", HOSTED_ZONE_ID, "a hosted zone id")],
    },
  ],
  build(scope, inputs) {
    const primary: IAwsAliasTarget & { port: number } = { hostname: inputs.primary_dns_name.string, aliasZoneId: inputs.primary_zone_id.string, port: 443 };
    const secondary: IAwsAliasTarget = { hostname: inputs.secondary_dns_name.string, aliasZoneId: inputs.secondary_zone_id.string };
    const failover = new AwsDnsFailover(scope, "dns", {
      namePrefix: inputs.name_prefix.string,
      zone: new ExistingAwsDnsZone(inputs.zone_id.string, ""),
      recordName: inputs.record_name.string,
      primary,
      healthCheckPath: inputs.health_check_path.string,
      secondary,
    });
    return [
      { name: "record_name", description: "The site's host name.", value: failover.recordName },
      { name: "health_check_id", description: "The primary's Route 53 health check.", value: failover.healthCheck!.id },
    ];
  },
};

/** An ACM certificate in us-east-1, where CloudFront reads certificates. */
export const CLOUDFRONT_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]+$/;
const ROLE_ID = /^[\w+=,.@-]{1,64}$/;

/**
 * The site's public entry on CloudFront (the stacks' `cdn.site`): the load balancer made
 * `behindCdn`, the site's distribution, its maintenance pages and its records, as
 * `AwsDnsFailover` builds them with `cdn`.
 */
export const AWS_SITE_CDN_MODULE: ModuleDefinition = {
  name: "cloudtiers-site-cdn",
  provider: "aws",
  description:
    "The whole site on CloudFront (seed 004: dynamic content through the CDN): the internet-facing Application Load Balancer of cloudtiers-load-balancer, reachable only from " +
    "CloudFront's origin-facing addresses and only with this distribution's secret header (anything else gets a 403); one distribution answering for the site's name that passes " +
    "every request to it uncached over HTTPS with every header, cookie and query string Django reads; the maintenance page from a private bucket on the same distribution, " +
    "answering with a 503 for the load balancer's 502, 503 and 504 (CloudFront is the failover, per request and for every method); and the site's A and AAAA alias records.",
  providers: [AWS, RANDOM],
  variables: [
    namePrefixVariable("shop-production"),
    vpcId,
    subnetIds("Public subnets (the network's public subnets)"),
    domainVariable("domain", "The site's host name: the distribution's alias and the records' name.", "www.example.com"),
    zoneId,
    patternVariable(
      "certificate_arn",
      "The ACM certificate of the site's name, validated, in the load balancer's region (CloudFront checks the load balancer's certificate against the site's name it forwards).",
      CERTIFICATE_ARN,
      "an ACM certificate ARN",
      "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
    ),
    patternVariable(
      "cdn_certificate_arn",
      "A validated ACM certificate in us-east-1 covering `domain`, which the distribution presents.",
      CLOUDFRONT_CERTIFICATE_ARN,
      "an ACM certificate ARN in us-east-1",
      "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
    ),
    ...AWS_LOAD_BALANCER_MODULE.variables.filter((v) => ["target_port", "health_check_path", "idle_timeout_seconds", "drain_seconds", "target_security_group_ids"].includes(v.name)),
    maintenanceTextVariable("title", "The maintenance page's title and heading."),
    maintenanceTextVariable("message", "The maintenance page's message."),
    declaredVariable("cdnPriceClass", AWS_INPUTS.cdnPriceClass, "CloudFront price class."),
    deletionProtectionVariable("the maintenance page's bucket (no force_destroy)"),
  ],
  build(scope, inputs, context) {
    const lb = publicLoadBalancer(scope, inputs, true);
    const cdnCertificate = new ExistingAwsCertificate(inputs.cdn_certificate_arn.string, "cdn");
    const zone = new ExistingAwsDnsZone(inputs.zone_id.string, "");
    const maintenance = maintenancePages(scope, inputs, context, cdnCertificate, true);
    const dns = new AwsDnsFailover(scope, "dns", {
      namePrefix: inputs.name_prefix.string,
      zone,
      recordName: inputs.domain.string,
      primary: lb,
      healthCheckPath: inputs.health_check_path.string,
      secondary: maintenance,
      cdn: { certificate: cdnCertificate },
      priceClass: inputs.price_class.string,
    });
    const distribution = dns.site!.distribution;
    return [
      { name: "distribution_id", description: "The site's CloudFront distribution (for a web ACL, invalidations of the maintenance page).", value: distribution.id },
      { name: "distribution_domain_name", description: "The distribution's domain name, which the site's records alias.", value: distribution.domainName },
      { name: "load_balancer_dns_name", description: "The load balancer's DNS name (it answers only CloudFront).", value: lb.hostname },
      { name: "load_balancer_arn", description: "The load balancer.", value: lb.lb.arn },
      { name: "target_group_arn", description: "The target group the hosts (an autoscaling group) register in.", value: lb.targetGroup.arn },
      { name: "security_group_id", description: "The load balancer's security group: admit it on the hosts' `target_port`.", value: lb.securityGroupId },
      { name: "maintenance_bucket_name", description: "The maintenance page's bucket.", value: maintenance.site.bucket.bucket },
    ];
  },
  notes: [
    "The load balancer shuts everyone but CloudFront out only once the site's records alias the distribution (its rules depend on them): moving a live site from cloudtiers-load-balancer keeps serving viewers who still resolve the load balancer while CloudFront deploys.",
    `nginx on the hosts must drop the \`${ORIGIN_HEADER}\` header before Django sees it (the cloudtiers hosts do): it is the distribution's secret.`,
    "Django sees the viewer's `Host` and `X-Forwarded-Proto` as without a CDN; the viewer's address is the first of `X-Forwarded-For`, where CloudFront puts it.",
    "Route 53 records of the name other than these (a failover pair made by cloudtiers-dns-failover) must go first: Route 53 refuses a plain A record beside failover ones.",
  ],
};

/** An S3 bucket behind CloudFront for Django's media or static files, as `AwsObjectStore` builds it. */
export const AWS_OBJECT_STORE_MODULE: ModuleDefinition = {
  name: "cloudtiers-object-store",
  provider: "aws",
  description:
    "A private S3 bucket for Django's media or static files (public access blocked, owner-enforced, SSE with bucket keys, versioned with old versions expired, " +
    "TLS-only policy) that only its CloudFront distribution reads, through origin access control, on its own host name with A and AAAA alias records. " +
    "Viewers are redirected to HTTPS with TLS 1.2 or newer; CORS headers for the origins you list are added at the edge.",
  providers: [AWS, RANDOM],
  variables: [
    namePrefixVariable("shop-production"),
    { name: "purpose", type: "string", description: "What Django keeps there: `media` (uploads) or `static` (collected static files).", validation: [oneOfRule("purpose", ["media", "static"])], example: "media" },
    domainVariable("cdn_domain", "The CDN's host name.", "media.example.com"),
    zoneId,
    patternVariable(
      "certificate_arn",
      "A validated ACM certificate in us-east-1 covering `cdn_domain` (CloudFront reads certificates there).",
      CLOUDFRONT_CERTIFICATE_ARN,
      "an ACM certificate ARN in us-east-1",
      "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
    ),
    corsOriginsVariable(),
    { name: "noncurrent_version_days", type: "number", description: "Days a replaced or deleted object's old version is kept.", default: DEFAULTS.objectStore.noncurrentVersionDays, validation: [wholeNumberRule("noncurrent_version_days", 1, 3650)] },
    declaredVariable("cdnPriceClass", AWS_INPUTS.cdnPriceClass, "CloudFront price class."),
    {
      name: "read_write_role_ids",
      type: "list(string)",
      description: "IAM roles (names) of the hosts that read, write and delete objects: each gets an inline policy.",
      default: [],
      validation: [eachMatchesRule("read_write_role_ids", ROLE_ID, "an IAM role name")],
    },
    deletionProtectionVariable("the bucket (no force_destroy)"),
  ],
  build(scope, inputs) {
    const region = new DataAwsRegion(scope, "region", {});
    const store = new AwsObjectStore(scope, "store", {
      namePrefix: inputs.name_prefix.string,
      purpose: inputs.purpose.string as never,
      cdnDomain: inputs.cdn_domain.string,
      zone: new ExistingAwsDnsZone(inputs.zone_id.string, ""),
      certificate: new ExistingAwsCertificate(inputs.certificate_arn.string, "cdn"),
      corsOrigins: inputs.cors_origins.list,
      noncurrentVersionDays: inputs.noncurrent_version_days.number,
      deletionProtection: inputs.deletion_protection.boolean,
      region: region.region,
      priceClass: inputs.price_class.string,
    });
    store.grantReadWriteToRoles(inputs.read_write_role_ids.list);
    return [
      { name: "bucket_name", description: "The bucket (AWS_STORAGE_BUCKET_NAME).", value: store.bucketName },
      { name: "region", description: "The bucket's region (AWS_S3_REGION_NAME).", value: store.region },
      { name: "endpoint_url", description: "The S3 endpoint (AWS_S3_ENDPOINT_URL).", value: store.endpointUrl },
      { name: "cdn_domain", description: "The CDN's host name (AWS_S3_CUSTOM_DOMAIN).", value: store.cdnDomain },
      { name: "distribution_id", description: "The CloudFront distribution, for invalidations.", value: store.store.distribution!.id },
    ];
  },
  notes: [dataProtectionNote("the bucket: `force_destroy` stays off, so Terraform cannot delete it while it holds objects; versions keep overwritten and deleted objects for `noncurrent_version_days`")],
};

/** An autoscaling pool of Django hosts of one role, as `AwsComputePool` builds them for the stacks. */
export const AWS_COMPUTE_POOL_MODULE: ModuleDefinition = {
  name: "cloudtiers-compute-pool",
  provider: "aws",
  description:
    "An autoscaling group of Ubuntu 24.04 hosts of one role of a Django application: `web` (nginx in front of gunicorn, or in front of an app pool: behind an internal load balancer in the split layout, balancing over its hosts in the nginx-balanced one), " +
    "`app` (gunicorn), `worker` (Celery) or `beat` (Celery beat, one host at most, replaced by terminating first). Hosts run your container image under systemd, " +
    "configured by cloud-init (ufw admitting only the role's port from the VPC, fail2ban, unattended security upgrades, no password logins). " +
    "The launch template requires IMDSv2 and encrypts the gp3 root volume; there is no SSH key, Session Manager instead. " +
    "The application's environment sits in an SSM parameter, with Secrets Manager secrets named there and read by the instance role at every start: none of it is in the user data.",
  providers: [AWS],
  variables: [
    namePrefixVariable("shop-production"),
    ...poolRoleVariables("the autoscaling group `app_autoscaling_group_name`"),
    {
      name: "app_autoscaling_group_name",
      type: "string",
      description:
        "nginx-balanced web hosts: the app pool's autoscaling group (its module's `autoscaling_group_name`), whose hosts in service they balance over; their role may list it. " +
        "Admit this pool's `security_group_id` to the app pool's port.",
      default: null,
      validation: [matchesRule("app_autoscaling_group_name", ASG_NAME, "an autoscaling group name (letters, digits, dots, dashes and underscores)", true)],
    },
    vpcId,
    subnetIds("Subnets for the hosts (the network's private subnets)"),
    sizeVariable("size", "the hosts"),
    machineTypeVariable("instance_type", "EC2 instance type; overrides `size`.", /^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'an EC2 instance type such as "t3.small"'),
    { name: "image_id", type: "string", description: "The AMI: an id, or a `resolve:ssm:` parameter resolved at each launch.", default: UBUNTU_AMI, validation: [matchesRule("image_id", /^(ami-[0-9a-f]+|resolve:ssm:\S+)$/, 'an AMI id such as "ami-0123456789abcdef0" or a "resolve:ssm:" parameter')] },
    ...poolScalingVariables(0),
    { name: "disk_gib", type: "number", description: "Root volume size in GiB.", default: DEFAULTS.pool.diskGiB, validation: [wholeNumberRule("disk_gib", 10, 16384)] },
    ...applicationVariables("Plain settings of the application's environment, by variable name (never secrets: they are readable in the parameter)."),
    {
      name: "secrets",
      type: "map(object({ secret_arn = string, json_key = optional(string) }))",
      description: "Secrets of the application's environment, by variable name: a Secrets Manager secret and, for a JSON secret, the key to read. The hosts' role may read exactly these.",
      default: {},
      validation: [
        envNamesRule("secrets"),
        { condition: `alltrue([for s in values(var.secrets) : can(regex(${JSON.stringify(SECRET_ARN.source)}, s.secret_arn))])`, errorMessage: "Every secret_arn of secrets must be a whole Secrets Manager secret ARN (ending in the six characters Secrets Manager appends)." },
      ],
    },
    {
      name: "target_group_arns",
      type: "list(string)",
      description: "Load balancer target groups the hosts register in.",
      default: [],
      validation: [eachMatchesRule("target_group_arns", /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/.+$/, "a target group ARN")],
    },
    {
      name: "replace_on_load_balancer_health",
      type: "bool",
      description: "Replace hosts that fail the load balancer's health check, not only the machine's own. Turn off for hosts whose check also reflects a tier behind them (split and nginx-balanced web hosts).",
      default: true,
    },
    {
      ...allowedSecurityGroups,
      description: "Security groups whose members may connect to the role's port (web: 80, app: 8000): the load balancer's. Workers and beat serve no port and admit nothing.",
    },
  ],
  build(scope, inputs, context) {
    const vpc = new DataAwsVpc(scope, "vpc", { id: inputs.vpc_id.string });
    const network = new ExistingAwsNetwork(inputs.vpc_id.string, { private: inputs.subnet_ids.list }, vpc.cidrBlock, 2);
    const role = inputs.role.string as PoolRole;
    const size = inputs.size.string as Size;
    const host: HostBootstrap = {
      // The environment is the parameter's document below, from the variables.
      configuration: { settings: [], secrets: [] },
      render: (delivery) => hostUserData(context, inputs, [vpc.cidrBlock], delivery, groupDiscovery(textOrEmpty(inputs.app_autoscaling_group_name.string))),
      ...HOST_TIMING,
    };
    const secrets = TerraformIterator.fromMap(inputs.secrets.any as Record<string, unknown>);
    const { port, serves } = servedPortOf(role);
    const pool = new AwsComputePool(scope, "pool", {
      namePrefix: inputs.name_prefix.string,
      network,
      role,
      size,
      minInstances: inputs.min_instances.number,
      maxInstances: inputs.max_instances.number,
      cpuTargetPercent: inputs.cpu_target_percent.number,
      diskGiB: inputs.disk_gib.number,
      port,
      exclusive: equals(role, "beat"),
      host,
      instanceType: Fn.coalesce([inputs.instance_type.string, pick(AWS_COMPUTE_SIZES, size)]),
      imageId: inputs.image_id.string,
      environment: {
        document: Fn.jsonencode({ settings: inputs.environment.any, secrets: secrets.forExpressionForMap("key", "{ id = val.secret_arn, jsonKey = val.json_key }") }),
        secretArns: Token.asList(secrets.pluckProperty("secret_arn")),
      },
    });
    pool.environment.lifecycle = layoutRequirements(inputs, {
      given: given(inputs.app_autoscaling_group_name.string),
      errorMessage: "nginx-balanced web hosts list the app hosts of an autoscaling group: give app_autoscaling_group_name (the app pool's).",
    });
    optional(listsAppHosts(inputs), (meta) =>
      new IamRolePolicy(scope, "discover-app-hosts", { ...meta, name: "discover-app-hosts", role: pool.instanceRole.id, policy: policyDocument([LIST_HOSTS]) }),
    );
    const targetGroups = inputs.target_group_arns.list;
    pool.group.targetGroupArns = targetGroups;
    pool.group.healthCheckType = Fn.conditional(Op.and(Op.gte(Fn.lengthOf(targetGroups), 1), inputs.replace_on_load_balancer_health.boolean), "ELB", "EC2");
    pool.securityGroup.allowFromSecurityGroups(Token.asList(Fn.conditional(serves, inputs.allowed_security_group_ids.list, [])), port);
    return [
      { name: "autoscaling_group_name", description: "The autoscaling group.", value: pool.group.name },
      { name: "security_group_id", description: "The hosts' security group: admit it where they connect (database, cache).", value: pool.securityGroup.id },
      { name: "instance_role_name", description: "The hosts' IAM role: grant it what the application reads (buckets).", value: pool.instanceRole.name },
      { name: "instance_role_arn", description: "The hosts' IAM role's ARN.", value: pool.instanceRole.arn },
      { name: "launch_template_id", description: "The launch template; each change rolls the hosts.", value: pool.launchTemplate.id },
      { name: "environment_parameter_name", description: "The SSM parameter holding the application's environment.", value: pool.environment.name },
      { name: "port", description: "The port the hosts serve (web: 80, app: 8000); null for worker and beat.", value: port },
    ];
  },
  notes: [
    "Hosts fetch the environment at every start of the application: after changing `environment` or `secrets`, restart the service (`systemctl restart cloudtiers-app`) or let the instance refresh roll the hosts, which any change of the launch template does.",
    `Split-layout web hosts proxy to the host and port in the \`${APP_UPSTREAM_SETTING}\` setting of \`environment\` (the internal load balancer's name and port).`,
    "Every download at first boot and at each start of the application retries with backoff; a host that still cannot set itself up, or whose application fails 3 starts within an hour, marks itself unhealthy in its autoscaling group (or powers off), and the group replaces it.",
    "Hosts pull public images only: the stacks' registry login (ECR with the instance role, or a user name and password) is not an input of this module yet.",
  ],
};
