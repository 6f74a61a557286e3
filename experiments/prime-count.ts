/**
 * The prime-parameter count of docs/experiments.md §7 and its magnitude controls.
 *
 * count = Σᵢ isPrime(|round(θᵢ)|), 0 and 1 not prime. Rounding is half-to-even by default (as
 * numpy/PyTorch `round`), sign handling takes the absolute value by default. For typical nets the
 * count equals the tail count #{|θ| ≥ 1.5}: that is the confound the experiment is about.
 */

export type SignHandling = 'abs' | 'positive-only';
export type Rounding = 'half-even' | 'nearest' | 'floor';

export interface PrimeCountOptions {
  /** 'abs' (default): count |round(θ)|; 'positive-only': negative parameters never count. */
  sign?: SignHandling;
  /** 'half-even' (default, 2.5 → 2), 'nearest' (half away from zero, 2.5 → 3), 'floor' (of |θ| under 'abs'). */
  rounding?: Rounding;
}

/** Rounds half to even: 0.5 → 0, 1.5 → 2, 2.5 → 2, -2.5 → -2. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x); // half up (towards +∞)
  // Math.round breaks ties upwards; on an exact tie pick the even neighbour.
  if (r - x === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

/** Rounds half away from zero: 2.5 → 3, -2.5 → -3. */
function roundNearest(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** Sieve of Eratosthenes: entry k is 1 when k is prime (0 and 1 are not). */
export function primeSieve(max: number): Uint8Array {
  const n = Math.max(2, Math.floor(max)) + 1;
  const sieve = new Uint8Array(n).fill(1);
  sieve[0] = 0;
  sieve[1] = 0;
  for (let i = 2; i * i < n; i++) {
    if (sieve[i]) for (let j = i * i; j < n; j += i) sieve[j] = 0;
  }
  return sieve;
}

// Sieves are cached by size: successive evaluations of one run reuse the same table.
let cachedSieve = primeSieve(1024);

function sieveUpTo(max: number): Uint8Array {
  if (max >= cachedSieve.length) cachedSieve = primeSieve(Math.max(max, cachedSieve.length * 2));
  return cachedSieve;
}

/** The integer whose primality decides parameter `x` (may be negative or non-finite). */
function roundedMagnitude(x: number, sign: SignHandling, rounding: Rounding): number {
  const v = sign === 'abs' ? Math.abs(x) : x;
  if (rounding === 'half-even') return roundHalfEven(v);
  if (rounding === 'nearest') return roundNearest(v);
  return Math.floor(v);
}

/** Beyond this magnitude a sieve would be too large; such values are tested by trial division. */
const SIEVE_LIMIT = 1 << 24;

function isPrimeSlow(n: number): boolean {
  if (n < 2 || !Number.isSafeInteger(n)) return false; // past 2^53 a float is not a meaningful integer
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}

/** Whether the integer `n` is prime (0, 1 and negatives are not). */
export function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  if (n <= SIEVE_LIMIT) return sieveUpTo(n)[n] === 1;
  return isPrimeSlow(n);
}

/** Number of parameters whose rounded magnitude is a prime. NaN and ±∞ never count. */
export function primeCount(values: ArrayLike<number>, options: PrimeCountOptions = {}): number {
  const sign = options.sign ?? 'abs';
  const rounding = options.rounding ?? 'half-even';
  // One pass to size the sieve, one to count: both are plain loops over the array.
  let maxAbs = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]!);
    if (a > maxAbs && a <= SIEVE_LIMIT) maxAbs = a;
  }
  const sieve = sieveUpTo(Math.ceil(maxAbs) + 1);
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    const k = roundedMagnitude(x, sign, rounding);
    if (k < 2) continue; // also false for NaN
    if (k < sieve.length) count += sieve[k]!;
    else if (isPrimeSlow(k)) count++;
  }
  return count;
}

/** The magnitude control: #{i : |θᵢ| ≥ threshold} (default 1.5, where |round(θ)| first reaches 2). */
export function tailCount(values: ArrayLike<number>, threshold = 1.5): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (Math.abs(values[i]!) >= threshold) count++;
  return count;
}

/**
 * The placebo of docs/experiments.md §7 on a shifted rounding lattice: the prime count with every
 * magnitude assigned to ⌊|θ|⌋ instead of its nearest integer — the lattice moved by half a unit.
 * Primeness is kept, but which magnitudes count as "prime" changes ([2, 4), [5, 6), … instead of
 * [1.5, 3.5), [4.5, 5.5), …); if primes mattered, moving the lattice should break the signal.
 */
export function shiftedPrimeCount(values: ArrayLike<number>): number {
  return primeCount(values, { rounding: 'floor' });
}

/** The magnitude statistics every experiment records per evaluation (docs/experiments.md §7). */
export interface MagnitudeStats {
  l2: number;
  primeCount: number;
  /** #{|θ| ≥ 1.5}: the magnitude control of the prime count. */
  tailCount: number;
  /** The prime count on the shifted rounding lattice (a placebo). */
  shiftedPrimeCount: number;
}

export function magnitudeStats(values: ArrayLike<number>): MagnitudeStats {
  return { l2: l2Norm(values), primeCount: primeCount(values), tailCount: tailCount(values), shiftedPrimeCount: shiftedPrimeCount(values) };
}

/** Euclidean norm √(Σ θᵢ²), accumulated in double precision. */
export function l2Norm(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    sum += v * v;
  }
  return Math.sqrt(sum);
}
