import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderMaintenancePage } from "../../modules/django/maintenance-page";
import { terraform } from "../../tools/registry/build";
import { INSPECTOR as digitalOceanInspector } from "../contract/inspectors/do";
import { checkValues, expectRefused, expr, plain, problemsIn, useModule, varArguments } from "./support";

const VPC_UUID = "c2a5e4f0-1b3d-4e6f-8a9b-0c1d2e3f4a5b";
const ACCOUNT = "0123456789abcdef0123456789abcdef";
const ZONE = "fedcba9876543210fedcba9876543210";
const VALUES = { name_prefix: "shop", account_id: ACCOUNT, zone_id: ZONE, record_name: "www.example.com", origin_address: "203.0.113.10" };

describe("the DigitalOcean load balancer module", () => {
  const { module, hcl } = useModule("cloudtiers-load-balancer", "digitalocean");
  const lb = () => hcl("main.tf").one("digitalocean_loadbalancer");

  it("terminates HTTPS with the named certificate and strong ciphers, and redirects HTTP", () => {
    expect(digitalOceanInspector.redirectsHttpToHttps(hcl("main.tf"))).toBe(true);
    expect(lb().forwarding_rule).toEqual([
      { certificate_name: expr("var.certificate_name"), entry_port: 443, entry_protocol: "https", target_port: expr("var.target_port"), target_protocol: "http" },
      { entry_port: 80, entry_protocol: "http", target_port: expr("var.target_port"), target_protocol: "http" },
    ]);
    expect(lb()).toMatchObject({
      redirect_http_to_https: true,
      tls_cipher_policy: "STRONG",
      network: "EXTERNAL",
      enable_backend_keepalive: true,
      http_idle_timeout_seconds: expr("var.idle_timeout_seconds"),
      size_unit: expr("var.size_unit"),
      region: expr("var.region"),
      vpc_uuid: expr("var.vpc_uuid"),
      project_id: expr("var.project_id"),
      name: "${var.name_prefix}-public",
    });
  });

  it("checks each droplet's health path and sends traffic to the droplets of the tag", () => {
    expect(lb().healthcheck).toEqual([
      { check_interval_seconds: 10, healthy_threshold: 2, path: expr("var.health_check_path"), port: expr("var.target_port"), protocol: "http", response_timeout_seconds: 5, unhealthy_threshold: 3 },
    ]);
    expect(lb().droplet_tag).toBe(expr("var.droplet_tag"));
  });

  it("admits only Cloudflare's IPv4 ranges, read from Cloudflare", () => {
    expect(Object.keys(hcl("main.tf").data("cloudflare_ip_ranges"))).toEqual(["cloudflare_ip_ranges"]);
    expect(lb().firewall).toEqual([{ allow: expr('[for key, val in toset(data.cloudflare_ip_ranges.cloudflare_ip_ranges.ipv4_cidrs) : "cidr:${val}"]') }]);
    expect(digitalOceanInspector.publicEntryPoints(hcl("main.tf")).other).toEqual([]);
    expect(hcl("outputs.tf").outputs.ip.value).toBe(expr("digitalocean_loadbalancer.load_balancer_load_balancer.ip"));
  });

  it("refuses what the spec refuses", () => {
    const values = { name_prefix: "shop", region: "fra1", vpc_uuid: VPC_UUID, certificate_name: "shop-load-balancer-0f1e2d3c", droplet_tag: "shop-web" };
    expectRefused(module, {
      ...values,
      region: "mars1",
      vpc_uuid: "vpc-1",
      certificate_name: " ",
      droplet_tag: "web pool",
      health_check_path: "healthz",
      target_port: 0,
      idle_timeout_seconds: 10,
      size_unit: 101,
      project_id: "default",
    }, [
      "The region must be one of",
      'The vpc_uuid must be a VPC id (a UUID such as "c2a5e4f0-1b3d-4e6f-8a9b-0c1d2e3f4a5b").',
      "The certificate_name must name a certificate uploaded to DigitalOcean.",
      "The droplet_tag must be a droplet tag (letters, digits, colons, dashes and underscores).",
      'The health_check_path must be an absolute URL path such as "/healthz".',
      "The target_port must be a whole number between 1 and 65535.",
      "The idle_timeout_seconds must be a whole number between 30 and 600.",
      "The size_unit must be a whole number between 1 and 100.",
      "The project_id must be a project id (a UUID).",
    ]);
    expect(problemsIn(checkValues(module, { ...values, target_port: 8080, health_check_path: "/health/ready", idle_timeout_seconds: 600, size_unit: 4, project_id: VPC_UUID }))).toEqual([]);
  });
});

