/**
 * lottery-ticket — docs/experiments.md §5 (Frankle & Carbin 2019; open_lth; mnist1d
 * `notebooks/lottery-tickets.ipynb`), on MNIST-1D (§3: 4,000 train / 1,000 test).
 *
 * Iterative magnitude pruning of the residual MLP h1 = relu(L1 x); h = h1 + relu(L2 h1);
 * out = L3 h (residual-mlp.ts), trained with Adam on the mean cross-entropy, batches taken in
 * order through the training set. One run does every round for one seed:
 *
 *   round 0:  train the dense network from θ₀ for `stepsPerRound` steps.
 *   round r:  prune `pruneFraction` of each layer's remaining weights by |θ| (biases never), reset
 *             the survivors to θ₀ — or, with `rewindStep` k > 0, to θ_k, the dense network's
 *             weights after k steps, then train steps k … stepsPerRound − 1 — and train the ticket.
 *             The mask is pruned from the previous round's trained ticket. With `controls`, also
 *             train (a) a random mask with the ticket's per-layer counts (drawn anew each round,
 *             seeded) from the same θ₀ (θ_k), and (b) the ticket's mask with a fresh init θ₀′ (a
 *             second PyTorch-default draw, the same every round; trained from step 0 for the full
 *             `stepsPerRound`).
 *
 * `rounds` counts the pruning rounds after the dense one: the default 13 trains 14 tickets.
 *
 * Round r keeps (1 − pruneFraction)^r of the weights: 0.8^10 = 10.7%, 0.8^13 = 5.5%.
 *
 * Each training starts a fresh Adam state and restarts the batch order (at batch k when rewound),
 * as the notebook's `train_model` does. `step` in the recorded points is the run's cumulative
 * optimizer steps over every network trained so far (ticket, then the controls, round by round).
 *
 * Metrics (LOTTERY_TICKET_METRICS):
 *   - every `evalEvery` steps of each ticket training and at its end (at step 0 only in round 0,
 *     where it is not also the previous round's end), the core metrics of the ticket network:
 *     trainLoss, testLoss (mean cross-entropy over the whole set), trainAcc, testAcc (fractions),
 *     l2, primeCount (over all parameters), wallTime (seconds since the run started);
 *   - once per round, at the step where the round's last training ended (LOTTERY_TICKET_ROUND_METRICS):
 *     round, weightsLeft (fraction of the weights, biases excluded, the ticket keeps), ticketTestAcc,
 *     ticketTrainAcc, ticketTestLoss, and for r ≥ 1 with controls randomMaskTestAcc,
 *     randomMaskTrainAcc, freshInitTestAcc, freshInitTrainAcc (accuracies as fractions, all taken
 *     after the network's last step).
 *
 * Speed (wasm, 2-core machine shared with other jobs, width 100, batch 100): one step ≈ 1.4–2.8 ms
 * (≈ 700 steps/s when quiet, 350–500 under load); the three fused forward matmuls and five backward
 * ones are ~60% of it, then ~45 small kernels (slices, Adam on the flat θ, bias sums). Slicing θ
 * per tensor beat one tf.split by ~0.5 ms a step. The cheap preset is 40,000 steps (14 ticket
 * trainings and 2 × 13 controls of 1,000 steps) plus 140 evaluations: 80–120 s per seed.
 *
 * Checked against PyTorch (torch.optim.Adam, nn.Linear, same θ₀ and batches): the batch losses
 * agree to ≤ 1e-7 for the first ~600 steps of the dense network, after which float rounding makes
 * the trajectories drift apart (test accuracy after 1,000 steps 58.3% here, 58.4% in PyTorch).
 */
