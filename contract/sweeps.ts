import { z } from 'zod';
import { ProjectIdSchema } from './projects';
import { MAX_SEEDS, RunIdSchema, type RunSummary } from './runs';

/**
 * A sweep: one experiment over a grid of knob values × seeds, run as ordinary runs that remember
 * their sweep and grid point. It survives a restart: finished runs are kept, the rest re-queued.
 */

export const SWEEP_LIMITS = { keys: 3, values: 64, runs: 600 } as const;

export const SweepIdSchema = z.uuid({ error: 'Sweep id must be a UUID' });

const GridValue = z.union([z.number().refine(Number.isFinite, { error: 'Grid values must be finite numbers' }), z.string().max(100), z.boolean()], {
  error: 'Grid values must be numbers, text or true/false',
});

/** A config key a grid can sweep (bundles carry grids under the same rule). */
export const GRID_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export const GridAxisSchema = z.strictObject({
  key: z.string({ error: 'Grid key must be text' }).regex(GRID_KEY_PATTERN, { error: 'Grid key must be a config key such as width' }),
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

/**
 * What the start dialog asks before it starts anything: every invalid field at once (seeds, each
 * knob, each sweep value by value), where a start stops at the first schema that fails.
 */
export const StartCheckSchema = z.strictObject({
  projectId: ProjectIdSchema.nullable().default(null),
  experiment: z.string({ error: 'experiment must be text' }).min(1, { error: 'experiment is required' }).max(100),
  preset: z.string().max(100).optional(),
  config: z.record(z.string().max(100), z.unknown(), { error: 'config must be an object of knob values' }).default({}),
  grid: z
    .array(z.strictObject({ key: z.string().max(100), values: z.array(z.unknown()).max(SWEEP_LIMITS.values) }))
    .max(SWEEP_LIMITS.keys)
    .default([]),
  seeds: z.unknown(),
});

export const SweepRefSchema = z.strictObject({ id: SweepIdSchema });

export const ADOPT_LIMITS = { minRuns: 2, maxRuns: 500 } as const;

/** `sweeps:adopt`: existing runs of a project become one sweep over a config field, untouched and untrained. */
export const SweepAdoptSchema = z.strictObject({
  projectId: ProjectIdSchema,
  runIds: z
    .array(RunIdSchema, { error: 'runIds must be a list of run ids' })
    .min(ADOPT_LIMITS.minRuns, { error: `Tick at least ${ADOPT_LIMITS.minRuns} runs` })
    .max(ADOPT_LIMITS.maxRuns, { error: `At most ${ADOPT_LIMITS.maxRuns} runs in one sweep` })
    .refine((ids) => new Set(ids).size === ids.length, { error: 'Each run may appear once' }),
  field: z.string({ error: 'field must be text' }).regex(GRID_KEY_PATTERN, { error: 'field must be a top-level config key such as width' }),
});
export const SweepListSchema = z.strictObject({ projectId: ProjectIdSchema.nullable().default(null) });

/**
 * Local sweeps are running, done or cancelled. A SLURM sweep is submitted (nothing seen started),
 * running, partial (nothing queued or running, some finished tasks not collected yet), done (all
 * collected) or failed (nothing left to wait for, some tasks failed).
 */
export type SweepStatus = 'running' | 'done' | 'cancelled' | 'submitted' | 'partial' | 'failed';

/** Where a sweep's runs trained: here, on SLURM, or anywhere (an adopted sweep took existing runs as they were). */
export type SweepExecutor = 'local' | 'slurm' | 'adopted';

/** A SLURM array task as last seen by status or collect. */
export type SlurmTaskState = 'pending' | 'running' | 'finished' | 'collected' | 'failed';
export const SLURM_TASK_STATES = ['pending', 'running', 'finished', 'collected', 'failed'] as const satisfies readonly SlurmTaskState[];

export interface SlurmTaskInfo {
  index: number;
  point: Record<string, unknown>;
  seed: number;
  /** The array job the task last ran under (a retried task gets the new job's id). */
  jobId: string | null;
  state: SlurmTaskState;
  /** Why it failed (with the tail of its log), or what is known while it waits. */
  detail: string | null;
  attempts: number;
  /** The notebook run it was collected as. */
  runId: string | null;
}

export interface SlurmSweepInfo {
  /** Every array job submitted for this sweep, first submission first. */
  jobIds: string[];
  workdir: string;
  partition: string | null;
  /** The sbatch command to run by hand, for a sweep written with --no-submit; null when Phenobook submitted it. */
  handCommand: string | null;
  /** Written with --no-submit, and neither a job id recorded nor any task reported yet. */
  awaitingSubmission: boolean;
  counts: Record<SlurmTaskState, number>;
  tasks: SlurmTaskInfo[];
}

/** What one collect did (`sweeps:collect`, `phenobook sweep collect`). */
export interface SweepCollectResult {
  sweep: Sweep;
  /** Task indices whose runs were imported by this collect (none on a repeat). */
  imported: number[];
  failed: { index: number; detail: string | null }[];
  /** Which source of task states answered: squeue/sacct, or the task outputs alone. */
  scheduler: 'squeue' | 'sacct' | 'squeue+sacct' | 'outputs';
}

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
  executor: SweepExecutor;
  /** Set for a sweep submitted to SLURM. */
  slurm: SlurmSweepInfo | null;
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
