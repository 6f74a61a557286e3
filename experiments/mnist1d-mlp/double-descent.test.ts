import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../trainer/backend';
import { describeExperiment } from '../describe';
import { CORE_METRICS, type EvalPoint, type ExperimentDefinition, type Tf } from '../types';
import {
  DOUBLE_DESCENT_WIDTHS,
  doubleDescentConfigSchema,
  doubleDescentData,
  doubleDescentExperiment,
  doubleDescentInit,
  parameterCount,
  type DoubleDescentConfigInput,
} from './double-descent.experiment';
import { Sgd } from './sgd';
import { issues, runExperiment, series } from '../../test/run-experiment';
import { MlpRun, trainMlpRun } from './train-loop';

/** A small, fast run: 1,000 samples (200 train / 800 test), h 8. */
const TINY: DoubleDescentConfigInput = { numSamples: 1000, width: 8, steps: 100, evalEvery: 10, seed: 0 };

describe('double-descent config', () => {
  it('defaults to the cheap settings and parses every preset', () => {
    const c = doubleDescentConfigSchema.parse({});
    expect(c).toMatchObject({ width: 16, steps: 5000, labelNoise: 0.15, lr: 0.01, momentum: 0.9, batchSize: 100, numSamples: 5000, trainSplit: 0.2, dataSeed: 42, seed: 0 });
    expect(doubleDescentExperiment.totalSteps(c)).toBe(5000);
    for (const [name, preset] of Object.entries(doubleDescentExperiment.presets)) {
      expect(() => doubleDescentConfigSchema.parse(preset), name).not.toThrow();
    }
    expect(doubleDescentConfigSchema.parse(doubleDescentExperiment.presets.cheap!)).toEqual(c);
    expect(doubleDescentConfigSchema.parse(doubleDescentExperiment.presets.full!)).toMatchObject({ numSamples: 16000, trainSplit: 0.25, steps: 20000 });
    expect(doubleDescentExperiment.key).toBe('double-descent');
  });

  it('rejects bad values with messages naming the field and its range', () => {
    const message = (input: unknown) => issues(doubleDescentConfigSchema, input);
    expect(message({ width: 0 })).toContain('width must be an integer from 1 to 4096');
    expect(message({ width: 2.5 })).toContain('width must be an integer from 1 to 4096');
    expect(message({ width: '16' })).toContain('width must be an integer from 1 to 4096');
    expect(message({ lr: 0 })).toContain('lr must be a number greater than 0 and at most 10');
    expect(message({ momentum: 1 })).toContain('momentum must be a number from 0 to below 1');
    expect(message({ labelNoise: 1.5 })).toContain('labelNoise must be a number from 0 to 1');
    expect(message({ trainSplit: 1 })).toContain('trainSplit must be a number strictly between 0 and 1');
    expect(message({ numSamples: 5 })).toContain('numSamples must be an integer from 20 to 200000');
    expect(message({ seed: -1 })).toContain('seed must be an integer from 0 to 4294967295');
    expect(message({ dataSeed: 2 ** 32 })).toContain('dataSeed must be an integer from 0 to 4294967295');
    expect(message({ evalEvery: 0 })).toContain('evalEvery must be an integer from 1 to 1000000');
    expect(message({ numSamples: 100, trainSplit: 0.001 })).toContain('leaves 0 train and 100 test samples');
    expect(message({ batchSize: 1001 })).toContain('batchSize must be at most the 1000 train samples');
    expect(message({ width: 4096, batchSize: 10000, numSamples: 100000 })).toContain('batchSize × width');
    expect(message({ hidden: 16 })).toMatch(/hidden/); // unknown keys are errors
  });

  it('describes every knob for forms, with ranges and defaults', () => {
    const info = describeExperiment(doubleDescentExperiment as unknown as ExperimentDefinition);
    expect(info.fields.map((f) => f.key)).toEqual([
      'width',
      'steps',
      'labelNoise',
      'lr',
      'momentum',
      'batchSize',
      'numSamples',
      'trainSplit',
      'dataSeed',
      'seed',
      'evalEvery',
      'task',
      'hiddenLayers',
      'loss',
      'probe',
      'probeTest',
      'batchRemainder',
    ]);
    for (const f of info.fields) expect(f.description, f.key).not.toBe('');
    expect(info.fields.find((f) => f.key === 'width')).toMatchObject({ type: 'integer', minimum: 1, maximum: 4096, default: 16 });
    expect(info.fields.find((f) => f.key === 'momentum')).toMatchObject({ type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.9 });
    expect(info.presets.map((p) => p.name)).toEqual(['default', 'cheap', 'full', 'telescoping', 'telescoping-approximation', 'telescoping-paper']);
  });

  it('sets up the telescoping preset (docs/experiments.md §8) and refuses the probe where it would compute something wrong', () => {
    const t = doubleDescentConfigSchema.parse(doubleDescentExperiment.presets.telescoping!);
    expect(t).toMatchObject({ task: 'binary-0v1', hiddenLayers: 1, loss: 'mse', momentum: 0, lr: 0.01, batchSize: 100, batchRemainder: 'even', labelNoise: 0.15, probe: true, probeTest: 100, steps: 12000 });
    // Every other preset keeps the smaller last batch its results were measured with.
    for (const name of ['default', 'cheap', 'full']) expect(doubleDescentConfigSchema.parse(doubleDescentExperiment.presets[name]!).batchRemainder, name).toBe('smaller-last');
    expect(doubleDescentExperiment.parameterCount!(t)).toBe(40 * 16 + 16 + 16 + 1);
    expect(doubleDescentExperiment.sweepGrids!.telescoping![0]!.values).toEqual([1, 2, 3, 4, 6, 8, 12, 16, 32, 64, 128, 256]);
    const message = (input: unknown) => issues(doubleDescentConfigSchema, input);
    const binary = { task: 'binary-0v1', hiddenLayers: 1, loss: 'mse', momentum: 0 };
    expect(message({ batchRemainder: 'pad' })).toContain('batchRemainder must be one of smaller-last, even, drop');
    // The experiment's own optimiser, SGD with momentum 0.9, is in scope (the momentum recursion).
    expect(doubleDescentConfigSchema.safeParse({ ...binary, probe: true, momentum: 0.9 }).success).toBe(true);
    expect(message({ probe: true, momentum: 0, loss: 'mse' })).toContain('this network has 10 outputs (multi-class is not supported yet)');
    expect(message({ ...binary, loss: 'cross-entropy' })).toContain('set loss=mse');
    expect(message({ task: 'three-class' })).toContain('task must be one of ten-class, binary-0v1');
    expect(message({ hiddenLayers: 3 })).toContain('hiddenLayers must be an integer from 1 to 2');
    expect(message({ ...binary, probe: 'yes' })).toContain('probe must be true or false');
  });

  it('exports the sweep widths and the parameter count h² + 52h + 10', () => {
    expect(DOUBLE_DESCENT_WIDTHS.cheap).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 20, 24, 32, 48, 64, 96]);
    expect(DOUBLE_DESCENT_WIDTHS.full).toEqual([2, 3, 4, 5, 7, 9, 12, 16, 21, 27, 36, 47, 61, 80, 104, 135, 177, 230, 300]);
    expect(parameterCount(16)).toBe(40 * 16 + 16 + 16 * 16 + 16 + 16 * 10 + 10);
    expect(parameterCount(2)).toBe(118);
    expect(parameterCount(300)).toBe(105_610);
    expect(doubleDescentInit({ width: 16, seed: 0 }).length).toBe(parameterCount(16));
  });
});

