import { z } from 'zod';
import type { RunSource } from '../common/external-run';
import { ProjectIdSchema } from './projects';

export const RUN_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled', 'diverged', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const ACTIVE_STATUSES: readonly RunStatus[] = ['queued', 'running'];

export const BACKEND_NAMES = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** One evaluation of a run: the optimizer step it follows and metric values by name. */
export interface MetricPoint {
  step: number;
  values: Record<string, number>;
}

export interface BackendReport {
  name: BackendName;
  /** What tf.getBackend() reports ('tensorflow' for both native packages). */
  tfBackend: string;
  /** True only when a GPU device was actually used. */
  gpu: boolean;
  /** Faster backends that were not used, and why. */
  skipped: { name: BackendName; reason: string }[];
  versions: Record<string, string>;
}

export interface RunSummary {
  id: string;
  /** "grokking-mlp · weightDecay 0 · seed 0": experiment, preset, its sweep's knobs and what differs from the preset, seed. */
  label: string;
  projectId: string | null;
  groupId: string;
  experiment: string;
  preset: string | null;
  seed: number;
  status: RunStatus;
  error: string | null;
  backend: BackendName | null;
  gpu: boolean | null;
  stepsTotal: number;
  stepsDone: number;
  trainSeconds: number | null;
  wallSeconds: number | null;
  rerunOf: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** The last recorded value of each metric (null where it was not finite). */
  final: Record<string, number | null>;
  /** The full resolved config the run trained with (seed included). */
  config: Record<string, unknown>;
  /** 'phenobook' for a run trained here; else where it was recorded (a script under `phenobook log`, an import). */
  source: RunSource;
  /** For an external run: the command line or path it came from. */
  origin: string | null;
  /** For an external run: the name the researcher gave it (also its label). */
  name: string | null;
}

export interface RunDetail extends RunSummary {
  backendDetail: BackendReport | null;
  appVersion: string;
  dataHash: string | null;
  /** For a run of the researcher's experiment file: the exact source it trained. */
  experimentFile?: ExperimentFileSource | null;
}

/** The stored source of a run's experiment file, and how the file on disk compares with it now. */
export interface ExperimentFileSource {
  sha256: string;
  path: string;
  text: string;
  /** 'same', 'changed' (see diff), or 'missing' (no file at the path any more). */
  onDisk: 'same' | 'changed' | 'missing';
  /** Unified diff from the stored source to the file now, when changed. */
  diff: string | null;
}

export interface MetricSeries {
  name: string;
  steps: number[];
  values: (number | null)[];
  /** Points stored for this metric before any downsampling. */
  stored: number;
}

export interface ExperimentField {
  key: string;
  type: 'integer' | 'number' | 'boolean' | 'string';
  description: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  options?: string[];
}

export interface ExperimentInfo {
  key: string;
  title: string;
  description: string;
  fields: ExperimentField[];
  presets: { name: string; config: Record<string, unknown> }[];
  /** A preset's own sweep (double-descent cheap: its 14 widths), by preset name. */
  sweepGrids: Record<string, { key: string; values: (number | string | boolean)[] }[]>;
  /** Set for the researcher's own experiment: the file it is defined in. */
  source?: { path: string };
}

/** One of the researcher's experiment files: what it defines, or why it does not load (it cannot be started then). */
export interface ExperimentFileEntry {
  path: string;
  sha256: string;
  key?: string;
  title?: string;
  error?: { message: string; file: string; line?: number; column?: number };
}

export const RunIdSchema = z.uuid({ error: 'Run id must be a UUID' });
export const RunRefSchema = z.strictObject({ id: RunIdSchema });

export const MAX_SEEDS = 20;

export const SeedsSchema = z
  .int({ error: 'seeds must be an integer' })
  .min(1, { error: `seeds must be from 1 to ${MAX_SEEDS}` })
  .max(MAX_SEEDS, { error: `seeds must be from 1 to ${MAX_SEEDS}` });

export const RunStartSchema = z.strictObject({
  projectId: ProjectIdSchema.nullable().default(null),
  experiment: z.string({ error: 'experiment must be text' }).min(1, { error: 'experiment is required' }).max(100),
  preset: z.string().max(100).optional(),
  config: z.record(z.string().max(100), z.unknown(), { error: 'config must be an object of knob values' }).default({}),
  seeds: SeedsSchema.default(1),
});
export type RunStart = z.input<typeof RunStartSchema>;

export const RunListSchema = z.strictObject({ projectId: ProjectIdSchema.nullable().default(null) });
/** Every metric name a project's runs recorded (built-in ones and those of runs trained elsewhere). */
export const RunMetricNamesSchema = z.strictObject({ projectId: ProjectIdSchema });

export const RunMetricsSchema = z.strictObject({
  id: RunIdSchema,
  names: z.array(z.string().max(100)).max(50).optional(),
  /** Cap on points per series for drawing; extremes and the last point are always kept. */
  maxPoints: z.int().min(10).max(200_000).default(4000),
});

export const SettingsSchema = z.strictObject({
  parallelRuns: z
    .int({ error: 'parallelRuns must be an integer' })
    .min(1, { error: 'parallelRuns must be from 1 to 16' })
    .max(16, { error: 'parallelRuns must be from 1 to 16' }),
});
export type Settings = z.infer<typeof SettingsSchema>;
export const SettingsPatchSchema = SettingsSchema.partial().strict();
