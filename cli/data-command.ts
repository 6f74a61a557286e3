import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { addLabelNoise, generateMnist1d, MNIST1D_DEFAULTS } from '../experiments/data/mnist1d';
import { describeIssues, issuesOf } from '../services/zod-issues';

const positiveInt = (name: string, max: number) =>
  z.int({ error: `${name} must be an integer from 1 to ${max}` }).min(1, { error: `${name} must be an integer from 1 to ${max}` }).max(max, { error: `${name} must be an integer from 1 to ${max}` });
const nonNegative = (name: string) => z.number({ error: `${name} must be a number ≥ 0` }).min(0, { error: `${name} must be a number ≥ 0` }).max(100);

/** `phenobook data mnist1d --set …`: the generator's options, validated with messages that name the field and range. */
export const Mnist1dArgsSchema = z.strictObject({
  numSamples: positiveInt('numSamples', 1_000_000).default(MNIST1D_DEFAULTS.numSamples),
  trainSplit: z
    .number({ error: 'trainSplit must be a number strictly between 0 and 1' })
    .gt(0, { error: 'trainSplit must be a number strictly between 0 and 1' })
    .lt(1, { error: 'trainSplit must be a number strictly between 0 and 1' })
    .default(MNIST1D_DEFAULTS.trainSplit),
  scaleCoeff: nonNegative('scaleCoeff').default(MNIST1D_DEFAULTS.scaleCoeff),
  maxTranslation: positiveInt('maxTranslation', 72).default(MNIST1D_DEFAULTS.maxTranslation),
  corrNoiseScale: nonNegative('corrNoiseScale').default(MNIST1D_DEFAULTS.corrNoiseScale),
  iidNoiseScale: nonNegative('iidNoiseScale').default(MNIST1D_DEFAULTS.iidNoiseScale),
  shearScale: nonNegative('shearScale').default(MNIST1D_DEFAULTS.shearScale),
  finalSeqLength: positiveInt('finalSeqLength', 10_000).default(MNIST1D_DEFAULTS.finalSeqLength),
  seed: z.int({ error: 'seed must be an integer from 0 to 4294967295' }).min(0).max(4_294_967_295).default(MNIST1D_DEFAULTS.seed),
  /** Fraction of train labels redrawn from the same stream (docs/experiments.md §4); 0 keeps them. */
  labelNoise: z.number({ error: 'labelNoise must be a number from 0 to 1' }).min(0).max(1).default(0),
});

export class DataArgsError extends Error {}

function rows(x: Float64Array, n: number, length: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * length, (i + 1) * length)));
}

/** Generates MNIST-1D and writes `{ x, y, xTest, yTest }` to `out` (via a temporary file, so a crash leaves no half file). */
export function writeMnist1d(config: Record<string, unknown>, out: string): { nTrain: number; nTest: number; length: number; labelsChanged: number; file: string } {
  const parsed = Mnist1dArgsSchema.safeParse(config);
  if (!parsed.success) throw new DataArgsError(describeIssues(issuesOf(parsed.error)));
  const { labelNoise, ...options } = parsed.data;
  let d;
  try {
    d = generateMnist1d(options);
  } catch (err) {
    throw new DataArgsError((err as Error).message);
  }
  let y = d.yTrain;
  let labelsChanged = 0;
  if (labelNoise > 0) ({ y, changed: labelsChanged } = addLabelNoise(d.yTrain, labelNoise, d.rng));
  const file = path.resolve(out);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ x: rows(d.xTrain, d.nTrain, d.length), y: Array.from(y), xTest: rows(d.xTest, d.nTest, d.length), yTest: Array.from(d.yTest) }));
  fs.renameSync(tmp, file);
  return { nTrain: d.nTrain, nTest: d.nTest, length: d.length, labelsChanged, file };
}
