import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfounderTest } from '../contract/confounders';
import type { Project } from '../contract/projects';
import type { Sweep } from '../contract/sweeps';
import { RunsRepo } from '../db/runs.repo';
import { dispatch } from '../host/handlers';
import { mulberry32 } from '../common/stats/bootstrap';
import { snapshotTables, tempContext } from '../test/temp-context';

let ctx: ReturnType<typeof tempContext>;
let project: Project;

async function call<T>(op: string, input: unknown): Promise<T> {
  const r = await dispatch(ctx, op, input);
  if (!r.ok) throw new Error(`${op}: ${r.error.message}`);
  return r.value as T;
}

/**
 * A stored double-descent-like sweep where the "prime count" is a noisy copy of the tail count,
 * and test error follows the tail count: the candidate tracks Y only through magnitude.
 */
async function magnitudeSweep(): Promise<string> {
  const widths = [8, 12, 16, 24, 32, 48, 64, 96];
  const sweep = await call<Sweep>('sweeps:start', { projectId: project.id, experiment: 'double-descent', preset: 'cheap', grid: [{ key: 'width', values: widths }], seeds: 3 });
  const repo = new RunsRepo(ctx.db);
  const rand = mulberry32(7);
  const rows = ctx.db.prepare('SELECT id, sweep_point, seed FROM runs WHERE sweep_id = ?').all(sweep.id) as { id: string; sweep_point: string; seed: number }[];
  for (const row of rows) {
    const width = (JSON.parse(row.sweep_point) as { width: number }).width;
    const tail = Math.round(30 - Math.abs(Math.log2(width) - 4) * 10 + rand() * 4); // peaks at width 16
    const prime = Math.round(tail * 0.4 + rand() * 1.5); // a thinned copy of the tail
    const l2 = 10 + width / 4 + rand() * 3; // grows with width: does not explain the peak
    const shifted = Math.round(tail * 0.3 + rand() * 1.5); // primes on the shifted lattice: another thinning of the tail
    repo.insertMetrics(row.id, [
      { step: 5000, values: { testAcc: 0.3 - tail / 200 + rand() * 0.02, trainAcc: 1, l2, primeCount: prime, tailCount: tail, shiftedPrimeCount: shifted } },
    ]);
  }
  ctx.db.prepare("UPDATE runs SET status = 'done', steps_done = steps_total WHERE sweep_id = ?").run(sweep.id);
  return sweep.id;
}

beforeEach(async () => {
  ctx = tempContext();
  project = await call<Project>('projects:create', { title: 'Prime parameters', phenomenon: 'double-descent' });
});
afterEach(() => ctx.cleanup());