describe("the DigitalOcean certificate module", () => {
  const { module, hcl } = useModule("cloudtiers-certificate", "digitalocean");
  const resource = (type: string) => hcl("main.tf").one(type);
  const names = expr("concat([var.domain_name], var.alternative_names)");

  it("requests an Origin CA certificate for every name with a key from the tls provider", () => {
    expect(resource("tls_private_key")).toMatchObject({ algorithm: "ECDSA", ecdsa_curve: "P256" });
    expect(resource("tls_cert_request")).toMatchObject({ dns_names: names, subject: [{ common_name: expr("element(concat([var.domain_name], var.alternative_names), 0)") }] });
    expect(resource("cloudflare_origin_ca_certificate")).toMatchObject({
      csr: expr("tls_cert_request.certificate_origin_request.cert_request_pem"),
      hostnames: names,
      request_type: "origin-ecc",
      requested_validity: 5475,
    });
  });

  it("uploads it to DigitalOcean under a name of its content, the new one before the old one goes", () => {
    expect(resource("digitalocean_certificate")).toMatchObject({
      name: "${var.name_prefix}-${var.use}-${substr(sha1(cloudflare_origin_ca_certificate.certificate_origin_certificate.certificate), 0, 8)}",
      type: "custom",
      private_key: expr("tls_private_key.certificate_origin_key.private_key_pem"),
      lifecycle: [{ create_before_destroy: true }],
    });
    expect(hcl("outputs.tf").outputs.name.value).toBe(expr("digitalocean_certificate.certificate_certificate.name"));
  });

  it("refuses what the spec refuses, and a CDN use DigitalOcean cannot serve", () => {
    expectRefused(module, { name_prefix: "shop", domain_name: "Example.com", alternative_names: ["ok.example.com", "not a name"], use: "cdn" }, [
      'The domain_name must be a lower-case domain name such as "www.example.com".',
      'Every item of alternative_names must be a lower-case domain name such as "www.example.com".',
      'The use must be one of "load-balancer".',
    ]);
    expect(problemsIn(checkValues(module, { name_prefix: "shop", domain_name: "www.example.com", alternative_names: ["example.com"], use: "load-balancer" }))).toEqual([]);
  });
});

