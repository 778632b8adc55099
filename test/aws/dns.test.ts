import { awsFixture, publicLoadBalancer, ref, synth } from "../helpers";

function site(failover: boolean) {
  const f = awsFixture();
  const lb = publicLoadBalancer(f, "lb");
  const secondary = failover
    ? f.factory.createStaticSite(f.stack, "maintenance", {
        namePrefix: f.namePrefix,
        domain: "www.example.com",
        deletionProtection: false,
        zone: f.zone,
        certificate: f.cdnCertificate,
        files: { "index.html": "down" },
      })
    : undefined;
  f.factory.createDnsFailover(f.stack, "dns", { namePrefix: f.namePrefix, zone: f.zone, recordName: "www.example.com", primary: lb, healthCheckPath: "/healthz", secondary });
  return synth(f.stack);
}

describe("AWS DNS failover", () => {
  it("health-checks the load balancer over HTTPS on the health path", () => {
    const s = site(true);
    expect(s.one("aws_route53_health_check")).toMatchObject({
      type: "HTTPS",
      fqdn: ref(s.address("aws_lb", "lb"), "dns_name"),
      port: 443,
      resource_path: "/healthz",
      failure_threshold: 3,
      request_interval: 30,
    });
  });

  it("routes to the load balancer while healthy and to the maintenance distribution otherwise", () => {
    const s = site(true);
    const lb = s.address("aws_lb", "lb");
    const cdn = s.address("aws_cloudfront_distribution", "maintenance");
    expect(s.one("aws_route53_record", "dns_primary")).toMatchObject({
      name: "www.example.com",
      type: "A",
      set_identifier: "primary",
      failover_routing_policy: { type: "PRIMARY" },
      health_check_id: ref(s.address("aws_route53_health_check"), "id"),
      alias: { name: ref(lb, "dns_name"), zone_id: ref(lb, "zone_id"), evaluate_target_health: true },
    });
    expect(s.one("aws_route53_record", "dns_secondary")).toMatchObject({
      name: "www.example.com",
      type: "A",
      set_identifier: "secondary",
      failover_routing_policy: { type: "SECONDARY" },
      alias: { name: ref(cdn, "domain_name"), zone_id: ref(cdn, "hosted_zone_id"), evaluate_target_health: false },
    });
  });

  it("without a secondary: one plain alias to the load balancer, no health check", () => {
    const s = site(false);
    expect(s.where("aws_route53_health_check")).toHaveLength(0);
    const record = s.one("aws_route53_record", "dns_site");
    expect(record.failover_routing_policy).toBeUndefined();
    expect(record.alias.name).toBe(ref(s.address("aws_lb", "lb"), "dns_name"));
  });
});

describe("AWS certificates and zone", () => {
  it("issues the CloudFront certificate in us-east-1 through the provider alias, the other in the stack's region", () => {
    const s = synth(awsFixture().stack);
    expect(s.one("aws_acm_certificate", "cdn-certificate")).toMatchObject({ provider: "aws.us_east_1", domain_name: "media.example.com", validation_method: "DNS" });
    expect(s.one("aws_acm_certificate_validation", "cdn-certificate").provider).toBe("aws.us_east_1");
    expect(s.one("aws_acm_certificate", "certificate").provider).toBeUndefined();
  });

  it("validates through one Route 53 record per name, shared by certificates that cover the same name", () => {
    const s = synth(awsFixture().stack);
    const records = s.where("aws_route53_record", "zone_validation");
    expect(records).toHaveLength(2);
    const www = s.address("aws_route53_record", "zone_validation-www-example-com");
    const media = s.address("aws_route53_record", "zone_validation-media-example-com");
    expect(s.one("aws_acm_certificate_validation", "certificate_validation").validation_record_fqdns).toEqual([ref(www, "fqdn")]);
    expect(s.one("aws_acm_certificate_validation", "cdn-certificate").validation_record_fqdns).toEqual([ref(media, "fqdn"), ref(www, "fqdn")]);
    expect(s.one("aws_route53_record", "zone_validation-www-example-com").name).toContain(`val.resource_record_name if val.domain_name == "www.example.com"`);
  });

  it("looks the zone up by name unless given its id, or creates and protects it when asked", () => {
    const lookedUp = synth(awsFixture().stack);
    expect(Object.values(lookedUp.data("aws_route53_zone"))[0]).toMatchObject({ name: "example.com", private_zone: false });

    const byId = awsFixture({ hostedZoneId: "Z0123456789ABC" });
    const s = synth(byId.stack);
    expect(s.data("aws_route53_zone")).toEqual({});
    expect(s.one("aws_route53_record", "zone_validation-www-example-com").zone_id).toBe("Z0123456789ABC");

    const created = awsFixture();
    created.factory.createDnsZone(created.stack, "own-zone", { namePrefix: "shop-test", zoneName: "shop.example.com", create: true, deletionProtection: true });
    expect(synth(created.stack).one("aws_route53_zone", "own-zone")).toMatchObject({ name: "shop.example.com", force_destroy: false, lifecycle: { prevent_destroy: true } });
  });
});
