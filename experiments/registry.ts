import { grokkingMlpExperiment } from './grokking-mlp.experiment';
import { grokkingTransformerExperiment } from './grokking-transformer/grokking-transformer.experiment';
import { lotteryTicketExperiment } from './lottery-ticket/lottery-ticket.experiment';
import { doubleDescentExperiment } from './mnist1d-mlp/double-descent.experiment';
import { initScaleExperiment } from './mnist1d-mlp/init-scale.experiment';
import { telescopingGrokkingExperiment } from './telescoping-grokking/telescoping-grokking.experiment';
import type { ExperimentDefinition } from './types';

/** Every built-in experiment by key. Host and trainer both read it; neither loads TensorFlow.js for it. */
export const EXPERIMENTS: ReadonlyMap<string, ExperimentDefinition> = new Map(
  ([grokkingMlpExperiment, grokkingTransformerExperiment, doubleDescentExperiment, lotteryTicketExperiment, initScaleExperiment, telescopingGrokkingExperiment] as unknown as ExperimentDefinition[]).map((e) => [e.key, e]),
);