describe("the Cloudflare DNS failover module", () => {
  const { module, read, hcl } = useModule("cloudtiers-dns-failover", "cloudflare");
  const main = read("main.tf");
  const resource = (type: string) => hcl("main.tf").one(type);
  const afterStrictTls = [expr("cloudflare_zone_setting.dns_ssl")];

  it("proxies the name to the origin: an A record of an address, a CNAME of a host name", () => {
    expect(resource("cloudflare_dns_record")).toMatchObject({
      content: expr("var.origin_address"),
      name: expr("var.record_name"),
      proxied: true,
      zone_id: expr("var.zone_id"),
      type: expr('can(regex("^[0-9.]+$", var.origin_address)) ? "A" : "CNAME"'),
      depends_on: afterStrictTls,
    });
    // Once the zone is in Full (strict), which the module sets itself: the origin redirects HTTP to HTTPS.
    expect(resource("cloudflare_zone_setting")).toMatchObject({ setting_id: "ssl", value: "strict", zone_id: expr("var.zone_id") });
    expect(resource("cloudflare_workers_route").depends_on).toEqual(afterStrictTls);
    const type = (origin: string) => plain(checkValues(module, { ...VALUES, origin_address: origin }, `can(regex("^[0-9.]+$", var.origin_address)) ? "A" : "CNAME"`)).trim();
    expect(type("203.0.113.10")).toContain('"A"');
    expect(type("origin.example.com")).toContain('"CNAME"');
  });

  it("runs the site's edge Worker on a route for every request to the name, with no Load Balancing", () => {
    expect(resource("cloudflare_workers_script")).toMatchObject({ main_module: "worker.js", script_name: "${var.name_prefix}-edge" });
    expect(resource("cloudflare_workers_route")).toMatchObject({ pattern: "${var.record_name}/*", script: expr("cloudflare_workers_script.dns_worker.script_name"), zone_id: expr("var.zone_id") });
    expect(digitalOceanInspector.failoverTarget(hcl("main.tf"))).toEqual({ maintenanceFor: "${var.record_name}" });
    expect(Object.keys(hcl("main.tf").json.resource).sort()).toEqual(["cloudflare_dns_record", "cloudflare_workers_route", "cloudflare_workers_script", "cloudflare_zone_setting"]);
    expect(hcl("main.tf").json.module).toBeUndefined();
    // Cloudflare v5 has nested attributes only: no block may remain in its resources (parsed, a block and a list of objects look alike).
    expect(main).not.toMatch(/^\s+(origins|header)\s*\{/m);
  });

  it("serves the page the stacks render, escaped, from the title and message the caller gives, when the origin is down (run in Node)", () => {
    const content = /content\s+= (<<EOF\n[^]*?\nEOF\n)/.exec(main)![1];
    const dir = mkdtempSync(join(tmpdir(), "cloudtiers-worker-module-"));
    try {
      cpSync(join(module.directory, "variables.tf"), join(dir, "variables.tf"));
      writeFileSync(join(dir, "worker.tf"), `locals {\n  content = ${content}}\n`);
      const title = 'Back <soon> & "ready"';
      const message = "Costs ${price}, 100% \\ sure";
      const values = { ...VALUES, maintenance_title: title, maintenance_message: message };
      const run = terraform(["console", ...varArguments(values)], { cwd: dir, input: "base64encode(local.content)\n" });
      expect(problemsIn(run.output)).toEqual([]);
      writeFileSync(join(dir, "worker.mjs"), Buffer.from(JSON.parse(plain(run.stdout).trim()), "base64").toString("utf8"));
      // Nothing listens on the port of a server just closed: the origin refuses the connection.
      const probe = `
        import http from "node:http";
        import worker from ${JSON.stringify(join(dir, "worker.mjs"))};
        const closed = http.createServer();
        await new Promise((r) => closed.listen(0, "127.0.0.1", r));
        const port = closed.address().port;
        await new Promise((r) => closed.close(r));
        const res = await worker.fetch(new Request("http://127.0.0.1:" + port + "/any/path"), {});
        console.log(JSON.stringify([res.status, await res.text()]));`;
      const node = spawnSync(process.execPath, ["--input-type=module", "-e", probe], { encoding: "utf8" });
      expect(node.stderr).toBe("");
      expect(JSON.parse(node.stdout)).toEqual([503, renderMaintenancePage(title, message)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses what the spec refuses", () => {
    expectRefused(module, {
      ...VALUES,
      account_id: "acme",
      zone_id: "Z0123",
      record_name: "WWW",
      origin_address: "300.1.1.1",
      health_check_path: "healthz",
      maintenance_title: " ",
      maintenance_message: "x".repeat(501),
    }, [
      "The account_id must be a Cloudflare account id (32 hexadecimal characters).",
      "The zone_id must be a Cloudflare zone id (32 hexadecimal characters).",
      'The record_name must be a lower-case domain name such as "www.example.com".',
      'The origin_address must be an IPv4 address such as "203.0.113.10" or a lower-case host name.',
      'The health_check_path must be an absolute URL path such as "/healthz".',
      "The maintenance_title must be text of 1 to 500 characters.",
      "The maintenance_message must be text of 1 to 500 characters.",
    ]);
    expect(problemsIn(checkValues(module, VALUES))).toEqual([]);
    expect(problemsIn(checkValues(module, { ...VALUES, origin_address: "origin.example.com", health_check_path: "/health/" }))).toEqual([]);
  });
});
