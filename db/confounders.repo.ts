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

export class ConfoundersRepo {
  private readonly stmts;

  constructor(db: Database.Database) {
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
}