import { API_VERSION, defineExperiment, STANDARD_METRICS, runTrainingLoop } from '../api';
import { z } from 'zod';
import { MAX_SEED, intField } from '../config-fields';
import { magnitudeStats } from '../prime-count';
import { createRng } from '../rng';
import { CORE_METRICS, type TrainContext, type TrainOutcome } from '../types';
import { disposeEvalSet, loadMnist1d, makeEvalSet, NUM_CLASSES, SequentialBatches, type EvalSet } from './data';
import { denseMask, magnitudePrune, randomMaskLike, weightsLeft } from './pruning';
import { initParameters, MaskedTrainer, parameterLayout, type Layout, type SetScore } from './residual-mlp';

// ---------------------------------------------------------------------------------------------
// Metrics

/** Recorded once per round (see the module comment). */
export const LOTTERY_TICKET_ROUND_METRICS = [
  'round',
  'weightsLeft',
  'ticketTestAcc',
  'ticketTrainAcc',
  'ticketTestLoss',
  'randomMaskTestAcc',
  'randomMaskTrainAcc',
  'freshInitTestAcc',
  'freshInitTrainAcc',
] as const;

/** Every metric a lottery-ticket run records: the core metrics of the ticket network, then the per-round ones. */
export const LOTTERY_TICKET_METRICS = [...CORE_METRICS, ...LOTTERY_TICKET_ROUND_METRICS] as const;

// ---------------------------------------------------------------------------------------------
// Configuration

/** Training-set size of the MNIST-1D split (the largest batch). */
const TRAIN_SIZE = 4000;


export const lotteryTicketConfigSchema = z
  .strictObject({
    rounds: intField('rounds', 0, 40).default(13).describe('Pruning rounds after the dense training; round r keeps (1 − pruneFraction)^r of the weights'),
    stepsPerRound: intField('stepsPerRound', 1, 1_000_000).default(1000).describe('Adam steps per training (every round trains each network this long)'),
    pruneFraction: z
      .number({ error: 'pruneFraction must be a number strictly between 0 and 1' })
      .gt(0, { error: 'pruneFraction must be a number strictly between 0 and 1' })
      .lt(1, { error: 'pruneFraction must be a number strictly between 0 and 1' })
      .default(0.2)
      .describe("Fraction of each layer's remaining weights pruned per round (by magnitude; biases are never pruned)"),
    width: intField('width', 1, 2048).default(100).describe('Hidden width of the residual MLP'),
    lr: z
      .number({ error: 'lr must be a number greater than 0 and at most 10' })
      .gt(0, { error: 'lr must be a number greater than 0 and at most 10' })
      .max(10, { error: 'lr must be a number greater than 0 and at most 10' })
      .default(1e-2)
      .describe('Adam learning rate (β 0.9/0.999, ε 1e-8, as torch.optim.Adam)'),
    batchSize: intField('batchSize', 1, TRAIN_SIZE).default(100).describe('Mini-batch size; batches are taken in order through the training set'),
    rewindStep: intField('rewindStep', 0, 999_999)
      .default(0)
      .describe('0: reset survivors to θ₀ (Frankle & Carbin); k > 0: rewind them to the dense weights after k steps and train from step k'),
    controls: z
      .boolean({ error: 'controls must be true or false' })
      .default(true)
      .describe('Also train the random-mask and fresh-init controls every round (3× the steps)'),
    seed: intField('seed', 0, MAX_SEED).default(0).describe('Seed of the initial weights, the fresh init and the random masks'),
    dataSeed: intField('dataSeed', 0, MAX_SEED).default(42).describe('MNIST-1D generator seed (42 = the published dataset)'),
    evalEvery: intField('evalEvery', 1, 1_000_000).default(100).describe('Evaluate the ticket network every this many steps (and at the end of each training)'),
  })
  .superRefine((c, ctx) => {
    if (c.rewindStep >= c.stepsPerRound) {
      ctx.addIssue({
        code: 'custom',
        path: ['rewindStep'],
        message: `rewindStep must be below stepsPerRound (got ${c.rewindStep} with stepsPerRound ${c.stepsPerRound})`,
      });
    }
  });

