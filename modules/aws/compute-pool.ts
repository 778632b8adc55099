import { Construct } from "constructs";
import { gzipSync } from "node:zlib";
import { Fn, Op, Token } from "cdktf";
import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { AutoscalingLifecycleHook } from "@cdktf/provider-aws/lib/autoscaling-lifecycle-hook";
import { AutoscalingPolicy } from "@cdktf/provider-aws/lib/autoscaling-policy";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { DEFAULTS, ComputePoolProps, IComputePool, IPeer, PoolDiscovery, PoolRole, RegistryAccess, Size, choose, exceeds, poolLifecycle, isReference, optional, plainSpecText, terraformTemplate } from "../core";
import { LIFECYCLE_HOOKS, awsHostDelivery, environmentDocument, environmentParameterName, groupHostsScript } from "./host-delivery";
import { AwsLogging } from "./logging";
import { AwsLoadBalancer } from "./load-balancer";
import { awsNetworkOf } from "./network";
import { TierSecurityGroup } from "./security-group";
import { IAwsPeer, asAws, assumeRolePolicy, policyDocument, secretArns } from "./shared";
import { poolHostName, poolName, scalingPolicyName } from "../naming/resource-names";

/** Canonical's Ubuntu 24.04 LTS (amd64, gp3), resolved when each instance launches. */
export const UBUNTU_AMI = "resolve:ssm:/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id";

export interface AwsComputePoolProps extends ComputePoolProps {
  /** The EC2 instance type of `size`. */
  readonly instanceType: string;
  /** AMI id or `resolve:ssm:` reference. */
  readonly imageId: string;
  /**
   * The hosts' environment: the document the SSM parameter holds, and the secrets it
   * names, which the hosts may read.
   * @default - from `host.configuration` and `readableSecrets`
   */
  readonly environment?: AwsHostEnvironment;
}

/** A pool's environment as AWS hosts read it (see `environmentDocument`). */
export interface AwsHostEnvironment {
  /** JSON: `{ "settings": { NAME: value }, "secrets": { NAME: { "id": arn, "jsonKey": key } } }`. */
  readonly document: string;
  /** The Secrets Manager secrets the document names; may be a reference. */
  readonly secretArns: string[];
}

/**
 * What the SSM agent needs for Session Manager and nothing else: the agent's registration
 * and its message channels (AWS's own `AWSCloud9SSMInstanceProfile` is exactly this, and
 * docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-create-iam-instance-profile.html
 * gives the same for a custom instance profile). Not `AmazonSSMManagedInstanceCore`: it
 * allows `ssm:GetParameter(s)` on `*`, every parameter of the account, which would undo
 * `ReadEnvironment` below (a web host could read the worker's or another environment's).
 */
