/**
 * Runs the experiment headless and prints one line per evaluation (not part of the test suite):
 *
 *   npx tsx experiments/grokking-transformer/run.ts [--preset default] [--steps N] [--seed 0] [--backend wasm]
 */
import { parseArgs } from 'node:util';
import { selectBackend, type BackendName } from '../../trainer/backend';
import { grokkingTransformerConfigSchema, grokkingTransformerExperiment } from './grokking-transformer.experiment';

const { values: args } = parseArgs({
  options: {
    preset: { type: 'string', default: 'default' },
    steps: { type: 'string' },
    seed: { type: 'string', default: '0' },
    backend: { type: 'string', default: 'wasm' },
  },
});
const preset = grokkingTransformerExperiment.presets[args.preset];
if (!preset) throw new Error(`unknown preset ${args.preset}`);
const config = grokkingTransformerConfigSchema.parse({
  ...preset,
  seed: Number(args.seed),
  ...(args.steps === undefined ? {} : { steps: Number(args.steps) }),
});
const { tf, info } = await selectBackend({ only: args.backend as BackendName });
console.log(`backend ${info.name}; config ${JSON.stringify(config)}`);
const fmt = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(4));
const outcome = await grokkingTransformerExperiment.train(config, {
  tf,
  shouldStop: () => false,
  onEval: ({ step, values: v }) =>
    console.log(
      `step ${String(step).padStart(6)}  train ${fmt(v.trainAcc)} (${fmt(v.trainLoss)})  test ${fmt(v.testAcc)} (${fmt(v.testLoss)})  l2 ${fmt(v.l2)}  primes ${v.primeCount}  ${fmt(v.wallTime)} s`,
    ),
  onProgress: () => {},
  yieldNow: () => new Promise((resolve) => setImmediate(resolve)),
});
console.log(JSON.stringify(outcome));
