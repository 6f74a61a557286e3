/**
 * The Layers-API example (docs/examples/experiments/mnist1d-cnn.ts) against the same model in
 * PyTorch CPU with one thread (bench/mnist1d_cnn_torch.py), side by side: optimizer steps per
 * second (evaluation excluded) and the wall time of the whole run, ours loaded as a researcher's
 * file and trained in-process exactly as the trainer does, on wasm and on cpu.
 *
 *   npx tsx bench/cnn.bench.ts [--quick]
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { experimentContext } from '../experiments/api/context';
import { EXAMPLES_DIR, loadExample } from '../experiments/examples-helpers';
import type { TrainContext } from '../experiments/types';
import { selectBackend } from '../trainer/backend';
import type { BenchRow } from './host.bench';

const PYTHON = process.env.PHENOBOOK_PYTHON ?? '/usr/bin/python3';
const TORCH_SCRIPT = fileURLToPath(new URL('./mnist1d_cnn_torch.py', import.meta.url));

interface Timing {
  seconds: number;
  stepsPerSecond: number;
}

async function ours(backend: 'wasm' | 'cpu', steps: number, evalEvery: number): Promise<Timing> {
  const def = await loadExample(path.join(EXAMPLES_DIR, 'mnist1d-cnn.ts'));
  const { tf } = await selectBackend({ only: backend });
  const base: TrainContext = { tf, shouldStop: () => false, onEval: () => undefined, onProgress: () => undefined, yieldNow: () => new Promise((r) => setImmediate(r)) };
  const config = def.configSchema.parse({ steps, evalEvery, seed: 0 }) as Record<string, unknown>;
  const t0 = performance.now();
  const outcome = await def.train(config, experimentContext(def, base, config));
  const seconds = (performance.now() - t0) / 1000;
  if (outcome.status !== 'done') throw new Error(`mnist1d-cnn on ${backend}: ${outcome.status} ${outcome.reason ?? ''}`);
  return { seconds, stepsPerSecond: steps / outcome.trainSeconds };
}

function torch(steps: number, evalEvery: number): { result: Timing | null; reason?: string } {
  const r = spawnSync(PYTHON, [TORCH_SCRIPT, String(steps), String(evalEvery)], { encoding: 'utf8' });
  if (r.status !== 0) {
    const last = (r.stderr || r.error?.message || '').trim().split('\n').at(-1) ?? '';
    return { result: null, reason: /No module named 'torch'/.test(last) ? 'PyTorch is not installed here (apt install python3-torch)' : `PyTorch failed: ${last}` };
  }
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Timing & { torch: string };
  return { result: out };
}

export async function benchCnn(options: { quick: boolean; log: (line: string) => void }): Promise<BenchRow[]> {
  const steps = options.quick ? 100 : 400;
  const evalEvery = options.quick ? 50 : 100;
  const wasm = await ours('wasm', steps, evalEvery);
  options.log(`mnist1d-cnn on wasm: ${wasm.stepsPerSecond.toFixed(1)} steps/s, ${wasm.seconds.toFixed(1)} s for ${steps} steps`);
  const cpu = await ours('cpu', Math.max(20, steps / 10), evalEvery);
  options.log(`mnist1d-cnn on cpu: ${cpu.stepsPerSecond.toFixed(1)} steps/s`);
  const t = torch(steps, evalEvery);
  if (t.result) options.log(`PyTorch: ${t.result.stepsPerSecond.toFixed(1)} steps/s, ${t.result.seconds.toFixed(1)} s`);
  const label = t.result ? 'PyTorch CPU, 1 thread, same model and batch' : (t.reason ?? 'PyTorch unavailable');
  return [
    { name: `mnist1d-cnn (Layers API) steps/s, wasm`, ours: wasm.stepsPerSecond, unit: 'steps/s', reference: t.result?.stepsPerSecond ?? null, referenceLabel: label, higherIsBetter: true },
    { name: `mnist1d-cnn (Layers API) steps/s, cpu backend`, ours: cpu.stepsPerSecond, unit: 'steps/s', reference: t.result?.stepsPerSecond ?? null, referenceLabel: label, higherIsBetter: true },
    { name: `mnist1d-cnn run of ${steps} steps (eval every ${evalEvery}), wasm`, ours: wasm.seconds, unit: 's', reference: t.result?.seconds ?? null, referenceLabel: label, higherIsBetter: false },
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const rows = await benchCnn({ quick: process.argv.includes('--quick'), log: (l) => console.error(`  … ${l}`) });
  for (const r of rows) console.log(`${r.name}: ${r.ours.toFixed(2)} ${r.unit} vs ${r.reference?.toFixed(2) ?? '–'} (${r.referenceLabel})`);
}
