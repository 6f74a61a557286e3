import { describe, expect, it } from 'vitest';
import { PredictionSchema, describePrediction, type Prediction } from '../contract/hypotheses';
import { conditionHolds, evaluatePrediction, tallyVerdicts, type RunFacts } from './predictions';

const noGrokking: Prediction = PredictionSchema.parse({
  metric: 'testAcc',
  at: { kind: 'step', step: 3000 },
  when: [{ field: 'weightDecay', op: '=', value: 0 }],
  comparison: '<',
  threshold: 0.2,
});

function run(overrides: Partial<RunFacts> & { values?: (number | null)[]; steps?: number[] }): RunFacts {
  const steps = overrides.steps ?? [0, 1000, 2000, 3000];
  const values = overrides.values ?? [0.01, 0.02, 0.03, 0.031];
  return { id: 'r1', status: 'done', stepsTotal: 3000, config: { weightDecay: 0 }, series: { steps, values }, ...overrides };
}

describe('evaluatePrediction', () => {
  it('supports the prediction with the value read at the step', () => {
    const r = evaluatePrediction(noGrokking, 0, run({}));
    expect(r).toMatchObject({ verdict: 'supported', value: 0.031, step: 3000, conditionMet: true });
    expect(r.explanation).toBe('Supported: test accuracy at step 3000 = 0.031 < 0.2.');
  });

  it('refutes it when the value misses the threshold, and flags a run outside the condition', () => {
    const r = evaluatePrediction(noGrokking, 0, run({ config: { weightDecay: 1 }, values: [0.01, 0.5, 0.99, 0.998] }));
    expect(r).toMatchObject({ verdict: 'refuted', value: 0.998, step: 3000, conditionMet: false });
    expect(r.explanation).toContain('= 0.998, not < 0.2');
    expect(r.explanation).toContain('weightDecay = 1');
  });

  it('uses the last evaluation before the step and says so', () => {
    const r = evaluatePrediction(noGrokking, 0, run({ steps: [0, 2990, 3010], values: [0, 0.05, 0.9] }));
    expect(r).toMatchObject({ verdict: 'supported', value: 0.05, step: 2990 });
    expect(r.explanation).toContain('last evaluation before it: step 2990');
  });

  it('is inconclusive while a run has not reached the step, or ended before it', () => {
    const running = evaluatePrediction(noGrokking, 0, run({ status: 'running', steps: [0, 1000], values: [0, 0.01] }));
    expect(running.verdict).toBe('inconclusive');
    expect(running.explanation).toContain('reached step 1000 of 3000');
    const short = evaluatePrediction(noGrokking, 0, run({ status: 'cancelled', steps: [0, 1000], values: [0, 0.01] }));
    expect(short.explanation).toContain('cancelled at step 1000, before step 3000');
    const noData = evaluatePrediction(noGrokking, 0, run({ series: null }));
    expect(noData.verdict).toBe('inconclusive');
  });

  it('is inconclusive on a non-finite value', () => {
    const r = evaluatePrediction(noGrokking, 0, run({ values: [0, 0, 0, null] }));
    expect(r.verdict).toBe('inconclusive');
    expect(r.explanation).toContain('not finite');
  });

  it('decides a max early only when later values cannot change the outcome', () => {
    const reaches: Prediction = { ...noGrokking, when: [], at: { kind: 'max' }, comparison: '>=', threshold: 0.9 };
    const partial = { status: 'running' as const, steps: [0, 500], values: [0.1, 0.95] };
    expect(evaluatePrediction(reaches, 0, run(partial))).toMatchObject({ verdict: 'supported', value: 0.95, step: 500 });
    const notYet = evaluatePrediction(reaches, 0, run({ ...partial, values: [0.1, 0.5] }));
    expect(notYet.verdict).toBe('inconclusive');
    expect(notYet.explanation).toContain('so far 0.5');
    const stays: Prediction = { ...reaches, comparison: '<' };
    expect(evaluatePrediction(stays, 0, run(partial)).verdict).toBe('refuted');
    expect(evaluatePrediction(stays, 0, run({ ...partial, values: [0.1, 0.5] })).verdict).toBe('inconclusive');
    const minLoss: Prediction = { ...reaches, metric: 'testLoss', at: { kind: 'min' }, comparison: '<', threshold: 0.1 };
    expect(evaluatePrediction(minLoss, 0, run({ ...partial, values: [2, 0.05] })).verdict).toBe('supported');
  });

  it('reads the final value only from a finished run', () => {
    const final: Prediction = { ...noGrokking, at: { kind: 'final' } };
    expect(evaluatePrediction(final, 0, run({})).verdict).toBe('supported');
    expect(evaluatePrediction(final, 0, run({ status: 'diverged' })).explanation).toContain('diverged before its end');
  });

  it('tallies verdicts', () => {
    const results = [run({}), run({ values: [0, 0, 0, 0.5] }), run({ series: null })].map((r) => evaluatePrediction(noGrokking, 0, r));
    expect(tallyVerdicts(results)).toEqual({ supported: 1, refuted: 1, inconclusive: 1, outside: 0 });
  });

  it('counts runs outside the condition apart, never in the headline', () => {
    const inside = [run({}), run({}), run({ values: [0, 0, 0, 0.5] })];
    const outside = [run({ config: { weightDecay: 1 }, values: [0, 0, 0, 0.9] }), run({ config: {}, values: [0, 0, 0, 0.9] })];
    const results = [...inside, ...outside].map((r) => evaluatePrediction(noGrokking, 0, r));
    expect(results.map((r) => [r.verdict, r.conditionMet])).toEqual([
      ['supported', true],
      ['supported', true],
      ['refuted', true],
      ['refuted', false],
      ['refuted', false],
    ]);
    expect(tallyVerdicts(results)).toEqual({ supported: 2, refuted: 1, inconclusive: 0, outside: 2 });
  });
});

