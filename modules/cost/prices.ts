/**
 * The price table `npm run cost` reads: list prices in US dollars, each with its unit,
 * the region it applies to, the date it was recorded and where it comes from. Nothing
 * here is fetched at run time; update an entry by hand and record the date you checked it.
 *
 * AWS prices are On-Demand, Linux, for the region the shipped stacks use (eu-west-1),
 * except services priced globally. DigitalOcean and Cloudflare price every region alike
 * (`region: "global"`). A stack in a region the table has no entry for fails loudly
 * rather than borrowing another region's price.
 */

/** Who sells it: `aws`, `digitalocean` and `cloudflare` in this table; a cloud registered later brings its own entries with its cost rules. */
export type PriceCloud = string;

/** What one unit of `amount` buys. Hourly units become monthly at {@link HOURS_PER_MONTH}. */
export type PriceUnit = "USD/hour" | "USD/vCPU-hour" | "USD/month" | "USD/GB-month";

export interface PriceEntry {
  readonly cloud: PriceCloud;
  /** The service, as the provider's price list names it (`ec2`, `rds-postgresql`, `droplet`). */
  readonly service: string;
  /** The priced item: an instance type, a node size, or a named charge (`nat-gateway`). */
  readonly item: string;
  readonly amount: number;
  readonly unit: PriceUnit;
  /** The region the price applies to, or `global`. */
  readonly region: string;
  /** When the figure was recorded (ISO date). */
  readonly recorded: string;
  /** The official page the figure belongs to. */
  readonly source: string;
  /** How the figure was obtained: read from a stored copy of a page, or a list price known but not re-checked. */
  readonly basis: string;
}

/** AWS's own convention for a month of hourly charges. */
export const HOURS_PER_MONTH = 730;

const RECORDED = "2026-11-22";
const KNOWN = `list price as known on ${RECORDED}, not re-checked against the page (no network access)`;
const APPROXIMATE = `${KNOWN}; the regional figure is approximate (within a few percent)`;

const EC2 = "https://aws.amazon.com/ec2/pricing/on-demand/";
const EBS = "https://aws.amazon.com/ebs/pricing/";
const VPC = "https://aws.amazon.com/vpc/pricing/";
const ELB = "https://aws.amazon.com/elasticloadbalancing/pricing/";
const RDS = "https://aws.amazon.com/rds/postgresql/pricing/";
const RDS_PROXY = "https://aws.amazon.com/rds/proxy/pricing/";
const ELASTICACHE = "https://aws.amazon.com/elasticache/pricing/";
const ROUTE53 = "https://aws.amazon.com/route53/pricing/";
const AMAZON_MQ = "https://aws.amazon.com/amazon-mq/pricing/";
/** Amazon MQ's figures were not found in any stored copy of its page: the US East list prices as remembered, with Ireland's usual 10 % on top. */
const UNVERIFIED = `${KNOWN}; Amazon MQ's page was not available in any stored copy: US East's list price as remembered, plus Ireland's usual 10 %, so check it before relying on it`;
const SECRETS = "https://aws.amazon.com/secrets-manager/pricing/";
const KMS = "https://aws.amazon.com/kms/pricing/";
const CLOUDWATCH = "https://aws.amazon.com/cloudwatch/pricing/";
const WAF = "https://aws.amazon.com/waf/pricing/";
const SSM_PARAMETERS = "https://aws.amazon.com/systems-manager/pricing/#Parameter_Store";
const DO_DROPLETS = "https://www.digitalocean.com/pricing/droplets";
const DO_DATABASES = "https://www.digitalocean.com/pricing/managed-databases";
const DO_LB = "https://www.digitalocean.com/pricing/load-balancers";
const DO_UPTIME = "https://docs.digitalocean.com/products/uptime/details/pricing/";
const DO_SPACES = "https://www.digitalocean.com/pricing/spaces-object-storage";
const CF_WORKERS = "https://developers.cloudflare.com/workers/platform/pricing/";

function aws(service: string, item: string, amount: number, unit: PriceUnit, source: string, basis = KNOWN, region = "eu-west-1"): PriceEntry {
  return { cloud: "aws", service, item, amount, unit, region, recorded: RECORDED, source, basis };
}

function digitalocean(service: string, item: string, amount: number, unit: PriceUnit, source: string, basis = KNOWN): PriceEntry {
  return { cloud: "digitalocean", service, item, amount, unit, region: "global", recorded: RECORDED, source, basis };
}

