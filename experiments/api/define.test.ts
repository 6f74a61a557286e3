import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../trainer/backend';
import type { EvalPoint, TrainContext } from '../types';
import { experimentContext } from './context';
import { mapMetrics } from './define';
import { API_VERSION, defineExperiment, STANDARD_METRICS, type ExperimentContext, type ExperimentSpec, z } from './index';

const schema = z.object({
  lr: z.number().gt(0).max(1).default(0.1).describe('Learning rate'),
  steps: z.number().int().min(1).default(30).describe('Steps'),
  seed: z.number().int().min(0).default(0).describe('Seed'),
});

/** Least squares y = 3x fitted by tf.grads + an optimizer: the smallest autodiff experiment. */
function spec(overrides: Partial<ExperimentSpec<typeof schema, ExperimentContext>> = {}): ExperimentSpec<typeof schema, ExperimentContext> {
  return {
    apiVersion: API_VERSION,
    key: 'line-fit',
    title: 'Fit a line',
    configSchema: schema,
    presets: { default: {}, fast: { lr: 0.5 } },
    metrics: { ...STANDARD_METRICS, slope: 'free' },
    totalSteps: (c) => c.steps,
    train: async (c, ctx) => {
      const { tf } = ctx;
      const rng = ctx.rng('data');
      const xs = Float32Array.from({ length: 16 }, () => rng.normal());
      const x = tf.tensor1d(xs);
      const y = tf.mul(x, 3);
      const w = tf.variable(tf.scalar(0));
      const opt = tf.train.sgd(c.lr);
      const loss = () => tf.mean(tf.square(tf.sub(tf.mul(x, w), y))) as never;
      const result = await ctx.runLoop({
        steps: c.steps,
        evalEvery: 10,
        evaluate: () => {
          const l = tf.tidy(() => (loss() as unknown as { dataSync(): Float32Array }).dataSync()[0]!);
          return { trainLoss: l, testLoss: l, trainAcc: 0, testAcc: 0, slope: w.dataSync()[0]!, l2: Math.abs(w.dataSync()[0]!) };
        },
        step: () => void opt.minimize(loss),
      });
      return result;
    },
    ...overrides,
  };
}

describe('defineExperiment', () => {
  it('refuses mistakes at load with a message naming what is wrong', () => {
    const msg = (o: Partial<ExperimentSpec<typeof schema, ExperimentContext>>) => {
      try {
        defineExperiment(spec(o));
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(msg({ apiVersion: 2 })).toBe(`Experiment "line-fit": apiVersion 2 is not supported: this Phenobook reads experiment API version ${API_VERSION}`);
    expect(msg({ key: 'My CNN' })).toContain('key must be lower-case words joined by hyphens');
    expect(msg({ presets: { fast: {} } as never })).toContain('presets must include `default`');
    expect(msg({ presets: { default: {}, bad: { lr: 5 } } })).toMatch(/preset "bad" does not parse: lr: /);
    expect(msg({ configSchema: z.number() as never })).toContain('configSchema must be a zod object');
    expect(msg({ metrics: { acc: 'accuracy' as never } })).toContain('metric "acc" has role "accuracy"; roles are trainLoss, testLoss, trainAcc, testAcc, free');
    expect(msg({ metrics: { l2: 'free' } })).toContain('metric "l2" is recorded by Phenobook itself');
    expect(msg({ metrics: { a: 'testAcc', b: 'testAcc' } })).toContain('two metrics have the role testAcc');
  });

  it('maps role metrics to the standard names and refuses undeclared ones', () => {
    const def = defineExperiment(spec({ metrics: { valAcc: 'testAcc', note: 'free' } }));
    expect(mapMetrics(def, { valAcc: 0.5, note: 2, l2: 1, wallTime: 3 })).toEqual({ valAcc: 0.5, testAcc: 0.5, note: 2, l2: 1, wallTime: 3 });
    expect(() => mapMetrics(def, { other: 1 })).toThrow('metric "other" is not declared in the experiment\'s metrics (declared: valAcc, note)');
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`trains with tf.grads and an optimizer on ${backend} through the context`, async () => {
      const { tf } = await selectBackend({ only: backend });
      const def = defineExperiment(spec());
      const evals: EvalPoint[] = [];
      const base: TrainContext = { tf, shouldStop: () => false, onEval: (p) => evals.push(p), onProgress: () => undefined, yieldNow: () => new Promise((r) => setImmediate(r)) };
      const config = def.configSchema.parse({});
      const outcome = await def.train(config, experimentContext(def, base, config));
      expect(outcome).toMatchObject({ status: 'done', stepsCompleted: 30, dataHash: '' });
      expect(evals.map((e) => e.step)).toEqual([0, 10, 20, 30]);
      expect(evals[0]!.values.slope).toBe(0);
      expect(evals.at(-1)!.values.slope).toBeCloseTo(3, 2);
      expect(evals.at(-1)!.values.trainLoss).toBeLessThan(1e-3);
    });
  }
});
