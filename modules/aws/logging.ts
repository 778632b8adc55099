import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { ILogging, LogShipping, LoggingProps, PoolRole } from "../core";
import { HOST_PATHS } from "../django/host";
import { hostLogGroupName } from "../naming/resource-names";
import { policyDocument } from "./shared";

export interface AwsLoggingProps extends LoggingProps {
  /** The stack's region: the agent's package comes from its regional bucket (through the VPC's S3 endpoint). */
  readonly region: string;
}

/** Where the CloudWatch agent keeps its configuration on a host. */
export const AGENT_CONFIG = "/opt/aws/amazon-cloudwatch-agent/etc/cloudtiers.json";
/** The first boot's script that installs the agent and starts it with that configuration. */
export const AGENT_INSTALL = "/usr/local/sbin/cloudtiers-install-cloudwatch-agent";
const AGENT_CTL = "/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl";
/** The namespace the agent reports the hosts' disk use in; the role may write to no other. */
export const AGENT_NAMESPACE = "CWAgent";

/**
 * The hosts' logs in CloudWatch Logs: one log group for the application (gunicorn, Celery,
 * the release step) and one for nginx, each kept `retentionDays`, a stream per host and
 * file. Each pool's hosts run the CloudWatch agent, which tails the files and reports the
 * root disk's use (`disk_used_percent` by autoscaling group, for the `host-disk` alarm). The
 * pools' roles may write their streams and that one metric namespace, nothing else.
 */
export class AwsLogging extends Construct implements ILogging {
  public readonly destination: string;
  public readonly app: CloudwatchLogGroup;
  public readonly nginx: CloudwatchLogGroup;
  private readonly region: string;
  /** The groups' names as literals: the hosts' configuration holds them, and must hold no Terraform reference (see `shipping`). */
  private readonly names: { readonly app: string; readonly nginx: string };

  constructor(scope: Construct, id: string, props: AwsLoggingProps) {
    super(scope, id);
    this.region = props.region;
    this.names = { app: hostLogGroupName(props.namePrefix, "app"), nginx: hostLogGroupName(props.namePrefix, "nginx") };
    const group = (kind: keyof AwsLogging["names"]) => new CloudwatchLogGroup(this, kind, { name: this.names[kind], retentionInDays: props.retentionDays, tags: { Name: this.names[kind] } });
    this.app = group("app");
    this.nginx = group("nginx");
    this.destination = `CloudWatch Logs (${this.names.app}, ${this.names.nginx}; ${props.retentionDays} days)`;
  }

  /**
   * What `role`'s hosts install and run to ship their logs: the agent, its configuration, its
   * start. The configuration names the groups literally, so that the user data stays plain
   * text: its `${aws:AutoScalingGroupName}` is the agent's placeholder, which Terraform would
   * otherwise read as an interpolation.
   */
  public shipping(role: PoolRole): LogShipping {
    const files = [
      { file_path: HOST_PATHS.appLog, log_group_name: this.names.app, log_stream_name: `${role}/{instance_id}` },
      ...(role === "web"
        ? [
            { file_path: HOST_PATHS.nginxAccessLog, log_group_name: this.names.nginx, log_stream_name: `access/{instance_id}` },
            { file_path: HOST_PATHS.nginxErrorLog, log_group_name: this.names.nginx, log_stream_name: `error/{instance_id}` },
          ]
        : []),
    ];
    const config = {
      agent: { metrics_collection_interval: 60, run_as_user: "root" },
      logs: { logs_collected: { files: { collect_list: files } } },
      metrics: {
        namespace: AGENT_NAMESPACE,
        append_dimensions: { AutoScalingGroupName: "${aws:AutoScalingGroupName}" },
        aggregation_dimensions: [["AutoScalingGroupName"]],
        metrics_collected: { disk: { measurement: ["used_percent"], resources: ["/"], drop_device: true } },
      },
    };
    // The package for the host's architecture, from the region's bucket (docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/download-CloudWatch-Agent-on-EC2-Instance-commandline-first.html).
    const install = `#!/bin/sh
# Installs the CloudWatch agent for this host's architecture and starts it with cloudtiers' configuration.
set -eu
arch=$(dpkg --print-architecture)
curl -fsSL -o /tmp/amazon-cloudwatch-agent.deb "https://amazoncloudwatch-agent-${this.region}.s3.${this.region}.amazonaws.com/ubuntu/$arch/latest/amazon-cloudwatch-agent.deb"
dpkg -i -E /tmp/amazon-cloudwatch-agent.deb
rm -f /tmp/amazon-cloudwatch-agent.deb
${AGENT_CTL} -a fetch-config -m ec2 -s -c file:${AGENT_CONFIG}
`;
    return {
      packages: [],
      files: [
        { path: AGENT_CONFIG, content: `${JSON.stringify(config, null, 2)}\n` },
        { path: AGENT_INSTALL, content: install, permissions: "0700" },
      ],
      setupCommands: [AGENT_INSTALL],
    };
  }

  /** Lets `role`, the pool `poolRole`'s, write its hosts' streams (nginx's on web hosts only) and their disk metric, and read the tags that name their group. */
  public grant(scope: Construct, role: IamRole, poolRole: PoolRole): void {
    const groups = [this.app, ...(poolRole === "web" ? [this.nginx] : [])];
    new IamRolePolicy(scope, "ship-logs", {
      name: "ship-logs",
      role: role.id,
      policy: policyDocument([
        // What the agent calls with the groups made and no retention of its own to set (its pusher's InitTarget).
        { Sid: "WriteLogStreams", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: groups.map((g) => `${g.arn}:*`) },
        { Sid: "ReportDiskUse", Effect: "Allow", Action: ["cloudwatch:PutMetricData"], Resource: ["*"], Condition: { StringEquals: { "cloudwatch:namespace": AGENT_NAMESPACE } } },
        // The agent reads the instance's aws:autoscaling:groupName tag for the metric's dimension.
        { Sid: "ReadOwnTags", Effect: "Allow", Action: ["ec2:DescribeTags"], Resource: ["*"] },
      ]),
    });
  }
}