export type LotteryTicketConfig = z.output<typeof lotteryTicketConfigSchema>;
export type LotteryTicketConfigInput = z.input<typeof lotteryTicketConfigSchema>;

/** Optimizer steps of one run: the dense training, then per round the ticket and (with controls) both controls. */
export function lotteryTicketTotalSteps(c: LotteryTicketConfig): number {
  const ticket = c.stepsPerRound - c.rewindStep;
  const controls = c.controls ? ticket + c.stepsPerRound : 0;
  return c.stepsPerRound + c.rounds * (ticket + controls);
}

// ---------------------------------------------------------------------------------------------
// Training loop

type NetKind = 'ticket' | 'random-mask' | 'fresh-init';

interface Trained {
  train: SetScore;
  test: SetScore;
  theta: Float32Array;
}

type Stop = { status: 'cancelled' } | { status: 'diverged'; reason: string };

/** Mutable bookkeeping of one run, shared by its trainings. */
class RunState {
  step = 0;
  trainMs = 0;
  readonly started = performance.now();
  readonly total: number;
  constructor(
    readonly config: LotteryTicketConfig,
    readonly ctx: TrainContext,
  ) {
    this.total = lotteryTicketTotalSteps(config);
  }

  wallTime(): number {
    return (performance.now() - this.started) / 1000;
  }
}

function notFinite(s: SetScore): boolean {
  return !Number.isFinite(s.lossSum);
}

/** Core metrics of a trainer (one device read for all scores, one for θ). */
function coreValues(trainer: MaskedTrainer, sets: [EvalSet, EvalSet], run: RunState) {
  const [train, test] = trainer.score(sets);
  const theta = trainer.values();
  return {
    train: train!,
    test: test!,
    theta,
    values: {
      trainLoss: train!.lossSum / train!.n,
      testLoss: test!.lossSum / test!.n,
      trainAcc: train!.correct / train!.n,
      testAcc: test!.correct / test!.n,
      ...magnitudeStats(theta),
      wallTime: run.wallTime(),
    } as Record<string, number>,
  };
}

interface TrainingSpec {
  kind: NetKind;
  round: number;
  theta0: Float32Array;
  mask: Float32Array;
  /** Round-local step to start at (the batch order starts there too). */
  from: number;
  /** Called with the dense network's θ after `snapshotAt` steps (round 0 with rewinding). */
  snapshotAt?: number;
  onSnapshot?: (theta: Float32Array) => void;
  /** The round's metrics, merged into the last curve point when this training ends the round. */
  endOfRound?: (train: SetScore, test: SetScore) => Record<string, number>;
}

