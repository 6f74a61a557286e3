/**
 * Acceptance check of init-scale against docs/experiments.md §6 (too slow for a unit test: ~1.5–2 min
 * per seed on wasm).
 *
 *   npx tsx bench/init-scale-acceptance.ts [--seeds 0,1,2] [--steps 6000] [--alpha 8] [--backend wasm] [--torch]
 *
 * Per seed, trains the default preset (α = 1) and α = 8 with the same base initial weights and batch
 * order, and checks: α = 8 reaches train accuracy ≥ 0.95, and at the first evaluated step where it
 * does, its test accuracy is at least 0.2 below α = 1's at that same step. Also prints the spec's
 * reference points (α = 1 test at 1k; α = 8 test at 2k and at the end) and the parameter norms.
 * --torch also trains each run in PyTorch from the same initial weights and batches
 * (reference_torch.py) and prints the same milestones. Exits 1 when a check fails.
 */
import { AdamW } from '../experiments/adamw';
import { initScaleData, initScaleExperiment, initScaleInit, type InitScaleConfig } from '../experiments/mnist1d-mlp/init-scale.experiment';
import { runTorchReference } from '../experiments/mnist1d-mlp/reference';
import { trainMlpRun, type MlpRunSpec } from '../experiments/mnist1d-mlp/train-loop';
import type { EvalPoint, Tf } from '../experiments/types';
import { parseBackendName, selectBackend } from '../trainer/backend';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const seeds = (argValue('--seeds') ?? '0,1,2').split(',').filter(Boolean).map(Number);
const bigAlpha = Number(argValue('--alpha') ?? 8);
const stepsArg = argValue('--steps');
const withTorch = process.argv.includes('--torch');
const { tf, info } = await selectBackend({ only: parseBackendName(argValue('--backend') ?? 'wasm') });

function specOf(c: InitScaleConfig): MlpRunSpec {
  return {
    sizes: [40, c.width, c.width, 10],
    theta0: initScaleInit(c),
    loss: 'mse',
    makeOptimizer: (t, count) => new AdamW(t, [[count]], { lr: c.lr, weightDecay: c.weightDecay }),
    data: initScaleData(c),
    batchSize: c.batchSize,
    steps: c.steps,
    evalEvery: c.evalEvery,
    seed: c.seed,
  };
}

interface Run {
  evals: EvalPoint[];
  wallSeconds: number;
  stepsPerSecond: number;
}

async function train(tfx: Tf, c: InitScaleConfig): Promise<Run> {
  const evals: EvalPoint[] = [];
  const t0 = performance.now();
  const outcome = await trainMlpRun(specOf(c), {
    tf: tfx,
    shouldStop: () => false,
    onEval: (p) => evals.push(p),
    onProgress: () => {},
    yieldNow: () => new Promise((resolve) => setImmediate(resolve)),
  });
  if (outcome.status !== 'done') throw new Error(`α ${c.alpha} seed ${c.seed}: ${outcome.status} ${outcome.reason ?? ''}`);
  return { evals, wallSeconds: (performance.now() - t0) / 1000, stepsPerSecond: outcome.stepsCompleted / outcome.trainSeconds };
}

function torch(c: InitScaleConfig): Run {
  const r = runTorchReference(specOf(c), { optimizer: { name: 'adamw', lr: c.lr, weightDecay: c.weightDecay } });
  return { evals: r.evals, wallSeconds: r.seconds, stepsPerSecond: c.steps / r.seconds };
}

const at = (run: Run, step: number) => run.evals.find((e) => e.step === step)?.values;
const fmt = (x: number | undefined, digits = 3) => (x === undefined ? '—' : x.toFixed(digits));

const failures: string[] = [];
console.log(`backend ${info.name}; init-scale: MLP 40-200-200-10, 1,000 train samples, MSE, AdamW lr 1e-3 wd 0.1, batch 200`);
console.log(
  'seed  impl   α1 train≥.95  α1 test@1k  α8 train≥.95  α8 test  α1 test  gap    α8 test@2k  α8 test@end  α8 L2 start→s*→end  α1/α8 steps/s  wall s  check',
);
for (const seed of seeds) {
  const base = initScaleExperiment.configSchema.parse({ ...initScaleExperiment.presets.default, seed, ...(stepsArg ? { steps: Number(stepsArg) } : {}) });
  const big = { ...base, alpha: bigAlpha };
  const impls: [string, () => Promise<[Run, Run]>][] = [['tfjs', async () => [await train(tf, base), await train(tf, big)]]];
  if (withTorch) impls.push(['torch', async () => [torch(base), torch(big)]]);
  for (const [impl, go] of impls) {
    const [one, eight] = await go();
    const firstFit = (run: Run) => run.evals.find((e) => e.values.trainAcc! >= 0.95)?.step;
    const s = firstFit(eight);
    const test8 = s === undefined ? undefined : at(eight, s)!.testAcc!;
    const test1 = s === undefined ? undefined : at(one, s)?.testAcc;
    const gap = test1 === undefined || test8 === undefined ? undefined : test1 - test8;
    const ok = gap !== undefined && gap >= 0.2;
    if (impl === 'tfjs' && !ok) {
      failures.push(
        s === undefined
          ? `seed ${seed}: α = ${bigAlpha} never reached train accuracy 0.95 in ${base.steps} steps`
          : `seed ${seed}: at step ${s} α = ${bigAlpha} test ${fmt(test8)} is only ${fmt(gap)} below α = 1's ${fmt(test1)}`,
      );
    }
    const l2 = (step: number | undefined) => (step === undefined ? '—' : fmt(at(eight, step)?.l2, 1));
    console.log(
      [
        String(seed).padStart(4),
        impl.padEnd(5),
        String(firstFit(one) ?? '—').padStart(12),
        fmt(at(one, 1000)?.testAcc).padStart(10),
        String(s ?? '—').padStart(12),
        fmt(test8).padStart(7),
        fmt(test1).padStart(7),
        fmt(gap).padStart(5),
        fmt(at(eight, 2000)?.testAcc).padStart(11),
        fmt(eight.evals.at(-1)!.values.testAcc).padStart(12),
        `${l2(0)}→${l2(s)}→${l2(eight.evals.at(-1)!.step)}`.padStart(19),
        `${one.stepsPerSecond.toFixed(0)}/${eight.stepsPerSecond.toFixed(0)}`.padStart(14),
        (one.wallSeconds + eight.wallSeconds).toFixed(1).padStart(6),
        impl === 'tfjs' ? (ok ? ' ok' : ' FAIL') : '',
      ].join('  '),
    );
  }
}
if (failures.length) {
  console.log(`\n${failures.length} check(s) failed:\n${failures.join('\n')}`);
  process.exit(1);
}
console.log(`\nok: at the step where α = ${bigAlpha} first reaches train accuracy 0.95, its test accuracy is ≥ 0.2 below α = 1's (every seed)`);
