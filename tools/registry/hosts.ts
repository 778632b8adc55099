import { Fn, Op, TerraformResourceLifecycle, Token } from "cdktf";
import { DEFAULTS, HostAccess, HostBootstrap, HostConfigDelivery, POOL_ROLES, PoolDiscovery, PoolRole, Size, choose, equals, given, terraformTemplate } from "../../modules/core";
import { APP_DISCOVERY, APP_UPSTREAM_SETTING, SERVED_PORTS, celeryConcurrency, readyDeadlineSeconds, renderUserData } from "../../modules/django/host";
import { LAYOUTS, Layout } from "../../modules/django/spec";
import { APPLICATION_INPUTS, ENV_NAME, WORKER_INPUTS, poolInputs } from "../../modules/django/validate";
import { BuildContext, ModuleInputs, ModuleVariable } from "./definition";
import { declaredVariable, domainVariable, healthCheckPathVariable, oneOfRule } from "./variables";

/*
 * What every cloud's compute pool module shares: the role and application inputs, and
 * the hosts' user data, rendered by the stacks' own renderer for every role and picked
 * by Terraform.
 */

/** `role` and `layout`; `appHosts` says how nginx-balanced web hosts are told which app hosts to list (the cloud's variable). */
export function poolRoleVariables(appHosts: string): ModuleVariable[] {
  return [
    { name: "role", type: "string", description: "What the hosts do: `web`, `app`, `worker` or `beat`. Names the pool's resources.", validation: [oneOfRule("role", POOL_ROLES)], example: "web" },
    {
      name: "layout",
      type: "string",
      description:
        `Where web hosts find Django: \`colocated\` (gunicorn on the web host), \`split\` (an app pool behind an internal load balancer, named by the \`${APP_UPSTREAM_SETTING}\` setting) ` +
        `or \`nginx-balanced\` (nginx on each web host balances over the app pool's hosts, listed every ${APP_DISCOVERY.intervalSeconds} s from ${appHosts}, its own zone's first). ` +
        "Web hosts read it, and app hosts of the nginx-balanced layout, which keep serving until every web host has dropped them.",
      default: DEFAULTS.layout,
      validation: [oneOfRule("layout", LAYOUTS)],
    },
  ];
}

/** `min_instances` (at least `minFloor`), `max_instances` and `cpu_target_percent`. */
export function poolScalingVariables(minFloor: number): ModuleVariable[] {
  const pool = poolInputs(minFloor);
  // A pool on its own runs one host unless told otherwise.
  return [
    { ...declaredVariable("min", pool.min, "Fewest hosts.", "min_instances"), default: DEFAULTS.module.computePool.min },
    { ...declaredVariable("max", pool.max, "Most hosts; above `min_instances`, the pool scales on CPU.", "max_instances"), default: DEFAULTS.module.computePool.max },
    declaredVariable("cpuTargetPercent", pool.cpuTargetPercent, "Average CPU the pool scales to hold."),
  ];
}

const envNamesRule = (name: string) => ({
  condition: `alltrue([for k in keys(var.${name}) : can(regex(${JSON.stringify(ENV_NAME.source)}, k))])`,
  errorMessage: `Every key of ${name} must be named like an environment variable (A-Z, 0-9, _; not starting with a digit).`,
});

/** The application the hosts run, and its plain environment (`environment`). */
export function applicationVariables(environmentDescription: string): ModuleVariable[] {
  return [
    declaredVariable("image", APPLICATION_INPUTS.image, "The application's container image."),
    declaredVariable("wsgiModule", APPLICATION_INPUTS.wsgiModule, "The WSGI callable gunicorn serves."),
    declaredVariable("celeryApp", APPLICATION_INPUTS.celeryApp, "The Celery application (`celery -A <celery_app>`)."),
    domainVariable("domain", "The site's host name: web hosts answer health checks as if addressed to it.", "www.example.com"),
    healthCheckPathVariable("The path the load balancer checks; web hosts pass it to Django with the site's host name."),
    declaredVariable("concurrency", WORKER_INPUTS.concurrency, "Celery worker processes per host; one per vCPU when null.", "worker_concurrency"),
    {
      name: "celery_remote_control",
      type: "bool",
      description:
        "Whether Celery's remote control works over the broker: a new worker is ready once it answers a ping addressed to it. Turn off for SQS, which carries no broadcast: a worker is ready once its process runs.",
      default: true,
    },
    { name: "environment", type: "map(string)", description: environmentDescription, default: {}, validation: [envNamesRule("environment")] },
  ];
}

/** The rule that a map's keys are environment variable names. */
export { envNamesRule };

/** The port each role serves, looked up by Terraform (null for worker and beat), and whether the role serves one. */
export function servedPortOf(role: string): { port: number; serves: boolean } {
  const serves = Fn.contains(Object.keys(SERVED_PORTS), role) as unknown as boolean;
  // Not lookup(..., null): cdktf drops a null default, and an index of a missing key fails at plan.
  return { port: Token.asNumber(Fn.conditional(serves, Fn.lookup(SERVED_PORTS, role), null)), serves };
}

