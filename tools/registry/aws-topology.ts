import { Construct } from "constructs";
import { Fn, Op, TerraformStack, Token, ref } from "cdktf";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { VALKEY_PORT } from "../../modules/aws/cache";
import { ExistingAwsCertificate } from "../../modules/aws/certificate";
import { UBUNTU_AMI, groupDiscovery } from "../../modules/aws/compute-pool";
import { AWS_BROKER_SIZES, AWS_SINGLE_NODE_BROKER } from "../../modules/aws/sizes";
import { AwsLoadBalancer } from "../../modules/aws/load-balancer";
import { ExistingAwsNetwork } from "../../modules/aws/network";
import { POSTGRES_PORT } from "../../modules/aws/postgres";
import { AWS_INPUTS, AWS_MIN_ZONES, DISASTER_RECOVERY_INPUTS, SECRET_ARN } from "../../modules/aws/settings";
import { SECRETS_MANAGER } from "../../modules/aws/shared";
import {
  AppSetting,
  CacheProps,
  CertificateProps,
  ComputePoolProps,
  DnsFailoverProps,
  ICache,
  ICertificate,
  IBroker,
  IComputePool,
  IDnsFailover,
  ILoadBalancer,
  INetwork,
  IObjectStoreCdn,
  IPeer,
  IPostgresCluster,
  IStaticSite,
  LoadBalancerProps,
  NetworkProps,
  ObjectStoreProps,
  PostgresProps,
  QueueBrokerProps,
  RABBITMQ_SETTINGS,
  SIZES,
  SecretRef,
  StaticSiteProps,
  TierFactory,
  answeringFor,
  choose,
  equals,
  given,
  listenerPort,
  negate,
  pick,
  optional,
  rabbitmqSettings,
  sqsSettings,
} from "../../modules/core";
import { APP_UPSTREAM_SETTING, GUNICORN_PORT } from "../../modules/django/host";
import { DjangoTopology } from "../../modules/django/topology";
import { BROKER_INPUTS, CACHE_INPUTS, MAX_ZONES, CDN_INPUTS, NETWORK_INPUTS, NETWORK_PREFIX, POSTGRES_INPUTS, TOPOLOGY_INPUTS } from "../../modules/django/validate";
import {
  AWS,
  AWS_CACHE_MODULE,
  AWS_CELERY_QUEUE_MODULE,
  AWS_CERTIFICATE_MODULE,
  AWS_COMPUTE_POOL_MODULE,
  AWS_DNS_FAILOVER_MODULE,
  AWS_LOAD_BALANCER_MODULE,
  AWS_NETWORK_MODULE,
  AWS_OBJECT_STORE_MODULE,
  AWS_POSTGRES_MODULE,
  AWS_POSTGRES_DISASTER_RECOVERY_MODULE,
  AWS_RABBITMQ_MODULE,
  CLOUDFRONT_CERTIFICATE_ARN,
  SECURITY_GROUP_ID,
  maintenancePages,
  allowedSecurityGroups,
  subnetIds,
  vpcId,
  zoneId,
} from "./aws";
import { ModuleDefinition, ModuleVariable, RANDOM } from "./definition";
import {
  APPLICATION,
  CalledTier,
  ModulePool,
  calledPool,
  CORS_ORIGINS_VARIABLE,
  environmentVariable,
  failoverVariable,
  MachineTypeAttribute,
  ModuleTierFactory,
  admitting,
  called,
  defined,
  moduleSpec,
  poolApplicationInputs,
  poolOutputs,
  poolsType,
  poolRules,
  secretsVariable,
  SETTINGS_MODULE_VARIABLE,
  topologyModuleOutputs,
} from "./topology";
import {
  declaredVariable,
  dataProtectionNote,
  deletionProtectionVariable,
  domainVariable,
  eachMatchesRule,
  healthCheckPathVariable,
  maintenanceTextVariable,
  matchesRule,
  namePrefixVariable,
  inputAttributes,
  inputRules,
  patternVariable,
  wholeNumberRule,
} from "./variables";

/*
 * The whole Django topology of one environment on AWS as one Terraform module: the tier
 * modules called as submodules and wired as DjangoTopology wires the tiers.
 */

/** `aws`; `aws.us_east_1` for the certificate CloudFront presents; `aws.disaster_recovery`, the region of the database's disaster-recovery replica. */
const AWS_REGIONS = {
  ...AWS,
  aliases: [
    { name: "us_east_1", example: { region: "us-east-1" } },
    { name: "disaster_recovery", example: { region: "eu-central-1" } },
  ],
};

const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const INSTANCE_CLASS = /^db\.[a-z0-9]+\.[a-z0-9]+$/;
const NODE_TYPE = /^cache\.[a-z0-9]+\.[a-z0-9]+$/;

