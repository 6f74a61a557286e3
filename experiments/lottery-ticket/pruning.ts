/**
 * Masks for iterative magnitude pruning (Frankle & Carbin 2019), in plain TypeScript on host
 * arrays laid out like θ (see residual-mlp.ts). A mask holds 1 (kept) or 0 (pruned) per parameter;
 * biases are always 1. Each weight layer is pruned on its own (layer-wise, not global).
 */
import { createRng, permutation } from '../rng';
import type { Layout, Span } from './residual-mlp';

/** The all-ones mask (the dense network). */
export function denseMask(layout: Layout): Float32Array {
  return new Float32Array(layout.total).fill(1);
}

/** Kept weights per weight layer, in layout order. */
export function keptPerLayer(layout: Layout, mask: ArrayLike<number>): number[] {
  return layout.weights.map((span) => {
    let kept = 0;
    for (let k = span.offset; k < span.offset + span.size; k++) if (mask[k] !== 0) kept++;
    return kept;
  });
}

/** Fraction of all weights (biases excluded) that the mask keeps. */
export function weightsLeft(layout: Layout, mask: ArrayLike<number>): number {
  const kept = keptPerLayer(layout, mask).reduce((a, b) => a + b, 0);
  const total = layout.weights.reduce((a, s) => a + s.size, 0);
  return kept / total;
}

/**
 * How many of a layer's `remaining` weights one pruning round removes: round(fraction · remaining),
 * but never the last one (a layer with no weights would cut the network).
 */
export function pruneCount(remaining: number, fraction: number): number {
  return Math.max(0, Math.min(remaining - 1, Math.round(fraction * remaining)));
}

/**
 * One round of magnitude pruning: in each weight layer, of the weights the current mask keeps,
 * removes the `pruneCount(kept, fraction)` with the smallest |θ| (those below the layer's
 * magnitude quantile). Ties in |θ| are broken by position (the earlier one is pruned first), so
 * the result is fully deterministic. Biases stay unmasked. Returns a new mask.
 */
export function magnitudePrune(layout: Layout, theta: ArrayLike<number>, mask: ArrayLike<number>, fraction: number): Float32Array {
  const next = Float32Array.from(mask);
  for (const span of layout.weights) {
    const alive: number[] = [];
    for (let k = span.offset; k < span.offset + span.size; k++) if (mask[k] !== 0) alive.push(k);
    const drop = pruneCount(alive.length, fraction);
    if (drop === 0) continue;
    const mag = (k: number) => Math.abs(theta[k]!);
    alive.sort((a, b) => mag(a) - mag(b) || a - b);
    for (let i = 0; i < drop; i++) next[alive[i]!] = 0;
  }
  return next;
}

function randomLayerMask(out: Float32Array, span: Span, kept: number, seed: number, stream: string): void {
  const order = permutation(createRng(seed, stream), span.size);
  out.fill(0, span.offset, span.offset + span.size);
  for (let i = 0; i < kept; i++) out[span.offset + order[i]!] = 1;
}

/**
 * The random-pruning control: a mask that keeps, in each weight layer, the same number of weights
 * as `like` does, chosen uniformly at random (seeded by `seed` and `stream`, one sub-stream per
 * layer). Biases stay unmasked.
 */
export function randomMaskLike(layout: Layout, like: ArrayLike<number>, seed: number, stream: string): Float32Array {
  const out = denseMask(layout);
  const kept = keptPerLayer(layout, like);
  layout.weights.forEach((span, i) => randomLayerMask(out, span, kept[i]!, seed, `${stream}/${span.name}`));
  return out;
}
