import { describe, expect, it } from 'vitest';
import {
  addLabelNoise,
  gaussianFilterReflect,
  gaussianKernel,
  generateMnist1d,
  interp,
  linspace,
  MNIST1D_DEFAULTS,
  mnist1dTemplates,
  pairwiseSum,
} from './mnist1d';
import { NumpyRandomState } from './numpy-random';

// Reference values come from the repository's make_dataset run with numpy 2.4 / scipy 1.17; the
// spec (docs/experiments.md §3) publishes the labels and x_train[0][0:4]. Our values differ from numpy's
// by at most ~1e-15 (1-ulp differences of `log` inside the legacy gauss), hence the 1e-12 checks.

const toArr = (a: ArrayLike<number>): number[] => Array.from(a);

function expectClose(actual: ArrayLike<number>, expected: number[], tol: number): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(Math.abs(actual[i]! - e)).toBeLessThanOrEqual(tol));
}

const defaults = generateMnist1d();

describe('numpy/scipy primitives', () => {
  it('linspace sets the endpoint exactly and uses i*step + start', () => {
    const l = linspace(-0.5, 0.5, 72);
    expect(l[0]).toBe(-0.5);
    expect(l[71]).toBe(0.5);
    expect(l[1]).toBe(1 / 71 - 0.5);
  });

  it('interp returns knots exactly and interpolates linearly between them', () => {
    const xp = Float64Array.from([0, 1, 2]);
    expect(toArr(interp(Float64Array.from([-1, 0, 0.5, 1, 1.25, 2, 3]), xp, [1, 3, 2]))).toEqual([1, 1, 2, 3, 2.75, 2, 2]);
  });

  it('pairwiseSum reproduces numpy (8 accumulators, halving above 128)', () => {
    // numpy: np.sum([0.1] * 10) == 1.0 (pairwise), whereas a plain loop gives 0.9999999999999999.
    expect(pairwiseSum(new Array<number>(10).fill(0.1))).toBe(1);
    const a = Float64Array.from({ length: 1000 }, (_, i) => 1 / (i + 1));
    expect(pairwiseSum(a)).toBe(7.485470860550345);
  });

  it('the Gaussian kernel (sigma 2, radius 8) equals scipy _gaussian_kernel1d', () => {
    const k = gaussianKernel(2);
    expect(k.length).toBe(17);
    expect(k[8]).toBe(0.199474647864745);
    expect(k[0]).toBe(6.691628957263553e-5);
    expect(k[16]).toBe(k[0]);
  });

  it('the Gaussian filter uses reflect boundaries (d c b a | a b c d | d c b a)', () => {
    const k = gaussianKernel(2);
    const constant = gaussianFilterReflect(new Float64Array(20).fill(3), k);
    constant.forEach((v) => expect(v).toBeCloseTo(3, 14));
    // A step at the left edge: reflection keeps the edge value at ~1 rather than pulling it to 0.5.
    const step = Float64Array.from({ length: 20 }, (_, i) => (i < 10 ? 1 : 0));
    expect(gaussianFilterReflect(step, k)[0]).toBeCloseTo(1, 6);
  });
});

describe('mnist1dTemplates', () => {
  it('normalises each row as get_templates() does (bit-exact)', () => {
    const t = mnist1dTemplates();
    expect(t).toHaveLength(10);
    expect(toArr(t[0]!)).toEqual([
      0.0, 0.23693955110363696, 0.35540932665545544, 0.4146442144313647, 0.4738791022072739, 0.4738791022072739,
      0.4738791022072739, 0.4738791022072739, 0.4146442144313647, 0.35540932665545544, 0.23693955110363696, 0.0,
    ]);
    expect(toArr(t[4]!)).toEqual([
      0.0, -0.10599978800063593, -0.21199957600127206, -0.317999364001908, -0.42399915200254396, -0.42399915200254396,
      0, 0, 0, 0, 0, 0,
    ]);
    for (const row of t) {
      expect(row[0]).toBe(0);
      expect(row[11]).toBe(0);
    }
  });
});