describe('conditionHolds', () => {
  it('compares numbers, booleans, text and dotted paths', () => {
    expect(conditionHolds({ field: 'weightDecay', op: '=', value: 0 }, { weightDecay: 0 }).met).toBe(true);
    expect(conditionHolds({ field: 'weightDecay', op: '>', value: 0 }, { weightDecay: 0 }).met).toBe(false);
    expect(conditionHolds({ field: 'opt.lr', op: '<=', value: 0.01 }, { opt: { lr: 0.001 } }).met).toBe(true);
    expect(conditionHolds({ field: 'act', op: '!=', value: 'relu' }, { act: 'gelu' }).met).toBe(true);
    expect(conditionHolds({ field: 'missing', op: '=', value: 1 }, {})).toEqual({ met: false, actual: undefined });
    expect(conditionHolds({ field: 'act', op: '<', value: 1 }, { act: 'gelu' }).met).toBe(false);
    expect(conditionHolds({ field: 'toString', op: '=', value: 1 }, {}).met).toBe(false);
  });
});

describe('PredictionSchema', () => {
  it('describes the prediction in words', () => {
    expect(describePrediction(noGrokking)).toBe('with weightDecay = 0, test accuracy at step 3000 < 0.2');
  });

  it('takes any recorded metric name as written, and describes it as written', () => {
    const free = PredictionSchema.parse({ ...noGrokking, metric: 'loss/train', when: [] });
    expect(describePrediction(free)).toBe('loss/train at step 3000 < 0.2');
  });

  it('rejects a __proto__ or path-like metric and a threshold that is not a number, naming them', () => {
    const bad = PredictionSchema.safeParse({ ...noGrokking, metric: '__proto__', threshold: '0.2' });
    expect(bad.success).toBe(false);
    const messages = bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toContain('metric: Metric must be a metric name (not __proto__, constructor or another Object.prototype member; not a path: no leading . or /, no .. segment, no backslash)');
    expect(PredictionSchema.safeParse({ ...noGrokking, metric: '../x' }).success).toBe(false);
    expect(PredictionSchema.safeParse({ ...noGrokking, metric: 'a'.repeat(201) }).success).toBe(false);
    expect(messages).toContain('threshold: Threshold must be a number');
    expect(PredictionSchema.safeParse({ ...noGrokking, threshold: Number.NaN }).success).toBe(false);
    expect(PredictionSchema.safeParse({ ...noGrokking, at: { kind: 'step', step: 1.5 } }).success).toBe(false);
  });
});
