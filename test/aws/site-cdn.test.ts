import { production } from "../../environments/production";
import { ORIGIN_HEADER } from "../../modules/core";
import { formatIssue } from "../../modules/core/errors";
import { AWS_POLICY } from "../../modules/aws/policy";
import { CLOUDFRONT_ORIGIN_FACING } from "../../modules/aws/shared";
import { ALL_VIEWER, CACHING_DISABLED, ORIGIN_TIMEOUTS } from "../../modules/aws/site-distribution";
import { NGINX_PROXY_SNIPPET, NGINX_READ_TIMEOUT_SECONDS } from "../../modules/django/host";
import { MAINTENANCE_PATH } from "../../modules/core";
import { StackDocument, evaluatePolicy } from "../../modules/policy";
import { validateEnvironment } from "../../modules/stacks/validate";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { Config, Synth, ref, synthAwsEnvironment, synthDoEnvironment, specWith } from "../helpers";

/*
 * The whole site behind CloudFront (cdn.site, seed 004), from a spec of its own (production's,
 * with the option on whatever production chooses): what each resource means for the site's
 * traffic, its failover and its firewall, and that DigitalOcean + Cloudflare, which proxies
 * every site already, builds the same stack either way.
 */

const spec: EnvironmentSpec = { ...production, environment: "edge", domain: "edge.example.com", cdn: { mediaDomain: "media-edge.example.com", staticDomain: "static-edge.example.com", site: true } };
const withoutFailover: EnvironmentSpec = { ...spec, environment: "edge-plain", failover: { enabled: false }, production: false };