describe('generateMnist1d (defaults)', () => {
  it('has the published shapes and split', () => {
    expect(defaults.nTrain).toBe(4000);
    expect(defaults.nTest).toBe(1000);
    expect(defaults.length).toBe(40);
    expect(defaults.xTrain).toBeInstanceOf(Float64Array);
    expect(defaults.xTrain.length).toBe(4000 * 40);
    expect(defaults.xTest.length).toBe(1000 * 40);
    expect(defaults.yTrain.length).toBe(4000);
    expect(defaults.yTest.length).toBe(1000);
  });

  it('matches the published labels exactly', () => {
    expect(toArr(defaults.yTrain.subarray(0, 20))).toEqual([2, 6, 4, 5, 6, 6, 6, 0, 3, 1, 6, 9, 4, 3, 4, 5, 1, 9, 0, 3]);
    expect(toArr(defaults.yTest.subarray(0, 10))).toEqual([2, 6, 3, 9, 4, 3, 1, 9, 5, 2]);
    // 500 per class before the split.
    const counts = new Array<number>(10).fill(0);
    for (const y of [...defaults.yTrain, ...defaults.yTest]) counts[y]!++;
    expect(counts).toEqual(new Array<number>(10).fill(500));
  });

  it('matches the published x_train[0][0:4] (1e-6) and numpy to 1e-12', () => {
    expectClose(defaults.xTrain.subarray(0, 4), [-0.332006, -0.47191, -0.778697, -1.009741], 1e-6);
    expectClose(
      defaults.xTrain.subarray(0, 8),
      [
        -0.3320056673693902, -0.4719103656557236, -0.778697076293495, -1.0097408265367047, -0.8823525654053074,
        0.10393481264623418, 1.643284346437359, 1.6525071095153063,
      ],
      1e-12,
    );
    expectClose(
      defaults.xTrain.subarray(3999 * 40 + 36, 4000 * 40),
      [-0.8137443925814231, -1.2162451343416705, -1.4649417006350856, -1.6509928567520655],
      1e-12,
    );
    expectClose(
      defaults.xTest.subarray(999 * 40, 999 * 40 + 4),
      [-0.5193287078205188, -0.6987227646777667, -1.2810376906623184, -2.1610148481983207],
      1e-12,
    );
    expect(Math.abs(defaults.mean - -0.0055075064312771795)).toBeLessThan(1e-15);
    expect(Math.abs(defaults.std - 0.15467803420593054)).toBeLessThan(1e-15);
  });

  it('is standardised over train and test together', () => {
    const all = new Float64Array([...defaults.xTrain, ...defaults.xTest]);
    const mean = pairwiseSum(all) / all.length;
    const std = Math.sqrt(pairwiseSum(all.map((v) => (v - mean) ** 2)) / all.length);
    expect(Math.abs(mean)).toBeLessThan(1e-12);
    expect(std).toBeCloseTo(1, 12);
  });

  it('is deterministic for a seed and changes with it', () => {
    const again = generateMnist1d({ numSamples: 500 });
    const same = generateMnist1d({ numSamples: 500 });
    const other = generateMnist1d({ numSamples: 500, seed: 43 });
    expect(toArr(again.xTrain)).toEqual(toArr(same.xTrain));
    expect(toArr(again.yTrain)).toEqual(toArr(same.yTrain));
    expect(toArr(again.yTrain)).not.toEqual(toArr(other.yTrain));
  });

  it('returns the RNG positioned right after the shuffle, and does not share it across calls', () => {
    // numpy: the first random_sample() after make_dataset() with defaults.
    const d = generateMnist1d();
    const noisy = addLabelNoise(d.yTrain, 0.15, d.rng);
    expect(noisy.changed).toBe(515);
    expect(d.rng.rand()).toBe(0.9505461803951961);
    expect(defaults.rng).not.toBe(d.rng);
  });
});

