import { Resource, ResourceConfig, StackDocument } from "./document";

/** One violation: a resource and what is wrong with it. */
export interface Finding {
  readonly resource: string;
  readonly message: string;
}

/** A check with a stable id, in the spirit of checkov/trivy/cdk-nag; each cloud says how it checks it (`CloudPolicy`). */
export interface PolicyRule {
  /** Stable id, e.g. `CT-DB-001`. Never reused or renumbered. */
  readonly id: string;
  /** The rule, in one line. */
  readonly title: string;
  /** Why it matters, in one line. */
  readonly rationale: string;
  /** Applies to production environments only. */
  readonly productionOnly?: boolean;
}

/** One rule's check on one cloud's synthesised stack. */
export type PolicyCheck = (stack: StackDocument) => Finding[];

/** What the policy pack knows of one cloud: how it checks each rule, and which resources hold data. */
export interface CloudPolicy {
  /**
   * The check of each rule the cloud can express, by rule id; a rule without one cannot be
   * expressed there (see the parity table in docs/safety.md).
   */
  readonly checks: Readonly<Record<string, PolicyCheck>>;
  /** Stateful resource types: losing one loses data (recorded in stateful-addresses.json, kept by CT-DATA-001). */
  readonly statefulTypes: readonly string[];
}

/** Addresses anyone on the internet has. */
export const INTERNET = ["0.0.0.0/0", "::/0"];

/** One finding per resource for which `ok` is false. */
export function each(resources: Resource[], ok: (r: ResourceConfig) => boolean, message: string): Finding[] {
  return resources.filter((r) => !ok(r.config)).map((r) => ({ resource: r.address, message }));
}

/** The rule pack. Ids are stable: a rule that goes away leaves its id unused. */
export const RULES: readonly PolicyRule[] = [
  {
    id: "CT-DB-001",
    title: "Databases are not reachable from the internet",
    rationale: "A database is only ever the app's backend; a public endpoint is an attack surface with nothing to gain.",
  },
  {
    id: "CT-DB-002",
    title: "Database storage is encrypted",
    rationale: "Snapshots and disks leave the instance; encryption keeps them unreadable.",
  },
  {
    id: "CT-DB-003",
    title: "Databases keep automated backups",
    rationale: "Point-in-time recovery is the only undo for a bad migration or a deleted table.",
  },
  {
    id: "CT-DB-004",
    title: "Production databases have a standby",
    rationale: "A standby in another failure domain turns a host failure into a failover, not an outage.",
    productionOnly: true,
  },
  {
    id: "CT-DB-005",
    title: "Production databases have the provider's deletion protection",
    rationale: "The provider refuses to delete a protected database, whatever Terraform plans.",
    productionOnly: true,
  },
  {
    id: "CT-DB-006",
    title: "Database connections require TLS",
    rationale: "Credentials and data cross the network; without TLS they cross it in clear.",
  },
  {
    id: "CT-DB-007",
    title: "Every DigitalOcean database node has trusted sources",
    rationale: "A DigitalOcean database node without firewall rules accepts connections from every address.",
  },
  {
    id: "CT-DB-008",
    title: "Production databases keep a replica in another region",
    rationale: "A region can be lost whole; a replica elsewhere, promoted, is the data's way back (docs/database.md#disaster-recovery).",
    productionOnly: true,
  },
  {
    id: "CT-S3-001",
    title: "Buckets are not public",
    rationale: "Public buckets leak uploads; the CDN is the only way in.",
  },
  {
    id: "CT-S3-002",
    title: "Buckets are encrypted at rest",
    rationale: "Objects outlive the servers that wrote them; encryption keeps copies unreadable.",
  },
  {
    id: "CT-S3-003",
    title: "Buckets are versioned",
    rationale: "Versions undo overwrites and deletions, by people or by code.",
  },
  {
    id: "CT-S3-004",
    title: "Production buckets are never emptied on destroy",
    rationale: "force_destroy deletes every object with the bucket, with no way back.",
    productionOnly: true,
  },
  {
    id: "CT-CDN-001",
    title: "CDN viewers use HTTPS only",
    rationale: "Plain HTTP lets anyone on the path read or change what users download.",
  },
  {
    id: "CT-CDN-002",
    title: "CDN requires TLS 1.2 or newer",
    rationale: "TLS 1.0 and 1.1 are broken and deprecated by every browser.",
  },
  {
    id: "CT-CDN-003",
    title: "CDN reads buckets through origin access control",
    rationale: "With origin access control the bucket stays private and only this distribution can read it.",
  },
  {
    id: "CT-CDN-004",
    title: "A load balancer behind the CDN answers the CDN alone",
    rationale: "CloudFront's addresses are every distribution's, anyone's: without a secret header of its own, the site's origin is open to traffic that skips its firewall and its failover.",
  },
  {
    id: "CT-LB-001",
    title: "Public load balancers serve HTTPS and redirect HTTP to it",
    rationale: "Users who type the bare name must still end up on an encrypted connection.",
  },
  {
    id: "CT-LB-002",
    title: "Load balancers use a modern TLS policy",
    rationale: "Old protocol versions and ciphers let a network attacker downgrade and break the connection.",
  },
  {
    id: "CT-LB-003",
    title: "Application load balancers drop invalid header fields",
    rationale: "Malformed headers are a request-smuggling vector between the load balancer and the app.",
  },
  {
    id: "CT-NET-001",
    title: "Nothing but the public load balancer's 80 and 443 is open to the internet",
    rationale: "Every other tier is reached through the load balancer or the private network.",
  },
  {
    id: "CT-NET-002",
    title: "SSH is never open to the internet",
    rationale: "SSH from anywhere invites credential stuffing; admin access comes from known addresses or the cloud's console.",
  },
  {
    id: "CT-VM-001",
    title: "Hosts require IMDSv2",
    rationale: "IMDSv1 hands the instance role's credentials to any request an SSRF can forge.",
  },
  {
    id: "CT-CACHE-001",
    title: "Caches encrypt in transit and at rest and require authentication",
    rationale: "Sessions and task payloads in the cache are as sensitive as the database.",
  },
  {
    id: "CT-MQ-001",
    title: "Task queues are encrypted at rest",
    rationale: "Celery's messages carry the tasks' arguments: user data, as sensitive as the database's.",
  },
  {
    id: "CT-MQ-002",
    title: "Message brokers are private",
    rationale: "A broker reachable from the internet exposes every task's arguments, and its login, to anyone who finds it.",
  },
  {
    id: "CT-DNS-001",
    title: "Production sites fail over to a maintenance page",
    rationale: "When the origin is down, users should get a page that says so, not a timeout.",
    productionOnly: true,
  },
  {
    id: "CT-OPS-001",
    title: "Production alarms reach someone",
    rationale: "A site that is down, or a database filling up, must page a person, not wait to be noticed.",
    productionOnly: true,
  },
  {
    id: "CT-EDGE-001",
    title: "Production sites sit behind a web application firewall with a rate limit",
    rationale: "Managed rules turn away common attacks and known bad inputs, and a per-client limit a flood, before they reach the hosts.",
    productionOnly: true,
  },
  {
    id: "CT-DATA-001",
    title: "Production data stores are protected by prevent_destroy",
    rationale: "Terraform refuses any plan that would destroy them, whatever changed in the code.",
    productionOnly: true,
  },
  {
    id: "CT-DATA-002",
    title: "Production databases and caches take a final snapshot",
    rationale: "If one is deleted after all, its last state survives as a snapshot.",
    productionOnly: true,
  },
];