/** The split layout's internal Network Load Balancer between the web and the app pool, as `AwsLoadBalancer` builds it. */
const AWS_INTERNAL_LOAD_BALANCER_SUBMODULE: ModuleDefinition = {
  name: "internal-load-balancer",
  provider: "aws",
  description: "The internal Network Load Balancer of the split layout: TCP on 80 in the private subnets, forwarding to the app hosts' gunicorn.",
  providers: [AWS],
  variables: [
    namePrefixVariable("shop-production"),
    vpcId,
    subnetIds("Private subnets (the network's private subnets)"),
    { name: "target_port", type: "number", description: "The port the app hosts serve on (gunicorn).", default: GUNICORN_PORT, validation: [wholeNumberRule("target_port", 1, 65535)] },
    healthCheckPathVariable("The path each app host answers 200 on when healthy."),
    { ...allowedSecurityGroups, description: "Security groups whose members may connect on 80 (the web hosts)." },
    {
      ...allowedSecurityGroups,
      name: "target_security_group_ids",
      description: "Security groups of the hosts behind it (the app hosts): it may connect to them on `target_port`.",
      validation: [eachMatchesRule("target_security_group_ids", SECURITY_GROUP_ID, 'a security group id such as "sg-0123456789abcdef0"')],
    },
  ],
  build(scope, inputs) {
    const lb = new AwsLoadBalancer(scope, "load-balancer", {
      namePrefix: inputs.name_prefix.string,
      network: new ExistingAwsNetwork(inputs.vpc_id.string, { private: inputs.subnet_ids.list }, "", 2),
      scheme: "internal",
      targetPort: inputs.target_port.number,
      healthCheck: { path: inputs.health_check_path.string },
    });
    lb.securityGroup.allowFromSecurityGroups(inputs.allowed_security_group_ids.list, lb.port);
    lb.securityGroup.allowToSecurityGroups(inputs.target_security_group_ids.list, inputs.target_port.number);
    return [
      { name: "dns_name", description: "The load balancer's DNS name.", value: lb.hostname },
      { name: "port", description: "The port it listens on.", value: lb.port },
      { name: "target_group_arn", description: "The target group the app hosts register in.", value: lb.targetGroup.arn },
      { name: "security_group_id", description: "The load balancer's security group.", value: lb.securityGroupId },
    ];
  },
};

/** The maintenance page DNS failover serves while the site is down, as `AwsStaticSite` builds it. */
const AWS_MAINTENANCE_SITE_SUBMODULE: ModuleDefinition = {
  name: "maintenance-site",
  provider: "aws",
  description: "The maintenance page on CloudFront in front of a private S3 bucket, answering for the site's own name with status 503 on every path.",
  providers: [AWS, RANDOM],
  variables: [
    namePrefixVariable("shop-production"),
    domainVariable("domain", "The site's host name, which the distribution answers for while the site is down.", "www.example.com"),
    patternVariable("certificate_arn", "A validated ACM certificate in us-east-1 covering `domain`.", CLOUDFRONT_CERTIFICATE_ARN, "an ACM certificate ARN in us-east-1"),
    maintenanceTextVariable("title", "The page's title and heading."),
    maintenanceTextVariable("message", "The page's message."),
    declaredVariable("cdnPriceClass", AWS_INPUTS.cdnPriceClass, "CloudFront price class."),
    deletionProtectionVariable("the page's bucket (no force_destroy)"),
  ],
  build(scope, inputs, context) {
    // CloudFront answers for the name through the failover's SECONDARY record.
    const site = maintenancePages(scope, inputs, context, new ExistingAwsCertificate(inputs.certificate_arn.string, "cdn"), false);
    return [
      { name: "dns_name", description: "The distribution's domain name, for the SECONDARY alias record.", value: site.hostname },
      { name: "zone_id", description: "The distribution's hosted zone id.", value: site.aliasZoneId },
      { name: "bucket_name", description: "The page's bucket.", value: site.site.bucket.bucket },
    ];
  },
};

/** The EC2 instance type that overrides a pool's size. */
const INSTANCE_TYPE_ATTRIBUTE: MachineTypeAttribute = { name: "instance_type", pattern: INSTANCE_TYPE, what: 'an EC2 instance type such as "t3.small"' };

