import { IComputePool } from "./compute";
import { AppSecret, AppSetting } from "./host";
import { INetwork } from "./network";
import { Size } from "./sizes";
import { StatefulTierProps } from "./tier";

/** What carries Celery's tasks: the cache (Valkey), the cloud's queue service, or a managed RabbitMQ. */
export type BrokerEngine = "valkey" | "sqs" | "rabbitmq";
export const BROKER_ENGINES: readonly BrokerEngine[] = ["valkey", "sqs", "rabbitmq"];
/** The engines that are a tier of their own rather than the cache. */
export type QueueEngine = Exclude<BrokerEngine, "valkey">;

/**
 * The settings a RabbitMQ broker gives every Django process: its URL as the cloud gives it
 * (`amqps://<host>:5671`), its user and the user's password, from which the settings
 * snippet makes Celery's `CELERY_BROKER_URL`. Not `CELERY_BROKER_URL` itself: Celery takes
 * that from the environment before any setting, and the URL there would lack the password.
 */
export const RABBITMQ_SETTINGS = {
  url: "RABBITMQ_URL",
  user: "RABBITMQ_USER",
  password: "RABBITMQ_PASSWORD",
} as const;

/** The settings an SQS broker gives every Django process, from which the settings snippet makes Celery's. */
export const SQS_SETTINGS = {
  url: "CELERY_BROKER_URL",
  region: "CELERY_SQS_REGION",
  queueUrl: "CELERY_SQS_QUEUE_URL",
} as const;

/** What every Django process receives for an SQS broker: plain values, from which the settings snippet makes Celery's transport options. */
export function sqsSettings(region: string, queueUrl: string): AppSetting[] {
  return [
    { name: SQS_SETTINGS.url, value: "sqs://" },
    { name: SQS_SETTINGS.region, value: region },
    { name: SQS_SETTINGS.queueUrl, value: queueUrl },
  ];
}

/** What every Django process receives for a RabbitMQ broker besides its password (`RABBITMQ_SETTINGS.password`): its `amqps://` URL and its user. */
export function rabbitmqSettings(url: string, user: string): AppSetting[] {
  return [
    { name: RABBITMQ_SETTINGS.url, value: url },
    { name: RABBITMQ_SETTINGS.user, value: user },
  ];
}

/** A broker of its own for Celery (the results stay in the cache). */
export interface QueueBrokerProps extends StatefulTierProps {
  readonly engine: QueueEngine;
  /** Where a broker with hosts (RabbitMQ, which needs it) lives, reachable from the Django hosts only. @default - a broker without hosts (SQS) */
  readonly network?: INetwork;
  /** A broker with hosts: their size. @default DEFAULTS.broker.size */
  readonly size?: Size;
  /** A broker with hosts: a cluster across zones rather than one node. @default DEFAULTS.broker.highAvailability */
  readonly highAvailability?: boolean;
  /**
   * How long a received task's message stays hidden (SQS) or unacknowledged (RabbitMQ)
   * before it is delivered again: longer than any task runs, and than any countdown or ETA
   * (a task held longer comes back, again and again, until SQS's dead-letter queue takes it;
   * RabbitMQ closes the worker's channel).
   */
  readonly visibilityTimeoutSeconds: number;
}

/** Celery's broker, when it is not the cache. */
export interface IBroker {
  readonly engine: BrokerEngine;
  /** What every Django process receives for it (`SQS_SETTINGS`). */
  readonly settings: readonly AppSetting[];
  /** Its secrets, if its URL needs any. */
  readonly secrets: readonly AppSecret[];
  /** The queue a task goes to after failing to finish again and again, where the broker keeps one (SQS). */
  readonly deadLetterQueue?: string;
  /**
   * Whether Celery's remote control (`celery inspect ping`) works over it: SQS carries no
   * broadcast, so a worker's readiness is its process there.
   */
  readonly remoteControl: boolean;
  /** Lets `pool`'s hosts send tasks (the web, app and beat hosts). RabbitMQ: they connect; its one user sends and takes. */
  grantSend(pool: IComputePool): void;
  /** Lets `pool`'s hosts send, receive and delete tasks (the workers). */
  grantConsume(pool: IComputePool): void;
}
