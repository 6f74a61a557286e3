import type { MetricPoint } from '../contract/runs';

/**
 * One line of a training script's output, as `phenobook log` and the JSON-lines importer read it:
 * `{"step": 100, "train_loss": 0.31}` is a metric point, `{"config": {...}}` adds to the config,
 * anything else is the script's own output.
 */
export type MetricLine = { kind: 'point'; point: MetricPoint } | { kind: 'config'; config: Record<string, unknown> } | { kind: 'other' };

const OTHER: MetricLine = { kind: 'other' };

// Python's json.dumps writes NaN and ±Infinity bare (a diverging loss): read them as non-finite values.
const PY_NON_FINITE = /([:,[]\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g;

function parseObject(text: string): Record<string, unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    if (!/NaN|Infinity/.test(text)) return null;
    try {
      value = JSON.parse(text.replace(PY_NON_FINITE, '$1null'));
    } catch {
      return null;
    }
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function parseMetricLine(line: string): MetricLine {
  const text = line.trim();
  if (!text.startsWith('{') || !text.endsWith('}')) return OTHER;
  const obj = parseObject(text);
  if (!obj) return OTHER;
  const step = obj.step;
  if (typeof step === 'number') {
    // Steps are stored as whole numbers: a fractional or negative step is not one of ours.
    if (!Number.isSafeInteger(step) || step < 0) return OTHER;
    const values: Record<string, number> = {};
    for (const [name, v] of Object.entries(obj)) {
      // "__proto__" cannot be a key of a plain object: assigning it would change the object, not add a metric.
      if (name === 'step' || name === '__proto__' || name.length === 0 || name.length > 200) continue;
      // null stands for a value that was not finite (NaN written by Python); text and lists are not metrics.
      if (typeof v === 'number') values[name] = v;
      else if (v === null) values[name] = Number.NaN;
    }
    return { kind: 'point', point: { step, values } };
  }
  if (Object.keys(obj).length === 1 && isPlainObject(obj.config)) return { kind: 'config', config: { ...obj.config } };
  return OTHER;
}
