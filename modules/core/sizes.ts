/**
 * The neutral size vocabulary. Every cloud maps each size to one of its own machine
 * types through a `SIZE_MAP` table of its own, overridable per environment.
 */
export const SIZES = ["small", "medium", "large", "xlarge"] as const;

/** A machine size in intent vocabulary. */
export type Size = (typeof SIZES)[number];

/** What a size promises, whatever the cloud: the cloud tables pick a type with at least this. */
export interface SizeProfile {
  /** Virtual CPUs. */
  readonly vcpus: number;
  /** Memory, in GiB. */
  readonly memoryGiB: number;
}

/** The capacity behind each size name. Host provisioning sizes gunicorn and Celery from it. */
export const SIZE_PROFILES: Readonly<Record<Size, SizeProfile>> = {
  small: { vcpus: 1, memoryGiB: 2 },
  medium: { vcpus: 2, memoryGiB: 4 },
  large: { vcpus: 4, memoryGiB: 8 },
  xlarge: { vcpus: 8, memoryGiB: 16 },
};

/** A per-cloud table from size to machine type, e.g. `{ small: "t3.small", ... }`. */
export type SizeMap = Readonly<Record<Size, string>>;

/** Per-environment overrides of a cloud's size table. */
export type SizeMapOverride = Readonly<Partial<Record<Size, string>>>;

/** The cloud's table with the environment's overrides applied. */
export function resolveSizeMap(base: SizeMap, override: SizeMapOverride | undefined): SizeMap {
  return { ...base, ...(override ?? {}) };
}
