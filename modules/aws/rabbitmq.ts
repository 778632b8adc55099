import { Construct } from "constructs";
import { Fn } from "cdktf";
import { MqBroker } from "@cdktf/provider-aws/lib/mq-broker";
import { MqConfiguration } from "@cdktf/provider-aws/lib/mq-configuration";
import { AppSecret, AppSetting, IBroker, IComputePool, INetwork, QueueBrokerProps, RABBITMQ_SETTINGS, choose, protectedLifecycle, rabbitmqSettings } from "../core";
import { GeneratedSecret } from "./generated-secret";
import { awsNetworkOf } from "./network";
import { TierSecurityGroup } from "./security-group";
import { rabbitMqBrokerName, secretName } from "../naming/resource-names";

export interface AwsRabbitMqBrokerProps extends QueueBrokerProps {
  readonly network: INetwork;
  readonly highAvailability: boolean;
  /** Amazon MQ's node type for `size`. */
  readonly instanceType: string;
}

/**
 * RabbitMQ 3.13: every node type, and classic queues, which every Celery 5 handles (4.2
 * runs on Graviton only and declares quorum queues by default, which Celery handles from 5.5
 * on only). Amazon MQ takes the major and minor version; minor upgrades are automatic, as
 * Amazon MQ requires from 3.13 on.
 */
export const RABBITMQ_VERSION = "3.13";
/** AMQP over TLS, the only listener Amazon MQ gives RabbitMQ. */
export const AMQPS_PORT = 5671;
/** The broker's one user (Amazon MQ makes exactly one for RabbitMQ), which Celery connects as. */
export const RABBITMQ_USER = "celery";

/**
 * Celery's broker on Amazon MQ for RabbitMQ: one node, or a three-node cluster across zones
 * (`highAvailability`), in the database subnets, not publicly accessible, reached on AMQPS
 * from the Django hosts alone; encrypted at rest with AWS's own key (the only kind Amazon MQ
 * gives RabbitMQ). Its user's password is a `GeneratedSecret` (Secrets Manager, where the
 * hosts read it); Terraform cannot change it once the broker exists (Amazon MQ's API keeps
 * RabbitMQ's users out of its reach). A task may stay unacknowledged on a worker as long as
 * the visibility timeout (RabbitMQ's `consumer_timeout`, 30 minutes by default), countdowns
 * and ETAs included. Celery's remote control works over it.
 */
export class AwsRabbitMqBroker extends Construct implements IBroker {
  public readonly engine = "rabbitmq";
  public readonly remoteControl = true;
  public readonly settings: readonly AppSetting[];
  public readonly secrets: readonly AppSecret[];
  public readonly broker: MqBroker;
  public readonly securityGroup: TierSecurityGroup;

  constructor(scope: Construct, id: string, props: AwsRabbitMqBrokerProps) {
    super(scope, id);
    const network = awsNetworkOf(props.network);
    const name = rabbitMqBrokerName(props.namePrefix);
    const protect = props.deletionProtection;
    this.securityGroup = new TierSecurityGroup(this, "security-group", { vpcId: network.vpcId, name, description: "RabbitMQ: from the Django hosts only" });
    const credentials = new GeneratedSecret(this, "credentials", {
      name: secretName(props.namePrefix, "broker/credentials"),
      description: `The ${RABBITMQ_USER} user of ${name}`,
      username: RABBITMQ_USER,
      protect,
    });
    const configuration = new MqConfiguration(this, "configuration", {
      name,
      engineType: "RabbitMQ",
      engineVersion: RABBITMQ_VERSION,
      // RabbitMQ's own configuration format; milliseconds.
      data: `consumer_timeout = ${props.visibilityTimeoutSeconds * 1000}\n`,
      tags: { Name: name },
    });
    const database = network.subnetIds.database;
    this.broker = new MqBroker(this, "broker", {
      brokerName: name,
      engineType: "RabbitMQ",
      engineVersion: RABBITMQ_VERSION,
      autoMinorVersionUpgrade: true,
      hostInstanceType: props.instanceType,
      deploymentMode: choose(props.highAvailability, "CLUSTER_MULTI_AZ", "SINGLE_INSTANCE"),
      publiclyAccessible: false,
      // One node takes exactly one subnet; a cluster spreads over the zones.
      subnetIds: choose(props.highAvailability, database, Fn.slice(database, 0, 1)),
      securityGroups: [this.securityGroup.id],
      configuration: { id: configuration.id, revision: configuration.latestRevision },
      user: [{ username: RABBITMQ_USER, password: credentials.password }],
      logs: { general: true },
      maintenanceWindowStartTime: { dayOfWeek: "SUNDAY", timeOfDay: "04:30", timeZone: "UTC" },
      // Node type and configuration changes wait for the maintenance window (each restarts the broker).
      applyImmediately: false,
      tags: { Name: name },
      lifecycle: protectedLifecycle(protect),
    });
    // `amqps://b-….mq.<region>.amazonaws.com:5671`: the settings snippet adds the user and the password.
    this.settings = rabbitmqSettings(Fn.element(this.broker.instances.get(0).endpoints, 0), RABBITMQ_USER);
    this.secrets = [{ name: RABBITMQ_SETTINGS.password, secret: credentials.ref }];
  }

  /** The hosts connect as the broker's one user, which both sends and takes tasks. */
  public grantSend(pool: IComputePool): void {
    this.securityGroup.allowFromPeer(pool, AMQPS_PORT);
  }

  public grantConsume(pool: IComputePool): void {
    this.securityGroup.allowFromPeer(pool, AMQPS_PORT);
  }
}
