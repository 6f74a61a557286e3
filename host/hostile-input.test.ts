import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Project } from '../contract/projects';
import type { Sweep } from '../contract/sweeps';
import { RunsRepo } from '../db/runs.repo';
import { snapshotTables, tempContext } from '../test/temp-context';
import { dispatch } from './handlers';

/** Defects found by the adversarial pass (issue 18): each input below once got a 500 or was wrongly accepted. */

let ctx: ReturnType<typeof tempContext>;
let project: Project;

async function call<T>(op: string, input: unknown): Promise<T> {
  const r = await dispatch(ctx, op, input);
  if (!r.ok) throw new Error(`${op}: ${r.error.message}`);
  return r.value as T;
}

beforeEach(async () => {
  ctx = tempContext();
  project = await call<Project>('projects:create', { title: 'Hostile input', phenomenon: 'double-descent' });
});
afterEach(() => ctx.cleanup());

/** `[[[…0…]]]`, `depth` arrays deep. */
function nested(depth: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

async function expectRefused(op: string, input: unknown, path: string | RegExp, message?: RegExp) {
  const before = snapshotTables(ctx);
  const r = await dispatch(ctx, op, input);
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.error.code).toBe('invalid_input');
  const paths = (r.error.issues ?? []).map((i) => i.path);
  if (typeof path === 'string') expect(paths).toContain(path);
  else expect(paths.some((p) => path.test(p))).toBe(true);
  if (message) expect(r.error.message).toMatch(message);
  expect(snapshotTables(ctx)).toEqual(before);
}

const prediction = (metric: unknown) => ({ metric, at: { kind: 'final' }, comparison: '<', threshold: 0.2 });
const hypothesis = (metric: unknown) => ({
  projectId: project.id,
  statement: 'Weight decay drives the late jump',
  theory: 'Norm-based explanations',
  relation: 'refines',
  predictions: [prediction(metric)],
});

describe('bundle data', () => {
  it('that is not base64 gets a 400 on data (checked where it is decoded, not by a regex on the host thread)', async () => {
    await expectRefused('bundles:import', { data: 'not base64!' }, 'data', /base64/);
  });
});

describe('defect 1: deeply nested input gets a 400 at any depth', () => {
  it.each([3_000, 5_000, 100_000])('hypotheses:create with a metric nested %i deep', async (depth) => {
    await expectRefused('hypotheses:create', hypothesis(nested(depth)), /^predictions\.0/, /nested|metric/i);
  });

  it('hypotheses:update with a metric nested 5,000 deep', async () => {
    const h = await call<{ id: string }>('hypotheses:create', hypothesis('testAcc'));
    const { projectId: _p, ...content } = hypothesis(nested(5_000));
    await expectRefused('hypotheses:update', { id: h.id, ...content }, /^predictions\.0/);
  });

  it('never stringifies raw input into a message (an object whose toString throws)', async () => {
    const hostile = { toString: () => { throw new Error('stringified'); } };
    await expectRefused('hypotheses:create', hypothesis(hostile), 'predictions.0.metric');
  });

  it('refuses what is not plain JSON (found by the fuzz: zod threw on a title { length: <null-prototype object> }, a 500)', async () => {
    const title = Object.assign(Object.create(null) as object, { length: Object.create(null) as object });
    await expectRefused('projects:create', { title, phenomenon: 'other' }, 'title', /plain JSON/);
  });

  it('refuses nesting deeper than the limit on every operation, before its schema runs', async () => {
    await expectRefused('projects:create', { title: 'x', phenomenon: 'other', tags: nested(200) }, /^tags/, /nested/);
    await expectRefused('runs:start', { experiment: 'grokking-mlp', config: { steps: nested(50) } }, /^config\.steps/, /nested/);
  });
});