const VARIABLES: readonly ModuleVariable[] = [
  namePrefixVariable("shop-production"),
  domainVariable("domain", "The site's host name, e.g. `www.example.com`: the load balancer's certificate, the DNS record, `DJANGO_ALLOWED_HOSTS` and `SITE_URL`.", "www.example.com"),
  { ...zoneId, description: "The Route 53 public hosted zone holding `domain` and the CDN names (it must exist)." },
  declaredVariable("cidr", NETWORK_INPUTS.cidr, `The VPC's IPv4 block, a /${NETWORK_PREFIX.min} to /${NETWORK_PREFIX.max}.`),
  { name: "zones", type: "number", description: "How many availability zones the network, the pools and the load balancers span.", default: AWS_MIN_ZONES, validation: [wholeNumberRule("zones", AWS_MIN_ZONES, MAX_ZONES)] },
  declaredVariable("natGateways", AWS_INPUTS.natGateways, "`per-zone`: a NAT gateway in every zone (survives a zone's loss); `single`: one for all (cheaper)."),
  declaredVariable(
    "layout",
    TOPOLOGY_INPUTS.layout,
    "`colocated`: nginx and gunicorn on every web host behind the public load balancer. `split`: nginx web hosts, then an internal Network Load Balancer, then gunicorn app hosts (`pools.app`). " +
      "`nginx-balanced`: nginx on each web host balances over the app hosts itself, listing the app pool's autoscaling group, its own zone's hosts first.",
  ),
  ...APPLICATION.filter((v) => v.name !== "health_check_path"),
  SETTINGS_MODULE_VARIABLE,
  environmentVariable(
    "Further plain settings of every Django process, by variable name (never secrets: they are readable in the pools' SSM parameters). The module's own settings (`DATABASE_URL`, ...) cannot be redefined.",
  ),
  secretsVariable(
    "map(object({ secret_arn = string, json_key = optional(string) }))",
    "The application's own secrets (`DJANGO_SECRET_KEY`, API keys), by variable name: a Secrets Manager secret's whole ARN each, and the `json_key` of a JSON secret's value. " +
      "The hosts may read exactly these, and every Django process receives them after the module's own. Keep the values out of the configuration: make them with `random_password` " +
      "and `aws_secretsmanager_secret_version`, or point at secrets made elsewhere.",
    [eachMatchesRule("secrets", SECRET_ARN, "a Secrets Manager secret's whole ARN (ending in -<6 characters>)", "[for s in values(var.secrets) : s.secret_arn]")],
  ),
  APPLICATION.find((v) => v.name === "health_check_path")!,
  {
    name: "image_id",
    type: "string",
    description: "The hosts' AMI: an id, or a `resolve:ssm:` parameter resolved at each launch (Ubuntu 24.04 LTS by default).",
    default: UBUNTU_AMI,
    validation: [matchesRule("image_id", /^(ami-[0-9a-f]+|resolve:ssm:\S+)$/, 'an AMI id such as "ami-0123456789abcdef0" or a "resolve:ssm:" parameter')],
  },
  {
    name: "pools",
    type: poolsType(INSTANCE_TYPE_ATTRIBUTE),
    description:
      "The autoscaling pools: `web` (nginx, and gunicorn when colocated), `app` (gunicorn, split and nginx-balanced layouts only) and `worker` (Celery; `concurrency` processes per host, one per vCPU when null; " +
      "`beat` adds a one-host Celery beat pool). `size` is small, medium, large or xlarge; `instance_type` overrides it. Each pool scales between `min` and `max` hosts on CPU.",
    default: {},
    nullable: false,
    validation: [
      ...poolRules("web", 1, INSTANCE_TYPE_ATTRIBUTE),
      ...poolRules("app", 1, INSTANCE_TYPE_ATTRIBUTE),
      ...poolRules("worker", 0, INSTANCE_TYPE_ATTRIBUTE),
    ],
  },
  {
    name: "postgres",
    type: `object({ ${inputAttributes(POSTGRES_INPUTS)}, instance_class = optional(string), ${inputAttributes(DISASTER_RECOVERY_INPUTS)} })`,
    description:
      "RDS for PostgreSQL: the primary's `size` (`instance_class` overrides it), the replicas' (the primary's when null), major `version`, `storage_gib`, a Multi-AZ standby (`high_availability`), " +
      "`replicas` read replicas, RDS Proxy as the write endpoint (`pooling`) and `backup_retention_days`; with `disaster_recovery_cidr`, one more replica in the `aws.disaster_recovery` " +
      "provider's region, in a network of that block (apart from `cidr`, so the two can be peered), not for reads.",
    default: {},
    nullable: false,
    validation: [
      ...inputRules("postgres", POSTGRES_INPUTS),
      matchesRule("postgres.instance_class", INSTANCE_CLASS, 'an RDS instance class such as "db.t4g.small"', true),
      ...inputRules("postgres", DISASTER_RECOVERY_INPUTS),
    ],
  },
  {
    name: "cache",
    type: `object({ ${inputAttributes(CACHE_INPUTS)}, node_type = optional(string) })`,
    description: "ElastiCache for Valkey (cache, sessions, Celery broker): `size` (`node_type` overrides it), major `version`, and a replica with automatic failover (`high_availability`).",
    default: {},
    nullable: false,
    validation: [...inputRules("cache", CACHE_INPUTS), matchesRule("cache.node_type", NODE_TYPE, 'an ElastiCache node type such as "cache.t4g.small"', true)],
  },
  {
    name: "cdn",
    type: `object({ ${inputAttributes(CDN_INPUTS)}, ${inputAttributes(AWS_INPUTS, ["cdnPriceClass"])} })`,
    description: "The CDN host names of media and static files, in the zone (`media.<domain>` and `static.<domain>` when null), and CloudFront's price class.",
    default: {},
    nullable: false,
    validation: [...inputRules("cdn", CDN_INPUTS), ...inputRules("cdn", AWS_INPUTS, ["cdnPriceClass"])],
  },
  {
    name: "broker",
    type: `object({ ${inputAttributes(BROKER_INPUTS)} })`,
    description:
      "Celery's broker: `engine` valkey (the cache carries the tasks), rabbitmq (Amazon MQ for RabbitMQ, its nodes' `size`, a three-node cluster across zones with `high_availability`) " +
      "or sqs (SQS with a dead-letter queue; the workers' readiness is then their process, SQS carrying no broadcast).",
    default: {},
    nullable: false,
    validation: [
      ...inputRules("broker", BROKER_INPUTS),
      { condition: '!var.broker.high_availability || var.broker.engine == "rabbitmq"', errorMessage: 'The broker.high_availability applies to broker.engine "rabbitmq" only (a broker of its own hosts).' },
      {
        condition: `!var.broker.high_availability || !contains(${JSON.stringify(SIZES.filter((size) => AWS_BROKER_SIZES[size] === AWS_SINGLE_NODE_BROKER))}, var.broker.size)`,
        errorMessage: `The broker.size must be one of ${SIZES.filter((size) => AWS_BROKER_SIZES[size] !== AWS_SINGLE_NODE_BROKER).map((size) => `"${size}"`).join(", ")} with broker.high_availability (${AWS_SINGLE_NODE_BROKER} runs a single node only).`,
      },
    ],
  },
  CORS_ORIGINS_VARIABLE,
  failoverVariable("DNS failover: while the load balancer fails its health check, Route 53 answers with a maintenance page (`title`, `message`) on CloudFront."),
  deletionProtectionVariable("the database, the cache, the buckets and their secrets"),
];

