import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { EXTERNAL_SOURCES, type ExternalRun, type ImportPlan } from '../common/external-run';
import type { MetricPoint } from '../contract/runs';
import type { ProjectsRepo } from '../db/projects.repo';
import type { RunsRepo } from '../db/runs.repo';
import { notFound, ServiceError } from './errors';
import type { EventBus } from './event-bus';
import type { Clock } from './projects.service';
import { describeIssues, issuesOf } from './zod-issues';

/**
 * Stores runs trained outside Phenobook: whole ones an importer read (ImportPlan), and live ones a
 * script is printing right now (`phenobook log`). All SQL is in RunsRepo.
 */

export interface ExternalRunsDeps {
  runs: RunsRepo;
  projects: ProjectsRepo;
  events: EventBus;
  clock: Clock;
  appVersion: string;
}

export interface StoreResult {
  added: { id: string; name: string; points: number; contentHash: string }[];
  /** Runs whose content the project already has: nothing was written for them. */
  skipped: { name: string; contentHash: string; existingId: string | null }[];
  notes: string[];
}

const Series = z
  .strictObject({
    steps: z.array(z.int().min(0)),
    values: z.array(z.number().nullable()),
  })
  .refine((s) => s.steps.length === s.values.length, { error: 'steps and values differ in length' });

/** Plans come from importers reading files of anyone's making: checked before anything is written. */
const ExternalRunSchema = z.strictObject({
  name: z.string().min(1).max(200),
  experiment: z.string().min(1).max(200),
  source: z.enum(EXTERNAL_SOURCES),
  origin: z.string().max(4000),
  config: z.record(z.string(), z.unknown()),
  seed: z.int(),
  metrics: z.record(z.string().min(1).max(200), Series),
  contentHash: z.string().regex(/^[0-9a-f]{64}$/, { error: 'contentHash must be a SHA-256 hex digest' }),
});
const ImportPlanSchema = z.strictObject({ source: z.enum(EXTERNAL_SOURCES), runs: z.array(ExternalRunSchema), notes: z.array(z.string()) });

/** The last step a run recorded (its steps_total). */
function lastStep(run: ExternalRun): number {
  let last = 0;
  for (const s of Object.values(run.metrics)) for (const step of s.steps) if (step > last) last = step;
  return last;
}

export class ExternalRunsService {
  constructor(private readonly d: ExternalRunsDeps) {}

  private requireProject(projectId: string): void {
    if (!this.d.projects.get(projectId)) throw notFound('Project', projectId);
  }

  /**
   * Stores each run of the plan in its own transaction; a run whose content the project has is
   * skipped. `onProgress` counts metric points of the runs done so far (skipped ones included).
   */
  store(projectId: string, plan: ImportPlan, onProgress?: (p: { done: number; total: number }) => void): StoreResult {
    const parsed = ImportPlanSchema.safeParse(plan);
    if (!parsed.success) throw new ServiceError('invalid_input', `Invalid import: ${describeIssues(issuesOf(parsed.error).slice(0, 5))}`);
    this.requireProject(projectId);
    const result: StoreResult = { added: [], skipped: [], notes: [...plan.notes] };
    const sizes = plan.runs.map((r) => Object.values(r.metrics).reduce((n, s) => n + s.steps.length, 0));
    const total = sizes.reduce((a, b) => a + b, 0);
    let done = 0;
    onProgress?.({ done, total });
    for (const [index, run] of plan.runs.entries()) {
      const id = randomUUID();
      let points = 0;
      let stored: boolean;
      try {
        stored = this.d.runs.transaction(() => {
          if (this.d.runs.hasContent(projectId, run.contentHash)) return false;
          this.d.runs.insertExternal({
            id,
            projectId,
            experiment: run.experiment,
            name: run.name,
            source: run.source,
            origin: run.origin,
            contentHash: run.contentHash,
            config: run.config,
            seed: run.seed,
            status: 'done',
            lastStep: lastStep(run),
            ownerPid: null,
            appVersion: this.d.appVersion,
            now: this.d.clock(),
          });
          points = this.d.runs.insertSeriesRows(
            id,
            Object.entries(run.metrics).map(([name, s]) => ({ name, ...s })),
          );
          return true;
        });
      } catch (err) {
        this.d.runs.forgetNameIds();
        throw err;
      }
      if (stored) result.added.push({ id, name: run.name, points, contentHash: run.contentHash });
      else result.skipped.push({ name: run.name, contentHash: run.contentHash, existingId: this.d.runs.idByContent(projectId, run.contentHash) });
      done += sizes[index]!;
      onProgress?.({ done, total });
    }
    if (result.added.length > 0) this.d.events.emit({ type: 'runs:changed', ids: result.added.map((a) => a.id), projectId });
    return result;
  }

