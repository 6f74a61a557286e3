import { describe, expect, it } from 'vitest';
import { finalsWithRoles, namesToRead, resolveRoles, seriesWithRoles, suggestRoles } from './metric-roles';
import { grokkingDelays, sweepMeasures } from './phenomenon-measures';
import { sweepResults } from './sweep-results';

describe('suggestRoles', () => {
  it('reads the common spellings of train/test loss and accuracy', () => {
    expect(suggestRoles(['train_acc', 'test_acc', 'train_loss', 'test_loss', 'lr'])).toEqual({
      trainAcc: 'train_acc',
      testAcc: 'test_acc',
      trainLoss: 'train_loss',
      testLoss: 'test_loss',
    });
    expect(suggestRoles(['loss', 'accuracy', 'val_loss', 'val_accuracy'])).toEqual({
      trainLoss: 'loss',
      trainAcc: 'accuracy',
      testLoss: 'val_loss',
      testAcc: 'val_accuracy',
    });
    expect(suggestRoles(['train/loss', 'test/accuracy', 'epoch'])).toEqual({ trainLoss: 'train/loss', testAcc: 'test/accuracy' });
  });

  it('prefers the built-in name, then test over validation, then the name with fewest other words', () => {
    expect(suggestRoles(['test_acc', 'testAcc']).testAcc).toBe('testAcc');
    expect(suggestRoles(['val_acc', 'test_acc']).testAcc).toBe('test_acc');
    expect(suggestRoles(['val_acc_top5_ema', 'val_acc']).testAcc).toBe('val_acc');
    expect(suggestRoles(['loss', 'train_loss']).trainLoss).toBe('train_loss');
  });

  it('suggests nothing for names that name no role, or both splits at once', () => {
    expect(suggestRoles([])).toEqual({});
    expect(suggestRoles(['lr', 'l2', 'grad_norm', 'train_test_gap_loss'])).toEqual({});
  });
});

describe('applying a role map', () => {
  const steps = [0, 10, 20, 100, 500, 600];
  const curves = {
    trainAcc: { steps, values: [0.1, 0.9, 1, 1, 1, 1] },
    testAcc: { steps, values: [0, 0, 0.01, 0.2, 0.95, 1] },
    trainLoss: { steps, values: [1, 0.5, 0.05, 0.01, 0.001, 0.001] },
    testLoss: { steps, values: [1, 0.9, 0.8, 0.09, 0.02, 0.01] },
  };
  const map = resolveRoles({ trainAcc: 'train_acc', testAcc: 'test_acc', trainLoss: 'train_loss', testLoss: 'test_loss' });

  it('gives a run logged as train_acc/test_acc the grokking delay of the same curves named trainAcc/testAcc', () => {
    const imported = [
      { name: 'train_acc', ...curves.trainAcc },
      { name: 'test_acc', ...curves.testAcc },
      { name: 'train_loss', ...curves.trainLoss },
      { name: 'test_loss', ...curves.testLoss },
    ];
    const mapped = Object.fromEntries(seriesWithRoles(imported, map).map((s) => [s.name, s]));
    expect(grokkingDelays(mapped)).toEqual(grokkingDelays(curves));
    expect(grokkingDelays(mapped).accuracy.delay).toBe(480);
    // Without the map the measure sees nothing.
    expect(grokkingDelays(Object.fromEntries(imported.map((s) => [s.name, s]))).accuracy.delay).toBeNull();
  });

  it('keeps the stored names, and the mapped metric wins over a stored series of the role name', () => {
    const out = seriesWithRoles([{ name: 'train_acc', steps: [1], values: [1] }, { name: 'trainAcc', steps: [1], values: [0] }], map);
    expect(out.map((s) => [s.name, s.values[0]])).toEqual([['train_acc', 1], ['trainAcc', 1]]);
    // The default map changes nothing.
    const builtIn = [{ name: 'trainAcc', steps: [1], values: [0.5] }];
    expect(seriesWithRoles(builtIn, resolveRoles({}))).toEqual(builtIn);
  });

  it('maps one live evaluation the same way, leaving values without a role alone', () => {
    expect(finalsWithRoles({ train_acc: 0.5, lr: 0.1 }, map)).toEqual({ train_acc: 0.5, lr: 0.1, trainAcc: 0.5 });
    expect(finalsWithRoles({ trainAcc: 0.5 }, resolveRoles({}))).toEqual({ trainAcc: 0.5 });
  });

  it('reads a role requested by name through its metric', () => {
    expect(namesToRead(['testAcc', 'l2'], map)).toEqual(['testAcc', 'test_acc', 'l2']);
    const out = seriesWithRoles([{ name: 'test_acc', steps: [1], values: [1] }], map, ['testAcc']);
    expect(out.map((s) => s.name)).toEqual(['testAcc']);
  });

  it('gives sweep results error rates and measures from role-mapped finals', () => {
    // Error = 1 − accuracy: train error 0 from width 16, test error peaking at 16.
    const acc: Record<number, [number, number]> = { 4: [0.8, 0.5], 8: [0.95, 0.6], 16: [1, 0.4], 32: [1, 0.7], 64: [1, 0.85] };
    const runs = Object.entries(acc).map(([w, [tr, te]]) => ({ point: { width: Number(w) }, final: finalsWithRoles({ train_acc: tr, test_acc: te }, map) }));
    const results = sweepResults({ experiment: 'x', config: {}, grid: [{ key: 'width', values: [4, 8, 16, 32, 64] }] }, runs);
    const m = sweepMeasures(results, 'width');
    expect(m.interpolationThreshold).toBe(16);
    expect(m.peak?.at).toBe(16);
    expect(m.peak?.testError).toBeCloseTo(0.6);
    expect(results.points[0]!.metrics.test_acc?.mean).toBe(0.5);
  });
});
