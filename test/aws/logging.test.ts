import { parse } from "yaml";
import { Config, decodeUserData, ref, specWith, synthAwsEnvironment } from "../helpers";
import { AGENT_CONFIG, AGENT_INSTALL, AGENT_NAMESPACE } from "../../modules/aws/logging";
import { APP_LOG_TAG, HOST_PATHS } from "../../modules/django/host";

/*
 * The hosts' logs on AWS (modules/aws/logging.ts): CloudWatch Logs groups with the spec's
 * retention, the CloudWatch agent each host installs and what it reads, the roles' grants,
 * and the disk alarm the agent's metric allows. The rendered files pass rsyslogd, shellcheck
 * and cloud-init: test/django/host-tools.test.ts.
 */

const s = synthAwsEnvironment(specWith({ logs: { retentionDays: 14 }, alerts: { emails: ["oncall@example.com"] }, digitalocean: undefined, cloudflare: undefined }));
const files = (pool: string): { path: string; content: string; permissions: string }[] => parse(decodeUserData(s.one("aws_launch_template", pool))).write_files;
const file = (pool: string, path: string) => files(pool).find((f) => f.path === path)!;

describe("the AWS hosts' logs", () => {
  it("go to two log groups, the application's and nginx's, kept the spec's days", () => {
    expect(s.where("aws_cloudwatch_log_group").filter((g) => g.name.startsWith("/cloudtiers/")).map((g) => [g.name, g.retention_in_days])).toEqual([
      ["/cloudtiers/shop-dev/app", 14],
      ["/cloudtiers/shop-dev/nginx", 14],
    ]);
  });

  it("are tailed by the CloudWatch agent: the application's file on every host, nginx's on web hosts, a stream per host", () => {
    const web = JSON.parse(file("web-pool", AGENT_CONFIG).content);
    expect(web.logs.logs_collected.files.collect_list).toEqual([
      { file_path: HOST_PATHS.appLog, log_group_name: "/cloudtiers/shop-dev/app", log_stream_name: "web/{instance_id}" },
      { file_path: HOST_PATHS.nginxAccessLog, log_group_name: "/cloudtiers/shop-dev/nginx", log_stream_name: "access/{instance_id}" },
      { file_path: HOST_PATHS.nginxErrorLog, log_group_name: "/cloudtiers/shop-dev/nginx", log_stream_name: "error/{instance_id}" },
    ]);
    const worker = JSON.parse(file("worker-pool", AGENT_CONFIG).content);
    expect(worker.logs.logs_collected.files.collect_list.map((f: Config) => f.file_path)).toEqual([HOST_PATHS.appLog]);
    // The agent's own placeholder, not a Terraform interpolation: the user data is plain text.
    expect(web.metrics.append_dimensions).toEqual({ AutoScalingGroupName: "${aws:AutoScalingGroupName}" });
    expect(web.metrics.metrics_collected.disk.resources).toEqual(["/"]);
  });

  it("reach that file from the application's containers: tagged by Docker, forwarded by the journal, filed by rsyslog", () => {
    expect(JSON.parse(file("web-pool", HOST_PATHS.dockerDaemon).content)["log-opts"]).toEqual({ tag: APP_LOG_TAG });
    expect(file("web-pool", HOST_PATHS.appUnit).content).toContain(`--log-driver journald --log-opt tag=${APP_LOG_TAG}`);
    expect(file("web-pool", HOST_PATHS.journald).content).toContain("ForwardToSyslog=yes");
    expect(file("web-pool", HOST_PATHS.rsyslogApp).content).toContain(`if $programname == "${APP_LOG_TAG}" then {`);
    expect(file("web-pool", HOST_PATHS.rsyslogApp).content).toContain(`file="${HOST_PATHS.appLog}"`);
    // The first boot installs the agent (for the host's architecture, from the region's bucket) and starts it.
    const install = file("web-pool", AGENT_INSTALL);
    expect(install.permissions).toBe("0700");
    expect(install.content).toContain('"https://amazoncloudwatch-agent-eu-west-1.s3.eu-west-1.amazonaws.com/ubuntu/$arch/latest/amazon-cloudwatch-agent.deb"');
    expect(install.content).toContain(`-a fetch-config -m ec2 -s -c file:${AGENT_CONFIG}`);
    // A host whose agent does not set up serves all the same: the step cannot fail the first boot.
    expect(file("web-pool", HOST_PATHS.bootstrap).content).toMatch(new RegExp(`${AGENT_INSTALL}.* \\|\\| echo "cloudtiers-bootstrap: the log shipper did not set up; this host's logs stay in its journal" >&2`));
    // Filed and shipped, the application's lines stay out of /var/log/syslog.
    expect(file("web-pool", HOST_PATHS.rsyslogStop).content).toContain(`$programname == "${APP_LOG_TAG}"`);
    expect(file("web-pool", HOST_PATHS.rsyslogStop).content).toMatch(/ then stop\n$/);
  });

  it("are written by each pool's role to its own groups' streams only (nginx's by web hosts), with its disk metric in the agent's namespace only", () => {
    const [app, nginx] = Object.entries(s.resources("aws_cloudwatch_log_group")).filter(([, g]) => g.name.startsWith("/cloudtiers/")).map(([id]) => ref(`aws_cloudwatch_log_group.${id}`, "arn"));
    const policies = Object.entries(s.resources("aws_iam_role_policy")).filter(([, p]) => p.name === "ship-logs");
    expect(policies).toHaveLength(s.where("aws_autoscaling_group").length);
    const of = (pool: string) => JSON.parse(policies.find(([id]) => id.startsWith(`django_${pool}_`))![1].policy).Statement;
    expect(of("web-pool")).toEqual([
      { Sid: "WriteLogStreams", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${app}:*`, `${nginx}:*`] },
      { Sid: "ReportDiskUse", Effect: "Allow", Action: ["cloudwatch:PutMetricData"], Resource: ["*"], Condition: { StringEquals: { "cloudwatch:namespace": AGENT_NAMESPACE } } },
      { Sid: "ReadOwnTags", Effect: "Allow", Action: ["ec2:DescribeTags"], Resource: ["*"] },
    ]);
    expect(of("worker-pool")[0].Resource).toEqual([`${app}:*`]);
  });

  it("let the alarms watch each pool's fullest disk, which EC2 alone does not report", () => {
    const disks = s.where("aws_cloudwatch_metric_alarm").filter((a) => a.metric_name === "disk_used_percent");
    expect(disks.map((a) => a.dimensions.AutoScalingGroupName).sort()).toEqual(Object.keys(s.resources("aws_autoscaling_group")).map((id) => ref(`aws_autoscaling_group.${id}`, "name")).sort());
    expect(disks.every((a) => a.namespace === AGENT_NAMESPACE && a.statistic === "Maximum" && a.threshold === 85)).toBe(true);
  });

  it("stay on the hosts without a logs section: no agent, no groups, the user data as before", () => {
    const none = synthAwsEnvironment(specWith({}));
    const web = parse(decodeUserData(none.one("aws_launch_template", "web-pool"))).write_files as { path: string }[];
    expect(web.some((f) => f.path === AGENT_CONFIG || f.path.startsWith("/etc/rsyslog.d/"))).toBe(false);
    expect(none.where("aws_cloudwatch_log_group").filter((g) => g.name.startsWith("/cloudtiers/"))).toEqual([]);
  });
});
