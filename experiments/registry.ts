import { grokkingMlpExperiment } from './grokking-mlp.experiment';
import type { ExperimentDefinition } from './types';

/** Every built-in experiment by key. Host and trainer both read it; neither loads TensorFlow.js for it. */
export const EXPERIMENTS: ReadonlyMap<string, ExperimentDefinition> = new Map(
  ([grokkingMlpExperiment] as unknown as ExperimentDefinition[]).map((e) => [e.key, e]),
);
