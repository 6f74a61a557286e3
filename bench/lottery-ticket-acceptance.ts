/**
 * Acceptance check of lottery-ticket against docs/experiments.md §5 (too slow for a unit test: ~1.5–2
 * min per seed on wasm here, one seed after another).
 *
 *   npx tsx bench/lottery-ticket-acceptance.ts [--seeds 0,1,2] [--backend wasm] [--preset default]
 *
 * Runs the preset for each seed (every round trains the ticket, the random-mask control and the
 * fresh-init control), prints per round the weights left and the mean ± sample std over seeds of
 * the three test accuracies, then checks, at 10.7% and 8.6% of the weights left (rounds 10 and
 * 11), on the means: ticket ≥ dense − 3 points; ticket − random mask ≥ 8; ticket − fresh init ≥ 4.
 * Exits 1 when a check fails.
 */
import { lotteryTicketConfigSchema, lotteryTicketExperiment } from '../experiments/lottery-ticket/lottery-ticket.experiment';
import type { EvalPoint } from '../experiments/types';
import { parseBackendName, selectBackend } from '../trainer/backend';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const seeds = (argValue('--seeds') ?? '0,1,2').split(',').map(Number);
const presetName = argValue('--preset') ?? 'default';
const preset = lotteryTicketExperiment.presets[presetName];
if (!preset) throw new Error(`unknown preset ${presetName}; presets: ${Object.keys(lotteryTicketExperiment.presets).join(', ')}`);
const { tf, info } = await selectBackend({ only: parseBackendName(argValue('--backend') ?? 'wasm') });

/** docs/experiments.md §5 reference test accuracies (%), by round. */
const REFERENCE: Record<number, string> = { 0: 'dense 59.6', 10: '60.4 / 49.2 / 53.9', 13: '56.3 / 31.4 / 43.2' };
const CHECK_ROUNDS = [10, 11];

interface SeedRun {
  seed: number;
  /** Round metrics by round number. */
  rounds: Map<number, Record<string, number>>;
  wallSeconds: number;
  stepsPerSecond: number;
}

const runs: SeedRun[] = [];
const started = performance.now();
const base = lotteryTicketConfigSchema.parse(preset);
console.log(
  `backend ${info.name}; lottery-ticket preset '${presetName}': ${base.rounds} rounds × ${base.stepsPerRound} steps, width ${base.width}, ` +
    `lr ${base.lr}, batch ${base.batchSize}, prune ${base.pruneFraction}/round, rewind ${base.rewindStep}, controls ${base.controls}; ` +
    `${lotteryTicketExperiment.totalSteps(base)} steps per seed`,
);
for (const seed of seeds) {
  const config = lotteryTicketConfigSchema.parse({ ...preset, seed });
  const t0 = performance.now();
  const rounds = new Map<number, Record<string, number>>();
  const outcome = await lotteryTicketExperiment.train(config, {
    tf,
    shouldStop: () => false,
    onEval: (p: EvalPoint) => {
      if (p.values.round !== undefined) rounds.set(p.values.round, p.values);
    },
    onProgress: () => {},
    yieldNow: () => new Promise((r) => setImmediate(r)),
  });
  const wallSeconds = (performance.now() - t0) / 1000;
  if (outcome.status !== 'done') throw new Error(`seed ${seed}: ${outcome.status}${outcome.reason ? ` (${outcome.reason})` : ''}`);
  const stepsPerSecond = outcome.stepsCompleted / outcome.trainSeconds;
  runs.push({ seed, rounds, wallSeconds, stepsPerSecond });
  const r10 = rounds.get(10);
  console.log(
    `seed ${seed}: ${wallSeconds.toFixed(1)} s wall, ${outcome.trainSeconds.toFixed(1)} s in steps, ${stepsPerSecond.toFixed(0)} steps/s` +
      (r10 ? `; round 10 ticket/random/fresh ${pct(r10.ticketTestAcc)} / ${pct(r10.randomMaskTestAcc)} / ${pct(r10.freshInitTestAcc)}` : ''),
  );
}
const totalSeconds = (performance.now() - started) / 1000;

