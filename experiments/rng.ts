/**
 * Seeded pseudo-random numbers in plain TypeScript, so that data splits and initial weights are
 * identical on every backend and every run (tf.randomNormal's stream differs between backends).
 *
 * Generator: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, 128-bit state, passes
 * PractRand to ≥ 1 TB), seeded through splitmix32 from an integer seed and a stream name, so that
 * independent streams ("split", "init", …) of one seed do not overlap and changing, say, the width
 * of a model does not change its data split.
 */

export interface Rng {
  /** Uniform in [0, 1) with 32 bits of randomness. */
  next(): number;
  /** Uniform unsigned 32-bit integer. */
  nextUint32(): number;
  /** Uniform integer in [0, n) (unbiased, by rejection). */
  int(n: number): number;
  /** Standard normal N(0, 1) by the Box–Muller transform (pairs are cached). */
  normal(): number;
}

/** FNV-1a hash of a string to 32 bits: turns a stream name into seed material. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** One splitmix32 output for state `x` (a strong 32-bit mixer). */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/**
 * A generator for `seed` (a non-negative integer below 2^53) and an optional stream name.
 * Same seed and stream ⇒ same sequence, on every platform.
 */
export function createRng(seed: number, stream = ''): Rng {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 2 ** 32) >>> 0;
  const s = hashString(stream);
  const k = splitmix32(lo ^ splitmix32(hi ^ splitmix32(s)));
  let a = splitmix32(k);
  let b = splitmix32(a);
  let c = splitmix32(b);
  let d = 1; // sfc32's counter
  const nextUint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // sfc32 recommends discarding the first outputs after seeding.
  for (let i = 0; i < 12; i++) nextUint32();

  const next = (): number => nextUint32() / 4294967296;
  let spare: number | null = null;
  return {
    next,
    nextUint32,
    int(n: number): number {
      if (!Number.isInteger(n) || n <= 0 || n > 2 ** 32) throw new RangeError(`int(n) needs an integer n in [1, 2^32], got ${n}`);
      const limit = 2 ** 32 - (2 ** 32 % n); // reject the biased tail
      for (;;) {
        const x = nextUint32();
        if (x < limit) return x % n;
      }
    },
    normal(): number {
      if (spare !== null) {
        const z = spare;
        spare = null;
        return z;
      }
      // u1 in (0, 1] so the logarithm is finite.
      const u1 = 1 - next();
      const u2 = next();
      const r = Math.sqrt(-2 * Math.log(u1));
      const theta = 2 * Math.PI * u2;
      spare = r * Math.sin(theta);
      return r * Math.cos(theta);
    },
  };
}

/** Fills a new Float32Array of `n` values ~ N(mean, std²). */
export function normalArray(rng: Rng, n: number, std = 1, mean = 0): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = mean + std * rng.normal();
  return out;
}

/** Fisher–Yates shuffle in place (uniform over permutations); returns the same array. */
export function shuffleInPlace<T extends { length: number; [i: number]: unknown }>(rng: Rng, array: T): T {
  for (let i = array.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = array[i];
    array[i] = array[j];
    array[j] = tmp;
  }
  return array;
}

/** A uniformly random permutation of 0..n-1. */
export function permutation(rng: Rng, n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return shuffleInPlace(rng, out);
}
