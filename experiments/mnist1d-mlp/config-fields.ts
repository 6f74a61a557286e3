export { MAX_SEED, intField, realField, realFieldBelow, realFieldOpen } from '../config-fields';

/** MNIST-1D sizes as the generator computes them: ⌊numSamples/10⌋·10 samples, int(total·split) for training. */
export function mnist1dSplitSizes(numSamples: number, trainSplit: number): { nTrain: number; nTest: number } {
  const total = Math.floor(numSamples / 10) * 10;
  const nTrain = Math.trunc(total * trainSplit);
  return { nTrain, nTest: total - nTrain };
}
