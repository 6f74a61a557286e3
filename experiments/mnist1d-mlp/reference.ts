/**
 * Runs the PyTorch reference (./reference_torch.py) on exactly the data, initial parameters and
 * batch order of an MLP run spec, for parity checks of the hand-written training (acceptance
 * scripts' `--torch`). Needs a python3 with torch and numpy (Debian's /usr/bin/python3 here).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EvalPoint } from '../types';
import { createRng, permutation } from '../rng';
import { toTorchLayout } from './mlp';
import { BATCH_STREAM, type MlpRunSpec } from './train-loop';

export interface TorchReferenceOptions {
  /** SGD or AdamW hyperparameters, as the run's optimizer was built. */
  optimizer: { name: 'sgd'; lr: number; momentum: number } | { name: 'adamw'; lr: number; weightDecay: number };
  python?: string;
}

export interface TorchReferenceResult {
  evals: EvalPoint[];
  seconds: number;
}

/** A run spec without its optimizer factory (the reference builds torch's optimizer from `options`). */
export type ReferenceSpec = Omit<MlpRunSpec, 'makeOptimizer'>;

const bytes = (a: Float32Array | Int32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Writes the files reference_torch.py reads into a new temporary folder and returns its path. */
export function exportReference(spec: ReferenceSpec, options: TorchReferenceOptions): string {
  const dir = mkdtempSync(join(tmpdir(), 'mnist1d-mlp-torch-'));
  const { data } = spec;
  const n = data.train.n;
  const epochs = Math.ceil(spec.steps / Math.ceil(n / Math.min(spec.batchSize, n))) + 1;
  const rng = createRng(spec.seed, BATCH_STREAM);
  const order = new Int32Array(epochs * n);
  for (let e = 0; e < epochs; e++) order.set(permutation(rng, n), e * n);
  const layers = toTorchLayout(spec.sizes, spec.theta0);
  const theta = new Float32Array(spec.theta0.length);
  let offset = 0;
  for (const { weight, bias } of layers) {
    theta.set(weight, offset);
    theta.set(bias, offset + weight.length);
    offset += weight.length + bias.length;
  }
  const meta = { sizes: spec.sizes, loss: spec.loss, optimizer: options.optimizer, steps: spec.steps, evalEvery: spec.evalEvery, batchSize: spec.batchSize };
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
  writeFileSync(join(dir, 'x_train.f32'), bytes(data.train.x));
  writeFileSync(join(dir, 'y_train.i32'), bytes(data.train.y));
  writeFileSync(join(dir, 'x_test.f32'), bytes(data.test.x));
  writeFileSync(join(dir, 'y_test.i32'), bytes(data.test.y));
  writeFileSync(join(dir, 'order.i32'), bytes(order));
  writeFileSync(join(dir, 'theta0.f32'), bytes(theta));
  return dir;
}

/** Trains the spec in PyTorch (one thread) and returns its evaluations, or throws with python's stderr. */
export function runTorchReference(spec: ReferenceSpec, options: TorchReferenceOptions): TorchReferenceResult {
  const dir = exportReference(spec, options);
  try {
    const script = fileURLToPath(new URL('./reference_torch.py', import.meta.url));
    const r = spawnSync(options.python ?? '/usr/bin/python3', [script, dir], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`reference_torch.py failed (${r.status ?? r.signal}): ${r.stderr.slice(-2000)}`);
    const evals: EvalPoint[] = [];
    let seconds = NaN;
    for (const line of r.stdout.split('\n')) {
      if (!line.trim()) continue;
      const obj = JSON.parse(line) as Partial<EvalPoint> & { seconds?: number };
      if (obj.seconds !== undefined) seconds = obj.seconds;
      else evals.push(obj as EvalPoint);
    }
    return { evals, seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
