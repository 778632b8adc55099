/**
 * The diagram of one synthesised stack, before it is drawn: boxes (nodes) of each tier,
 * grouped in clusters (regions, networks, subnets, a database cluster), and edges (traffic,
 * replication, health checks) labelled with their ports. `toDot` writes it as Graphviz DOT,
 * sorted by id, so one stack always gives the same text.
 */

/** What a box is; the tests look boxes up by it. */
export type Tier =
  | "internet"
  | "dns"
  | "health-check"
  | "edge-worker"
  | "load-balancer"
  | "pool"
  | "postgres-primary"
  | "postgres-standby"
  | "postgres-replica"
  | "pooler"
  | "cache"
  | "queue"
  | "bucket"
  | "cdn"
  | "maintenance"
  | "alarms"
  | "firewall"
  | "logs";

export interface DiagramNode {
  /** Stable: the Terraform address it was read from (`#suffix` for a part of one resource). */
  readonly id: string;
  readonly tier: Tier;
  /** Lines of the box's label; the first is its title. */
  readonly lines: readonly string[];
}

/** How an edge is drawn: traffic (solid), replication (dashed), a check or a control (dotted). */
export type EdgeKind = "traffic" | "replication" | "check";

export interface DiagramEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  /** Ports and protocols, e.g. `:443 HTTPS`; several are joined with a comma. */
  readonly labels: readonly string[];
  /** The cluster the edge ends at, when it reaches every box in it (a security group shared by a primary and its replicas). */
  readonly toCluster?: string;
}

export interface DiagramCluster {
  readonly id: string;
  readonly lines: readonly string[];
  readonly nodes: readonly string[];
  readonly clusters: readonly DiagramCluster[];
}

export interface Diagram {
  readonly name: string;
  readonly title: string;
  readonly nodes: readonly DiagramNode[];
  readonly edges: readonly DiagramEdge[];
  /** Top-level clusters; a node in none is drawn at the top level. */
  readonly clusters: readonly DiagramCluster[];
}

/** Collects nodes, edges and clusters; merges edges between the same two boxes. */
export class DiagramBuilder {
  private readonly nodes = new Map<string, DiagramNode>();
  private readonly edges = new Map<string, { from: string; to: string; kind: EdgeKind; labels: Set<string>; toCluster?: string }>();

  public node(id: string, tier: Tier, lines: readonly (string | undefined | false)[]): string {
    this.nodes.set(id, { id, tier, lines: lines.filter((l): l is string => typeof l === "string" && l.length > 0) });
    return id;
  }

  public has(id: string): boolean {
    return this.nodes.has(id);
  }

  public edge(from: string, to: string, kind: EdgeKind, label?: string, toCluster?: string): void {
    if (!this.nodes.has(from) || !this.nodes.has(to) || from === to) return;
    const key = `${from}\0${to}\0${kind}`;
    const existing = this.edges.get(key);
    if (existing) {
      if (label) existing.labels.add(label);
      // One edge reaching the node itself is the more precise one.
      if (existing.toCluster !== toCluster) existing.toCluster = undefined;
      return;
    }
    this.edges.set(key, { from, to, kind, labels: new Set(label ? [label] : []), toCluster });
  }

