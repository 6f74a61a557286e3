/**
 * defineExperiment: the one way an experiment is declared, built-in or the researcher's own. It
 * checks the declaration at load (apiVersion, key, schema, presets, metric roles) and returns the
 * definition the trainer runs; a mistake is an ExperimentDefinitionError naming the field.
 */
import { z } from 'zod';
import type { ExperimentDefinition, TrainContext, TrainOutcome } from '../types';
import type { LoopResult } from '../driver';

/** The version of this API. A file declaring another one is refused at load with both numbers. */
export const API_VERSION = 1;

/**
 * What a declared metric means: one of the four the app reads as train/test loss or accuracy (the
 * run page's charts, the grokking delay, hypotheses' "test accuracy at step 3000"), or `free` —
 * recorded, plotted and usable in predictions under its own name.
 */
export const METRIC_ROLES = ['trainLoss', 'testLoss', 'trainAcc', 'testAcc', 'free'] as const;
export type MetricRole = (typeof METRIC_ROLES)[number];

/** The four role metrics under their own names: `metrics: { ...STANDARD_METRICS, myMetric: 'free' }`. */
export const STANDARD_METRICS = { trainLoss: 'trainLoss', testLoss: 'testLoss', trainAcc: 'trainAcc', testAcc: 'testAcc' } as const satisfies Record<string, MetricRole>;

/** Metrics every run may record without declaring them: the parameter statistics (magnitudeStats) and the wall time. */
export const RESERVED_METRICS = ['l2', 'primeCount', 'tailCount', 'shiftedPrimeCount', 'wallTime'] as const;

export const EXPERIMENT_KEY_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** What `train` returns: the driver's result, plus the hash of the exact data trained on where the experiment has one. */
export type TrainResult = Omit<TrainOutcome, 'dataHash'> & { dataHash?: string } & Partial<Pick<LoopResult, 'lastValues'>>;

export interface ExperimentSpec<S extends z.ZodObject, C extends TrainContext = TrainContext> {
  /** The API version the file is written against (API_VERSION). */
  apiVersion: number;
  /** Lower-case words joined by hyphens (`my-cnn`): how runs, the CLI and sweeps name it. */
  key: string;
  title: string;
  description?: string;
  /**
   * Every knob, as a zod object: each field with a `.default(…)` (the start form opens on them) and a
   * `.describe(…)` (its help text). Bounds become the form's limits and the error messages.
   */
  configSchema: S;
  /** Named partial configs; `default` must exist (it may be `{}`). Each must parse. */
  presets: { default: Partial<z.input<S>> } & Record<string, Partial<z.input<S>>>;
  /** Every metric `train` records beyond RESERVED_METRICS, with its role. */
  metrics: Record<string, MetricRole>;
  /** Total optimizer steps of a parsed config (progress, ETA, sweeps). */
  totalSteps(config: z.output<S>): number;
  /** Trainable parameters of a parsed config, where a phenomenon is read against it (double descent). */
  parameterCount?(config: z.output<S>): number;
  /** The grid a sweep of a preset uses when none is given. */
  sweepGrids?: Record<string, { key: string; values: (number | string | boolean)[] }[]>;
  /**
   * Whether `ctx.tf` needs gradients registered (tf.grads, optimizers, Layers fit). Default true; the
   * built-ins, which write their backward passes by hand, say false.
   */
  autodiff?: boolean;
  /** Runs in the trainer process; deterministic given config (seed included) and backend. */
  train(config: z.output<S>, ctx: C): Promise<TrainResult>;
}

export class ExperimentDefinitionError extends Error {
  override name = 'ExperimentDefinitionError';
}

export interface DefinedExperiment<S extends z.ZodObject = z.ZodObject> extends ExperimentDefinition<S> {
  apiVersion: number;
  metrics: Record<string, MetricRole>;
  autodiff: boolean;
}

function fail(key: string, message: string): never {
  throw new ExperimentDefinitionError(`${key ? `Experiment "${key}": ` : ''}${message}`);
}

