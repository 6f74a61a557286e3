import { describe, expect, it } from 'vitest';
import { lossAxisTitle } from './loss-name';

describe('lossAxisTitle', () => {
  it("labels the loss axis from the run's own loss", () => {
    expect(lossAxisTitle({ experiment: 'double-descent', config: { loss: 'cross-entropy' } })).toBe('cross-entropy loss');
    expect(lossAxisTitle({ experiment: 'double-descent', config: { loss: 'mse' } })).toBe('MSE loss');
    expect(lossAxisTitle({ experiment: 'grokking-mlp', config: {} })).toBe('MSE loss');
    expect(lossAxisTitle({ experiment: 'grokking-transformer', config: {} })).toBe('cross-entropy loss');
    expect(lossAxisTitle({ experiment: 'lottery-ticket', config: {} })).toBe('cross-entropy loss');
    expect(lossAxisTitle({ experiment: 'someone-elses', config: {} })).toBe('loss');
    expect(lossAxisTitle(null)).toBe('loss');
  });
});
