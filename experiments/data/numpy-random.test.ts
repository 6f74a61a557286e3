import { describe, expect, it } from 'vitest';
import { NumpyRandomState } from './numpy-random';

// Reference values from numpy 2.4 (`np.random.RandomState`), computed once in Python.
const draw = <T>(n: number, f: () => T): T[] => Array.from({ length: n }, f);

describe('NumpyRandomState', () => {
  it('rand() matches numpy for seed 42 (53-bit doubles from two words)', () => {
    const rs = new NumpyRandomState(42);
    expect(draw(5, () => rs.rand())).toEqual([
      0.3745401188473625, 0.9507143064099162, 0.7319939418114051, 0.5986584841970366, 0.15601864044243652,
    ]);
    expect(new NumpyRandomState(0).randomSample()).toBe(0.5488135039273248);
    expect(new NumpyRandomState(2 ** 32 - 1).randomSample()).toBe(0.0976320289940138);
  });

  it('randn() matches numpy legacy_gauss, including the cached second value', () => {
    const rs = new NumpyRandomState(42);
    expect(draw(5, () => rs.randn())).toEqual([
      0.4967141530112327, -0.13826430117118466, 0.6476885381006925, 1.5230298564080254, -0.23415337472333597,
    ]);
    // The cache survives other draws in between: randn, rand, randn (cached), randn, randint.
    rs.seed(7);
    expect([rs.randn(), rs.rand(), rs.randn(), rs.randn(), rs.randint(0, 10)]).toEqual([
      1.690525703800356, 0.9779895119966027, -0.4659373705408328, 0.09316606097975175, 8,
    ]);
  });

  it('reseeding clears the cached gauss', () => {
    const rs = new NumpyRandomState(42);
    expect(rs.randn()).toBe(0.4967141530112327);
    rs.seed(42);
    expect(rs.randn()).toBe(0.4967141530112327);
    expect(rs.randn()).toBe(-0.13826430117118466);
  });

  it('normalArray(n, scale) is scale * randn(n)', () => {
    const rs = new NumpyRandomState(123);
    expect(Array.from(rs.normalArray(5, 0.25))).toEqual([
      -0.2714076508251403, 0.24933636164589645, 0.07074462451299801, -0.376573678479523, -0.1446500629921341,
    ]);
  });

  it('randint(low, high) follows numpy masked rejection sampling for several ranges', () => {
    const seq = (low: number, high: number, n = 10): number[] => {
      const rs = new NumpyRandomState(42);
      return draw(n, () => rs.randint(low, high));
    };
    expect(seq(0, 48)).toEqual([38, 28, 14, 42, 7, 20, 38, 18, 22, 10]);
    expect(seq(0, 10)).toEqual([6, 3, 7, 4, 6, 9, 2, 6, 7, 4]);
    expect(seq(0, 25)).toEqual([6, 19, 14, 10, 7, 20, 6, 18, 22, 10]);
    expect(seq(0, 5000)).toEqual([860, 3772, 3092, 466, 4426, 3444, 3171, 2919, 130, 1685]);
    expect(seq(-7, 3)).toEqual([-1, -4, 0, -3, -1, 2, -5, -1, 0, -3]);
    // The full 32-bit range returns the raw tempered MT19937 words.
    expect(seq(0, 2 ** 32)).toEqual([
      1608637542, 3421126067, 4083286876, 787846414, 3143890026, 3348747335, 2571218620, 2563451924, 670094950, 1914837113,
    ]);
  });

  it('randint over a single value draws nothing from the stream', () => {
    const rs = new NumpyRandomState(42);
    expect([rs.randint(5, 6), rs.randint(5, 6), rs.randint(5, 6)]).toEqual([5, 5, 5]);
    expect(rs.rand()).toBe(0.3745401188473625);
  });

  it('permutation(n) is numpy legacy shuffle (Fisher-Yates from the end)', () => {
    const rs = new NumpyRandomState(42);
    expect(Array.from(rs.permutation(10))).toEqual([8, 1, 5, 0, 7, 2, 9, 4, 3, 6]);
    rs.seed(42);
    const p = rs.permutation(5000);
    expect(Array.from(p.subarray(0, 10))).toEqual([1501, 2586, 2653, 1055, 705, 106, 589, 2468, 2413, 1600]);
    expect(Array.from(p.subarray(4990))).toEqual([1685, 130, 2919, 3171, 3444, 4426, 466, 3092, 3772, 860]);
    // ... and leaves the stream where numpy leaves it.
    expect(rs.rand()).toBe(0.19984127128193951);
    expect(new Set(p).size).toBe(5000);
  });

  it('rejects invalid seeds and arguments', () => {
    expect(() => new NumpyRandomState(-1)).toThrow(RangeError);
    expect(() => new NumpyRandomState(2 ** 32)).toThrow(RangeError);
    expect(() => new NumpyRandomState(1.5)).toThrow(RangeError);
    const rs = new NumpyRandomState(0);
    expect(() => rs.randint(3, 3)).toThrow(/low >= high/);
    expect(() => rs.randint(0, 2 ** 33)).toThrow(RangeError);
    expect(() => rs.randint(0.5, 3)).toThrow(RangeError);
    expect(() => rs.permutation(-1)).toThrow(RangeError);
    expect(() => rs.normalArray(2.5)).toThrow(RangeError);
  });
});
