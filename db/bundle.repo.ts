import type Database from 'better-sqlite3';
import { AttachmentsRepo, type BundleAttachmentFileRow, type BundleAttachmentRow } from './attachments.repo';
import { ChecklistRepo, type BundleAnswerRow, type BundleRevisionRow } from './checklist.repo';
import { ConfoundersRepo, type BundleConfounderRow } from './confounders.repo';
import { EvidenceRepo, type EvidenceRow } from './evidence.repo';
import { FiguresRepo, type BundleFigureRow } from './figures.repo';
import { HypothesesRepo, type AmendmentRow, type BundleAmendmentRow, type BundleHypothesisRow } from './hypotheses.repo';
import { MetricRolesRepo, type BundleMetricRoleRow } from './metric-roles.repo';
import { NotesRepo, type BundleNoteRow } from './notes.repo';
import { ProjectsRepo, type BundleProjectRow } from './projects.repo';
import { COPY_RUN_SQL, metricCopyStatements } from './run-copy';
import type { RunRow } from './runs.repo';

/**
 * Reads a whole project as rows (for a bundle export) and writes one back under new ids (for an
 * import). The service maps ids and converts between rows and the bundle format; every write of
 * an import happens inside `transaction`.
 */

export interface BundleSweepRow {
  id: string;
  experiment: string;
  preset: string | null;
  config: string;
  grid: string;
  seeds: number;
  created_at: string;
  cancelled_at: string | null;
  adopted: 0 | 1;
}

/** Everything of one project, as stored. */
export interface ProjectRows {
  project: BundleProjectRow;
  tags: string[];
  answers: BundleAnswerRow[];
  revisions: BundleRevisionRow[];
  evidence: EvidenceRow[];
  notes: BundleNoteRow[];
  noteRuns: { note_id: string; run_id: string }[];
  noteFigures: { note_id: string; figure_id: string }[];
  hypotheses: BundleHypothesisRow[];
  amendments: BundleAmendmentRow[];
  hypothesisRuns: { hypothesis_id: string; run_id: string; linked_at: string }[];
  sweeps: BundleSweepRow[];
  runs: RunRow[];
  figures: BundleFigureRow[];
  confounders: BundleConfounderRow[];
  hypothesisConfounders: { hypothesis_id: string; test_id: string }[];
  attachments: BundleAttachmentRow[];
  /** The bytes of every distinct file the project has attached, once each. */
  attachmentFiles: BundleAttachmentFileRow[];
  metricRoles: BundleMetricRoleRow[];
}

/** A run row as an import writes it (no owner process: nothing trains an imported run). */
export type RunImportRow = Omit<RunRow, 'owner_pid' | 'rerun_of' | 'source' | 'origin' | 'content_hash' | 'name'> &
  Required<Pick<RunRow, 'source' | 'origin' | 'content_hash' | 'name'>>;

export class BundleRepo {
  private readonly stmts;
  private readonly projects: ProjectsRepo;
  private readonly checklist: ChecklistRepo;
  private readonly evidence: EvidenceRepo;
  private readonly metricRoles: MetricRolesRepo;
  private readonly notes: NotesRepo;
  private readonly hypotheses: HypothesesRepo;
  private readonly figures: FiguresRepo;
  private readonly confounders: ConfoundersRepo;
  private readonly attachments: AttachmentsRepo;

  constructor(private readonly db: Database.Database) {
    this.projects = new ProjectsRepo(db);
    this.checklist = new ChecklistRepo(db);
    this.evidence = new EvidenceRepo(db);
    this.metricRoles = new MetricRolesRepo(db);
    this.notes = new NotesRepo(db);
    this.hypotheses = new HypothesesRepo(db);
    this.figures = new FiguresRepo(db);
    this.confounders = new ConfoundersRepo(db);
    this.attachments = new AttachmentsRepo(db);
    // Metric points of an import are staged in this connection's temp database first, then copied
    // into metrics by one INSERT … SELECT inside the import's transaction: the write lock on the
    // notebook is held for the copy only, not while millions of rows cross from JavaScript.
    db.exec('CREATE TEMP TABLE IF NOT EXISTS bundle_import_stage (run_id TEXT NOT NULL, name TEXT NOT NULL, step INTEGER NOT NULL, value REAL)');
    this.stmts = {
      stagePoint: db.prepare('INSERT INTO temp.bundle_import_stage (run_id, name, step, value) VALUES (?, ?, ?, ?)'),
      copyStaged: db.prepare(
        `INSERT INTO metrics (run_id, name_id, step, value)
         SELECT s.run_id, n.id, s.step, s.value FROM temp.bundle_import_stage s JOIN metric_names n ON n.name = s.name
         ORDER BY s.run_id, n.id, s.step`,
      ),
      clearStaged: db.prepare('DELETE FROM temp.bundle_import_stage'),
      // ---- reads
      // A project's sweeps, and any sweep one of its runs belongs to.
      sweeps: db.prepare<[string, string], BundleSweepRow>(
        `SELECT id, experiment, preset, config, grid, seeds, created_at, cancelled_at, adopted FROM sweeps
         WHERE project_id = ? OR id IN (SELECT sweep_id FROM runs WHERE project_id = ? AND sweep_id IS NOT NULL)
         ORDER BY created_at, id`,
      ),
      runs: db.prepare<[string], RunRow>('SELECT * FROM runs WHERE project_id = ? ORDER BY created_at, rowid'),
      metrics: db
        .prepare<[string], [string, number, number | null]>(
          // Primary-key order (no sort): grouped by metric, steps ascending.
          `SELECT n.name, m.step, m.value FROM metrics m JOIN metric_names n ON n.id = m.name_id
           WHERE m.run_id = ? ORDER BY m.name_id, m.step`,
        )
        .raw(),

      // ---- writes
      insertSweep: db.prepare(
        `INSERT INTO sweeps (id, project_id, experiment, preset, config, grid, seeds, created_at, cancelled_at, adopted)
         VALUES (@id, @project_id, @experiment, @preset, @config, @grid, @seeds, @created_at, @cancelled_at, @adopted)`,
      ),
      insertRun: db.prepare(COPY_RUN_SQL),
      setRerunOf: db.prepare('UPDATE runs SET rerun_of = ? WHERE id = ?'),
      ...metricCopyStatements(db),
    };
  }

