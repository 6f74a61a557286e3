import { describe, expect, it } from 'vitest';
import { SeriesStore } from './series-store';

describe('SeriesStore', () => {
  it('loads stored series and appends only newer live points', () => {
    const s = new SeriesStore();
    s.load([{ name: 'trainLoss', steps: [0, 5], values: [1, 0.5], stored: 2 }]);
    expect(s.append([{ step: 5, values: { trainLoss: 0.5 } }])).toBe(false);
    expect(s.append([{ step: 10, values: { trainLoss: 0.25, testAcc: Number.NaN } }])).toBe(true);
    expect(s.get('trainLoss')).toEqual({ steps: [0, 5, 10], values: [1, 0.5, 0.25] });
    expect(s.get('testAcc')).toEqual({ steps: [10], values: [null] });
    expect(s.size).toBe(3);
  });

  it('counts the evaluations of a run with its own metric names by its longest series, and names them in arrival order', () => {
    const s = new SeriesStore();
    s.load([
      { name: 'train_loss', steps: [0, 10, 20], values: [2, 1, 0.5], stored: 3 },
      { name: 'test_acc', steps: [0, 20], values: [0.1, 0.4], stored: 2 },
    ]);
    s.append([{ step: 30, values: { train_loss: 0.25, lr: 0.01 } }]);
    expect(s.names()).toEqual(['train_loss', 'test_acc', 'lr']);
    expect(s.size).toBe(4);
  });
});
