/**
 * The pace of a training run as the progress line shows it: steps per second measured over wall
 * time from the first step reported (the trainer's start-up — loading TensorFlow.js, building the
 * data — is not a step and is left out; evaluations are in, since they take the run's time too),
 * and the ETA that follows from exactly that rate. Until a few steps over a second or more are
 * measured there is no honest rate: both are null and the UI says "estimating…".
 */
export const PACE_MIN_STEPS = 10;
export const PACE_MIN_SECONDS = 1;

export interface PaceReading {
  stepsPerSecond: number | null;
  etaSeconds: number | null;
}

export class Pace {
  private from: { step: number; at: number } | null = null;

  /** `at` in seconds on any monotonic clock. */
  observe(step: number, total: number, at: number): PaceReading {
    if (!this.from) {
      this.from = { step, at };
      return { stepsPerSecond: null, etaSeconds: null };
    }
    const steps = step - this.from.step;
    const seconds = at - this.from.at;
    if (steps < PACE_MIN_STEPS || seconds < PACE_MIN_SECONDS) return { stepsPerSecond: null, etaSeconds: null };
    const stepsPerSecond = steps / seconds;
    return { stepsPerSecond, etaSeconds: Math.max(0, total - step) / stepsPerSecond };
  }
}
