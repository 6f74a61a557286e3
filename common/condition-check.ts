import { describeCondition, type Condition, type ConditionWarning, type Prediction } from '../contract/hypotheses';
import { isBuiltinMetric, METRIC_KEYS, metricLabel } from '../contract/metrics';
import type { ExperimentField } from '../contract/runs';

/**
 * Checks a hypothesis's predictions against the experiments it can be tested on: a condition on a
 * config field no such experiment has (`weight_decay` for `weightDecay`), or one none of them can
 * satisfy (`task = "binary"`, `weightDecay < 0`), would make every linked run read "outside
 * condition" — and once locked the preregistration stays wrong. Nothing here refuses anything:
 * the warnings are shown while writing and at Lock, and the researcher may still lock on purpose.
 */

/** What one experiment offers a prediction: its config fields, and metrics only some experiments record. */
export interface KnownExperiment {
  key: string;
  fields: readonly KnownField[];
}

/** A config field; `mixed` when runs trained elsewhere stored values of different types under it (nothing is ruled out). */
export type KnownField = Pick<ExperimentField, 'key' | 'minimum' | 'maximum' | 'exclusiveMinimum' | 'exclusiveMaximum' | 'options'> & {
  type: ExperimentField['type'] | 'mixed';
};

/** The metric names a project's runs recorded, and whether its experiments are built-in ones that record the built-in metrics. */
export interface KnownMetrics {
  recorded: readonly string[];
  builtins: boolean;
}

/** Nested configs are read by dotted paths (`optimizer.lr`), as conditions name them; deeper levels are not offered. */
const MAX_FIELD_DEPTH = 3;

/**
 * The fields a set of stored configs has (those of runs trained elsewhere, which have no schema):
 * every key any of them holds, nested objects as dotted paths, typed by the values seen.
 */
export function fieldsFromConfigs(configs: readonly Record<string, unknown>[]): KnownField[] {
  const types = new Map<string, KnownField['type']>();
  const visit = (node: Record<string, unknown>, prefix: string, depth: number) => {
    for (const [k, v] of Object.entries(node)) {
      const key = prefix + k;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        if (depth < MAX_FIELD_DEPTH) visit(v as Record<string, unknown>, `${key}.`, depth + 1);
        continue;
      }
      const type = typeof v === 'boolean' ? 'boolean' : typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : 'mixed';
      const seen = types.get(key);
      types.set(key, seen === undefined || seen === type ? type : 'mixed');
    }
  };
  for (const c of configs) visit(c, '', 1);
  return [...types].map(([key, type]) => ({ key, type }));
}

/** Metrics only the telescoping probe records (double-descent with probe = true); looked up own-property only. */
const PROBE_METRICS: Readonly<Record<string, readonly string[]>> = {
  pTrain: ['double-descent'],
  pTest: ['double-descent'],
  telescopeError: ['double-descent'],
  lazyError: ['double-descent'],
  probeMsPerStep: ['double-descent'],
};

const normalise = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The known name closest to `name` (ignoring case, `_` and `-`), when it is close enough to be a typo. */
export function closestName(name: string, known: readonly string[]): string | null {
  const target = normalise(name);
  let best: { name: string; d: number } | null = null;
  for (const k of known) {
    const d = editDistance(target, normalise(k));
    if (!best || d < best.d) best = { name: k, d };
  }
  if (!best) return null;
  return best.d <= Math.max(1, Math.floor(target.length / 3)) ? best.name : null;
}

type Field = KnownExperiment['fields'][number];

/** Why no value of this field can meet the condition, or null when some value can. */
function unsatisfiable(c: Condition, f: Field): string | null {
  const v = c.value;
  const numeric = f.type === 'number' || f.type === 'integer';
  if (c.op === '!=') return null;
  if (f.type === 'boolean') {
    if (c.op !== '=') return `${f.key} is true or false, so “${c.op}” never holds`;
    return typeof v === 'boolean' ? null : `${f.key} is true or false, not ${JSON.stringify(v)}`;
  }
  if (f.type === 'string') {
    if (c.op !== '=') return `${f.key} is text, so “${c.op}” never holds`;
    if (typeof v !== 'string') return `${f.key} is text${f.options ? ` (one of ${f.options.join(', ')})` : ''}, not ${JSON.stringify(v)}`;
    return f.options && !f.options.includes(v) ? `${f.key} is one of ${f.options.join(', ')}, never “${v}”` : null;
  }
  if (!numeric) return null;
  if (typeof v !== 'number') return `${f.key} is a number, so it never ${c.op === '=' ? 'equals' : 'compares with'} ${JSON.stringify(v)}`;
  const lo = f.minimum ?? f.exclusiveMinimum;
  const hi = f.maximum ?? f.exclusiveMaximum;
  const range = `${f.key} is ${lo !== undefined ? `${f.exclusiveMinimum !== undefined ? '>' : '≥'} ${lo}` : ''}${lo !== undefined && hi !== undefined ? ' and ' : ''}${hi !== undefined ? `${f.exclusiveMaximum !== undefined ? '<' : '≤'} ${hi}` : ''}`;
  const belowMin = (x: number, strict: boolean) =>
    (f.minimum !== undefined && (strict ? x <= f.minimum : x < f.minimum)) || (f.exclusiveMinimum !== undefined && x <= f.exclusiveMinimum);
  const aboveMax = (x: number, strict: boolean) =>
    (f.maximum !== undefined && (strict ? x >= f.maximum : x > f.maximum)) || (f.exclusiveMaximum !== undefined && x >= f.exclusiveMaximum);
  switch (c.op) {
    case '=':
      if (f.type === 'integer' && !Number.isInteger(v)) return `${f.key} is a whole number, never ${v}`;
      return belowMin(v, false) || aboveMax(v, false) ? `${range}, never ${v}` : null;
    case '<':
      return belowMin(v, true) ? `${range}, never < ${v}` : null;
    case '<=':
      return belowMin(v, false) ? `${range}, never ≤ ${v}` : null;
    case '>':
      return aboveMax(v, true) ? `${range}, never > ${v}` : null;
    case '>=':
      return aboveMax(v, false) ? `${range}, never ≥ ${v}` : null;
  }
}