describe("the whole site behind CloudFront on AWS", () => {
  let s: Synth;
  let site: Config;
  let siteAddress: string;
  beforeAll(() => {
    s = synthAwsEnvironment(spec);
    siteAddress = s.address("aws_cloudfront_distribution", "dns_cdn");
    site = s.one("aws_cloudfront_distribution", "dns_cdn");
  });
  const lb = () => s.address("aws_lb", "django_load-balancer");
  const maintenanceBucket = () => s.address("aws_s3_bucket", "maintenance-site");

  it("answers for the site's name over HTTPS, and passes every request to the load balancer uncached with all the viewer sent", () => {
    expect(site).toMatchObject({ aliases: [spec.domain], enabled: true, is_ipv6_enabled: true, viewer_certificate: { ssl_support_method: "sni-only", minimum_protocol_version: "TLSv1.2_2021" } });
    expect(site.default_cache_behavior).toEqual({
      target_origin_id: "load-balancer",
      viewer_protocol_policy: "redirect-to-https",
      allowed_methods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
      cached_methods: ["GET", "HEAD"],
      compress: false,
      cache_policy_id: CACHING_DISABLED,
      origin_request_policy_id: ALL_VIEWER,
    });
    // The certificate the distribution shows viewers is the us-east-1 one, which covers the site's name.
    expect(site.viewer_certificate.acm_certificate_arn).toContain("aws_acm_certificate_validation.django_cdn-certificate");
    expect(s.one("aws_acm_certificate", "cdn-certificate").subject_alternative_names).toContain(spec.domain);
  });

  it("reaches the load balancer by its own name over TLS 1.2, with the origin's secret header from state, never a literal", () => {
    const origin = site.origin.find((o: Config) => o.origin_id === "load-balancer");
    const secret = ref(s.address("random_password", "load-balancer_origin-secret"), "result");
    expect(origin).toEqual({
      origin_id: "load-balancer",
      domain_name: ref(lb(), "dns_name"),
      connection_attempts: ORIGIN_TIMEOUTS.connectionAttempts,
      connection_timeout: ORIGIN_TIMEOUTS.connectionTimeout,
      custom_origin_config: {
        http_port: 80,
        https_port: 443,
        origin_protocol_policy: "https-only",
        origin_ssl_protocols: ["TLSv1.2"],
        origin_read_timeout: ORIGIN_TIMEOUTS.originReadTimeout,
        origin_keepalive_timeout: ORIGIN_TIMEOUTS.originKeepaliveTimeout,
      },
      custom_header: [{ name: ORIGIN_HEADER, value: secret }],
    });
    expect(s.one("random_password", "load-balancer_origin-secret")).toMatchObject({ length: 40, special: false });
    // CloudFront gives up on an unreachable origin within 10 s, and waits for an answer longer than nginx
    // waits for gunicorn: a slow view ends in nginx's 504, which CloudFront does not retry (it would run the view twice).
    expect(ORIGIN_TIMEOUTS.connectionAttempts * ORIGIN_TIMEOUTS.connectionTimeout).toBeLessThanOrEqual(10);
    expect(ORIGIN_TIMEOUTS.originReadTimeout).toBeGreaterThan(NGINX_READ_TIMEOUT_SECONDS);
    expect(ORIGIN_TIMEOUTS.originReadTimeout).toBeLessThanOrEqual(60);
    expect(NGINX_PROXY_SNIPPET).toContain(`proxy_read_timeout ${NGINX_READ_TIMEOUT_SECONDS}s;`);
  });

  it("lets only CloudFront reach the load balancer: one prefix-list rule on 443, no HTTP listener, and a 403 for anything without the header", () => {
    const group = ref(s.address("aws_security_group", "load-balancer_security-group"), "id");
    const [list] = Object.entries(s.data("aws_ec2_managed_prefix_list"));
    expect(list[1]).toEqual({ name: CLOUDFRONT_ORIGIN_FACING });
    // One rule only: the list counts as its 55 maximum entries against the group's 60 rules.
    expect(s.where("aws_vpc_security_group_ingress_rule").filter((r) => r.security_group_id === group)).toEqual([
      { security_group_id: group, prefix_list_id: ref(`data.aws_ec2_managed_prefix_list.${list[0]}`, "id"), ip_protocol: "tcp", from_port: 443, to_port: 443, description: "cloudfront on 443", depends_on: expect.any(Array) },
    ]);
    const listeners = s.where("aws_lb_listener").filter((l) => l.load_balancer_arn === ref(lb(), "arn"));
    expect(listeners.map((l) => [l.port, l.protocol, l.default_action[0].type])).toEqual([[443, "HTTPS", "fixed-response"]]);
    expect(listeners[0].default_action[0].fixed_response).toEqual({ content_type: "text/plain", message_body: "Forbidden", status_code: "403" });
    expect(s.where("aws_lb_listener_rule")).toEqual([
      {
        listener_arn: ref(s.address("aws_lb_listener", "load-balancer_https"), "arn"),
        priority: 1,
        condition: [{ http_header: { http_header_name: ORIGIN_HEADER, values: [ref(s.address("random_password", "load-balancer_origin-secret"), "result")] } }],
        action: [{ type: "forward", target_group_arn: ref(s.address("aws_lb_target_group", "django_load-balancer"), "arn") }],
      },
    ]);
  });

  it("serves the maintenance page for the load balancer's 502, 503 and 504, from the site's own bucket under its path", () => {
    const page = `${MAINTENANCE_PATH}index.html`;
    // 502 and 503 come at once from the load balancer: never cached; a 504 (a timeout) for 10 s at an edge.
    expect(site.custom_error_response).toEqual([
      { error_code: 502, response_code: 503, response_page_path: page, error_caching_min_ttl: 0 },
      { error_code: 503, response_code: 503, response_page_path: page, error_caching_min_ttl: 0 },
      { error_code: 504, response_code: 503, response_page_path: page, error_caching_min_ttl: 10 },
    ]);
    expect(site.ordered_cache_behavior).toEqual([expect.objectContaining({ path_pattern: `${MAINTENANCE_PATH}*`, target_origin_id: "maintenance", allowed_methods: ["GET", "HEAD"], viewer_protocol_policy: "redirect-to-https" })]);
    const origin = site.origin.find((o: Config) => o.origin_id === "maintenance");
    expect(origin).toEqual({ origin_id: "maintenance", domain_name: ref(maintenanceBucket(), "bucket_regional_domain_name"), origin_access_control_id: ref(s.address("aws_cloudfront_origin_access_control", "maintenance-site"), "id") });
    expect(s.where("aws_s3_object", "maintenance-site").map((o) => [o.key, o.bucket])).toEqual([[page.slice(1), ref(maintenanceBucket(), "id")]]);
    // The bucket is read by the site's distribution alone, and has none of its own.
    const policy = JSON.parse(s.one("aws_s3_bucket_policy", "maintenance-site").policy);
    expect(policy.Statement[0]).toMatchObject({ Effect: "Allow", Action: "s3:GetObject", Condition: { StringEquals: { "AWS:SourceArn": ref(siteAddress, "arn") } } });
    expect(s.where("aws_cloudfront_distribution")).toHaveLength(3);
  });

  it("points the site's A and AAAA names at the distribution, and leaves failover to CloudFront: no Route 53 health check gates them", () => {
    const records = s.where("aws_route53_record").filter((r) => r.name === spec.domain);
    const alias = { name: ref(siteAddress, "domain_name"), zone_id: ref(siteAddress, "hosted_zone_id"), evaluate_target_health: false };
    expect(records.map((r) => [r.type, r.alias, r.failover_routing_policy?.type, r.health_check_id])).toEqual([
      ["A", alias, "PRIMARY", undefined],
      ["AAAA", alias, undefined, undefined],
    ]);
    // The A record keeps the failover pair's PRIMARY address, so turning cdn.site on updates it in place.
    expect(s.address("aws_route53_record", "dns_primary")).toBeDefined();
    // The alarms watch the site's name, through CloudFront.
    expect(s.where("aws_route53_health_check").map((h) => [h.fqdn, h.type, h.resource_path])).toEqual([[spec.domain, "HTTPS", "/healthz"]]);
  });

  it("turns on for a live site without an outage: the maintenance distribution and the internet's rule are moved, and the load balancer closes only once the name has moved", () => {
    // The distribution that held the site's name (the maintenance site's) becomes the site's, in place: CloudFront lets no second one take the name.
    const moves = s.json.moved as { from: string; to: string }[];
    expect(moves).toContainEqual({ from: "aws_cloudfront_distribution.django_maintenance-site_distribution_E53A3BA1", to: siteAddress });
    // The rule that admitted the internet on 443 becomes CloudFront's, in place (EC2 modifies a rule's source)...
    const cloudfrontRule = s.address("aws_vpc_security_group_ingress_rule", "load-balancer_security-group_from-cloudfront-443");
    expect(moves).toContainEqual({ from: "aws_vpc_security_group_ingress_rule.django_load-balancer_security-group_from-internet-443_361F824A", to: cloudfrontRule });
    // ...and, with the listener's 403, only after both of the site's records name the distribution.
    const records = s.entries("aws_route53_record").filter(([, r]) => r.name === spec.domain).map(([id]) => `aws_route53_record.${id}`).sort();
    expect(records).toHaveLength(2);
    expect([...s.one("aws_vpc_security_group_ingress_rule", "from-cloudfront-443").depends_on].sort()).toEqual(records);
    expect([...s.one("aws_lb_listener", "load-balancer_https").depends_on].sort()).toEqual(records);
    // Every move's source is an address the stack no longer has, and its target one it has.
    for (const { from, to } of moves) expect({ from: s.text.includes(`"${from.split(".")[1]}":`), to: s.text.includes(`"${to.split(".")[1]}":`) }).toEqual({ from: false, to: true });
  });

  it("puts the firewall on the distribution (scope CLOUDFRONT, made in us-east-1), where its rate limit counts viewers", () => {
    const [acl] = s.entries("aws_wafv2_web_acl");
    expect(acl[1]).toMatchObject({ scope: "CLOUDFRONT", provider: "aws.us_east_1" });
    expect(site.web_acl_id).toBe(ref(`aws_wafv2_web_acl.${acl[0]}`, "arn"));
    expect(s.where("aws_wafv2_web_acl_association")).toEqual([]);
    // Another address than the regional ACL, which the switch destroys through its own provider.
    expect(acl[0]).toContain("cloudfront-web-acl");
  });

  it("passes the policy pack, and CT-CDN-004 fails the stack once the load balancer forwards without the header, or admits the internet", () => {
    const production = (doc: object) => evaluatePolicy(new StackDocument(doc), { stack: "edge-aws", cloud: AWS_POLICY, production: true });
    expect(production(s.json).failed).toEqual([]);
    const unguarded = structuredClone(s.json);
    const [rule] = Object.keys(unguarded.resource.aws_lb_listener_rule);
    unguarded.resource.aws_lb_listener_rule[rule].condition = [{ path_pattern: { values: ["/*"] } }];
    expect(production(unguarded).failed).toEqual([{ rule: "CT-CDN-004", resource: lb(), message: "a listener forwards requests without the distribution's secret header" }]);
    const open = structuredClone(s.json);
    const [ingress] = Object.entries(open.resource.aws_vpc_security_group_ingress_rule as Record<string, Config>).find(([, r]) => r.prefix_list_id)!;
    open.resource.aws_vpc_security_group_ingress_rule[ingress] = { ...open.resource.aws_vpc_security_group_ingress_rule[ingress], prefix_list_id: undefined, cidr_ipv4: "0.0.0.0/0" };
    expect(production(open).failed.map((f) => f.rule)).toEqual(expect.arrayContaining(["CT-CDN-004"]));
    // The firewall on the distribution is what CT-EDGE-001 asks of a load balancer behind it.
    const bare = structuredClone(s.json);
    delete bare.resource.aws_cloudfront_distribution[Object.keys(bare.resource.aws_cloudfront_distribution).find((id) => id.includes("dns_cdn"))!].web_acl_id;
    expect(production(bare).failed).toEqual([{ rule: "CT-EDGE-001", resource: lb(), message: "has no web ACL with a rate-based rule and a managed rule group" }]);
  });

  it("without failover: the plain record's address, no maintenance origin, origin errors as they are", () => {
    const plain = synthAwsEnvironment(withoutFailover);
    const distribution = plain.one("aws_cloudfront_distribution", "dns_cdn");
    expect(distribution.custom_error_response).toBeUndefined();
    expect(distribution.ordered_cache_behavior).toBeUndefined();
    expect(distribution.origin.map((o: Config) => o.origin_id)).toEqual(["load-balancer"]);
    expect(plain.where("aws_s3_bucket")).toHaveLength(2);
    expect(Object.keys(plain.resources("aws_route53_record")).filter((id) => /^django_dns_site_[0-9A-F]+$/.test(id))).toHaveLength(1);
    expect(plain.where("aws_route53_record").filter((r) => r.name === withoutFailover.domain).map((r) => r.failover_routing_policy)).toEqual([undefined, undefined]);
  });
});

describe("cdn.site on DigitalOcean + Cloudflare", () => {
  it("changes nothing: Cloudflare proxies every site's name already", () => {
    for (const environment of [spec, withoutFailover]) {
      const on = synthDoEnvironment(environment);
      const off = synthDoEnvironment({ ...environment, cdn: { ...environment.cdn, site: false } });
      expect({ environment: environment.environment, same: on.text === off.text }).toEqual({ environment: environment.environment, same: true });
    }
    const on = synthDoEnvironment(spec);
    expect(on.where("cloudflare_dns_record").filter((r) => r.name === spec.domain).map((r) => r.proxied)).toEqual([true]);
  });
});

describe("cdn.site in a spec", () => {
  it("is refused unless true or false, naming the environment, the field and the value", () => {
    expect(validateEnvironment(specWith({ cdn: { site: "yes" as unknown as boolean } })).map(formatIssue)).toEqual(['dev: cdn.site must be true or false, got "yes"']);
  });
});
