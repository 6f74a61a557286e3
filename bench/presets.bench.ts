/**
 * Wall time of one run of each experiment preset: ours (in-process, TensorFlow.js wasm backend,
 * `definition.train` with a minimal TrainContext, exactly as the trainer process calls it) against
 * the same model in PyTorch CPU with one thread (same sizes, batch, optimizer, steps and evaluation
 * cadence), side by side.
 *
 *   npx tsx bench/presets.bench.ts [--quick] [--no-torch]
 *
 * "Wall" is the whole run: ours from `train()` being called (data generation, upload, every
 * evaluation) to its return; PyTorch's from the script's first line after `import torch` (data
 * building, or for the MNIST-1D MLPs loading our generated data from files; model; every evaluation)
 * to the last evaluation. Process start-up and backend loading are left out on both sides. "steps/s"
 * counts optimizer steps over the time spent in them (evaluations excluded).
 *
 * Runs too long for a benchmark are measured on a prefix and extrapolated, both sides the same way,
 * and the row says so: step-based presets from their first steps (setup + the first evaluation as
 * measured, then seconds per optimizer step and per later evaluation, scaled to the preset's steps
 * and evaluation count) — grokking-transformer always (`long` as an ETA from `default`'s steps),
 * init-scale always (half its steps; 500 under --quick), grokking-mlp under --quick; lottery-ticket
 * from its dense round plus a pruning round or two (every later round trains the same three networks
 * for the same steps) — `cheap` always, `quick` under --quick.
 *
 * PyTorch references: bench/grokking_torch.py (grokking-mlp, one-hot formulation),
 * bench/mnist1d_mlp_torch.py (double-descent, init-scale: our exact data, θ₀ and batch order via
 * experiments/mnist1d-mlp/reference.ts), bench/lottery_ticket_torch.py and
 * bench/grokking_transformer_torch.py (random data of the same shapes, torch's own init: timing only).
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { doubleDescentData, doubleDescentInit, type DoubleDescentConfig } from '../experiments/mnist1d-mlp/double-descent.experiment';
import { initScaleData, initScaleInit, type InitScaleConfig } from '../experiments/mnist1d-mlp/init-scale.experiment';
import { exportReference, type ReferenceSpec, type TorchReferenceOptions } from '../experiments/mnist1d-mlp/reference';
import type { LotteryTicketConfig } from '../experiments/lottery-ticket/lottery-ticket.experiment';
import { EXPERIMENTS } from '../experiments/registry';
import type { ExperimentDefinition, Tf } from '../experiments/types';
import { selectBackend } from '../trainer/backend';
import { runTorch as runGrokkingTorch } from './grokking.bench';
import type { BenchRow } from './host.bench';

const PYTHON = process.env.PHENOBOOK_PYTHON ?? '/usr/bin/python3';
const script = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url));

/** One of our runs, timed from outside `train()`. */
interface OurRun {
  /** Seconds from calling train() to its return. */
  seconds: number;
  /** Seconds until the first evaluation had been reported (setup + evaluation at step 0). */
  firstEvalSeconds: number;
  /** Seconds in optimizer steps (the outcome's own count). */
  trainSeconds: number;
  steps: number;
  /** Evaluation points reported. */
  evals: number;
  /** Seconds from the start at which each lottery-ticket round's summary point was reported. */
  roundSeconds: number[];
}

/** What every PyTorch timing script prints (the fields this file reads). */
interface TorchRun {
  torch: string;
  steps: number;
  seconds: number;
  trainSeconds: number;
  stepsPerSecond: number;
  evals?: number;
  firstEvalSeconds?: number;
  roundSeconds?: number[];
}

type Maybe<T> = { result: T; reason?: undefined } | { result: null; reason: string };

async function trainOurs(tf: Tf, definition: ExperimentDefinition, input: Record<string, unknown>): Promise<OurRun> {
  const config = definition.configSchema.parse(input);
  let evals = 0;
  let firstEval = NaN;
  const roundSeconds: number[] = [];
  const t0 = performance.now();
  const outcome = await definition.train(config, {
    tf,
    shouldStop: () => false,
    onEval: (point) => {
      const t = (performance.now() - t0) / 1000;
      if (evals === 0) firstEval = t;
      if (point.values.round !== undefined) roundSeconds.push(t);
      if (point.values.trainLoss !== undefined) evals += 1;
    },
    onProgress: () => {},
    yieldNow: () => new Promise((resolve) => setImmediate(resolve)),
  });
  const seconds = (performance.now() - t0) / 1000;
  if (outcome.status !== 'done') throw new Error(`${definition.key} ended ${outcome.status}${outcome.reason ? `: ${outcome.reason}` : ''}`);
  return { seconds, firstEvalSeconds: firstEval, trainSeconds: outcome.trainSeconds, steps: outcome.stepsCompleted, evals, roundSeconds };
}

