import type Database from 'better-sqlite3';
import { ChecklistRepo, type BundleAnswerRow, type BundleRevisionRow } from './checklist.repo';
import { EvidenceRepo, type EvidenceRow } from './evidence.repo';
import { MetricRolesRepo, type BundleMetricRoleRow } from './metric-roles.repo';
import { ProjectsRepo, type BundleProjectRow } from './projects.repo';
import { COPY_RUN_SQL, metricCopyStatements } from './run-copy';
import type { Relation } from '../contract/hypotheses';
import type { RunRow } from './runs.repo';

/**
 * Reads a whole project as rows (for a bundle export) and writes one back under new ids (for an
 * import). The service maps ids and converts between rows and the bundle format; every write of
 * an import happens inside `transaction`.
 */

export interface BundleNoteRow {
  id: string;
  title: string;
  body: string;
  tags: string;
  created_at: string;
  updated_at: string;
}

export interface BundleHypothesisRow {
  id: string;
  statement: string;
  theory: string;
  relation: Relation;
  predictions: string;
  locked_at: string | null;
  lock_hash: string | null;
  created_at: string;
  updated_at: string;
}

export interface BundleAmendmentRow {
  hypothesis_id: string;
  number: number;
  statement: string;
  theory: string;
  relation: Relation;
  predictions: string;
  reason: string;
  hash: string;
  created_at: string;
}

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

export interface BundleFigureRow {
  id: string;
  title: string;
  caption: string;
  provenance: string;
  svg: string;
  created_at: string;
}

export interface BundleConfounderRow {
  id: string;
  title: string;
  settings: string;
  report: string;
  verdict: string;
  created_at: string;
}

export interface BundleAttachmentRow {
  id: string;
  note_id: string | null;
  sha256: string;
  name: string;
  created_at: string;
}

export interface BundleAttachmentFileRow {
  sha256: string;
  media_type: string;
  data: Buffer;
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

  constructor(private readonly db: Database.Database) {
    this.projects = new ProjectsRepo(db);
    this.checklist = new ChecklistRepo(db);
    this.evidence = new EvidenceRepo(db);
    this.metricRoles = new MetricRolesRepo(db);
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
      notes: db.prepare<[string], BundleNoteRow>(
        'SELECT id, title, body, tags, created_at, updated_at FROM notes WHERE project_id = ? ORDER BY created_at, id',
      ),
      noteRuns: db.prepare<[string], { note_id: string; run_id: string }>(
        `SELECT l.note_id, l.run_id FROM note_runs l JOIN notes n ON n.id = l.note_id
         WHERE n.project_id = ? ORDER BY l.note_id, l.run_id`,
      ),
      noteFigures: db.prepare<[string], { note_id: string; figure_id: string }>(
        `SELECT l.note_id, l.figure_id FROM note_figures l JOIN notes n ON n.id = l.note_id
         WHERE n.project_id = ? ORDER BY l.note_id, l.figure_id`,
      ),
      hypotheses: db.prepare<[string], BundleHypothesisRow>(
        `SELECT id, statement, theory, relation, predictions, locked_at, lock_hash, created_at, updated_at
         FROM hypotheses WHERE project_id = ? ORDER BY created_at, id`,
      ),
      amendments: db.prepare<[string], BundleAmendmentRow>(
        `SELECT a.hypothesis_id, a.number, a.statement, a.theory, a.relation, a.predictions, a.reason, a.hash, a.created_at
         FROM hypothesis_amendments a JOIN hypotheses h ON h.id = a.hypothesis_id
         WHERE h.project_id = ? ORDER BY a.hypothesis_id, a.number`,
      ),
      hypothesisRuns: db.prepare<[string], { hypothesis_id: string; run_id: string; linked_at: string }>(
        `SELECT l.hypothesis_id, l.run_id, l.linked_at FROM hypothesis_runs l JOIN hypotheses h ON h.id = l.hypothesis_id
         WHERE h.project_id = ? ORDER BY l.hypothesis_id, l.linked_at, l.run_id`,
      ),
      // A project's sweeps, and any sweep one of its runs belongs to.
      sweeps: db.prepare<[string, string], BundleSweepRow>(
        `SELECT id, experiment, preset, config, grid, seeds, created_at, cancelled_at, adopted FROM sweeps
         WHERE project_id = ? OR id IN (SELECT sweep_id FROM runs WHERE project_id = ? AND sweep_id IS NOT NULL)
         ORDER BY created_at, id`,
      ),
      runs: db.prepare<[string], RunRow>('SELECT * FROM runs WHERE project_id = ? ORDER BY created_at, rowid'),
      figures: db.prepare<[string], BundleFigureRow>(
        'SELECT id, title, caption, provenance, svg, created_at FROM figures WHERE project_id = ? ORDER BY created_at, id',
      ),
      confounders: db.prepare<[string], BundleConfounderRow>(
        'SELECT id, title, settings, report, verdict, created_at FROM confounder_tests WHERE project_id = ? ORDER BY created_at, id',
      ),
      hypothesisConfounders: db.prepare<[string], { hypothesis_id: string; test_id: string }>(
        `SELECT l.hypothesis_id, l.test_id FROM hypothesis_confounders l JOIN confounder_tests t ON t.id = l.test_id
         WHERE t.project_id = ? ORDER BY l.test_id, l.hypothesis_id`,
      ),
      attachments: db.prepare<[string], BundleAttachmentRow>(
        'SELECT id, note_id, sha256, name, created_at FROM attachments WHERE project_id = ? ORDER BY created_at, id',
      ),
      attachmentFiles: db.prepare<[string], BundleAttachmentFileRow>(
        `SELECT b.sha256, b.media_type, b.data FROM attachment_blobs b
         WHERE b.sha256 IN (SELECT sha256 FROM attachments WHERE project_id = ?) ORDER BY b.sha256`,
      ),
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
      insertFigure: db.prepare(
        `INSERT INTO figures (id, project_id, title, caption, provenance, svg, created_at)
         VALUES (@id, @project_id, @title, @caption, @provenance, @svg, @created_at)`,
      ),
      insertNote: db.prepare(
        `INSERT INTO notes (id, project_id, title, body, tags, created_at, updated_at)
         VALUES (@id, @project_id, @title, @body, @tags, @created_at, @updated_at)`,
      ),
      linkNoteRun: db.prepare('INSERT INTO note_runs (note_id, run_id) VALUES (?, ?)'),
      linkNoteFigure: db.prepare('INSERT INTO note_figures (note_id, figure_id) VALUES (?, ?)'),
      insertHypothesis: db.prepare(
        `INSERT INTO hypotheses (id, project_id, statement, theory, relation, predictions, locked_at, lock_hash, created_at, updated_at)
         VALUES (@id, @project_id, @statement, @theory, @relation, @predictions, @locked_at, @lock_hash, @created_at, @updated_at)`,
      ),
      insertAmendment: db.prepare(
        `INSERT INTO hypothesis_amendments (hypothesis_id, number, statement, theory, relation, predictions, reason, hash, created_at)
         VALUES (@hypothesis_id, @number, @statement, @theory, @relation, @predictions, @reason, @hash, @created_at)`,
      ),
      linkHypothesisRun: db.prepare('INSERT INTO hypothesis_runs (hypothesis_id, run_id, linked_at) VALUES (?, ?, ?)'),
      insertConfounder: db.prepare(
        `INSERT INTO confounder_tests (id, project_id, title, settings, report, verdict, created_at)
         VALUES (@id, @project_id, @title, @settings, @report, @verdict, @created_at)`,
      ),
      linkHypothesisConfounder: db.prepare('INSERT INTO hypothesis_confounders (hypothesis_id, test_id) VALUES (?, ?)'),
      // The same bytes may be stored already (the project imported next to its original): kept once.
      insertAttachmentBlob: db.prepare(
        `INSERT OR IGNORE INTO attachment_blobs (sha256, media_type, size, data, created_at)
         VALUES (@sha256, @media_type, @size, @data, @created_at)`,
      ),
      insertAttachment: db.prepare(
        `INSERT INTO attachments (id, project_id, note_id, sha256, name, created_at)
         VALUES (@id, @project_id, @note_id, @sha256, @name, @created_at)`,
      ),
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
      notes: s.notes.all(projectId),
      noteRuns: s.noteRuns.all(projectId),
      noteFigures: s.noteFigures.all(projectId),
      hypotheses: s.hypotheses.all(projectId),
      amendments: s.amendments.all(projectId),
      hypothesisRuns: s.hypothesisRuns.all(projectId),
      sweeps: s.sweeps.all(projectId, projectId),
      runs: s.runs.all(projectId),
      figures: s.figures.all(projectId),
      confounders: s.confounders.all(projectId),
      hypothesisConfounders: s.hypothesisConfounders.all(projectId),
      attachments: s.attachments.all(projectId),
      attachmentFiles: s.attachmentFiles.all(projectId),
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
    this.stmts.insertFigure.run({ project_id: projectId, ...f });
  }

