import type Database from 'better-sqlite3';
import type { ExternalSource, RunSource } from '../common/external-run';
import type { BackendReport, MetricPoint, MetricSeries, RunDetail, RunStatus, RunSummary } from '../contract/runs';
import { COPY_RUN_SQL, metricCopyStatements } from './run-copy';

export interface RunRow {
  id: string;
  project_id: string | null;
  group_id: string;
  experiment: string;
  preset: string | null;
  config: string;
  seed: number;
  status: RunStatus;
  error: string | null;
  backend: RunSummary['backend'];
  gpu: number | null;
  backend_detail: string | null;
  app_version: string;
  data_hash: string | null;
  steps_total: number;
  steps_done: number;
  train_seconds: number | null;
  wall_seconds: number | null;
  rerun_of: string | null;
  owner_pid: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  sweep_id: string | null;
  sweep_point: string | null;
  /** The stored source of a researcher's experiment file this run trains (experiment_sources). */
  source_sha256?: string | null;
  /** Where the run came from (0110): 'phenobook' for its own; absent in rows of an older database. */
  source?: RunSource;
  origin?: string | null;
  content_hash?: string | null;
  name?: string | null;
}

/** A run recorded outside Phenobook: no backend, no owner once finished, steps_total = last step seen. */
export interface ExternalRunInsert {
  id: string;
  projectId: string;
  experiment: string;
  name: string;
  source: ExternalSource;
  origin: string;
  contentHash: string | null;
  config: Record<string, unknown>;
  seed: number;
  status: 'running' | 'done';
  lastStep: number;
  /** The process writing a live run (a dead one's run is marked interrupted at the next host start). */
  ownerPid: number | null;
  appVersion: string;
  now: string;
}

export interface RunInsert {
  id: string;
  projectId: string | null;
  groupId: string;
  experiment: string;
  preset: string | null;
  config: Record<string, unknown>;
  seed: number;
  appVersion: string;
  stepsTotal: number;
  rerunOf: string | null;
  /** The host process that queued it (runs of a dead owner are marked interrupted). */
  ownerPid: number;
  now: string;
  sweepId?: string | null;
  sweepPoint?: Record<string, unknown> | null;
  /** SHA-256 of the stored experiment source it trains (saveSource first). */
  sourceSha256?: string | null;
}

export interface RunStartedPatch {
  backend: BackendReport;
  ownerPid: number;
  now: string;
}

export interface RunFinishedPatch {
  status: Exclude<RunStatus, 'queued' | 'running'>;
  error: string | null;
  stepsDone?: number;
  trainSeconds?: number | null;
  wallSeconds?: number | null;
  dataHash?: string | null;
  now: string;
}

/** Names what sets a run apart from its preset (see services/run-label.ts); db/ stays free of experiment code. */
export type RunLabeler = (row: {
  experiment: string;
  preset: string | null;
  seed: number;
  config: Record<string, unknown>;
  /** The knobs its sweep varies (a run of a sweep is told apart by them even at the preset's value). */
  sweepKeys: readonly string[];
}) => string;

const plainLabel: RunLabeler = (r) => `${r.experiment} · seed ${r.seed}`;

function toSummary(row: RunRow, final: Record<string, number | null>, label: RunLabeler): RunSummary {
  const config = JSON.parse(row.config) as Record<string, unknown>;
  const sweepKeys = row.sweep_point ? Object.keys(JSON.parse(row.sweep_point) as Record<string, unknown>) : [];
  const source = row.source ?? 'phenobook';
  return {
    // An external run is known by the name it was given; the labeler knows built-in presets only.
    label: source !== 'phenobook' && row.name ? row.name : label({ experiment: row.experiment, preset: row.preset, seed: row.seed, config, sweepKeys }),
    config,
    id: row.id,
    projectId: row.project_id,
    groupId: row.group_id,
    experiment: row.experiment,
    preset: row.preset,
    seed: row.seed,
    status: row.status,
    error: row.error,
    backend: row.backend,
    gpu: row.gpu === null ? null : row.gpu === 1,
    stepsTotal: row.steps_total,
    stepsDone: row.steps_done,
    trainSeconds: row.train_seconds,
    wallSeconds: row.wall_seconds,
    rerunOf: row.rerun_of,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    final,
    source,
    origin: row.origin ?? null,
    name: row.name ?? null,
  };
}

