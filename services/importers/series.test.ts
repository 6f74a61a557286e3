import { describe, expect, it } from 'vitest';
import { contentHash } from '../content-hash';
import { numberOrText, parseMetricValue, runContentHash, SeriesCollector, seedFromConfig } from './series';

describe('SeriesCollector', () => {
  it('returns ascending series whatever the order points came in, reporting replaced values', () => {
    const c = new SeriesCollector();
    expect(c.set('loss', 0, 1)).toBeUndefined();
    expect(c.set('loss', 10, 0.5)).toBeUndefined();
    expect(c.set('loss', 5, 0.7)).toBeUndefined(); // out of order
    expect(c.set('loss', 10, 0.4)).toBe(0.5);
    expect(c.set('loss', 20, null)).toBeUndefined();
    expect(c.set('acc', 3, 0.1)).toBeUndefined();
    expect(c.get('loss', 5)).toBe(0.7);
    expect(c.get('loss', 6)).toBeUndefined();
    expect(c.get('acc', 3)).toBe(0.1);
    expect(c.pointCount).toBe(5);
    expect(c.toSeries()).toEqual({
      acc: { steps: [3], values: [0.1] },
      loss: { steps: [0, 5, 10, 20], values: [1, 0.7, 0.4, null] },
    });
    // In-order points stay on the fast path and read back alike.
    const inOrder = new SeriesCollector();
    for (const [s, v] of [[0, 1], [5, 0.7], [10, 0.4]] as const) inOrder.set('loss', s, v);
    expect(inOrder.get('loss', 5)).toBe(0.7);
    expect(inOrder.set('loss', 5, 0.7)).toBe(0.7);
  });
});

describe('runContentHash', () => {
  it('hashes exactly canonicalJson({ config, metrics }), written series by series', () => {
    const config = { seed: 2, lr: 0.1, nested: { b: 1, a: [1, 2] }, name: 'x"y' };
    const metrics = { 'loss/train': { steps: [0, 10], values: [Math.fround(0.1), null] }, acc: { steps: [3], values: [-0] }, 'é': { steps: [], values: [] } };
    expect(runContentHash(config, metrics)).toBe(contentHash({ config, metrics }));
    expect(runContentHash({}, {})).toBe(contentHash({ config: {}, metrics: {} }));
  });

  it('depends on config and series only, not on key order', () => {
    const metrics = { b: { steps: [1], values: [2] }, a: { steps: [0], values: [null] } };
    const reordered = { a: { steps: [0], values: [null] }, b: { steps: [1], values: [2] } };
    expect(runContentHash({ lr: 0.1, seed: 1 }, metrics)).toBe(runContentHash({ seed: 1, lr: 0.1 }, reordered));
    expect(runContentHash({ lr: 0.1 }, metrics)).not.toBe(runContentHash({ lr: 0.2 }, metrics));
    expect(runContentHash({}, metrics)).not.toBe(runContentHash({}, { ...metrics, b: { steps: [1], values: [Math.fround(2.1)] } }));
  });
});

describe('text to values', () => {
  it('numberOrText keeps non-numbers as text', () => {
    expect([numberOrText('0.01'), numberOrText('64'), numberOrText('1e-8'), numberOrText('-3.5')]).toEqual([0.01, 64, 1e-8, -3.5]);
    expect([numberOrText('adam'), numberOrText(''), numberOrText('0x10'), numberOrText('1,5'), numberOrText('nan')]).toEqual(['adam', '', '0x10', '1,5', 'nan']);
  });

  it('parseMetricValue: numbers, non-finite spellings as null, anything else undefined', () => {
    expect([parseMetricValue('0.1'), parseMetricValue(' 2 '), parseMetricValue('-1e3')]).toEqual([0.1, 2, -1000]);
    expect([parseMetricValue('NaN'), parseMetricValue('inf'), parseMetricValue('-Infinity'), parseMetricValue('1e999')]).toEqual([null, null, null, null]);
    expect([parseMetricValue('high'), parseMetricValue(''), parseMetricValue('1.2.3')]).toEqual([undefined, undefined, undefined]);
  });

  it('seedFromConfig takes a whole-number seed, else 0', () => {
    expect([seedFromConfig({ seed: 3 }), seedFromConfig({ seed: '7' }), seedFromConfig({ seed: 1.5 }), seedFromConfig({ seed: 'x' }), seedFromConfig({})]).toEqual([3, 7, 0, 0, 0]);
  });
});
