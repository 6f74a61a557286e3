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
import { RunsRepo, type RunImportRow, type RunRow } from './runs.repo';
import { SweepsRepo, type BundleSweepRow } from './sweeps.repo';

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

/**
 * Reads a whole project as rows (for a bundle export) and writes one back under new ids (for an
 * import). Each table's repo owns its bundle rows (what is read for an export, how one is written
 * back); this module composes them: one read transaction for a consistent snapshot, one write
 * transaction for an import, and the staging of an import's metric points. The service maps ids
 * and converts between rows and the bundle format; every write of an import happens inside
 * `transaction`.
 */
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
  private readonly sweeps: SweepsRepo;
  private readonly runs: RunsRepo;

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
    this.sweeps = new SweepsRepo(db);
    this.runs = new RunsRepo(db);
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
    };
  }

  /** Runs fn in one SQLite transaction (reads see one snapshot; writes commit or roll back together). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Every row of a project, or undefined when there is no such project. */
  readProject(projectId: string): ProjectRows | undefined {
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
      sweeps: this.sweeps.bundleRows(projectId),
      runs: this.runs.bundleRows(projectId),
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
    return this.runs.bundleMetrics(runId);
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
    this.sweeps.insertFromBundle(projectId, s);
  }

  insertRun(r: RunImportRow): void {
    this.runs.insertFromBundle(r);
  }

  /** Set after every run of the import exists (a rerun may be listed before its original). */
  setRerunOf(runId: string, rerunOf: string): void {
    this.runs.setRerunOfFromBundle(runId, rerunOf);
  }

  /** The id of a metric name, adding the name when this database has not seen it. */
  metricNameId(name: string): number {
    return this.runs.bundleMetricNameId(name);
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