/** Two finished runs of a sweep with metrics, enough for the confounder test. */
async function finishedSweep(): Promise<string> {
  const sweep = await call<Sweep>('sweeps:start', { projectId: project.id, experiment: 'double-descent', preset: 'cheap', grid: [{ key: 'width', values: [8, 16, 32] }], seeds: 2 });
  const repo = new RunsRepo(ctx.db);
  const rows = ctx.db.prepare('SELECT id, seed FROM runs WHERE sweep_id = ? ORDER BY id').all(sweep.id) as { id: string; seed: number }[];
  rows.forEach((row, i) => {
    repo.insertMetrics(row.id, [{ step: 100, values: { testAcc: 0.5 + i / 20, trainAcc: 1, l2: 10 + i, primeCount: 3 + (i % 3), tailCount: 5 + i, shiftedPrimeCount: 2 + i } }]);
  });
  ctx.db.prepare("UPDATE runs SET status = 'done', steps_done = steps_total WHERE sweep_id = ?").run(sweep.id);
  return sweep.id;
}

describe('defect 2: the expression allow-list is own names only', () => {
  it.each(['constructor(primeCount)', 'toString(primeCount)', 'valueOf()', 'hasOwnProperty(1)', '__defineGetter__(1, 2)', '__proto__(1)', 'isPrototypeOf(l2)'])(
    'confounders:run refuses %s with 400 "not allowed"',
    async (expression) => {
      const sweepId = await finishedSweep();
      await expectRefused(
        'confounders:run',
        { projectId: project.id, sweepId, candidate: { kind: 'expression', name: 'hostile', expression }, resamples: 200 },
        'candidate.expression',
        /not allowed/,
      );
    },
  );

  it('still runs an allowed expression', async () => {
    const sweepId = await finishedSweep();
    const t = await call<{ report: { results: { spearman: { r: number } }[] } }>('confounders:run', {
      projectId: project.id,
      sweepId,
      candidate: { kind: 'expression', name: 'ratio', expression: 'primeCount / (tailCount + 1)' },
      resamples: 200,
    });
    expect(Number.isFinite(t.report.results[0]!.spearman.r)).toBe(true);
  });
});

describe('defect 3: name lookups from input are own-property only', () => {
  const protoNames = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

  it.each(protoNames)('runs:start refuses preset %s like any unknown preset', async (preset) => {
    await expectRefused('runs:start', { experiment: 'grokking-mlp', preset }, 'preset', /Unknown preset/);
  });

  it.each(protoNames)('sweeps:start refuses preset %s', async (preset) => {
    await expectRefused('sweeps:start', { experiment: 'double-descent', preset, grid: [{ key: 'width', values: [8] }] }, 'preset', /Unknown preset/);
  });

  it.each(protoNames)('runs:start and sweeps:start refuse experiment %s', async (experiment) => {
    await expectRefused('runs:start', { experiment }, 'experiment', /Unknown experiment/);
    await expectRefused('sweeps:start', { experiment, grid: [{ key: 'width', values: [8] }] }, 'experiment', /Unknown experiment/);
  });

  it('refuses a config key __proto__ given as JSON (own property after JSON.parse)', async () => {
    const config = JSON.parse('{"__proto__": {"steps": 7}}') as Record<string, unknown>;
    await expectRefused('runs:start', { experiment: 'grokking-mlp', config }, 'config.__proto__');
    await expectRefused('sweeps:start', { experiment: 'double-descent', config, grid: [{ key: 'width', values: [8] }] }, 'config.__proto__');
  });

  it.each(['constructor', 'toString', 'valueOf'])('refuses config key %s as an unknown knob', async (key) => {
    await expectRefused('runs:start', { experiment: 'grokking-mlp', config: { [key]: 1 } }, /^config/);
  });

  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__'])('sweeps:start refuses grid key %s', async (key) => {
    await expectRefused('sweeps:start', { experiment: 'double-descent', grid: [{ key, values: [8] }] }, /^grid\.0\.key$|^grid/);
  });

  it.each(['constructor', 'toString', '__proto__'])('hypotheses refuse metric %s', async (metric) => {
    // Any recorded name may be a metric (runs trained elsewhere), but never an Object.prototype member.
    await expectRefused('hypotheses:create', hypothesis(metric), 'predictions.0.metric', /Metric must be a metric name/);
  });
});
