import { describe, expect, it } from 'vitest';
import { generateMnist1d } from '../data/mnist1d';
import { loadMnist1dMlpData, oneHotArray } from './data';

describe('MNIST-1D data for the MLP experiments', () => {
  it('adds the notebook’s label noise: 577 of 4,000 train labels change for 16,000 samples at split 0.25', () => {
    const d = loadMnist1dMlpData({ numSamples: 16000, trainSplit: 0.25, dataSeed: 42, labelNoise: 0.15 });
    expect([d.train.n, d.test.n, d.length]).toEqual([4000, 12000, 40]);
    expect(d.labelsChanged).toBe(577);
    const clean = generateMnist1d({ numSamples: 16000, trainSplit: 0.25 });
    let differing = 0;
    d.train.y.forEach((y, i) => (differing += y === clean.yTrain[i] ? 0 : 1));
    expect(differing).toBe(577);
    expect(Array.from(d.test.y)).toEqual(Array.from(clean.yTest)); // test labels stay clean
    expect(d.train.x[0]).toBe(Math.fround(clean.xTrain[0]!)); // float64 rounded to float32 once
    expect(d.train.x.length).toBe(4000 * 40);
  });

  it('builds the cheap variant (130 changed of 1,000) and the init-scale prefix, with distinct hashes', () => {
    const cheap = loadMnist1dMlpData({ numSamples: 5000, trainSplit: 0.2, dataSeed: 42, labelNoise: 0.15 });
    expect([cheap.train.n, cheap.test.n, cheap.labelsChanged]).toEqual([1000, 4000, 130]);
    const prefix = loadMnist1dMlpData({ numSamples: 5000, trainSplit: 0.8, dataSeed: 42, trainSize: 1000 });
    const full = generateMnist1d();
    expect([prefix.train.n, prefix.test.n, prefix.labelsChanged]).toEqual([1000, 1000, 0]);
    expect(Array.from(prefix.train.y)).toEqual(Array.from(full.yTrain.subarray(0, 1000)));
    expect(Array.from(prefix.train.x.subarray(-40))).toEqual(Array.from(full.xTrain.subarray(999 * 40, 1000 * 40), Math.fround));
    const hashes = [
      cheap.hash,
      prefix.hash,
      loadMnist1dMlpData({ numSamples: 5000, trainSplit: 0.2, dataSeed: 42, labelNoise: 0 }).hash,
      loadMnist1dMlpData({ numSamples: 5000, trainSplit: 0.2, dataSeed: 43, labelNoise: 0.15 }).hash,
    ];
    for (const h of hashes) expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(hashes).size).toBe(4);
    expect(loadMnist1dMlpData({ numSamples: 5000, trainSplit: 0.2, dataSeed: 42, labelNoise: 0.15 }).hash).toBe(cheap.hash);
  });

  it('builds the binary task: classes 0 and 1 relabelled 0/1, label noise flipping train labels only', () => {
    const clean = loadMnist1dMlpData({ numSamples: 5000, trainSplit: 0.2, dataSeed: 42, binary: [0, 1] });
    const noisy = loadMnist1dMlpData({ numSamples: 5000, trainSplit: 0.2, dataSeed: 42, binary: [0, 1], labelNoise: 0.15 });
    const full = generateMnist1d({ numSamples: 5000, trainSplit: 0.2 });
    const kept = Array.from(full.yTrain).filter((y) => y === 0 || y === 1);
    expect(clean.outputs).toBe(1);
    expect(clean.train.n).toBe(kept.length);
    expect(clean.train.n).toBe(203);
    expect(Array.from(clean.train.y)).toEqual(kept);
    expect(clean.test.n).toBe(Array.from(full.yTest).filter((y) => y === 0 || y === 1).length);
    let flipped = 0;
    noisy.train.y.forEach((y, i) => (flipped += y === clean.train.y[i] ? 0 : 1));
    expect(flipped).toBe(noisy.labelsChanged);
    expect(flipped / noisy.train.n).toBeGreaterThan(0.08);
    expect(flipped / noisy.train.n).toBeLessThan(0.22);
    expect(Array.from(noisy.test.y)).toEqual(Array.from(clean.test.y));
    expect(noisy.hash).not.toBe(clean.hash);
    expect(() => loadMnist1dMlpData({ numSamples: 500, trainSplit: 0.2, dataSeed: 42, binary: [3, 3] })).toThrow(/two different classes/);
  });

  it('one-hot encodes labels on the host', () => {
    expect(Array.from(oneHotArray(Int32Array.from([2, 0]), 3))).toEqual([0, 0, 1, 1, 0, 0]);
  });
});
