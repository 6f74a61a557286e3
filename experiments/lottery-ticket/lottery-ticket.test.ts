import { runExperiment } from '../../test/run-experiment';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../trainer/backend';
import { CORE_METRICS, type EvalPoint, type Tf } from '../types';
import { loadMnist1d, makeEvalSet, disposeEvalSet, NUM_CLASSES, SequentialBatches } from './data';
import {
  initialParameters,
  LOTTERY_TICKET_METRICS,
  lotteryTicketConfigSchema,
  lotteryTicketExperiment,
  lotteryTicketTotalSteps,
  type LotteryTicketConfig,
  type LotteryTicketConfigInput,
} from './lottery-ticket.experiment';
import { denseMask, keptPerLayer, magnitudePrune } from './pruning';
import { MaskedTrainer, parameterLayout } from './residual-mlp';

const TINY: LotteryTicketConfigInput = { rounds: 3, stepsPerRound: 40, width: 16, evalEvery: 10, seed: 0 };

function parse(input: LotteryTicketConfigInput): LotteryTicketConfig {
  return lotteryTicketConfigSchema.parse(input);
}

/** Trains the experiment to the end, collecting its evaluations and progress. */
const run = (tf: Tf, input: LotteryTicketConfigInput, shouldStop?: (step: number) => boolean) => runExperiment(lotteryTicketExperiment, tf, input, shouldStop);

/** Every recorded value except wall time, keyed by step and name. */
function series(evals: EvalPoint[]): string[] {
  return evals.flatMap((e) => Object.entries(e.values).filter(([k]) => k !== 'wallTime').map(([k, v]) => `${e.step} ${k} ${v}`));
}

const roundPoints = (evals: EvalPoint[]) => evals.filter((e) => 'round' in e.values);

/**
 * The round-1 ticket computed step by step from the building blocks: dense training from θ₀
 * (snapshot θ_k), prune 20% per layer, reset the survivors to θ₀ (θ_k), retrain.
 */
function manualRound1Ticket(tf: Tf, config: LotteryTicketConfig): { testAcc: number; testLoss: number } {
  const data = loadMnist1d(config.dataSeed);
  const layout = parameterLayout({ input: data.inputSize, width: config.width, classes: NUM_CLASSES });
  const theta0 = initialParameters(config, layout);
  const batches = new SequentialBatches(tf, data, config.batchSize);
  const dense = new MaskedTrainer(tf, layout, theta0, denseMask(layout), config.lr);
  let rewound = theta0;
  for (let s = 0; s < config.stepsPerRound; s++) {
    if (s === config.rewindStep && s > 0) rewound = dense.values();
    dense.step(batches.get(s));
  }
  const mask = magnitudePrune(layout, dense.values(), denseMask(layout), config.pruneFraction);
  dense.dispose();
  const ticket = new MaskedTrainer(tf, layout, rewound, mask, config.lr);
  for (let s = config.rewindStep; s < config.stepsPerRound; s++) ticket.step(batches.get(s));
  const testSet = makeEvalSet(tf, data.xTest, data.yTest, data.inputSize);
  const score = ticket.score([testSet])[0]!;
  ticket.dispose();
  disposeEvalSet(tf, testSet);
  batches.dispose();
  return { testAcc: score.correct / score.n, testLoss: score.lossSum / score.n };
}

