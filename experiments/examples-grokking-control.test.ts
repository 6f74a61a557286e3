// The control of docs/examples/experiments/modular-subtraction-grokking.ts: without weight decay
// (its no-weight-decay preset) the same MLP memorises the training pairs but never groks, 3 seeds.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLES_DIR, loadExample, trainSeeds } from './examples-helpers';

describe('example: no grokking on modular subtraction without weight decay', () => {
  it('memorises (train accuracy 1.0) while test accuracy stays below 0.9, 3 seeds', async () => {
    const def = await loadExample(path.join(EXAMPLES_DIR, 'modular-subtraction-grokking.ts'));
    const runs = await trainSeeds(def, 'no-weight-decay', [0, 1, 2]);
    const best = runs.map((r) => Math.max(...r.evals.map((e) => e.values.testAcc!)));
    console.log(`without weight decay: best test acc ${best.map((a) => a.toFixed(3)).join('/')}`);
    for (let i = 0; i < 3; i++) {
      expect(runs[i]!.outcome).toMatchObject({ status: 'done', stepsCompleted: 1000 });
      expect(best[i]!).toBeLessThan(0.9);
      expect(runs[i]!.evals.at(-1)!.values.trainAcc).toBe(1);
    }
  }, 1_800_000);
});
