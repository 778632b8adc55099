import { Construct } from "constructs";
import { Fn, TerraformCount } from "cdktf";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { AppSetting, IBroker, IComputePool, QueueBrokerProps, protectedLifecycle, sqsSettings } from "../core";
import { AwsComputePool } from "./compute-pool";
import { asAws, policyDocument } from "./shared";
import { celeryQueueName } from "../naming/resource-names";

export interface AwsSqsBrokerProps extends QueueBrokerProps {
  readonly region: string;
}

/** Receives before a message is set aside in the dead-letter queue: a task whose worker died that often. */
export const MAX_RECEIVES = 5;

/** What a host does with the queue: send tasks, or take them too. */
const ACTIONS = {
  // Kombu asks the queue's attributes before each publish (its size) and sends; a worker also
  // receives, deletes (acks) and puts back (a warm shutdown's unacknowledged messages). With
  // the queue predefined it never lists, creates or looks queues up.
  send: ["sqs:SendMessage", "sqs:GetQueueAttributes"],
  consume: ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"],
} as const;

/**
 * Celery's broker on SQS: Celery's default queue (`celery`), encrypted with SQS's own keys,
 * and a dead-letter queue for messages received `MAX_RECEIVES` times (a task whose worker
 * kept dying). Celery is told the queue's URL (`predefined_queues`), so it never lists or
 * creates queues, and each pool's role may do only what the pool does with it. SQS carries
 * no broadcast: Celery's remote control and events do not work over it
 * (docs.celeryq.dev, "Using Amazon SQS"). The results stay in the cache.
 */
export class AwsSqsBroker extends Construct implements IBroker {
  public readonly engine = "sqs";
  public readonly remoteControl = false;
  public readonly settings: readonly AppSetting[];
  public readonly secrets = [];
  public readonly queue: SqsQueue;
  public readonly deadLetters: SqsQueue;
  public readonly deadLetterQueue: string;

  constructor(scope: Construct, id: string, props: AwsSqsBrokerProps) {
    super(scope, id);
    const name = celeryQueueName(props.namePrefix);
    const lifecycle = protectedLifecycle(props.deletionProtection);
    this.deadLetters = new SqsQueue(this, "dead-letters", {
      name: `${name}-dead`,
      sqsManagedSseEnabled: true,
      // SQS's longest: time to look at what failed.
      messageRetentionSeconds: 1209600,
      tags: { Name: `${name}-dead` },
      lifecycle,
    });
    this.deadLetterQueue = this.deadLetters.name;
    this.queue = new SqsQueue(this, "queue", {
      name,
      sqsManagedSseEnabled: true,
      // The queue's own: Celery's visibility_timeout option does nothing for a predefined queue.
      visibilityTimeoutSeconds: props.visibilityTimeoutSeconds,
      messageRetentionSeconds: 1209600,
      // Long polling: a worker's receive waits for a task rather than polling empty.
      receiveWaitTimeSeconds: 20,
      redrivePolicy: Fn.jsonencode({ deadLetterTargetArn: this.deadLetters.arn, maxReceiveCount: MAX_RECEIVES }),
      tags: { Name: name },
      lifecycle,
    });
    // Plain values, each its own setting: the hosts' environment document is JSON already.
    this.settings = sqsSettings(props.region, this.queue.url);
  }

  public grantSend(pool: IComputePool): void {
    this.grant(pool, "send");
  }

  public grantConsume(pool: IComputePool): void {
    this.grant(pool, "consume");
  }

  /**
   * The same grant on every role in `roleIds`, which may be a reference (a module's
   * variable): one policy per role, counted (roles made in the same apply are unknown at plan).
   */
  public grantToRoles(roleIds: string[], use: keyof typeof ACTIONS): void {
    const count = TerraformCount.of(Fn.lengthOf(roleIds));
    new IamRolePolicy(this, `roles-${use}`, { count, name: "celery-broker", role: Fn.element(roleIds, count.index), policy: this.policy(use) });
  }

  private grant(peer: IComputePool, use: keyof typeof ACTIONS): void {
    const pool = asAws(peer, AwsComputePool, "compute pool");
    new IamRolePolicy(this, `${use}-${pool.role}`, { name: "celery-broker", role: pool.instanceRole.id, policy: this.policy(use) });
  }

  private policy(use: keyof typeof ACTIONS): string {
    return policyDocument([{ Sid: use === "send" ? "SendTasks" : "TakeTasks", Effect: "Allow", Action: [...ACTIONS[use]], Resource: [this.queue.arn] }]);
  }
}