/**
 * AWS's tiers as calls of its tier modules: DjangoTopology composes cloudtiers-django/aws
 * through it, as it composes a stack through `AwsTierFactory`. What the topology's props do
 * not say is the module's own input (`instance_type`, `node_type`, `cors_origins`, ...).
 */
class AwsModuleFactory extends ModuleTierFactory implements TierFactory {
  public readonly cloud = "aws";

  private get zoneId(): string {
    return this.inputs.zone_id.string;
  }

  protected secretInput(secret: SecretRef): unknown {
    return { secret_arn: secret.id, json_key: secret.jsonKey };
  }

  protected secretGiven(value: string): string {
    return `${value}.secret_arn != null`;
  }

  /** Celery's broker when the engine is not the cache: its remote control decides the workers' readiness. */
  private broker?: IBroker;

  /**
   * Celery's broker as `broker.engine` says, decided by Terraform: Amazon MQ for RabbitMQ
   * (`rabbitmq`, the cloudtiers-rabbitmq submodule) or SQS (`sqs`, cloudtiers-celery-queue),
   * each counted by its engine, none for `valkey` (the cache carries the tasks). Every setting
   * and secret of the engine not chosen is null, and the hosts' environment leaves it out.
   */
  public createQueueBroker(_scope: Construct, _id: string, props: QueueBrokerProps): IBroker {
    const network = called(props.network);
    const rabbitmq = equals(props.engine, "rabbitmq");
    const sqs = equals(props.engine, "sqs");
    const mq = this.counted(rabbitmq, () =>
      this.submodule("rabbitmq", "rabbitmq", {
        name_prefix: props.namePrefix,
        vpc_id: network.output("vpc_id"),
        subnet_ids: network.list("database_subnet_ids"),
        size: props.size,
        high_availability: props.highAvailability,
        deletion_protection: props.deletionProtection,
      }),
    );
    const queue = this.counted(sqs, () => this.submodule("celery-queue", "celery-queue", { name_prefix: props.namePrefix, deletion_protection: props.deletionProtection }));
    // A setting the engine leaves out is null (`choose` to undefined): the hosts' environment drops it.
    const only = (condition: boolean, settings: readonly AppSetting[]): AppSetting[] => settings.map((setting) => ({ ...setting, value: choose<string | undefined>(condition, setting.value, undefined)! }));
    const broker: IBroker = {
      engine: props.engine,
      settings: [...only(rabbitmq, rabbitmqSettings(mq.call.instance("url"), mq.call.instance("user"))), ...only(sqs, sqsSettings(queue.call.instance("region"), queue.call.instance("queue_url")))],
      secrets: [{ name: RABBITMQ_SETTINGS.password, secret: { store: SECRETS_MANAGER, id: mq.output("password_secret_arn"), jsonKey: "password" } }],
      deadLetterQueue: queue.output("dead_letter_queue_name"),
      // SQS carries no broadcast.
      remoteControl: negate(sqs),
      grantSend: (pool) => this.brokerGrant(mq, queue, pool, "sender_role_ids"),
      grantConsume: (pool) => this.brokerGrant(mq, queue, pool, "consumer_role_ids"),
    };
    this.broker = broker;
    return broker;
  }

