import { realSleep } from "../core/http-api";
import { DoApi } from "./api";

/*
 * Following a release through DigitalOcean's autoscale pools. A changed droplet template
 * makes a pool create droplets from it, wait its cooldown and destroy the old ones
 * (docs.digitalocean.com/products/droplets/concepts/autoscale-pools); nothing in the API
 * holds that back or removes one member. What a client can see, within minutes, is whether
 * the new droplets work: a cloudtiers host that cannot start its release gives up and
 * powers off, which the pool's member list shows as `off`. The pipeline rolls back at once
 * on such a failure, before the cooldown ends.
 *
 * Which droplets are new: each pool's template carries a revision tag,
 * `<pool>-rev-<hash of its user data>` (DoComputePool), and the droplets made from the
 * current template carry the current one; timestamps and the pool's history would leave
 * races (the apply returns before the pool logs its change).
 */

/** A pool, as GET /v2/droplets/autoscale/{id} gives it (the fields read here). */
export interface AutoscalePool {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly droplet_template?: { readonly tags?: readonly string[] };
}

/** A member of a pool (GET /v2/droplets/autoscale/{id}/members). */
export interface PoolMember {
  readonly droplet_id: number;
  readonly created_at: string;
  readonly health_status?: string;
  readonly unhealthy_reason?: string;
  readonly status: string;
}

export interface WatchOptions {
  readonly api: DoApi;
  /** The pools' names, `<application>-<environment>-<role>`. */
  readonly pools: readonly string[];
  /** What the revision tag adds to a pool's name. */
  readonly revisionInfix: string;
  /** Between two looks. @default 15000 */
  readonly pollMs?: number;
  /** The longest the pools may take: the cooldown, and new droplets' first boot. @default 30 minutes */
  readonly deadlineMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Progress, one line at a time. */
  readonly out: (line: string) => void;
}

/** Why a release is not through: the pool, and what to do. */
export class RolloutFailure extends Error {}

const minutes = (ms: number) => `${Math.floor(ms / 60000)}m${String(Math.floor((ms % 60000) / 1000)).padStart(2, "0")}s`;

interface Watched {
  readonly id: string;
  readonly name: string;
  last?: string;
  printedAt?: number;
  /** Droplets seen off at the previous look: off twice running is a host that gave up (a scale-in shows off for a minute). */
  off: Set<number>;
  done?: boolean;
}

/**
 * Waits until every pool runs only droplets of its current revision, each active and
 * healthy, printing each pool's progress as it changes (and once a minute). Throws
 * `RolloutFailure` when a new droplet is off at two looks running (its host gave up), the
 * pool is in error, or the deadline passes.
 */
export async function watchRelease(o: WatchOptions): Promise<void> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? realSleep;
  const started = now();
  const deadline = o.deadlineMs ?? 30 * 60000;
  const pools: Watched[] = [];
  for (const name of o.pools) {
    const found = (await o.api.all<AutoscalePool>(`/v2/droplets/autoscale?name=${encodeURIComponent(name)}`, "autoscale_pools")).find((p) => p.name === name);
    if (!found) throw new RolloutFailure(`${name}: no autoscale pool has this name: is the stack deployed, with this token's team?`);
    pools.push({ id: found.id, name, off: new Set() });
  }
  o.out(`watching ${pools.map((p) => p.name).join(", ")}: each pool replaces the droplets made from an earlier template`);
  for (;;) {
    const waited = now() - started;
    for (const p of pools.filter((p) => !p.done)) {
      const { autoscale_pool: pool } = await o.api.get<{ autoscale_pool: AutoscalePool }>(`/v2/droplets/autoscale/${p.id}`);
      if (pool.status === "error") throw new RolloutFailure(`${p.name}: the pool is in error; roll back (docs/releasing.md)`);
      const revision = pool.droplet_template?.tags?.find((t) => t.startsWith(`${p.name}${o.revisionInfix}`));
      if (!revision) throw new RolloutFailure(`${p.name}: the pool's template has no revision tag (${p.name}${o.revisionInfix}…): deploy it with this version of cloudtiers first`);
      const members = await o.api.all<PoolMember>(`/v2/droplets/autoscale/${p.id}/members`, "droplets");
      const current = new Set((await o.api.all<{ id: number }>(`/v2/droplets?tag_name=${encodeURIComponent(revision)}`, "droplets")).map((d) => d.id));
      const fresh = members.filter((m) => current.has(m.droplet_id));
      const old = members.filter((m) => !current.has(m.droplet_id));
      const ready = fresh.filter((m) => m.status === "active" && m.health_status === "healthy");
      const off = fresh.filter((m) => m.status === "off").map((m) => m.droplet_id);
      const gaveUp = off.find((id) => p.off.has(id));
      if (gaveUp !== undefined) {
        throw new RolloutFailure(
          `${p.name}: new droplet ${gaveUp} is off: its host gave up (a release that cannot start: see its journal, journalctl -u cloudtiers-app); the pool destroys the old droplets when its cooldown ends: roll back now (docs/releasing.md)`,
        );
      }
      p.off = new Set(off);
      const each = fresh.map((m) => `${m.droplet_id} ${m.status}${m.status === "active" ? ` ${m.health_status ?? "unknown"}` : ""}`);
      const line = `${p.name}: ${ready.length} of ${fresh.length} new droplets healthy${each.length > 0 ? ` (${each.join(", ")})` : ""}, ${old.length} old left`;
      // On each change, and once a minute while nothing changes.
      if (line !== p.last || waited - (p.printedAt ?? 0) >= 60000) {
        o.out(`${line} (${minutes(waited)})`);
        p.printedAt = waited;
      }
      p.last = line;
      p.done = old.length === 0 && fresh.length > 0 && ready.length === fresh.length;
      if (p.done) o.out(`${p.name}: done (${minutes(waited)})`);
    }
    if (pools.every((p) => p.done)) return;
    if (waited >= deadline) {
      const late = pools.filter((p) => !p.done).map((p) => p.name);
      throw new RolloutFailure(`${late.join(", ")}: not through after ${minutes(waited)}: new droplets that never become healthy; roll back (docs/releasing.md)`);
    }
    await sleep(o.pollMs ?? 15000);
  }
}
