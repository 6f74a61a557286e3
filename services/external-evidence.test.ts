import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExternalRun } from '../common/external-run';
import { spearman } from '../common/stats/correlation';
import type { ConfounderTest } from '../contract/confounders';
import type { ConditionWarning, Hypothesis, HypothesisCreate } from '../contract/hypotheses';
import type { Project } from '../contract/projects';
import { dispatch } from '../host/handlers';
import { tempContext } from '../test/temp-context';

/**
 * Runs trained elsewhere (a script under `phenobook log`, an import) as evidence: predictions on the
 * metric names they recorded, conditions on their config keys, the confounder test on their final
 * values, and bundles that carry all of it.
 */

const contexts: ReturnType<typeof tempContext>[] = [];
let ctx: ReturnType<typeof tempContext>;
let project: Project;

function context(): ReturnType<typeof tempContext> {
  const c = tempContext();
  contexts.push(c);
  return c;
}

async function call<T>(op: string, input: unknown, on = ctx): Promise<T> {
  const r = await dispatch(on, op, input);
  if (!r.ok) throw new Error(`${op}: ${r.error.message}`);
  return r.value as T;
}

/** Stores one finished script run with these final metric values (an earlier, different point first, so "final" matters). */
function scriptRun(name: string, config: Record<string, unknown>, finals: Record<string, number>, on = ctx, projectId = project.id): string {
  const run: ExternalRun = {
    name,
    experiment: 'train.py',
    source: 'script',
    origin: `python3 train.py --name ${name}`,
    config,
    seed: typeof config.seed === 'number' ? config.seed : 0,
    metrics: Object.fromEntries(Object.entries(finals).map(([k, v]) => [k, { steps: [0, 100], values: [-1, v] }])),
    contentHash: createHash('sha256').update(name).digest('hex'),
  };
  const stored = on.externalRuns.store(projectId, { source: 'script', runs: [run], notes: [] });
  return stored.added[0]!.id;
}

const hypothesis = (predictions: HypothesisCreate['predictions']): HypothesisCreate => ({
  projectId: project.id,
  statement: 'Weight decay makes the script generalise.',
  theory: 'Grokking is driven by weight-norm decay',
  relation: 'refines',
  predictions,
});

beforeEach(async () => {
  ctx = context();
  project = await call<Project>('projects:create', { title: 'Logged scripts', phenomenon: 'other' });
});
afterEach(() => {
  for (const c of contexts.splice(0)) c.cleanup();
});

describe('predictions on metrics runs trained elsewhere recorded', () => {
  it('decides a prediction on test_acc from the stored metrics, locked, with the measured value', async () => {
    const good = scriptRun('wd1', { weight_decay: 1, seed: 1 }, { test_acc: 0.93, train_loss: 0.01 });
    const bad = scriptRun('wd0', { weight_decay: 0, seed: 2 }, { test_acc: 0.41, train_loss: 0.02 });
    expect(await call<string[]>('runs:metricNames', { projectId: project.id })).toEqual(['test_acc', 'train_loss']);

    const created = await call<Hypothesis>(
      'hypotheses:create',
      hypothesis([{ metric: 'test_acc', at: { kind: 'final' }, when: [{ field: 'weight_decay', op: '>=', value: 0.5 }], comparison: '>=', threshold: 0.9 }]),
    );
    expect(created.warnings).toEqual([]);
    await call('hypotheses:lock', { id: created.id });
    await call('hypotheses:linkRun', { id: created.id, runId: good, linked: true });
    const h = await call<Hypothesis>('hypotheses:linkRun', { id: created.id, runId: bad, linked: true });

    expect(h.lock?.intact).toBe(true);
    expect(h.predictions[0]!.metric).toBe('test_acc');
    const byRun = Object.fromEntries(h.results.map((r) => [r.runId, r]));
    expect(byRun[good]).toMatchObject({ verdict: 'supported', value: 0.93, step: 100, conditionMet: true });
    expect(byRun[good]!.explanation).toContain('test_acc at the end of the run');
    // Refuted on the numbers, and outside the condition (weight_decay = 0): counted apart.
    expect(byRun[bad]).toMatchObject({ verdict: 'refuted', value: 0.41, conditionMet: false });
    expect(h.tally).toEqual({ supported: 1, refuted: 0, inconclusive: 0, outside: 1 });
  });

  it('warns when no run records the metric, with the closest recorded name, and is quiet for a recorded one', async () => {
    scriptRun('a', { lr: 0.01 }, { test_acc: 0.5, 'loss/train': 0.3 });
    const at = { kind: 'final' } as const;
    const check = (metric: string) =>
      call<ConditionWarning[]>('hypotheses:check', { projectId: project.id, predictions: [{ metric, at, comparison: '>', threshold: 0 }] });

    const typo = await check('test_accc');
    expect(typo).toHaveLength(1);
    expect(typo[0]).toMatchObject({ predictionIndex: 0, conditionIndex: null, suggestion: 'test_acc' });
    expect(typo[0]!.message).toContain('No run of this project records the metric “test_accc” — did you mean “test_acc”?');
    // A built-in name the script did not print: its runs cannot decide it either (the project has no built-in experiment).
    expect((await check('testAcc'))[0]).toMatchObject({ suggestion: 'test_acc' });
    expect((await check('val_perplexity'))[0]).toMatchObject({ suggestion: null });
    expect(await check('test_acc')).toEqual([]);
    expect(await check('loss/train')).toEqual([]);
  });

  it('knows built-in metrics where built-in experiments run, next to recorded names', async () => {
    const grokking = await call<Project>('projects:create', { title: 'Grokking', phenomenon: 'grokking' });
    scriptRun('s', {}, { test_acc: 0.5 }, ctx, grokking.id);
    const check = (metric: string) =>
      call<ConditionWarning[]>('hypotheses:check', { projectId: grokking.id, predictions: [{ metric, at: { kind: 'final' }, comparison: '>', threshold: 0 }] });
    expect(await check('testAcc')).toEqual([]);
    expect(await check('test_acc')).toEqual([]);
    expect(await check('test_loss')).toHaveLength(1);
  });

  it('refuses Object.prototype members and paths as metric names and writes nothing', async () => {
    for (const metric of ['__proto__', 'constructor', 'toString', '/etc/passwd', 'a/../b', 'a\\b']) {
      const r = await dispatch(ctx, 'hypotheses:create', hypothesis([{ metric, at: { kind: 'final' }, comparison: '>', threshold: 0 }]));
      expect(r.ok, metric).toBe(false);
    }
    expect(await call<Hypothesis[]>('hypotheses:list', { projectId: project.id })).toEqual([]);
  });
});

