import { describe, expect, it } from 'vitest';
import type { RunValue } from '../../../contract/plots';
import { fieldChoices, plotModel, plotShows, varyingFields, type PlotRun, type PlotSpec } from './plot-builder';

// Six runs: weightDecay 0 and 1 × seeds 0–2; test accuracy read off each, plus a run with no metric.
const runs: PlotRun[] = [0, 1].flatMap((wd) =>
  [0, 1, 2].map((seed) => ({ id: `r${wd}${seed}`, label: `wd ${wd} seed ${seed}`, experiment: 'grokking-mlp', config: { weightDecay: wd, seed, optimizer: wd ? 'adamw' : 'adam', steps: 3000 } })),
);
const acc: Record<string, number> = { r00: 0.02, r01: 0.04, r02: 0.03, r10: 0.99, r11: 1, r12: 0.95 };
const values = (v: Record<string, number | null>) => new Map<string, RunValue>(Object.entries(v).map(([runId, value]) => [runId, { runId, value, step: 3000 }]));
const spec = (over: Partial<PlotSpec> = {}): PlotSpec => ({
  y: { name: 'testAcc', reduce: 'final' },
  x: { kind: 'field', field: 'weightDecay' },
  colorBy: null,
  band: 'std',
  logX: false,
  logY: false,
  ...over,
});

describe('plotModel', () => {
  it('final test accuracy against weightDecay: one point per value, mean ± sample std over the three seeds', () => {
    const m = plotModel(spec(), runs, values(acc), null);
    expect(m.series).toHaveLength(1);
    const [p0, p1] = m.series[0]!.points;
    expect(p0).toMatchObject({ x: 0, n: 3, runIds: ['r00', 'r01', 'r02'] });
    expect(p0!.mean).toBeCloseTo(0.03, 12);
    expect(p0!.upper - p0!.mean).toBeCloseTo(0.01, 12); // sample std of 0.02, 0.04, 0.03
    expect(p1!.mean).toBeCloseTo(0.98, 12);
    // mean + std = 0.98 + 0.0265 would pass 1: the band is clipped to the range accuracy can take.
    expect(p1!.upper).toBe(1);
    expect(p1!.lower).toBeCloseTo(0.98 - Math.sqrt(((0.01) ** 2 + (0.02) ** 2 + (0.03) ** 2) / 2), 12);
    expect(m.runIds).toHaveLength(6);
    expect(plotShows(m)).toBe('final testAcc against weightDecay, mean ± std over up to 3 runs per point');
  });

  it('min–max bands and no band', () => {
    const mm = plotModel(spec({ band: 'minmax' }), runs, values(acc), null).series[0]!.points[1]!;
    expect([mm.lower, mm.upper]).toEqual([0.95, 1]);
    const none = plotModel(spec({ band: 'none' }), runs, values(acc), null).series[0]!.points[1]!;
    expect(none.lower).toBe(none.upper);
  });

  it('colour by a field splits the runs into series; a text field on x is categorical', () => {
    const bySeed = plotModel(spec({ colorBy: 'seed' }), runs, values(acc), null);
    expect(bySeed.series.map((s) => s.name)).toEqual(['seed = 0', 'seed = 1', 'seed = 2']);
    expect(bySeed.series[2]!.points.map((p) => p.mean)).toEqual([0.03, 0.95]);
    const cat = plotModel(spec({ x: { kind: 'field', field: 'optimizer' }, logX: true }), runs, values(acc), null);
    expect(cat.categoricalX).toBe(true);
    expect(cat.logX).toBe(false);
    expect(cat.series[0]!.points.map((p) => p.x)).toEqual(['adam', 'adamw']);
  });

  it('a metric on x gives one point per run and no band', () => {
    const l2 = values({ r00: 10, r01: 11, r02: 12, r10: 3, r11: 4, r12: 5 });
    const m = plotModel(spec({ x: { kind: 'metric', read: { name: 'l2', reduce: 'final' } } }), runs, values(acc), l2);
    expect(m.scatter).toBe(true);
    expect(m.band).toBe('none');
    expect(m.series[0]!.points.map((p) => [p.x, p.mean])).toEqual([[3, 0.99], [4, 1], [5, 0.95], [10, 0.02], [11, 0.04], [12, 0.03]]);
    expect(m.xTitle).toBe('final l2');
  });

  it('says which runs it left out and why; a log axis is dropped when a value is not positive', () => {
    const partial = { ...acc, r12: null } as Record<string, number | null>;
    delete partial.r11;
    const extra: PlotRun = { id: 'x', label: 'no field', experiment: 'mine', config: {} };
    const m = plotModel(spec({ logY: true }), [...runs, extra], values({ ...partial, x: 0.5, r00: 0 }), null);
    expect(m.skipped.map((s) => [s.runId, s.reason])).toEqual([
      ['r11', 'no testAcc'],
      ['r12', 'testAcc is not finite'],
      ['x', 'no field weightDecay'],
    ]);
    expect(m.logY).toBe(false);
    expect(plotModel(spec({ y: { name: 'testAcc', reduce: 'at', step: 50 } }), runs, values({}), null).skipped[0]!.reason).toBe('no testAcc at or before step 50');
  });
});

describe('field choices', () => {
  it('lists numeric fields first, and which fields vary between runs', () => {
    expect(fieldChoices(runs).map((f) => f.field)).toEqual(['seed', 'steps', 'weightDecay', 'optimizer']);
    expect(varyingFields(runs)).toEqual(['seed', 'weightDecay', 'optimizer']);
  });
});
