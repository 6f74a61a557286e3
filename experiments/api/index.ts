/**
 * The public experiment API, version 1 — the one module an experiment file imports:
 *
 *   import { defineExperiment, z } from 'phenobook/experiment';
 *
 * The built-in experiments are written against it too. Reference and tutorial: docs/experiment-api.md.
 * Everything here is plain TypeScript except what runs inside `train`, in the trainer process: there
 * `ctx.tf` is TensorFlow.js on the backend the trainer selected, with autodiff and the Layers API.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import type * as TfLayers from '@tensorflow/tfjs-layers';
import type { Rng } from '../rng';
import type { LoopResult, TrainingLoop } from '../driver';
import type { TrainContext } from '../types';

export { z } from 'zod';
export { API_VERSION, defineExperiment, ExperimentDefinitionError, METRIC_ROLES, RESERVED_METRICS, STANDARD_METRICS, type DefinedExperiment, type ExperimentSpec, type MetricRole, type TrainResult } from './define';
export { cancelGraceMs, divergence, LOOP_CADENCE, runTrainingLoop, type LoopResult, type MetricValues, type StepClock, type TrainingLoop } from '../driver';
export { createRng, normalArray, permutation, shuffleInPlace, type Rng } from '../rng';
export { l2Norm, magnitudeStats, primeCount, shiftedPrimeCount, tailCount, type MagnitudeStats } from '../prime-count';
export { hashData, mnist1d, modularTable, splitTable, type Mnist1dOptions, type ModularOperation, type ModularTable, type TableSplit } from './data';
export { intField, MAX_SEED, realField, realFieldBelow, realFieldOpen } from '../config-fields';
export type { EvalPoint, TrainContext, TrainOutcome } from '../types';

/** TensorFlow.js as an experiment sees it: tfjs-core (ops, tf.grads, tf.train optimizers) and tfjs-layers (tf.layers, tf.sequential…). */
export type TfApi = typeof TfCore & typeof TfLayers;

/** The context `train` receives in the trainer process. */
export interface ExperimentContext extends TrainContext {
  tf: TfApi & TrainContext['tf'];
  /** A seeded generator for a named stream of this run's seed (the config's `seed`, or 0). */
  rng(stream: string): Rng;
  /** The shared training-loop driver, bound to this run: evaluation cadence, divergence, cancel, progress. */
  runLoop(loop: TrainingLoop): Promise<LoopResult>;
}
