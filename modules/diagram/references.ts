import { Resource, StackDocument } from "../policy/document";

/**
 * Reading a synthesised stack's wiring: which resources an argument refers to
 * (`${aws_lb.x.arn}` anywhere inside it, expressions included).
 */

const REFERENCE = /(?<![.\w])([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)/g;

/** Every `type.name` a value refers to (resources only, not data sources), in order of appearance, without repeats. */
export function referencesIn(value: unknown): string[] {
  const text = typeof value === "string" ? value : JSON.stringify(value ?? null);
  const found: string[] = [];
  for (const m of text.matchAll(REFERENCE)) {
    const address = `${m[1]}.${m[2]}`;
    if (!found.includes(address)) found.push(address);
  }
  return found;
}

/** Every reference with the attribute it reads and the port written right after it (`${x.private_host}:25061`). */
export function attributeReferencesIn(value: unknown): { address: string; attribute: string; port?: number }[] {
  const text = typeof value === "string" ? value : JSON.stringify(value ?? null);
  const found: { address: string; attribute: string; port?: number }[] = [];
  const pattern = /\$\{([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}(?::(\d+))?/g;
  for (const m of text.matchAll(pattern)) found.push({ address: `${m[1]}.${m[2]}`, attribute: m[3], ...(m[4] ? { port: Number(m[4]) } : {}) });
  return found;
}

/** `value` itself, or, when it is exactly `${local.<name>}`, that local's value in the stack's `locals`. */
export function throughLocal(json: { locals?: Record<string, unknown> }, value: unknown): unknown {
  const local = typeof value === "string" ? /^\$\{local\.([\w-]+)\}$/.exec(value) : null;
  return local ? json.locals?.[local[1]] : value;
}

/** A name as a reader sees it: the random part Terraform draws (`${random_id.x.hex}`) shown as `<random>`. */
export function drawnName(value: unknown): string {
  return String(value ?? "").replace(/\$\{random_id\.[\w-]+\.hex\}/g, "<random>");
}

/** A stack's resources indexed by address. */
export class Index {
  private readonly byAddress = new Map<string, Resource>();

  constructor(public readonly doc: StackDocument) {
    for (const type of Object.keys(doc.json.resource ?? {})) for (const r of doc.resources(type)) this.byAddress.set(r.address, r);
  }

  public get(address: string): Resource | undefined {
    return this.byAddress.get(address);
  }

  /** The resources of `type` that `value` refers to. */
  public referenced(value: unknown, type: string): Resource[] {
    return referencesIn(value)
      .filter((a) => a.startsWith(`${type}.`))
      .map((a) => this.byAddress.get(a))
      .filter((r): r is Resource => r !== undefined);
  }

  /** The one resource of `type` that `value` refers to, if any. */
  public first(value: unknown, type: string): Resource | undefined {
    return this.referenced(value, type)[0];
  }

  /** Resources of `type` whose `argument` refers to `address`. */
  public referring(type: string, argument: string, address: string): Resource[] {
    return this.doc.resources(type).filter((r) => referencesIn(r.config[argument]).includes(address));
  }
}

/** The resource's construct path below the stack (`django/media/store/bucket`), from cdktf's metadata. */
export function constructPath(r: Resource): string {
  const path: string = r.config["//"]?.metadata?.path ?? r.address;
  return path.split("/").slice(1).join("/");
}

/** The role of a pool from its construct path (`django/app-pool/group` → `app`). */
export function poolRole(r: Resource): string {
  const segment = constructPath(r)
    .split("/")
    .find((s) => s.endsWith("-pool"));
  return segment ? segment.slice(0, -"-pool".length) : r.address.split(".")[1];
}

/** The tier a resource belongs to, from its construct path: the segment below the topology (`django/media/store/bucket` → `media`). */
export function purpose(r: Resource): string {
  const segments = constructPath(r).split("/");
  return segments[1] ?? segments[0];
}

/** `3–6` or `1` (a fixed size). */
export function bounds(min: number | undefined, max: number | undefined): string {
  if (min === undefined && max === undefined) return "?";
  return min === max || max === undefined ? `${min}` : `${min ?? 0}–${max}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