export const SESSION_MANAGER = {
  Sid: "SessionManager",
  Effect: "Allow",
  Action: ["ssm:UpdateInstanceInformation", "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
  Resource: ["*"],
};

/**
 * The hosts' policy: the parameter, the secrets when there are any (decided by Terraform
 * for a reference), and pulls from the ECR repositories of a `cloud` registry login
 * (`GetAuthorizationToken` has no resource but `*`; the pulls name the repositories).
 */
function hostPolicy(parameterArn: string, secrets: string[], registry?: RegistryAccess): string {
  const readEnvironment = { Sid: "ReadEnvironment", Effect: "Allow", Action: ["ssm:GetParameter"], Resource: [parameterArn] };
  const readSecrets = { Sid: "ReadSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: secrets };
  const pull =
    registry?.login === "cloud"
      ? [
          { Sid: "LogInToEcr", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: ["*"] },
          { Sid: "PullImage", Effect: "Allow", Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"], Resource: [...(registry.repositories ?? [])] },
        ]
      : [];
  if (!isReference(secrets)) return policyDocument([readEnvironment, ...(secrets.length > 0 ? [readSecrets] : []), ...pull]);
  return Fn.jsonencode({ Version: "2012-10-17", Statement: Fn.concat([[readEnvironment], Fn.conditional(Op.gte(Fn.lengthOf(secrets), 1), [readSecrets], []), pull]) });
}

/**
 * An autoscaling group of hosts in the private subnets: a launch template with IMDSv2
 * required, an encrypted gp3 root volume, no SSH key and an instance role with SSM
 * Session Manager access; CPU target tracking; rolling instance refresh whenever the
 * launch template changes. The app's configuration sits in an SSM parameter the role
 * may read, with the secrets it names; the user data holds neither.
 */
export class AwsComputePool extends Construct implements IComputePool, IAwsPeer {
  public readonly role: PoolRole;
  public readonly size: Size;
  public readonly minInstances: number;
  public readonly maxInstances: number;
  public readonly port?: number;
  public readonly peerName: string;
  public readonly securityGroup: TierSecurityGroup;
  public readonly instanceRole: IamRole;
  public readonly launchTemplate: LaunchTemplate;
  public readonly group: AutoscalingGroup;
  /** The load balancer the pool's hosts are registered with, if any. */
  public readonly loadBalancer?: AwsLoadBalancer;
  /** The SSM parameter holding the application's environment document. */
  public readonly environment: SsmParameter;
  private readonly groupName: string;

  constructor(scope: Construct, id: string, props: AwsComputePoolProps) {
    super(scope, id);
    const network = awsNetworkOf(props.network);
    const name = poolName(props.namePrefix, props.role);
    this.role = props.role;
    this.size = props.size;
    this.minInstances = props.minInstances;
    this.maxInstances = props.maxInstances;
    this.port = props.port;
    this.peerName = `${props.role} pool`;
    this.groupName = name;

    this.securityGroup = new TierSecurityGroup(this, "security-group", {
      vpcId: network.vpcId,
      name,
      description: `${props.role} hosts`,
    });
    this.securityGroup.allowToAnywhere();

    this.instanceRole = new IamRole(this, "role", {
      name: poolHostName(props.namePrefix, props.role),
      assumeRolePolicy: assumeRolePolicy("ec2.amazonaws.com"),
      tags: { Name: `${name}-host` },
    });
    const ssmAccess = new IamRolePolicy(this, "session-manager", {
      name: "session-manager",
      role: this.instanceRole.id,
      policy: policyDocument([SESSION_MANAGER]),
    });
    const profile = new IamInstanceProfile(this, "instance-profile", { name: poolHostName(props.namePrefix, props.role), role: this.instanceRole.name });

    const parameterName = environmentParameterName(props.namePrefix, props.role);
    this.environment = new SsmParameter(this, "environment", {
      name: parameterName,
      description: `Environment of the ${props.role} hosts: settings, and where each secret lives`,
      type: "String",
      // Standard (free, 4 KB) while the document fits, Advanced (8 KB) when it grows past it; the
      // provider keeps a parameter made Standard as it is (it suppresses the diff to
      // Intelligent-Tiering) and upgrades it on the update that needs it
      // (hashicorp/terraform-provider-aws#25174). The validator bounds the application's part.
      tier: "Intelligent-Tiering",
      value: props.environment?.document ?? terraformTemplate(environmentDocument(props.host.configuration)),
    });
    const readEnvironment = new IamRolePolicy(this, "read-environment", {
      name: "read-environment",
      role: this.instanceRole.id,
      policy: hostPolicy(this.environment.arn, props.environment?.secretArns ?? secretArns(props.readableSecrets ?? []), props.registry),
    });

    const logging = props.logging ? asAws(props.logging, AwsLogging, "log destination") : undefined;
    const delivery = awsHostDelivery(parameterName, name);
    const userData = props.host.render(logging ? { ...delivery, logShipping: logging.shipping(props.role) } : delivery);
    this.launchTemplate = new LaunchTemplate(this, "launch-template", {
      name,
      description: `${props.role} hosts of ${props.namePrefix}`,
      imageId: props.imageId,
      instanceType: props.instanceType,
      iamInstanceProfile: { arn: profile.arn },
      vpcSecurityGroupIds: [this.securityGroup.id],
      userData: ec2UserData(userData, name),
      updateDefaultVersion: true,
      metadataOptions: {
        httpEndpoint: "enabled",
        httpTokens: "required",
        // Containers share the host's network, so one hop suffices; a second would let a
        // proxied request from a bridged container reach the role's credentials.
        httpPutResponseHopLimit: 1,
        instanceMetadataTags: "disabled",
      },
      blockDeviceMappings: [
        {
          deviceName: "/dev/sda1",
          ebs: { volumeSize: props.diskGiB ?? DEFAULTS.pool.diskGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
        },
      ],
      monitoring: { enabled: true },
      tagSpecifications: [
        { resourceType: "instance", tags: { Name: name, Role: props.role } },
        { resourceType: "volume", tags: { Name: name, Role: props.role } },
      ],
      tags: { Name: name },
    });

    const lb = props.loadBalancer ? asAws(props.loadBalancer, AwsLoadBalancer, "load balancer") : undefined;
    this.loadBalancer = lb;
    const exclusive = props.exclusive ?? false;
    if (!isReference(exclusive) && exclusive && props.maxInstances !== 1) {
      throw new Error(`the ${props.role} pool is exclusive (one host at most) but maxInstances is ${props.maxInstances}`);
    }
    const replaceOnLb = lb !== undefined && (props.replaceUnhealthy ?? "load-balancer") === "load-balancer";
    this.group = new AutoscalingGroup(this, "group", {
      name,
      minSize: props.minInstances,
      maxSize: props.maxInstances,
      vpcZoneIdentifier: network.subnetIds.private,
      launchTemplate: { id: this.launchTemplate.id, version: Token.asString(this.launchTemplate.latestVersion) },
      targetGroupArns: lb ? [lb.targetGroup.arn] : undefined,
      healthCheckType: replaceOnLb ? "ELB" : "EC2",
      // First boot installs packages and pulls the image before the app answers.
      healthCheckGracePeriod: 600,
      // An apply that changes the group's size waits for its new hosts, which wait in
      // Pending:Wait until they are ready (the launch hook): as long as the hook allows.
      waitForCapacityTimeout: `${Math.ceil(props.host.readySeconds / 60) + 5}m`,
      defaultInstanceWarmup: 120,
      enabledMetrics: ["GroupDesiredCapacity", "GroupInServiceInstances", "GroupMaxSize", "GroupMinSize", "GroupTotalInstances"],
      // A release changes the launch template, and the provider starts this refresh (it does
      // not wait for it). New hosts join only once they do their work (the launch hook below)
      // and, behind a load balancer, once it finds them healthy; old hosts are terminated only
      // then, so a release that cannot start leaves them serving until the refresh fails
      // (after an hour of replacing the new hosts). Not auto_rollback: the provider saves the
      // new template version on the group before it starts the refresh, so AWS would "roll
      // back" to the release that failed (hashicorp/terraform-provider-aws#34189); returning to
      // the previous image is a deploy of it (README, "Releasing").
      instanceRefresh: {
        strategy: "Rolling",
        // Launch before terminating, except for an exclusive pool (Celery beat), which must never run twice.
        preferences: { minHealthyPercentage: choose(exclusive, 0, 100), maxHealthyPercentage: choose(exclusive, 100, 200) },
      },
      suspendedProcesses: choose(exclusive, ["AZRebalance"], undefined),
      tag: [
        { key: "Name", value: name, propagateAtLaunch: true },
        { key: "Role", value: props.role, propagateAtLaunch: true },
      ],
      // Hosts fetch packages, their image and their configuration at first boot: NAT
      // routes, the parameter and the role's permissions must exist before any launches.
      dependsOn: [...network.egressReady, this.environment, readEnvironment, ssmAccess],
      lifecycle: poolLifecycle(exclusive, props.minInstances, props.maxInstances),
    });

    logging?.grant(this, this.instanceRole, props.role);

    // A host that cannot start its application marks itself unhealthy, and the group
    // replaces it (cloudtiers-unhealthy; the user data's report script); hosts complete the
    // group's lifecycle hooks (cloudtiers-lifecycle). Only this group.
    new IamRolePolicy(this, "report-health", {
      name: "report-health",
      role: this.instanceRole.id,
      policy: policyDocument([
        { Sid: "ReportOwnHealth", Effect: "Allow", Action: ["autoscaling:SetInstanceHealth", "autoscaling:CompleteLifecycleAction"], Resource: [this.group.arn] },
      ]),
    });
    // New hosts wait in Pending:Wait until they do their work (cloudtiers-ready): only then
    // does the load balancer register them and a refresh count them. One that never says so
    // is abandoned (replaced). Resources of their own, not the group's initial_lifecycle_hook,
    // which would replace existing groups: the group's very first hosts launch before the
    // hook exists and find no action to complete.
    new AutoscalingLifecycleHook(this, "launch-hook", {
      name: LIFECYCLE_HOOKS.launch,
      autoscalingGroupName: this.group.name,
      lifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING",
      heartbeatTimeout: props.host.readySeconds,
      defaultResult: "ABANDON",
    });
    // A terminating host first stops its work (a worker's warm shutdown: cloudtiers-drain).
    new AutoscalingLifecycleHook(this, "terminate-hook", {
      name: LIFECYCLE_HOOKS.terminate,
      autoscalingGroupName: this.group.name,
      lifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
      heartbeatTimeout: props.host.stopSeconds + 60,
      defaultResult: "CONTINUE",
    });

    optional(exceeds(props.maxInstances, props.minInstances), (meta) =>
      new AutoscalingPolicy(this, "cpu-target", {
        ...meta,
        name: scalingPolicyName(props.namePrefix, props.role),
        autoscalingGroupName: this.group.name,
        policyType: "TargetTrackingScaling",
        targetTrackingConfiguration: {
          predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" },
          targetValue: props.cpuTargetPercent ?? DEFAULTS.pool.cpuTargetPercent,
        },
      }),
    );

    if (lb) {
      if (props.port === undefined) throw new Error(`the ${props.role} pool is behind a load balancer but serves no port`);
      this.allowFrom(lb);
      lb.allowTo(this);
    }
  }

  public get securityGroupId(): string {
    return this.securityGroup.id;
  }

  /** Admits `peer` on the pool's port. */
  public allowFrom(peer: IPeer): void {
    if (this.port === undefined) throw new Error(`the ${this.role} pool serves no port and accepts no connections`);
    this.securityGroup.allowFromPeer(peer, this.port);
  }

  /** The group's hosts in service, listed by another pool's hosts through their role (`groupHostsScript`). */
  public discovery(): PoolDiscovery {
    return groupDiscovery(this.groupName);
  }

  /** Lets `peer`'s role list the group's hosts (`LIST_HOSTS`), and `peer` connect to the port. */
  public grantDiscovery(peer: IComputePool): void {
    const pool = asAws(peer, AwsComputePool, "compute pool");
    this.allowFrom(pool);
    new IamRolePolicy(this, `discovered-by-${pool.role}`, { name: `discover-${this.role}-hosts`, role: pool.instanceRole.id, policy: policyDocument([LIST_HOSTS]) });
  }
}

/** The most user data EC2 takes, in bytes before its base64 ("User data is limited to 16 KB, in raw form", docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-add-user-data.html). */
export const EC2_USER_DATA_BYTES = 16384;

/**
 * A host's cloud-config as a launch template's user data: gzipped, then base64. The hosts'
 * cloud-config is larger than EC2's limit (`EC2_USER_DATA_BYTES`) and compresses to less than
 * half of it; cloud-init gunzips user data on its own ("Gzip Compressed Content",
 * docs.cloud-init.io/en/latest/explanation/format.html). Text with references (a module's) is
 * gzipped by Terraform (`base64gzip`); a stack's here, deterministically (no name, no time in
 * the gzip header), and refused when even gzipped it is over the limit.
 */
export function ec2UserData(text: string, pool: string): string {
  if (isReference(text)) return Fn.base64gzip(text);
  const gzipped = gzipSync(plainSpecText(text));
  if (gzipped.length > EC2_USER_DATA_BYTES) throw new Error(`the user data of ${pool} is ${gzipped.length} bytes gzipped, over EC2's ${EC2_USER_DATA_BYTES}`);
  return gzipped.toString("base64");
}

/** How hosts list the hosts in service of the autoscaling group `groupName` (`groupHostsScript`), with `LIST_HOSTS`. */
export function groupDiscovery(groupName: string): PoolDiscovery {
  return {
    listScript: groupHostsScript(groupName),
    packages: [],
    listedWhen: "once it is InService in its autoscaling group: it has answered its health path (the launch lifecycle hook), and until the group begins to terminate it",
  };
}

/**
 * What a role needs to list a group's hosts. Neither call takes a resource narrower than `*`
 * (the Service Authorization Reference lists no resource type for
 * autoscaling:DescribeAutoScalingGroups or ec2:DescribeInstances): both only read.
 */
export const LIST_HOSTS = { Sid: "ListHosts", Effect: "Allow", Action: ["autoscaling:DescribeAutoScalingGroups", "ec2:DescribeInstances"], Resource: ["*"] };
