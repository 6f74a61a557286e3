/**
 * Per-step profile of grokking-mlp: time per training step and per evaluation, then every kernel
 * of a training step (tf.profile), aggregated by kernel and input shapes.
 *
 *   npx tsx bench/grokking-profile.ts [--backend wasm] [--steps 50] [--p 59 --width 256]
 */
import { GrokkingMlpModel, grokkingMlpExperiment, trainSize } from '../experiments/grokking-mlp.experiment';
import { parseBackendName, selectBackend } from '../trainer/backend';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const { tf, info } = await selectBackend({ only: parseBackendName(argValue('--backend') ?? 'wasm') });
const K = Number(argValue('--steps') ?? 50);
const config = grokkingMlpExperiment.configSchema.parse({
  ...(argValue('--p') ? { p: Number(argValue('--p')) } : {}),
  ...(argValue('--width') ? { width: Number(argValue('--width')) } : {}),
});
const model = new GrokkingMlpModel(tf, config);
const trainStep = () => {
  const f = model.forwardTrain();
  model.backwardAndUpdate(f);
  model.disposeForward(f);
};
for (let i = 0; i < 10; i++) trainStep();

/** Best of 5 batches of `reps` calls: ms per call (robust to other load on the machine). */
function bestMs(fn: () => void, reps: number): number {
  let best = Infinity;
  for (let b = 0; b < 5; b++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    best = Math.min(best, (performance.now() - t0) / reps);
  }
  return best;
}

const stepMs = bestMs(trainStep, Math.max(1, Math.floor(K / 5)));
const evalMs = bestMs(() => {
  const f = model.forwardTrain();
  model.evaluate(f);
  model.disposeForward(f);
}, Math.max(1, Math.floor(K / 10)));
const forwardMs = bestMs(() => model.disposeForward(model.forwardTrain()), Math.max(1, Math.floor(K / 5)));

const profile = await tf.profile(() => {
  for (let i = 0; i < K; i++) trainStep();
});
const byKernel = new Map<string, { ms: number; calls: number }>();
for (const k of profile.kernels) {
  const key = `${k.name} ${k.inputShapes.map((s) => `[${s?.join(',') ?? ''}]`).join(' ')}`;
  const entry = byKernel.get(key) ?? { ms: 0, calls: 0 };
  entry.ms += Number(k.kernelTimeMs);
  entry.calls += 1;
  byKernel.set(key, entry);
}
const n = trainSize(config.p, config.trainFraction);
console.log(`backend ${info.name}; p ${config.p}, width ${config.width}, ${n} training pairs`);
console.log(`training step ${stepMs.toFixed(2)} ms (${(1000 / stepMs).toFixed(1)} steps/s); forward alone ${forwardMs.toFixed(2)} ms`);
console.log(`evaluation (train forward + test forward + metrics) ${evalMs.toFixed(2)} ms, every ${config.evalEvery} steps`);
console.log(`with evaluation: ${(1000 / (stepMs + (evalMs - forwardMs) / config.evalEvery)).toFixed(1)} steps/s`);
let total = 0;
console.log('\n   ms/step  calls  kernel [input shapes]   (tf.profile, kernel time only)');
for (const [key, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms)) {
  total += e.ms;
  console.log(`${(e.ms / K).toFixed(3).padStart(10)}  ${String(e.calls / K).padStart(5)}  ${key}`);
}
console.log(`${(total / K).toFixed(3).padStart(10)}  ${String(profile.kernels.length / K).padStart(5)}  total kernel time; the rest of the step is JS/engine overhead`);
model.dispose();
