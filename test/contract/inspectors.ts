import { AWS, CloudAdapter, DIGITALOCEAN } from "../../modules/stacks/clouds";
import { Config, Synth, ref } from "../helpers";

/**
 * Reads a synthesised stack of one cloud in neutral terms, so one contract can hold every
 * cloud to the same capabilities. Adding a cloud is writing its inspector and adding it
 * to `INSPECTORS`.
 */
export interface CloudInspector {
  readonly cloud: CloudAdapter;
  /** The pool of `role`'s bounds. */
  poolBounds(s: Synth, role: string): { min: number; max: number };
  /** The health path of the load balancer in front of `role`'s pool, if any. */
  poolHealthPath(s: Synth, role: string): string | undefined;
  /** Whether the public load balancer serves HTTPS and sends HTTP there permanently. */
  redirectsHttpToHttps(s: Synth): boolean;
  /** How many read replicas replicate the primary. */
  replicasOfPrimary(s: Synth): number;
  /** Whether a pooler sits in front of the primary and is the app's write endpoint. */
  poolerFrontsPrimary(s: Synth): boolean;
  /** What the internet can reach: load balancers, CDN host names, maintenance sites; anything else under `other`. */
  publicEntryPoints(s: Synth): { loadBalancers: number; cdnNames: string[]; maintenanceSites: number; other: string[] };
  /** While the origin is unhealthy: the site whose name a maintenance page answers for, if failover is on. */
  failoverTarget(s: Synth): { maintenanceFor: string } | undefined;
}

/** A nested block: an object in cdktf's JSON, a list of one in a parsed HCL file (a module's), as Terraform's JSON syntax writes it. */
const block = (value: Config | Config[] | undefined): Config | undefined => (Array.isArray(value) ? value[0] : value);

export const awsInspector: CloudInspector = {
  cloud: AWS,
  poolBounds(s, role) {
    const [, asg] = Object.entries(s.resources("aws_autoscaling_group")).find(([, g]) => g.name.endsWith(`-${role}`))!;
    return { min: asg.min_size, max: asg.max_size };
  },
  poolHealthPath(s, role) {
    const [, asg] = Object.entries(s.resources("aws_autoscaling_group")).find(([, g]) => g.name.endsWith(`-${role}`))!;
    const tgRef: string | undefined = asg.target_group_arns?.[0];
    if (!tgRef) return undefined;
    const [, tg] = Object.entries(s.resources("aws_lb_target_group")).find(([id]) => tgRef === ref(`aws_lb_target_group.${id}`, "arn"))!;
    return block(tg.health_check)?.path;
  },
  redirectsHttpToHttps(s) {
    const listeners = s.where("aws_lb_listener");
    const https = listeners.some((l) => l.port === 443 && l.protocol === "HTTPS" && l.certificate_arn);
    const redirect = listeners.some((l) => {
      const to = block(block(l.default_action)?.redirect);
      return l.port === 80 && to?.protocol === "HTTPS" && to.status_code === "HTTP_301";
    });
    return https && redirect;
  },
  replicasOfPrimary(s) {
    const primary = Object.entries(s.resources("aws_db_instance")).find(([, d]) => !d.replicate_source_db)!;
    return s.where("aws_db_instance").filter((d) => d.replicate_source_db === ref(`aws_db_instance.${primary[0]}`, "identifier")).length;
  },
  poolerFrontsPrimary(s) {
    const primary = Object.entries(s.resources("aws_db_instance")).find(([, d]) => !d.replicate_source_db)!;
    const targets = s.where("aws_db_proxy_target").filter((t) => t.db_instance_identifier === ref(`aws_db_instance.${primary[0]}`, "identifier"));
    const proxy = Object.keys(s.resources("aws_db_proxy"))[0];
    return targets.length === 1 && proxy !== undefined && String(s.outputs.database_url.value).includes(ref(`aws_db_proxy.${proxy}`, "endpoint"));
  },
  publicEntryPoints(s) {
    const publicLbs = s.where("aws_lb").filter((lb) => lb.internal === false);
    const publicSgs = new Set(Object.entries(s.resources("aws_security_group")).filter(([, g]) => g.name_prefix?.endsWith("-public-")).map(([id]) => ref(`aws_security_group.${id}`, "id")));
    const other = [
      ...s.where("aws_vpc_security_group_ingress_rule").filter((r) => (r.cidr_ipv4 || r.cidr_ipv6) && !publicSgs.has(r.security_group_id)).map((r) => `ingress ${r.description}`),
      ...s.where("aws_db_instance").filter((d) => d.publicly_accessible !== false).map((d) => `database ${d.identifier}`),
      ...s.where("aws_subnet").filter((sn) => sn.map_public_ip_on_launch !== false).map((sn) => `subnet ${sn.cidr_block}`),
      ...s.where("aws_s3_bucket_public_access_block").filter((b) => !(b.block_public_acls && b.block_public_policy && b.ignore_public_acls && b.restrict_public_buckets)).map((b) => `bucket ${b.bucket}`),
    ];
    // The maintenance site's distribution answers every miss with its page and a 503; the object stores' do not.
    const distributions = s.where("aws_cloudfront_distribution");
    const cdnNames = distributions.filter((d) => !servesOutagePage(d)).flatMap((d) => d.aliases as string[]);
    const maintenanceSites = distributions.filter(servesOutagePage).length;
    return { loadBalancers: publicLbs.length, cdnNames: cdnNames.sort(), maintenanceSites, other };
  },
  failoverTarget(s) {
    const secondary = s.where("aws_route53_record").find((r) => r.failover_routing_policy?.type === "SECONDARY");
    if (!secondary) return undefined;
    const [id, distribution] = Object.entries(s.resources("aws_cloudfront_distribution")).find(([d]) => secondary.alias.name === ref(`aws_cloudfront_distribution.${d}`, "domain_name"))!;
    // It must be the maintenance site: a distribution whose bucket holds the uploaded page.
    const bucketOrigin: string = distribution.origin[0].domain_name;
    const bucket = Object.keys(s.resources("aws_s3_bucket")).find((b) => bucketOrigin === ref(`aws_s3_bucket.${b}`, "bucket_regional_domain_name"));
    const page = s.where("aws_s3_object").some((o) => o.key === "index.html" && o.bucket === ref(`aws_s3_bucket.${bucket}`, "id"));
    return page && servesOutagePage(distribution) ? { maintenanceFor: distribution.aliases[0] } : { maintenanceFor: `not a maintenance site: ${id}` };
  },
};

