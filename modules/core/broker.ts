import { IComputePool } from "./compute";
import { AppSecret, AppSetting } from "./host";
import { StatefulTierProps } from "./tier";

/** What carries Celery's tasks: the cache (Valkey), or the cloud's queue service. */
export type BrokerEngine = "valkey" | "sqs";
export const BROKER_ENGINES: readonly BrokerEngine[] = ["valkey", "sqs"];

/** The settings an SQS broker gives every Django process, from which the settings snippet makes Celery's. */
export const SQS_SETTINGS = {
  url: "CELERY_BROKER_URL",
  region: "CELERY_SQS_REGION",
  queueUrl: "CELERY_SQS_QUEUE_URL",
} as const;

/** A queue service as Celery's broker (the results stay in the cache). */
export interface QueueBrokerProps extends StatefulTierProps {
  /**
   * How long a received task's message stays hidden before it is delivered again: longer
   * than any task runs, and than any countdown or ETA (a task held longer comes back, again
   * and again, until the dead-letter queue takes it).
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
  /**
   * Whether Celery's remote control (`celery inspect ping`) works over it: SQS carries no
   * broadcast, so a worker's readiness is its process there.
   */
  readonly remoteControl: boolean;
  /** Lets `pool`'s hosts send tasks (the web, app and beat hosts). */
  grantSend(pool: IComputePool): void;
  /** Lets `pool`'s hosts send, receive and delete tasks (the workers). */
  grantConsume(pool: IComputePool): void;
}
