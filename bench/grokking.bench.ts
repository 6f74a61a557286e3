/**
 * Throughput of the grokking-mlp default preset: our TensorFlow.js implementation on each JS
 * backend that loads (wasm, cpu) against the same model in PyTorch CPU (one thread), side by side.
 *
 *   npx tsx bench/grokking.bench.ts [--steps 500] [--repeats 2] [--cpu-steps 20] [--no-torch]
 *
 * Runs alternate between ours and PyTorch and each row keeps its best repeat, so that a busy
 * machine penalises both sides alike. "steps/s" counts optimizer steps over the time spent in them
 * (evaluation excluded); "wall" counts them over the whole run, evaluation every 5 steps included;
 * "cpu" over the process CPU time of the whole run (robust to other load on the machine).
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { grokkingMlpExperiment, type GrokkingMlpConfigInput } from '../experiments/grokking-mlp.experiment';
import type { EvalPoint, TrainOutcome, Tf } from '../experiments/types';
import { selectBackend, type BackendName } from '../trainer/backend';

export interface GrokkingRun {
  outcome: TrainOutcome;
  evals: EvalPoint[];
  wallSeconds: number;
  cpuSeconds: number;
}

/** Trains one config to the end on the given tf and collects every evaluation. */
export async function runGrokking(tf: Tf, input: GrokkingMlpConfigInput): Promise<GrokkingRun> {
  const config = grokkingMlpExperiment.configSchema.parse(input);
  const evals: EvalPoint[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const outcome = await grokkingMlpExperiment.train(config, {
    tf,
    shouldStop: () => false,
    onEval: (point) => evals.push(point),
    onProgress: () => {},
    yieldNow: () => new Promise((resolve) => setImmediate(resolve)),
  });
  const cpu = process.cpuUsage(cpu0);
  return { outcome, evals, wallSeconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/** Milestones of a grokking run: the first evaluated step reaching each bar. */
export interface GrokkingSummary {
  firstStepTrainAcc1: number | null;
  testAccAt150: number | null;
  firstStepTestAcc90: number | null;
  firstStepTestAcc95: number | null;
  maxTestAcc: number;
}

export function summarize(evals: readonly EvalPoint[]): GrokkingSummary {
  const first = (pred: (v: Record<string, number>) => boolean) => evals.find((e) => pred(e.values))?.step ?? null;
  return {
    firstStepTrainAcc1: first((v) => v.trainAcc! >= 1),
    testAccAt150: evals.find((e) => e.step === 150)?.values.testAcc ?? null,
    firstStepTestAcc90: first((v) => v.testAcc! >= 0.9),
    firstStepTestAcc95: first((v) => v.testAcc! >= 0.95),
    maxTestAcc: Math.max(...evals.map((e) => e.values.testAcc!)),
  };
}

export interface TorchResult {
  torch: string;
  formulation: 'onehot' | 'gather';
  steps: number;
  stepsPerSecond: number;
  stepsPerSecondWall: number;
  trainSeconds: number;
  wallSeconds: number;
  cpuSeconds: number;
  firstStepTrainAcc1: number | null;
  testAccAt150: number | null;
  firstStepTestAcc90: number | null;
  firstStepTestAcc95: number | null;
  curve?: { step: number; trainLoss: number; testLoss: number; trainAcc: number; testAcc: number }[];
}

export const TORCH_SCRIPT = fileURLToPath(new URL('./grokking_torch.py', import.meta.url));
const PYTHON = process.env.PHENOBOOK_PYTHON ?? '/usr/bin/python3';

/** Runs the PyTorch reference; `null` (with a reason) when python3-torch is not installed. */
export function runTorch(
  input: GrokkingMlpConfigInput,
  formulation: 'onehot' | 'gather' = 'onehot',
  curve = false,
): { result: TorchResult | null; reason?: string } {
  const c = grokkingMlpExperiment.configSchema.parse(input);
  const args = [
    TORCH_SCRIPT,
    ...['--p', c.p, '--width', c.width, '--train-fraction', c.trainFraction, '--weight-decay', c.weightDecay, '--lr', c.lr],
    ...['--beta1', c.beta1, '--beta2', c.beta2, '--eps', c.eps, '--steps', c.steps, '--eval-every', c.evalEvery],
    ...['--init-scale', c.initScale, '--seed', c.seed, '--threads', 1, '--formulation', formulation],
    ...(curve ? ['--curve'] : []),
  ].map(String);
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) return { result: null, reason: `${PYTHON}: ${r.error.message}` };
  if (r.status !== 0) {
    const err = r.stderr.trim().split('\n').at(-1) ?? '';
    return { result: null, reason: /No module named 'torch'/.test(err) ? 'python3-torch is not installed (apt-get install python3-torch)' : err };
  }
  return { result: JSON.parse(r.stdout.trim().split('\n').at(-1)!) as TorchResult };
}

export interface GrokkingBenchRow {
  /** e.g. "ours (wasm)", "PyTorch 1.13 (one-hot, 1 thread)". */
  name: string;
  steps: number;
  /** Optimizer steps per second of time spent in them (evaluation excluded). */
  stepsPerSecond: number;
  /** Steps per second of the whole run, evaluation every 5 steps included. */
  stepsPerSecondWall: number;
  /** Steps per second of process CPU time over the whole run. */
  stepsPerCpuSecond: number;
  wallSeconds: number;
  firstStepTestAcc95: number | null;
  /** This row's steps/s over the PyTorch reference's (one-hot formulation); absent on the reference rows. */
  ratioVsTorch?: number;
  /** Same ratio for whole-run CPU time. */
  cpuRatioVsTorch?: number;
  note?: string;
}

export interface GrokkingBenchOptions {
  /** Steps per wasm/torch run (default 500; the preset trains 2,000). */
  steps?: number;
  /** Steps of the slow pure-JS cpu backend (default 20; 0 skips it). */
  cpuSteps?: number;
  /** Alternating repeats; each row keeps its best (default 2). */
  repeats?: number;
  torch?: boolean;
  log?: (line: string) => void;
}

function best<T>(items: T[], key: (t: T) => number): T {
  return items.reduce((a, b) => (key(b) > key(a) ? b : a));
}

/** Measures the default preset on wasm and cpu and in PyTorch; returns one row per contender. */
export async function benchGrokking(options: GrokkingBenchOptions = {}): Promise<GrokkingBenchRow[]> {
  const steps = options.steps ?? 500;
  const cpuSteps = options.cpuSteps ?? 20;
  const repeats = Math.max(1, options.repeats ?? 2);
  const log = options.log ?? (() => {});
  const preset = { ...grokkingMlpExperiment.presets.default, seed: 0 };
  const rows: GrokkingBenchRow[] = [];

  const ours: Partial<Record<BackendName, GrokkingRun[]>> = {};
  const torch: Record<'onehot' | 'gather', TorchResult[]> = { onehot: [], gather: [] };
  let torchReason: string | undefined;
  const { tf } = await selectBackend({ only: 'wasm' });
  for (let r = 0; r < repeats; r++) {
    await tf.setBackend('wasm');
    const run = await runGrokking(tf, { ...preset, steps });
    (ours.wasm ??= []).push(run);
    log(`wasm  #${r + 1}: ${(steps / run.outcome.trainSeconds).toFixed(1)} steps/s`);
    if (options.torch !== false && !torchReason) {
      for (const formulation of ['onehot', 'gather'] as const) {
        const t = runTorch({ ...preset, steps }, formulation);
        if (!t.result) {
          torchReason = t.reason;
          break;
        }
        torch[formulation].push(t.result);
        log(`torch ${formulation} #${r + 1}: ${t.result.stepsPerSecond.toFixed(1)} steps/s`);
      }
    }
  }
  if (cpuSteps > 0) {
    try {
      await selectBackend({ only: 'cpu' });
      ours.cpu = [await runGrokking(tf, { ...preset, steps: cpuSteps })];
      log(`cpu: ${(cpuSteps / ours.cpu[0]!.outcome.trainSeconds).toFixed(2)} steps/s`);
    } finally {
      await tf.setBackend('wasm');
    }
  }

  const reference = torch.onehot.length ? best(torch.onehot, (t) => t.stepsPerSecond) : undefined;
  const referenceCpu = torch.onehot.length ? best(torch.onehot, (t) => t.steps / t.cpuSeconds) : undefined;
  for (const [backend, runs] of Object.entries(ours)) {
    const b = best(runs, (x) => x.outcome.stepsCompleted / x.outcome.trainSeconds);
    const n = b.outcome.stepsCompleted;
    const bestCpu = best(runs, (x) => n / x.cpuSeconds);
    const row: GrokkingBenchRow = {
      name: `ours (${backend})`,
      steps: n,
      stepsPerSecond: n / b.outcome.trainSeconds,
      stepsPerSecondWall: n / b.wallSeconds,
      stepsPerCpuSecond: n / bestCpu.cpuSeconds,
      wallSeconds: b.wallSeconds,
      firstStepTestAcc95: summarize(b.evals).firstStepTestAcc95,
    };
    if (reference) row.ratioVsTorch = row.stepsPerSecond / reference.stepsPerSecond;
    if (referenceCpu) row.cpuRatioVsTorch = row.stepsPerCpuSecond / (referenceCpu.steps / referenceCpu.cpuSeconds);
    rows.push(row);
  }
  for (const formulation of ['onehot', 'gather'] as const) {
    if (!torch[formulation].length) continue;
    const t = best(torch[formulation], (x) => x.stepsPerSecond);
    rows.push({
      name: `PyTorch ${t.torch} (${formulation === 'onehot' ? 'one-hot matmul' : 'row gather'}, 1 thread)`,
      steps: t.steps,
      stepsPerSecond: t.stepsPerSecond,
      stepsPerSecondWall: t.stepsPerSecondWall,
      stepsPerCpuSecond: t.steps / best(torch[formulation], (x) => x.steps / x.cpuSeconds).cpuSeconds,
      wallSeconds: t.wallSeconds,
      firstStepTestAcc95: t.firstStepTestAcc95,
      ...(formulation === 'onehot' ? { note: 'reference' } : {}),
    });
  }
  if (torchReason) rows.push({ name: 'PyTorch', steps: 0, stepsPerSecond: NaN, stepsPerSecondWall: NaN, stepsPerCpuSecond: NaN, wallSeconds: NaN, firstStepTestAcc95: null, note: torchReason });
  return rows;
}

/** A plain-text side-by-side table of benchmark rows. */
export function formatGrokkingTable(rows: readonly GrokkingBenchRow[]): string {
  const f = (x: number | undefined, digits = 1) => (x === undefined || Number.isNaN(x) ? '—' : x.toFixed(digits));
  const header = ['contender', 'steps', 'steps/s', 'wall steps/s', 'cpu steps/s', 'ours/PyTorch', 'cpu ratio', 'test≥0.95 at', 'note'];
  const body = rows.map((r) => [
    r.name,
    String(r.steps),
    f(r.stepsPerSecond),
    f(r.stepsPerSecondWall),
    f(r.stepsPerCpuSecond),
    r.ratioVsTorch === undefined ? '' : `${f(r.ratioVsTorch, 2)}×`,
    r.cpuRatioVsTorch === undefined ? '' : `${f(r.cpuRatioVsTorch, 2)}×`,
    r.firstStepTestAcc95 === null ? '—' : String(r.firstStepTestAcc95),
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await benchGrokking({
    steps: Number(argValue('--steps') ?? 500),
    cpuSteps: Number(argValue('--cpu-steps') ?? 20),
    repeats: Number(argValue('--repeats') ?? 2),
    torch: !process.argv.includes('--no-torch'),
    log: (line) => console.error(line),
  });
  const load = loadavg().map((x) => x.toFixed(1)).join(' ');
  console.log(`grokking-mlp default preset (p 59, N 256, fraction 0.3, wd 1), seed 0; ${cpus().length} cores, load average ${load}`);
  console.log(formatGrokkingTable(rows));
}
