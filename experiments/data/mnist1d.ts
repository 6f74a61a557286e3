/**
 * MNIST-1D (Greydanus 2020, github.com/greydanus/mnist1d `make_dataset`), ported to TypeScript so
 * that it reproduces the published dataset draw for draw.
 *
 * Every step follows the numpy/scipy code path that the Python generator runs, not merely the same
 * maths: numpy's pairwise summation for means and stds, `np.linspace`'s `i*step + start` with an
 * exact endpoint, `np.interp`'s slope formula (scipy's `interp1d(kind='linear')` delegates to it),
 * and `scipy.ndimage.gaussian_filter1d`'s symmetric correlation loop with 'reflect' boundaries.
 * Labels, the shuffle and every uniform draw are bit-exact; the values match numpy to ~1e-15 (the
 * one source of ulp-level differences is the platform `log` inside numpy's legacy gauss, which
 * glibc and V8 round differently for a few percent of arguments).
 *
 * Values are Float64Array: the generator is defined in float64 and rounding to float32 early would
 * change which samples hit `x == 0` exactly and the standardisation constants.
 */

import { NumpyRandomState } from './numpy-random';

export interface Mnist1dOptions {
  /** Total number of samples; numSamples / 10 (floored) per class are generated. */
  numSamples: number;
  /** Fraction of the shuffled samples that go to the training set (int(n · split)). */
  trainSplit: number;
  /** Template length used to size the intermediate signal (templateLen + padding[1]). */
  templateLen: number;
  /** Zero padding appended to each template: uniform integer in [padding[0], padding[1]]. */
  padding: [number, number];
  /** Amplitude scaling: x *= 1 + scaleCoeff · (u − 0.5). */
  scaleCoeff: number;
  /** Circular shift right by randint(0, maxTranslation). */
  maxTranslation: number;
  /** Scale of the Gaussian-smoothed noise that fills the exact zeros. */
  corrNoiseScale: number;
  /** Scale of the i.i.d. noise added everywhere. */
  iidNoiseScale: number;
  /** Linear shear: x −= shearScale · (u − 0.5) · linspace(−0.5, 0.5). */
  shearScale: number;
  /** Length of every output sequence. */
  finalSeqLength: number;
  /** Seed of numpy's legacy RandomState, in [0, 2^32 − 1]. */
  seed: number;
}