  /** RabbitMQ admits the pool's hosts (its one user sends and takes); SQS grants its role `roles` (senders, or consumers). */
  private brokerGrant(mq: CalledTier, queue: CalledTier, pool: IPeer, roles: string): void {
    mq.admit("allowed_security_group_ids", (pool as ModulePool).peers("security_group_id"));
    queue.admit(roles, (pool as ModulePool).peers("instance_role_name"));
  }

  public createNetwork(_scope: Construct, id: string, props: NetworkProps): INetwork {
    const tier = this.submodule("network", id, { name_prefix: props.namePrefix, cidr: props.cidr, zones: props.zones, nat_gateways: this.inputs.nat_gateways.string });
    return Object.assign(tier, { cidr: props.cidr, zones: props.zones });
  }

  public createCertificate(_scope: Construct, id: string, props: CertificateProps): ICertificate {
    const inputs = { name_prefix: props.namePrefix, domain_name: props.domainName, alternative_names: props.alternativeNames, zone_id: this.zoneId, use: props.use };
    // CloudFront reads certificates in us-east-1.
    const tier = this.submodule("certificate", id, defined(inputs), props.use === "cdn" ? { providers: { aws: "aws.us_east_1" } } : {});
    return Object.assign(tier, { names: [props.domainName, ...(props.alternativeNames ?? [])], use: props.use });
  }

  public createPostgres(_scope: Construct, id: string, props: PostgresProps): IPostgresCluster {
    const network = called(props.network);
    const recoveryCidr = this.variable("postgres.disaster_recovery_cidr").string;
    const recovery = given(recoveryCidr);
    // Another region than everything else's: Secrets Manager keeps no replica of a secret in its own region, and a replica there recovers from nothing.
    const region = new DataAwsRegion(this.scope, "region");
    const recoveryRegion = new DataAwsRegion(this.scope, "disaster-recovery-region", {
      provider: this.context.providers["aws.disaster_recovery"],
      lifecycle: {
        postcondition: [
          {
            condition: Op.or(Op.not(recovery), Op.neq(ref("self.region", TerraformStack.of(this.scope)), region.region)),
            errorMessage: "With postgres.disaster_recovery_cidr, the aws.disaster_recovery provider must be of another region than the default aws provider's.",
          },
        ],
      },
    });
    const tier = this.submodule("postgres", id, {
      name_prefix: props.namePrefix,
      vpc_id: network.output("vpc_id"),
      subnet_ids: network.list("database_subnet_ids"),
      size: props.size,
      replica_size: props.replicaSize,
      instance_class: this.variable("postgres.instance_class").string,
      engine_version: props.version,
      storage_gib: props.storageGiB,
      high_availability: props.highAvailability,
      replicas: props.replicas,
      pooling: props.pooling,
      backup_retention_days: props.backupRetentionDays,
      database_name: props.databaseName,
      username: props.username,
      deletion_protection: props.deletionProtection,
      // The logins kept in the recovery region too: a lost region takes its Secrets Manager with it.
      credentials_replica_regions: Fn.conditional(recovery, [recoveryRegion.region], []),
    });
    // The stacks' aws.disasterRecoveryRegion: the replica in the aws.disaster_recovery provider's region.
    this.counted(recovery, () =>
      this.submodule(
        "postgres-disaster-recovery",
        "postgres-disaster-recovery",
        {
          name_prefix: props.namePrefix,
          source_db_arn: tier.output("primary_arn"),
          cidr: recoveryCidr,
          // The replicas' size, as the stacks' (the primary's when null); instance_class is the primary's alone.
          size: Fn.coalesce([props.replicaSize, props.size]),
          engine_version: props.version,
          storage_gib: props.storageGiB,
          backup_retention_days: props.backupRetentionDays,
          deletion_protection: props.deletionProtection,
        },
        { providers: { aws: "aws.disaster_recovery" } },
      ),
    );
    return Object.assign(tier, {
      port: POSTGRES_PORT,
      primary: { host: tier.output("primary_host"), port: POSTGRES_PORT },
      // Writes go through the pooler when pooling is on (write_host), the release step's locks to the primary itself.
      pooler: { host: tier.output("write_host"), port: POSTGRES_PORT },
      replicas: [],
      countedReplicaHosts: tier.list("replica_hosts"),
      databaseName: props.databaseName,
      username: props.username,
      password: { store: SECRETS_MANAGER, id: tier.output("credentials_secret_arn"), jsonKey: "password" },
      allowFrom: admitting(tier, "allowed_security_group_ids", "security_group_id"),
    });
  }

