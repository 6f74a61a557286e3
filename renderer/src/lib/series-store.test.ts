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
});
