import { type ExternalRun, type ExternalSeries } from '../../common/external-run';
import { contentHash } from '../content-hash';

/** A value as stored: non-finite readings (NaN, ±Infinity) become null, as ExternalSeries says. */
export const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

/**
 * Collects (step, value) points per metric in any order and hands back ascending series. Each
 * importer decides what a second value at the same step means, so `set` reports the previous one.
 */
export class SeriesCollector {
  private readonly byName = new Map<string, Map<number, number | null>>();

  /** Stores the point; returns the value it replaced, or undefined when the step was new. */
  set(name: string, step: number, value: number | null): number | null | undefined {
    let points = this.byName.get(name);
    if (!points) this.byName.set(name, (points = new Map()));
    const previous = points.get(step);
    points.set(step, value);
    return previous;
  }

  get(name: string, step: number): number | null | undefined {
    return this.byName.get(name)?.get(step);
  }

  get pointCount(): number {
    let n = 0;
    for (const points of this.byName.values()) n += points.size;
    return n;
  }

  toSeries(): Record<string, ExternalSeries> {
    const out: Record<string, ExternalSeries> = {};
    for (const name of [...this.byName.keys()].sort()) {
      const points = [...this.byName.get(name)!].sort((a, b) => a[0] - b[0]);
      out[name] = { steps: points.map((p) => p[0]), values: points.map((p) => p[1]) };
    }
    return out;
  }
}

/**
 * The run's content hash: config and metric series only (never name, path or source), with keys
 * sorted, so the same data read again — from another folder or in another file order — hashes alike.
 */
export function runContentHash(config: Record<string, unknown>, metrics: Record<string, ExternalSeries>): string {
  return contentHash({ config, metrics });
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

/** Reads a metric value written as text: a decimal number, or NaN/Infinity spellings (→ null). */
export function parseMetricValue(text: string): number | null | undefined {
  const trimmed = text.trim();
  if (/^[+-]?(nan|inf|infinity)$/i.test(trimmed)) return null;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return undefined;
  return finiteOrNull(Number(trimmed));
}
