/**
 * Parity with PyTorch: trains the same config (same split and initial weights, via the ported RNG)
 * here and in bench/grokking_torch.py, and compares the curves. Early losses must agree to float32
 * precision; afterwards the runs drift apart slowly (training amplifies rounding differences — the
 * two PyTorch formulations drift from each other just as much) but reach the same milestones.
 *
 *   npx tsx bench/grokking-parity.ts [--steps 200] [--seed 0] [--backend wasm]
 */
import { parseBackendName, selectBackend } from '../trainer/backend';
import { runGrokking, runTorch, summarize } from './grokking.bench';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const steps = Number(argValue('--steps') ?? 200);
const seed = Number(argValue('--seed') ?? 0);
const { tf, info } = await selectBackend({ only: parseBackendName(argValue('--backend') ?? 'wasm') });
const config = { steps, seed };
const ours = await runGrokking(tf, config);
const torch = runTorch(config, 'onehot', true);
const gather = runTorch(config, 'gather', true);
if (!torch.result?.curve || !gather.result?.curve) {
  console.error(`PyTorch reference unavailable: ${torch.reason ?? gather.reason}`);
  process.exit(2);
}
const t = torch.result.curve;
const g = gather.result.curve;
console.log(`backend ${info.name}, seed ${seed}: train loss, ours vs PyTorch (one-hot) vs PyTorch (gather); test accuracy`);
let worstEarly = 0;
for (const [i, e] of ours.evals.entries()) {
  if (!(e.step <= 25 || e.step % 50 === 0)) continue;
  const rel = Math.abs(e.values.trainLoss! - t[i]!.trainLoss) / t[i]!.trainLoss;
  if (e.step <= 10) worstEarly = Math.max(worstEarly, rel);
  console.log(
    `${String(e.step).padStart(5)}  ${e.values.trainLoss!.toPrecision(8)}  ${t[i]!.trainLoss.toPrecision(8)}  ${g[i]!.trainLoss.toPrecision(8)}` +
      `  rel ${rel.toExponential(1).padStart(8)}   test ${e.values.testAcc!.toFixed(4)} ${t[i]!.testAcc.toFixed(4)} ${g[i]!.testAcc.toFixed(4)}`,
  );
}
const s = summarize(ours.evals);
console.log(`milestones (train = 1.0, test ≥ 0.9, test ≥ 0.95): ours ${s.firstStepTrainAcc1}, ${s.firstStepTestAcc90}, ${s.firstStepTestAcc95}; ` +
  `PyTorch ${torch.result.firstStepTrainAcc1}, ${torch.result.firstStepTestAcc90}, ${torch.result.firstStepTestAcc95}`);
console.log(`largest relative train-loss difference over steps 0–10: ${worstEarly.toExponential(2)} (must be < 1e-5)`);
process.exitCode = worstEarly < 1e-5 ? 0 : 1;
