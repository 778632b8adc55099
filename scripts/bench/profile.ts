/**
 * Where a synth's time goes, from a V8 CPU profile (`node --cpu-prof`): each sample counted
 * once, for the outermost frame on its stack that a category names, so that cdktf's own
 * work is measured whole, whatever it calls.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** A `.cpuprofile` as V8 writes it (the fields read here). */
export interface CpuProfile {
  readonly nodes: readonly { id: number; callFrame: { functionName: string; url: string }; children?: readonly number[] }[];
  readonly samples: readonly number[];
  /** Microseconds since the previous sample. */
  readonly timeDeltas: readonly number[];
}

/** A part of the work: a frame is its own when `test` holds for the frame's function name and script URL. */
export interface Category {
  readonly name: string;
  readonly test: (functionName: string, url: string) => boolean;
  /** Whether it is cdktf's own work (cdktf's or its bindings' code), which no app of these resources avoids. */
  readonly cdktf?: boolean;
}

/** The categories of a synth: cdktf's own per-resource work, its JSON writer, the garbage collector; everything else is the rest. */
export const SYNTH_CATEGORIES: readonly Category[] = [
  { name: "cdktf resolving tokens", cdktf: true, test: (f, url) => f === "resolve" && url.endsWith("/node_modules/cdktf/lib/tokens/private/resolve.js") },
  { name: "cdktf's toTerraform of each resource (the bindings' attributes)", cdktf: true, test: (f, url) => f === "toTerraform" && /\/node_modules\/cdktf\/lib\/terraform-(resource|data-source|provider)\.js$/.test(url) },
  { name: "cdktf writing each stack's JSON (json-stable-stringify)", cdktf: true, test: (_, url) => url.includes("/node_modules/json-stable-stringify/") },
  { name: "garbage collection", test: (f) => f === "(garbage collector)" },
];

/**
 * Where the samples no category takes ran themselves (the innermost frame): cdktf's code
 * that cloudtiers' constructs call (constructors, tokens) is cdktf's; the rest is cloudtiers'
 * own, the YAML library's, or Node's.
 */
export const REST_GROUPS: readonly Category[] = [
  { name: "cdktf, constructs and the bindings, called while building (constructors, tokens)", cdktf: true, test: (_, url) => /\/node_modules\/(cdktf|constructs|@cdktf)\//.test(url) },
  { name: "the yaml library (user data)", test: (_, url) => url.includes("/node_modules/yaml/") },
  { name: "cloudtiers' own code", test: (_, url) => url.startsWith("file://") && !url.includes("/node_modules/") },
];

/** What Node itself ran (loading, files, hashing) and anything else of the rest. */
export const REST_OTHER = "Node and everything else (loading modules, files)";

/** Milliseconds of cdktf's own work in `categoryTimes`' answer: the categories and groups of the rest marked `cdktf`. */
export function cdktfOwn(times: { byCategory: Record<string, number>; rest: Record<string, number> }, categories: readonly Category[] = SYNTH_CATEGORIES, groups: readonly Category[] = REST_GROUPS): number {
  const sum = (list: readonly Category[], of: Record<string, number>) => list.filter((c) => c.cdktf).reduce((total, c) => total + of[c.name], 0);
  return sum(categories, times.byCategory) + sum(groups, times.rest);
}

/**
 * Milliseconds of the profile in each category (`byCategory`), in all (`total`), and the
 * rest by the group its innermost frame belongs to (`rest`, `REST_OTHER` for none).
 */
export function categoryTimes(
  profile: CpuProfile,
  categories: readonly Category[],
  groups: readonly Category[] = REST_GROUPS,
): { total: number; byCategory: Record<string, number>; rest: Record<string, number> } {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  // Each node's category: its outermost frame's that a category names, if any.
  const categoryOf = new Map<number, string | undefined>();
  const resolve = (id: number): string | undefined => {
    if (categoryOf.has(id)) return categoryOf.get(id);
    const above = parent.get(id);
    const outer = above === undefined ? undefined : resolve(above);
    const { functionName, url } = byId.get(id)!.callFrame;
    const category = outer ?? categories.find((c) => c.test(functionName, url))?.name;
    categoryOf.set(id, category);
    return category;
  };
  const byCategory: Record<string, number> = Object.fromEntries(categories.map((c) => [c.name, 0]));
  const rest: Record<string, number> = Object.fromEntries([...groups.map((g) => [g.name, 0]), [REST_OTHER, 0]]);
  let total = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    total += ms;
    const category = resolve(id);
    if (category !== undefined) {
      byCategory[category] += ms;
    } else {
      // A frame without a script (a regular expression, a builtin) runs for the nearest one with a script.
      let at: number | undefined = id;
      while (at !== undefined && byId.get(at)!.callFrame.url === "" && parent.has(at)) at = parent.get(at);
      const { functionName, url } = byId.get(at ?? id)!.callFrame;
      rest[groups.find((g) => g.test(functionName, url))?.name ?? REST_OTHER] += ms;
    }
  });
  return { total, byCategory, rest };
}

/** The one profile `node --cpu-prof --cpu-prof-dir=dir` wrote for a process that started no other. */
export function readProfile(dir: string): CpuProfile {
  const files = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
  if (files.length !== 1) throw new Error(`expected one CPU profile in ${dir}, found ${files.length}`);
  return JSON.parse(readFileSync(join(dir, files[0]), "utf8"));
}
