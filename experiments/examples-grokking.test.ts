// docs/examples/experiments/modular-subtraction-grokking.ts reproduces its stated outcome with 3
// seeds: train accuracy 1.0 early, test accuracy ≥ 0.9 at least 10× later — and never without
// weight decay (its no-weight-decay preset).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLES_DIR, firstStep, loadExample, trainSeeds } from './examples-helpers';

describe('example: grokking on modular subtraction with an MLP trained by autodiff', () => {
  it('groks with weight decay (train 1.0 early, test ≥ 0.9 ≥ 10× later) and not without it, 3 seeds each', async () => {
    const def = await loadExample(path.join(EXAMPLES_DIR, 'modular-subtraction-grokking.ts'));
    const withDecay = await trainSeeds(def, 'default', [0, 1, 2]);
    const without = await trainSeeds(def, 'no-weight-decay', [0, 1, 2]);
    const train1 = withDecay.map((r) => firstStep(r.evals, 'trainAcc', 1));
    const test90 = withDecay.map((r) => firstStep(r.evals, 'testAcc', 0.9));
    const control = without.map((r) => Math.max(...r.evals.map((e) => e.values.testAcc!)));
    console.log(`train acc 1.0 at ${train1.join('/')}, test acc 0.9 at ${test90.join('/')}; without weight decay best test acc ${control.map((a) => a.toFixed(3)).join('/')}`);
    for (let i = 0; i < 3; i++) {
      expect(train1[i]).not.toBeNull();
      expect(test90[i]).not.toBeNull();
      expect(test90[i]!).toBeGreaterThanOrEqual(10 * Math.max(train1[i]!, 1));
      expect(control[i]!).toBeLessThan(0.9);
    }
    // Without weight decay it still memorises: the control is about generalisation, not fitting.
    for (const r of without) expect(r.evals.at(-1)!.values.trainAcc).toBe(1);
  }, 1_800_000);
});
