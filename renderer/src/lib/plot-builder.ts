// The plot builder's model: any metric of a set of runs (final, at a step, max or min) against a
// config field or another metric, coloured by a field, with bands over the runs that share a point
// (seeds). Pure, so it is tested without a browser; PlotBuilder.svelte draws what it returns.
import { max, mean, min, sampleStandardDeviation } from 'simple-statistics';
import type { MetricRead, RunValue } from '../../../contract/plots';
import { clipBand, metricBounds } from './axes';

export type PlotX = { kind: 'field'; field: string } | { kind: 'metric'; read: MetricRead };
export type PlotBand = 'std' | 'minmax' | 'none';

export interface PlotSpec {
  y: MetricRead;
  x: PlotX;
  /** A config field whose values split the runs into coloured series; null for one series. */
  colorBy: string | null;
  band: PlotBand;
  logX: boolean;
  logY: boolean;
}

/** What the builder needs of a run. */
export interface PlotRun {
  id: string;
  label: string;
  experiment: string;
  config: Record<string, unknown>;
}

/** One x position of a series: the runs there and what they read. */
export interface PlotPoint {
  x: number | string;
  mean: number;
  lower: number;
  upper: number;
  /** How many runs (seeds) share this point. */
  n: number;
  runIds: string[];
  /** Each run's own value, drawn as a faint dot beside the mean. */
  values: number[];
}

export interface PlotSeries {
  name: string;
  color: string;
  points: PlotPoint[];
}

export interface PlotModel {
  xTitle: string;
  yTitle: string;
  /** Categories on x (a text field): no log axis, points in first-seen order. */
  categoricalX: boolean;
  /** x is another metric: one dot per run, no means or bands (each run is its own point). */
  scatter: boolean;
  logX: boolean;
  logY: boolean;
  band: PlotBand;
  series: PlotSeries[];
  /** Runs drawn. */
  runIds: string[];
  /** Runs of the selection left out, and why (no such metric, no such field, a non-finite value). */
  skipped: { runId: string; label: string; reason: string }[];
}

const COLORS = ['#2c5a86', '#c0562b', '#1f6a5c', '#5b3a8c', '#8a5a00', '#a3336b', '#3f6d1f', '#555555'];

export function readLabel(read: MetricRead): string {
  if (read.reduce === 'final') return `final ${read.name}`;
  if (read.reduce === 'at') return `${read.name} at step ${read.step}`;
  return `${read.reduce} ${read.name}`;
}

/** A config value as an x position or a colour key: numbers stay numbers, everything else is text. */
function fieldValue(config: Record<string, unknown>, field: string): number | string | undefined {
  if (!Object.hasOwn(config, field)) return undefined;
  const v = config[field];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  if (v === null) return 'null';
  return JSON.stringify(v);
}

/** The config fields a set of runs has, those with a number in every run first. */
export function fieldChoices(runs: readonly PlotRun[]): { field: string; numeric: boolean }[] {
  const seen = new Map<string, boolean>();
  for (const r of runs) {
    for (const [k, v] of Object.entries(r.config)) seen.set(k, (seen.get(k) ?? true) && typeof v === 'number');
  }
  return [...seen].map(([field, numeric]) => ({ field, numeric })).sort((a, b) => Number(b.numeric) - Number(a.numeric) || a.field.localeCompare(b.field));
}

/** Fields whose value differs between the runs: the ones worth putting on x or colouring by. */
export function varyingFields(runs: readonly PlotRun[]): string[] {
  return fieldChoices(runs)
    .map((c) => c.field)
    .filter((f) => new Set(runs.map((r) => JSON.stringify(r.config[f] ?? null))).size > 1);
}

/**
 * Builds the chart. `yValues` (and `xValues` when x is a metric) are what plots:values read, by
 * run id; a run missing from them has no such metric.
 */
