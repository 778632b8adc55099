import { Fn } from "cdktf";
import { CertificateUse, DEFAULTS, DOMAIN_NAME, DOMAIN_NAME_WORDS } from "../../modules/core";
import { CloudflareDnsFailover, IOriginTarget } from "../../modules/cloudflare/dns-failover";
import { cloudflareEdgeCidrs } from "../../modules/cloudflare/ip-ranges";
import { MaintenanceSite } from "../../modules/cloudflare/maintenance-site";
import { CLOUDFLARE_ID } from "../../modules/cloudflare/settings";
import { ExistingCloudflareZone } from "../../modules/cloudflare/zone";
import { DoCertificate, ExistingDoCertificate } from "../../modules/digitalocean/certificate";
import { DoLoadBalancer } from "../../modules/digitalocean/load-balancer";
import { ExistingDoNetwork } from "../../modules/digitalocean/network";
import { DO_INPUTS } from "../../modules/digitalocean/settings";
import { NGINX_PORT } from "../../modules/django/host";
import { renderMaintenancePage } from "../../modules/django/maintenance-page";
import { ModuleDefinition, ModuleVariable, ProviderRequirement } from "./definition";
import { DIGITALOCEAN, DROPLET_TAG, regionVariable, vpcUuidVariable } from "./digitalocean";
import { declaredVariable, domainVariable, eachMatchesRule, healthCheckPathVariable, maintenanceTextVariable, namePrefixVariable, oneOfRule, patternVariable, wholeNumberRule } from "./variables";

/*
 * The traffic-entry tiers of the DigitalOcean + Cloudflare cloud as standalone modules:
 * the public load balancer, its Origin CA certificate, and the Cloudflare failover in
 * front of it. Inputs mirror the AWS modules' where they mean the same.
 */

/** The Cloudflare provider; the caller configures it (`CLOUDFLARE_API_TOKEN`). */
export const CLOUDFLARE: ProviderRequirement = { name: "cloudflare", binding: "@cdktf/provider-cloudflare" };
/** The TLS provider, which generates Origin CA certificates' keys. */
export const TLS: ProviderRequirement = { name: "tls", binding: "@cdktf/provider-tls" };

/** The idle timeouts a DigitalOcean load balancer takes, in seconds. */
const DO_LB_IDLE_TIMEOUT_SECONDS = { min: 30, max: 600 } as const;
/** Droplet tags: letters, digits, colons, hyphens and underscores, at most 255 characters. */
const IPV4_ADDRESS = /^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/;
/**
 * Where a DigitalOcean Origin CA certificate can be presented: on the load balancer only.
 * DigitalOcean's CDN refuses Origin CA certificates, and names proxied by Cloudflare
 * present Cloudflare's edge certificate (the stacks create nothing for `cdn`).
 */
const DO_CERTIFICATE_USES: readonly CertificateUse[] = ["load-balancer"];

/** A Cloudflare account or zone id. */
export const cloudflareId = (name: string, what: string, example: string): ModuleVariable =>
  patternVariable(name, `The Cloudflare ${what} id (32 hexadecimal characters).`, CLOUDFLARE_ID, `a Cloudflare ${what} id (32 hexadecimal characters)`, example);