/**
 * A `lifecycle` refusing web hosts without what their layout needs: split-layout ones the
 * `APP_UPSTREAM` setting they proxy to; nginx-balanced ones what they list the app hosts by
 * (`appHosts`: whether the cloud's inputs for it are given, and the message naming them).
 */
export function layoutRequirements(inputs: ModuleInputs, appHosts: { given: boolean; errorMessage: string }): TerraformResourceLifecycle {
  const needsNone = Op.or(Op.neq(inputs.role.string, "web"), Op.neq(inputs.layout.string, "split"));
  return {
    precondition: [
      {
        condition: Op.or(needsNone, Fn.contains(Fn.keys(inputs.environment.any), APP_UPSTREAM_SETTING)),
        errorMessage: `Split-layout web hosts proxy to the ${APP_UPSTREAM_SETTING} setting: add it to environment (the internal load balancer's host:port).`,
      },
      { condition: Op.or(Op.not(listsAppHosts(inputs)), appHosts.given), errorMessage: appHosts.errorMessage },
    ],
  };
}

/** The user data of every role a pool may have, keyed as the module picks one: web hosts differ by layout, app hosts in nginx-balanced (they drain), workers by their broker's remote control. */
const VARIANTS: readonly { key: string; role: PoolRole; layout: Layout; celeryRemoteControl?: false }[] = [
  { key: "web-colocated", role: "web", layout: "colocated" },
  { key: "web-split", role: "web", layout: "split" },
  { key: "web-nginx-balanced", role: "web", layout: "nginx-balanced" },
  { key: "app", role: "app", layout: "split" },
  { key: "app-nginx-balanced", role: "app", layout: "nginx-balanced" },
  { key: "worker", role: "worker", layout: "colocated" },
  // Over a broker without broadcast (SQS), a worker's readiness is its running process.
  { key: "worker-without-remote-control", role: "worker", layout: "colocated", celeryRemoteControl: false },
  { key: "beat", role: "beat", layout: "colocated" },
];

/** The condition, in Terraform, that the pool is nginx-balanced web hosts: they list the app hosts. */
export function listsAppHosts(inputs: ModuleInputs): boolean {
  return Op.and(equals(inputs.role.string, "web"), equals(inputs.layout.string, "nginx-balanced")) as unknown as boolean;
}

/** A module's nullable string variable as text: `""` when null (a template interpolates no null). */
export function textOrEmpty(value: string): string {
  return choose(given(value), value, "");
}

/**
 * How long the module's hosts take to start and to stop, whatever their role (`var.role`
 * is Terraform's): the first boot as the stacks' hosts, and a worker's default warm
 * shutdown, the longest stop (only a bound: a host that stops sooner says so sooner).
 */
export const HOST_TIMING: Pick<HostBootstrap, "readySeconds" | "stopSeconds"> = { readySeconds: readyDeadlineSeconds(), stopSeconds: DEFAULTS.worker.stopTimeoutSeconds };

/**
 * The hosts' user data: the stacks' renderer run for every role (each kept as a heredoc
 * `local.user_data_<role>`), picked by `var.role` and `var.layout`. `appDiscovery` is how
 * nginx-balanced web hosts list the app hosts, from the module's variables.
 */
export function hostUserData(context: BuildContext, inputs: ModuleInputs, allowFrom: string[], delivery: HostConfigDelivery, appDiscovery: PoolDiscovery, access?: HostAccess): string {
  const size = inputs.size.string as Size;
  const application = { name: inputs.name_prefix.string, image: inputs.container_image.string, wsgiModule: inputs.wsgi_module.string, celeryApp: inputs.celery_app.string };
  const workerConcurrency = Token.asNumber(Fn.coalesce([inputs.worker_concurrency.number, celeryConcurrency(size)]));
  const variants = Object.fromEntries(
    VARIANTS.map(({ key, role, layout, celeryRemoteControl }) => [
      key,
      context.template(
        `user_data_${key.replace(/-/g, "_")}`,
        terraformTemplate(
          renderUserData(
            { role, layout, size, application, domain: inputs.domain.string, healthCheckPath: inputs.health_check_path.string, allowFrom, workerConcurrency, appDiscovery: key === "web-nginx-balanced" ? appDiscovery : undefined, celeryRemoteControl },
            delivery,
            access,
          ),
        ),
      ),
    ]),
  );
  const role = inputs.role.string;
  const drainingApp = Op.and(equals(role, "app"), equals(inputs.layout.string, "nginx-balanced"));
  const silentWorker = Op.and(equals(role, "worker"), Op.not(inputs.celery_remote_control.boolean));
  const other = Fn.conditional(drainingApp, "app-nginx-balanced", Fn.conditional(silentWorker, "worker-without-remote-control", role));
  return Token.asString(Fn.lookup(variants, Fn.conditional(equals(role, "web"), Fn.format("web-%s", [inputs.layout.string]), other)));
}
