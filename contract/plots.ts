import { z } from 'zod';
import { ProjectIdSchema } from './projects';

/** How one number is read off a run's metric history for the plot builder. */
export const METRIC_REDUCTIONS = ['final', 'max', 'min', 'at'] as const;
export type MetricReduction = (typeof METRIC_REDUCTIONS)[number];

export const MetricReadSchema = z.strictObject({
  name: z.string({ error: 'metric must be text' }).min(1, { error: 'metric is required' }).max(100),
  reduce: z.enum(METRIC_REDUCTIONS, { error: `reduce must be one of ${METRIC_REDUCTIONS.join(', ')}` }),
  /** For 'at': the value at the last evaluation at or before this step. */
  step: z.int({ error: 'step must be an integer' }).min(0).max(1e12).optional(),
}).refine((r) => r.reduce !== 'at' || r.step !== undefined, { error: 'step is required to read a metric at a step', path: ['step'] });
export type MetricRead = z.output<typeof MetricReadSchema>;

/** `plots:values`: one metric read off every run of a project (runs without that metric are left out). */
export const PlotValuesSchema = z.strictObject({
  projectId: ProjectIdSchema,
  read: MetricReadSchema,
});

export interface RunValue {
  runId: string;
  /** The value read (null where the recorded value was not finite). */
  value: number | null;
  /** The step it was read at. */
  step: number;
}