describe('confounder test', () => {
  it('reports raw and partial correlations with intervals, the placebo, and says in words that primeness adds nothing', async () => {
    const sweepId = await magnitudeSweep();
    const t = await call<ConfounderTest>('confounders:run', { projectId: project.id, sweepId, controls: ['logL2', 'logParameters'], resamples: 500 });
    const [candidate, placebo] = t.report.results;
    expect(t.report).toMatchObject({ level: 'runs', observations: 24, groups: 3 });
    expect(candidate!.name).toBe('prime-parameter count');
    expect(candidate!.spearman.r).toBeGreaterThan(0.6);
    expect(candidate!.spearman.low).toBeLessThan(candidate!.spearman.r);
    expect(candidate!.spearman.high).toBeGreaterThan(candidate!.spearman.r);
    // Controlling for the norm alone does not remove it: the count is a tail, not a function of the norm.
    const givenNorm = candidate!.partials.find((p) => p.given.join() === 'log L2 norm')!;
    expect(Math.abs(givenNorm.r)).toBeGreaterThan(0.4);
    expect(candidate!.partials.map((p) => p.given.length)).toEqual([1, 1, 2]);
    expect(placebo!.role).toBe('placebo');
    expect(Math.abs(Math.abs(placebo!.spearman.r) - Math.abs(candidate!.spearman.r))).toBeLessThanOrEqual(0.1);
    expect(Math.abs(t.report.beyondPlacebos[0]!.r)).toBeLessThanOrEqual(0.2);
    expect(t.verdict).toContain('does not remove it');
    expect(t.verdict).toContain('tracks test error just as well');
    expect(t.verdict).toMatch(/it adds no information beyond it|no independent variation left to carry information beyond it/);
    expect(t.report.beyondPlacebos[0]).toMatchObject({ placebo: 'tail count #{|θ| ≥ 1.5}' });
    expect(t.report.beyondPlacebos[0]!.sharedVariance).toBeGreaterThan(0.8);
    // The second placebo moves the rounding lattice: if primes mattered, it would lose the signal; it does not.
    const shifted = t.report.results[2]!;
    expect(shifted).toMatchObject({ role: 'placebo', name: 'prime count on a shifted lattice (⌊|θ|⌋)' });
    expect(Math.abs(shifted.spearman.r)).toBeGreaterThan(0.6);
    expect(t.report.beyondPlacebos[1]!.placebo).toBe(shifted.name);
    expect(t.verdict).toContain('The placebo prime count on a shifted lattice');
    expect(t.verdict).toContain('does not carry information beyond what already explains the data');
    expect(t.report.points).toHaveLength(24);

    // The verdict can be cited in the checklist and attached to a hypothesis.
    await call('evidence:link', { projectId: project.id, questionKey: 'throughout.utility.confounders', kind: 'confounder', targetId: t.id, linked: true });
    const state = await call<{ evidence: { kind: string; detail: string }[] }>('checklist:get', { projectId: project.id });
    expect(state.evidence[0]).toMatchObject({ kind: 'confounder', detail: t.verdict });
    const h = await call<{ id: string }>('hypotheses:create', {
      projectId: project.id,
      statement: 'Prime parameters explain the double-descent peak',
      theory: 'Number-theoretic structure of weights',
      relation: 'challenges',
      predictions: [{ metric: 'primeCount', at: { kind: 'final' }, comparison: '>', threshold: 5 }],
    });
    expect(await call<ConfounderTest[]>('hypotheses:linkConfounder', { hypothesisId: h.id, testId: t.id, linked: true })).toHaveLength(1);
  });

  it('takes a user-defined candidate as a safe expression and evaluations of runs as observations', async () => {
    const sweepId = await magnitudeSweep();
    const runIds = (ctx.db.prepare('SELECT id FROM runs WHERE sweep_id = ?').pluck().all(sweepId) as string[]).slice(0, 6);
    const t = await call<ConfounderTest>('confounders:run', {
      projectId: project.id,
      runIds,
      candidate: { kind: 'expression', name: 'prime share', expression: 'primeCount / (tailCount + 1)' },
      resamples: 200,
    });
    expect(t.report.level).toBe('evaluations');
    expect(t.report.results[0]!.name).toBe('prime share (primeCount / (tailCount + 1))');
  });

  it.each([
    [{ candidate: { kind: 'expression', name: 'x', expression: 'process.exit()' } }, 'candidate.expression'],
    [{ candidate: { kind: 'expression', name: 'x', expression: 'weights * 2' } }, 'candidate.expression'],
    [{ outcome: 'accuracy' }, 'outcome'],
    [{ controls: ['logNorm'] }, 'controls.0'],
    [{ sweepId: undefined }, 'sweepId'],
  ])('rejects %j and writes nothing', async (patch, path) => {
    const sweepId = await magnitudeSweep();
    const before = snapshotTables(ctx);
    const r = await dispatch(ctx, 'confounders:run', { projectId: project.id, sweepId, resamples: 200, ...patch });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.issues?.map((i) => i.path)).toContain(path);
    expect(snapshotTables(ctx)).toEqual(before);
  });
});