describe('addLabelNoise (double-descent rule, docs/experiments.md §4)', () => {
  it('changes exactly numpy’s 577 of 4,000 labels for 16,000 samples at split 0.25', () => {
    const d = generateMnist1d({ numSamples: 16000, trainSplit: 0.25 });
    expect([d.nTrain, d.nTest]).toEqual([4000, 12000]);
    expect(toArr(d.yTrain.subarray(0, 20))).toEqual([5, 6, 2, 6, 8, 3, 2, 0, 6, 9, 3, 4, 0, 4, 7, 5, 1, 6, 5, 1]);
    expect(toArr(d.yTest.subarray(0, 10))).toEqual([5, 5, 3, 3, 6, 6, 3, 2, 4, 4]);
    expectClose(d.xTrain.subarray(0, 4), [0.1905425707884389, -0.06464255395729823, -0.012497109722591316, 0.1193443004289696], 1e-12);
    const before = Int32Array.from(d.yTrain);
    const noisy = addLabelNoise(d.yTrain, 0.15, d.rng);
    expect(noisy.changed).toBe(577); // 14.4 %
    expect(toArr(noisy.y.subarray(0, 20))).toEqual([5, 6, 2, 6, 8, 3, 2, 0, 6, 9, 3, 4, 0, 9, 7, 9, 1, 6, 5, 1]);
    expect(toArr(d.yTrain)).toEqual(toArr(before)); // the input is not modified
    let differing = 0;
    noisy.y.forEach((y, i) => (differing += y === before[i] ? 0 : 1));
    expect(differing).toBe(577);
    expect(d.rng.rand()).toBe(0.9064565145464231);
  });

  it('changes 130 of 1,000 labels for the cheap preset (5,000 samples, split 0.2)', () => {
    const d = generateMnist1d({ trainSplit: 0.2 });
    expect(addLabelNoise(d.yTrain, 0.15, d.rng).changed).toBe(130);
  });

  it('leaves labels alone at fraction 0 and validates its arguments', () => {
    const y = Int32Array.from([1, 2, 3]);
    expect(addLabelNoise(y, 0, new NumpyRandomState(1))).toEqual({ y, changed: 0 });
    expect(() => addLabelNoise(y, 1.5, new NumpyRandomState(1))).toThrow(RangeError);
    expect(() => addLabelNoise(y, Number.NaN, new NumpyRandomState(1))).toThrow(RangeError);
  });
});

describe('generateMnist1d options', () => {
  it('exposes the repository defaults', () => {
    expect(MNIST1D_DEFAULTS).toEqual({
      numSamples: 5000,
      trainSplit: 0.8,
      templateLen: 12,
      padding: [36, 60],
      scaleCoeff: 0.4,
      maxTranslation: 48,
      corrNoiseScale: 0.25,
      iidNoiseScale: 0.02,
      shearScale: 0.75,
      finalSeqLength: 40,
      seed: 42,
    });
  });

  it('matches numpy for non-default options (1,234 samples → 123 per class)', () => {
    const d = generateMnist1d({ numSamples: 1234, trainSplit: 0.5, seed: 7, padding: [10, 20], maxTranslation: 20, finalSeqLength: 33 });
    expect([d.nTrain, d.nTest, d.length]).toEqual([615, 615, 33]);
    expect(d.xTrain.length).toBe(615 * 33);
    expect(toArr(d.yTrain.subarray(0, 10))).toEqual([1, 3, 6, 2, 5, 3, 5, 5, 4, 6]);
    expect(toArr(d.yTest.subarray(0, 5))).toEqual([3, 2, 7, 2, 3]);
    expectClose(d.xTrain.subarray(0, 4), [0.1947816467339815, -0.9501869821395506, -1.4074231403822315, -1.4712742000166557], 1e-12);
    expect(addLabelNoise(d.yTrain, 0.15, d.rng).changed).toBe(86);
  });

  it('rejects invalid options with a RangeError', () => {
    expect(() => generateMnist1d({ numSamples: 0 })).toThrow(/numSamples/);
    expect(() => generateMnist1d({ numSamples: 55.5 })).toThrow(RangeError);
    expect(() => generateMnist1d({ trainSplit: 0 })).toThrow(/trainSplit/);
    expect(() => generateMnist1d({ trainSplit: 1 })).toThrow(/trainSplit/);
    expect(() => generateMnist1d({ numSamples: 10, trainSplit: 0.01 })).toThrow(/empty/);
    expect(() => generateMnist1d({ padding: [60, 36] })).toThrow(/padding/);
    expect(() => generateMnist1d({ padding: [-1, 36] })).toThrow(/padding/);
    expect(() => generateMnist1d({ maxTranslation: 0 })).toThrow(/maxTranslation/);
    expect(() => generateMnist1d({ maxTranslation: 100 })).toThrow(/maxTranslation/);
    expect(() => generateMnist1d({ finalSeqLength: 1 })).toThrow(/finalSeqLength/);
    expect(() => generateMnist1d({ scaleCoeff: Number.NaN })).toThrow(/scaleCoeff/);
    expect(() => generateMnist1d({ seed: -1 })).toThrow(/seed/);
    expect(() => generateMnist1d({ seed: 2 ** 32 })).toThrow(/seed/);
  });
});
