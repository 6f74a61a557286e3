/**
 * Speed of the grokking-transformer training step (not part of the test suite):
 *
 *   npx tsx experiments/grokking-transformer/bench.ts [--backend wasm] [--steps 20] [--batchSize 512] [--profile]
 *
 * Prints ms per optimizer step (median of `steps` after 3 warm-up steps), steps/s, the time of one
 * whole-set evaluation (train + test), and ETAs for the presets. With --profile, also the kernels
 * that took the most time in one step (tf.profile; the wasm backend times kernels synchronously).
 */
import { parseArgs } from 'node:util';
import { selectBackend, type BackendName } from '../../trainer/backend';
import { encode, EpochBatches, makeSplit } from './data';
import { grokkingTransformerConfigSchema, grokkingTransformerExperiment, initialParameters, modelShape } from './grokking-transformer.experiment';
import { parameterLayout } from './model';
import { EvalSet, TransformerTrainer } from './trainer';

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      backend: { type: 'string', default: 'wasm' },
      steps: { type: 'string', default: '20' },
      batchSize: { type: 'string', default: '512' },
      profile: { type: 'boolean', default: false },
    },
  });
  const { tf, info } = await selectBackend({ only: args.backend as BackendName });
  const config = grokkingTransformerConfigSchema.parse({ batchSize: Number(args.batchSize) });
  const layout = parameterLayout(modelShape(config));
  const trainer = new TransformerTrainer(tf, layout, initialParameters(config, layout), config);
  const split = makeSplit(config.modulus, config.operation, config.trainFraction, config.seed);
  const batches = new EpochBatches(split.train, config.batchSize, config.seed);
  const full = (s: number) => {
    // Only full batches (the epoch's last one is shorter).
    for (;;) {
      const b = batches.get(s);
      if (b.length === config.batchSize) return { b, s };
      s += 1;
    }
  };
  const times: number[] = [];
  let s = 0;
  const n = Number(args.steps);
  for (let i = 0; i < n + 3; i++) {
    const next = full(s);
    s = next.s + 1;
    const { tokens, labels } = encode(split.equations, next.b);
    const t0 = performance.now();
    const loss = trainer.step(tokens, labels);
    loss.dataSync();
    loss.dispose();
    if (i >= 3) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  const train = encode(split.equations, split.train);
  const test = encode(split.equations, split.test);
  const sets = [new EvalSet(tf, train.tokens, train.labels, layout.shape.vocab, 1024), new EvalSet(tf, test.tokens, test.labels, layout.shape.vocab, 1024)];
  trainer.score(sets);
  const e0 = performance.now();
  trainer.score(sets);
  trainer.values();
  const evalMs = performance.now() - e0;
  console.log(`backend ${info.name}, batch ${config.batchSize}: ${median.toFixed(1)} ms/step (min ${times[0]!.toFixed(1)}, max ${times.at(-1)!.toFixed(1)}) = ${(1000 / median).toFixed(2)} steps/s; one evaluation of 2 × 4,656 rows: ${evalMs.toFixed(0)} ms`);
  for (const [name, preset] of Object.entries(grokkingTransformerExperiment.presets)) {
    const c = grokkingTransformerConfigSchema.parse(preset);
    const seconds = (c.steps * median + (Math.floor(c.steps / c.evalEvery) + 1) * evalMs) / 1000;
    console.log(`  preset ${name}: ${c.steps} steps, eval every ${c.evalEvery}: ≈ ${(seconds / 3600).toFixed(2)} h`);
  }
  if (args.profile) {
    const next = full(s);
    const { tokens, labels } = encode(split.equations, next.b);
    const profile = await tf.profile(() => {
      trainer.step(tokens, labels).dispose();
    });
    const byName = new Map<string, { ms: number; count: number }>();
    for (const k of profile.kernels) {
      const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      const e = byName.get(k.name) ?? { ms: 0, count: 0 };
      e.ms += ms;
      e.count += 1;
      byName.set(k.name, e);
    }
    const rows = [...byName.entries()].sort((a, b) => b[1].ms - a[1].ms);
    console.log(`kernels in one step: ${profile.kernels.length}`);
    for (const [name, e] of rows.slice(0, 20)) console.log(`  ${name.padEnd(16)} ${e.ms.toFixed(1).padStart(7)} ms  ×${e.count}`);
    if (process.env.PROFILE_DETAIL) {
      for (const k of profile.kernels) {
        const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
        if (ms >= 1 && !k.name.endsWith('__op')) console.log(`    ${k.name} ${ms.toFixed(1)} ms in ${JSON.stringify(k.inputShapes)} out ${JSON.stringify(k.outputShapes)}`);
      }
    }
  }
  trainer.dispose();
  for (const set of sets) set.dispose();
}

await main();
