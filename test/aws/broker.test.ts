import { parse } from "yaml";
import { Testing } from "cdktf";
import { production } from "../../environments/production";
import { MAX_RECEIVES } from "../../modules/aws/broker";
import { DEAD_TASKS_GAP } from "../../modules/aws/monitoring";
import { AMQPS_PORT, RABBITMQ_USER, RABBITMQ_VERSION } from "../../modules/aws/rabbitmq";
import { AWS_BROKER_SIZES, AWS_SINGLE_NODE_BROKER } from "../../modules/aws/sizes";
import { AWS_POLICY } from "../../modules/aws/policy";
import { evaluatePolicy } from "../../modules/policy";
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
    const refused = cloudId === "do" && engine !== "valkey";
    const issues = validateEnvironment(spec).map(formatIssue).filter((m) => m.includes("broker"));
    if (refused) {
      const service = engine === "sqs" ? "queue service" : "managed RabbitMQ";
      expect(issues).toEqual([`production: broker.engine must be "valkey" on DigitalOcean, which has no ${service} (PROVIDER GAP: Celery's broker is the managed Valkey), got "${engine}"`]);
      return;
    }
    expect(issues).toEqual([]);
    const s = synth(new CloudTiersStack(Testing.app(), spec, cloud));
    // Valkey: the cache is the broker (REDIS_URL); a broker of its own: its resources and settings beside the cache's.
    expect(s.where("aws_sqs_queue")).toHaveLength(engine === "sqs" ? 2 : 0);
    expect(s.where("aws_mq_broker")).toHaveLength(engine === "rabbitmq" ? 1 : 0);
    const settings = cloudId === "aws" ? JSON.parse(s.one("aws_ssm_parameter", "worker-pool").value).settings : {};
    expect(Object.keys(settings).filter((name) => /^(CELERY_BROKER_URL|RABBITMQ_URL)$/.test(name))).toEqual({ valkey: [], sqs: ["CELERY_BROKER_URL"], rabbitmq: ["RABBITMQ_URL"] }[engine]);
  });

  it("refuses an engine no cloud offers, naming the ones there are", () => {
    expect(validateEnvironment(withBroker("kafka")).map(formatIssue)).toEqual(['production: broker.engine must be one of "valkey", "sqs", "rabbitmq", got "kafka"']);
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

  it("alarms on any task set aside in the dead-letter queue, where the spec has alerts; a cache broker names it a gap", () => {
    const [alarm] = s.where("aws_cloudwatch_metric_alarm").filter((a) => a.tags?.Condition === "dead-tasks");
    expect(alarm).toMatchObject({
      namespace: "AWS/SQS",
      metric_name: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: ref(s.address("aws_sqs_queue", "broker/dead-letters"), "name") },
      statistic: "Maximum",
      comparison_operator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      treat_missing_data: "notBreaching",
    });
    expect(production.alerts).toBeDefined();
    const valkey = new CloudTiersStack(Testing.app(), withBroker("valkey"), CLOUDS.find((c) => c.id === "aws")!);
    expect(synth(valkey).text).not.toContain('"Condition": "dead-tasks"');
    expect(valkey.topology.monitoring!.gaps["dead-tasks"]).toBe(DEAD_TASKS_GAP);
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

describe("RabbitMQ (Amazon MQ) as Celery's broker on AWS", () => {
  const rabbit = (broker: EnvironmentSpec["broker"]): EnvironmentSpec => ({ ...withBroker("rabbitmq"), broker });
  let s: Synth;
  beforeAll(() => {
    s = synthAwsEnvironment(rabbit({ engine: "rabbitmq", size: "medium", highAvailability: true }));
  });
  const broker = () => s.one("aws_mq_broker", "django_broker");
  const group = () => ref(s.address("aws_security_group", "broker/security-group"), "id");

  it("is a private RabbitMQ 3.13 cluster across the database subnets, kept like the data it holds, its one user's password from state", () => {
    const credentials = s.address("random_password", "broker/credentials");
    expect(broker()).toMatchObject({
      broker_name: "shop-production-rabbitmq",
      engine_type: "RabbitMQ",
      engine_version: RABBITMQ_VERSION,
      auto_minor_version_upgrade: true,
      host_instance_type: AWS_BROKER_SIZES.medium,
      deployment_mode: "CLUSTER_MULTI_AZ",
      publicly_accessible: false,
      security_groups: [group()],
      user: [{ username: RABBITMQ_USER, password: ref(credentials, "result") }],
      logs: { general: true },
      apply_immediately: false,
      lifecycle: { prevent_destroy: true },
    });
    // The database subnets, one per zone (no route out: the broker needs none).
    const database = s.entries("aws_subnet", "network").filter(([id]) => id.includes("database")).map(([id]) => ref(`aws_subnet.${id}`, "id"));
    expect(database).toHaveLength(production.network!.zones!);
    expect([...broker().subnet_ids].sort()).toEqual(database.sort());
    // Amazon MQ gives RabbitMQ AWS's own key only: no encryption options to set (the API refuses them).
    expect(broker().encryption_options).toBeUndefined();
    // A task may stay unacknowledged on a worker as long as an SQS message may stay hidden.
    const configuration = s.one("aws_mq_configuration", "broker/configuration");
    expect(configuration).toMatchObject({ engine_type: "RabbitMQ", engine_version: RABBITMQ_VERSION, data: `consumer_timeout = ${QUEUE_VISIBILITY_SECONDS * 1000}\n` });
    expect(broker().configuration).toEqual({ id: ref(s.address("aws_mq_configuration", "broker/configuration"), "id"), revision: ref(s.address("aws_mq_configuration", "broker/configuration"), "latest_revision") });
    expect(s.one("aws_secretsmanager_secret", "broker/credentials")).toMatchObject({ name: "shop-production/broker/credentials", lifecycle: { prevent_destroy: true } });
  });

  it("admits the Django hosts on AMQPS and nothing else", () => {
    const sources = s.where("aws_vpc_security_group_ingress_rule").filter((r) => r.security_group_id === group()).map((r) => [r.referenced_security_group_id, r.from_port]);
    const sg = (role: string) => ref(s.address("aws_security_group", `${role}-pool_security-group`), "id");
    expect(sources.sort()).toEqual([[sg("app"), AMQPS_PORT], [sg("beat"), AMQPS_PORT], [sg("worker"), AMQPS_PORT]].sort());
  });

  it("gives every Django process the broker's URL with its user, and its password as a secret, never in the URL", () => {
    for (const role of ["app", "worker", "beat"]) {
      const doc = JSON.parse(s.one("aws_ssm_parameter", `${role}-pool`).value) as { settings: Record<string, string>; secrets: Record<string, string> };
      expect(doc.settings.RABBITMQ_URL).toBe(`\${element(${s.address("aws_mq_broker", "django_broker")}.instances[0].endpoints, 0)}`);
      expect(doc.settings.RABBITMQ_USER).toBe(RABBITMQ_USER);
      expect(doc.settings.CELERY_BROKER_URL).toBeUndefined();
      expect(doc.secrets.RABBITMQ_PASSWORD).toEqual({ id: ref(s.address("aws_secretsmanager_secret", "broker/credentials"), "arn"), jsonKey: "password" });
      expect(doc.settings.REDIS_URL).toMatch(/^rediss:\/\//);
    }
  });

  it("checks a worker's readiness with Celery's ping: RabbitMQ carries the broadcast", () => {
    const files = Object.fromEntries((parse(decodeUserData(s.one("aws_launch_template", "worker-pool"))).write_files as { path: string; content: string }[]).map((f) => [f.path, f.content]));
    expect(files[HOST_PATHS.ready]).toContain("inspect ping");
  });

  it("runs one node without highAvailability, in one subnet, and refuses a cluster of the single-node type", () => {
    const single = synthAwsEnvironment(rabbit({ engine: "rabbitmq" })).one("aws_mq_broker", "django_broker");
    expect(single).toMatchObject({ deployment_mode: "SINGLE_INSTANCE", host_instance_type: AWS_BROKER_SIZES.small });
    expect(single.subnet_ids).toMatch(/^\$\{slice\(/);
    expect(validateEnvironment(rabbit({ engine: "rabbitmq", highAvailability: true })).map(formatIssue)).toEqual([
      `production: broker.size must be one of "medium", "large", "xlarge" with broker.highAvailability on AWS (${AWS_SINGLE_NODE_BROKER}, Amazon MQ's type for it, runs a single node only), got "small"`,
    ]);
  });

  it("refuses a size or highAvailability for an engine without hosts of its own", () => {
    expect(validateEnvironment({ ...withBroker("sqs"), broker: { engine: "sqs", size: "large" } }).map(formatIssue)).toEqual([
      'production: broker.size applies to broker.engine "rabbitmq" only (a broker of its own hosts), but the engine is "sqs", got "large"',
    ]);
    expect(validateEnvironment({ ...withBroker("valkey"), broker: { highAvailability: true } }).map(formatIssue)).toEqual([
      'production: broker.highAvailability applies to broker.engine "rabbitmq" only (a broker of its own hosts), but the engine is "valkey", got true',
    ]);
  });

  it("is priced per node (three for a cluster), passes the policy pack, and is drawn with who connects", () => {
    const doc = new StackDocument(s.json);
    const d = describeAws("production-aws", doc);
    const address = s.address("aws_mq_broker", "django_broker");
    expect(d.nodes.find((n) => n.id === address)?.lines).toEqual(["Amazon MQ: RabbitMQ 3.13", "shop-production-rabbitmq", `${AWS_BROKER_SIZES.medium} × 3 (cluster across zones)`, "private, AMQPS :5671"]);
    const groups = ["app", "beat", "worker"].map((role) => s.address("aws_autoscaling_group", `${role}-pool`));
    expect(d.edges.filter((e) => e.to === address).map((e) => e.from).sort()).toEqual(groups.sort());
    const report = evaluatePolicy(doc, { stack: "production-aws", cloud: AWS_POLICY, production: true });
    expect(report.failed).toEqual([]);
    expect(report.passed).toContain("CT-MQ-002");
  });
});
