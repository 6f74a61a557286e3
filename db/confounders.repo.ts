import type Database from 'better-sqlite3';
import type { ConfounderReport, ConfounderTest } from '../contract/confounders';

interface Row {
  id: string;
  project_id: string;
  title: string;
  settings: string;
  report: string;
  verdict: string;
  created_at: string;
}

const toTest = (r: Row): ConfounderTest => ({
  id: r.id,
  projectId: r.project_id,
  title: r.title,
  settings: JSON.parse(r.settings) as ConfounderTest['settings'],
  report: JSON.parse(r.report) as ConfounderReport,
  verdict: r.verdict,
  createdAt: r.created_at,
});

/** A confounder test as a bundle carries it (the hypotheses it is attached to travel beside it). */
export type BundleConfounderRow = Omit<Row, 'project_id'>;

export class ConfoundersRepo {
  private readonly stmts;

  /** Reading the rows a bundle carries, and writing them back on import (services/bundle.service.ts). */
  private readonly bundle;

  constructor(db: Database.Database) {
    this.bundle = {
      rows: db.prepare<[string], BundleConfounderRow>(
        'SELECT id, title, settings, report, verdict, created_at FROM confounder_tests WHERE project_id = ? ORDER BY created_at, id',
      ),
      hypotheses: db.prepare<[string], { hypothesis_id: string; test_id: string }>(
        `SELECT l.hypothesis_id, l.test_id FROM hypothesis_confounders l JOIN confounder_tests t ON t.id = l.test_id
         WHERE t.project_id = ? ORDER BY l.test_id, l.hypothesis_id`,
      ),
      insert: db.prepare(
        `INSERT INTO confounder_tests (id, project_id, title, settings, report, verdict, created_at)
         VALUES (@id, @project_id, @title, @settings, @report, @verdict, @created_at)`,
      ),
      linkHypothesis: db.prepare('INSERT INTO hypothesis_confounders (hypothesis_id, test_id) VALUES (?, ?)'),
    };
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO confounder_tests (id, project_id, title, settings, report, verdict, created_at)
         VALUES (@id, @projectId, @title, @settings, @report, @verdict, @createdAt)`,
      ),
      byId: db.prepare<[string], Row>('SELECT * FROM confounder_tests WHERE id = ?'),
      byProject: db.prepare<[string], Row>('SELECT * FROM confounder_tests WHERE project_id = ? ORDER BY created_at DESC'),
      delete: db.prepare('DELETE FROM confounder_tests WHERE id = ?'),
      byHypothesis: db.prepare<[string], Row>(
        `SELECT t.* FROM confounder_tests t JOIN hypothesis_confounders h ON h.test_id = t.id WHERE h.hypothesis_id = ? ORDER BY t.created_at`,
      ),
      link: db.prepare('INSERT OR IGNORE INTO hypothesis_confounders (hypothesis_id, test_id) VALUES (?, ?)'),
      unlink: db.prepare('DELETE FROM hypothesis_confounders WHERE hypothesis_id = ? AND test_id = ?'),
    };
  }

  insert(t: ConfounderTest): void {
    this.stmts.insert.run({ ...t, settings: JSON.stringify(t.settings), report: JSON.stringify(t.report) });
  }

  get(id: string): ConfounderTest | undefined {
    const row = this.stmts.byId.get(id);
    return row && toTest(row);
  }

  list(projectId: string): ConfounderTest[] {
    return this.stmts.byProject.all(projectId).map(toTest);
  }

  ofHypothesis(hypothesisId: string): ConfounderTest[] {
    return this.stmts.byHypothesis.all(hypothesisId).map(toTest);
  }

  delete(id: string): boolean {
    return this.stmts.delete.run(id).changes > 0;
  }

  setHypothesisLink(hypothesisId: string, testId: string, linked: boolean): void {
    if (linked) this.stmts.link.run(hypothesisId, testId);
    else this.stmts.unlink.run(hypothesisId, testId);
  }

  /** A project's confounder tests for a bundle, oldest first. */
  bundleRows(projectId: string): BundleConfounderRow[] {
    return this.bundle.rows.all(projectId);
  }

  /** Which hypotheses each confounder test of a project is attached to, for a bundle. */
  bundleHypothesisLinks(projectId: string): { hypothesis_id: string; test_id: string }[] {
    return this.bundle.hypotheses.all(projectId);
  }

  /** A confounder test from a bundle and the hypotheses it is attached to (insert those first). */
  insertFromBundle(projectId: string, t: BundleConfounderRow, hypothesisIds: readonly string[]): void {
    this.bundle.insert.run({ project_id: projectId, ...t });
    for (const h of hypothesisIds) this.bundle.linkHypothesis.run(h, t.id);
  }
}