/** A distribution that answers misses with the uploaded page and a 503: the maintenance site. */
function servesOutagePage(distribution: Config): boolean {
  return (distribution.custom_error_response ?? []).some((e: Config) => e.response_code === 503 && e.response_page_path === "/index.html");
}

export const digitalOceanInspector: CloudInspector = {
  cloud: DIGITALOCEAN,
  poolBounds(s, role) {
    const [, pool] = Object.entries(s.resources("digitalocean_droplet_autoscale")).find(([, p]) => p.name.endsWith(`-${role}`))!;
    const c = pool.config;
    return c.target_number_instances !== undefined ? { min: c.target_number_instances, max: c.target_number_instances } : { min: c.min_instances, max: c.max_instances };
  },
  poolHealthPath(s, role) {
    const [tagId] = Object.entries(s.resources("digitalocean_tag")).find(([, t]) => t.name.endsWith(`-${role}`))!;
    const lb = s.where("digitalocean_loadbalancer").find((l) => l.droplet_tag === ref(`digitalocean_tag.${tagId}`, "name"));
    return lb?.healthcheck.path;
  },
  redirectsHttpToHttps(s) {
    const lb = s.where("digitalocean_loadbalancer").find((l) => l.network === "EXTERNAL")!;
    return lb.redirect_http_to_https === true && lb.forwarding_rule.some((r: Config) => r.entry_port === 443 && r.entry_protocol === "https" && r.certificate_name);
  },
  replicasOfPrimary(s) {
    const [primaryId] = Object.entries(s.resources("digitalocean_database_cluster")).find(([, c]) => c.engine === "pg")!;
    // The disaster-recovery replica follows the primary too, but in another region and not for reads.
    return s.where("digitalocean_database_replica").filter((r) => r.cluster_id === ref(`digitalocean_database_cluster.${primaryId}`, "id") && !r.name.endsWith("-dr")).length;
  },
  poolerFrontsPrimary(s) {
    const [primaryId] = Object.entries(s.resources("digitalocean_database_cluster")).find(([, c]) => c.engine === "pg")!;
    const pools = Object.entries(s.resources("digitalocean_database_connection_pool")).filter(([, p]) => p.cluster_id === ref(`digitalocean_database_cluster.${primaryId}`, "id"));
    return pools.length === 1 && String(s.outputs.database_url.value).includes(ref(`digitalocean_database_connection_pool.${pools[0][0]}`, "private_host"));
  },
  publicEntryPoints(s) {
    const external = s.where("digitalocean_loadbalancer").filter((l) => l.network === "EXTERNAL");
    const other = [
      ...s.where("digitalocean_firewall").flatMap((fw) => (fw.inbound_rule ?? []).filter((r: Config) => r.source_addresses).map(() => `firewall ${fw.name}`)),
      ...s.where("digitalocean_spaces_bucket").filter((b) => b.acl !== "private").map((b) => `bucket ${b.name}`),
      ...s.where("digitalocean_loadbalancer").filter((l) => l.network === "EXTERNAL" && !String(block(l.firewall)?.allow).includes("cloudflare_ip_ranges")).map((l) => `load balancer ${l.name} open to all`),
    ];
    // PROVIDER GAP: the CDN answers on its endpoint name (no custom domain).
    const cdnNames = Object.keys(s.resources("digitalocean_cdn")).map((id) => ref(`digitalocean_cdn.${id}`, "endpoint"));
    // The maintenance page is served on the site's own name, by the edge Worker its route runs.
    return { loadBalancers: external.length, cdnNames: cdnNames.sort(), maintenanceSites: s.where("cloudflare_workers_route").filter((r) => r.script).length, other };
  },
  failoverTarget(s) {
    const route = s.where("cloudflare_workers_route")[0];
    if (!route) return undefined;
    const [, worker] = Object.entries(s.resources("cloudflare_workers_script")).find(([id]) => route.script === ref(`cloudflare_workers_script.${id}`, "script_name"))!;
    // It must be the maintenance page: the Worker answers with the index page and a 503 when the origin cannot.
    const page = String(worker.content).includes('"index.html":') && String(worker.content).includes("status: 503");
    return page ? { maintenanceFor: String(route.pattern).replace(/\/\*$/, "") } : { maintenanceFor: `not a maintenance site: ${worker.script_name}` };
  },
};