  public build(name: string, title: string, clusters: readonly DiagramCluster[]): Diagram {
    const placed = new Set<string>();
    const prune = (c: DiagramCluster): DiagramCluster | undefined => {
      const nodes = c.nodes.filter((n) => this.nodes.has(n) && !placed.has(n));
      nodes.forEach((n) => placed.add(n));
      const inner = c.clusters.map(prune).filter((x): x is DiagramCluster => x !== undefined);
      return nodes.length + inner.length > 0 ? { ...c, nodes, clusters: inner } : undefined;
    };
    const kept = clusters.map(prune).filter((x): x is DiagramCluster => x !== undefined);
    const clusterIds = new Set<string>();
    const collect = (c: DiagramCluster) => {
      clusterIds.add(c.id);
      c.clusters.forEach(collect);
    };
    kept.forEach(collect);
    return {
      name,
      title,
      nodes: [...this.nodes.values()].sort((a, b) => compare(a.id, b.id)),
      edges: [...this.edges.values()]
        .map((e) => ({ from: e.from, to: e.to, kind: e.kind, labels: [...e.labels].sort(comparePorts), ...(e.toCluster && clusterIds.has(e.toCluster) ? { toCluster: e.toCluster } : {}) }))
        .sort((a, b) => compare(`${a.from}\0${a.to}\0${a.kind}`, `${b.from}\0${b.to}\0${b.kind}`)),
      clusters: kept,
    };
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `:443 HTTPS` before `:80 HTTP → 301`: by the number, larger first (the one that carries the traffic), then by text. */
function comparePorts(a: string, b: string): number {
  const port = (s: string) => Number(/:(\d+)/.exec(s)?.[1] ?? -1);
  return port(b) - port(a) || compare(a, b);
}

const STYLE: Record<Tier, string> = {
  internet: 'shape=oval, fillcolor="#ffffff"',
  dns: 'fillcolor="#e8eefc"',
  "health-check": 'fillcolor="#fff3d6"',
  "edge-worker": 'fillcolor="#fff3d6"',
  "load-balancer": 'fillcolor="#dff3e4"',
  pool: 'fillcolor="#fdf2e0"',
  "postgres-primary": 'fillcolor="#e3e9f7"',
  "postgres-standby": 'fillcolor="#eef1f8", style="rounded,filled,dashed"',
  "postgres-replica": 'fillcolor="#eef1f8"',
  pooler: 'fillcolor="#e3e9f7"',
  cache: 'fillcolor="#fbe4e4"',
  queue: 'fillcolor="#fbe4e4"',
  bucket: 'shape=cylinder, style=filled, fillcolor="#f2f2f2"',
  cdn: 'fillcolor="#e8eefc"',
  maintenance: 'fillcolor="#fff3d6"',
  alarms: 'fillcolor="#fde8f1"',
  firewall: 'fillcolor="#fbe4e4", style="rounded,filled,bold"',
  logs: 'fillcolor="#eef1f8"',
};

const EDGE_STYLE: Record<EdgeKind, string> = {
  traffic: "",
  replication: 'style=dashed, color="#4a5a8a"',
  check: 'style=dotted, color="#a07000", arrowhead=open',
};

/** A DOT double-quoted string; lines joined with DOT's centred line break. */
export function quote(lines: string | readonly string[]): string {
  const text = (typeof lines === "string" ? [lines] : lines).flatMap((l) => l.split("\n")).map((l) => l.replace(/\\/g, "\\\\").replace(/"/g, '\\"')).join("\\n");
  return `"${text}"`;
}

/** The diagram as Graphviz DOT: the same diagram always gives the same text. */
export function toDot(diagram: Diagram): string {
  const out: string[] = [];
  out.push(`digraph ${quote(diagram.name)} {`);
  out.push(`  graph [rankdir=LR, compound=true, newrank=true, nodesep=0.35, ranksep=0.7, fontname="Helvetica", fontsize=12, labelloc=t, label=${quote(diagram.title)}];`);
  out.push('  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, margin="0.15,0.06"];');
  out.push('  edge [fontname="Helvetica", fontsize=9, color="#444444"];');
  const byId = new Map(diagram.nodes.map((n) => [n.id, n]));
  const nodeLine = (id: string, indent: string) => {
    const n = byId.get(id)!;
    out.push(`${indent}${quote(id)} [label=${quote(n.lines)}, ${STYLE[n.tier]}];`);
  };
  const placed = new Set<string>();
  const cluster = (c: DiagramCluster, indent: string) => {
    out.push(`${indent}subgraph ${quote(`cluster_${c.id}`)} {`);
    out.push(`${indent}  label=${quote(c.lines)}; style="rounded"; color="#9aa5b1"; fontsize=11;`);
    for (const id of [...c.nodes].sort(compare)) {
      placed.add(id);
      nodeLine(id, `${indent}  `);
    }
    for (const inner of [...c.clusters].sort((a, b) => compare(a.id, b.id))) cluster(inner, `${indent}  `);
    out.push(`${indent}}`);
  };
  const clusters = [...diagram.clusters].sort((a, b) => compare(a.id, b.id));
  const inClusters = new Set<string>();
  const mark = (c: DiagramCluster) => {
    c.nodes.forEach((n) => inClusters.add(n));
    c.clusters.forEach(mark);
  };
  clusters.forEach(mark);
  for (const n of diagram.nodes) if (!inClusters.has(n.id)) nodeLine(n.id, "  ");
  for (const c of clusters) cluster(c, "  ");
  for (const e of diagram.edges) {
    const attrs = [e.labels.length > 0 ? `label=${quote(e.labels.join("\n"))}` : "", EDGE_STYLE[e.kind], e.toCluster ? `lhead=${quote(`cluster_${e.toCluster}`)}` : ""].filter((a) => a);
    out.push(`  ${quote(e.from)} -> ${quote(e.to)}${attrs.length > 0 ? ` [${attrs.join(", ")}]` : ""};`);
  }
  out.push("}");
  return `${out.join("\n")}\n`;
}