export function plotModel(
  spec: PlotSpec,
  runs: readonly PlotRun[],
  yValues: ReadonlyMap<string, RunValue>,
  xValues: ReadonlyMap<string, RunValue> | null,
): PlotModel {
  const skipped: PlotModel['skipped'] = [];
  const rows: { run: PlotRun; x: number | string; y: number; color: string }[] = [];
  for (const run of runs) {
    const y = yValues.get(run.id);
    const skip = (reason: string) => skipped.push({ runId: run.id, label: run.label, reason });
    if (!y) {
      skip(`no ${spec.y.name}${spec.y.reduce === 'at' ? ` at or before step ${spec.y.step}` : ''}`);
      continue;
    }
    if (y.value === null) {
      skip(`${spec.y.name} is not finite`);
      continue;
    }
    let x: number | string | undefined;
    if (spec.x.kind === 'field') {
      x = fieldValue(run.config, spec.x.field);
      if (x === undefined) {
        skip(`no field ${spec.x.field}`);
        continue;
      }
    } else {
      const v = xValues?.get(run.id);
      if (!v || v.value === null) {
        skip(v ? `${spec.x.read.name} is not finite` : `no ${spec.x.read.name}`);
        continue;
      }
      x = v.value;
    }
    const color = spec.colorBy ? (fieldValue(run.config, spec.colorBy) ?? '(none)') : '';
    rows.push({ run, x, y: y.value, color: String(color) });
  }

  const scatter = spec.x.kind === 'metric';
  const categoricalX = rows.some((r) => typeof r.x === 'string');
  const logX = spec.logX && !categoricalX && rows.every((r) => (r.x as number) > 0);
  const logY = spec.logY && rows.every((r) => r.y > 0);
  const bounds = metricBounds(spec.y.name);

  const byColor = new Map<string, typeof rows>();
  for (const r of rows) byColor.set(r.color, [...(byColor.get(r.color) ?? []), r]);
  const colorKeys = [...byColor.keys()].sort((a, b) => {
    const na = Number(a);
    const nb = Number(b);
    return Number.isFinite(na) && Number.isFinite(nb) && a !== '' && b !== '' ? na - nb : a.localeCompare(b);
  });

  const series: PlotSeries[] = colorKeys.map((key, i) => {
    const members = byColor.get(key)!;
    const groups = new Map<string, typeof rows>();
    for (const r of members) {
      // A metric on x: each run is its own point.
      const k = scatter ? r.run.id : `${typeof r.x}:${r.x}`;
      groups.set(k, [...(groups.get(k) ?? []), r]);
    }
    const points: PlotPoint[] = [...groups.values()].map((g) => {
      const ys = g.map((r) => r.y);
      const m = mean(ys);
      const spread = spec.band === 'std' ? (ys.length > 1 ? sampleStandardDeviation(ys) : 0) : 0;
      const [lower, upper] =
        spec.band === 'std' ? [m - spread, m + spread] : spec.band === 'minmax' ? [min(ys), max(ys)] : [m, m];
      return {
        x: g[0]!.x,
        mean: m,
        lower: clipBand([lower], bounds)[0]!,
        upper: clipBand([upper], bounds)[0]!,
        n: g.length,
        runIds: g.map((r) => r.run.id),
        values: ys,
      };
    });
    if (!categoricalX) points.sort((a, b) => (a.x as number) - (b.x as number));
    const name = spec.colorBy ? `${spec.colorBy} = ${key}` : readLabel(spec.y);
    return { name, color: COLORS[i % COLORS.length]!, points };
  });

  return {
    xTitle: spec.x.kind === 'field' ? spec.x.field : readLabel(spec.x.read),
    yTitle: readLabel(spec.y),
    categoricalX,
    scatter,
    logX,
    logY,
    band: scatter ? 'none' : spec.band,
    series,
    runIds: rows.map((r) => r.run.id),
    skipped,
  };
}

/** "mean ± std over 3 seeds of final testAcc against weightDecay" for captions and provenance. */
export function plotShows(model: PlotModel): string {
  const maxN = Math.max(0, ...model.series.flatMap((s) => s.points.map((p) => p.n)));
  const how = model.scatter
    ? 'one point per run'
    : maxN <= 1
      ? 'one run per point'
      : model.band === 'std'
        ? `mean ± std over up to ${maxN} runs per point`
        : model.band === 'minmax'
          ? `mean with min–max over up to ${maxN} runs per point`
          : `mean over up to ${maxN} runs per point`;
  return `${model.yTitle} against ${model.xTitle}, ${how}`;
}