  insertNote(projectId: string, n: BundleNoteRow, runIds: readonly string[], figureIds: readonly string[]): void {
    this.stmts.insertNote.run({ project_id: projectId, ...n });
    for (const runId of runIds) this.stmts.linkNoteRun.run(n.id, runId);
    for (const figureId of figureIds) this.stmts.linkNoteFigure.run(n.id, figureId);
  }

  insertHypothesis(
    projectId: string,
    h: BundleHypothesisRow,
    amendments: readonly Omit<BundleAmendmentRow, 'hypothesis_id'>[],
    runs: readonly { run_id: string; linked_at: string }[],
  ): void {
    this.stmts.insertHypothesis.run({ project_id: projectId, ...h });
    // In number order, so the search index ends on the latest amendment as it does when amending.
    for (const a of [...amendments].sort((x, y) => x.number - y.number)) this.stmts.insertAmendment.run({ hypothesis_id: h.id, ...a });
    for (const r of runs) this.stmts.linkHypothesisRun.run(h.id, r.run_id, r.linked_at);
  }

  /** A confounder test and the hypotheses it is attached to (insert those first). */
  insertConfounder(projectId: string, t: BundleConfounderRow, hypothesisIds: readonly string[]): void {
    this.stmts.insertConfounder.run({ project_id: projectId, ...t });
    for (const h of hypothesisIds) this.stmts.linkHypothesisConfounder.run(h, t.id);
  }

  /** An attached file's bytes (unless stored already), then where it was attached. */
  insertAttachmentFile(f: { sha256: string; media_type: string; data: Uint8Array; created_at: string }): void {
    this.stmts.insertAttachmentBlob.run({ ...f, size: f.data.length, data: Buffer.from(f.data.buffer, f.data.byteOffset, f.data.length) });
  }

  insertAttachment(projectId: string, a: BundleAttachmentRow): void {
    this.stmts.insertAttachment.run({ project_id: projectId, ...a });
  }
}