  public createCache(_scope: Construct, id: string, props: CacheProps): ICache {
    const network = called(props.network);
    const tier = this.submodule("cache", id, {
      name_prefix: props.namePrefix,
      vpc_id: network.output("vpc_id"),
      subnet_ids: network.list("database_subnet_ids"),
      size: props.size,
      node_type: this.variable("cache.node_type").string,
      engine_version: props.version,
      high_availability: props.highAvailability,
      deletion_protection: props.deletionProtection,
    });
    return Object.assign(tier, {
      port: VALKEY_PORT,
      endpoint: { host: tier.output("host"), port: VALKEY_PORT },
      tls: true,
      password: { store: SECRETS_MANAGER, id: tier.output("auth_token_secret_arn"), jsonKey: "password" },
      allowFrom: admitting(tier, "allowed_security_group_ids", "security_group_id"),
    });
  }

  public createObjectStore(_scope: Construct, id: string, props: ObjectStoreProps): IObjectStoreCdn {
    const tier = this.submodule("object-store", id, {
      name_prefix: props.namePrefix,
      purpose: props.purpose,
      cdn_domain: props.cdnDomain,
      zone_id: this.zoneId,
      certificate_arn: called(props.certificate).output("arn"),
      cors_origins: Token.asList(Fn.coalesce([this.inputs.cors_origins.list, props.corsOrigins])),
      price_class: this.variable("cdn.price_class").string,
      deletion_protection: props.deletionProtection,
    });
    return Object.assign(tier, {
      purpose: props.purpose,
      bucketName: tier.output("bucket_name"),
      region: tier.output("region"),
      endpointUrl: tier.output("endpoint_url"),
      cdnDomain: tier.output("cdn_domain"),
      objectAcl: "private" as const,
      grantReadWrite: admitting(tier, "read_write_role_ids", "instance_role_name"),
    });
  }

  public createLoadBalancer(_scope: Construct, id: string, props: LoadBalancerProps): ILoadBalancer {
    const network = called(props.network);
    const common = { name_prefix: props.namePrefix, vpc_id: network.output("vpc_id") };
    const check = { target_port: props.targetPort, health_check_path: props.healthCheck.path };
    // The split layout's internal Network Load Balancer is its own submodule (only this topology uses it).
    const tier =
      props.scheme === "public"
        ? this.submodule("load-balancer", id, { ...common, subnet_ids: network.list("public_subnet_ids"), certificate_arn: props.certificate && called(props.certificate).output("arn"), ...check })
        : this.submodule("internal-load-balancer", id, { ...common, subnet_ids: network.list("private_subnet_ids"), ...check });
    return Object.assign(tier, {
      scheme: props.scheme,
      hostname: tier.output("dns_name"),
      port: listenerPort(props.scheme),
      targetPort: props.targetPort,
      healthCheckPath: props.healthCheck.path,
      peerName: `${props.scheme} load balancer`,
      allowFrom: admitting(tier, "allowed_security_group_ids", "security_group_id"),
    });
  }

  public createComputePool(_scope: Construct, id: string, props: ComputePoolProps): IComputePool {
    const network = called(props.network);
    const lb = props.loadBalancer && called(props.loadBalancer);
    const role = props.role;
    const tier = this.submodule(
      "compute-pool",
      id,
      defined({
        name_prefix: props.namePrefix,
        role,
        vpc_id: network.output("vpc_id"),
        subnet_ids: network.list("private_subnet_ids"),
        image_id: this.inputs.image_id.string,
        ...poolApplicationInputs(this.scope, this.inputs, this.inputs.domain.string, this.inputs.health_check_path.string),
        ...this.scaling(props, "instance_type"),
        ...this.environmentOf(props.host.configuration),
        target_group_arns: lb?.each("target_group_arn"),
        celery_remote_control: this.broker?.remoteControl,
        replace_on_load_balancer_health: props.replaceUnhealthy && pick({ "load-balancer": true, instance: false }, props.replaceUnhealthy),
      }),
    );
    const pool = calledPool(tier, props);
    if (lb) tier.admit("allowed_security_group_ids", lb.each("security_group_id"));
    lb?.admit("target_security_group_ids", pool.peers("security_group_id"));
    // nginx-balanced web hosts list the app pool's autoscaling group, and connect to its hosts.
    if (role === "app") {
      this.discoverable(pool, groupDiscovery(tier.output("autoscaling_group_name")), {
        webInput: "app_autoscaling_group_name",
        appOutput: "autoscaling_group_name",
        webOutput: "security_group_id",
        admitInput: "allowed_security_group_ids",
      });
    }
    return pool;
  }