  /** Runs fn in one SQLite transaction (reads see one snapshot; writes commit or roll back together). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Every row of a project, or undefined when there is no such project. */
  readProject(projectId: string): ProjectRows | undefined {
    const s = this.stmts;
    const project = this.projects.bundleRow(projectId);
    if (!project) return undefined;
    return {
      project,
      tags: this.projects.bundleTags(projectId),
      answers: this.checklist.bundleAnswers(projectId),
      revisions: this.checklist.bundleRevisions(projectId),
      evidence: this.evidence.bundleRows(projectId),
      notes: this.notes.bundleRows(projectId),
      noteRuns: this.notes.bundleRunLinks(projectId),
      noteFigures: this.notes.bundleFigureLinks(projectId),
      hypotheses: this.hypotheses.bundleRows(projectId),
      amendments: this.hypotheses.bundleAmendments(projectId),
      hypothesisRuns: this.hypotheses.bundleRunLinks(projectId),
      sweeps: s.sweeps.all(projectId, projectId),
      runs: s.runs.all(projectId),
      figures: this.figures.bundleRows(projectId),
      confounders: this.confounders.bundleRows(projectId),
      hypothesisConfounders: this.confounders.bundleHypothesisLinks(projectId),
      attachments: this.attachments.bundleRows(projectId),
      attachmentFiles: this.attachments.bundleFiles(projectId),
      metricRoles: this.metricRoles.bundleRows(projectId),
    };
  }

  /** A run's metrics as [name, step, value] rows, grouped by metric, steps ascending. */
  metrics(runId: string): [string, number, number | null][] {
    return this.stmts.metrics.all(runId);
  }

  insertProject(p: BundleProjectRow, tags: readonly string[]): void {
    this.projects.insertFromBundle(p, tags);
  }

  insertAnswer(projectId: string, a: BundleAnswerRow): void {
    this.checklist.insertAnswerFromBundle(projectId, a);
  }

  insertRevision(projectId: string, r: BundleRevisionRow): void {
    this.checklist.insertRevisionFromBundle(projectId, r);
  }

  insertEvidence(projectId: string, e: EvidenceRow): void {
    this.evidence.insertFromBundle(projectId, e);
  }

  insertMetricRole(projectId: string, role: string, metric: string): void {
    this.metricRoles.insertFromBundle(projectId, role, metric);
  }

  insertSweep(projectId: string, s: BundleSweepRow): void {
    this.stmts.insertSweep.run({ project_id: projectId, ...s });
  }

  insertRun(r: RunImportRow): void {
    this.stmts.insertRun.run(r);
  }

  /** Set after every run of the import exists (a rerun may be listed before its original). */
  setRerunOf(runId: string, rerunOf: string): void {
    this.stmts.setRerunOf.run(rerunOf, runId);
  }

  /** The id of a metric name, adding the name when this database has not seen it. */
  metricNameId(name: string): number {
    this.stmts.insertName.run(name);
    return this.stmts.nameId.get(name)!;
  }

  /**
   * Stages a run's series for copyStaged(), in the temp database only (no lock on the notebook);
   * call it outside the import's transaction, and clearStaged() when done either way.
   */
  stageSeries(runId: string, name: string, steps: readonly number[], values: readonly (number | null)[]): void {
    const stage = this.stmts.stagePoint;
    this.db.transaction(() => {
      for (let i = 0; i < steps.length; i++) stage.run(runId, name, steps[i], values[i]);
    })();
  }

  /** Copies every staged point into metrics (names must be interned first); returns the rows copied. */
  copyStaged(): number {
    return this.stmts.copyStaged.run().changes;
  }

  clearStaged(): void {
    this.stmts.clearStaged.run();
  }

  insertSeries(runId: string, nameId: number, steps: readonly number[], values: readonly (number | null)[]): void {
    const insert = this.stmts.insertMetric;
    for (let i = 0; i < steps.length; i++) insert.run(runId, nameId, steps[i], values[i]);
  }

  insertFigure(projectId: string, f: BundleFigureRow): void {
    this.figures.insertFromBundle(projectId, f);
  }

  insertNote(projectId: string, n: BundleNoteRow, runIds: readonly string[], figureIds: readonly string[]): void {
    this.notes.insertFromBundle(projectId, n, runIds, figureIds);
  }

  insertHypothesis(
    projectId: string,
    h: BundleHypothesisRow,
    amendments: readonly AmendmentRow[],
    runs: readonly { run_id: string; linked_at: string }[],
  ): void {
    this.hypotheses.insertFromBundle(projectId, h, amendments, runs);
  }

  /** A confounder test and the hypotheses it is attached to (insert those first). */
  insertConfounder(projectId: string, t: BundleConfounderRow, hypothesisIds: readonly string[]): void {
    this.confounders.insertFromBundle(projectId, t, hypothesisIds);
  }

  /** An attached file's bytes (unless stored already), then where it was attached. */
  insertAttachmentFile(f: { sha256: string; media_type: string; data: Uint8Array; created_at: string }): void {
    this.attachments.insertFileFromBundle(f);
  }

  insertAttachment(projectId: string, a: BundleAttachmentRow): void {
    this.attachments.insertFromBundle(projectId, a);
  }
}
