import { describe, expect, it } from 'vitest';
import { duration, finalAccuracy, metric } from './runs-format';

describe('runs formatting', () => {
  it('formats durations for humans', () => {
    expect(duration(0.25)).toBe('250 ms');
    expect(duration(4.56)).toBe('4.6 s');
    expect(duration(75)).toBe('75 s');
    expect(duration(600)).toBe('10 min 0 s');
    expect(duration(4 * 3600 + 120)).toBe('4 h 2 min');
    expect(duration(null)).toBe('–');
  });
  it('formats metric values', () => {
    expect(metric(0.98765)).toBe('0.988');
    expect(metric(1)).toBe('1');
    expect(metric(0.00001234)).toBe('1.23e-5');
    expect(metric(null)).toBe('–');
  });
});

describe('finalAccuracy', () => {
  it('reads trainAcc / testAcc of a run of Phenobook\'s own, and a script\'s own spelling of an external one', () => {
    expect(finalAccuracy({ source: 'phenobook', final: { trainAcc: 1, testAcc: 0.5, test_acc: 0.1 } }, 'test')).toBe(0.5);
    expect(finalAccuracy({ source: 'script', final: { train_loss: 0.1, test_acc: 0.52, train_acc: 0.9 } }, 'test')).toBe(0.52);
    expect(finalAccuracy({ source: 'tensorboard', final: { 'accuracy/train': 0.8 } }, 'train')).toBe(0.8);
    expect(finalAccuracy({ source: 'script', final: { loss: 1 } }, 'train')).toBeUndefined();
  });
});