/** The repository's `get_dataset_args()` defaults (shuffle_seq = False). */
export const MNIST1D_DEFAULTS: Readonly<Mnist1dOptions> = Object.freeze<Mnist1dOptions>({
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

export interface Mnist1dDataset {
  /** Row-major nTrain × length, standardised (global mean 0, std 1 over train and test together). */
  xTrain: Float64Array;
  yTrain: Int32Array;
  /** Row-major nTest × length. */
  xTest: Float64Array;
  yTest: Int32Array;
  nTrain: number;
  nTest: number;
  /** Sequence length (finalSeqLength, 40 by default). */
  length: number;
  /** The 10 normalised digit templates (12 values each) the samples were made from. */
  templates: Float64Array[];
  /** Mean and std of the raw samples, used for the standardisation. */
  mean: number;
  std: number;
  /**
   * The generator after the last draw, so that callers can continue numpy's stream exactly as a
   * Python script would after `make_dataset` (e.g. the label noise of the double-descent notebook).
   */
  rng: NumpyRandomState;
}

const NUM_CLASSES = 10;

/** Digit templates 0..9 from the repository's get_templates(). */
const TEMPLATE_ROWS: readonly (readonly number[])[] = [
  [5, 6, 6.5, 6.75, 7, 7, 7, 7, 6.75, 6.5, 6, 5],
  [5, 3, 3, 3.4, 3.8, 4.2, 4.6, 5, 5.4, 5.8, 5, 5],
  [5, 6, 6.5, 6.5, 6, 5.25, 4.75, 4, 3.5, 3.5, 4, 5],
  [5, 6, 6.5, 6.5, 6, 5, 5, 6, 6.5, 6.5, 6, 5],
  [5, 4.4, 3.8, 3.2, 2.6, 2.6, 5, 5, 5, 5, 5, 5],
  [5, 3, 3, 3, 3, 5, 6, 6.5, 6.5, 6, 4.5, 5],
  [5, 4, 3.5, 3.25, 3, 3, 3, 3, 3.25, 3.5, 4, 5],
  [5, 7, 7, 6.6, 6.2, 5.8, 5.4, 5, 4.6, 4.2, 5, 5],
  [5, 4, 3.5, 3.5, 4, 5, 5, 4, 3.5, 3.5, 4, 5],
  [5, 4, 3.5, 3.5, 4, 5, 5, 5, 5, 4.7, 4.3, 5],
];

/** The repository adds 1e-8 before padding so that no template value is exactly zero. */
const EPS = 1e-8;
const GAUSS_SIGMA = 2;
const GAUSS_TRUNCATE = 4;

// ---------------------------------------------------------------------------------------------
// numpy / scipy primitives, reproduced operation for operation

/**
 * numpy's pairwise summation (`np.add.reduce` on a contiguous float64 run, initial value 0):
 * 8 interleaved accumulators for blocks up to 128, recursive halving above. A plain loop would
 * round differently and shift the standardisation in the last bits.
 */
export function pairwiseSum(a: ArrayLike<number>, start = 0, n = a.length - start): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i]!;
    return res;
  }
  if (n <= 128) {
    let r0 = a[start]!, r1 = a[start + 1]!, r2 = a[start + 2]!, r3 = a[start + 3]!;
    let r4 = a[start + 4]!, r5 = a[start + 5]!, r6 = a[start + 6]!, r7 = a[start + 7]!;
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      const p = start + i;
      r0 += a[p]!; r1 += a[p + 1]!; r2 += a[p + 2]!; r3 += a[p + 3]!;
      r4 += a[p + 4]!; r5 += a[p + 5]!; r6 += a[p + 6]!; r7 += a[p + 7]!;
    }
    // Combined in numpy's order: ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)).
    let res = (r0 + r1 + (r2 + r3)) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += a[start + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

/** `np.mean` and `np.std` (population) of a contiguous run, as numpy computes them. */
export function numpyMeanStd(a: ArrayLike<number>, start = 0, n = a.length - start): { mean: number; std: number } {
  const mean = pairwiseSum(a, start, n) / n;
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = a[start + i]! - mean;
    sq[i] = d * d;
  }
  return { mean, std: Math.sqrt(pairwiseSum(sq) / n) };
}

/** `np.linspace(start, stop, num)`: i·step + start, with the endpoint set exactly. */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  if (num === 0) return out;
  if (num === 1) {
    out[0] = start;
    return out;
  }
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

/**
 * `np.interp(x, xp, fp)` for increasing `xp` and `x`: exact knots return fp[j], otherwise
 * slope·(x − xp[j]) + fp[j] with the slope of the bracketing segment (numpy's formula; the
 * algebraically equal (1−t)·a + t·b rounds differently). Constant extrapolation outside xp.
 */
export function interp(x: Float64Array, xp: Float64Array, fp: ArrayLike<number>, out: Float64Array = new Float64Array(x.length)): Float64Array {
  const last = xp.length - 1;
  let j = 0;
  for (let i = 0; i < x.length; i++) {
    const xv = x[i]!;
    if (xv >= xp[last]!) {
      out[i] = fp[last]!;
      continue;
    }
    if (xv < xp[0]!) {
      out[i] = fp[0]!;
      continue;
    }
    // x is increasing, so the bracketing segment only moves right: xp[j] <= xv < xp[j + 1].
    if (xv < xp[j]!) j = 0;
    while (xp[j + 1]! <= xv) j++;
    if (xp[j] === xv) {
      out[i] = fp[j]!;
    } else {
      const slope = (fp[j + 1]! - fp[j]!) / (xp[j + 1]! - xp[j]!);
      out[i] = slope * (xv - xp[j]!) + fp[j]!;
    }
  }
  return out;
}

