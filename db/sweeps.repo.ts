import type Database from 'better-sqlite3';
import type { GridAxis } from '../contract/sweeps';

interface SweepRow {
  id: string;
  project_id: string | null;
  experiment: string;
  preset: string | null;
  config: string;
  grid: string;
  seeds: number;
  created_at: string;
  cancelled_at: string | null;
  executor: 'local' | 'slurm';
  slurm: string | null;
  adopted: 0 | 1;
}

export interface StoredSweep {
  id: string;
  projectId: string | null;
  experiment: string;
  preset: string | null;
  config: Record<string, unknown>;
  grid: GridAxis[];
  seeds: number;
  createdAt: string;
  cancelledAt: string | null;
  executor: 'local' | 'slurm';
  /** A SLURM sweep's work directory, options and job ids, as stored (the service validates it). */
  slurm: unknown;
  /** Made of runs that already existed: deleting it keeps them. */
  adopted: boolean;
}

const toSweep = (r: SweepRow): StoredSweep => ({
  id: r.id,
  projectId: r.project_id,
  experiment: r.experiment,
  preset: r.preset,
  config: JSON.parse(r.config) as Record<string, unknown>,
  grid: JSON.parse(r.grid) as GridAxis[],
  seeds: r.seeds,
  createdAt: r.created_at,
  cancelledAt: r.cancelled_at,
  executor: r.executor,
  slurm: r.slurm === null ? null : (JSON.parse(r.slurm) as unknown),
  adopted: r.adopted === 1,
});

/** A sweep as a bundle carries it (a bundle has no executor: its runs are finished or interrupted). */
export type BundleSweepRow = Omit<SweepRow, 'project_id' | 'executor' | 'slurm'>;

export class SweepsRepo {
  private readonly stmts;

  /** Reading the rows a bundle carries, and writing them back on import (services/bundle.service.ts). */
  private readonly bundle;

  constructor(db: Database.Database) {
    this.bundle = {
      // A project's sweeps, and any sweep one of its runs belongs to.
      rows: db.prepare<[string, string], BundleSweepRow>(
        `SELECT id, experiment, preset, config, grid, seeds, created_at, cancelled_at, adopted FROM sweeps
         WHERE project_id = ? OR id IN (SELECT sweep_id FROM runs WHERE project_id = ? AND sweep_id IS NOT NULL)
         ORDER BY created_at, id`,
      ),
      insert: db.prepare(
        `INSERT INTO sweeps (id, project_id, experiment, preset, config, grid, seeds, created_at, cancelled_at, adopted)
         VALUES (@id, @project_id, @experiment, @preset, @config, @grid, @seeds, @created_at, @cancelled_at, @adopted)`,
      ),
    };
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO sweeps (id, project_id, experiment, preset, config, grid, seeds, created_at, executor, slurm, adopted)
         VALUES (@id, @projectId, @experiment, @preset, @config, @grid, @seeds, @createdAt, @executor, @slurm, @adopted)`,
      ),
      byId: db.prepare<[string], SweepRow>('SELECT * FROM sweeps WHERE id = ?'),
      byProject: db.prepare<[string], SweepRow>('SELECT * FROM sweeps WHERE project_id = ? ORDER BY created_at DESC'),
      all: db.prepare<[], SweepRow>('SELECT * FROM sweeps ORDER BY created_at DESC'),
      // Only local sweeps have runs this host trains; a SLURM sweep's runs arrive by collect, an adopted one's were there.
      open: db.prepare<[], SweepRow>("SELECT * FROM sweeps WHERE cancelled_at IS NULL AND executor = 'local' AND adopted = 0 ORDER BY created_at"),
      // The sweep_id guard: a run another sweep took meanwhile is not taken twice.
      adoptRun: db.prepare<[string, string, string]>('UPDATE runs SET sweep_id = ?, sweep_point = ? WHERE id = ? AND sweep_id IS NULL'),
      releaseRuns: db.prepare<[string]>('UPDATE runs SET sweep_id = NULL, sweep_point = NULL WHERE sweep_id = ?'),
      setSlurm: db.prepare('UPDATE sweeps SET slurm = ? WHERE id = ?'),
      cancel: db.prepare('UPDATE sweeps SET cancelled_at = ? WHERE id = ? AND cancelled_at IS NULL'),
      delete: db.prepare('DELETE FROM sweeps WHERE id = ?'),
    };
  }

  insert(s: Omit<StoredSweep, 'cancelledAt' | 'executor' | 'slurm' | 'adopted'> & { executor?: 'local' | 'slurm'; slurm?: unknown; adopted?: boolean }): void {
    this.stmts.insert.run({
      ...s,
      adopted: s.adopted ? 1 : 0,
      config: JSON.stringify(s.config),
      grid: JSON.stringify(s.grid),
      executor: s.executor ?? 'local',
      slurm: s.slurm === undefined || s.slurm === null ? null : JSON.stringify(s.slurm),
    });
  }

  setSlurm(id: string, slurm: unknown): void {
    this.stmts.setSlurm.run(JSON.stringify(slurm), id);
  }

  get(id: string): StoredSweep | undefined {
    const row = this.stmts.byId.get(id);
    return row && toSweep(row);
  }

  list(projectId: string | null): StoredSweep[] {
    return (projectId ? this.stmts.byProject.all(projectId) : this.stmts.all.all()).map(toSweep);
  }

  /** Local sweeps not cancelled: the ones a restarted host resumes. */
  open(): StoredSweep[] {
    return this.stmts.open.all().map(toSweep);
  }

  cancel(id: string, now: string): boolean {
    return this.stmts.cancel.run(now, id).changes > 0;
  }

  delete(id: string): boolean {
    return this.stmts.delete.run(id).changes > 0;
  }

  /** Links an existing run to a sweep at a point; false when it already belongs to one. */
  adoptRun(sweepId: string, runId: string, point: Record<string, unknown>): boolean {
    return this.stmts.adoptRun.run(sweepId, JSON.stringify(point), runId).changes > 0;
  }

  /** Unlinks a sweep's runs (they stay, outside any sweep), so deleting the sweep cannot cascade to them. */
  releaseRuns(sweepId: string): number {
    return this.stmts.releaseRuns.run(sweepId).changes;
  }

  /** A project's sweeps for a bundle, and any sweep one of its runs belongs to; oldest first. */
  bundleRows(projectId: string): BundleSweepRow[] {
    return this.bundle.rows.all(projectId, projectId);
  }

  insertFromBundle(projectId: string, s: BundleSweepRow): void {
    this.bundle.insert.run({ project_id: projectId, ...s });
  }
}
