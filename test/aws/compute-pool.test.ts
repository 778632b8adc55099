import { EC2_USER_DATA_BYTES, SESSION_MANAGER, UBUNTU_AMI } from "../../modules/aws/compute-pool";
import { cloudInitUserData } from "../tools";
import { SECRETS_MANAGER } from "../../modules/aws/shared";
import { SHIPPED_STACKS, awsFixture, decodeUserData, fetchScriptHost, publicLoadBalancer, ref, synth, synthAwsEnvironment } from "../helpers";

const DB_SECRET = { store: SECRETS_MANAGER, id: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf", jsonKey: "password" };

function webPool(overrides: { min?: number; max?: number } = {}) {
  const f = awsFixture();
  const lb = publicLoadBalancer(f, "lb");
  const configuration = { settings: [{ name: "SITE_URL", value: "https://www.example.com" }], secrets: [{ name: "DATABASE_PASSWORD", secret: DB_SECRET }] };
  f.factory.createComputePool(f.stack, "web", {
    namePrefix: f.namePrefix,
    network: f.network,
    role: "web",
    size: "medium",
    minInstances: overrides.min ?? 2,
    maxInstances: overrides.max ?? 6,
    port: 80,
    loadBalancer: lb,
    readableSecrets: [DB_SECRET],
    host: fetchScriptHost(configuration),
  });
  return synth(f.stack);
}

describe("AWS compute pool", () => {
  it("launches hardened hosts: IMDSv2 only, encrypted gp3 root volume, no SSH key, the size's instance type", () => {
    const lt = webPool().one("aws_launch_template", "web");
    expect(lt.metadata_options).toEqual({ http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 1, instance_metadata_tags: "disabled" });
    expect(lt.block_device_mappings).toEqual([
      { device_name: "/dev/sda1", ebs: { encrypted: "true", volume_type: "gp3", volume_size: 30, delete_on_termination: "true" } },
    ]);
    expect(lt.key_name).toBeUndefined();
    expect(lt.instance_type).toBe("t3.medium");
    expect(lt.image_id).toBe(UBUNTU_AMI);
  });

  it("gives hosts SSM Session Manager instead of SSH, and lets them read only their parameter and secrets", () => {
    const s = webPool();
    // Session Manager's own actions, not AmazonSSMManagedInstanceCore (ssm:GetParameter on *).
    expect(s.where("aws_iam_role_policy_attachment", "web")).toHaveLength(0);
    expect(JSON.parse(s.one("aws_iam_role_policy", "web_session-manager").policy).Statement).toEqual([SESSION_MANAGER]);
    const policy = JSON.parse(s.one("aws_iam_role_policy", "web_read-environment").policy);
    expect(policy.Statement).toEqual([
      { Sid: "ReadEnvironment", Effect: "Allow", Action: ["ssm:GetParameter"], Resource: [ref(s.address("aws_ssm_parameter", "web"), "arn")] },
      { Sid: "ReadSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [DB_SECRET.id] },
    ]);
    expect(JSON.parse(s.one("aws_iam_role", "web").assume_role_policy).Statement[0].Principal).toEqual({ Service: "ec2.amazonaws.com" });
  });

  it("keeps configuration out of the user data: the parameter holds settings and where secrets live, the user data only its name", () => {
    const s = webPool();
    const parameter = s.one("aws_ssm_parameter", "web");
    expect(parameter.name).toBe("/shop-test/web/environment");
    expect(JSON.parse(parameter.value)).toEqual({
      settings: { SITE_URL: "https://www.example.com" },
      secrets: { DATABASE_PASSWORD: { id: DB_SECRET.id, jsonKey: "password" } },
    });
    const userData = decodeUserData(s.one("aws_launch_template", "web"));
    expect(userData).toContain("parameter='/shop-test/web/environment'");
    expect(userData).toContain("ssm get-parameter");
    expect(userData).toContain("secretsmanager get-secret-value");
    expect(userData).not.toContain("https://www.example.com");
    expect(userData).not.toContain(DB_SECRET.id);
  });

  it("scales in the private subnets behind the load balancer, on CPU, and refreshes instances launch-before-terminate", () => {
    const s = webPool();
    const asg = s.one("aws_autoscaling_group", "web");
    expect(asg).toMatchObject({ min_size: 2, max_size: 6, health_check_type: "ELB", name: "shop-test-web" });
    expect(asg.desired_capacity).toBeUndefined();
    expect(asg.vpc_zone_identifier).toEqual([0, 1].map((i) => ref(s.address("aws_subnet", `private-subnet-${i}`), "id")));
    expect(asg.target_group_arns).toEqual([ref(s.address("aws_lb_target_group", "lb"), "arn")]);
    expect(asg.launch_template).toEqual({ id: ref(s.address("aws_launch_template", "web"), "id"), version: ref(s.address("aws_launch_template", "web"), "latest_version") });
    // No auto_rollback: the provider would roll back to the failed release (hashicorp/terraform-provider-aws#34189).
    expect(asg.instance_refresh).toEqual({ strategy: "Rolling", preferences: { min_healthy_percentage: 100, max_healthy_percentage: 200 } });
    expect(s.one("aws_autoscaling_policy", "web")).toMatchObject({
      policy_type: "TargetTrackingScaling",
      autoscaling_group_name: ref(s.address("aws_autoscaling_group", "web"), "name"),
      target_tracking_configuration: { predefined_metric_specification: { predefined_metric_type: "ASGAverageCPUUtilization" }, target_value: 60 },
    });
  });

  it("lets a new host join only once it does its work, and a terminating one stop its work first (lifecycle hooks its hosts complete)", () => {
    const s = webPool();
    const group = ref(s.address("aws_autoscaling_group", "web"), "name");
    expect(s.one("aws_autoscaling_lifecycle_hook", "web/launch-hook")).toEqual({
      name: "cloudtiers-launch",
      autoscaling_group_name: group,
      lifecycle_transition: "autoscaling:EC2_INSTANCE_LAUNCHING",
      // The host's first boot and its wait for the application; then the group abandons it.
      heartbeat_timeout: 3300,
      default_result: "ABANDON",
    });
    expect(s.one("aws_autoscaling_lifecycle_hook", "web/terminate-hook")).toEqual({
      name: "cloudtiers-terminate",
      autoscaling_group_name: group,
      lifecycle_transition: "autoscaling:EC2_INSTANCE_TERMINATING",
      heartbeat_timeout: 90,
      default_result: "CONTINUE",
    });
    // An apply that resizes the group waits as long as new hosts may take to join.
    expect(s.one("aws_autoscaling_group", "web").wait_for_capacity_timeout).toBe("60m");
    // Not the group's own initial_lifecycle_hook: adding one replaces an existing group.
    expect(s.one("aws_autoscaling_group", "web").initial_lifecycle_hook).toBeUndefined();
  });

  it("a one-host pool still launches its replacement first, and has no scaling policy", () => {
    const s = webPool({ min: 1, max: 1 });
    const asg = s.one("aws_autoscaling_group", "web");
    expect(asg.instance_refresh.preferences).toEqual({ min_healthy_percentage: 100, max_healthy_percentage: 200 });
    expect(asg.suspended_processes).toBeUndefined();
    expect(s.where("aws_autoscaling_policy")).toHaveLength(0);
  });

  it("an exclusive pool (Celery beat) never runs two hosts: terminate before launch, no zone rebalancing", () => {
    const f = awsFixture();
    const beat = { namePrefix: f.namePrefix, network: f.network, role: "beat" as const, size: "small" as const, minInstances: 1, exclusive: true, host: fetchScriptHost() };
    f.factory.createComputePool(f.stack, "beat", { ...beat, maxInstances: 1 });
    const asg = synth(f.stack).one("aws_autoscaling_group", "beat");
    expect(asg.instance_refresh.preferences).toEqual({ min_healthy_percentage: 0, max_healthy_percentage: 100 });
    expect(asg.suspended_processes).toEqual(["AZRebalance"]);
    expect(() => f.factory.createComputePool(f.stack, "beat-2", { ...beat, maxInstances: 2 })).toThrow(
      "the beat pool is exclusive (one host at most) but maxInstances is 2",
    );
  });

  it("launches no host before NAT routes, its parameter and its permissions exist", () => {
    const s = webPool();
    const deps: string[] = s.one("aws_autoscaling_group", "web").depends_on;
    for (const [type, path] of [
      ["aws_ssm_parameter", "web"],
      ["aws_iam_role_policy", "web_read-environment"],
      ["aws_iam_role_policy", "web_session-manager"],
      ["aws_nat_gateway", "nat-gateway-0"],
      ["aws_route_table", "private-route-table-1"],
      ["aws_route_table_association", "private-subnet-1-routes"],
    ]) {
      expect(deps).toContain(s.address(type, path));
    }
  });

  it("replaces hosts on the load balancer's health check unless told to rely on the instance's own", () => {
    expect(webPool().one("aws_autoscaling_group", "web").health_check_type).toBe("ELB");
    const f = awsFixture();
    f.factory.createComputePool(f.stack, "web", {
      namePrefix: f.namePrefix,
      network: f.network,
      role: "web",
      size: "small",
      minInstances: 1,
      maxInstances: 2,
      port: 80,
      loadBalancer: publicLoadBalancer(f),
      replaceUnhealthy: "instance",
      host: fetchScriptHost(),
    });
    const asg = synth(f.stack).one("aws_autoscaling_group", "web");
    expect(asg).toMatchObject({ health_check_type: "EC2", health_check_grace_period: 600 });
    expect(asg.target_group_arns).toHaveLength(1);
  });

  it("accepts the load balancer on its port and nothing else; reaches out through NAT", () => {
    const s = webPool();
    const ingress = s.where("aws_vpc_security_group_ingress_rule", "web_security-group");
    expect(ingress).toEqual([
      expect.objectContaining({ from_port: 80, to_port: 80, ip_protocol: "tcp", referenced_security_group_id: ref(s.address("aws_security_group", "lb_security-group"), "id") }),
    ]);
    expect(s.one("aws_vpc_security_group_egress_rule", "lb_security-group")).toMatchObject({
      from_port: 80,
      referenced_security_group_id: ref(s.address("aws_security_group", "web_security-group"), "id"),
    });
    expect(s.one("aws_vpc_security_group_egress_rule", "web_security-group")).toMatchObject({ cidr_ipv4: "0.0.0.0/0", ip_protocol: "-1" });
  });

  it("refuses secrets from a store its hosts cannot read", () => {
    const f = awsFixture();
    expect(() =>
      f.factory.createComputePool(f.stack, "worker", {
        namePrefix: f.namePrefix,
        network: f.network,
        role: "worker",
        size: "small",
        minInstances: 1,
        maxInstances: 1,
        readableSecrets: [{ store: "vault", id: "secret/db" }],
        host: fetchScriptHost(),
      }),
    ).toThrow('AWS hosts can only read secrets from aws-secrets-manager, not from "vault"');
  });
});

describe("the hosts' user data on EC2", () => {
  it("fits EC2's 16 KB in every shipped AWS stack, and cloud-init reads each as the hosts' cloud-config", () => {
    const templates = SHIPPED_STACKS.filter((s) => s.cloud === "aws").flatMap(({ name, spec }) => synthAwsEnvironment(spec).where("aws_launch_template").map((template) => ({ name, template })));
    expect(templates.length).toBeGreaterThan(0);
    const sent = templates.map(({ template }) => Uint8Array.from(Buffer.from(template.user_data, "base64")));
    for (const [i, { name }] of templates.entries()) expect({ name, fits: sent[i].length <= EC2_USER_DATA_BYTES }).toEqual({ name, fits: true });
    const read = cloudInitUserData(sent);
    for (const [i, { name, template }] of templates.entries()) expect({ name, parts: read[i] }).toEqual({ name, parts: [{ type: "text/cloud-config", text: decodeUserData(template) }] });
  });
});