  /** The maintenance site's submodule renders the page itself, from the module's `failover.title` and `failover.message`. */
  public createStaticSite(_scope: Construct, id: string, props: StaticSiteProps): IStaticSite {
    const tier = this.submodule("maintenance-site", id, {
      name_prefix: props.namePrefix,
      domain: props.domain,
      certificate_arn: called(props.certificate).output("arn"),
      title: this.variable("failover.title").string,
      message: this.variable("failover.message").string,
      price_class: this.variable("cdn.price_class").string,
      deletion_protection: props.deletionProtection,
    });
    return Object.assign(tier, { domain: props.domain, hostname: tier.output("dns_name") });
  }

  /** The failover records when there is a maintenance site, one alias record to the load balancer when there is none, as `AwsDnsFailover` makes them. */
  public createDnsFailover(_scope: Construct, _id: string, props: DnsFailoverProps): IDnsFailover {
    const primary = called(props.primary);
    const secondary = props.secondary && called(props.secondary);
    const { failover, made: dns } = this.failoverOf(secondary, () =>
      this.submodule(
        "dns-failover",
        "dns-failover",
        {
          name_prefix: props.namePrefix,
          zone_id: this.zoneId,
          record_name: props.recordName,
          primary_dns_name: primary.output("dns_name"),
          primary_zone_id: primary.output("zone_id"),
          health_check_path: props.healthCheckPath,
          secondary_dns_name: secondary?.output("dns_name"),
          secondary_zone_id: secondary?.output("zone_id"),
        },
      ),
    );
    optional(negate(failover), (meta) =>
      new Route53Record(this.scope, "site", {
        ...meta,
        zoneId: this.zoneId,
        name: props.recordName,
        type: "A",
        alias: { name: primary.output("dns_name"), zoneId: primary.output("zone_id"), evaluateTargetHealth: true },
      }),
    );
    return Object.assign(dns ?? {}, { recordName: props.recordName, failover });
  }
}

