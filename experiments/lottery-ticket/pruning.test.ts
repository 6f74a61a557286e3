import { describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import { denseMask, keptPerLayer, magnitudePrune, pruneCount, randomMaskLike, weightsLeft } from './pruning';
import { initParameters, parameterLayout } from './residual-mlp';

const layout = parameterLayout({ input: 40, width: 100, classes: 10 });
const biasSpans = layout.spans.filter((s) => !s.prunable);

function randomTheta(seed: number): Float32Array {
  return initParameters(layout, createRng(seed, 'test'));
}

describe('parameter layout', () => {
  it('puts the six tensors of 40 → 100 → 100 → 10 in one vector, weights prunable, biases not', () => {
    expect(layout.spans.map((s) => [s.name, s.size, s.prunable])).toEqual([
      ['a1', 4000, true],
      ['b1', 100, false],
      ['a2', 10000, true],
      ['b2', 100, false],
      ['a3', 1000, true],
      ['b3', 10, false],
    ]);
    expect(layout.total).toBe(15210);
    expect(layout.weights.map((s) => s.name)).toEqual(['a1', 'a2', 'a3']);
  });
});

describe('magnitude pruning', () => {
  it('prunes round(20%) of each layer’s remaining weights per round, down to 0.8^r', () => {
    expect(pruneCount(4000, 0.2)).toBe(800);
    expect(pruneCount(2048, 0.2)).toBe(410); // 409.6
    expect(pruneCount(1, 0.9)).toBe(0); // never the last weight of a layer
    const theta = randomTheta(1);
    let mask = denseMask(layout);
    let expected = [4000, 10000, 1000];
    for (let round = 1; round <= 13; round++) {
      mask = magnitudePrune(layout, theta, mask, 0.2);
      expected = expected.map((k) => k - pruneCount(k, 0.2));
      expect(keptPerLayer(layout, mask), `round ${round}`).toEqual(expected);
    }
    expect(weightsLeft(layout, mask)).toBeCloseTo(0.8 ** 13, 3); // 5.5%
  });

  it('removes exactly the smallest |θ| among the survivors of each layer and never touches biases', () => {
    const theta = randomTheta(2);
    // Make every bias tiny: a global (or bias-including) rule would prune them first.
    for (const s of biasSpans) for (let k = s.offset; k < s.offset + s.size; k++) theta[k] = 1e-9;
    const mask1 = magnitudePrune(layout, theta, denseMask(layout), 0.2);
    const mask2 = magnitudePrune(layout, theta, mask1, 0.5);
    for (const mask of [mask1, mask2]) {
      for (const s of biasSpans) for (let k = s.offset; k < s.offset + s.size; k++) expect(mask[k]).toBe(1);
      for (const s of layout.weights) {
        let maxPruned = 0;
        let minKept = Infinity;
        for (let k = s.offset; k < s.offset + s.size; k++) {
          if (mask[k] === 0) maxPruned = Math.max(maxPruned, Math.abs(theta[k]!));
          else minKept = Math.min(minKept, Math.abs(theta[k]!));
        }
        expect(maxPruned, s.name).toBeLessThanOrEqual(minKept);
      }
    }
    // Pruned weights stay pruned: the second mask is a subset of the first.
    for (let k = 0; k < layout.total; k++) if (mask1[k] === 0) expect(mask2[k]).toBe(0);
    expect(keptPerLayer(layout, mask2)).toEqual([1600, 4000, 400]);
  });

  it('breaks ties in |θ| by position, deterministically', () => {
    const theta = new Float32Array(layout.total).fill(0.5); // all weights tie (±0.5)
    for (let k = 0; k < layout.total; k += 2) theta[k] = -0.5;
    const mask = magnitudePrune(layout, theta, denseMask(layout), 0.2);
    for (const s of layout.weights) {
      const drop = pruneCount(s.size, 0.2);
      for (let i = 0; i < s.size; i++) expect(mask[s.offset + i]).toBe(i < drop ? 0 : 1);
    }
    expect(magnitudePrune(layout, theta, denseMask(layout), 0.2)).toEqual(mask);
  });
});

describe('random mask control', () => {
  it('keeps the same number of weights per layer as the ticket, at random, biases unmasked', () => {
    let ticket = denseMask(layout);
    const theta = randomTheta(3);
    for (let r = 0; r < 10; r++) ticket = magnitudePrune(layout, theta, ticket, 0.2);
    const random = randomMaskLike(layout, ticket, 7, 'round-10');
    expect(keptPerLayer(layout, random)).toEqual(keptPerLayer(layout, ticket));
    for (const s of biasSpans) for (let k = s.offset; k < s.offset + s.size; k++) expect(random[k]).toBe(1);
    for (const v of random) expect(v === 0 || v === 1).toBe(true);
    // Not the ticket's mask: overlap near the chance level (kept fraction ≈ 10.7%).
    let overlap = 0;
    let kept = 0;
    for (const s of layout.weights) {
      for (let k = s.offset; k < s.offset + s.size; k++) {
        if (ticket[k] === 1) kept++;
        if (ticket[k] === 1 && random[k] === 1) overlap++;
      }
    }
    expect(overlap / kept).toBeLessThan(0.25);
    // Seeded: same seed and stream, same mask; another stream, another mask.
    expect(randomMaskLike(layout, ticket, 7, 'round-10')).toEqual(random);
    expect(randomMaskLike(layout, ticket, 7, 'round-11')).not.toEqual(random);
  });
});