/** Checks a declaration and returns the definition the trainer runs (train's missing dataHash becomes ''). */
export function defineExperiment<S extends z.ZodObject, C extends TrainContext = TrainContext>(spec: ExperimentSpec<S, C>): DefinedExperiment<S> {
  if (spec === null || typeof spec !== 'object') fail('', 'defineExperiment needs an object');
  const key = typeof spec.key === 'string' ? spec.key : '';
  if (spec.apiVersion !== API_VERSION) {
    fail(key, `apiVersion ${JSON.stringify(spec.apiVersion)} is not supported: this Phenobook reads experiment API version ${API_VERSION}`);
  }
  if (!EXPERIMENT_KEY_PATTERN.test(key) || key.length > 64) fail(key, `key must be lower-case words joined by hyphens (e.g. "my-cnn"), at most 64 characters; got ${JSON.stringify(spec.key)}`);
  if (typeof spec.title !== 'string' || !spec.title.trim()) fail(key, 'title is required');
  if (!(spec.configSchema instanceof z.ZodObject)) fail(key, 'configSchema must be a zod object (z.object({ … }))');
  if (typeof spec.train !== 'function') fail(key, 'train must be a function (config, ctx) => result');
  if (typeof spec.totalSteps !== 'function') fail(key, 'totalSteps must be a function of the parsed config');
  if (!spec.presets || typeof spec.presets !== 'object' || !('default' in spec.presets)) fail(key, 'presets must include `default` (it may be {})');
  for (const [name, preset] of Object.entries(spec.presets)) {
    const r = spec.configSchema.safeParse(preset);
    if (!r.success) {
      const issues = r.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('; ');
      fail(key, `preset "${name}" does not parse: ${issues}`);
    }
  }
  const defaults = spec.configSchema.parse(spec.presets.default);
  const steps = spec.totalSteps(defaults);
  if (!Number.isInteger(steps) || steps < 0) fail(key, `totalSteps of the default preset must be a whole number, got ${steps}`);
  if (!spec.metrics || typeof spec.metrics !== 'object') fail(key, 'metrics must map each metric name to a role');
  for (const [name, role] of Object.entries(spec.metrics)) {
    if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(name)) fail(key, `metric name ${JSON.stringify(name)} must be a letter then letters, digits or _`);
    if (!(METRIC_ROLES as readonly string[]).includes(role)) fail(key, `metric "${name}" has role ${JSON.stringify(role)}; roles are ${METRIC_ROLES.join(', ')}`);
    if ((RESERVED_METRICS as readonly string[]).includes(name)) fail(key, `metric "${name}" is recorded by Phenobook itself; do not declare it`);
    if ((METRIC_ROLES as readonly string[]).includes(name) && name !== role) fail(key, `metric "${name}" can only have the role ${name}`);
  }
  const roles = Object.values(spec.metrics).filter((r) => r !== 'free');
  const twice = roles.find((r, i) => roles.indexOf(r) !== i);
  if (twice) fail(key, `two metrics have the role ${twice}`);
  return {
    apiVersion: spec.apiVersion,
    key,
    title: spec.title,
    description: spec.description ?? '',
    configSchema: spec.configSchema,
    presets: spec.presets,
    metrics: { ...spec.metrics },
    autodiff: spec.autodiff ?? true,
    totalSteps: spec.totalSteps,
    ...(spec.parameterCount ? { parameterCount: spec.parameterCount } : {}),
    ...(spec.sweepGrids ? { sweepGrids: spec.sweepGrids } : {}),
    train: async (config, ctx) => {
      const { lastValues: _last, ...r } = await spec.train(config, ctx as C);
      return { ...r, dataHash: r.dataHash ?? '' };
    },
  };
}

/**
 * Metric values as stored: undeclared names are refused (the run fails saying which), and a metric
 * with a role is also recorded under the role's name (`valAcc` with role testAcc gives testAcc too).
 */
export function mapMetrics(def: Pick<DefinedExperiment, 'key' | 'metrics'>, values: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, v] of Object.entries(values)) {
    if (typeof v !== 'number') throw new TypeError(`metric "${name}" must be a number, got ${typeof v}`);
    const role = def.metrics[name];
    if (role === undefined && !(RESERVED_METRICS as readonly string[]).includes(name)) {
      throw new Error(`metric "${name}" is not declared in the experiment's metrics (declared: ${Object.keys(def.metrics).join(', ') || 'none'})`);
    }
    out[name] = v;
    if (role && role !== 'free') out[role] = v;
  }
  return out;
}