function pct(x: number | undefined): string {
  return x === undefined ? '—' : (100 * x).toFixed(1);
}

/** Mean and sample standard deviation in percent of a metric over seeds at one round (null where missing). */
function stats(round: number, name: string): { mean: number; std: number } | null {
  const xs = runs.map((r) => r.rounds.get(round)?.[name]).filter((x): x is number => x !== undefined).map((x) => 100 * x);
  if (xs.length === 0) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, std };
}

const fmt = (s: { mean: number; std: number } | null) => (s ? `${s.mean.toFixed(1).padStart(5)} ± ${s.std.toFixed(1).padEnd(4)}` : '—'.padStart(5).padEnd(12));

console.log(`\ntest accuracy %, mean ± std over seeds ${seeds.join(', ')}`);
console.log('round  weights left   ticket        random mask   fresh init    ticket−random  ticket−fresh  reference (ticket / random / fresh)');
for (let round = 0; round <= base.rounds; round++) {
  const left = runs[0]!.rounds.get(round)?.weightsLeft;
  const ticket = stats(round, 'ticketTestAcc');
  const random = stats(round, 'randomMaskTestAcc');
  const fresh = stats(round, 'freshInitTestAcc');
  const gap = (other: typeof random) => (ticket && other ? (ticket.mean - other.mean).toFixed(1) : '—');
  console.log(
    [
      String(round).padStart(5),
      `${pct(left)}%`.padStart(12),
      fmt(ticket),
      fmt(random),
      fmt(fresh),
      gap(random).padStart(13),
      gap(fresh).padStart(12),
      ` ${REFERENCE[round] ?? ''}`,
    ].join('  '),
  );
}
console.log(
  `wall time per seed: ${runs.map((r) => `${r.seed}: ${r.wallSeconds.toFixed(1)} s`).join(', ')}; total ${totalSeconds.toFixed(1)} s; ` +
    `mean ${(runs.reduce((a, r) => a + r.stepsPerSecond, 0) / runs.length).toFixed(0)} steps/s`,
);

const failures: string[] = [];
const dense = stats(0, 'ticketTestAcc');
console.log(`\nchecks (means over ${runs.length} seeds; dense ${dense ? dense.mean.toFixed(1) : '—'}%)`);
for (const round of CHECK_ROUNDS) {
  const ticket = stats(round, 'ticketTestAcc');
  const random = stats(round, 'randomMaskTestAcc');
  const fresh = stats(round, 'freshInitTestAcc');
  const left = pct(runs[0]!.rounds.get(round)?.weightsLeft);
  const lines: [string, boolean][] =
    ticket && random && fresh && dense
      ? [
          [`ticket ${ticket.mean.toFixed(1)} ≥ dense − 3 = ${(dense.mean - 3).toFixed(1)}`, ticket.mean >= dense.mean - 3],
          [`ticket − random mask = ${(ticket.mean - random.mean).toFixed(1)} ≥ 8`, ticket.mean - random.mean >= 8],
          [`ticket − fresh init = ${(ticket.mean - fresh.mean).toFixed(1)} ≥ 4`, ticket.mean - fresh.mean >= 4],
        ]
      : [[`round ${round} missing (needs ≥ ${round} rounds with controls)`, false]];
  for (const [what, ok] of lines) {
    console.log(`  round ${round} (${left}% left): ${what}  ${ok ? 'ok' : 'FAIL'}`);
    if (!ok) failures.push(`round ${round}: ${what}`);
  }
}
if (runs.length < 3) failures.push(`only ${runs.length} seed(s): the acceptance needs the mean of ≥ 3`);
if (failures.length > 0) {
  console.log(`\nFAILED:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('\nall checks passed');
