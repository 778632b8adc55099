import { Fn, Op, TerraformIterator, Token } from "cdktf";
import { DataDigitaloceanVpc } from "@cdktf/provider-digitalocean/lib/data-digitalocean-vpc";
import { HostBootstrap, PoolRole, Size, equals, given, pick } from "../../modules/core";
import { DoComputePool, READ_TOKEN, tagDiscovery } from "../../modules/digitalocean/compute-pool";
import { encodedEnvironmentDelivery } from "../../modules/digitalocean/host-delivery";
import { ExistingDoNetwork } from "../../modules/digitalocean/network";
import { DO_SIZE_SLUG, DO_SSH_KEY, DO_UUID } from "../../modules/digitalocean/settings";
import { DO_COMPUTE_SIZES } from "../../modules/digitalocean/sizes";
import { ModuleDefinition } from "./definition";
import { DIGITALOCEAN, DROPLET_TAG, projectIdVariable, vpcUuidVariable } from "./digitalocean";
import { HOST_TIMING, applicationVariables, envNamesRule, hostUserData, layoutRequirements, poolRoleVariables, poolScalingVariables, servedPortOf, textOrEmpty } from "./hosts";
import { eachMatchesRule, machineTypeVariable, matchesRule, namePrefixVariable, sizeVariable } from "./variables";

const CIDR_RULE = "can(cidrhost(v, 0))";