export const PRICES: readonly PriceEntry[] = [
  // EC2 On-Demand, Linux, Europe (Ireland).
  aws("ec2", "t3.small", 0.0228, "USD/hour", EC2),
  aws("ec2", "t3.medium", 0.0456, "USD/hour", EC2),
  aws("ec2", "c6i.xlarge", 0.192, "USD/hour", EC2),
  aws("ec2", "c6i.2xlarge", 0.384, "USD/hour", EC2),
  aws("ebs", "gp3", 0.088, "USD/GB-month", EBS),
  // Public IPv4 addresses (NAT gateways' Elastic IPs, an internet-facing ALB's address in each subnet).
  aws("vpc", "public-ipv4", 0.005, "USD/hour", VPC),
  aws("vpc", "nat-gateway", 0.048, "USD/hour", VPC),
  aws("elb", "application", 0.0252, "USD/hour", ELB),
  aws("elb", "network", 0.0252, "USD/hour", ELB),
  // RDS for PostgreSQL, Single-AZ; a Multi-AZ (one standby) instance costs twice as much, storage too.
  aws("rds-postgresql", "db.t4g.small", 0.036, "USD/hour", RDS, APPROXIMATE),
  aws("rds-postgresql", "db.t4g.medium", 0.072, "USD/hour", RDS, APPROXIMATE),
  aws("rds-postgresql", "db.m7g.large", 0.185, "USD/hour", RDS, APPROXIMATE),
  aws("rds-postgresql", "db.m7g.xlarge", 0.37, "USD/hour", RDS, APPROXIMATE),
  aws("rds-postgresql", "gp3", 0.127, "USD/GB-month", RDS, APPROXIMATE),
  aws("rds-proxy", "vcpu", 0.0165, "USD/vCPU-hour", RDS_PROXY, APPROXIMATE),
  // ElastiCache for Valkey, node-based (20% below Redis OSS's node price).
  // Amazon MQ for RabbitMQ, a broker node (a cluster bills each of its three nodes).
  aws("amazon-mq-rabbitmq", "mq.t3.micro", 0.0330, "USD/hour", AMAZON_MQ, UNVERIFIED),
  aws("amazon-mq-rabbitmq", "mq.m5.large", 0.3168, "USD/hour", AMAZON_MQ, UNVERIFIED),
  aws("amazon-mq-rabbitmq", "mq.m5.xlarge", 0.6336, "USD/hour", AMAZON_MQ, UNVERIFIED),
  aws("amazon-mq-rabbitmq", "mq.m5.2xlarge", 1.2672, "USD/hour", AMAZON_MQ, UNVERIFIED),
  aws("elasticache-valkey", "cache.t4g.small", 0.0288, "USD/hour", ELASTICACHE, APPROXIMATE),
  aws("elasticache-valkey", "cache.t4g.medium", 0.0576, "USD/hour", ELASTICACHE, APPROXIMATE),
  aws("elasticache-valkey", "cache.m7g.large", 0.1408, "USD/hour", ELASTICACHE, APPROXIMATE),
  aws("elasticache-valkey", "cache.m7g.xlarge", 0.2816, "USD/hour", ELASTICACHE, APPROXIMATE),
  // "Each AWS KMS key that you create in AWS KMS costs $1/month (prorated hourly)", in every region.
  aws("kms", "key", 1, "USD/month", KMS, KNOWN, "global"),
  aws("route53", "hosted-zone", 0.5, "USD/month", ROUTE53, KNOWN, "global"),
  aws("route53", "health-check-aws-endpoint", 0.5, "USD/month", ROUTE53, KNOWN, "global"),
  aws("route53", "health-check-non-aws-endpoint", 0.75, "USD/month", ROUTE53, KNOWN, "global"),
  aws("route53", "health-check-feature-aws-endpoint", 1.0, "USD/month", ROUTE53, KNOWN, "global"),
  aws("route53", "health-check-feature-non-aws-endpoint", 2.0, "USD/month", ROUTE53, KNOWN, "global"),
  // Standard-resolution alarms, per metric an alarm reads (a metric math alarm pays for each), and dashboards: the same in the commercial regions the stacks use.
  aws("cloudwatch", "alarm-metric", 0.1, "USD/month", CLOUDWATCH, KNOWN, "global"),
  aws("cloudwatch", "dashboard", 3.0, "USD/month", CLOUDWATCH, KNOWN, "global"),
  // A web ACL, and each rule or managed rule group in it (AWS's own groups carry no subscription); requests are usage.
  aws("waf", "web-acl", 5.0, "USD/month", WAF, KNOWN, "global"),
  aws("waf", "rule", 1.0, "USD/month", WAF, KNOWN, "global"),
  aws("secrets-manager", "secret", 0.4, "USD/month", SECRETS),
  aws("ssm", "advanced-parameter", 0.05, "USD/month", SSM_PARAMETERS),

  // DigitalOcean: Basic (regular) droplets; the monthly price is the cap of 672 hourly charges.
  digitalocean("droplet", "s-1vcpu-1gb", 6, "USD/month", DO_DROPLETS),
  digitalocean("droplet", "s-1vcpu-2gb", 12, "USD/month", DO_DROPLETS),
  digitalocean("droplet", "s-2vcpu-4gb", 24, "USD/month", DO_DROPLETS),
  digitalocean("droplet", "s-4vcpu-8gb", 48, "USD/month", DO_DROPLETS),
  digitalocean("droplet", "s-8vcpu-16gb", 96, "USD/month", DO_DROPLETS),
  // Managed PostgreSQL and Valkey: a price per node; standby and read-only nodes priced as the node.
  digitalocean("database-pg", "db-s-1vcpu-2gb", 30, "USD/month", DO_DATABASES),
  digitalocean("database-pg", "db-s-2vcpu-4gb", 60, "USD/month", DO_DATABASES),
  digitalocean("database-pg", "db-s-4vcpu-8gb", 120, "USD/month", DO_DATABASES),
  digitalocean("database-pg", "db-s-6vcpu-16gb", 240, "USD/month", DO_DATABASES),
  digitalocean("database-valkey", "db-s-1vcpu-2gb", 30, "USD/month", DO_DATABASES),
  digitalocean("database-valkey", "db-s-2vcpu-4gb", 60, "USD/month", DO_DATABASES),
  digitalocean("database-valkey", "db-s-4vcpu-8gb", 120, "USD/month", DO_DATABASES),
  digitalocean("database-valkey", "db-s-6vcpu-16gb", 240, "USD/month", DO_DATABASES),
  // "Each Uptime check costs $1.00 per month ... There is no additional cost for alerts" (docs.digitalocean.com/products/uptime/details).
  digitalocean("uptime", "check", 1.0, "USD/month", DO_UPTIME),
  digitalocean(
    "load-balancer",
    "node",
    12,
    "USD/month",
    DO_LB,
    `${KNOWN}; a stored copy of docs.digitalocean.com/products/networking/load-balancers/ (undated) says $10 a node, the price before DigitalOcean's 2022 increase`,
  ),
  digitalocean(
    "spaces",
    "subscription",
    5,
    "USD/month",
    DO_SPACES,
    "stored copy of https://www.digitalocean.com/community/questions/prices-explanation-5-per-space-or-5-for-spaces (2018, DigitalOcean staff answer): $5 a month for every bucket of the team, 250 GiB stored and 1 TiB out included; unchanged in the list price as known on 2026-11-22",
  ),

  // Cloudflare Workers Paid: a subscription per account, which the site's edge Worker needs (the Free plan's routes fail closed past 100,000 requests a day).
  {
    cloud: "cloudflare",
    service: "workers",
    item: "paid-subscription",
    amount: 5,
    unit: "USD/month",
    region: "global",
    recorded: RECORDED,
    source: CF_WORKERS,
    basis:
      "stored copy of the page's source (cloudflare/cloudflare-docs, src/content/docs/workers/platform/pricing.mdx): a minimum of $5 a month per account, " +
      "10 million requests and 30 million CPU milliseconds a month included, then $0.30 a million requests and $0.02 a million CPU milliseconds; subrequests are not billed",
  },
];