/** The public DigitalOcean load balancer behind Cloudflare, as `DoLoadBalancer` builds it for the stacks. */
export const DO_LOAD_BALANCER_MODULE: ModuleDefinition = {
  name: "cloudtiers-load-balancer",
  provider: "digitalocean",
  description:
    "The public DigitalOcean load balancer in front of the web droplets, reachable only through Cloudflare: HTTPS on 443 with an uploaded certificate " +
    "(the Cloudflare Origin CA certificate of cloudtiers-certificate) and the strong cipher policy, HTTP on 80 redirected to HTTPS, backend keepalive, " +
    "a health check of each droplet's health path, and a firewall that admits only Cloudflare's IPv4 ranges (read from Cloudflare at plan time). " +
    "It sends traffic to the droplets carrying a tag. (The internal load balancer of the split layout is part of the topology.)",
  providers: [DIGITALOCEAN, CLOUDFLARE],
  variables: [
    namePrefixVariable("shop-production"),
    vpcUuidVariable,
    regionVariable,
    {
      name: "certificate_name",
      type: "string",
      description: "The name of the uploaded certificate HTTPS presents: cloudtiers-certificate's `name` (a Cloudflare Origin CA certificate, for SSL strict).",
      validation: [{ condition: 'trimspace(var.certificate_name) != ""', errorMessage: "The certificate_name must name a certificate uploaded to DigitalOcean." }],
      example: "shop-production-load-balancer-0f1e2d3c",
    },
    patternVariable("droplet_tag", "The tag of the droplets it sends traffic to (the web pool's).", DROPLET_TAG, "a droplet tag (letters, digits, colons, dashes and underscores)", "shop-production-web"),
    { name: "target_port", type: "number", description: "The port the droplets serve HTTP on (nginx).", default: NGINX_PORT, validation: [wholeNumberRule("target_port", 1, 65535)] },
    healthCheckPathVariable("The path each droplet answers 200 on when healthy."),
    {
      name: "idle_timeout_seconds",
      type: "number",
      description: "Seconds an idle HTTP connection is kept open.",
      default: DEFAULTS.loadBalancer.idleTimeoutSeconds,
      validation: [wholeNumberRule("idle_timeout_seconds", DO_LB_IDLE_TIMEOUT_SECONDS.min, DO_LB_IDLE_TIMEOUT_SECONDS.max)],
    },
    declaredVariable("loadBalancerSizeUnit", DO_INPUTS.loadBalancerSizeUnit, "Load balancer size units, each about 10,000 connections per second.", "size_unit"),
    declaredVariable("projectId", DO_INPUTS.projectId, "The DigitalOcean project the load balancer joins (a UUID); the account's default project when null."),
  ],
  build(scope, inputs) {
    const lb = new DoLoadBalancer(scope, "load-balancer", {
      namePrefix: inputs.name_prefix.string,
      network: new ExistingDoNetwork(inputs.vpc_uuid.string, inputs.region.string, ""),
      scheme: "public",
      certificate: new ExistingDoCertificate(inputs.certificate_name.string, "load-balancer"),
      targetPort: inputs.target_port.number,
      healthCheck: { path: inputs.health_check_path.string },
      idleTimeoutSeconds: inputs.idle_timeout_seconds.number,
      sizeUnit: inputs.size_unit.number,
      projectId: inputs.project_id.string,
      edgeCidrs: cloudflareEdgeCidrs(scope),
    });
    lb.targetTag(inputs.droplet_tag.string);
    return [
      { name: "ip", description: "The load balancer's public IPv4 address: cloudtiers-dns-failover's `origin_address`.", value: lb.originAddress },
      { name: "id", description: "The load balancer's id: admit it on the droplets' firewall (`source_load_balancer_uids`) on `target_port`.", value: lb.lb.id },
      { name: "urn", description: "The load balancer's URN, for a project's resources.", value: lb.lb.urn },
      { name: "name", description: "The load balancer's name.", value: lb.lb.name },
    ];
  },
  notes: [
    "The firewall admits Cloudflare's IPv4 ranges only, so the site is reachable through Cloudflare alone: put its address behind a proxied name (cloudtiers-dns-failover) with the zone in SSL `strict` mode.",
    "The droplets' own firewall must admit the load balancer (output `id`) on `target_port`; DigitalOcean load balancer firewalls name addresses, not droplet tags.",
    "The `cloudflare` provider is only read from here (`data.cloudflare_ip_ranges`): the ranges follow Cloudflare's list on every plan.",
  ],
};

/** The Origin CA certificate a DigitalOcean load balancer presents to Cloudflare, as `DoCertificate` makes it for the stacks. */
export const DO_CERTIFICATE_MODULE: ModuleDefinition = {
  name: "cloudtiers-certificate",
  provider: "digitalocean",
  description:
    "A Cloudflare Origin CA certificate (ECDSA P-256, 15 years) for a name and its alternatives, its key generated by the tls provider (kept in state), " +
    "uploaded to DigitalOcean as a custom certificate for the load balancer. Cloudflare's edge trusts it under SSL `strict`, nothing else does: " +
    "viewers see Cloudflare's edge certificate. Its name carries a hash of the certificate, so a replacement is uploaded before the old one goes.",
  providers: [DIGITALOCEAN, CLOUDFLARE, TLS],
  variables: [
    namePrefixVariable("shop-production"),
    domainVariable("domain_name", "The certificate's main name.", "www.example.com"),
    {
      name: "alternative_names",
      type: "list(string)",
      description: "Further names it covers.",
      default: [],
      validation: [eachMatchesRule("alternative_names", DOMAIN_NAME, DOMAIN_NAME_WORDS)],
    },
    {
      name: "use",
      type: "string",
      description:
        "Where it is presented, for its name: `load-balancer` only (DigitalOcean's CDN refuses Origin CA certificates; Cloudflare presents its own edge certificate for proxied names).",
      default: "load-balancer",
      validation: [oneOfRule("use", DO_CERTIFICATE_USES)],
    },
  ],
  build(scope, inputs) {
    const certificate = new DoCertificate(scope, "certificate", {
      namePrefix: inputs.name_prefix.string,
      // Origin CA certificates need no DNS validation: the zone is not used.
      zone: { zoneName: "" },
      domainName: inputs.domain_name.string,
      alternativeNames: inputs.alternative_names.list,
      use: inputs.use.string as CertificateUse,
    });
    return [
      { name: "name", description: "The uploaded certificate's name: cloudtiers-load-balancer's `certificate_name`.", value: certificate.name },
      { name: "uuid", description: "The uploaded certificate's UUID.", value: certificate.certificate.uuid },
      { name: "names", description: "Every name it covers, the main name first.", value: certificate.names },
      { name: "expires_on", description: "When the Origin CA certificate expires.", value: certificate.origin.expiresOn },
    ];
  },
  notes: [
    "The `cloudflare` provider needs an API token allowed to create Origin CA certificates (Zone, SSL and Certificates, Edit).",
    "The private key is generated in Terraform state (tls_private_key): keep the state encrypted and access-controlled.",
  ],
};

