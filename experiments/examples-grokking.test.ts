// docs/examples/experiments/modular-subtraction-grokking.ts reproduces its stated outcome with 3
// seeds at its default preset: train accuracy 1.0 early, test accuracy ≥ 0.9 at least 10× later.
// (The control without weight decay is examples-grokking-control.test.ts, so the two run in parallel.)
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLES_DIR, firstStep, loadExample, trainSeeds } from './examples-helpers';

describe('example: grokking on modular subtraction with an MLP trained by autodiff', () => {
  it('groks with weight decay: train accuracy 1.0 early, test accuracy ≥ 0.9 at least 10× later, 3 seeds', async () => {
    const def = await loadExample(path.join(EXAMPLES_DIR, 'modular-subtraction-grokking.ts'));
    const runs = await trainSeeds(def, 'default', [0, 1, 2]);
    const train1 = runs.map((r) => firstStep(r.evals, 'trainAcc', 1));
    const test90 = runs.map((r) => firstStep(r.evals, 'testAcc', 0.9));
    console.log(`train acc 1.0 at ${train1.join('/')}, test acc 0.9 at ${test90.join('/')}`);
    for (let i = 0; i < 3; i++) {
      expect(runs[i]!.outcome.status).toBe('done');
      expect(train1[i]).not.toBeNull();
      expect(test90[i]).not.toBeNull();
      expect(test90[i]!).toBeGreaterThanOrEqual(10 * Math.max(train1[i]!, 1));
    }
  }, 1_800_000);
});