/** vCPUs of the RDS classes the size tables use: RDS Proxy is priced per vCPU of the database behind it. */
export const RDS_VCPUS: Readonly<Record<string, number>> = {
  "db.t4g.small": 2,
  "db.t4g.medium": 2,
  "db.m7g.large": 2,
  "db.m7g.xlarge": 4,
};

/** RDS Proxy bills at least this many vCPUs. */
export const RDS_PROXY_MINIMUM_VCPUS = 2;

/** The entry for `item` of `service` in `region` (or a global entry); throws naming what is missing. */
export function price(cloud: PriceCloud, service: string, item: string, region = "global", table: readonly PriceEntry[] = PRICES): PriceEntry {
  const found = table.find((p) => p.cloud === cloud && p.service === service && p.item === item && (p.region === region || p.region === "global"));
  if (!found) {
    const known = table.filter((p) => p.cloud === cloud && p.service === service).map((p) => `${p.item} (${p.region})`);
    throw new Error(`cost: no price for ${cloud} ${service} "${item}" in ${region} in modules/cost/prices.ts; priced: ${known.join(", ") || "nothing"}`);
  }
  return found;
}

/** A month of `entry` for one unit: hourly prices times {@link HOURS_PER_MONTH}. */
export function monthly(entry: PriceEntry): number {
  return entry.unit === "USD/hour" || entry.unit === "USD/vCPU-hour" ? entry.amount * HOURS_PER_MONTH : entry.amount;
}

/**
 * The regions `cloud`'s regional entries are recorded for; empty when every entry of the
 * cloud is `global` (DigitalOcean, Cloudflare), whose every region is then priced alike.
 */
export function pricedRegions(cloud: PriceCloud, table: readonly PriceEntry[] = PRICES): string[] {
  return [...new Set(table.filter((p) => p.cloud === cloud && p.region !== "global").map((p) => p.region))].sort();
}

/** Whether a stack of `cloud` in `region` can be priced from the table (not borrowing another region's prices). */
export function isPricedRegion(cloud: PriceCloud, region: string, table: readonly PriceEntry[] = PRICES): boolean {
  const regions = pricedRegions(cloud, table);
  return regions.length === 0 || regions.includes(region);
}