function runPython(file: string, args: (string | number)[]): Maybe<TorchRun> {
  const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const r = spawnSync(PYTHON, [script(file), ...args.map(String)], { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) return { result: null, reason: `${PYTHON}: ${r.error.message}` };
  if (r.status !== 0) {
    const err = r.stderr.trim().split('\n').at(-1) ?? `exit ${r.status ?? r.signal}`;
    return { result: null, reason: /No module named 'torch'/.test(err) ? 'python3-torch is not installed (apt-get install python3-torch)' : `${file}: ${err}` };
  }
  return { result: JSON.parse(r.stdout.trim().split('\n').at(-1)!) as TorchRun };
}

/** PyTorch on an MNIST-1D MLP run spec: the run's own data, θ₀ and batch order (bench/mnist1d_mlp_torch.py). */
function runMlpTorch(spec: ReferenceSpec, optimizer: TorchReferenceOptions['optimizer']): Maybe<TorchRun> {
  const dir = exportReference(spec, { optimizer });
  try {
    return runPython('mnist1d_mlp_torch.py', [dir]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Evaluations a run of `steps` steps makes: at step 0, every `every` steps, and at the end. */
export function evaluationCount(steps: number, every: number): number {
  return Math.floor(steps / every) + 1 + (steps % every === 0 ? 0 : 1);
}

/** How a measured run spent its time (ours or PyTorch's). */
export interface RunTiming {
  seconds: number;
  trainSeconds: number;
  steps: number;
  evals: number;
  /**
   * Setup + the evaluation at step 0. Unknown for bench/grokking_torch.py: its setup (split and init
   * in pure Python, 0.1–0.2 s) then scales with the evaluations, which overstates PyTorch's
   * extrapolated grokking-mlp run by up to ~1 s (--quick only; the full bench runs that preset whole).
   */
  firstEvalSeconds?: number;
}

/**
 * Whole-run seconds of a longer run with the same per-step and per-evaluation cost: setup and the
 * first evaluation as measured, then seconds per optimizer step and per later evaluation (the rest
 * of the measured wall time, which also carries the small per-step loop overhead).
 */
export function extrapolate(t: RunTiming, steps: number, evals: number): number {
  const perStep = t.trainSeconds / t.steps;
  const rest = Math.max(0, t.seconds - t.trainSeconds - (t.firstEvalSeconds ?? 0));
  if (t.firstEvalSeconds === undefined) return steps * perStep + (evals * rest) / t.evals;
  return t.firstEvalSeconds + steps * perStep + (t.evals > 1 ? ((evals - 1) * rest) / (t.evals - 1) : 0);
}

/** Seconds of a run with `rounds` pruning rounds, from the round ends of a run of the dense round and fewer pruning rounds. */
function extrapolateRounds(roundSeconds: readonly number[], total: number, rounds: number): number {
  const dense = roundSeconds[0]!;
  const measured = roundSeconds.length - 1;
  return dense + (rounds * (total - dense)) / measured;
}

const count = (n: number) => n.toLocaleString('en');
const rate = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en') : x.toFixed(x >= 10 ? 1 : 2));

/** A row in seconds, minutes or hours (by our figure), with both sides' steps/s in the label. */
function row(
  name: string,
  ours: { seconds: number; stepsPerSecond: number },
  torch: Maybe<{ seconds: number; stepsPerSecond: number; torch: string }>,
  extra = '',
): BenchRow {
  const [unit, scale] = ours.seconds >= 3 * 3600 ? ['h', 3600] : ours.seconds >= 600 ? ['min', 60] : ['s', 1];
  const t = torch.result;
  return {
    name,
    ours: ours.seconds / scale,
    unit,
    reference: t ? t.seconds / scale : null,
    referenceLabel: t
      ? `PyTorch ${t.torch}, 1 thread; steps/s ${rate(ours.stepsPerSecond)} ours, ${rate(t.stepsPerSecond)} PyTorch${extra}`
      : `${torch.reason}; ours ${rate(ours.stepsPerSecond)} steps/s${extra}`,
    higherIsBetter: false,
  };
}

const stepsPerSecond = (r: { steps: number; trainSeconds: number }) => r.steps / r.trainSeconds;

/** Step counts and evaluation cadence: the fields every step-based experiment config has. */
type StepConfig = { steps: number; evalEvery: number } & Record<string, unknown>;

export interface PresetBenchOptions {
  quick?: boolean;
  torch?: boolean;
  log?: (line: string) => void;
  /** Where to find the experiments (default: experiments/registry.ts). */
  experiments?: ReadonlyMap<string, ExperimentDefinition>;
}

export interface PresetBench {
  rows: BenchRow[];
  /** Presets left out, and why. */
  notes: string[];
}

/** One run per preset, ours then PyTorch; see the module comment. */
export async function benchPresets(options: PresetBenchOptions = {}): Promise<PresetBench> {
  const quick = options.quick ?? false;
  const useTorch = options.torch !== false;
  const log = options.log ?? (() => {});
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  let torchReason: string | undefined;
  /** Runs a PyTorch reference unless an earlier one showed that PyTorch is missing. */
  const torchRun = (fn: () => Maybe<TorchRun>): Maybe<TorchRun> => {
    if (!useTorch) return { result: null, reason: 'PyTorch skipped (--no-torch)' };
    if (torchReason) return { result: null, reason: torchReason };
    const r = fn();
    if (r.reason !== undefined && /not installed|ENOENT/.test(r.reason)) torchReason = r.reason;
    return r;
  };
  const get = (key: string) => {
    const d = (options.experiments ?? EXPERIMENTS).get(key);
    if (!d) notes.push(`${key}: not in experiments/registry.ts, skipped`);
    return d;
  };

  const { tf } = await selectBackend({ only: 'wasm' });
  await tf.setBackend('wasm');

  /**
   * Runs the first of `presets` for at most `cap` steps, ours then PyTorch, and adds one row per
   * preset: measured when the run was the whole preset, otherwise extrapolated (and labelled so).
   */
  const stepPresets = async (
    definition: ExperimentDefinition,
    presets: string[],
    plan: {
      cap?: number;
      /** Evaluate only at the start and the end of a capped run (the per-evaluation cost is what is extrapolated). */
      evalAtEndsOnly?: boolean;
      torch: (config: StepConfig) => Maybe<TorchRun>;
      describe: (config: StepConfig) => string;
      extra?: string;
    },
  ) => {
    const [first, ...others] = presets.filter((p) => definition.presets[p]);
    if (!first) return;
    const presetOf = (name: string) => ({ ...definition.presets[name], seed: 0 });
    const whole = definition.configSchema.parse(presetOf(first)) as StepConfig;
    const steps = Math.min(plan.cap ?? whole.steps, whole.steps);
    const capped = steps < whole.steps;
    const config = definition.configSchema.parse({
      ...presetOf(first),
      steps,
      ...(capped && plan.evalAtEndsOnly ? { evalEvery: steps } : {}),
    }) as StepConfig;
    const ours = await trainOurs(tf, definition, config);
    const torch = torchRun(() => plan.torch(config));
    log(
      `${definition.key} ${first}, ${count(steps)} steps: ${ours.seconds.toFixed(1)} s ours (${rate(stepsPerSecond(ours))} steps/s), ` +
        (torch.result ? `${torch.result.seconds.toFixed(1)} s PyTorch (${rate(torch.result.stepsPerSecond)} steps/s)` : torch.reason),
    );
    for (const name of [first, ...others]) {
      const c = definition.configSchema.parse(presetOf(name)) as StepConfig;
      const measured = name === first && !capped;
      const evals = evaluationCount(c.steps, c.evalEvery);
      const label = `${definition.key} ${name} (${plan.describe(c)})`;
      const how = name === first ? `≈ from its first ${count(steps)} steps` : `≈ ETA from ${first}'s first ${count(steps)}`;
      const torchFull: Maybe<TorchRun> =
        torch.result && !measured ? { result: { ...torch.result, seconds: extrapolate(torch.result as RunTiming, c.steps, evals) } } : torch;
      rows.push(
        row(
          measured ? label : `${label} ${how}`,
          { seconds: measured ? ours.seconds : extrapolate(ours, c.steps, evals), stepsPerSecond: stepsPerSecond(ours) },
          torchFull,
          plan.extra,
        ),
      );
    }
  };

  // grokking-mlp default: full batch (p 59: 1,044 pairs), evaluation every 5 steps.
  const grokking = get('grokking-mlp');
  if (grokking) {
    await stepPresets(grokking, ['default'], {
      cap: quick ? 300 : undefined,
      torch: (c) => {
        const r = runGrokkingTorch(c);
        if (!r.result) return { result: null, reason: r.reason ?? 'PyTorch unavailable' };
        const { torch, steps, wallSeconds, trainSeconds, stepsPerSecond } = r.result;
        return { result: { torch, steps, seconds: wallSeconds, trainSeconds, stepsPerSecond, evals: evaluationCount(c.steps, c.evalEvery) } };
      },
      describe: (c) => `${count(c.steps)} steps, eval every ${c.evalEvery}`,
      extra: ', one-hot',
    });
  }

  // double-descent cheap: h 16, 5,000 SGD steps of 100, evaluation every 50 on 1,000 + 4,000 samples.
  const doubleDescent = get('double-descent');
  if (doubleDescent) {
    await stepPresets(doubleDescent, ['cheap'], {
      torch: (input) => {
        const c = input as unknown as DoubleDescentConfig;
        const data = doubleDescentData(c);
        const spec: ReferenceSpec = {
          sizes: [data.length, c.width, c.width, 10],
          theta0: doubleDescentInit(c),
          loss: 'cross-entropy',
          data,
          batchSize: c.batchSize,
          steps: c.steps,
          evalEvery: c.evalEvery,
          seed: c.seed,
        };
        return runMlpTorch(spec, { name: 'sgd', lr: c.lr, momentum: c.momentum });
      },
      describe: (c) => `h ${String(c.width)}, ${count(c.steps)} steps, eval every ${c.evalEvery}`,
    });
  }

  // init-scale default: 40-200-200-10, AdamW, batch 200, evaluation every 10 steps on 1,000 + 1,000 samples.
  // Its cadence is uniform (5 batches an epoch, an evaluation every 10 steps), so half the run predicts the whole closely
  // and keeps the full bench within ~4 minutes on a 2-core machine.
  const initScale = get('init-scale');
  if (initScale) {
    await stepPresets(initScale, ['default'], {
      cap: quick ? 500 : 3000,
      torch: (input) => {
        const c = input as unknown as InitScaleConfig;
        const data = initScaleData(c);
        const spec: ReferenceSpec = {
          sizes: [data.length, c.width, c.width, 10],
          theta0: initScaleInit(c),
          loss: 'mse',
          data,
          batchSize: c.batchSize,
          steps: c.steps,
          evalEvery: c.evalEvery,
          seed: c.seed,
        };
        return runMlpTorch(spec, { name: 'adamw', lr: c.lr, weightDecay: c.weightDecay });
      },
      describe: (c) => `${count(c.steps)} steps, eval every ${c.evalEvery}`,
    });
  }

  // lottery-ticket: quick measured whole (from dense + 1 round in --quick), cheap from its dense round + 2 pruning rounds (full mode only).
  const lottery = get('lottery-ticket');
  if (lottery) {
    const torchArgs = (c: LotteryTicketConfig) => [
      ...['--rounds', c.rounds, '--steps-per-round', c.stepsPerRound, '--prune-fraction', c.pruneFraction, '--width', c.width],
      ...['--lr', c.lr, '--batch-size', c.batchSize, '--controls', c.controls ? 1 : 0, '--eval-every', c.evalEvery, '--seed', c.seed],
    ];
    const parse = (input: Record<string, unknown>) => {
      const c = lottery.configSchema.parse(input) as LotteryTicketConfig;
      if (c.rewindStep !== 0) throw new Error('bench/lottery_ticket_torch.py does not rewind; a benchmarked preset now does');
      return c;
    };
    const describe = (c: LotteryTicketConfig) =>
      `${count(lottery.totalSteps(c))} steps: dense + ${c.rounds} rounds × ${c.controls ? '3 nets × ' : ''}${count(c.stepsPerRound)}`;
    /** One row for a preset: the whole run, or its dense round + `rounds` pruning rounds extrapolated to every round. */
    const lotteryRow = async (name: string, rounds: number | 'all') => {
      if (!lottery.presets[name]) return;
      const c = parse({ ...lottery.presets[name], seed: 0 });
      const whole = rounds === 'all' || rounds >= c.rounds;
      const run = whole ? c : { ...c, rounds };
      const o = await trainOurs(tf, lottery, run);
      const t = torchRun(() => runPython('lottery_ticket_torch.py', torchArgs(run)));
      log(
        `lottery-ticket ${name}${whole ? '' : `, dense + ${run.rounds} round${run.rounds === 1 ? '' : 's'}`} (${count(o.steps)} steps): ${o.seconds.toFixed(1)} s ours (${rate(stepsPerSecond(o))} steps/s), ` +
          (t.result ? `${t.result.seconds.toFixed(1)} s PyTorch (${rate(t.result.stepsPerSecond)} steps/s)` : t.reason),
      );
      const full = (seconds: number, roundSeconds: readonly number[]) =>
        whole ? seconds : extrapolateRounds(roundSeconds, seconds, c.rounds);
      rows.push(
        row(
          `lottery-ticket ${name} (${describe(c)})${whole ? '' : ` ≈ from dense + ${run.rounds} round${run.rounds === 1 ? '' : 's'} (${count(o.steps)} steps)`}`,
          { seconds: full(o.seconds, o.roundSeconds), stepsPerSecond: stepsPerSecond(o) },
          t.result ? { result: { ...t.result, seconds: full(t.result.seconds, t.result.roundSeconds ?? []) } } : t,
          ', random data',
        ),
      );
    };
    // Round times vary by ±30% on a loaded machine (the first pruning round often slowest), hence 2 rounds when there is time.
    await lotteryRow('quick', quick ? 1 : 'all');
    if (!quick) await lotteryRow('cheap', 2);
  }

  // grokking-transformer (when registered): default extrapolated from its first steps, long as an ETA.
  const transformer = get('grokking-transformer');
  if (transformer) {
    await stepPresets(transformer, ['default', 'long'], {
      cap: quick ? 10 : 40,
      evalAtEndsOnly: true,
      torch: (c) => {
        const num = (k: string, fallback: number) => (typeof c[k] === 'number' ? (c[k] as number) : fallback);
        return runPython('grokking_transformer_torch.py', [
          ...['--modulus', num('modulus', 97), '--operation', typeof c.operation === 'string' ? c.operation : 'mul'],
          ...['--train-fraction', num('trainFraction', 0.5), '--steps', c.steps, '--batch-size', num('batchSize', 512), '--lr', num('lr', 1e-3)],
          ...['--weight-decay', num('weightDecay', 1), '--warmup-steps', num('warmupSteps', 10), '--beta1', num('beta1', 0.9), '--beta2', num('beta2', 0.98)],
          ...['--eps', num('eps', 1e-8), '--d-model', num('dModel', 128), '--heads', num('heads', 4), '--layers', num('layers', 2)],
          ...['--eval-every', c.evalEvery, '--seed', 0],
        ]);
      },
      describe: (c) => `${count(c.steps)} steps, eval every ${count(c.evalEvery)}`,
      extra: ', random init',
    });
  }
  return { rows, notes };
}

/** Plain rows for the standalone entry (`npm run bench` prints them with its own formatRows). */
function plainRows(rows: readonly BenchRow[]): string {
  const fmt = (x: number) => (x >= 1000 ? Math.round(x).toLocaleString('en') : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  return rows
    .map((r) => {
      const ratio = r.reference === null ? '' : `  ${(r.reference / r.ours).toFixed(2)}×`;
      return `${r.name}\n    ours ${fmt(r.ours)} ${r.unit}  reference ${r.reference === null ? '—' : `${fmt(r.reference)} ${r.unit}`}${ratio}  (${r.referenceLabel})`;
    })
    .join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  const { rows, notes } = await benchPresets({
    quick: process.argv.includes('--quick'),
    torch: !process.argv.includes('--no-torch'),
    log: (line) => console.error(`  … ${line}`),
  });
  console.log(plainRows(rows));
  for (const n of notes) console.log(`(${n})`);
  console.log(`${((performance.now() - started) / 1000).toFixed(0)} s`);
}
