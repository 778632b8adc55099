import { Fn, Op, TerraformResourceLifecycle, Token } from "cdktf";
import { DEFAULTS, HostAccess, HostBootstrap, HostConfigDelivery, POOL_ROLES, PoolRole, Size, equals, terraformTemplate } from "../../modules/core";
import { APP_UPSTREAM_SETTING, SERVED_PORTS, celeryConcurrency, readyDeadlineSeconds, renderUserData } from "../../modules/django/host";
import { LAYOUTS, Layout } from "../../modules/django/spec";
import { APPLICATION_INPUTS, ENV_NAME, WORKER_INPUTS, poolInputs } from "../../modules/django/validate";
import { BuildContext, ModuleInputs, ModuleVariable } from "./definition";
import { declaredVariable, domainVariable, healthCheckPathVariable, oneOfRule } from "./variables";

/*
 * What every cloud's compute pool module shares: the role and application inputs, and
 * the hosts' user data, rendered by the stacks' own renderer for every role and picked
 * by Terraform.
 */

/**
 * The layouts the modules build: not `nginx-balanced`, whose web hosts list the app hosts
 * through the app pool (`IComputePool.discovery`), which the pool modules do not offer yet
 * (docs/modules.md).
 */
export const MODULE_LAYOUTS: readonly Layout[] = LAYOUTS.filter((l) => l !== "nginx-balanced");

/** `role` and `layout`. */
export const POOL_ROLE_VARIABLES: readonly ModuleVariable[] = [
  { name: "role", type: "string", description: "What the hosts do: `web`, `app`, `worker` or `beat`. Names the pool's resources.", validation: [oneOfRule("role", POOL_ROLES)], example: "web" },
  {
    name: "layout",
    type: "string",
    description: `Where web hosts find Django: \`colocated\` (gunicorn on the web host) or \`split\` (an app pool behind an internal load balancer, named by the \`${APP_UPSTREAM_SETTING}\` setting). Only web hosts read it.`,
    default: DEFAULTS.layout,
    validation: [oneOfRule("layout", MODULE_LAYOUTS)],
  },
];

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

/** A `lifecycle` refusing split-layout web hosts without the `APP_UPSTREAM` setting they proxy to. */
export function appUpstreamRequired(inputs: ModuleInputs): TerraformResourceLifecycle {
  const needsNone = Op.or(Op.neq(inputs.role.string, "web"), Op.neq(inputs.layout.string, "split"));
  return {
    precondition: [
      {
        condition: Op.or(needsNone, Fn.contains(Fn.keys(inputs.environment.any), APP_UPSTREAM_SETTING)),
        errorMessage: `Split-layout web hosts proxy to the ${APP_UPSTREAM_SETTING} setting: add it to environment (the internal load balancer's host:port).`,
      },
    ],
  };
}

/** The user data of every role a pool may have, keyed as the module picks one. */
const VARIANTS: readonly { key: string; role: PoolRole; layout: Layout }[] = [
  { key: "web-colocated", role: "web", layout: "colocated" },
  { key: "web-split", role: "web", layout: "split" },
  { key: "app", role: "app", layout: "split" },
  { key: "worker", role: "worker", layout: "colocated" },
  { key: "beat", role: "beat", layout: "colocated" },
];

/**
 * How long the module's hosts take to start and to stop, whatever their role (`var.role`
 * is Terraform's): the first boot as the stacks' hosts, and a worker's default warm
 * shutdown, the longest stop (only a bound: a host that stops sooner says so sooner).
 */
export const HOST_TIMING: Pick<HostBootstrap, "readySeconds" | "stopSeconds"> = { readySeconds: readyDeadlineSeconds(), stopSeconds: DEFAULTS.worker.stopTimeoutSeconds };

/**
 * The hosts' user data: the stacks' renderer run for every role (each kept as a heredoc
 * `local.user_data_<role>`), picked by `var.role` and `var.layout`.
 */
export function hostUserData(context: BuildContext, inputs: ModuleInputs, allowFrom: string[], delivery: HostConfigDelivery, access?: HostAccess): string {
  const size = inputs.size.string as Size;
  const application = { name: inputs.name_prefix.string, image: inputs.container_image.string, wsgiModule: inputs.wsgi_module.string, celeryApp: inputs.celery_app.string };
  const workerConcurrency = Token.asNumber(Fn.coalesce([inputs.worker_concurrency.number, celeryConcurrency(size)]));
  const variants = Object.fromEntries(
    VARIANTS.map(({ key, role, layout }) => [
      key,
      context.template(
        `user_data_${key.replace(/-/g, "_")}`,
        terraformTemplate(
          renderUserData(
            { role, layout, size, application, domain: inputs.domain.string, healthCheckPath: inputs.health_check_path.string, allowFrom, workerConcurrency },
            delivery,
            access,
          ),
        ),
      ),
    ]),
  );
  const role = inputs.role.string;
  return Token.asString(Fn.lookup(variants, Fn.conditional(equals(role, "web"), Fn.format("web-%s", [inputs.layout.string]), role)));
}