/**
 * scipy's `_gaussian_kernel1d(sigma, 0, radius)` with radius = int(truncate·sigma + 0.5):
 * exp(−0.5/σ² · x²) normalised by its (pairwise) sum. Symmetric, so scipy's reversal is a no-op.
 */
export function gaussianKernel(sigma: number, truncate = GAUSS_TRUNCATE): Float64Array {
  const radius = Math.trunc(truncate * sigma + 0.5);
  const coeff = -0.5 / (sigma * sigma);
  const phi = new Float64Array(2 * radius + 1);
  for (let i = 0; i < phi.length; i++) {
    const x = i - radius;
    phi[i] = Math.exp(coeff * (x * x));
  }
  const sum = pairwiseSum(phi);
  for (let i = 0; i < phi.length; i++) phi[i] = phi[i]! / sum;
  return phi;
}

/** Index into a line of length n extended in scipy's 'reflect' mode (d c b a | a b c d | d c b a). */
function reflectIndex(i: number, n: number): number {
  const period = 2 * n;
  const m = ((i % period) + period) % period;
  return m < n ? m : period - 1 - m;
}

/**
 * `scipy.ndimage.gaussian_filter1d(input, sigma, mode='reflect')` given its symmetric kernel.
 * scipy's C loop (NI_Correlate1D) detects the symmetry and sums x[i]·w0 + Σ_{k=r..1}(x[i−k] + x[i+k])·wk
 * in exactly this order; we follow it so the smoothed noise is bit-identical.
 */
export function gaussianFilterReflect(input: ArrayLike<number>, kernel: Float64Array, out: Float64Array = new Float64Array(input.length)): Float64Array {
  const n = input.length;
  const radius = (kernel.length - 1) / 2;
  const ext = new Float64Array(n + 2 * radius);
  for (let i = 0; i < ext.length; i++) ext[i] = input[reflectIndex(i - radius, n)]!;
  const w0 = kernel[radius]!;
  for (let i = 0; i < n; i++) {
    const c = i + radius;
    let acc = ext[c]! * w0;
    for (let k = radius; k >= 1; k--) acc += (ext[c - k]! + ext[c + k]!) * kernel[radius - k]!;
    out[i] = acc;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The generator

/**
 * get_templates(): each row minus its mean, over its population std, minus its (new) first
 * value so every signal starts and ends at 0, divided by 6.
 */
export function mnist1dTemplates(): Float64Array[] {
  return TEMPLATE_ROWS.map((row) => {
    const x = Float64Array.from(row);
    const { mean } = numpyMeanStd(x);
    for (let i = 0; i < x.length; i++) x[i] = x[i]! - mean;
    // The std is taken of the already centred row (numpy re-centres it, with its own rounding).
    const { std } = numpyMeanStd(x);
    for (let i = 0; i < x.length; i++) x[i] = x[i]! / std;
    const first = x[0]!;
    for (let i = 0; i < x.length; i++) x[i] = (x[i]! - first) / 6;
    return x;
  });
}

function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`mnist1d: ${name} must be an integer >= ${min}, got ${value}`);
}

function checkFinite(name: string, value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`mnist1d: ${name} must be a finite number, got ${value}`);
}

