/**
 * Acceptance check of grokking-mlp against docs/experiments.md §1 (too slow for a unit test: ~3–5 min).
 *
 *   npx tsx bench/grokking-acceptance.ts [--seeds 0,1,2] [--backend wasm] [--no-wd0] [--torch]
 *
 * Default preset (wd 1), per seed: train accuracy 1.0 by step 100; test < 0.20 at step 150; test
 * ≥ 0.90 by step 1,500; (first step test ≥ 0.9) / (first step train = 1.0) ≥ 10.
 * No weight decay (the `no-weight-decay` preset): test < 0.20 through step 3,000.
 * With --torch, the PyTorch reference (same split and initial weights) runs each seed too.
 * Exits 1 when a check fails.
 */
import { grokkingMlpExperiment } from '../experiments/grokking-mlp.experiment';
import { parseBackendName, selectBackend } from '../trainer/backend';
import { runGrokking, runTorch, summarize } from './grokking.bench';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const seeds = (argValue('--seeds') ?? '0,1,2').split(',').map(Number);
const { tf, info } = await selectBackend({ only: parseBackendName(argValue('--backend') ?? 'wasm') });
const withTorch = process.argv.includes('--torch');
const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  if (!ok) failures.push(what);
  return ok ? 'ok' : 'FAIL';
};
const fmt = (x: number | null | undefined, digits = 3) => (x === null || x === undefined ? '—' : x.toFixed(digits));

console.log(`backend ${info.name}; grokking-mlp default preset (p 59, N 256, fraction 0.3, wd 1)`);
console.log('seed  train=1.0 at  test@150  test≥0.90 at  test≥0.95 at  ratio  steps/s  wall s  checks');
for (const seed of seeds) {
  const preset = grokkingMlpExperiment.presets.default!;
  const run = await runGrokking(tf, { ...preset, seed, steps: Math.max(1500, preset.steps ?? 0) });
  const s = summarize(run.evals);
  const ratio = s.firstStepTestAcc90 !== null && s.firstStepTrainAcc1 ? s.firstStepTestAcc90 / s.firstStepTrainAcc1 : null;
  const checks = [
    check(s.firstStepTrainAcc1 !== null && s.firstStepTrainAcc1 <= 100, `seed ${seed}: train = 1.0 by step 100`),
    check(s.testAccAt150 !== null && s.testAccAt150 < 0.2, `seed ${seed}: test < 0.20 at step 150`),
    check(s.firstStepTestAcc90 !== null && s.firstStepTestAcc90 <= 1500, `seed ${seed}: test ≥ 0.90 by step 1500`),
    check(ratio !== null && ratio >= 10, `seed ${seed}: (first test ≥ 0.9)/(first train = 1.0) ≥ 10`),
  ];
  const stepsPerSecond = run.outcome.stepsCompleted / run.outcome.trainSeconds;
  console.log(
    [
      String(seed).padStart(4),
      String(s.firstStepTrainAcc1 ?? '—').padStart(12),
      fmt(s.testAccAt150).padStart(8),
      String(s.firstStepTestAcc90 ?? '—').padStart(12),
      String(s.firstStepTestAcc95 ?? '—').padStart(12),
      fmt(ratio, 1).padStart(5),
      stepsPerSecond.toFixed(1).padStart(7),
      run.wallSeconds.toFixed(1).padStart(6),
      ` ${checks.join(' ')}`,
    ].join('  '),
  );
  if (withTorch) {
    const t = runTorch({ ...preset, seed, steps: 1500 }).result;
    if (t) {
      const r = t.firstStepTestAcc90 !== null && t.firstStepTrainAcc1 ? t.firstStepTestAcc90 / t.firstStepTrainAcc1 : null;
      console.log(
        `${'torch'.padStart(4)}  ${String(t.firstStepTrainAcc1 ?? '—').padStart(12)}  ${fmt(t.testAccAt150).padStart(8)}  ${String(t.firstStepTestAcc90 ?? '—').padStart(12)}  ${String(t.firstStepTestAcc95 ?? '—').padStart(12)}  ${fmt(r, 1).padStart(5)}  ${t.stepsPerSecond.toFixed(1).padStart(7)}  ${t.wallSeconds.toFixed(1).padStart(6)}`,
      );
    }
  }
}

if (!process.argv.includes('--no-wd0')) {
  const preset = grokkingMlpExperiment.presets['no-weight-decay']!;
  console.log(`\nno-weight-decay preset (wd 0, ${preset.steps} steps): test accuracy must stay < 0.20 through step 3000`);
  console.log('seed  train=1.0 at  max test ≤3000  test@3000  test@end  steps/s  wall s  check');
  for (const seed of seeds) {
    const run = await runGrokking(tf, { ...preset, seed });
    const s = summarize(run.evals);
    const upTo3000 = run.evals.filter((e) => e.step <= 3000);
    const max3000 = Math.max(...upTo3000.map((e) => e.values.testAcc!));
    const at3000 = run.evals.find((e) => e.step === 3000)?.values.testAcc;
    const atEnd = run.evals.at(-1)!.values.testAcc;
    const ok = check(max3000 < 0.2, `seed ${seed}, wd 0: test < 0.20 through step 3000`);
    console.log(
      [
        String(seed).padStart(4),
        String(s.firstStepTrainAcc1 ?? '—').padStart(12),
        fmt(max3000).padStart(14),
        fmt(at3000).padStart(9),
        fmt(atEnd).padStart(8),
        (run.outcome.stepsCompleted / run.outcome.trainSeconds).toFixed(1).padStart(7),
        run.wallSeconds.toFixed(1).padStart(6),
        ` ${ok}`,
      ].join('  '),
    );
  }
}

console.log(failures.length ? `\nFAILED:\n  ${failures.join('\n  ')}` : '\nAll acceptance checks passed.');
process.exitCode = failures.length ? 1 : 0;
