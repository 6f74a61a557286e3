import { GRID_KEY_PATTERN, type GridAxis } from '../contract/sweeps';

type GridValue = GridAxis['values'][number];

/** What a sweep made of existing runs stores, before anything is written. */
export interface AdoptionPlan {
  experiment: string;
  preset: string | null;
  /** The config fields every run shares (the swept field and seed left out). */
  config: Record<string, unknown>;
  grid: GridAxis[];
  /** As many as the most runs that share one value. */
  seeds: number;
  points: { runId: string; point: Record<string, GridValue> }[];
}

interface AdoptableRun {
  id: string;
  experiment: string;
  preset: string | null;
  config: Record<string, unknown>;
}

const isGridValue = (v: unknown): v is GridValue =>
  (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && v.length <= 100) || typeof v === 'boolean';

/** Numbers by size, then text, then false before true. */
const byValue = (a: GridValue, b: GridValue) =>
  typeof a !== typeof b ? (typeof a).localeCompare(typeof b) : typeof a === 'string' ? a.localeCompare(b as string) : Number(a) - Number(b);

/**
 * Config fields a set of runs could be a sweep over: every run has the field as a number, text or
 * true/false, and not all the same (seed left out: runs that share a value are the seeds).
 */
export function adoptableFields(configs: readonly Record<string, unknown>[]): string[] {
  if (configs.length < 2) return [];
  const keys = [...new Set(configs.flatMap((c) => Object.keys(c)))].filter((k) => k !== 'seed' && GRID_KEY_PATTERN.test(k));
  return keys.filter((k) => configs.every((c) => Object.hasOwn(c, k) && isGridValue(c[k])) && new Set(configs.map((c) => JSON.stringify(c[k]))).size > 1);
}

/** Why these runs cannot be a sweep over `field`, or the sweep they make. */
export function adoptionPlan(runs: readonly AdoptableRun[], field: string): { ok: true; plan: AdoptionPlan } | { ok: false; message: string } {
  if (field === 'seed') return { ok: false, message: 'seed tells the seeds of a point apart: choose another field' };
  const missing = runs.filter((r) => !Object.hasOwn(r.config, field) || !isGridValue(r.config[field]));
  if (missing.length > 0) {
    return { ok: false, message: `${missing.length} of the ${runs.length} runs have no number, text or true/false "${field}" in their config` };
  }
  const values = runs.map((r) => r.config[field] as GridValue);
  const distinct = [...new Map(values.map((v) => [JSON.stringify(v), v])).values()].sort(byValue);
  if (distinct.length < 2) return { ok: false, message: `Every run has ${field} = ${JSON.stringify(distinct[0])}: choose a field whose values differ` };
  const counts = new Map<string, number>();
  for (const v of values) counts.set(JSON.stringify(v), (counts.get(JSON.stringify(v)) ?? 0) + 1);
  const first = runs[0]!.config;
  const shared = Object.keys(first).filter(
    (k) => k !== field && k !== 'seed' && runs.every((r) => Object.hasOwn(r.config, k) && JSON.stringify(r.config[k]) === JSON.stringify(first[k])),
  );
  const experiments = [...new Set(runs.map((r) => r.experiment))].sort();
  const joined = experiments.join('+');
  const presets = new Set(runs.map((r) => r.preset));
  return {
    ok: true,
    plan: {
      // A sweep names one experiment: a name as bundles carry it (no spaces, at most 100 characters).
      experiment: joined.length <= 100 ? joined : 'mixed',
      preset: presets.size === 1 ? runs[0]!.preset : null,
      config: Object.fromEntries(shared.map((k) => [k, first[k]])),
      grid: [{ key: field, values: distinct }],
      seeds: Math.max(...counts.values()),
      points: runs.map((r) => ({ runId: r.id, point: { [field]: r.config[field] as GridValue } })),
    },
  };
}
