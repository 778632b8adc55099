import { parse } from "yaml";
import { Testing } from "cdktf";
import { production } from "../../environments/production";
import { MAX_RECEIVES } from "../../modules/aws/broker";
import { describeAws } from "../../modules/aws/diagram";
import { StackDocument } from "../../modules/policy/document";
import { BROKER_ENGINES } from "../../modules/core";
import { HOST_PATHS } from "../../modules/django/host";
import { QUEUE_VISIBILITY_SECONDS } from "../../modules/django/topology";
import { CLOUDS } from "../../modules/stacks/clouds";
import { CloudTiersStack } from "../../modules/stacks/stack";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { formatIssue } from "../../modules/core/errors";
import { validateEnvironment } from "../../modules/stacks/validate";
import { Config, Synth, decodeUserData, ref, synth, synthAwsEnvironment } from "../helpers";

/*
 * Celery's broker as a choice (broker.engine), from a spec of its own whatever the shipped
 * environments choose: every engine on every cloud is built, or refused with the field, the
 * value and why; SQS on AWS as the workers and the other hosts use it.
 */

/** Production's shape with `engine`, on the cloud `only` names (its sections alone: a spec is refused for any cloud it names that cannot build it). */
const withBroker = (engine: string, only: "aws" | "do" = "aws"): EnvironmentSpec =>
  only === "aws" ? { ...production, digitalocean: undefined, cloudflare: undefined, broker: { engine: engine as never } } : { ...production, aws: undefined, broker: { engine: engine as never } };

describe("every broker engine on every cloud: built, or refused by name", () => {
  it.each(CLOUDS.flatMap((cloud) => BROKER_ENGINES.map((engine) => [cloud.id, engine, cloud] as const)))("%s, %s", (cloudId, engine, cloud) => {
    const spec = withBroker(engine, cloudId as "aws" | "do");
    const refused = cloudId === "do" && engine === "sqs";
    const issues = validateEnvironment(spec).map(formatIssue).filter((m) => m.includes("broker"));
    if (refused) {
      expect(issues).toEqual(['production: broker.engine must be "valkey" on DigitalOcean, which has no queue service (PROVIDER GAP: Celery\'s broker is the managed Valkey), got "sqs"']);
      return;
    }
    expect(issues).toEqual([]);
    const s = synth(new CloudTiersStack(Testing.app(), spec, cloud));
    // Valkey: the cache is the broker (REDIS_URL); a queue broker: its own settings beside the cache's.
    const queues = s.where("aws_sqs_queue");
    expect(queues).toHaveLength(engine === "sqs" ? 2 : 0);
  });

  it("refuses an engine no cloud offers, naming the ones there are", () => {
    expect(validateEnvironment(withBroker("kafka")).map(formatIssue)).toEqual(['production: broker.engine must be one of "valkey", "sqs", got "kafka"']);
  });
});

