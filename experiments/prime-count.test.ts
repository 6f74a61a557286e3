import { describe, expect, it } from 'vitest';
import { createRng, normalArray } from './rng';
import { isPrime, l2Norm, magnitudeStats, primeCount, primeSieve, roundHalfEven, shiftedPrimeCount, tailCount } from './prime-count';

describe('roundHalfEven', () => {
  it('rounds ties to the even neighbour', () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 2.4999, 2.5001, 7].map(roundHalfEven)).toEqual([0, 2, 2, 4, -0, -2, -2, 2, 3, 7]);
  });
});

describe('isPrime / primeSieve', () => {
  it('knows the small primes; 0 and 1 are not prime', () => {
    const primes = Array.from({ length: 50 }, (_, i) => i).filter(isPrime);
    expect(primes).toEqual([2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47]);
    const sieve = primeSieve(30);
    expect(sieve[0]).toBe(0);
    expect(sieve[1]).toBe(0);
    expect(sieve[29]).toBe(1);
    expect(isPrime(2_147_483_647)).toBe(true); // beyond the sieve: trial division
    expect(isPrime(2_147_483_649)).toBe(false);
    expect(isPrime(-7)).toBe(false);
    expect(isPrime(2.5)).toBe(false);
  });
});

describe('primeCount', () => {
  it('counts |round-half-even(θ)| that are prime', () => {
    // 2.5 → 2 (prime), 3.5 → 4 (not), -2.6 → 3 (prime), 0.5 → 0, 1.4 → 1.
    expect(primeCount(new Float32Array([2.5, 3.5, -2.6, 0.5, 1.4]))).toBe(2);
    expect(primeCount([6.5, 7.2, -10.6, 12.5])).toBe(2); // 6, 7, 11, 12
    expect(primeCount([])).toBe(0);
    expect(primeCount([NaN, Infinity, -Infinity, 1e30])).toBe(0);
    expect(primeCount([1000003.2, 1000004])).toBe(1); // grows the sieve
  });

  it('supports the rounding and sign options', () => {
    const v = [2.5, 4.5, -2.6, 3.7];
    expect(primeCount(v)).toBe(2); // half-even: 2, 4, 3, 4
    expect(primeCount(v, { rounding: 'half-even', sign: 'abs' })).toBe(2);
    expect(primeCount(v, { rounding: 'nearest' })).toBe(3); // 3, 5, 3, 4
    expect(primeCount(v, { rounding: 'floor' })).toBe(3); // 2, 4, 2, 3
    expect(primeCount(v, { sign: 'positive-only' })).toBe(1); // 2, 4, (skipped), 4
  });

  it('agrees with the tail count on typical small weights', () => {
    const w = normalArray(createRng(11), 50_000, 0.5);
    // |θ| in [1.5, 3.5) rounds to 2 or 3, both prime; larger values are rare at σ = 0.5.
    const tail = tailCount(w, 1.5);
    expect(tail).toBeGreaterThan(0);
    expect(primeCount(w)).toBe(tail - tailCount(w, 3.5) + primeCount(w.filter((x) => Math.abs(x) >= 3.5)));
  });
});

describe('tailCount and l2Norm', () => {
  it('count magnitudes at or above the threshold and take the Euclidean norm', () => {
    expect(tailCount([1.5, -1.5, 1.49, 0, -3])).toBe(3);
    expect(tailCount([0.2, -0.4, 0.6], 0.4)).toBe(2);
    expect(l2Norm(new Float32Array([3, -4]))).toBe(5);
    expect(l2Norm([])).toBe(0);
  });
});

describe('shiftedPrimeCount and magnitudeStats', () => {
  it('moves the rounding lattice by half a unit: ⌊|θ|⌋ decides primeness', () => {
    // |θ|:           1.6  1.9  2.2  3.4  3.6  4.4  4.6  5.2  -2.7
    // nearest:        2    2    2    3    4    4    5    5     3   → prime: 2,2,2,3,5,5,3 = 7
    // floor (shift):  1    1    2    3    3    4    4    5     2   → prime: 2,3,3,5,2 = 5
    const w = [1.6, 1.9, 2.2, 3.4, 3.6, 4.4, 4.6, 5.2, -2.7];
    expect(primeCount(w)).toBe(7);
    expect(shiftedPrimeCount(w)).toBe(5);
  });

  it('gathers the four statistics every experiment records', () => {
    const w = [0.5, -1.5, 2.6, 3.2];
    expect(magnitudeStats(w)).toEqual({ l2: Math.sqrt(0.25 + 2.25 + 6.76 + 10.24), primeCount: 3, tailCount: 3, shiftedPrimeCount: 2 });
  });
});