/** The whole DjangoTopology of one environment on AWS, as `DjangoTopology` and `AwsTierFactory` build it for the stacks. */
export const AWS_DJANGO_MODULE: ModuleDefinition = {
  name: "cloudtiers-django",
  provider: "aws",
  description:
    "The whole production topology of a Django application on AWS, as the cloudtiers stacks build it for one environment: a VPC over two or three zones; " +
    "a public Application Load Balancer (HTTPS, 80→443) in front of autoscaling web hosts (nginx and gunicorn; nginx balancing over gunicorn app hosts itself; or in the split layout nginx in front of an internal " +
    "Network Load Balancer and gunicorn app hosts); Celery workers and a one-host beat pool, their broker the cache, Amazon MQ for RabbitMQ or SQS; " +
    "RDS for PostgreSQL with a standby, read replicas, RDS Proxy and a disaster-recovery replica in another region; ElastiCache for Valkey; media and static buckets behind CloudFront on their own names; ACM certificates validated in Route 53; and the site's record, " +
    "with failover to a maintenance page when asked. Each tier is its cloudtiers module, called from `modules/`; the hosts receive the application's environment " +
    "(database, cache and storage settings, passwords from Secrets Manager) built from the tiers' outputs.",
  providers: [AWS_REGIONS, RANDOM],
  variables: VARIABLES,
  submodules: [
    { ...AWS_NETWORK_MODULE, name: "network" },
    { ...AWS_CERTIFICATE_MODULE, name: "certificate" },
    { ...AWS_POSTGRES_MODULE, name: "postgres" },
    { ...AWS_POSTGRES_DISASTER_RECOVERY_MODULE, name: "postgres-disaster-recovery" },
    { ...AWS_CACHE_MODULE, name: "cache" },
    { ...AWS_RABBITMQ_MODULE, name: "rabbitmq" },
    { ...AWS_CELERY_QUEUE_MODULE, name: "celery-queue" },
    { ...AWS_OBJECT_STORE_MODULE, name: "object-store" },
    { ...AWS_LOAD_BALANCER_MODULE, name: "load-balancer" },
    AWS_INTERNAL_LOAD_BALANCER_SUBMODULE,
    { ...AWS_COMPUTE_POOL_MODULE, name: "compute-pool" },
    AWS_MAINTENANCE_SITE_SUBMODULE,
    { ...AWS_DNS_FAILOVER_MODULE, name: "dns-failover" },
  ],
  build(scope, inputs, context) {
    const factory = new AwsModuleFactory(scope, inputs, context);
    const spec = moduleSpec(scope, inputs, { network: { cidr: inputs.cidr.string, zones: inputs.zones.number }, broker: true });
    const topology = answeringFor([spec], () => new DjangoTopology(scope, "topology", { factory, spec, namePrefix: inputs.name_prefix.string }));
    const pools = poolOutputs(topology, "autoscaling_group_name");
    return [
      ...topologyModuleOutputs(topology),
      { name: "media_distribution_id", description: "The media CloudFront distribution, for invalidations.", value: called(topology.media).output("distribution_id") },
      { name: "static_distribution_id", description: "The static CloudFront distribution, for invalidations after collectstatic.", value: called(topology.staticFiles).output("distribution_id") },
      { name: "vpc_id", description: "The VPC.", value: called(topology.network).output("vpc_id") },
      { name: "load_balancer_dns_name", description: "The public load balancer's DNS name.", value: topology.loadBalancer.hostname },
      { name: "autoscaling_group_names", description: "Each pool's autoscaling group, by role (null for a pool the layout or beat leaves out).", value: pools },
      { name: "health_check_id", description: "The Route 53 health check of the site when failover is on, else null.", value: called(topology.dns).output("health_check_id") },
    ];
  },
  notes: [
    dataProtectionNote("the database, its backups and credentials, the cache and its token, and the buckets"),
    "Pass three `aws` configurations: the default one (the region of everything regional), `aws.us_east_1`, through which the CloudFront certificate is issued and validated, and `aws.disaster_recovery`, the region of the database's disaster-recovery replica " +
      "(used only with `postgres.disaster_recovery_cidr`; without it, pass any, the default one for instance). The `random` provider generates the database password and the cache token, kept in state and in Secrets Manager.",
    "Every tier is its own cloudtiers module under `modules/` (`network`, `certificate` twice, `postgres` with its `pooler`, `cache`, `object-store` for media and static, `load-balancer`, `compute-pool` for each role, `dns-failover`), " +
      "so its resources read the same as when you call that module yourself. Optional parts are counted submodules: the app pool in the split and nginx-balanced layouts, the internal load balancer in the split one, the beat pool when `pools.worker.beat`, the maintenance site and the failover records when `failover.enabled`, RDS Proxy when `postgres.pooling`, the disaster-recovery replica with `postgres.disaster_recovery_cidr`, Amazon MQ or SQS as `broker.engine` says.",
    "The split layout's internal Network Load Balancer and the maintenance site have no module of their own in the registry (only this topology uses them), so they are submodules here (`internal-load-balancer`, `maintenance-site`) rather than resources of the root module: " +
      "each is several resources that exist only in one layout or with failover, and Terraform switches a group of resources on and off as a whole only as a counted module.",
    "The hosts get the application's environment from the tiers' outputs, with the names the stacks use: `DATABASE_URL` (the pooler when pooling, without the password), `DATABASE_DIRECT_URL` (the primary, for the release step), `DATABASE_PASSWORD` (Secrets Manager, key `password`), `DATABASE_REPLICA_URLS`, `REDIS_URL`, `REDIS_PASSWORD`, `SITE_URL`, `DJANGO_ALLOWED_HOSTS`, `STORAGE_*`, `MEDIA_*`, `STATIC_*`, then `environment`. " +
      `Split-layout web hosts get only \`${APP_UPSTREAM_SETTING}\` (the internal load balancer) and no secrets; nginx-balanced ones nothing of the application's, only the app pool's group to list (\`app_autoscaling_group_name\`).`,
    "Security group rules that name another tier's group are counted by position (the groups are made in the same apply, so their ids are unknown at plan, and Terraform needs `for_each` keys known): the hosts come in a fixed order (app servers, workers, beat), so turning beat on or off adds or removes only beat's rules.",
    "The database, the cache and the media bucket admit or grant the hosts that run Django (app servers, workers, beat); the static bucket grants the app servers only (they run collectstatic).",
    "With failover, the CloudFront certificate also covers `domain`, and its validation record for `domain` is the same record the load balancer's certificate writes (both allow overwriting): if one certificate is replaced, the next plan restores the record the other needs to renew.",
    "The zone must exist: the stacks can create it or look it up by name, this module takes its id. It cannot check that `domain` and the CDN names are in the zone (it is not given the zone's name); ACM validation fails if they are not.",
    "Switching `failover.enabled` replaces the site's record (a plain alias becomes a PRIMARY/SECONDARY pair): Route 53 may refuse to create the new records while the old ones exist; apply again if it does.",
  ],
};
