import { describe, expect, it } from 'vitest';
import { createRng, normalArray, permutation, shuffleInPlace } from './rng';

describe('createRng', () => {
  it('is deterministic for a seed and stream, and differs across seeds and streams', () => {
    const draw = (seed: number, stream?: string) => {
      const r = createRng(seed, stream);
      return Array.from({ length: 8 }, () => r.nextUint32());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7, 'init')).toEqual(draw(7, 'init'));
    expect(draw(7)).not.toEqual(draw(8));
    expect(draw(7, 'init')).not.toEqual(draw(7, 'split'));
    // Seeds above 2^32 use their high bits too.
    expect(draw(2 ** 32 + 7)).not.toEqual(draw(7));
  });

  it('pins the stream (golden values shared with bench/grokking_torch.py)', () => {
    const r = createRng(0, 'grokking-mlp/init');
    expect([r.nextUint32(), r.nextUint32()]).toEqual([3481192603, 2596614252]);
    expect(r.normal()).toBeCloseTo(-1.0980409334662786, 15);
    expect(Array.from(permutation(createRng(12345678901, 'x'), 10))).toEqual([3, 2, 9, 1, 8, 7, 0, 6, 4, 5]);
  });

  it('gives uniforms in [0, 1) and unbiased integers', () => {
    const r = createRng(1);
    const counts = new Array<number>(6).fill(0);
    let lo = 1;
    let hi = 0;
    for (let i = 0; i < 60_000; i++) {
      const u = r.next();
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
      counts[r.int(6)]! += 1;
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
    expect(() => r.int(0)).toThrow(/int\(n\)/);
    expect(() => createRng(-1)).toThrow(/seed/);
  });

  it('samples standard normals (Box–Muller)', () => {
    const xs = normalArray(createRng(3), 200_000);
    let sum = 0;
    let sq = 0;
    let beyond2 = 0;
    for (const x of xs) {
      sum += x;
      sq += x * x;
      if (Math.abs(x) > 2) beyond2++;
    }
    const mean = sum / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(sq / xs.length - mean * mean - 1)).toBeLessThan(0.015);
    expect(beyond2 / xs.length).toBeCloseTo(0.0455, 2);
    const scaled = normalArray(createRng(3), 4, 2, 10);
    expect(scaled[0]).toBeCloseTo(10 + 2 * xs[0]!, 5);
  });

  it('shuffles with Fisher–Yates into a permutation, reproducibly', () => {
    const a = permutation(createRng(5), 1000);
    expect(Array.from(a).sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(permutation(createRng(5), 1000))).toEqual(Array.from(a));
    expect(Array.from(permutation(createRng(6), 1000))).not.toEqual(Array.from(a));
    // Every element lands in each position about equally often.
    const firstCounts = new Array<number>(4).fill(0);
    const r = createRng(9);
    for (let i = 0; i < 40_000; i++) firstCounts[shuffleInPlace(r, [0, 1, 2, 3])[0]!]! += 1;
    for (const c of firstCounts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
  });
});