function validateOptions(o: Mnist1dOptions): void {
  checkInteger('numSamples', o.numSamples, NUM_CLASSES);
  if (!(o.trainSplit > 0 && o.trainSplit < 1)) throw new RangeError(`mnist1d: trainSplit must be in (0, 1), got ${o.trainSplit}`);
  checkInteger('templateLen', o.templateLen, 1);
  if (!Array.isArray(o.padding) || o.padding.length !== 2) throw new RangeError('mnist1d: padding must be a pair [low, high]');
  const [lo, hi] = o.padding;
  checkInteger('padding[0]', lo, 0);
  checkInteger('padding[1]', hi, 0);
  if (lo > hi) throw new RangeError(`mnist1d: padding[0] must be <= padding[1], got [${lo}, ${hi}]`);
  const midLength = o.templateLen + hi;
  if (midLength < 2) throw new RangeError('mnist1d: templateLen + padding[1] must be at least 2');
  checkInteger('maxTranslation', o.maxTranslation, 1);
  if (o.maxTranslation > midLength) {
    throw new RangeError(`mnist1d: maxTranslation must be <= templateLen + padding[1] (${midLength}), got ${o.maxTranslation}`);
  }
  checkFinite('scaleCoeff', o.scaleCoeff);
  checkFinite('corrNoiseScale', o.corrNoiseScale);
  checkFinite('iidNoiseScale', o.iidNoiseScale);
  checkFinite('shearScale', o.shearScale);
  checkInteger('finalSeqLength', o.finalSeqLength, 2);
  checkInteger('seed', o.seed, 0);
  if (o.seed > 0xffffffff) throw new RangeError(`mnist1d: seed must be <= 2^32 - 1, got ${o.seed}`);
  const nTotal = Math.floor(o.numSamples / NUM_CLASSES) * NUM_CLASSES;
  const nTrain = Math.trunc(nTotal * o.trainSplit);
  if (nTrain < 1 || nTrain >= nTotal) throw new RangeError(`mnist1d: trainSplit ${o.trainSplit} leaves an empty train or test set of ${nTotal} samples`);
}

/** Grids and buffers shared by all samples of one generation run. */
interface TransformContext {
  o: Mnist1dOptions;
  midLength: number;
  midGrid: Float64Array;
  finalGrid: Float64Array;
  shearRamp: Float64Array;
  kernel: Float64Array;
  /** linspace(0, 1, len) for each padded length that occurs. */
  padGrids: Map<number, Float64Array>;
  padded: Float64Array;
  scaled: Float64Array;
  shifted: Float64Array;
  noise: Float64Array;
  smooth: Float64Array;
}

function makeContext(o: Mnist1dOptions): TransformContext {
  const midLength = o.templateLen + o.padding[1];
  const maxPadded = TEMPLATE_ROWS[0]!.length + o.padding[1];
  return {
    o,
    midLength,
    midGrid: linspace(0, 1, midLength),
    finalGrid: linspace(0, 1, o.finalSeqLength),
    shearRamp: linspace(-0.5, 0.5, midLength),
    kernel: gaussianKernel(GAUSS_SIGMA),
    padGrids: new Map(),
    padded: new Float64Array(maxPadded),
    scaled: new Float64Array(midLength),
    shifted: new Float64Array(midLength),
    noise: new Float64Array(midLength),
    smooth: new Float64Array(midLength),
  };
}

function padGrid(ctx: TransformContext, len: number): Float64Array {
  let grid = ctx.padGrids.get(len);
  if (!grid) {
    grid = linspace(0, 1, len);
    ctx.padGrids.set(len, grid);
  }
  return grid;
}

/**
 * transform() for one sample, writing finalSeqLength values into `out` at `offset`. The order of
 * the draws (rand, rand, randint, randn×L, randn×L, rand) is what makes the stream line up.
 */
function transformSample(ctx: TransformContext, template: Float64Array, rng: NumpyRandomState, out: Float64Array, offset: number): void {
  const { o, midLength } = ctx;
  const [lo, hi] = o.padding;
  // pad: p zeros appended, p = low + int(u · (high − low + 1)).
  const p = lo + Math.floor(rng.rand() * (hi - lo + 1));
  const paddedLen = template.length + p;
  const padded = ctx.padded.subarray(0, paddedLen);
  padded.fill(0);
  for (let i = 0; i < template.length; i++) padded[i] = template[i]! + EPS;
  // dilate to the intermediate length, then scale.
  const x = interp(ctx.midGrid, padGrid(ctx, paddedLen), padded, ctx.scaled);
  const scale = 1 + o.scaleCoeff * (rng.rand() - 0.5);
  for (let i = 0; i < midLength; i++) x[i] = x[i]! * scale;
  // translate: np.random.choice(max_translation) is randint(0, max_translation); shift right by k.
  const k = rng.randint(0, o.maxTranslation);
  const shifted = ctx.shifted;
  for (let i = 0; i < midLength; i++) shifted[(i + k) % midLength] = x[i]!;
  // correlated noise is drawn for every position but only replaces exact zeros (the padding).
  const noise = ctx.noise;
  for (let i = 0; i < midLength; i++) noise[i] = o.corrNoiseScale * rng.randn();
  const smooth = gaussianFilterReflect(noise, ctx.kernel, ctx.smooth);
  for (let i = 0; i < midLength; i++) if (shifted[i] === 0) shifted[i] = smooth[i]!;
  for (let i = 0; i < midLength; i++) shifted[i] = shifted[i]! + o.iidNoiseScale * rng.randn();
  // shear, then subsample to the final length.
  const coeff = o.shearScale * (rng.rand() - 0.5);
  for (let i = 0; i < midLength; i++) shifted[i] = shifted[i]! - coeff * ctx.shearRamp[i]!;
  interp(ctx.finalGrid, ctx.midGrid, shifted, out.subarray(offset, offset + o.finalSeqLength));
}

