import { DoApi } from "./api";

/*
 * Watching a release through DigitalOcean's autoscale pools. A changed droplet template
 * makes a pool create droplets from it, wait its cooldown and destroy the old ones
 * (docs.digitalocean.com/products/droplets/concepts/autoscale-pools); nothing in the API
 * lets a client hold that back. What a client can do is see, within minutes, whether the
 * new droplets work: a cloudtiers host that cannot start its release gives up and powers
 * off, which the pool's member list shows as `off`. The pipeline rolls back at once on
 * such a failure, before the cooldown ends.
 */

/** An autoscale pool, as GET /v2/droplets/autoscale lists it (the fields read here). */
export interface AutoscalePool {
  readonly id: string;
  readonly name: string;
  readonly created_at: string;
  readonly status: string;
}

/** A member of a pool (GET /v2/droplets/autoscale/{id}/members). */
export interface PoolMember {
  readonly droplet_id: number;
  readonly created_at: string;
  readonly health_status?: string;
  readonly unhealthy_reason?: string;
  readonly status: string;
}

/** An event of a pool's history (GET /v2/droplets/autoscale/{id}/history). */
export interface PoolHistoryEvent {
  readonly reason: string;
  readonly status: string;
  readonly created_at: string;
  readonly error_reason?: string;
}

export interface WatchOptions {
  readonly api: DoApi;
  /** The pools' names, `<application>-<environment>-<role>`. */
  readonly pools: readonly string[];
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

/** A pool's state at one look: its droplets from before its last template change, and after. */
function state(members: readonly PoolMember[], changedAt: number): { fresh: PoolMember[]; old: PoolMember[]; ready: PoolMember[] } {
  const fresh = members.filter((m) => Date.parse(m.created_at) >= changedAt);
  return {
    fresh,
    old: members.filter((m) => Date.parse(m.created_at) < changedAt),
    ready: fresh.filter((m) => m.status === "active" && m.health_status === "healthy"),
  };
}

/**
 * Waits until every pool has replaced the droplets it had before its last template change
 * with droplets that are active and healthy, printing each pool's progress as it changes.
 * Throws `RolloutFailure` as soon as a new droplet is off (its host gave up), the pool
 * reports its change failed, or the deadline passes.
 */
export async function watchRelease(o: WatchOptions): Promise<void> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const started = now();
  const deadline = o.deadlineMs ?? 30 * 60000;
  const pools: { pool: AutoscalePool; changedAt: number; last?: string; printedAt?: number; done?: boolean }[] = [];
  for (const name of o.pools) {
    const found = (await o.api.all<AutoscalePool>(`/v2/droplets/autoscale?name=${encodeURIComponent(name)}`, "autoscale_pools")).find((p) => p.name === name);
    if (!found) throw new RolloutFailure(`${name}: no autoscale pool has this name: is the stack deployed, with this token's team?`);
    pools.push({ pool: found, changedAt: Date.parse(found.created_at) });
  }
  o.out(`watching ${pools.map((p) => p.pool.name).join(", ")}: each pool replaces the droplets it had before its template changed`);
  for (;;) {
    const waited = now() - started;
    for (const p of pools.filter((p) => !p.done)) {
      const name = p.pool.name;
      const history = await o.api.get<{ history?: PoolHistoryEvent[] }>(`/v2/droplets/autoscale/${p.pool.id}/history`);
      const change = (history.history ?? []).filter((e) => e.reason === "CONFIGURATION_CHANGE").sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))[0];
      if (change) p.changedAt = Date.parse(change.created_at);
      if (change?.status === "error") throw new RolloutFailure(`${name}: the pool's change failed (${change.error_reason ?? "no reason given"}); roll back (docs/releasing.md)`);
      const members = await o.api.all<PoolMember>(`/v2/droplets/autoscale/${p.pool.id}/members`, "droplets");
      const s = state(members, p.changedAt);
      const off = s.fresh.find((m) => m.status === "off");
      if (off) {
        throw new RolloutFailure(
          `${name}: new droplet ${off.droplet_id} is off: its host gave up (a release that cannot start: see its journal, journalctl -u cloudtiers-app); the pool destroys the old droplets when its cooldown ends: roll back now (docs/releasing.md)`,
        );
      }
      const each = s.fresh.map((m) => `${m.droplet_id} ${m.status}${m.status === "active" ? ` ${m.health_status ?? "unknown"}` : ""}`);
      const line = `${name}: ${s.ready.length} of ${s.fresh.length} new droplets healthy${each.length > 0 ? ` (${each.join(", ")})` : ""}, ${s.old.length} old left`;
      // On each change, and once a minute while nothing changes.
      if (line !== p.last || waited - (p.printedAt ?? 0) >= 60000) {
        o.out(`${line} (${minutes(waited)})`);
        p.printedAt = waited;
      }
      p.last = line;
      p.done = s.old.length === 0 && s.fresh.length > 0 && s.ready.length === s.fresh.length;
      if (p.done) o.out(`${name}: done (${minutes(waited)})`);
    }
    if (pools.every((p) => p.done)) return;
    if (waited >= deadline) {
      const late = pools.filter((p) => !p.done).map((p) => p.pool.name);
      throw new RolloutFailure(`${late.join(", ")}: not through after ${minutes(waited)}: new droplets that never become healthy; roll back (docs/releasing.md)`);
    }
    await sleep(o.pollMs ?? 15000);
  }
}