async function trainNetwork(
  spec: TrainingSpec,
  run: RunState,
  layout: Layout,
  batches: SequentialBatches,
  sets: [EvalSet, EvalSet],
): Promise<Trained | Stop> {
  const { config, ctx } = run;
  const trainer = new MaskedTrainer(ctx.tf, layout, spec.theta0, spec.mask, config.lr);
  const curve = spec.kind === 'ticket';
  const T = config.stepsPerRound;
  const label = spec.kind === 'ticket' ? (spec.round === 0 ? 'dense network' : 'ticket') : `${spec.kind} control`;
  const where = (s: number) => `${label} of round ${spec.round}, at step ${s} of that training (run step ${run.step})`;
  const ended: { final: Trained | null } = { final: null };
  try {
    const result = await runTrainingLoop(ctx, {
      steps: T,
      from: spec.from,
      evalEvery: config.evalEvery,
      // Only the ticket's training draws the curve: its first point once (round 0), then every evalEvery steps and its end.
      evaluateAt: (s, last) => curve && (last || ((s - spec.from) % config.evalEvery === 0 && (s > spec.from || spec.round === 0))),
      evaluate: (s) => {
        const core = coreValues(trainer, sets, run);
        if (s === T) ended.final = { train: core.train, test: core.test, theta: core.theta };
        return s === T && spec.endOfRound ? { ...core.values, ...spec.endOfRound(core.train, core.test) } : core.values;
      },
      step: (s, clock) => {
        if (s === spec.snapshotAt) {
          const t0 = performance.now();
          spec.onSnapshot?.(trainer.values());
          clock.exclude(performance.now() - t0);
        }
        const batch = batches.get(s);
        trainer.step(batch);
        batches.release(batch);
        run.step += 1;
      },
      stepOffset: run.step,
      trainSecondsBefore: run.trainMs / 1000,
      totalSteps: run.total,
      startedAt: run.started,
      where: (s) => `: ${where(s)}`,
    });
    run.trainMs += 1000 * result.trainSeconds;
    if (result.status === 'cancelled') return { status: 'cancelled' };
    if (result.status === 'diverged') return { status: 'diverged', reason: result.reason! };
    if (ended.final) return ended.final;
    const [train, test] = trainer.score(sets);
    if (notFinite(train!)) return { status: 'diverged', reason: `train loss became ${train!.lossSum / train!.n}: ${where(T)}` };
    return { train: train!, test: test!, theta: trainer.values() };
  } finally {
    trainer.dispose();
  }
}

function isStop(r: Trained | Stop): r is Stop {
  return 'status' in r;
}

const acc = (s: SetScore) => s.correct / s.n;

function ticketMetrics(train: SetScore, test: SetScore): Record<string, number> {
  return { ticketTestAcc: acc(test), ticketTrainAcc: acc(train), ticketTestLoss: test.lossSum / test.n };
}

export async function trainLotteryTicket(config: LotteryTicketConfig, ctx: TrainContext): Promise<TrainOutcome> {
  const { tf } = ctx;
  const run = new RunState(config, ctx);
  const data = loadMnist1d(config.dataSeed);
  const layout = parameterLayout({ input: data.inputSize, width: config.width, classes: NUM_CLASSES });
  const theta0 = initParameters(layout, createRng(config.seed, 'lottery-ticket/init'));
  let freshTheta0: Float32Array | null = null;
  const sets: [EvalSet, EvalSet] = [
    makeEvalSet(tf, data.xTrain, data.yTrain, data.inputSize),
    makeEvalSet(tf, data.xTest, data.yTest, data.inputSize),
  ];
  const batches = new SequentialBatches(tf, data, config.batchSize);
  const outcome = (status: TrainOutcome['status'], reason?: string): TrainOutcome => ({
    status,
    stepsCompleted: run.step,
    trainSeconds: run.trainMs / 1000,
    dataHash: data.hash,
    ...(reason === undefined ? {} : { reason }),
  });
  try {
    let mask = denseMask(layout);
    let rewound: Float32Array = theta0;
    let ticketTheta: Float32Array | null = null;
    for (let round = 0; round <= config.rounds; round++) {
      if (round > 0) mask = magnitudePrune(layout, ticketTheta!, mask, config.pruneFraction);
      const left = weightsLeft(layout, mask);
      const withControls = config.controls && round > 0;
      const summary: Record<string, number> = { round, weightsLeft: left };

      const ticket = await trainNetwork(
        {
          kind: 'ticket',
          round,
          theta0: round === 0 ? theta0 : rewound,
          mask,
          from: round === 0 ? 0 : config.rewindStep,
          ...(round === 0 && config.rewindStep > 0 ? { snapshotAt: config.rewindStep, onSnapshot: (t: Float32Array) => (rewound = t) } : {}),
          endOfRound: withControls ? undefined : (train, test) => ({ ...summary, ...ticketMetrics(train, test) }),
        },
        run,
        layout,
        batches,
        sets,
      );
      if (isStop(ticket)) return outcome(ticket.status, ticket.status === 'diverged' ? ticket.reason : undefined);
      ticketTheta = ticket.theta;
      if (!withControls) continue; // the round's metrics went out with the ticket's last point
      Object.assign(summary, ticketMetrics(ticket.train, ticket.test));

      const randomMask = randomMaskLike(layout, mask, config.seed, `lottery-ticket/random-mask/round-${round}`);
      const random = await trainNetwork({ kind: 'random-mask', round, theta0: rewound, mask: randomMask, from: config.rewindStep }, run, layout, batches, sets);
      if (isStop(random)) return outcome(random.status, random.status === 'diverged' ? random.reason : undefined);
      freshTheta0 ??= initParameters(layout, createRng(config.seed, 'lottery-ticket/fresh-init'));
      const fresh = await trainNetwork({ kind: 'fresh-init', round, theta0: freshTheta0, mask, from: 0 }, run, layout, batches, sets);
      if (isStop(fresh)) return outcome(fresh.status, fresh.status === 'diverged' ? fresh.reason : undefined);
      summary.randomMaskTestAcc = acc(random.test);
      summary.randomMaskTrainAcc = acc(random.train);
      summary.freshInitTestAcc = acc(fresh.test);
      summary.freshInitTrainAcc = acc(fresh.train);
      ctx.onEval({ step: run.step, values: summary });
    }
    ctx.onProgress(run.step, run.total, run.trainMs / 1000);
    return outcome('done');
  } finally {
    batches.dispose();
    for (const s of sets) disposeEvalSet(tf, s);
  }
}

