/**
 * Metric roles: which of a project's metric names plays train/test loss and accuracy, so that the
 * phenomenon measures (grokking delay, interpolation threshold, test-error peak) and the charts
 * read runs logged elsewhere (`test_acc`, `val_loss`, `train/loss`) as they read Phenobook's own.
 * Stored data is never renamed: readers translate through a role map.
 */
import { METRIC_ROLES, type MetricRole, type RoleMap, type SavedRoles } from '../contract/metric-roles';

export { METRIC_ROLES, type MetricRole, type RoleMap, type SavedRoles };

export const isMetricRole = (v: string): v is MetricRole => (METRIC_ROLES as readonly string[]).includes(v);

/** Saved roles over the defaults: a role not saved reads the built-in metric of its own name. */
export function resolveRoles(saved: SavedRoles): RoleMap {
  return Object.fromEntries(METRIC_ROLES.map((r) => [r, saved[r] ?? r])) as RoleMap;
}

const SPLIT_WORDS = { train: ['train', 'training'], test: ['test', 'val', 'valid', 'validation', 'eval', 'dev', 'holdout'] } as const;
const KIND_WORDS = { Acc: ['acc', 'accuracy', 'top1'], Loss: ['loss', 'nll', 'xent', 'crossentropy'] } as const;
const KNOWN_WORDS = new Set<string>([...SPLIT_WORDS.train, ...SPLIT_WORDS.test, ...KIND_WORDS.Acc, ...KIND_WORDS.Loss]);

/** "train/loss", "val_accuracy", "testAcc" → lower-case words. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** The role a name reads as, and how sure: fewer unexplained words and "test" over "val" are better (lower). */
function classify(name: string): { role: MetricRole; score: number } | null {
  const w = words(name);
  const kind = (Object.keys(KIND_WORDS) as (keyof typeof KIND_WORDS)[]).find((k) => w.some((x) => (KIND_WORDS[k] as readonly string[]).includes(x)));
  if (!kind) return null;
  const isTest = w.some((x) => (SPLIT_WORDS.test as readonly string[]).includes(x));
  const isTrain = w.some((x) => (SPLIT_WORDS.train as readonly string[]).includes(x));
  if (isTest && isTrain) return null;
  const extra = w.filter((x) => !KNOWN_WORDS.has(x)).length;
  // A bare "loss" or "accuracy" is what most scripts log for the training batch.
  const role = `${isTest ? 'test' : 'train'}${kind}` as MetricRole;
  const secondary = isTest && !w.includes('test') ? 1 : 0;
  const implicit = !isTest && !isTrain ? 2 : 0;
  return { role, score: extra * 10 + secondary + implicit };
}

/**
 * A mapping suggested from the metric names a project's runs have: the built-in name when present,
 * else the closest-looking name (e.g. `test_acc`, `val_accuracy`, `test/accuracy` → testAcc;
 * `train_loss`, `loss`, `train/loss` → trainLoss). Roles nothing looks like are left out.
 */
export function suggestRoles(names: readonly string[]): SavedRoles {
  const out: SavedRoles = {};
  const best: Partial<Record<MetricRole, { name: string; score: number }>> = {};
  for (const name of [...names].sort()) {
    const c = classify(name);
    if (!c) continue;
    const score = name === c.role ? -1 : c.score;
    const prev = best[c.role];
    if (!prev || score < prev.score) best[c.role] = { name, score };
  }
  for (const role of METRIC_ROLES) if (best[role]) out[role] = best[role].name;
  return out;
}

/** Roles whose metric has another name than the role itself: the only ones a reader must translate. */
const renamed = (map: RoleMap) => METRIC_ROLES.filter((r) => map[r] !== r);

/**
 * A run's final values (or one live evaluation's values) with each role's value under the role's
 * name too (the mapped metric wins over a stored metric of the role's name), so sweep results and
 * their error rates, and the run page's live curves, find them.
 */
export function finalsWithRoles<V extends number | null>(final: Record<string, V>, map: RoleMap): Record<string, V> {
  const out = { ...final };
  for (const role of renamed(map)) if (Object.hasOwn(final, map[role])) out[role] = final[map[role]]!;
  return out;
}

/** The stored names to read for the requested names: a role's name reads its mapped metric. */
export function namesToRead(names: readonly string[], map: RoleMap): string[] {
  return [...new Set(names.flatMap((n) => (isMetricRole(n) && map[n] !== n ? [n, map[n]] : [n])))];
}

/**
 * A run's series with each role's series added under the role's name (the mapped metric replaces a
 * stored series of the role's name), so the run page's charts and grokking delay read it.
 */
export function seriesWithRoles<S extends { name: string }>(series: readonly S[], map: RoleMap, wanted?: readonly string[]): S[] {
  const roles = renamed(map).filter((r) => !wanted || wanted.includes(r));
  const byName = new Map(series.map((s) => [s.name, s]));
  const aliases = roles.flatMap((r) => {
    const s = byName.get(map[r]);
    return s ? [{ ...s, name: r }] : [];
  });
  const replaced = new Set<string>(aliases.map((a) => a.name));
  const kept = series.filter((s) => !replaced.has(s.name) && (!wanted || wanted.includes(s.name)));
  return [...kept, ...aliases];
}