/**
 * make_dataset(): `numSamples / 10` samples per digit in label order, shuffled by
 * `permutation`, standardised by the global mean and std, split into train and test.
 * The returned `rng` continues numpy's stream right after the shuffle.
 */
export function generateMnist1d(opts: Partial<Mnist1dOptions> = {}): Mnist1dDataset {
  const o: Mnist1dOptions = { ...MNIST1D_DEFAULTS, ...opts, padding: [...(opts.padding ?? MNIST1D_DEFAULTS.padding)] };
  validateOptions(o);
  const rng = new NumpyRandomState(o.seed);
  const templates = mnist1dTemplates();
  const ctx = makeContext(o);
  const len = o.finalSeqLength;
  const perClass = Math.floor(o.numSamples / NUM_CLASSES);
  const total = perClass * NUM_CLASSES;

  const raw = new Float64Array(total * len);
  for (let label = 0; label < NUM_CLASSES; label++) {
    for (let s = 0; s < perClass; s++) transformSample(ctx, templates[label]!, rng, raw, (label * perClass + s) * len);
  }

  const perm = rng.permutation(total);
  const xs = new Float64Array(total * len);
  const ys = new Int32Array(total);
  for (let r = 0; r < total; r++) {
    const src = perm[r]!;
    xs.set(raw.subarray(src * len, (src + 1) * len), r * len);
    ys[r] = Math.floor(src / perClass);
  }

  const { mean, std } = numpyMeanStd(xs);
  for (let i = 0; i < xs.length; i++) xs[i] = (xs[i]! - mean) / std;

  const nTrain = Math.trunc(total * o.trainSplit);
  return {
    xTrain: xs.slice(0, nTrain * len),
    yTrain: ys.slice(0, nTrain),
    xTest: xs.slice(nTrain * len),
    yTest: ys.slice(nTrain),
    nTrain,
    nTest: total - nTrain,
    length: len,
    templates,
    mean,
    std,
    rng,
  };
}

/**
 * Label noise of the double-descent notebook: for each index in order, if random_sample() <
 * fraction, the label is redrawn as randint(0, numClasses), which may return the old label (so
 * about fraction · 9/10 of the labels actually change). Returns a new array; `changed` counts the
 * labels that differ. Pass the generator's `rng` to continue numpy's stream as the notebook does.
 */
export function addLabelNoise(
  y: Int32Array,
  fraction: number,
  rng: NumpyRandomState,
  numClasses = NUM_CLASSES,
): { y: Int32Array; changed: number } {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`addLabelNoise: fraction must be in [0, 1], got ${fraction}`);
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new RangeError(`addLabelNoise: numClasses must be a positive integer, got ${numClasses}`);
  const out = Int32Array.from(y);
  let changed = 0;
  for (let i = 0; i < out.length; i++) {
    if (rng.randomSample() < fraction) {
      const label = rng.randint(0, numClasses);
      if (label !== out[i]) changed++;
      out[i] = label;
    }
  }
  return { y: out, changed };
}
