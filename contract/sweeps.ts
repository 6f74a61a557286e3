import { z } from 'zod';
import { ProjectIdSchema } from './projects';
import { MAX_SEEDS, type RunSummary } from './runs';

/**
 * A sweep: one experiment over a grid of knob values × seeds, run as ordinary runs that remember
 * their sweep and grid point. It survives a restart: finished runs are kept, the rest re-queued.
 */

export const SWEEP_LIMITS = { keys: 3, values: 64, runs: 600 } as const;

export const SweepIdSchema = z.uuid({ error: 'Sweep id must be a UUID' });

const GridValue = z.union([z.number().refine(Number.isFinite, { error: 'Grid values must be finite numbers' }), z.string().max(100), z.boolean()], {
  error: 'Grid values must be numbers, text or true/false',
});

export const GridAxisSchema = z.strictObject({
  key: z.string({ error: 'Grid key must be text' }).regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, { error: 'Grid key must be a config key such as width' }),
  values: z
    .array(GridValue, { error: 'Grid values must be a list' })
    .min(1, { error: 'Give at least one value' })
    .max(SWEEP_LIMITS.values, { error: `At most ${SWEEP_LIMITS.values} values per knob` }),
});
export type GridAxis = z.output<typeof GridAxisSchema>;

export const SweepStartSchema = z
  .strictObject({
    projectId: ProjectIdSchema.nullable().default(null),
    experiment: z.string({ error: 'experiment must be text' }).min(1, { error: 'experiment is required' }).max(100),
    preset: z.string().max(100).optional(),
    config: z.record(z.string().max(100), z.unknown(), { error: 'config must be an object of knob values' }).default({}),
    grid: z.array(GridAxisSchema).max(SWEEP_LIMITS.keys, { error: `At most ${SWEEP_LIMITS.keys} knobs in a grid` }).default([]),
    seeds: z
      .int({ error: 'seeds must be an integer' })
      .min(1, { error: `seeds must be from 1 to ${MAX_SEEDS}` })
      .max(MAX_SEEDS, { error: `seeds must be from 1 to ${MAX_SEEDS}` })
      .default(1),
  })
  .refine((s) => new Set(s.grid.map((a) => a.key)).size === s.grid.length, { path: ['grid'], error: 'Each knob may appear once in the grid' })
  .refine((s) => s.grid.reduce((n, a) => n * a.values.length, 1) * s.seeds <= SWEEP_LIMITS.runs, {
    path: ['grid'],
    error: `A sweep may have at most ${SWEEP_LIMITS.runs} runs (grid points × seeds)`,
  });
export type SweepStart = z.input<typeof SweepStartSchema>;

export const SweepRefSchema = z.strictObject({ id: SweepIdSchema });
export const SweepListSchema = z.strictObject({ projectId: ProjectIdSchema.nullable().default(null) });

export type SweepStatus = 'running' | 'done' | 'cancelled';

export interface Sweep {
  id: string;
  projectId: string | null;
  experiment: string;
  preset: string | null;
  /** The config every run starts from (preset and overrides applied, before the grid). */
  config: Record<string, unknown>;
  grid: GridAxis[];
  seeds: number;
  status: SweepStatus;
  createdAt: string;
  cancelledAt: string | null;
  progress: {
    runs: number;
    byStatus: Partial<Record<RunSummary['status'], number>>;
    stepsDone: number;
    stepsTotal: number;
    /** Seconds left at the pace so far; null until something has been measured. */
    etaSeconds: number | null;
  };
}

export interface SweepDetail extends Sweep {
  runs: (RunSummary & { point: Record<string, unknown> })[];
  results: SweepResults;
  /** Phenomenon measures read off the results (double-descent threshold and peak; where a ticket falls below dense). */
  measures: {
    interpolationThreshold?: number | null;
    peak?: { at: number; testError: number; dropToWidest: number } | null;
    ticketFallsBelowDenseAt?: number | null;
  };
}

/** Seed-aggregated final metrics per grid point (the `phenobook sweep --json` shape). */
export interface SweepPoint {
  [knob: string]: unknown;
  seeds: number;
  metrics: Record<string, { mean: number; std: number; min: number; max: number; n: number }>;
}

export interface SweepResults {
  experiment: string;
  config: Record<string, unknown>;
  points: SweepPoint[];
  /** lottery-ticket: the dense network's test accuracy (mean over seeds). */
  denseTestAcc?: { mean: number; std: number };
}
