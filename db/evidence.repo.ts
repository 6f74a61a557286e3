import type Database from 'better-sqlite3';
import type { EvidenceKind } from '../contract/notebook';

export interface EvidenceRow {
  question_key: string;
  kind: EvidenceKind;
  target_id: string;
  linked_at: string;
}

/** Links from checklist answers to what they cite. */
export class EvidenceRepo {
  private readonly stmts;

  /** Reading the rows a bundle carries, and writing them back on import (services/bundle.service.ts). */
  private readonly bundle;

  constructor(db: Database.Database) {
    this.bundle = {
      rows: db.prepare<[string], EvidenceRow>(
        'SELECT question_key, kind, target_id, linked_at FROM evidence WHERE project_id = ? ORDER BY question_key, kind, target_id',
      ),
      insert: db.prepare(
        `INSERT INTO evidence (project_id, question_key, kind, target_id, linked_at)
         VALUES (@project_id, @question_key, @kind, @target_id, @linked_at)`,
      ),
    };
    this.stmts = {
      byProject: db.prepare<[string], EvidenceRow>(
        'SELECT question_key, kind, target_id, linked_at FROM evidence WHERE project_id = ? ORDER BY question_key, linked_at, target_id',
      ),
      link: db.prepare(
        `INSERT OR IGNORE INTO evidence (project_id, question_key, kind, target_id, linked_at)
         VALUES (@projectId, @questionKey, @kind, @targetId, @now)`,
      ),
      unlink: db.prepare(
        'DELETE FROM evidence WHERE project_id = @projectId AND question_key = @questionKey AND kind = @kind AND target_id = @targetId',
      ),
    };
  }

  list(projectId: string): EvidenceRow[] {
    return this.stmts.byProject.all(projectId);
  }

  set(e: { projectId: string; questionKey: string; kind: EvidenceKind; targetId: string; linked: boolean; now: string }): boolean {
    const { projectId, questionKey, kind, targetId, now } = e;
    return e.linked
      ? this.stmts.link.run({ projectId, questionKey, kind, targetId, now }).changes > 0
      : this.stmts.unlink.run({ projectId, questionKey, kind, targetId }).changes > 0;
  }

  /** A project's evidence links for a bundle (a bundle carries the row as it is). */
  bundleRows(projectId: string): EvidenceRow[] {
    return this.bundle.rows.all(projectId);
  }

  insertFromBundle(projectId: string, e: EvidenceRow): void {
    this.bundle.insert.run({ project_id: projectId, ...e });
  }
}
