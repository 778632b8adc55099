import { formatIssue } from "../../modules/core";
import { CloudflareSettings, validateCloudflareSettings } from "../../modules/cloudflare/settings";
import { ORIGIN_SSL_MODE, ZONE_TLS_SETTINGS } from "../../modules/cloudflare/zone";
import { doFixture, ref, synth } from "../helpers";

function site(failover: boolean, cloudflare: Partial<CloudflareSettings> = {}) {
  const f = doFixture({}, cloudflare);
  const lb = f.factory.createLoadBalancer(f.stack, "lb", {
    namePrefix: f.namePrefix,
    network: f.network,
    scheme: "public",
    certificate: f.certificate,
    targetPort: 80,
    healthCheck: { path: "/healthz" },
  });
  const secondary = failover
    ? f.factory.createStaticSite(f.stack, "maintenance", { namePrefix: f.namePrefix, domain: "www.example.com", zone: f.zone, certificate: f.cdnCertificate, deletionProtection: false, files: { "index.html": "<h1>down</h1>" } })
    : undefined;
  f.factory.createDnsFailover(f.stack, "dns", { namePrefix: f.namePrefix, zone: f.zone, recordName: "www.example.com", primary: lb, healthCheckPath: "/healthz", secondary });
  return synth(f.stack);
}

describe("Cloudflare DNS failover", () => {
  it("proxies the site's name to the origin load balancer", () => {
    for (const failover of [true, false]) {
      const s = site(failover);
      expect(s.one("cloudflare_dns_record", "dns")).toMatchObject({ name: "www.example.com", type: "A", proxied: true, content: ref(s.address("digitalocean_loadbalancer", "lb"), "ip") });
    }
  });

  it("with a maintenance page: runs the site's edge Worker on a route for every request to the name, with no Load Balancing", () => {
    const s = site(true);
    expect(s.one("cloudflare_workers_route")).toMatchObject({
      zone_id: "b".repeat(32),
      pattern: "www.example.com/*",
      script: ref(s.address("cloudflare_workers_script"), "script_name"),
    });
    expect(s.one("cloudflare_workers_script")).toMatchObject({ account_id: "a".repeat(32), script_name: "shop-test-edge", main_module: "worker.js", compatibility_date: "2025-01-01" });
    // fetch(request) reaches the origin only without global_fetch_strictly_public, which would send it to the front door again.
    expect(s.one("cloudflare_workers_script").compatibility_flags).toBeUndefined();
    // A load balancer's pools may not use a name Cloudflare proxies, which is all a Worker answers on.
    for (const type of ["cloudflare_load_balancer", "cloudflare_load_balancer_pool", "cloudflare_load_balancer_monitor", "cloudflare_workers_custom_domain"]) expect(s.where(type)).toHaveLength(0);
  });

  it("without a maintenance page: no Worker", () => {
    const s = site(false);
    expect(s.where("cloudflare_workers_script")).toHaveLength(0);
    expect(s.where("cloudflare_workers_route")).toHaveLength(0);
  });

  it("falls back only to a page this factory made, naming what it was given", () => {
    const f = doFixture();
    const lb = f.factory.createLoadBalancer(f.stack, "lb", { namePrefix: f.namePrefix, network: f.network, scheme: "public", certificate: f.certificate, targetPort: 80, healthCheck: { path: "/healthz" } });
    expect(() =>
      f.factory.createDnsFailover(f.stack, "dns", { namePrefix: f.namePrefix, zone: f.zone, recordName: "www.example.com", primary: lb, healthCheckPath: "/healthz", secondary: { hostname: "maintenance.example.com" } }),
    ).toThrow('Cloudflare fails over only to a maintenance page made by this factory\'s createStaticSite, served by the site\'s edge Worker; got "maintenance.example.com"');
    expect(() => f.factory.createStaticSite(f.stack, "page", { namePrefix: f.namePrefix, domain: "www.example.com", zone: f.zone, certificate: f.cdnCertificate, deletionProtection: false, files: {} })).toThrow(
      "a static site needs an index.html",
    );
  });

  it("writes the page into the Worker as data, escaped for Terraform", () => {
    const f = doFixture();
    const lb = f.factory.createLoadBalancer(f.stack, "lb", { namePrefix: f.namePrefix, network: f.network, scheme: "public", certificate: f.certificate, targetPort: 80, healthCheck: { path: "/healthz" } });
    const page = f.factory.createStaticSite(f.stack, "page", { namePrefix: f.namePrefix, domain: "www.example.com", zone: f.zone, certificate: f.cdnCertificate, deletionProtection: false, files: { "index.html": "cost ${price}, 100%{x}" } });
    f.factory.createDnsFailover(f.stack, "dns", { namePrefix: f.namePrefix, zone: f.zone, recordName: "www.example.com", primary: lb, healthCheckPath: "/healthz", secondary: page });
    const content: string = synth(f.stack).one("cloudflare_workers_script").content;
    expect(content).toContain('"index.html": "cost \\u0024{price}, 100%%{x}",');
    expect(content).toContain('const HEALTH_PATH = "/healthz";');
  });
});