// ---------------------------------------------------------------------------------------------
// Definition

export const lotteryTicketExperiment = defineExperiment({
  apiVersion: API_VERSION,
  key: 'lottery-ticket',
  title: 'Lottery tickets: iterative magnitude pruning on MNIST-1D',
  description:
    'Train a residual MLP on MNIST-1D, prune 20% of each layer’s remaining weights by magnitude, reset the survivors to their ' +
    'initial values and retrain, round after round (Frankle & Carbin 2019). Each round also trains two controls: a random mask ' +
    'with the same per-layer sparsity, and the winning mask with a fresh initialisation. Down to ~10% of the weights the ticket ' +
    'matches the dense network while both controls fall behind.',
  configSchema: lotteryTicketConfigSchema,
  presets: {
    /**
     * docs/experiments.md §5 cheap preset: width 100, Adam 1e-2, batch 100, 13 rounds × 1,000 steps (+ controls).
     * Seeds 0/1/2 (test %, mean): dense 60.2; at 10.7% left ticket 61.0, random mask 46.5, fresh init 53.1;
     * at 8.6% 58.5 / 41.7 / 48.6; at 5.5% 52.0 / 33.4 / 46.9 (bench/lottery-ticket-acceptance.ts).
     */
    default: {},
    /** The same as `default`, by the name docs/experiments.md uses. */
    cheap: {},
    /** A short demo: 5 rounds × 300 steps (down to 33% of the weights), 4,800 steps: ~7 s on wasm. */
    quick: { rounds: 5, stepsPerRound: 300, evalEvery: 50 },
    /** Late resetting (Frankle et al. 2020): survivors rewind to the dense weights after 100 steps instead of θ₀. */
    rewind: { rewindStep: 100 },
  },
  totalSteps: lotteryTicketTotalSteps,
  train: trainLotteryTicket,
  metrics: { ...STANDARD_METRICS, ...Object.fromEntries(LOTTERY_TICKET_ROUND_METRICS.map((m) => [m, 'free' as const])) },
  // Hand-written backward passes: no autodiff needed.
  autodiff: false,
});

export default lotteryTicketExperiment;

/** For tests: the θ₀ a config starts from. */
export function initialParameters(config: LotteryTicketConfig, layout: Layout, stream: 'init' | 'fresh-init' = 'init'): Float32Array {
  return initParameters(layout, createRng(config.seed, `lottery-ticket/${stream}`));
}