describe('lottery-ticket training (wasm)', () => {
  let tf: Tf;
  beforeAll(async () => {
    tf = (await selectBackend({ only: 'wasm' })).tf;
  });

  it('runs every round with both controls, records curves and per-round metrics at cumulative steps', async () => {
    const start = tf.memory().numTensors;
    const { outcome, evals, progress } = await run(tf, TINY);
    const total = lotteryTicketTotalSteps(parse(TINY));
    expect(total).toBe(40 + 3 * 120);
    expect(outcome).toMatchObject({ status: 'done', stepsCompleted: total, dataHash: loadMnist1d(42).hash });
    expect(outcome.trainSeconds).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(total);
    expect(tf.memory().numTensors).toBe(start);

    const steps = evals.map((e) => e.step);
    for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeGreaterThan(steps[i - 1]!);
    for (const e of evals) for (const name of Object.keys(e.values)) expect(LOTTERY_TICKET_METRICS).toContain(name);

    // Curves of the ticket: the dense network from step 0, each later ticket every 10 steps from
    // its start (its step 0 would repeat the previous round's last step), and at its end.
    const curve = evals.filter((e) => 'trainLoss' in e.values).map((e) => e.step);
    expect(curve).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 170, 180, 190, 200, 290, 300, 310, 320]);
    for (const name of CORE_METRICS) expect(evals[0]!.values[name], name).toBeTypeOf('number');
    expect(evals[0]!.values.testAcc).toBeLessThan(0.3);

    const rounds = roundPoints(evals);
    expect(rounds.map((e) => [e.step, e.values.round])).toEqual([
      [40, 0],
      [160, 1],
      [280, 2],
      [400, 3],
    ]);
    const layout = parameterLayout({ input: 40, width: 16, classes: 10 });
    const weights = layout.weights.reduce((a, s) => a + s.size, 0);
    let kept = [640, 256, 160];
    for (const [r, e] of rounds.entries()) {
      expect(e.values.weightsLeft, `round ${r}`).toBeCloseTo(kept.reduce((a, b) => a + b, 0) / weights, 12);
      kept = kept.map((k) => k - Math.round(0.2 * k));
      for (const name of ['ticketTestAcc', 'ticketTrainAcc', 'ticketTestLoss']) expect(e.values[name], name).toBeTypeOf('number');
      const controls = ['randomMaskTestAcc', 'randomMaskTrainAcc', 'freshInitTestAcc', 'freshInitTrainAcc'];
      for (const name of controls) {
        if (r === 0) expect(e.values[name]).toBeUndefined();
        else expect(e.values[name], name).toBeGreaterThan(0.1);
      }
    }
    // Round 0's summary rides on the dense network's last curve point.
    expect(rounds[0]!.values.ticketTestAcc).toBe(rounds[0]!.values.testAcc);
    expect(rounds[0]!.values.ticketTestAcc).toBeGreaterThan(evals[0]!.values.testAcc! + 0.1); // it learned something in 40 steps
  });

  it('resets the survivors to θ₀ each round: round 1 equals the ticket built by hand', async () => {
    const input = { ...TINY, rounds: 1, controls: false };
    const { outcome, evals } = await run(tf, input);
    expect(outcome.stepsCompleted).toBe(80);
    const r1 = roundPoints(evals)[1]!.values;
    const manual = manualRound1Ticket(tf, parse(input));
    expect(r1.ticketTestAcc).toBe(manual.testAcc);
    expect(r1.ticketTestLoss).toBe(manual.testLoss);
  });

  it('rewinds the survivors to the dense weights after k steps and trains from step k', async () => {
    const input = { ...TINY, rounds: 1, controls: false, rewindStep: 15 };
    const { outcome, evals } = await run(tf, input);
    expect(outcome.stepsCompleted).toBe(40 + 25);
    expect(evals.filter((e) => 'trainLoss' in e.values).map((e) => e.step)).toEqual([0, 10, 20, 30, 40, 50, 60, 65]);
    const r1 = roundPoints(evals)[1]!.values;
    const manual = manualRound1Ticket(tf, parse(input));
    expect(r1.ticketTestAcc).toBe(manual.testAcc);
    expect(r1.ticketTestLoss).toBe(manual.testLoss);
    // …and it is not the θ₀ ticket.
    expect(r1.ticketTestLoss).not.toBe(manualRound1Ticket(tf, parse({ ...input, rewindStep: 0 })).testLoss);
  });

  it('is deterministic per seed; the seed changes the weights, not the data', async () => {
    const input = { ...TINY, rounds: 2 };
    const first = await run(tf, input);
    const again = await run(tf, input);
    expect(series(again.evals)).toEqual(series(first.evals));
    const other = await run(tf, { ...input, seed: 1 });
    expect(series(other.evals)).not.toEqual(series(first.evals));
    expect(other.outcome.dataHash).toBe(first.outcome.dataHash);
  });

  it('stops within a step when cancelled, in a ticket or in a control', async () => {
    for (const at of [30, 130]) {
      const { outcome, evals } = await run(tf, TINY, (step) => step >= at);
      expect(outcome.status).toBe('cancelled');
      expect(outcome.stepsCompleted).toBe(at);
      expect(evals.at(-1)!.step).toBeLessThanOrEqual(at);
    }
  });

  it('reports divergence with where it happened', async () => {
    // A backend whose log-softmax turns NaN after a few evaluations stands in for a blown-up net.
    let calls = 0;
    const broken = { ...tf, logSoftmax: ((x: Parameters<Tf['logSoftmax']>[0]) => (++calls > 3 ? tf.mul(tf.logSoftmax(x), NaN) : tf.logSoftmax(x))) as Tf['logSoftmax'] };
    const evals: EvalPoint[] = [];
    const outcome = await lotteryTicketExperiment.train(parse(TINY), {
      tf: broken,
      shouldStop: () => false,
      onEval: (p) => evals.push(p),
      onProgress: () => {},
      yieldNow: () => Promise.resolve(),
    });
    expect(outcome.status).toBe('diverged');
    expect(outcome.reason).toBe('train loss became NaN: dense network of round 0, at step 20 of that training (run step 20) (checked every 10 steps)');
    expect(outcome.stepsCompleted).toBe(20);
    expect(evals.at(-1)!.values.trainLoss).toBeNaN();
  });

  it('keeps every layer’s kept-weight count in step with pruneCount on the default width', () => {
    // The mask bookkeeping the round metrics rely on (0.8^10 = 10.7%, 0.8^11 = 8.6%).
    const layout = parameterLayout({ input: 40, width: 100, classes: 10 });
    const theta = initialParameters(parse({}), layout);
    let mask = denseMask(layout);
    for (let r = 0; r < 11; r++) mask = magnitudePrune(layout, theta, mask, 0.2);
    const left = keptPerLayer(layout, mask).reduce((a, b) => a + b, 0) / 15000;
    expect(left).toBeCloseTo(0.8 ** 11, 3);
  });
});