/** The site's name on Cloudflare with its edge Worker and maintenance page, as `CloudflareDnsFailover` builds it. */
export const CLOUDFLARE_DNS_FAILOVER_MODULE: ModuleDefinition = {
  name: "cloudtiers-dns-failover",
  provider: "cloudflare",
  description:
    "The site's name on Cloudflare as a proxied record of the origin (the DigitalOcean load balancer's address), with a Worker on a route for the name: " +
    "it passes every request to the origin and, when the origin gives no answer of its own (a failed connection, no response headers within 70 s, " +
    "502, 503, 504 or one of Cloudflare's 52x; a 500 only while the health path fails too), answers with the maintenance page and a 503, as the cloudtiers stacks do. " +
    "No Cloudflare Load Balancing: a load balancer's fallback pool cannot use a Worker, whose name Cloudflare proxies, as its origin.",
  providers: [CLOUDFLARE],
  variables: [
    namePrefixVariable("shop-production"),
    cloudflareId("account_id", "account", "0123456789abcdef0123456789abcdef"),
    cloudflareId("zone_id", "zone", "fedcba9876543210fedcba9876543210"),
    domainVariable("record_name", "The site's host name, in the zone.", "www.example.com"),
    {
      name: "origin_address",
      type: "string",
      description: "The origin's public address: the load balancer's IPv4 address (cloudtiers-load-balancer's `ip`, an A record) or a host name (a CNAME).",
      validation: [
        {
          condition: `can(regex(${JSON.stringify(IPV4_ADDRESS.source)}, var.origin_address)) || can(regex(${JSON.stringify(DOMAIN_NAME.source)}, var.origin_address))`,
          errorMessage: 'The origin_address must be an IPv4 address such as "203.0.113.10" or a lower-case host name.',
        },
      ],
      example: "203.0.113.10",
    },
    healthCheckPathVariable("The path the Worker asks over the site's name after a 500: while it answers 2xx or 3xx, the 500 is the application's own and passes through."),
    maintenanceTextVariable("title", "The maintenance page's title and heading.", "maintenance_title"),
    maintenanceTextVariable("message", "The maintenance page's message.", "maintenance_message"),
  ],
  build(scope, inputs) {
    const origin = inputs.origin_address.string;
    const primary: IOriginTarget & { port: number } = { hostname: origin, originAddress: origin, port: 443 };
    const page = new MaintenanceSite({
      domain: inputs.record_name.string,
      files: { "index.html": renderMaintenancePage(inputs.maintenance_title.string, inputs.maintenance_message.string, "terraform") },
      references: true,
    });
    const failover = new CloudflareDnsFailover(scope, "dns", {
      namePrefix: inputs.name_prefix.string,
      zone: new ExistingCloudflareZone(inputs.zone_id.string, inputs.account_id.string, ""),
      recordName: inputs.record_name.string,
      // The variable's validation admits an IPv4 address or a host name, whose last label starts with a letter.
      recordType: Fn.conditional(Fn.can(Fn.regex("^[0-9.]+$", origin)), "A", "CNAME") as "A" | "CNAME",
      primary,
      healthCheckPath: inputs.health_check_path.string,
      secondary: page,
    });
    return [
      { name: "record_name", description: "The site's host name.", value: failover.recordName },
      { name: "record_id", description: "The proxied record of the origin.", value: failover.record.id },
      { name: "ssl_setting_id", description: "The zone's encryption mode (Full, strict), which the module sets.", value: failover.ssl.id },
      { name: "worker_script_name", description: "The site's edge Worker.", value: failover.worker!.scriptName },
      { name: "route_id", description: "The Workers route that runs the edge Worker for every request to the name.", value: failover.route!.id },
    ];
  },
  notes: [
    "The Cloudflare account needs Workers Paid ($5 a month, 10 million requests included): the route runs the Worker on every request to the site, and on the Workers Free plan, past " +
      "100,000 requests a day, a route created through the API fails closed (every visitor gets Cloudflare's error 1027 until midnight UTC). The provider cannot set a route to fail open " +
      "(cloudflare/terraform-provider-cloudflare#1506). Cloudflare Load Balancing is not used.",
    "The Worker gives up on the origin after 70 s without response headers: longer than the cloudtiers hosts' own 60 s limits (gunicorn, nginx, the load balancer's idle timeout), " +
      "so no answer the origin would still give is cut off, and shorter than Cloudflare's own 100 s (error 524). Request bodies pass through as they came; nothing is retried.",
    "The module sets the zone's SSL/TLS encryption mode to Full (strict) before it proxies the name (a zone-wide setting; deleting the module leaves it): the origin presents a Cloudflare Origin CA " +
      "certificate and redirects HTTP to HTTPS, so under Flexible the name would loop, and the Worker's requests to the origin follow the zone's mode too. Every proxied origin in the zone must then present a certificate Cloudflare trusts.",
    "Keep `record_name` at the zone's apex or one level below it unless the zone has an Advanced Certificate: Universal SSL covers no deeper names. The module cannot check this (it is not given the zone's name); the cloudtiers spec validator does.",
  ],
};
