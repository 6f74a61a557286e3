import Database from 'better-sqlite3';
import { COPY_RUN_SQL, metricCopyStatements } from './run-copy';
import type { RunRow } from './runs.repo';

/** What a SLURM array task is known to be doing, as last seen by status or collect. */
export type SlurmTaskState = 'pending' | 'running' | 'finished' | 'collected' | 'failed';

interface TaskRow {
  sweep_id: string;
  task_index: number;
  point: string;
  seed: number;
  job_id: string | null;
  state: SlurmTaskState;
  detail: string | null;
  attempts: number;
  run_id: string | null;
  source_run_id: string | null;
  collected_at: string | null;
  updated_at: string;
}

export interface StoredSlurmTask {
  sweepId: string;
  index: number;
  point: Record<string, unknown>;
  seed: number;
  jobId: string | null;
  state: SlurmTaskState;
  detail: string | null;
  attempts: number;
  runId: string | null;
  sourceRunId: string | null;
  collectedAt: string | null;
}

const toTask = (r: TaskRow): StoredSlurmTask => ({
  sweepId: r.sweep_id,
  index: r.task_index,
  point: JSON.parse(r.point) as Record<string, unknown>,
  seed: r.seed,
  jobId: r.job_id,
  state: r.state,
  detail: r.detail,
  attempts: r.attempts,
  runId: r.run_id,
  sourceRunId: r.source_run_id,
  collectedAt: r.collected_at,
});

/** A finished run read from a task's own database, ready to be copied into the notebook. */
export interface TaskRunRows {
  run: RunRow;
  /** [name, step, value] rows. */
  metrics: [string, number, number | null][];
}

/** The array tasks of SLURM sweeps, and the one write that imports a task's run. */
export class SlurmRepo {
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      insertTask: db.prepare(
        `INSERT INTO slurm_tasks (sweep_id, task_index, point, seed, job_id, state, updated_at)
         VALUES (@sweepId, @index, @point, @seed, @jobId, 'pending', @now)`,
      ),
      tasks: db.prepare<[string], TaskRow>('SELECT * FROM slurm_tasks WHERE sweep_id = ? ORDER BY task_index'),
      setState: db.prepare(
        `UPDATE slurm_tasks SET state = @state, detail = @detail, updated_at = @now
         WHERE sweep_id = @sweepId AND task_index = @index AND state != 'collected'`,
      ),
      resubmitted: db.prepare(
        `UPDATE slurm_tasks SET state = 'pending', detail = NULL, job_id = @jobId, attempts = attempts + 1, updated_at = @now
         WHERE sweep_id = @sweepId AND task_index = @index AND state != 'collected'`,
      ),
      assignJob: db.prepare(
        `UPDATE slurm_tasks SET job_id = @jobId, updated_at = @now
         WHERE sweep_id = @sweepId AND job_id IS NULL AND state != 'collected'`,
      ),
      claim: db.prepare(
        `UPDATE slurm_tasks SET state = 'collected', detail = NULL, run_id = @runId, source_run_id = @sourceRunId, collected_at = @now, updated_at = @now
         WHERE sweep_id = @sweepId AND task_index = @index AND run_id IS NULL AND state != 'collected'`,
      ),
      insertRun: db.prepare(COPY_RUN_SQL),
      ...metricCopyStatements(db),
    };
  }

  /** Runs fn in one SQLite transaction. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  insertTasks(sweepId: string, tasks: readonly { index: number; point: Record<string, unknown>; seed: number }[], jobId: string | null, now: string): void {
    for (const t of tasks) this.stmts.insertTask.run({ sweepId, index: t.index, point: JSON.stringify(t.point), seed: t.seed, jobId, now });
  }

  tasks(sweepId: string): StoredSlurmTask[] {
    return this.stmts.tasks.all(sweepId).map(toTask);
  }

  /** A task's state as last seen; a collected task never changes again. */
  setState(sweepId: string, index: number, state: Exclude<SlurmTaskState, 'collected'>, detail: string | null, now: string): void {
    this.stmts.setState.run({ sweepId, index, state, detail, now });
  }

  resubmitted(sweepId: string, indices: readonly number[], jobId: string, now: string): void {
    this.db.transaction(() => {
      for (const index of indices) this.stmts.resubmitted.run({ sweepId, index, jobId, now });
    })();
  }

  /** A hand submission's job id, given to every task not yet collected that has none. */
  assignJob(sweepId: string, jobId: string, now: string): number {
    return this.stmts.assignJob.run({ sweepId, jobId, now }).changes;
  }

  /**
   * Copies a task's finished run (under a new id, as a run of the sweep) with all its metrics and
   * marks the task collected, in one transaction. Returns false, writing nothing, when the task
   * was already collected (by an earlier or a concurrent collect).
   */
  importTaskRun(
    sweepId: string,
    index: number,
    rows: TaskRunRows,
    target: { runId: string; projectId: string | null; point: Record<string, unknown>; now: string },
  ): boolean {
    const alreadyCollected = new Error('already collected');
    try {
      this.db.transaction(() => {
        const r = rows.run;
        this.stmts.insertRun.run({
          ...r,
          id: target.runId,
          project_id: target.projectId,
          group_id: sweepId,
          sweep_id: sweepId,
          sweep_point: JSON.stringify(target.point),
          // A SLURM task trains a run of Phenobook's own.
          source: 'phenobook',
          origin: null,
          content_hash: null,
          name: null,
        });
        const ids = new Map<string, number>();
        for (const [name, step, value] of rows.metrics) {
          let id = ids.get(name);
          if (id === undefined) {
            this.stmts.insertName.run(name);
            id = this.stmts.nameId.get(name)!;
            ids.set(name, id);
          }
          this.stmts.insertMetric.run(target.runId, id, step, value);
        }
        // The claim comes last (its run_id must exist); if another collect got there first, roll back.
        const claimed = this.stmts.claim.run({ sweepId, index, runId: target.runId, sourceRunId: rows.run.id, now: target.now }).changes > 0;
        if (!claimed) throw alreadyCollected;
      })();
    } catch (err) {
      if (err === alreadyCollected) return false;
      throw err;
    }
    return true;
  }
}

/**
 * Reads one run and its metrics from a task's own database (written by `phenobook run` on a
 * cluster node). Opened read-only so a collect can never change what a task wrote.
 */
export function readTaskRun(databaseFile: string, runId: string): TaskRunRows | undefined {
  const db = new Database(databaseFile, { readonly: true, fileMustExist: true });
  try {
    const run = db.prepare<[string], RunRow>('SELECT * FROM runs WHERE id = ?').get(runId);
    if (!run) return undefined;
    const metrics = db
      .prepare<[string], [string, number, number | null]>(
        `SELECT n.name, m.step, m.value FROM metrics m JOIN metric_names n ON n.id = m.name_id WHERE m.run_id = ? ORDER BY n.name, m.step`,
      )
      .raw()
      .all(runId);
    return { run, metrics };
  } finally {
    db.close();
  }
}
