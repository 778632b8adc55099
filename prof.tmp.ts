import { REST_GROUPS, SYNTH_CATEGORIES, categoryTimes, readProfile } from "./scripts/bench/profile";
const r = categoryTimes(readProfile(process.argv[2]), SYNTH_CATEGORIES, REST_GROUPS);
console.log(r.total.toFixed(0), JSON.stringify(r.byCategory, (k, v) => (typeof v === "number" ? Math.round(v) : v), 1), JSON.stringify(r.rest, (k, v) => (typeof v === "number" ? Math.round(v) : v), 1));
