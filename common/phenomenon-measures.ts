import type { SweepResults } from '../contract/sweeps';

/** A stored series: evaluated steps and values (null = not finite). */
export interface StepSeries {
  steps: readonly number[];
  values: readonly (number | null)[];
}

const firstStep = (s: StepSeries | undefined, hit: (v: number) => boolean): number | null => {
  if (!s) return null;
  const i = s.values.findIndex((v) => v !== null && hit(v));
  return i < 0 ? null : s.steps[i]!;
};

export interface GrokkingDelay {
  /** First step train accuracy is 1, first step test accuracy ≥ threshold, and the steps between. */
  accuracy: { trainFit: number | null; testReached: number | null; threshold: number; delay: number | null };
  /**
   * The same read off the losses (the metric-choice control): first steps at which train and test
   * loss fall to `fraction` of their first recorded value. A delay that shrinks or vanishes here is
   * partly an artefact of the accuracy threshold.
   */
  loss: { trainFit: number | null; testReached: number | null; fraction: number; delay: number | null };
}

export function grokkingDelays(
  m: { trainAcc?: StepSeries; testAcc?: StepSeries; trainLoss?: StepSeries; testLoss?: StepSeries },
  accuracyThreshold = 0.9,
  lossFraction = 0.1,
): GrokkingDelay {
  const trainFit = firstStep(m.trainAcc, (v) => v >= 1);
  const testReached = firstStep(m.testAcc, (v) => v >= accuracyThreshold);
  const below = (s: StepSeries | undefined) => {
    const first = s?.values.find((v): v is number => v !== null);
    return first === undefined ? null : firstStep(s, (v) => v <= lossFraction * first);
  };
  const lossTrain = below(m.trainLoss);
  const lossTest = below(m.testLoss);
  return {
    accuracy: { trainFit, testReached, threshold: accuracyThreshold, delay: trainFit !== null && testReached !== null ? testReached - trainFit : null },
    loss: { trainFit: lossTrain, testReached: lossTest, fraction: lossFraction, delay: lossTrain !== null && lossTest !== null ? lossTest - lossTrain : null },
  };
}

export interface SweepMeasures {
  /** Double descent: the smallest knob value from which mean train error stays 0. */
  interpolationThreshold?: number | null;
  /** Double descent: where mean test error peaks (at or above `from`), its height, and how far the widest point falls below it. */
  peak?: { at: number; testError: number; dropToWidest: number } | null;
  /** Lottery ticket: the largest fraction of weights remaining at which the ticket's mean test accuracy is below the dense network's. */
  ticketFallsBelowDenseAt?: number | null;
}

/**
 * Phenomenon measures of a sweep's seed-aggregated results. `minKnob` leaves out the smallest
 * settings when looking for the double-descent peak (the tiniest widths underfit).
 */
export function sweepMeasures(results: SweepResults, knob: string | undefined, minKnob = 8): SweepMeasures {
  const rounds = results.points.filter((p) => typeof p.remainingFraction === 'number');
  if (rounds.length) {
    const dense = results.denseTestAcc?.mean;
    if (dense === undefined) return { ticketFallsBelowDenseAt: null };
    const below = rounds
      .filter((p) => (p.metrics.ticketTestAcc?.mean ?? Number.POSITIVE_INFINITY) < dense)
      .map((p) => p.remainingFraction as number)
      .sort((a, b) => b - a);
    return { ticketFallsBelowDenseAt: below[0] ?? null };
  }
  if (!knob) return {};
  const points = results.points.filter((p) => typeof p[knob] === 'number' && p.metrics.testError).sort((a, b) => (a[knob] as number) - (b[knob] as number));
  if (points.length === 0) return {};
  let threshold: number | null = null;
  for (let i = points.length - 1; i >= 0 && (points[i]!.metrics.trainError?.mean ?? 1) <= 1e-9; i--) threshold = points[i]![knob] as number;
  const candidates = points.filter((p) => (p[knob] as number) >= minKnob);
  const top = candidates.reduce<(typeof points)[number] | null>((best, p) => (!best || p.metrics.testError!.mean > best.metrics.testError!.mean ? p : best), null);
  const widest = points.at(-1)!;
  return {
    interpolationThreshold: threshold,
    peak: top ? { at: top[knob] as number, testError: top.metrics.testError!.mean, dropToWidest: top.metrics.testError!.mean - widest.metrics.testError!.mean } : null,
  };
}
