/**
 * numpy's legacy `np.random.RandomState` (MT19937) stream, bit for bit, in plain TypeScript.
 *
 * Published datasets such as MNIST-1D are defined by the exact sequence of draws numpy makes, so
 * every method here reproduces numpy's C code path (numpy/random/src/legacy, distributions.c,
 * mtrand.pyx) including how many 32-bit words each draw consumes: a port that draws one word too
 * many or too few desynchronises everything after it. No Node imports: it also runs in a browser.
 */

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const UINT32_MAX = 0xffffffff;

/** Smallest all-ones mask ≥ `max` (numpy's gen_mask), for values up to 2^32 − 1. */
function gen_mask(max: number): number {
  let mask = max >>> 0;
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  return mask >>> 0;
}

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > UINT32_MAX) {
    throw new RangeError(`seed must be an integer in [0, 2^32 - 1] (as numpy's RandomState), got ${seed}`);
  }
}

export class NumpyRandomState {
  private readonly mt = new Uint32Array(N);
  private pos = N;
  /** Legacy gauss draws come in pairs; the second one is cached for the next call. */
  private hasGauss = false;
  private gaussCache = 0;

  constructor(seed: number) {
    this.seed(seed);
  }

  /** numpy `RandomState.seed(int)`: MT19937 init_genrand, and forget any cached gauss. */
  seed(seed: number): void {
    checkSeed(seed);
    const mt = this.mt;
    let s = seed >>> 0;
    for (let i = 0; i < N; i++) {
      mt[i] = s;
      // (1812433253 * (s ^ (s >>> 30)) + i + 1) mod 2^32; Math.imul keeps the low 32 bits exact.
      s = (Math.imul(1812433253, (s ^ (s >>> 30)) >>> 0) + i + 1) >>> 0;
    }
    this.pos = N;
    this.hasGauss = false;
    this.gaussCache = 0;
  }

  /** Refills the 624-word state (MT19937 "generate" step). */
  private twist(): void {
    const mt = this.mt;
    let i = 0;
    for (; i < N - M; i++) {
      const y = (mt[i]! & UPPER_MASK) | (mt[i + 1]! & LOWER_MASK);
      mt[i] = (mt[i + M]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0)) >>> 0;
    }
    for (; i < N - 1; i++) {
      const y = (mt[i]! & UPPER_MASK) | (mt[i + 1]! & LOWER_MASK);
      mt[i] = (mt[i + M - N]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0)) >>> 0;
    }
    const y = (mt[N - 1]! & UPPER_MASK) | (mt[0]! & LOWER_MASK);
    mt[N - 1] = (mt[M - 1]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0)) >>> 0;
    this.pos = 0;
  }

  /** genrand_int32: the next tempered 32-bit word, as an unsigned number. */
  nextUint32(): number {
    if (this.pos >= N) this.twist();
    let y = this.mt[this.pos++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits, from two words (numpy's next_double). */
  randomSample(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Alias of `randomSample()`, as `np.random.rand()`. */
  rand(): number {
    return this.randomSample();
  }

  /**
   * Standard normal, numpy's legacy_gauss: Marsaglia's polar method; each accepted pair yields two
   * values, the second cached (RandomState never switched to the ziggurat, unlike Generator).
   */
  randn(): number {
    if (this.hasGauss) {
      this.hasGauss = false;
      const cached = this.gaussCache;
      this.gaussCache = 0;
      return cached;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.randomSample() - 1;
      x2 = 2 * this.randomSample() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.gaussCache = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  /** `n` values of `scale * randn()` (numpy: `scale * np.random.randn(n)`). */
  normalArray(n: number, scale = 1): Float64Array {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`normalArray: n must be a non-negative integer, got ${n}`);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = scale * this.randn();
    return out;
  }

  /**
   * Uniform integer in [0, max] by masked rejection (numpy's random_interval and the legacy
   * "masked" bounded-integer path): draw a 32-bit word, keep its low bits under the smallest
   * all-ones mask ≥ max, retry while it exceeds max. Draws nothing when max is 0. Using modulo
   * or Lemire's method instead would give different numbers and consume a different number of words.
   */
  private boundedMasked(max: number): number {
    if (max === 0) return 0;
    if (max === UINT32_MAX) return this.nextUint32();
    const mask = gen_mask(max);
    let value: number;
    do {
      value = (this.nextUint32() & mask) >>> 0;
    } while (value > max);
    return value;
  }

  /**
   * `np.random.randint(low, high)` (high exclusive) with the default int64 dtype; also what
   * `np.random.choice(n)` does (= randint(0, n)). For int64 numpy draws full 32-bit words for any
   * range below 2^32 (the byte/short buffering only applies to int8/int16 dtypes).
   */
  randint(low: number, high: number): number {
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) {
      throw new RangeError(`randint: low and high must be safe integers, got ${low}, ${high}`);
    }
    if (high <= low) throw new RangeError(`randint: low >= high (${low} >= ${high})`);
    const range = high - 1 - low;
    if (range > UINT32_MAX) throw new RangeError(`randint: ranges above 2^32 are not supported, got ${high - low}`);
    return low + this.boundedMasked(range);
  }

  /**
   * `np.random.permutation(n)`: arange(n) shuffled by the legacy Fisher–Yates, which walks from the
   * end and swaps i with j = random_interval(i) ∈ [0, i].
   */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) {
      throw new RangeError(`permutation: n must be an integer in [0, 2^31 - 1], got ${n}`);
    }
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.boundedMasked(i);
      const tmp = out[i]!;
      out[i] = out[j]!;
      out[j] = tmp;
    }
    return out;
  }
}
