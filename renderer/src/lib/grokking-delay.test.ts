import { describe, expect, it } from 'vitest';
import { grokkingDelay } from './grokking-delay';

describe('grokkingDelay', () => {
  it('reads the first step train fits and the first step test reaches the threshold', () => {
    const train = { steps: [0, 10, 20, 30], values: [0.1, 0.9, 1, 1] };
    const test = { steps: [0, 10, 20, 30, 500], values: [0, 0.02, 0.03, null, 0.95] };
    expect(grokkingDelay(train, test)).toEqual({ trainFit: 20, testReached: 500, threshold: 0.9, delay: 480 });
    expect(grokkingDelay(train, { steps: [0], values: [0.1] }).delay).toBeNull();
  });
});