/** A run row as a bundle import writes it (no owner process: nothing trains an imported run). */
export type RunImportRow = Omit<RunRow, 'owner_pid' | 'rerun_of' | 'source' | 'origin' | 'content_hash' | 'name'> &
  Required<Pick<RunRow, 'source' | 'origin' | 'content_hash' | 'name'>>;

export class RunsRepo {
  private readonly nameIds = new Map<string, number>();
  private readonly stmts;

  /** Reading the rows a bundle carries, and writing them back on import (services/bundle.service.ts). */
  private readonly bundle;

  constructor(
    private readonly db: Database.Database,
    private readonly label: RunLabeler = plainLabel,
  ) {
    this.bundle = {
      rows: db.prepare<[string], RunRow>('SELECT * FROM runs WHERE project_id = ? ORDER BY created_at, rowid'),
      metrics: db
        .prepare<[string], [string, number, number | null]>(
          // Primary-key order (no sort): grouped by metric, steps ascending.
          `SELECT n.name, m.step, m.value FROM metrics m JOIN metric_names n ON n.id = m.name_id
           WHERE m.run_id = ? ORDER BY m.name_id, m.step`,
        )
        .raw(),
      insert: db.prepare(COPY_RUN_SQL),
      setRerunOf: db.prepare('UPDATE runs SET rerun_of = ? WHERE id = ?'),
      ...metricCopyStatements(db),
    };
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO runs (id, project_id, group_id, experiment, preset, config, seed, status, app_version, steps_total, rerun_of, owner_pid, created_at, sweep_id, sweep_point, source_sha256)
         VALUES (@id, @projectId, @groupId, @experiment, @preset, @config, @seed, 'queued', @appVersion, @stepsTotal, @rerunOf, @ownerPid, @now, @sweepId, @sweepPoint, @sourceSha256)`,
      ),
      insertExternal: db.prepare(
        `INSERT INTO runs (id, project_id, group_id, experiment, preset, config, seed, status, app_version, steps_total, steps_done, owner_pid,
           created_at, started_at, finished_at, source, origin, content_hash, name)
         VALUES (@id, @projectId, @id, @experiment, NULL, @config, @seed, @status, @appVersion, @lastStep, @lastStep, @ownerPid,
           @now, @now, @finishedAt, @source, @origin, @contentHash, @name)`,
      ),
      byContent: db.prepare<[string, string], string>('SELECT id FROM runs WHERE project_id = ? AND content_hash = ?').pluck(),
      externalProgress: db.prepare(
        "UPDATE runs SET steps_done = max(steps_done, @step), steps_total = max(steps_total, @step) WHERE id = @id AND status = 'running'",
      ),
      finishExternal: db.prepare(
        `UPDATE runs SET status = @status, error = @error, owner_pid = NULL, wall_seconds = @wallSeconds, finished_at = @now
         WHERE id = @id AND status = 'running' AND source <> 'phenobook'`,
      ),
      setConfig: db.prepare('UPDATE runs SET config = ?, seed = ? WHERE id = ?'),
      saveSource: db.prepare('INSERT OR IGNORE INTO experiment_sources (sha256, path, source, created_at) VALUES (?, ?, ?, ?)'),
      source: db.prepare<[string], { sha256: string; path: string; source: string }>('SELECT sha256, path, source FROM experiment_sources WHERE sha256 = ?'),
      byId: db.prepare<[string], RunRow>('SELECT * FROM runs WHERE id = ?'),
      byProject: db.prepare<[string], RunRow>('SELECT * FROM runs WHERE project_id = ? ORDER BY created_at DESC, seed'),
      experimentsOf: db.prepare<[string], { experiment: string; config: string }>(
        'SELECT experiment, MIN(config) AS config FROM runs WHERE project_id = ? GROUP BY experiment ORDER BY experiment',
      ),
      configsOf: db.prepare<[string], { experiment: string; config: string }>(
        'SELECT experiment, config FROM runs WHERE project_id = ? AND source <> \'phenobook\' GROUP BY experiment, config ORDER BY experiment',
      ),
      // A seek per (name, run) on the metrics key: no scan of the points themselves.
      projectMetricNames: db.prepare<[string], string>(
        `SELECT n.name FROM metric_names n
         WHERE EXISTS (SELECT 1 FROM runs r WHERE r.project_id = ? AND EXISTS (SELECT 1 FROM metrics m WHERE m.run_id = r.id AND m.name_id = n.id))
         ORDER BY n.name`,
      ).pluck(),
      all: db.prepare<[], RunRow>('SELECT * FROM runs ORDER BY created_at DESC, seed'),
      byStatus: db.prepare<[string], RunRow>('SELECT * FROM runs WHERE status = ? ORDER BY created_at, seed'),
      started: db.prepare(
        `UPDATE runs SET status = 'running', backend = @backend, gpu = @gpu, backend_detail = @detail, owner_pid = @ownerPid, started_at = @now
         WHERE id = @id AND status = 'queued'`,
      ),
      progress: db.prepare('UPDATE runs SET steps_done = ? WHERE id = ?'),
      finished: db.prepare(
        `UPDATE runs SET status = @status, error = @error, steps_done = coalesce(@stepsDone, steps_done),
           train_seconds = coalesce(@trainSeconds, train_seconds), wall_seconds = coalesce(@wallSeconds, wall_seconds),
           data_hash = coalesce(@dataHash, data_hash), finished_at = @now
         WHERE id = @id AND status IN ('queued', 'running')`,
      ),
      delete: db.prepare('DELETE FROM runs WHERE id = ?'),
      bySweep: db.prepare<[string], RunRow>('SELECT * FROM runs WHERE sweep_id = ? ORDER BY created_at, rowid'),
      requeue: db.prepare(
        `UPDATE runs SET status = 'queued', error = NULL, steps_done = 0, train_seconds = NULL, wall_seconds = NULL, backend = NULL,
           gpu = NULL, backend_detail = NULL, data_hash = NULL, started_at = NULL, finished_at = NULL, owner_pid = @ownerPid
         WHERE id = @id AND status = 'interrupted'`,
      ),
      deleteMetrics: db.prepare('DELETE FROM metrics WHERE run_id = ?'),
      nameId: db.prepare<[string], { id: number }>('SELECT id FROM metric_names WHERE name = ?'),
      insertName: db.prepare('INSERT INTO metric_names (name) VALUES (?)'),
      insertMetric: db.prepare('INSERT OR REPLACE INTO metrics (run_id, name_id, step, value) VALUES (?, ?, ?, ?)'),
      finalValues: db.prepare<[string], { name: string; value: number | null }>(
        `SELECT n.name, m.value FROM metrics m JOIN metric_names n ON n.id = m.name_id
         WHERE m.run_id = ? AND m.step = (SELECT max(step) FROM metrics m2 WHERE m2.run_id = m.run_id AND m2.name_id = m.name_id)`,
      ),
      metricNames: db.prepare<[string], { name: string; id: number }>(
        'SELECT DISTINCT n.name, n.id FROM metrics m JOIN metric_names n ON n.id = m.name_id WHERE m.run_id = ? ORDER BY n.name',
      ),
      series: db.prepare<[string, number], [number, number | null]>(
        'SELECT step, value FROM metrics WHERE run_id = ? AND name_id = ? ORDER BY step',
      ),
      allMetrics: db.prepare<[string], { step: number; name: string; value: number | null }>(
        `SELECT m.step, n.name, m.value FROM metrics m JOIN metric_names n ON n.id = m.name_id
         WHERE m.run_id = ? ORDER BY m.step, n.name`,
      ),
    };
  }

  /** Runs fn in one SQLite transaction. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  insert(run: RunInsert): void {
    this.stmts.insert.run({
      ...run,
      config: JSON.stringify(run.config),
      sweepId: run.sweepId ?? null,
      sweepPoint: run.sweepPoint ? JSON.stringify(run.sweepPoint) : null,
      sourceSha256: run.sourceSha256 ?? null,
    });
  }

  /** A run recorded elsewhere (its metrics follow with insertMetrics). */
  insertExternal(run: ExternalRunInsert): void {
    this.stmts.insertExternal.run({
      ...run,
      config: JSON.stringify(run.config),
      finishedAt: run.status === 'done' ? run.now : null,
    });
  }

  /** Whether the project already has a run imported from exactly this content. */
  hasContent(projectId: string, contentHash: string): boolean {
    return this.idByContent(projectId, contentHash) !== null;
  }

  /** The run of the project imported from exactly this content, if any. */
  idByContent(projectId: string, contentHash: string): string | null {
    return this.stmts.byContent.get(projectId, contentHash) ?? null;
  }

  /** A live external run reached `step` (steps_total follows: the run's length is unknown ahead). */
  markExternalProgress(id: string, step: number): void {
    this.stmts.externalProgress.run({ id, step });
  }

  /** Ends a live external run; false if it had already ended. */
  finishExternal(id: string, p: { status: 'done' | 'failed' | 'interrupted'; error: string | null; wallSeconds: number | null; now: string }): boolean {
    return this.stmts.finishExternal.run({ id, ...p }).changes > 0;
  }

  /** A live external run's config grew (a `{"config": …}` line arrived). */
  setConfig(id: string, config: Record<string, unknown>, seed: number): void {
    this.stmts.setConfig.run(JSON.stringify(config), seed, id);
  }

  /** Stores an experiment file's source once per content (a second run of the same bytes adds nothing). */
  saveSource(sha256: string, path: string, source: string, now: string): void {
    this.stmts.saveSource.run(sha256, path, source, now);
  }

  source(sha256: string): { sha256: string; path: string; source: string } | undefined {
    return this.stmts.source.get(sha256);
  }

  private final(id: string): Record<string, number | null> {
    return Object.fromEntries(this.stmts.finalValues.all(id).map((r) => [r.name, r.value]));
  }

  getRow(id: string): RunRow | undefined {
    return this.stmts.byId.get(id);
  }

  get(id: string): RunDetail | undefined {
    const row = this.stmts.byId.get(id);
    if (!row) return undefined;
    return {
      ...toSummary(row, this.final(id), this.label),
      config: JSON.parse(row.config) as Record<string, unknown>,
      backendDetail: row.backend_detail ? (JSON.parse(row.backend_detail) as BackendReport) : null,
      appVersion: row.app_version,
      dataHash: row.data_hash,
    };
  }

  list(projectId: string | null): RunSummary[] {
    const rows = projectId ? this.stmts.byProject.all(projectId) : this.stmts.all.all();
    return rows.map((r) => toSummary(r, this.final(r.id), this.label));
  }

  /** The experiments a project has runs of, each with the config of one of its runs. */
  experimentsOf(projectId: string): { experiment: string; config: Record<string, unknown> }[] {
    return this.stmts.experimentsOf.all(projectId).map((r) => ({ experiment: r.experiment, config: JSON.parse(r.config) as Record<string, unknown> }));
  }

  /** Every distinct config of the project's runs trained elsewhere, by experiment name (their fields are known only from these). */
  externalConfigsOf(projectId: string): { experiment: string; config: Record<string, unknown> }[] {
    return this.stmts.configsOf.all(projectId).map((r) => ({ experiment: r.experiment, config: JSON.parse(r.config) as Record<string, unknown> }));
  }

  /** Every metric name some run of the project recorded, sorted. */
  metricNamesOf(projectId: string): string[] {
    return this.stmts.projectMetricNames.all(projectId);
  }

  withStatus(status: RunStatus): RunRow[] {
    return this.stmts.byStatus.all(status);
  }

  markStarted(id: string, p: RunStartedPatch): boolean {
    return (
      this.stmts.started.run({
        id,
        backend: p.backend.name,
        gpu: p.backend.gpu ? 1 : 0,
        detail: JSON.stringify(p.backend),
        ownerPid: p.ownerPid,
        now: p.now,
      }).changes > 0
    );
  }

  markProgress(id: string, stepsDone: number): void {
    this.stmts.progress.run(stepsDone, id);
  }

  /** Moves a queued or running run to a final status; false if it had already finished. */
  markFinished(id: string, p: RunFinishedPatch): boolean {
    return (
      this.stmts.finished.run({
        id,
        status: p.status,
        error: p.error,
        stepsDone: p.stepsDone ?? null,
        trainSeconds: p.trainSeconds ?? null,
        wallSeconds: p.wallSeconds ?? null,
        dataHash: p.dataHash ?? null,
        now: p.now,
      }).changes > 0
    );
  }

  /** A sweep's runs, in the order they were queued. */
  bySweep(sweepId: string): RunRow[] {
    return this.stmts.bySweep.all(sweepId);
  }

  summaries(rows: readonly RunRow[]): RunSummary[] {
    return rows.map((r) => toSummary(r, this.final(r.id), this.label));
  }

  /** Puts an interrupted run back in the queue from scratch (its partial metrics go). */
  requeue(id: string, ownerPid: number): boolean {
    return this.db.transaction(() => {
      if (this.stmts.requeue.run({ id, ownerPid }).changes === 0) return false;
      this.stmts.deleteMetrics.run(id);
      return true;
    })();
  }

  delete(id: string): boolean {
    return this.stmts.delete.run(id).changes > 0;
  }

  private nameId(name: string): number {
    let id = this.nameIds.get(name);
    if (id === undefined) {
      id = this.stmts.nameId.get(name)?.id ?? Number(this.stmts.insertName.run(name).lastInsertRowid);
      this.nameIds.set(name, id);
    }
    return id;
  }

  /** Writes a batch of evaluations in one transaction (non-finite values are stored as NULL). */
  insertMetrics(runId: string, points: readonly MetricPoint[]): number {
    let rows = 0;
    try {
      this.db.transaction(() => {
        for (const point of points) {
          for (const [name, value] of Object.entries(point.values)) {
            this.stmts.insertMetric.run(runId, this.nameId(name), point.step, Number.isFinite(value) ? value : null);
            rows++;
          }
        }
      })();
    } catch (err) {
      // Names inserted inside the rolled-back transaction are gone: forget their cached ids.
      this.nameIds.clear();
      throw err;
    }
    return rows;
  }

  /** After a caller's transaction rolled back: names it interned are gone, so are their cached ids. */
  forgetNameIds(): void {
    this.nameIds.clear();
  }

  /**
   * Writes whole series (an import's): no transaction of its own, so that the caller's one covers
   * the run row and its metrics together. Returns the rows written.
   */
  insertSeriesRows(runId: string, series: readonly { name: string; steps: readonly number[]; values: readonly (number | null)[] }[]): number {
    let rows = 0;
    try {
      for (const s of series) {
        const nameId = this.nameId(s.name);
        for (let i = 0; i < s.steps.length; i++) {
          const v = s.values[i];
          this.stmts.insertMetric.run(runId, nameId, s.steps[i], v === null || v === undefined || !Number.isFinite(v) ? null : v);
          rows++;
        }
      }
    } catch (err) {
      this.nameIds.clear();
      throw err;
    }
    return rows;
  }

  series(runId: string, names?: readonly string[]): { name: string; steps: number[]; values: (number | null)[] }[] {
    const available = this.stmts.metricNames.all(runId);
    const wanted = names ? available.filter((n) => names.includes(n.name)) : available;
    return wanted.map(({ name, id }) => {
      const rows = this.stmts.series.raw().all(runId, id);
      return { name, steps: rows.map((r) => r[0]), values: rows.map((r) => r[1]) };
    });
  }

  allMetrics(runId: string): { step: number; name: string; value: number | null }[] {
    return this.stmts.allMetrics.all(runId);
  }

  /** A project's runs for a bundle, every column, in the order they were created. */
  bundleRows(projectId: string): RunRow[] {
    return this.bundle.rows.all(projectId);
  }

  /** A run's metrics for a bundle, as [name, step, value] rows, grouped by metric, steps ascending. */
  bundleMetrics(runId: string): [string, number, number | null][] {
    return this.bundle.metrics.all(runId);
  }

  /** A run from a bundle, under its new id (its rerun_of is set by setRerunOfFromBundle). */
  insertFromBundle(r: RunImportRow): void {
    this.bundle.insert.run(r);
  }

  /** Set after every run of the import exists (a rerun may be listed before its original). */
  setRerunOfFromBundle(runId: string, rerunOf: string): void {
    this.bundle.setRerunOf.run(rerunOf, runId);
  }

  /**
   * The id of a metric name, adding the name when this database has not seen it. Not cached: an
   * import that rolls back takes the names it added with it.
   */
  bundleMetricNameId(name: string): number {
    this.bundle.insertName.run(name);
    return this.bundle.nameId.get(name)!;
  }
}

export type { MetricSeries };
