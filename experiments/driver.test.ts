import { describe, expect, it } from 'vitest';
import { cancelGraceMs, divergence, LOOP_CADENCE, MIN_CANCEL_GRACE_MS, runTrainingLoop, type TrainingLoop } from './driver';
import type { EvalPoint, TrainContext, Tf } from './types';

interface Recorded {
  ctx: TrainContext;
  evals: EvalPoint[];
  progress: { step: number; total: number; trainSeconds: number }[];
  yields: number[];
}

/** A context that records everything; `stopAfter`: shouldStop() turns true once that many steps ran. */
function recorder(stopAfter = Infinity, steps: { n: number } = { n: 0 }): Recorded {
  const r: Recorded = { evals: [], progress: [], yields: [], ctx: undefined as unknown as TrainContext };
  r.ctx = {
    tf: {} as Tf,
    shouldStop: () => steps.n >= stopAfter,
    onEval: (p) => r.evals.push(p),
    onProgress: (step, total, trainSeconds) => r.progress.push({ step, total, trainSeconds }),
    yieldNow: async () => {
      r.yields.push(steps.n);
      await new Promise((res) => setImmediate(res));
    },
  };
  return r;
}

/** A loop whose "loss" is 1 / (1 + step) and whose l2 is the step count. */
function countingLoop(steps: number, evalEvery: number, counter: { n: number }, extra: Partial<TrainingLoop> = {}): TrainingLoop {
  return {
    steps,
    evalEvery,
    evaluate: (s) => ({ trainLoss: 1 / (1 + s), l2: counter.n }),
    step: () => void counter.n++,
    ...extra,
  };
}

