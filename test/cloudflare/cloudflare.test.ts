import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatIssue } from "../../modules/core";
import { maintenanceWorker } from "../../modules/cloudflare/maintenance-site";
import { validateCloudflareSettings } from "../../modules/cloudflare/settings";
import { ZONE_TLS_SETTINGS } from "../../modules/cloudflare/zone";
import { doFixture, ref, synth } from "../helpers";

function site(failover: boolean) {
  const f = doFixture();
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
  it("monitors the origin load balancer over HTTPS on the health path, as the site", () => {
    const s = site(true);
    expect(s.one("cloudflare_load_balancer_monitor")).toMatchObject({
      account_id: "a".repeat(32),
      type: "https",
      path: "/healthz",
      port: 443,
      expected_codes: "200",
      header: { Host: ["www.example.com"] },
    });
  });

  it("sends the site to the origin pool while healthy and to the maintenance Worker otherwise", () => {
    const s = site(true);
    const primary = s.address("cloudflare_load_balancer_pool", "dns_primary-pool");
    const fallback = s.address("cloudflare_load_balancer_pool", "dns_maintenance-pool");
    expect(s.one("cloudflare_load_balancer")).toMatchObject({
      zone_id: "b".repeat(32),
      name: "www.example.com",
      default_pools: [ref(primary, "id")],
      fallback_pool: ref(fallback, "id"),
      proxied: true,
      steering_policy: "off",
    });
    expect(s.one("cloudflare_load_balancer_pool", "dns_primary-pool")).toMatchObject({
      monitor: ref(s.address("cloudflare_load_balancer_monitor"), "id"),
      origins: [{ address: ref(s.address("digitalocean_loadbalancer", "lb"), "ip"), header: { host: ["www.example.com"] }, enabled: true, name: "load-balancer" }],
    });
    expect(s.one("cloudflare_load_balancer_pool", "dns_maintenance-pool").origins).toEqual([
      { address: "maintenance.www.example.com", header: { host: ["maintenance.www.example.com"] }, enabled: true, name: "maintenance" },
    ]);
    expect(s.one("cloudflare_workers_custom_domain")).toMatchObject({
      hostname: "maintenance.www.example.com",
      service: ref(s.address("cloudflare_workers_script"), "script_name"),
      zone_id: "b".repeat(32),
    });
  });

  it("without failover: one proxied record to the load balancer", () => {
    const s = site(false);
    expect(s.where("cloudflare_load_balancer")).toHaveLength(0);
    expect(s.one("cloudflare_dns_record", "dns")).toMatchObject({ name: "www.example.com", type: "A", proxied: true, content: ref(s.address("digitalocean_loadbalancer", "lb"), "ip") });
  });
});

describe("the maintenance Worker", () => {
  it("answers every path with the page and a 503, other files by path (run in Node)", () => {
    const dir = mkdtempSync(join(tmpdir(), "cloudtiers-worker-"));
    try {
      writeFileSync(join(dir, "worker.mjs"), maintenanceWorker({ "index.html": "<h1>Back soon</h1>", "style.css": "h1{color:red}" }));
      const probe = `
        import worker from ${JSON.stringify(join(dir, "worker.mjs"))};
        const out = [];
        for (const path of ["/", "/checkout/basket?x=1", "/style.css"]) {
          const res = await worker.fetch(new Request("https://www.example.com" + path));
          out.push([path, res.status, res.headers.get("content-type"), res.headers.get("cache-control"), await res.text()]);
        }
        console.log(JSON.stringify(out));`;
      const run = spawnSync(process.execPath, ["--input-type=module", "-e", probe], { encoding: "utf8" });
      expect(run.stderr).toBe("");
      expect(JSON.parse(run.stdout)).toEqual([
        ["/", 503, "text/html; charset=utf-8", "no-store", "<h1>Back soon</h1>"],
        ["/checkout/basket?x=1", 503, "text/html; charset=utf-8", "no-store", "<h1>Back soon</h1>"],
        ["/style.css", 503, "text/css; charset=utf-8", "no-store", "h1{color:red}"],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is deployed as a module Worker, its source escaped for Terraform", () => {
    const f = doFixture();
    f.factory.createStaticSite(f.stack, "maintenance", { namePrefix: f.namePrefix, domain: "www.example.com", zone: f.zone, certificate: f.cdnCertificate, deletionProtection: false, files: { "index.html": "cost ${price}" } });
    const script = synth(f.stack).one("cloudflare_workers_script");
    expect(script).toMatchObject({ script_name: "shop-test-maintenance", main_module: "worker.js", account_id: "a".repeat(32) });
    expect(script.content).toContain('"index.html":"cost $${price}"');
  });
});

describe("Cloudflare zone", () => {
  it("sets the zone's TLS (strict, HTTPS always, TLS 1.2+) only when this environment manages it", () => {
    const managed = synth(doFixture({}, { manageZoneSettings: true }).stack);
    expect(Object.fromEntries(managed.where("cloudflare_zone_setting").map((z) => [z.setting_id, z.value]))).toEqual(ZONE_TLS_SETTINGS);
    expect(ZONE_TLS_SETTINGS).toMatchObject({ ssl: "strict", min_tls_version: "1.2" });
    expect(synth(doFixture().stack).where("cloudflare_zone_setting")).toHaveLength(0);
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
});
