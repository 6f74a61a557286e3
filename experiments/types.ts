import type * as TfCore from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import type { MetricPoint } from '../contract/runs';

/** The TensorFlow.js namespace of whichever backend the trainer selected. */
export type Tf = typeof TfCore;

/** Names of the metrics every run records at each evaluation (docs/architecture.md "Metrics every run records"). */
export const CORE_METRICS = ['trainLoss', 'testLoss', 'trainAcc', 'testAcc', 'l2', 'primeCount', 'tailCount', 'shiftedPrimeCount', 'wallTime'] as const;
export type CoreMetric = (typeof CORE_METRICS)[number];

/** One evaluation: the optimizer step it follows and metric values by name (as stored and streamed). */
export type EvalPoint = MetricPoint;

export interface TrainContext {
  tf: Tf;
  /** Cooperative cancel: checked between steps; when true, return promptly. */
  shouldStop(): boolean;
  /** Called after each evaluation (throttling and batching happen downstream). */
  onEval(point: EvalPoint): void;
  /**
   * Called every few steps with the optimizer step reached; cheap. `longestBusyMs`: the longest the
   * loop has gone without yielding so far (the host sizes its cancel grace period from it).
   */
  onProgress(step: number, totalSteps: number, trainSeconds: number, longestBusyMs?: number): void;
  /** Yields to the process event loop so cancel messages can arrive. */
  yieldNow(): Promise<void>;
}

export interface TrainOutcome {
  /** 'done' when all steps ran, 'cancelled' when shouldStop() ended it early. */
  status: 'done' | 'cancelled' | 'diverged';
  stepsCompleted: number;
  /** Seconds spent in optimizer steps only (evaluation excluded). */
  trainSeconds: number;
  /** SHA-256 (hex) of the exact data the run trained and evaluated on. */
  dataHash: string;
  /** Reason for 'diverged' (e.g. "train loss became NaN at step 812"). */
  reason?: string;
}

export interface ExperimentDefinition<S extends z.ZodType = z.ZodType> {
  key: string;
  title: string;
  description: string;
  /** Parses a full config (defaults filled in; bounds enforced with messages naming field and range). */
  configSchema: S;
  /** Named partial configs; `default` must exist. */
  presets: Record<string, Partial<z.input<S>>>;
  /** The grid a sweep of a preset uses when none is given (e.g. the widths of a double-descent preset). */
  sweepGrids?: Record<string, { key: string; values: (number | string | boolean)[] }[]>;
  /** Trainable parameters of a parsed config, where the phenomenon is read against it (double descent). */
  parameterCount?(config: z.output<S>): number;
  /** Total optimizer steps of a parsed config (for progress and ETA). */
  totalSteps(config: z.output<S>): number;
  /** Set for a researcher's experiment file (the host's stand-in for it): the trainer loads and runs this file. */
  file?: { path: string; sha256: string };
  /** Runs in the trainer process. Deterministic given config (incl. seed) and backend. */
  train(config: z.output<S>, ctx: TrainContext): Promise<TrainOutcome>;
}