describe('conditions on the config keys of runs trained elsewhere', () => {
  it('knows every key any run of the experiment stored (nested ones as paths) and suggests the closest for a typo', async () => {
    scriptRun('a', { weight_decay: 0.1, lr: 0.01 }, { test_acc: 0.5 });
    scriptRun('b', { weight_decay: 1, optimizer: { name: 'adam', beta1: 0.9 } }, { test_acc: 0.9 });
    const check = (when: unknown[]) =>
      call<ConditionWarning[]>('hypotheses:check', {
        projectId: project.id,
        predictions: [{ metric: 'test_acc', at: { kind: 'final' }, when, comparison: '>', threshold: 0.5 }],
      });
    expect(await check([{ field: 'weight_decay', op: '>=', value: 0.5 }])).toEqual([]);
    // A key only the second run has is still a field of the experiment, and nested keys are dotted paths.
    expect(await check([{ field: 'optimizer.name', op: '=', value: 'adam' }, { field: 'weight_decay', op: '>', value: 0 }])).toEqual([]);
    expect(await check([{ field: 'lr', op: '<', value: 0.1 }])).toEqual([]);
    const typo = await check([{ field: 'weight_decy', op: '>=', value: 0.5 }]);
    expect(typo).toHaveLength(1);
    expect(typo[0]).toMatchObject({ conditionIndex: 0, suggestion: 'weight_decay' });
    expect(typo[0]!.message).toContain('train.py');
    // Typed by the values seen: text is never < a number.
    expect((await check([{ field: 'optimizer.name', op: '<', value: 3 }]))[0]!.message).toContain('optimizer.name is text');
  });
});