describe("Cloudflare zone", () => {
  it("sets the zone's other TLS settings (HTTPS always, TLS 1.2+, TLS 1.3) only when this environment manages them", () => {
    const managed = synth(doFixture({}, { manageZoneSettings: true }).stack);
    expect(Object.fromEntries(managed.where("cloudflare_zone_setting").map((z) => [z.setting_id, z.value]))).toEqual(ZONE_TLS_SETTINGS);
    expect(ZONE_TLS_SETTINGS).toEqual({ always_use_https: "on", min_tls_version: "1.2", tls_1_3: "on" });
    expect(synth(doFixture().stack).where("cloudflare_zone_setting")).toHaveLength(0);
  });

  it("is put in Full (strict) by every stack that proxies the site, before the name or the Worker takes traffic, whoever manages the zone's settings", () => {
    // Whichever stack sharing the zone deploys first must work: its origin redirects HTTP to HTTPS, which loops under Flexible.
    for (const [failover, manage] of [[false, false], [true, false], [true, true]]) {
      const s = site(failover, { manageZoneSettings: manage });
      const ssl = s.where("cloudflare_zone_setting").filter((z) => z.setting_id === "ssl");
      expect({ failover, manage, ssl }).toEqual({ failover, manage, ssl: [{ zone_id: "b".repeat(32), setting_id: "ssl", value: ORIGIN_SSL_MODE }] });
      const setting = s.address("cloudflare_zone_setting", "dns_ssl");
      expect(s.one("cloudflare_dns_record", "dns").depends_on).toEqual([setting]);
      if (failover) expect(s.one("cloudflare_workers_route").depends_on).toEqual([setting]);
    }
    expect(ORIGIN_SSL_MODE).toBe("strict");
  });

  it("is never created here (PROVIDER GAP)", () => {
    const f = doFixture();
    expect(() => f.factory.createDnsZone(f.stack, "other", { namePrefix: "x", zoneName: "example.org", create: true, deletionProtection: true })).toThrow(
      'Cloudflare zones are not created by this stack: give the id of "example.org" in cloudflare.zoneId',
    );
  });

  it("refuses proxied names its Universal SSL certificate does not cover, unless the zone has an advanced one", () => {
    const names = [
      { path: "domain", name: "www.example.com" },
      { path: "cdn.mediaDomain", name: "media.staging.example.com" },
      { path: "cdn.staticDomain", name: "example.com" },
    ];
    const ids = { accountId: "a".repeat(32), zoneId: "b".repeat(32) };
    expect(validateCloudflareSettings("staging", ids, "example.com", names).map(formatIssue)).toEqual([
      'staging: cdn.mediaDomain must be "example.com" or one level below it on Cloudflare, whose Universal SSL covers no deeper names, got "media.staging.example.com" (set cloudflare.advancedCertificates if the zone has an Advanced Certificate)',
    ]);
    expect(validateCloudflareSettings("staging", { ...ids, advancedCertificates: true }, "example.com", names)).toEqual([]);
    expect(validateCloudflareSettings("staging", { accountId: "nope", zoneId: ids.zoneId }, "example.com", []).map(formatIssue)).toEqual([
      'staging: cloudflare.accountId must be a Cloudflare account id (32 hexadecimal characters), got "nope"',
    ]);
  });

  it("takes the zone's plan by name", () => {
    const ids = { accountId: "a".repeat(32), zoneId: "b".repeat(32) };
    expect(validateCloudflareSettings("staging", { ...ids, plan: "business" }, "example.com", [])).toEqual([]);
    expect(validateCloudflareSettings("staging", { ...ids, plan: "Pro" as never }, "example.com", []).map(formatIssue)).toEqual([
      'staging: cloudflare.plan must be one of "free", "pro", "business", "enterprise", got "Pro"',
    ]);
  });
});