/** A droplet autoscale pool of Django hosts of one role, as `DoComputePool` builds them for the stacks. */
export const DO_COMPUTE_POOL_MODULE: ModuleDefinition = {
  name: "cloudtiers-compute-pool",
  provider: "digitalocean",
  description:
    "A DigitalOcean droplet autoscale pool of Ubuntu 24.04 hosts of one role of a Django application: `web` (nginx in front of gunicorn, or in front of an app pool " +
    "behind an internal load balancer in the split layout, balancing over its droplets in the nginx-balanced one), `app` (gunicorn), `worker` (Celery) or `beat` (Celery beat, one droplet at most). Droplets run your container image under systemd, configured " +
    "by cloud-init (ufw admitting only the role's port from the VPC, fail2ban, unattended security upgrades, no password logins), with the monitoring agent, " +
    "in the VPC, behind a firewall on the pool's tag that admits the role's port only from the load balancers and tags you name, and SSH only from `admin_cidrs`. " +
    "A fixed number of droplets when `min_instances` equals `max_instances`, else CPU target scaling.",
  providers: [DIGITALOCEAN],
  variables: [
    namePrefixVariable("shop-production"),
    ...poolRoleVariables(`the droplets tagged \`app_tag\`, through DigitalOcean's API with the read token \`secrets\` holds as \`${READ_TOKEN.setting}\``),
    {
      name: "app_tag",
      type: "string",
      description:
        `nginx-balanced web droplets: the app pool's tag (its module's \`tag\`), whose active droplets they balance over. They list them with \`secrets.${READ_TOKEN.setting}\`, ` +
        "a token with the droplet:read and tag:read scopes only (which can also read the app pool's droplet template, and the application's secrets in its user data: DigitalOcean has no narrower scope). " +
        "Admit this pool's `tag` to the app pool's port (its `allowed_droplet_tags`).",
      default: null,
      validation: [matchesRule("app_tag", DROPLET_TAG, "a droplet tag (letters, digits, colons, dashes and underscores)", true)],
    },
    { ...vpcUuidVariable, description: "The VPC the droplets join (its id, a UUID); its region is theirs." },
    sizeVariable("size", "the droplets"),
    machineTypeVariable("droplet_size", "Droplet size slug; overrides `size`.", DO_SIZE_SLUG, 'a droplet size slug such as "s-2vcpu-4gb"'),
    ...poolScalingVariables(1),
    {
      name: "ssh_keys",
      type: "list(string)",
      description: "SSH keys (ids or MD5 fingerprints) installed for root: DigitalOcean emails a root password for droplets without one.",
      validation: [
        { condition: "length(var.ssh_keys) >= 1", errorMessage: "The ssh_keys must hold at least 1 key." },
        eachMatchesRule("ssh_keys", DO_SSH_KEY, 'an SSH key id or MD5 fingerprint ("ab:cd:...")'),
      ],
      example: ["12345678"],
    },
    {
      name: "admin_cidrs",
      type: "list(string)",
      description: "IPv4 blocks SSH is admitted from, by the firewall and by ufw on the hosts; none closes port 22.",
      default: [],
      validation: [{ condition: `alltrue([for v in var.admin_cidrs : ${CIDR_RULE}])`, errorMessage: 'Every item of admin_cidrs must be an IPv4 CIDR block such as "203.0.113.0/24".' }],
    },
    projectIdVariable,
    ...applicationVariables("Plain settings of the application's environment, by variable name."),
    {
      name: "secrets",
      type: "map(string)",
      description: "Secret settings of the application's environment, by variable name. DigitalOcean has no secret store: they travel in the droplets' user data (readable through the API with the account's token and, on the droplet, by root and system users: the metadata service is closed to uid 1000 and up, so run the image as such a USER) and sit in Terraform state.",
      default: {},
      sensitive: true,
      validation: [envNamesRule("secrets")],
    },
    {
      name: "load_balancer_ids",
      type: "list(string)",
      description: "Load balancers (ids) admitted to the role's port (web: 80, app: 8000). Point them at the `tag` output.",
      default: [],
      validation: [eachMatchesRule("load_balancer_ids", DO_UUID, "a load balancer id (UUID)")],
    },
    {
      name: "allowed_droplet_tags",
      type: "list(string)",
      description: "Droplet tags admitted to the role's port (the web pool's tag, for an app pool). Workers and beat serve no port and admit nothing.",
      default: [],
      validation: [eachMatchesRule("allowed_droplet_tags", DROPLET_TAG, "a droplet tag (letters, digits, colons, dashes and underscores)")],
    },
  ],
  build(scope, inputs, context) {
    const vpc = new DataDigitaloceanVpc(scope, "vpc", { id: inputs.vpc_uuid.string });
    const role = inputs.role.string as PoolRole;
    const size = inputs.size.string as Size;
    const lines = TerraformIterator.fromMap(Fn.merge([inputs.environment.any, inputs.secrets.any])).forExpressionForList('"${key}=${val}\\n"');
    const environment = Fn.base64encode(Fn.join("", Token.asList(lines)));
    const host: HostBootstrap = {
      configuration: { settings: [], secrets: [] },
      render: (_, access) => hostUserData(context, inputs, [vpc.ipRange], encodedEnvironmentDelivery(environment), tagDiscovery(textOrEmpty(inputs.app_tag.string)), access),
      ...HOST_TIMING,
    };
    const { port, serves } = servedPortOf(role);
    const pool = new DoComputePool(scope, "pool", {
      namePrefix: inputs.name_prefix.string,
      network: new ExistingDoNetwork(inputs.vpc_uuid.string, vpc.region, vpc.ipRange),
      role,
      size,
      minInstances: inputs.min_instances.number,
      maxInstances: inputs.max_instances.number,
      cpuTargetPercent: inputs.cpu_target_percent.number,
      port,
      exclusive: equals(role, "beat"),
      host,
      dropletSize: Fn.coalesce([inputs.droplet_size.string, pick(DO_COMPUTE_SIZES, size)]),
      sshKeys: inputs.ssh_keys.list,
      adminCidrs: inputs.admin_cidrs.list,
      projectId: inputs.project_id.string,
    });
    pool.tag.lifecycle = layoutRequirements(inputs, {
      // A key with a null value (a caller's unset token) is no token.
      given: Op.and(given(inputs.app_tag.string), Fn.contains(TerraformIterator.fromMap(inputs.secrets.any as Record<string, unknown>).forExpressionForList("key if val != null"), READ_TOKEN.setting)) as unknown as boolean,
      errorMessage: `nginx-balanced web droplets list the app droplets by tag with a read token: give app_tag (the app pool's) and secrets.${READ_TOKEN.setting}.`,
    });
    // The firewall's inbound rules, decided by Terraform: SSH when admitted, the role's port when it serves one to anybody.
    const ssh = { port_range: "22", source_addresses: inputs.admin_cidrs.list, source_load_balancer_uids: [], source_tags: [] };
    const served = { port_range: Fn.tostring(port), source_addresses: [], source_load_balancer_uids: inputs.load_balancer_ids.list, source_tags: inputs.allowed_droplet_tags.list };
    const sources = Op.add(Fn.lengthOf(inputs.load_balancer_ids.list), Fn.lengthOf(inputs.allowed_droplet_tags.list));
    const rules = TerraformIterator.fromList(
      Fn.concat([Fn.conditional(Op.gte(Fn.lengthOf(inputs.admin_cidrs.list), 1), [ssh], []), Fn.conditional(Op.and(serves, Op.gte(sources, 1)), [served], [])]),
    );
    pool.firewall.putInboundRule(
      rules.dynamic({
        protocol: "tcp",
        port_range: rules.getString("port_range"),
        source_addresses: rules.getList("source_addresses"),
        source_load_balancer_uids: rules.getList("source_load_balancer_uids"),
        source_tags: rules.getList("source_tags"),
      }),
    );
    return [
      { name: "tag", description: "The droplets' tag: the load balancer's target, and the source to admit where they connect (database, cache).", value: pool.tag.name },
      { name: "autoscale_pool_id", description: "The droplet autoscale pool.", value: pool.pool.id },
      { name: "firewall_id", description: "The droplets' firewall.", value: pool.firewall.id },
      { name: "port", description: "The port the droplets serve (web: 80, app: 8000); null for worker and beat.", value: port },
    ];
  },
  notes: [
    "User data is fixed when a droplet is created: a change of image, environment or secrets reaches new droplets only. Replace the pool's droplets (scale the pool, or `terraform apply -replace`) to roll it out.",
    "DigitalOcean replaces droplets that fail, never because a load balancer finds them unhealthy, and the disk is the droplet size's own.",
    "Every download at first boot and at each start of the application retries with backoff; a droplet that still cannot set itself up, or whose application fails 3 starts within an hour, powers itself off (DigitalOcean has no call to mark it unhealthy).",
    "Droplets pull public images only: the stacks' registry login (DigitalOcean Container Registry's read-only credentials, or a user name and password) is not an input of this module yet.",
  ],
};
