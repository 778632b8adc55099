import { ALB_SSL_POLICY } from "../../modules/aws/load-balancer";
import { awsFixture, internalLoadBalancer, publicLoadBalancer, ref, synth } from "../helpers";

describe("AWS load balancers", () => {
  function publicLb() {
    const f = awsFixture();
    publicLoadBalancer(f, "lb");
    return synth(f.stack);
  }

  it("serves HTTPS on 443 with the validated certificate and a modern TLS policy", () => {
    const s = publicLb();
    const https = s.one("aws_lb_listener", "lb_https");
    expect(https).toMatchObject({
      port: 443,
      protocol: "HTTPS",
      ssl_policy: ALB_SSL_POLICY,
      certificate_arn: ref(s.address("aws_acm_certificate_validation", "certificate_validation"), "certificate_arn"),
      load_balancer_arn: ref(s.address("aws_lb", "lb"), "arn"),
    });
    expect(https.default_action).toEqual([{ type: "forward", target_group_arn: ref(s.address("aws_lb_target_group", "lb"), "arn") }]);
    expect(ALB_SSL_POLICY).toBe("ELBSecurityPolicy-TLS13-1-2-2021-06");
  });

  it("redirects HTTP to HTTPS permanently", () => {
    const redirect = publicLb().one("aws_lb_listener", "http-redirect");
    expect(redirect).toMatchObject({ port: 80, protocol: "HTTP" });
    expect(redirect.default_action).toEqual([{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", status_code: "HTTP_301" } }]);
  });

  it("is an internet-facing ALB in the public subnets that drops invalid header fields", () => {
    const s = publicLb();
    const lb = s.one("aws_lb", "lb");
    expect(lb).toMatchObject({ internal: false, load_balancer_type: "application", drop_invalid_header_fields: true, name: "shop-test-public" });
    expect(lb.subnets).toEqual([0, 1].map((i) => ref(s.address("aws_subnet", `public-subnet-${i}`), "id")));
  });

  it("checks hosts on /healthz and drains them for 30 seconds", () => {
    const tg = publicLb().one("aws_lb_target_group", "lb");
    expect(tg).toMatchObject({ port: 80, protocol: "HTTP", target_type: "instance", deregistration_delay: "30" });
    expect(tg.health_check).toMatchObject({ path: "/healthz", matcher: "200", protocol: "HTTP", port: "traffic-port", healthy_threshold: 2, unhealthy_threshold: 3 });
  });

  it("is open to the internet on 80 and 443 only", () => {
    const s = publicLb();
    const ingress = s.where("aws_vpc_security_group_ingress_rule", "lb_security-group");
    expect(ingress.map((r) => [r.cidr_ipv4, r.from_port, r.to_port]).sort()).toEqual([
      ["0.0.0.0/0", 443, 443],
      ["0.0.0.0/0", 80, 80],
    ]);
  });

  it("internal: a TCP pass-through NLB in the private subnets that admits only its peers", () => {
    const f = awsFixture();
    const internal = internalLoadBalancer(f, "internal");
    const other = publicLoadBalancer(f, "lb");
    internal.allowFrom(other);
    const s = synth(f.stack);
    const lb = s.one("aws_lb", "internal");
    expect(lb).toMatchObject({ internal: true, load_balancer_type: "network", name: "shop-test-int" });
    expect(lb.subnets).toEqual([0, 1].map((i) => ref(s.address("aws_subnet", `private-subnet-${i}`), "id")));
    expect(s.one("aws_lb_listener", "internal_tcp")).toMatchObject({ port: 80, protocol: "TCP" });
    const tg = s.one("aws_lb_target_group", "internal");
    expect(tg).toMatchObject({ port: 8000, protocol: "TCP", preserve_client_ip: "false" });
    expect(tg.health_check).toMatchObject({ protocol: "HTTP", path: "/healthz" });
    const ingress = s.where("aws_vpc_security_group_ingress_rule", "internal_security-group");
    expect(ingress).toHaveLength(1);
    expect(ingress[0]).toMatchObject({ from_port: 80, referenced_security_group_id: ref(s.address("aws_security_group", "lb_security-group"), "id") });
  });
});
