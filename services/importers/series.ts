import { type ExternalRun, type ExternalSeries } from '../../common/external-run';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../content-hash';

/** A value as stored: non-finite readings (NaN, ±Infinity) become null, as ExternalSeries says. */
export const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

interface Points {
  steps: number[];
  values: (number | null)[];
  /** step → position; built only once a step arrives out of order (logs are mostly in order). */
  index?: Map<number, number>;
}

/**
 * Collects (step, value) points per metric in any order and hands back ascending series. Each
 * importer decides what a second value at the same step means, so `set` reports the previous one.
 */
export class SeriesCollector {
  private readonly byName = new Map<string, Points>();

  /** Stores the point; returns the value it replaced, or undefined when the step was new. */
  set(name: string, step: number, value: number | null): number | null | undefined {
    let points = this.byName.get(name);
    if (!points) this.byName.set(name, (points = { steps: [], values: [] }));
    const n = points.steps.length;
    if (!points.index && (n === 0 || step > points.steps[n - 1]!)) {
      points.steps.push(step);
      points.values.push(value);
      return undefined;
    }
    const index = indexOf(points);
    const at = index.get(step);
    if (at !== undefined) {
      const previous = points.values[at];
      points.values[at] = value;
      return previous;
    }
    index.set(step, points.steps.length);
    points.steps.push(step);
    points.values.push(value);
    return undefined;
  }

  get(name: string, step: number): number | null | undefined {
    const points = this.byName.get(name);
    if (!points) return undefined;
    const at = indexOf(points).get(step);
    return at === undefined ? undefined : points.values[at];
  }

  get pointCount(): number {
    let n = 0;
    for (const points of this.byName.values()) n += points.steps.length;
    return n;
  }

  toSeries(): Record<string, ExternalSeries> {
    const out: Record<string, ExternalSeries> = {};
    for (const name of [...this.byName.keys()].sort()) {
      const { steps, values, index } = this.byName.get(name)!;
      if (!index) {
        out[name] = { steps: [...steps], values: [...values] };
        continue;
      }
      const order = steps.map((_, i) => i).sort((a, b) => steps[a]! - steps[b]!);
      out[name] = { steps: order.map((i) => steps[i]!), values: order.map((i) => values[i]!) };
    }
    return out;
  }
}

function indexOf(points: Points): Map<number, number> {
  if (!points.index) points.index = new Map(points.steps.map((step, i) => [step, i]));
  return points.index;
}

/**
 * The run's content hash: config and metric series only (never name, path or source), with keys
 * sorted, so the same data read again — from another folder or in another file order — hashes alike.
 * The bytes hashed are exactly canonicalJson({ config, metrics }); the series are written without
 * JSON.stringify's replacer, which would be called once per point (a million calls for 1M points).
 */
export function runContentHash(config: Record<string, unknown>, metrics: Record<string, ExternalSeries>): string {
  const hash = createHash('sha256');
  hash.update(`{"config":${canonicalJson(config)},"metrics":{`, 'utf8');
  const names = Object.keys(metrics).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  names.forEach((name, i) => {
    const { steps, values } = metrics[name]!;
    hash.update(`${i > 0 ? ',' : ''}${JSON.stringify(name)}:{"steps":${JSON.stringify(steps)},"values":${JSON.stringify(values)}}`, 'utf8');
  });
  hash.update('}}', 'utf8');
  return hash.digest('hex');
}

/** `seed` from the config when it is an integer (given as a number or as text), else 0. */
export function seedFromConfig(config: Record<string, unknown>): number {
  const raw = config.seed;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  return Number.isSafeInteger(n) ? n : 0;
}

/** Builds the run with its seed and content hash derived from what was read. */
export function makeRun(fields: Omit<ExternalRun, 'seed' | 'contentHash'>): ExternalRun {
  return {
    ...fields,
    seed: seedFromConfig(fields.config),
    contentHash: runContentHash(fields.config, fields.metrics),
  };
}

/** A param or cell as text → a number when the whole text is one, else the text unchanged. */
export function numberOrText(text: string): number | string {
  const trimmed = text.trim();
  if (trimmed === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return text;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : text;
}

const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
const NON_FINITE = /^\s*[+-]?(nan|inf|infinity)\s*$/i;

/** Reads a metric value written as text: a decimal number, or NaN/Infinity spellings (→ null). */
export function parseMetricValue(text: string): number | null | undefined {
  // Number() alone would also take "", "0x10" and "Infinity": the pattern says what a value is.
  const n = Number(text);
  if (!Number.isNaN(n) && DECIMAL.test(text)) return Number.isFinite(n) ? n : null;
  return NON_FINITE.test(text) ? null : undefined;
}
