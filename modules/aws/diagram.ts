import { Resource, StackDocument } from "../policy/document";
import { Diagram, DiagramBuilder, DiagramCluster } from "../diagram/graph";
import { Index, bounds, drawnName, plural, poolRole, purpose, referencesIn } from "../diagram/references";

/**
 * An AWS stack's diagram, read from its resources alone: the region from the provider,
 * subnet tiers from their route tables (internet gateway, NAT, none) and zones from their
 * `availability_zone`, pools from autoscaling groups, edges and ports from security group
 * rules and load balancer listeners, replicas from `replicate_source_db`, the pooler's
 * target from `aws_db_proxy_target`, bucket access from the hosts' IAM policies, and the
 * failover from Route 53 records and the health check.
 */
export function describeAws(name: string, doc: StackDocument): Diagram {
  const ix = new Index(doc);
  const g = new DiagramBuilder();
  const region = doc.providerRegion("aws") ?? "?";

  // Security groups → the boxes that wear them.
  const wearers = new Map<string, string[]>();
  const wear = (groups: unknown, id: string) => {
    for (const sg of ix.referenced(groups, "aws_security_group")) wearers.set(sg.address, [...(wearers.get(sg.address) ?? []), id]);
  };

  // Subnets: tier (from the route table's default route) and zone (index into the zone list, or a literal name).
  const subnetTier = new Map<string, "public" | "private" | "database">();
  for (const assoc of doc.resources("aws_route_table_association")) {
    const subnet = ix.first(assoc.config.subnet_id, "aws_subnet");
    const table = ix.first(assoc.config.route_table_id, "aws_route_table");
    if (!subnet || !table) continue;
    const routes = JSON.stringify(table.config.route ?? []);
    subnetTier.set(subnet.address, routes.includes("aws_internet_gateway.") ? "public" : routes.includes("aws_nat_gateway.") ? "private" : "database");
  }
  const zoneOf = (subnet: Resource): string => {
    const az = String(subnet.config.availability_zone ?? "?");
    const index = /names, (\d+)\)/.exec(az);
    return index ? `zone ${Number(index[1]) + 1}` : az;
  };
  // The stack's own region's subnets; a disaster-recovery region's (another provider) are drawn with its replica.
  const elsewhere = (r: Resource) => typeof r.config.provider === "string";
  const subnets = doc.resources("aws_subnet").filter((s) => !elsewhere(s));
  const zones = [...new Set(subnets.map(zoneOf))].sort();
  const tierOfSubnets = (value: unknown) => {
    const tiers = new Set(ix.referenced(value, "aws_subnet").map((s) => subnetTier.get(s.address) ?? "private"));
    return tiers.size === 1 ? [...tiers][0] : undefined;
  };
  const zoneCount = (value: unknown) => new Set(ix.referenced(value, "aws_subnet").map(zoneOf)).size;
  const placement = new Map<string, string[]>([
    ["public", []],
    ["private", []],
    ["database", []],
  ]);
  const place = (id: string, subnetsValue: unknown) => {
    const tier = tierOfSubnets(subnetsValue);
    if (tier) placement.get(tier)!.push(id);
  };

  const internet = g.node("internet", "internet", ["internet"]);

  // Load balancers and their listeners.
  const listenerLabels = new Map<string, Map<number, string>>();
  for (const lb of doc.resources("aws_lb")) {
    const listeners = doc.resources("aws_lb_listener").filter((l) => referencesIn(l.config.load_balancer_arn).includes(lb.address));
    const lines = listeners
      .sort((a, b) => b.config.port - a.config.port)
      .map((l) => {
        const action = l.config.default_action?.[0] ?? {};
        // Behind CloudFront: refused by default, forwarded by a rule on the distribution's header.
        const rule = action.type === "fixed-response" ? doc.resources("aws_lb_listener_rule").find((r) => referencesIn(r.config.listener_arn).includes(l.address)) : undefined;
        const header = rule?.config.condition?.[0]?.http_header?.http_header_name;
        const tg = ix.first(rule ? rule.config.action?.[0]?.target_group_arn : action.target_group_arn, "aws_lb_target_group");
        const text =
          action.type === "redirect"
            ? `${l.config.protocol} :${l.config.port} → ${action.redirect?.status_code?.replace("HTTP_", "") ?? ""} :${action.redirect?.port}`
            : `${l.config.protocol} :${l.config.port} → :${tg?.config.port ?? "?"}${header ? ` with ${header}, else ${action.fixed_response?.status_code}` : ""}`;
        const edgeText = `:${l.config.port} ${l.config.protocol}${action.type === "redirect" ? ` → ${action.redirect?.status_code?.replace("HTTP_", "") ?? ""}` : ""}`;
        listenerLabels.set(lb.address, (listenerLabels.get(lb.address) ?? new Map()).set(l.config.port, edgeText));
        return text;
      });
    const kind = lb.config.load_balancer_type === "network" ? "NLB" : "ALB";
    g.node(lb.address, "load-balancer", [`${kind} (${lb.config.internal ? "internal" : "internet-facing"})`, lb.config.name, ...lines, lb.config.drop_invalid_header_fields && "invalid headers dropped", `${plural(zoneCount(lb.config.subnets), "zone")}`]);
    wear(lb.config.security_groups, lb.address);
    place(lb.address, lb.config.subnets);
  }

  // Compute pools: autoscaling groups, their launch templates and target groups.
  const poolOfRole = new Map<string, string>();
  for (const asg of doc.resources("aws_autoscaling_group")) {
    const template = ix.first(asg.config.launch_template, "aws_launch_template");
    const policy = doc.resources("aws_autoscaling_policy").find((p) => referencesIn(p.config.autoscaling_group_name).includes(asg.address));
    const role = poolRole(asg);
    const target = policy?.config.target_tracking_configuration?.target_value;
    g.node(asg.address, "pool", [
      `${role} pool`,
      `${template?.config.instance_type ?? "?"} × ${bounds(asg.config.min_size, asg.config.max_size)}`,
      target !== undefined && `CPU target ${target}%`,
      `${plural(zoneCount(asg.config.vpc_zone_identifier), "zone")}, health ${asg.config.health_check_type ?? "EC2"}`,
    ]);
    if (template) {
      wear(template.config.vpc_security_group_ids, asg.address);
      const profile = ix.first(template.config.iam_instance_profile, "aws_iam_instance_profile");
      const iamRole = profile && ix.first(profile.config.role, "aws_iam_role");
      if (iamRole) poolOfRole.set(iamRole.address, asg.address);
    }
    place(asg.address, asg.config.vpc_zone_identifier);
  }

  // PostgreSQL: the primary (and its Multi-AZ standby), replicas, the proxy.
  const instances = doc.resources("aws_db_instance");
  const primaries = instances.filter((i) => !i.config.replicate_source_db);
  const postgresClusters: DiagramCluster[] = [];
  const disasterRecovery: DiagramCluster[] = [];
  for (const primary of primaries) {
    const members = [primary.address];
    const subnetGroup = ix.first(primary.config.db_subnet_group_name, "aws_db_subnet_group");
    g.node(primary.address, "postgres-primary", [
      `PostgreSQL ${primary.config.engine_version ?? ""} primary`.replace("  ", " "),
      `${primary.config.instance_class}, ${primary.config.allocated_storage ?? "?"} GiB`,
      `:${primary.config.port ?? 5432}`,
      primary.config.storage_encrypted && "encrypted",
    ]);
    wear(primary.config.vpc_security_group_ids, primary.address);
    if (primary.config.multi_az) {
      const standby = g.node(`${primary.address}#standby`, "postgres-standby", ["standby (Multi-AZ)", "synchronous, another zone"]);
      members.push(standby);
      g.edge(primary.address, standby, "replication", "synchronous");
    }
    const following = instances.filter((i) => referencesIn(i.config.replicate_source_db).includes(primary.address)).sort((a, b) => (a.address < b.address ? -1 : 1));
    const replicas = following.filter((i) => !elsewhere(i));
    // A replica in another region (the provider alias's): the disaster-recovery one.
    for (const dr of following.filter(elsewhere)) {
      const drRegion = doc.providerRegion("aws", dr.config.provider) ?? "?";
      g.node(dr.address, "postgres-replica", ["disaster-recovery replica", `AWS ${drRegion}`, dr.config.instance_class, dr.config.kms_key_id ? "encrypted (its region's KMS key)" : undefined]);
      g.edge(primary.address, dr.address, "replication", `streaming to ${drRegion}`);
      disasterRecovery.push({ id: `disaster-recovery-${dr.address}`, lines: [`AWS ${drRegion}: disaster recovery`], nodes: [dr.address], clusters: [] });
    }
    replicas.forEach((replica, n) => {
      g.node(replica.address, "postgres-replica", [`read replica ${n + 1}`, replica.config.instance_class, `:${replica.config.port ?? 5432}`]);
      wear(replica.config.vpc_security_group_ids, replica.address);
      g.edge(primary.address, replica.address, "replication", "streaming");
      members.push(replica.address);
    });
    const id = `postgres-${primary.address}`;
    postgresClusters.push({ id, lines: [`PostgreSQL: ${plural(replicas.length, "read replica")}`], nodes: members, clusters: [] });
    if (subnetGroup) place(`cluster:${id}`, subnetGroup.config.subnet_ids);
  }
  for (const proxy of doc.resources("aws_db_proxy")) {
    g.node(proxy.address, "pooler", ["RDS Proxy (pooler)", proxy.config.name, proxy.config.require_tls && "TLS required"]);
    wear(proxy.config.vpc_security_group_ids, proxy.address);
    place(proxy.address, proxy.config.vpc_subnet_ids);
    for (const target of doc.resources("aws_db_proxy_target").filter((t) => referencesIn(t.config.db_proxy_name).includes(proxy.address))) {
      const db = ix.first(target.config.db_instance_identifier, "aws_db_instance");
      if (db) g.edge(proxy.address, db.address, "traffic", `:${db.config.port ?? 5432}`);
    }
  }

  // Valkey/Redis.
  for (const cache of doc.resources("aws_elasticache_replication_group")) {
    const subnetGroup = ix.first(cache.config.subnet_group_name, "aws_elasticache_subnet_group");
    g.node(cache.address, "cache", [
      `ElastiCache ${cache.config.engine ?? "redis"} ${cache.config.engine_version ?? ""}`.trim(),
      `${cache.config.node_type} × ${cache.config.num_cache_clusters ?? 1}`,
      `:${cache.config.port ?? 6379}`,
      cache.config.automatic_failover_enabled && "automatic failover",
      [cache.config.transit_encryption_enabled && "TLS", cache.config.auth_token && "AUTH"].filter(Boolean).join(" + ") || undefined,
    ]);
    wear(cache.config.security_group_ids, cache.address);
    if (subnetGroup) place(cache.address, subnetGroup.config.subnet_ids);
  }

  // Celery's RabbitMQ (Amazon MQ): who connects comes from its security group's rules.
  for (const broker of doc.resources("aws_mq_broker")) {
    const cluster = broker.config.deployment_mode === "CLUSTER_MULTI_AZ";
    g.node(broker.address, "queue", [
      `Amazon MQ: RabbitMQ ${broker.config.engine_version ?? ""}`.trim(),
      drawnName(broker.config.broker_name),
      `${broker.config.host_instance_type} × ${cluster ? 3 : 1}${cluster ? " (cluster across zones)" : ""}`,
      broker.config.publicly_accessible === false && "private, AMQPS :5671",
    ]);
    wear(broker.config.security_groups, broker.address);
    place(broker.address, broker.config.subnet_ids);
  }

  // Security group rules: one edge per rule, from the boxes wearing the source group to those wearing the target's.
  const clusterOf = (ids: string[]): string | undefined => postgresClusters.find((c) => ids.length > 1 && ids.every((id) => c.nodes.includes(id)))?.id;
  /** What the internet may open on each load balancer; drawn on the DNS record that leads there. */
  const fromInternet = new Map<string, string[]>();
  const records = doc.resources("aws_route53_record");
  for (const rule of doc.resources("aws_vpc_security_group_ingress_rule")) {
    const to = wearers.get(ix.first(rule.config.security_group_id, "aws_security_group")?.address ?? "") ?? [];
    const port = rule.config.from_port === rule.config.to_port ? `${rule.config.from_port}` : `${rule.config.from_port}-${rule.config.to_port}`;
    const sources = rule.config.cidr_ipv4 === "0.0.0.0/0" || rule.config.cidr_ipv6 === "::/0" ? [internet] : wearers.get(ix.first(rule.config.referenced_security_group_id, "aws_security_group")?.address ?? "") ?? [];
    const cluster = clusterOf(to);
    const targets = cluster ? [to[0]] : to;
    for (const from of sources) {
      for (const target of targets) {
        const label = listenerLabels.get(target)?.get(Number(rule.config.from_port)) ?? `:${port}`;
        if (from === internet) fromInternet.set(target, [...(fromInternet.get(target) ?? []), label]);
        else g.edge(from, target, "traffic", label, cluster);
      }
    }
  }

  // Buckets, their CDNs and who may use them.
  const bucketPurpose = new Map<string, string>();
  const buckets = doc.resources("aws_s3_bucket");
  for (const bucket of buckets) {
    const use = purpose(bucket);
    bucketPurpose.set(bucket.address, use);
    const secure = doc.resources("aws_s3_bucket_policy").some((p) => referencesIn(p.config.bucket).includes(bucket.address) && String(p.config.policy).includes("aws:SecureTransport"));
    g.node(bucket.address, use === "maintenance-site" ? "maintenance" : "bucket", [`S3 ${use === "maintenance-site" ? "maintenance page" : use}`, drawnName(bucket.config.bucket), secure && "TLS only, private"]);
  }
  for (const policy of doc.resources("aws_iam_role_policy")) {
    const pool = poolOfRole.get(ix.first(policy.config.role, "aws_iam_role")?.address ?? "");
    if (!pool) continue;
    for (const bucket of ix.referenced(policy.config.policy, "aws_s3_bucket")) {
      const writes = String(policy.config.policy).includes("s3:PutObject");
      g.edge(pool, bucket.address, "traffic", `S3 API :443${writes ? " (read-write)" : " (read)"}`);
    }
  }
  // Celery's SQS queue (its dead-letter queue beside it), and who sends or takes tasks, from the pools' policies.
  for (const queue of doc.resources("aws_sqs_queue").filter((q) => q.config.redrive_policy)) {
    const dead = ix.referenced(queue.config.redrive_policy, "aws_sqs_queue")[0];
    g.node(queue.address, "queue", [`SQS: Celery's broker`, drawnName(queue.config.name), queue.config.sqs_managed_sse_enabled && "encrypted", dead && `dead letters: ${drawnName(dead.config.name)}`]);
  }
  for (const policy of doc.resources("aws_iam_role_policy")) {
    const pool = poolOfRole.get(ix.first(policy.config.role, "aws_iam_role")?.address ?? "");
    if (!pool) continue;
    for (const queue of ix.referenced(policy.config.policy, "aws_sqs_queue").filter((q) => g.has(q.address))) {
      g.edge(pool, queue.address, "traffic", `SQS API :443 (${String(policy.config.policy).includes("sqs:ReceiveMessage") ? "takes tasks" : "sends tasks"})`);
    }
  }
  for (const cdn of doc.resources("aws_cloudfront_distribution")) {
    const origins = ix.referenced(cdn.config.origin, "aws_s3_bucket");
    // The whole site behind CloudFront: the public load balancer is its origin, the maintenance bucket its error pages'.
    const site = ix.first(cdn.config.origin, "aws_lb");
    const use = site ? "the whole site" : (origins.map((o) => bucketPurpose.get(o.address)).find((u) => u) ?? purpose(cdn));
    const viewer = cdn.config.default_cache_behavior?.viewer_protocol_policy;
    const failover = (cdn.config.custom_error_response ?? []).filter((e: { response_code?: number }) => e.response_code === 503).map((e: { error_code: number }) => e.error_code);
    g.node(cdn.address, use === "maintenance-site" ? "maintenance" : "cdn", [
      `CloudFront: ${use === "maintenance-site" ? "maintenance page" : use}`,
      ...(cdn.config.aliases ?? []),
      viewer && `viewers: ${viewer}`,
      site && "uncached: every header, cookie and query string to the origin",
      site && failover.length > 0 && `origin's ${failover.join("/")} → maintenance page`,
    ]);
    if (site) g.edge(cdn.address, site.address, "traffic", ":443 HTTPS\nwith the origin's secret header");
    for (const origin of origins) g.edge(cdn.address, origin.address, "traffic", cdn.config.origin?.some((o: { origin_access_control_id?: string }) => o.origin_access_control_id) ? "origin access control" : "origin");
  }

  // DNS: the zone's alias records, the failover pair and its health check.
  const zoneName: string = Object.values((doc.json.data?.aws_route53_zone ?? {}) as Record<string, { name: string }>)[0]?.name ?? doc.resources("aws_route53_zone")[0]?.config.name ?? "?";
  const dns = g.node("dns", "dns", [`Route 53: ${zoneName}`, ...[...new Set(records.filter((r) => r.config.alias).map((r) => String(r.config.name)))].sort()]);
  g.edge(internet, dns, "check", "DNS lookup");
  for (const record of records.filter((r) => r.config.alias)) {
    const target = referencesIn(record.config.alias).find((a) => g.has(a));
    if (!target) continue;
    // A PRIMARY record alone (the whole site behind CloudFront, which fails over itself) reads as a plain one.
    const failover = records.some((r) => r.config.failover_routing_policy?.type === "SECONDARY") ? record.config.failover_routing_policy?.type : undefined;
    // CloudFront answers viewers on HTTPS (redirecting HTTP to it, per viewer_protocol_policy).
    const ports = fromInternet.get(target)?.sort((a, b) => portOf(b) - portOf(a)) ?? (target.startsWith("aws_cloudfront_distribution.") ? [":443 HTTPS"] : []);
    g.edge(dns, target, "traffic", [failover ? `${failover} ${record.config.name}` : record.config.name, ...ports].join("\n"));
    const check = ix.first(record.config.health_check_id, "aws_route53_health_check");
    if (check) {
      const c = check.config;
      g.node(check.address, "health-check", ["Route 53 health check", `${c.type} :${c.port} ${c.resource_path ?? ""}`, `every ${c.request_interval ?? 30} s, ${c.failure_threshold ?? 3} failures`]);
      const probed = referencesIn(c.fqdn).find((a) => g.has(a));
      if (probed) g.edge(check.address, probed, "check", `${c.type} :${c.port}`);
      g.edge(check.address, dns, "check", `gates ${failover ?? "record"}`);
    }
  }

  // The web application firewall on the public load balancer, or on the site's distribution.
  for (const acl of doc.resources("aws_wafv2_web_acl")) {
    const rules = (acl.config.rule ?? []) as { statement?: { rate_based_statement?: { limit: number; evaluation_window_sec?: number }; managed_rule_group_statement?: { name: string } } }[];
    const rate = rules.find((r) => r.statement?.rate_based_statement)?.statement?.rate_based_statement;
    const groups = rules.flatMap((r) => (r.statement?.managed_rule_group_statement ? [r.statement.managed_rule_group_statement.name.replace(/^AWSManagedRules/, "")] : []));
    g.node(acl.address, "firewall", [`AWS WAF: ${acl.config.name}`, rate && `rate limit: ${rate.limit} per ${rate.evaluation_window_sec ?? 300} s per IP`, groups.length > 0 && `managed: ${groups.join(", ")}`]);
    for (const association of doc.resources("aws_wafv2_web_acl_association")) {
      const lb = referencesIn(association.config.resource_arn).find((a) => g.has(a));
      if (lb && referencesIn(association.config.web_acl_arn).includes(acl.address)) g.edge(acl.address, lb, "check", "filters");
    }
    // Scope CLOUDFRONT: the distribution names its web ACL.
    for (const cdn of doc.resources("aws_cloudfront_distribution").filter((d) => referencesIn(d.config.web_acl_id).includes(acl.address))) g.edge(acl.address, cdn.address, "check", "filters");
  }

  // Where the hosts' logs go: the log groups their agent writes (the database setup's own log group is its function's).
  const logGroups = doc.resources("aws_cloudwatch_log_group").filter((l) => String(l.config.name).startsWith("/cloudtiers/"));
  if (logGroups.length > 0) {
    g.node("logs", "logs", ["CloudWatch Logs: the hosts' logs", ...logGroups.map((l) => `${l.config.name} (${l.config.retention_in_days} days)`)]);
    for (const asg of doc.resources("aws_autoscaling_group")) g.edge(asg.address, "logs", "check", "CloudWatch agent");
  }

  // The alarms, and who they reach.
  const alarms = doc.resources("aws_cloudwatch_metric_alarm");
  if (alarms.length > 0) {
    const subscriptions = doc.resources("aws_sns_topic_subscription");
    const conditions = new Set(alarms.map((a) => a.config.tags?.Condition));
    const emails = new Set(subscriptions.filter((s) => s.config.protocol === "email").map((s) => s.config.endpoint));
    const dashboards = doc.resources("aws_cloudwatch_dashboard").length;
    g.node("alarms", "alarms", [
      `CloudWatch: ${plural(alarms.length, "alarm")} on ${plural(conditions.size, "condition")}`,
      `SNS → ${plural(emails.size, "email address", "email addresses")}${subscriptions.some((s) => s.config.protocol === "https") ? " + webhook" : ""}`,
      dashboards > 0 && `${plural(dashboards, "dashboard")}`,
    ]);
    // The health checks the site's alarm watches: the failover's, else one of the alarms' own.
    for (const alarm of alarms) {
      const check = ix.first(alarm.config.dimensions?.HealthCheckId, "aws_route53_health_check");
      if (!check) continue;
      const c = check.config;
      if (!g.has(check.address)) g.node(check.address, "health-check", ["Route 53 health check", `${c.type} :${c.port} ${c.resource_path ?? ""}`, `every ${c.request_interval ?? 30} s, ${c.failure_threshold ?? 3} failures`]);
      g.edge(check.address, "alarms", "check", "site down");
    }
  }

  // Where the boxes are: the region, its VPC, the VPC's subnet tiers (zones listed).
  const vpc = doc.resources("aws_vpc").find((v) => !elsewhere(v));
  const nat = doc.resources("aws_nat_gateway").length;
  const tierCluster = (tier: "public" | "private" | "database"): DiagramCluster => {
    const own = subnets.filter((s) => subnetTier.get(s.address) === tier).sort((a, b) => (zoneOf(a) < zoneOf(b) ? -1 : 1));
    const route = tier === "public" ? "internet gateway" : tier === "private" ? `${plural(nat, "NAT gateway")}` : "no route out";
    const ids = placement.get(tier)!;
    return {
      id: `subnets-${tier}`,
      lines: [`${tier} subnets (${route})`, own.map((s) => `${zoneOf(s)}: ${s.config.cidr_block}`).join(" · ")],
      nodes: ids.filter((id) => !id.startsWith("cluster:")),
      clusters: postgresClusters.filter((c) => ids.includes(`cluster:${c.id}`)),
    };
  };
  const unplacedPostgres = postgresClusters.filter((c) => ![...placement.values()].some((ids) => ids.includes(`cluster:${c.id}`)));
  const vpcCluster: DiagramCluster = {
    id: "vpc",
    lines: [`VPC ${vpc?.config.cidr_block ?? ""}: ${plural(zones.length, "availability zone")}`],
    nodes: [],
    clusters: [tierCluster("public"), tierCluster("private"), tierCluster("database"), ...unplacedPostgres],
  };
  const regionCluster: DiagramCluster = { id: "region", lines: [`AWS ${region}`], nodes: buckets.map((b) => b.address), clusters: [vpcCluster] };
  const edgeCluster: DiagramCluster = { id: "global", lines: ["AWS global: Route 53, CloudFront"], nodes: ["dns", ...doc.resources("aws_route53_health_check").map((c) => c.address), ...doc.resources("aws_cloudfront_distribution").map((c) => c.address)], clusters: [] };
  return g.build(name, `${name}: AWS ${region}`, [edgeCluster, regionCluster, ...disasterRecovery]);
}

function portOf(label: string): number {
  return Number(/:(\d+)/.exec(label)?.[1] ?? -1);
}