  /** A run that a script is training now: running until finish(). */
  startLive(input: LiveRunStart): LiveRun {
    this.requireProject(input.projectId);
    return new LiveRun(this.d, input);
  }
}

export interface LiveRunStart {
  projectId: string;
  name: string;
  experiment: string;
  origin: string;
  config: Record<string, unknown>;
  /** Flush after this many points even within the interval (default 2000). */
  batchPoints?: number;
  /** Flush at least this often while points arrive (default 250 ms). */
  flushMs?: number;
}

export type LiveRunEnd = { status: 'done' } | { status: 'failed'; error: string } | { status: 'interrupted'; error: string };

const seedOf = (config: Record<string, unknown>): number => (Number.isSafeInteger(config.seed) ? (config.seed as number) : 0);

/**
 * One live external run. Points are buffered and written in one transaction per batch (every
 * flushMs or batchPoints, whichever comes first), so a fast script is never held up by SQLite.
 */
export class LiveRun {
  readonly id = randomUUID();
  private buffer: MetricPoint[] = [];
  private timer: NodeJS.Timeout | null = null;
  private config: Record<string, unknown>;
  private readonly started = performance.now();
  /** The last step written so far. */
  lastStep = 0;
  private ended = false;
  /** Points written so far. */
  points = 0;
  /** Flushes (transactions) so far. */
  flushes = 0;

  constructor(
    private readonly d: ExternalRunsDeps,
    private readonly input: LiveRunStart,
  ) {
    this.config = { ...input.config };
    d.runs.insertExternal({
      id: this.id,
      projectId: input.projectId,
      experiment: input.experiment,
      name: input.name,
      source: 'script',
      origin: input.origin,
      contentHash: null,
      config: this.config,
      seed: seedOf(this.config),
      status: 'running',
      lastStep: 0,
      ownerPid: process.pid,
      appVersion: d.appVersion,
      now: d.clock(),
    });
    d.events.emit({ type: 'runs:changed', ids: [this.id], projectId: input.projectId });
  }

  get projectId(): string {
    return this.input.projectId;
  }

  append(point: MetricPoint): void {
    if (this.ended) return;
    this.buffer.push(point);
    if (this.buffer.length >= (this.input.batchPoints ?? 2000)) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.input.flushMs ?? 250);
  }

  /** A `{"config": …}` line: merged over what the run had (command-line --set values included). */
  mergeConfig(more: Record<string, unknown>): void {
    if (this.ended) return;
    this.config = { ...this.config, ...more };
    this.d.runs.setConfig(this.id, this.config, seedOf(this.config));
    this.d.events.emit({ type: 'runs:changed', ids: [this.id], projectId: this.input.projectId });
  }

  /** Writes the buffered points in one transaction. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.buffer.length === 0) return;
    const points = this.buffer;
    this.buffer = [];
    const last = points.reduce((m, p) => Math.max(m, p.step), this.lastStep);
    try {
      this.d.runs.transaction(() => {
        this.d.runs.insertMetrics(this.id, points);
        this.d.runs.markExternalProgress(this.id, last);
      });
    } catch (err) {
      this.d.runs.forgetNameIds();
      throw err;
    }
    this.lastStep = last;
    this.points += points.length;
    this.flushes++;
    this.d.events.emit({ type: 'runs:metrics', runId: this.id, projectId: this.input.projectId, points });
  }

  /** Writes what is left and ends the run; the metrics received so far are always kept. */
  finish(end: LiveRunEnd): void {
    if (this.ended) return;
    try {
      this.flush();
    } finally {
      this.ended = true;
      this.d.runs.finishExternal(this.id, {
        status: end.status,
        error: end.status === 'done' ? null : end.error,
        wallSeconds: (performance.now() - this.started) / 1000,
        now: this.d.clock(),
      });
      this.d.events.emit({ type: 'runs:changed', ids: [this.id], projectId: this.input.projectId });
    }
  }
}
