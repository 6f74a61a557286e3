import { z } from 'zod';
import type { ExperimentDefinition } from '../experiments/types';

/**
 * A tiny deterministic "experiment" for testing the run machinery without real training:
 * a scalar loss that decays geometrically, on the real TensorFlow.js cpu backend.
 */
export const countdownSchema = z.strictObject({
  steps: z.int().min(1, { error: 'steps must be an integer from 1 to 100000' }).max(100_000).default(50),
  evalEvery: z.int().min(1).default(5),
  stepDelayMs: z.number().min(0).max(1000).default(0),
  failAtStep: z.int().min(-1).default(-1),
  nanAtStep: z.int().min(-1).default(-1),
  seed: z.int().min(0).default(0),
});

export const countdownExperiment: ExperimentDefinition<typeof countdownSchema> = {
  key: 'countdown',
  title: 'Countdown (test)',
  description: 'A test double',
  configSchema: countdownSchema,
  presets: { default: {}, long: { steps: 100_000, stepDelayMs: 5 } },
  totalSteps: (c) => c.steps,
  async train(c, ctx) {
    const started = performance.now();
    let trainSeconds = 0;
    let loss = 1 + c.seed;
    for (let step = 0; step <= c.steps; step++) {
      if (step % c.evalEvery === 0 || step === c.steps) {
        const value = step === c.nanAtStep ? Number.NaN : loss;
        ctx.onEval({ step, values: { trainLoss: value, testLoss: value * 2, wallTime: (performance.now() - started) / 1000 } });
        if (!Number.isFinite(value)) return { status: 'diverged', stepsCompleted: step, trainSeconds, dataHash: 'x', reason: `train loss became NaN at step ${step}` };
      }
      if (step === c.steps) break;
      if (ctx.shouldStop()) return { status: 'cancelled', stepsCompleted: step, trainSeconds, dataHash: 'x' };
      if (step === c.failAtStep) throw new Error(`boom at step ${step}`);
      const t0 = performance.now();
      loss = ctx.tf.tidy(() => ctx.tf.mul(ctx.tf.scalar(loss), 0.9).dataSync()[0]!);
      if (c.stepDelayMs > 0) await new Promise((r) => setTimeout(r, c.stepDelayMs));
      trainSeconds += (performance.now() - t0) / 1000;
      ctx.onProgress(step + 1, c.steps, trainSeconds);
      if (step % 5 === 0) await ctx.yieldNow();
    }
    return { status: 'done', stepsCompleted: c.steps, trainSeconds, dataHash: `seed-${c.seed}` };
  },
};

export const FAKE_EXPERIMENTS: ReadonlyMap<string, ExperimentDefinition> = new Map([
  [countdownExperiment.key, countdownExperiment as unknown as ExperimentDefinition],
]);
