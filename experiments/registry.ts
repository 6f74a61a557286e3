import { grokkingMlpExperiment } from './grokking-mlp.experiment';
import { lotteryTicketExperiment } from './lottery-ticket/lottery-ticket.experiment';
import type { ExperimentDefinition } from './types';

/** Every built-in experiment by key. Host and trainer both read it; neither loads TensorFlow.js for it. */
export const EXPERIMENTS: ReadonlyMap<string, ExperimentDefinition> = new Map(
  ([grokkingMlpExperiment, lotteryTicketExperiment] as unknown as ExperimentDefinition[]).map((e) => [e.key, e]),
);