/**
 * A metric no run of the project records, and not a built-in one its built-in experiments record:
 * every run would read "inconclusive". Null when some run can decide it.
 */
function unrecordedMetric(metric: string, metrics: KnownMetrics): { message: string; suggestion: string | null } | null {
  if (metrics.recorded.includes(metric) || (metrics.builtins && isBuiltinMetric(metric))) return null;
  const candidates = [...new Set([...metrics.recorded, ...(metrics.builtins ? METRIC_KEYS : [])])];
  const suggestion = closestName(metric, candidates);
  return {
    suggestion,
    message: `No run of this project records the metric “${metric}”${suggestion ? ` — did you mean “${suggestion}”?` : ''} Every run would read “inconclusive”.`,
  };
}

/**
 * Warnings for predictions that no known experiment can put to the test. `experiments` are those the
 * project has runs of or names; with none, nothing is known and nothing is warned about. With
 * `metrics`, a metric no run records is warned about too (with the closest recorded name).
 */
export function checkPredictions(predictions: readonly Prediction[], experiments: readonly KnownExperiment[], metrics?: KnownMetrics): ConditionWarning[] {
  if (experiments.length === 0) return [];
  const names = experiments.map((e) => e.key).join(', ');
  const allFields = [...new Set(experiments.flatMap((e) => e.fields.map((f) => f.key)))];
  const out: ConditionWarning[] = [];
  predictions.forEach((p, predictionIndex) => {
    const missing = metrics ? unrecordedMetric(p.metric, metrics) : null;
    if (missing) out.push({ predictionIndex, conditionIndex: null, ...missing });
    const recorders = Object.hasOwn(PROBE_METRICS, p.metric) ? PROBE_METRICS[p.metric] : undefined;
    if (!missing && recorders && !experiments.some((e) => recorders.includes(e.key))) {
      out.push({
        predictionIndex,
        conditionIndex: null,
        suggestion: null,
        message: `No run of ${names} records ${metricLabel(p.metric)} (only ${recorders.join(', ')} with probe = true does): this prediction would stay inconclusive.`,
      });
    }
    let flagged = false;
    p.when.forEach((c, conditionIndex) => {
      const having = experiments.filter((e) => e.fields.some((f) => f.key === c.field));
      if (having.length === 0) {
        const suggestion = closestName(c.field, allFields);
        flagged = true;
        out.push({
          predictionIndex,
          conditionIndex,
          suggestion,
          message: `No known experiment (${names}) has a config field “${c.field}”${suggestion ? ` — did you mean “${suggestion}”?` : ''} Every run would read “outside condition”.`,
        });
        return;
      }
      const reasons = having.map((e) => unsatisfiable(c, e.fields.find((f) => f.key === c.field)!));
      if (reasons.every((r) => r !== null)) {
        flagged = true;
        out.push({
          predictionIndex,
          conditionIndex,
          suggestion: null,
          message: `No known experiment can satisfy ${describeCondition(c)}: ${[...new Set(reasons)].join('; ')}. Every run would read “outside condition”.`,
        });
      }
    });
    // Each condition alone may be satisfiable while together no one experiment has all the fields.
    if (!flagged && p.when.length > 1) {
      const fits = experiments.some((e) => p.when.every((c) => { const f = e.fields.find((x) => x.key === c.field); return f && unsatisfiable(c, f) === null; }));
      if (!fits) {
        out.push({
          predictionIndex,
          conditionIndex: null,
          suggestion: null,
          message: `No single known experiment (${names}) can meet all of ${p.when.map(describeCondition).join(' and ')} at once. Every run would read “outside condition”.`,
        });
      }
    }
  });
  return out;
}