describe('double-descent training on wasm', () => {
  let tf: Tf;
  beforeAll(async () => {
    tf = (await selectBackend({ only: 'wasm' })).tf;
  });

  it('records every core metric from step 0, lowers the loss within 100 steps, and is deterministic per seed', async () => {
    const start = tf.memory().numTensors;
    const first = await runExperiment(doubleDescentExperiment, tf, TINY);
    expect(first.outcome).toMatchObject({ status: 'done', stepsCompleted: 100 });
    expect(first.outcome.trainSeconds).toBeGreaterThan(0);
    expect(first.outcome.dataHash).toBe(doubleDescentData(doubleDescentConfigSchema.parse(TINY)).hash);
    expect(first.evals.map((e) => e.step)).toEqual(Array.from({ length: 11 }, (_, i) => 10 * i));
    for (const name of [...CORE_METRICS, 'tailCount']) expect(first.evals[0]!.values[name], name).toBeTypeOf('number');
    const v0 = first.evals[0]!.values;
    const v100 = first.evals.at(-1)!.values;
    expect(v0.trainLoss).toBeGreaterThan(2.2); // ≈ ln 10 at init
    expect(v0.trainLoss).toBeLessThan(2.45);
    expect(v100.trainLoss).toBeLessThan(v0.trainLoss! - 0.05);
    expect(v100.l2).not.toBe(v0.l2);
    expect(first.progress.at(-1)).toBe(100);
    expect(tf.memory().numTensors).toBe(start);

    const again = await runExperiment(doubleDescentExperiment, tf, TINY);
    expect(series(again.evals)).toEqual(series(first.evals));
    const other = await runExperiment(doubleDescentExperiment, tf, { ...TINY, seed: 1, steps: 20 });
    expect(series(other.evals).trainLoss).not.toEqual(series(first.evals).trainLoss!.slice(0, 3));
    expect(other.outcome.dataHash).toBe(first.outcome.dataHash); // the seed varies training, not the data
    const otherData = await runExperiment(doubleDescentExperiment, tf, { ...TINY, dataSeed: 1, steps: 1 });
    expect(otherData.outcome.dataHash).not.toBe(first.outcome.dataHash);
  });

  it('stops within a step when cancelled', async () => {
    const { outcome, evals } = await runExperiment(doubleDescentExperiment, tf, { ...TINY, steps: 100_000 }, (step) => step >= 30);
    expect(outcome.status).toBe('cancelled');
    expect(outcome.stepsCompleted).toBe(30);
    expect(evals.at(-1)!.step).toBe(30);
  });

  it('covers the train set once per epoch with a smaller last batch, without leaking tensors', () => {
    const config = doubleDescentConfigSchema.parse({ ...TINY, numSamples: 250, trainSplit: 0.5, batchSize: 50 }); // 125 = 50 + 50 + 25
    const data = doubleDescentData(config);
    const run = new MlpRun(tf, {
      sizes: [40, 8, 8, 10],
      theta0: doubleDescentInit(config),
      loss: 'cross-entropy',
      makeOptimizer: (t) => new Sgd(t, { lr: 0.01, momentum: 0.9 }),
      data,
      batchSize: 50,
      steps: 100,
      evalEvery: 10,
      seed: 0,
    });
    for (let i = 0; i < 4; i++) run.step();
    const warm = tf.memory().numTensors;
    for (let i = 0; i < 30; i++) run.step();
    expect(tf.memory().numTensors).toBe(warm); // both mid-epoch after one batch: the same epoch tensors are held
    expect(run.stepsDone).toBe(34);
    const v = run.evaluate();
    expect(Number.isFinite(v.trainLoss)).toBe(true);
    run.dispose();
  });

  it('reports divergence when the parameters stop being finite', async () => {
    const config = doubleDescentConfigSchema.parse(TINY);
    const evals: EvalPoint[] = [];
    const outcome = await trainMlpRun(
      {
        sizes: [40, 8, 8, 10],
        theta0: doubleDescentInit(config),
        loss: 'cross-entropy',
        makeOptimizer: (t) => new Sgd(t, { lr: Infinity }),
        data: doubleDescentData(config),
        batchSize: 100,
        steps: 50,
        evalEvery: 5,
        seed: 0,
      },
      { tf, shouldStop: () => false, onEval: (p) => evals.push(p), onProgress: () => {}, yieldNow: async () => {} },
    );
    expect(outcome.status).toBe('diverged');
    expect(outcome.stepsCompleted).toBe(5);
    expect(outcome.reason).toMatch(/became (NaN|Infinity) at step 5 \(checked every 5 steps\)/);
    expect(evals.at(-1)!.step).toBe(5);
  });
});
