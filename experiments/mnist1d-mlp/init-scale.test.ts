import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../trainer/backend';
import { describeExperiment } from '../describe';
import { CORE_METRICS, type ExperimentDefinition, type Tf } from '../types';
import { initScaleConfigSchema, initScaleData, initScaleExperiment, initScaleInit, type InitScaleConfigInput } from './init-scale.experiment';
import { mlpParameterCount } from './mlp';
import { issues, runExperiment, series } from '../../test/run-experiment';

/** A small, fast run: width 32, 200 train samples, batch 50. */
const TINY: InitScaleConfigInput = { width: 32, trainSize: 200, batchSize: 50, steps: 60, evalEvery: 20, seed: 0 };

describe('init-scale config', () => {
  it('defaults to docs/experiments.md §6 and parses every preset', () => {
    const c = initScaleConfigSchema.parse({});
    expect(c).toMatchObject({ alpha: 1, width: 200, lr: 1e-3, weightDecay: 0.1, batchSize: 200, trainSize: 1000, dataSeed: 42, seed: 0 });
    expect(c.steps).toBeGreaterThanOrEqual(5000); // α = 8 first reaches train accuracy 0.95 after ~5,200 steps
    expect(initScaleExperiment.totalSteps(c)).toBe(c.steps);
    for (const [name, preset] of Object.entries(initScaleExperiment.presets)) {
      expect(() => initScaleConfigSchema.parse(preset), name).not.toThrow();
    }
    expect(initScaleConfigSchema.parse(initScaleExperiment.presets['alpha-8']!).alpha).toBe(8);
    expect(initScaleConfigSchema.parse(initScaleExperiment.presets.long!)).toMatchObject({ alpha: 8, steps: 10_000 });
    expect(initScaleExperiment.key).toBe('init-scale');
  });

  it('rejects bad values with messages naming the field and its range', () => {
    const message = (input: unknown) => issues(initScaleConfigSchema, input);
    expect(message({ alpha: 0 })).toContain('alpha must be a number greater than 0 and at most 1000');
    expect(message({ trainSize: 4001 })).toContain('trainSize must be an integer from 1 to 4000');
    expect(message({ batchSize: 0 })).toContain('batchSize must be an integer from 1 to 4000');
    expect(message({ weightDecay: -0.1 })).toContain('weightDecay must be a number from 0 to 1000');
    expect(message({ lr: 11 })).toContain('lr must be a number greater than 0 and at most 10');
    expect(message({ steps: 0 })).toContain('steps must be an integer from 1 to 10000000');
    expect(message({ lr: 1, weightDecay: 2 })).toContain('lr × weightDecay must be at most 1');
    expect(message({ trainSize: 100, batchSize: 200 })).toContain('batchSize must be at most trainSize (100)');
    expect(message({ scale: 8 })).toMatch(/scale/);
  });

  it('describes every knob for forms', () => {
    const info = describeExperiment(initScaleExperiment as unknown as ExperimentDefinition);
    expect(info.fields.map((f) => f.key)).toEqual(['alpha', 'width', 'steps', 'lr', 'weightDecay', 'batchSize', 'trainSize', 'dataSeed', 'seed', 'evalEvery']);
    for (const f of info.fields) expect(f.description, f.key).not.toBe('');
    expect(info.fields.find((f) => f.key === 'alpha')).toMatchObject({ type: 'number', exclusiveMinimum: 0, maximum: 1000, default: 1 });
  });

  it('multiplies every initial parameter of the same base draw by α', () => {
    const one = initScaleInit({ width: 200, seed: 3, alpha: 1 });
    const eight = initScaleInit({ width: 200, seed: 3, alpha: 8 });
    expect(one.length).toBe(mlpParameterCount([40, 200, 200, 10]));
    for (const i of [0, 7_999, 8_000, 8_199, 48_200, one.length - 1]) expect(eight[i]).toBe(Math.fround(8 * one[i]!));
    const data = initScaleData({ trainSize: 1000, dataSeed: 42 });
    expect([data.train.n, data.test.n]).toEqual([1000, 1000]);
  });
});

describe('init-scale training on wasm', () => {
  let tf: Tf;
  beforeAll(async () => {
    tf = (await selectBackend({ only: 'wasm' })).tf;
  });

  it('trains on the MSE, deterministically, with a larger loss and norm at α = 8', async () => {
    const start = tf.memory().numTensors;
    const a1 = await runExperiment(initScaleExperiment, tf, TINY);
    expect(a1.outcome).toMatchObject({ status: 'done', stepsCompleted: 60 });
    expect(a1.evals.map((e) => e.step)).toEqual([0, 20, 40, 60]);
    for (const name of [...CORE_METRICS, 'tailCount']) expect(a1.evals[0]!.values[name], name).toBeTypeOf('number');
    const first = a1.evals[0]!.values;
    const last = a1.evals.at(-1)!.values;
    expect(first.trainLoss).toBeGreaterThan(0.05); // mean over 10 outputs of (f − onehot)² starts near 0.1
    expect(first.trainLoss).toBeLessThan(0.2);
    expect(last.trainLoss).toBeLessThan(first.trainLoss! * 0.8);
    expect(last.trainAcc).toBeGreaterThan(first.trainAcc!);
    const again = await runExperiment(initScaleExperiment, tf, TINY);
    expect(series(again.evals)).toEqual(series(a1.evals));
    const a8 = await runExperiment(initScaleExperiment, tf, { ...TINY, alpha: 8, steps: 20 });
    expect(a8.evals[0]!.values.l2).toBeCloseTo(8 * first.l2!, 2);
    expect(a8.evals[0]!.values.trainLoss).toBeGreaterThan(100 * first.trainLoss!); // outputs grow like α³
    expect(a8.outcome.dataHash).toBe(a1.outcome.dataHash);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('stops within a step when cancelled', async () => {
    const { outcome } = await runExperiment(initScaleExperiment, tf, { ...TINY, steps: 100_000 }, (step) => step >= 20);
    expect(outcome).toMatchObject({ status: 'cancelled', stepsCompleted: 20 });
  });
});