describe('the confounder test on runs trained elsewhere', () => {
  it('takes a recorded metric as the outcome and as the candidate, final value per run, and says which controls were unavailable', async () => {
    // Candidate ranks 1..8; the outcome's ranks swap each neighbouring pair: Spearman r = 1 − 6·8 / (8·63) = 0.9048.
    const gradNorm = [1, 2, 3, 4, 5, 6, 7, 8];
    const valLoss = [0.2, 0.1, 0.4, 0.3, 0.6, 0.5, 0.8, 0.7];
    const ids = gradNorm.map((g, i) => scriptRun(`r${i}`, { weight_decay: i / 10, seed: i }, { grad_norm: g, val_loss: valLoss[i]! }));
    const t = await call<ConfounderTest>('confounders:run', {
      projectId: project.id,
      runIds: ids,
      per: 'run',
      outcome: 'val_loss',
      candidate: { kind: 'metric', metric: 'grad_norm' },
      controls: ['logL2', 'logParameters'],
      resamples: 500,
    });
    expect(t.report).toMatchObject({ level: 'runs', observations: 8, groups: 8, outcome: 'val_loss' });
    expect(t.report.results[0]!.name).toBe('grad_norm');
    expect(t.report.results[0]!.spearman.r).toBeCloseTo(1 - (6 * 8) / (8 * 63), 10);
    expect(t.report.results[0]!.spearman.r).toBeCloseTo(spearman(gradNorm, valLoss), 12);
    // The final values were read, not the first points (all −1, which would not vary).
    expect(t.report.points.map((p) => p.m).sort((a, b) => a - b)).toEqual(gradNorm);
    // Nothing recorded an L2 norm, and a script has no known parameter count: both left out, in words.
    expect(t.report.unavailableControls).toEqual(['log L2 norm', 'log parameter count']);
    expect(t.verdict).toContain('The control log L2 norm was unavailable');
    expect(t.verdict).toContain('The control log parameter count was unavailable');
    expect(t.report.results[0]!.partials).toEqual([]);
    expect(t.title).toBe('grad_norm vs val_loss — 8 runs (final values)');
    expect(t.verdict).toContain('tracks val_loss');
  });

  it('reads recorded metrics in an expression, per evaluation', async () => {
    const ids = [0, 1, 2, 3].map((i) => scriptRun(`e${i}`, { seed: i }, { grad_norm: i + 1, val_loss: 10 - i }));
    const t = await call<ConfounderTest>('confounders:run', {
      projectId: project.id,
      runIds: ids,
      outcome: 'val_loss',
      candidate: { kind: 'expression', name: 'log grad', expression: 'log(grad_norm)' },
      controls: [],
      resamples: 200,
    });
    // Two evaluations per run: step 0 (every value −1, log(−1) not finite, dropped) and step 100.
    expect(t.report.level).toBe('evaluations');
    expect(t.report.observations).toBe(4);
    expect(t.report.results[0]!.spearman.r).toBeCloseTo(-1, 12);
  });

  it('refuses an outcome none of the runs recorded, naming what they did record', async () => {
    const ids = [0, 1, 2, 3].map((i) => scriptRun(`n${i}`, { seed: i }, { grad_norm: i, val_loss: i }));
    const r = await dispatch(ctx, 'confounders:run', { projectId: project.id, runIds: ids, per: 'run', outcome: 'val_acc', candidate: { kind: 'metric', metric: 'grad_norm' } });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('None of these runs recorded “val_acc” (they recorded: grad_norm, val_loss)') } });
  });
});

describe('bundles carry evidence from runs trained elsewhere', () => {
  it('round-trips a locked hypothesis on a free metric with its verdict, and a confounder test on recorded metrics', async () => {
    const runId = scriptRun('wd1', { weight_decay: 1 }, { test_acc: 0.95, grad_norm: 2 });
    const ids = [runId, ...[1, 2, 3].map((i) => scriptRun(`b${i}`, { weight_decay: i, seed: i }, { test_acc: 0.5 + i / 10, grad_norm: i }))];
    const h = await call<Hypothesis>(
      'hypotheses:create',
      hypothesis([{ metric: 'test_acc', at: { kind: 'final' }, when: [{ field: 'weight_decay', op: '>=', value: 0.5 }], comparison: '>=', threshold: 0.9 }]),
    );
    await call('hypotheses:lock', { id: h.id });
    const before = await call<Hypothesis>('hypotheses:linkRun', { id: h.id, runId, linked: true });
    await call('confounders:run', { projectId: project.id, runIds: ids, per: 'run', outcome: 'test_acc', candidate: { kind: 'metric', metric: 'grad_norm' }, controls: [], resamples: 200 });

    const dst = context();
    const result = dst.bundles.import(ctx.bundles.export(project.id));
    const [after] = await call<Hypothesis[]>('hypotheses:list', { projectId: result.projectId }, dst);
    expect(after!.predictions).toEqual(before.predictions);
    expect(after!.lock).toMatchObject({ hash: before.lock!.hash, intact: true });
    expect(after!.results.map(({ verdict, value }) => ({ verdict, value }))).toEqual([{ verdict: 'supported', value: 0.95 }]);
    const [test] = await call<ConfounderTest[]>('confounders:list', { projectId: result.projectId }, dst);
    expect(test!.settings).toMatchObject({ outcome: 'test_acc', candidate: { kind: 'metric', metric: 'grad_norm' }, per: 'run' });
  });
});

describe('reports and exports name where each run came from', () => {
  it('has a source column: Phenobook for its own runs, source and origin for the others', async () => {
    scriptRun('lr0.01', { lr: 0.01 }, { test_acc: 0.9 });
    const [own] = await call<{ id: string }[]>('runs:start', { projectId: project.id, experiment: 'grokking-mlp', config: { steps: 100 } });
    await call('runs:cancel', { id: own!.id });

    const { html } = await call<{ html: string }>('notebook:report', { projectId: project.id });
    expect(html).toContain('<th>Run</th><th>Source</th>');
    const rowOf = (label: string) => html.split('\n').find((l) => l.startsWith('<tr id="run-') && l.includes(label))!;
    expect(rowOf('lr0.01')).toContain('<td class="plain">script · python3 train.py --name lr0.01</td>');
    expect(rowOf('grokking-mlp')).toContain('<td class="plain">Phenobook</td>');

    const { markdown } = await call<{ markdown: string }>('notebook:export', { projectId: project.id });
    expect(markdown).toContain('| Run | Source | Config that differs |');
    expect(markdown).toMatch(/\| lr0\.01 · [0-9a-f]{8} \| script · python3 train\.py --name lr0\.01 \|/);
    expect(markdown).toMatch(/\| grokking-mlp[^|]* \| Phenobook \|/);
  });
});
