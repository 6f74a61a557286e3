/**
 * Parity check against PyTorch (not part of the test suite; needs /usr/bin/python3 with torch):
 *
 *   npx tsx experiments/grokking-transformer/compare-torch.ts [--steps 30] [--weightDecay 0] [--batchSize 512]
 *                                                               [--seed 0] [--backend wasm] [--dir /tmp/…]
 *
 * Writes the config, θ₀ (as a PyTorch state_dict), the run's first `steps` batches and the training
 * set as JSON to DIR/reference.json, trains the same steps here, runs ./reference_torch.py on the
 * file, and prints both loss trajectories and their differences.
 *
 * It runs the production code path: under tsx Node loads tfjs-core's CJS build, which registers no
 * gradients, so this also proves the training needs none.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { selectBackend, type BackendName } from '../../trainer/backend';
import { encode, EpochBatches, makeSplit } from './data';
import { grokkingTransformerConfigSchema, initialParameters, modelShape } from './grokking-transformer.experiment';
import { parameterLayout, toTorchStateDict } from './model';
import { EvalSet, TransformerTrainer } from './trainer';

interface TorchResult {
  torch: string;
  parameters: number;
  initialTrainLoss: number;
  initialTrainAcc: number;
  losses: number[];
  finalTrainLoss: number;
  finalTrainAcc: number;
  secondsPerStep: number;
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      steps: { type: 'string', default: '30' },
      weightDecay: { type: 'string', default: '0' },
      batchSize: { type: 'string', default: '512' },
      seed: { type: 'string', default: '0' },
      backend: { type: 'string', default: 'wasm' },
      dir: { type: 'string', default: '/tmp/grokking-transformer-torch' },
      python: { type: 'string', default: '/usr/bin/python3' },
    },
  });
  const config = grokkingTransformerConfigSchema.parse({
    steps: Number(args.steps),
    weightDecay: Number(args.weightDecay),
    batchSize: Number(args.batchSize),
    seed: Number(args.seed),
  });
  const { tf, info } = await selectBackend({ only: args.backend as BackendName });
  const layout = parameterLayout(modelShape(config));
  const theta0 = initialParameters(config, layout);
  const split = makeSplit(config.modulus, config.operation, config.trainFraction, config.seed);
  const batches = new EpochBatches(split.train, config.batchSize, config.seed);
  const steps = Array.from({ length: config.steps }, (_, s) => encode(split.equations, batches.get(s)));
  const train = encode(split.equations, split.train);

  mkdirSync(args.dir, { recursive: true });
  const file = join(args.dir, 'reference.json');
  writeFileSync(
    file,
    JSON.stringify({
      config,
      state: toTorchStateDict(layout, theta0),
      batches: steps.map((b) => ({ tokens: Array.from(b.tokens), labels: Array.from(b.labels) })),
      trainTokens: Array.from(train.tokens),
      trainLabels: Array.from(train.labels),
    }),
  );

  const trainer = new TransformerTrainer(tf, layout, theta0, config);
  const trainSet = new EvalSet(tf, train.tokens, train.labels, layout.shape.vocab, 1024);
  const [initial] = trainer.score([trainSet]);
  const losses: number[] = [];
  const t0 = performance.now();
  for (const b of steps) {
    const loss = trainer.step(b.tokens, b.labels);
    losses.push(loss.dataSync()[0]!);
    loss.dispose();
  }
  const msPerStep = (performance.now() - t0) / steps.length;
  const [final] = trainer.score([trainSet]);
  trainer.dispose();
  trainSet.dispose();

  const script = join(dirname(fileURLToPath(import.meta.url)), 'reference_torch.py');
  const py = spawnSync(args.python, [script, args.dir], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (py.status !== 0) throw new Error(`reference_torch.py failed: ${py.stderr}`);
  const ref = JSON.parse(py.stdout.trim().split('\n').at(-1)!) as TorchResult;

  const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
  console.log(`backend ${info.name}; torch ${ref.torch}; parameters ${layout.total} here, ${ref.parameters} in torch`);
  console.log(`train set at θ₀: loss ${initial!.lossSum / initial!.n} vs ${ref.initialTrainLoss} (rel ${rel(initial!.lossSum / initial!.n, ref.initialTrainLoss).toExponential(2)}), acc ${initial!.correct / initial!.n} vs ${ref.initialTrainAcc}`);
  console.log('step  tfjs loss        torch loss       |Δ|');
  let worst = 0;
  losses.forEach((l, s) => {
    const d = Math.abs(l - ref.losses[s]!);
    worst = Math.max(worst, d);
    if (s < 12 || s % 10 === 9 || s === losses.length - 1) console.log(`${String(s).padStart(4)}  ${l.toFixed(7).padEnd(15)}  ${ref.losses[s]!.toFixed(7).padEnd(15)}  ${d.toExponential(2)}`);
  });
  console.log(`max |Δ batch loss| over ${losses.length} steps: ${worst.toExponential(2)}`);
  console.log(`train set after ${losses.length} steps: loss ${final!.lossSum / final!.n} vs ${ref.finalTrainLoss}, acc ${final!.correct / final!.n} vs ${ref.finalTrainAcc}`);
  console.log(`time per step: ${msPerStep.toFixed(1)} ms here, ${(ref.secondsPerStep * 1000).toFixed(1)} ms in torch (1 thread)`);
}

await main();