describe("SQS as Celery's broker on AWS", () => {
  let s: Synth;
  beforeAll(() => {
    s = synthAwsEnvironment(withBroker("sqs"));
  });
  const queue = () => s.one("aws_sqs_queue", "broker/queue");
  const environment = (role: string) => JSON.parse(s.one("aws_ssm_parameter", `${role}-pool`).value) as { settings: Record<string, string> };

  it("holds Celery's tasks in an encrypted queue, kept like the data it is, with a dead-letter queue for tasks whose worker kept dying", () => {
    const dead = s.address("aws_sqs_queue", "broker/dead-letters");
    expect(queue()).toMatchObject({
      name: "shop-production-celery",
      sqs_managed_sse_enabled: true,
      visibility_timeout_seconds: QUEUE_VISIBILITY_SECONDS,
      receive_wait_time_seconds: 20,
      lifecycle: { prevent_destroy: true },
    });
    expect(queue().redrive_policy).toBe(`\${jsonencode({"deadLetterTargetArn" = ${ref(dead, "arn").slice(2, -1)}, "maxReceiveCount" = ${MAX_RECEIVES}})}`);
    expect(s.one("aws_sqs_queue", "broker/dead-letters")).toMatchObject({ name: "shop-production-celery-dead", sqs_managed_sse_enabled: true, message_retention_seconds: 1209600 });
  });

  it("tells every Django process the queue (sqs://, the region, the queue's URL), the results staying in the cache", () => {
    for (const role of ["app", "worker", "beat"]) {
      const settings = environment(role).settings;
      expect({
        CELERY_BROKER_URL: settings.CELERY_BROKER_URL,
        CELERY_SQS_REGION: settings.CELERY_SQS_REGION,
        CELERY_SQS_QUEUE_URL: settings.CELERY_SQS_QUEUE_URL,
      }).toEqual({
        CELERY_BROKER_URL: "sqs://",
        CELERY_SQS_REGION: production.aws!.region,
        CELERY_SQS_QUEUE_URL: ref(s.address("aws_sqs_queue", "broker/queue"), "url"),
      });
      expect(settings.REDIS_URL).toMatch(/^rediss:\/\//);
    }
  });

  it("lets the workers take tasks and the other Django hosts only send them, on this queue alone", () => {
    const arn = ref(s.address("aws_sqs_queue", "broker/queue"), "arn");
    const grants = s.where("aws_iam_role_policy", "broker").map((p: Config) => [p.role, JSON.parse(p.policy).Statement]);
    const role = (r: string) => ref(s.address("aws_iam_role", `${r}-pool`), "id");
    const send = ["sqs:SendMessage", "sqs:GetQueueAttributes"];
    expect(grants).toEqual(
      expect.arrayContaining([
        [role("app"), [{ Sid: "SendTasks", Effect: "Allow", Action: send, Resource: [arn] }]],
        [role("beat"), [{ Sid: "SendTasks", Effect: "Allow", Action: send, Resource: [arn] }]],
        [role("worker"), [{ Sid: "TakeTasks", Effect: "Allow", Action: [...send, "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"], Resource: [arn] }]],
      ]),
    );
    // Split layout: the nginx-only web hosts run no Django and get nothing.
    expect(grants).toHaveLength(3);
  });

  it("is drawn by npm run diagram: the queue, and which pools send tasks and which take them", () => {
    const d = describeAws("production-aws", new StackDocument(s.json));
    const queue = s.address("aws_sqs_queue", "broker/queue");
    expect(d.nodes.filter((n) => n.tier === "queue").map((n) => [n.id, n.lines])).toEqual([[queue, ["SQS: Celery's broker", "shop-production-celery", "encrypted", "dead letters: shop-production-celery-dead"]]]);
    const group = (role: string) => s.address("aws_autoscaling_group", `${role}-pool`);
    expect(d.edges.filter((e) => e.to === queue).map((e) => [e.from, e.labels]).sort()).toEqual(
      [
        [group("app"), ["SQS API :443 (sends tasks)"]],
        [group("beat"), ["SQS API :443 (sends tasks)"]],
        [group("worker"), ["SQS API :443 (takes tasks)"]],
      ].sort(),
    );
  });

  it("takes a worker's running process as its readiness: SQS carries no broadcast, so Celery's ping cannot reach it", () => {
    const files = (pool: string) => Object.fromEntries((parse(decodeUserData(s.one("aws_launch_template", pool))).write_files as { path: string; content: string }[]).map((f) => [f.path, f.content]));
    expect(files("worker-pool")[HOST_PATHS.ready]).not.toContain("inspect ping");
    expect(files("worker-pool")[HOST_PATHS.ready]).toContain("docker inspect --format '{{.State.Running}}' cloudtiers-app");
    const valkey = synthAwsEnvironment(withBroker("valkey"));
    const valkeyWorker = Object.fromEntries((parse(decodeUserData(valkey.one("aws_launch_template", "worker-pool"))).write_files as { path: string; content: string }[]).map((f) => [f.path, f.content]));
    expect(valkeyWorker[HOST_PATHS.ready]).toContain("inspect ping");
    expect(valkey.where("aws_sqs_queue")).toEqual([]);
    expect(JSON.parse(valkey.one("aws_ssm_parameter", "worker-pool").value).settings.CELERY_BROKER_URL).toBeUndefined();
  });
});
