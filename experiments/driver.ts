/**
 * The one training-loop driver every experiment runs on (built-in or the researcher's own): it
 * evaluates on a cadence, checks for divergence after each evaluation, checks for cancel between
 * steps, reports progress, yields to the event loop so that a cancel can arrive, and counts the
 * time spent in optimizer steps. The cadence is defined here once; the host derives its cancel
 * grace period from it (`cancelGraceMs`), so the two cannot drift apart.
 *
 * Pure TypeScript: the host imports this module for the cadence, and it loads no TensorFlow.js.
 */
import type { TrainContext, TrainOutcome } from './types';

/** How often the driver reports progress and gives the event loop a turn. */
export const LOOP_CADENCE = {
  /** Progress at least every this many steps… */
  progressEverySteps: 10,
  /** …and whenever this long has passed since the last report. */
  progressEveryMs: 1000,
  /** A yield (when cancel messages are read) at least every this many steps… */
  yieldEverySteps: 20,
  /** …and whenever this long has passed since the last one (checked after each step). */
  yieldEveryMs: 50,
} as const;

/** The least a trainer is given to stop after a cancel before it is killed. */
export const MIN_CANCEL_GRACE_MS = 1500;

/**
 * How long a trainer gets, after a cancel request, to stop on its own before it is killed: three
 * times the longest the driver may go without reading messages — one yield interval plus the step
 * that overran it, or the longest busy stretch the trainer has reported (an evaluation, a slow
 * step) if that is longer — and at least MIN_CANCEL_GRACE_MS.
 */
export function cancelGraceMs(measured: { secondsPerStep?: number; longestBusyMs?: number } = {}): number {
  const stepMs = 1000 * (measured.secondsPerStep ?? 0);
  const gap = Math.max(LOOP_CADENCE.yieldEveryMs + stepMs, measured.longestBusyMs ?? 0);
  return Math.max(MIN_CANCEL_GRACE_MS, Math.ceil(3 * gap));
}

/** Lets a step keep time it spent on something other than training (a probe) out of the train time. */
export interface StepClock {
  exclude(ms: number): void;
}

export type MetricValues = Record<string, number>;

export interface TrainingLoop {
  /** The step the loop ends at (the last evaluation is made there; no update follows). */
  steps: number;
  /** The step it starts at (default 0): a loop resumed from a rewound state starts later. */
  from?: number;
  /** Evaluate every this many steps (and at `from` and the last step, by default). */
  evalEvery: number;
  /** Whether to evaluate at step `s` (`last`: s === steps). Default: s % evalEvery === 0, or last. */
  evaluateAt?: (s: number, last: boolean) => boolean;
  /** Metric values of the current parameters (read at step `s`, before its update). */
  evaluate(s: number): MetricValues | Promise<MetricValues>;
  /** One optimizer update at step `s`; its time counts as training time (less what it `exclude`s). */
  step(s: number, clock: StepClock): void | Promise<void>;
  /**
   * Run-level step numbering, for loops that are one of several trainings in a run: the step
   * reported for local step `s` is stepOffset + (s − from). Default 0.
   */
  stepOffset?: number;
  /** Training seconds of the run's earlier loops, added to the time this loop reports in progress. */
  trainSecondsBefore?: number;
  /** Total optimizer steps of the whole run, for progress (default steps − from). */
  totalSteps?: number;
  /** performance.now() at the start of the run, for the wallTime metric (default: when the loop starts). */
  startedAt?: number;
  /** Where step `s` is, in a divergence reason (default " at step s"). */
  where?: (s: number) => string;
}

export interface LoopResult {
  status: TrainOutcome['status'];
  /** The run-level step reached (stepOffset + steps run). */
  stepsCompleted: number;
  /** Seconds spent in this loop's `step` calls (less the excluded time; not counting trainSecondsBefore). */
  trainSeconds: number;
  reason?: string;
  /** Values of the last evaluation (with wallTime), if any. */
  lastValues?: MetricValues;
}

/** "train loss became NaN" / "parameter norm became Infinity", or null when both are finite (or absent). */
export function divergence(values: MetricValues): string | null {
  if ('trainLoss' in values && !Number.isFinite(values.trainLoss)) return `train loss became ${values.trainLoss}`;
  if ('l2' in values && !Number.isFinite(values.l2)) return `parameter norm became ${values.l2}`;
  return null;
}

/**
 * Runs `loop` to its end, a cancel, or divergence. Each evaluation goes out through ctx.onEval with
 * its run-level step and `wallTime` (seconds since `startedAt`) and is then checked for divergence:
 * a non-finite trainLoss or l2 ends the run as diverged with the step and the cadence in the reason.
 */
export async function runTrainingLoop(ctx: TrainContext, loop: TrainingLoop): Promise<LoopResult> {
  const started = loop.startedAt ?? performance.now();
  const from = loop.from ?? 0;
  const offset = loop.stepOffset ?? 0;
  const total = loop.totalSteps ?? loop.steps - from;
  const evaluateAt = loop.evaluateAt ?? ((s: number, last: boolean) => last || s % loop.evalEvery === 0);
  const where = loop.where ?? ((s: number) => ` at step ${s}`);
  const C = LOOP_CADENCE;
  const before = 1000 * (loop.trainSecondsBefore ?? 0);
  let trainMs = 0;
  let excluded = 0;
  const clock: StepClock = { exclude: (ms) => void (excluded += ms) };
  let lastValues: MetricValues | undefined;
  let lastProgress = performance.now();
  let lastYield = lastProgress;
  let longestBusyMs = 0;
  const result = (status: LoopResult['status'], s: number, reason?: string): LoopResult => ({
    status,
    stepsCompleted: offset + (s - from),
    trainSeconds: trainMs / 1000,
    ...(reason === undefined ? {} : { reason }),
    ...(lastValues ? { lastValues } : {}),
  });
  for (let s = from; ; s++) {
    const last = s === loop.steps;
    if (evaluateAt(s, last)) {
      const values = { ...(await loop.evaluate(s)) };
      values.wallTime ??= (performance.now() - started) / 1000;
      lastValues = values;
      ctx.onEval({ step: offset + (s - from), values });
      const what = divergence(values);
      if (what) return result('diverged', s, `${what}${where(s)} (checked every ${loop.evalEvery} steps)`);
    }
    if (last) break;
    if (ctx.shouldStop()) return result('cancelled', s);
    excluded = 0;
    const t0 = performance.now();
    await loop.step(s, clock);
    const now = performance.now();
    trainMs += now - t0 - excluded;
    const done = offset + (s + 1 - from);
    if (done % C.progressEverySteps === 0 || now - lastProgress >= C.progressEveryMs) {
      longestBusyMs = Math.max(longestBusyMs, now - lastYield);
      ctx.onProgress(done, total, (before + trainMs) / 1000, longestBusyMs);
      lastProgress = now;
    }
    if (done % C.yieldEverySteps === 0 || now - lastYield >= C.yieldEveryMs) {
      longestBusyMs = Math.max(longestBusyMs, now - lastYield);
      await ctx.yieldNow();
      lastYield = performance.now();
    }
  }
  ctx.onProgress(offset + (loop.steps - from), total, (before + trainMs) / 1000, longestBusyMs);
  return result('done', loop.steps);
}