describe('runTrainingLoop', () => {
  it('evaluates at 0, every evalEvery steps and at the last step, then reports done', async () => {
    const counter = { n: 0 };
    const r = recorder(Infinity, counter);
    const result = await runTrainingLoop(r.ctx, countingLoop(23, 5, counter));
    expect(result.status).toBe('done');
    expect(result.stepsCompleted).toBe(23);
    expect(counter.n).toBe(23);
    expect(r.evals.map((e) => e.step)).toEqual([0, 5, 10, 15, 20, 23]);
    // Values are read before the update of their step; wallTime is added.
    expect(r.evals[2]!.values).toMatchObject({ trainLoss: 1 / 11, l2: 10 });
    expect(typeof r.evals[2]!.values.wallTime).toBe('number');
    expect(result.lastValues?.l2).toBe(23);
  });

  it('reports progress every 10 steps and at the end, and yields at least every 20 steps', async () => {
    const counter = { n: 0 };
    const r = recorder(Infinity, counter);
    await runTrainingLoop(r.ctx, countingLoop(45, 100, counter));
    const steps = r.progress.map((p) => p.step);
    for (const s of [10, 20, 30, 40, 45]) expect(steps).toContain(s);
    expect(r.progress.at(-1)).toMatchObject({ step: 45, total: 45 });
    for (const s of [20, 40]) expect(r.yields).toContain(s);
    expect(LOOP_CADENCE.yieldEverySteps).toBe(20);
  });

  it('yields on time as well as on step count when steps are slow', async () => {
    const counter = { n: 0 };
    const r = recorder(Infinity, counter);
    const busy = (ms: number) => {
      const end = performance.now() + ms;
      while (performance.now() < end);
    };
    await runTrainingLoop(r.ctx, countingLoop(6, 100, counter, { step: () => (busy(LOOP_CADENCE.yieldEveryMs + 5), void counter.n++) }));
    expect(r.yields).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('stops between steps when asked, keeping the evaluations made', async () => {
    const counter = { n: 0 };
    const r = recorder(12, counter);
    const result = await runTrainingLoop(r.ctx, countingLoop(100, 5, counter));
    expect(result).toMatchObject({ status: 'cancelled', stepsCompleted: 12 });
    expect(r.evals.map((e) => e.step)).toEqual([0, 5, 10]);
  });

  it('ends a run whose train loss or parameter norm is not finite as diverged, saying where', async () => {
    const counter = { n: 0 };
    const r = recorder(Infinity, counter);
    const result = await runTrainingLoop(r.ctx, countingLoop(100, 4, counter, { evaluate: (s) => ({ trainLoss: s >= 7 ? Number.NaN : 1, l2: 1 }) }));
    expect(result.status).toBe('diverged');
    expect(result.reason).toBe('train loss became NaN at step 8 (checked every 4 steps)');
    expect(result.stepsCompleted).toBe(8);
    // The diverged evaluation is still reported.
    expect(r.evals.at(-1)!.values.trainLoss).toBeNaN();
    const r2 = recorder();
    const norm = await runTrainingLoop(r2.ctx, { ...countingLoop(10, 1, { n: 0 }), evaluate: (s) => ({ trainLoss: 1, l2: s === 3 ? Infinity : 1 }), where: (s) => `: net A, step ${s}` });
    expect(norm.reason).toBe('parameter norm became Infinity: net A, step 3 (checked every 1 steps)');
  });

  it('numbers steps at run level for one of several trainings, and honours evaluateAt and exclude', async () => {
    const counter = { n: 0 };
    let busyMs = 0;
    const r = recorder(Infinity, counter);
    const busy = (ms: number) => {
      const end = performance.now() + ms;
      while (performance.now() < end);
    };
    const result = await runTrainingLoop(r.ctx, {
      ...countingLoop(30, 10, counter),
      from: 20,
      stepOffset: 100,
      totalSteps: 500,
      trainSecondsBefore: 7,
      evaluateAt: (s, last) => last,
      step: (_s, clock) => {
        const t = performance.now();
        busy(3);
        const spent = performance.now() - t;
        busyMs += spent;
        clock.exclude(spent);
        counter.n++;
      },
    });
    expect(result.stepsCompleted).toBe(110);
    expect(r.evals.map((e) => e.step)).toEqual([110]);
    expect(r.progress.at(-1)).toMatchObject({ step: 110, total: 500 });
    // Only the loop's own training time, without the excluded busy time; progress adds the earlier seconds.
    expect(busyMs).toBeGreaterThanOrEqual(30);
    expect(result.trainSeconds * 1000).toBeLessThan(busyMs / 2);
    expect(r.progress.at(-1)!.trainSeconds).toBeGreaterThanOrEqual(7);
  });

  it('awaits asynchronous steps and evaluations', async () => {
    const counter = { n: 0 };
    const r = recorder(Infinity, counter);
    const result = await runTrainingLoop(r.ctx, {
      ...countingLoop(4, 2, counter),
      evaluate: async (s) => ({ trainLoss: s }),
      step: async () => {
        await new Promise((res) => setTimeout(res, 1));
        counter.n++;
      },
    });
    expect(result.status).toBe('done');
    expect(r.evals.map((e) => e.values.trainLoss)).toEqual([0, 2, 4]);
  });
});

describe('divergence', () => {
  it('names the first non-finite of train loss and l2, ignoring absent ones', () => {
    expect(divergence({ trainLoss: 1, l2: 2 })).toBeNull();
    expect(divergence({ testAcc: Number.NaN })).toBeNull();
    expect(divergence({ trainLoss: -Infinity })).toBe('train loss became -Infinity');
    expect(divergence({ l2: Number.NaN })).toBe('parameter norm became NaN');
  });
});

describe('cancelGraceMs', () => {
  it('is three yield gaps, at least the minimum, and grows with slow steps or long busy stretches', () => {
    expect(cancelGraceMs()).toBe(MIN_CANCEL_GRACE_MS);
    expect(cancelGraceMs({ secondsPerStep: 0.01 })).toBe(MIN_CANCEL_GRACE_MS);
    // A 2 s step: the loop can go one step past the 50 ms yield deadline.
    expect(cancelGraceMs({ secondsPerStep: 2 })).toBe(3 * (2000 + LOOP_CADENCE.yieldEveryMs));
    expect(cancelGraceMs({ secondsPerStep: 0.001, longestBusyMs: 4000 })).toBe(12_000);
  });
});
