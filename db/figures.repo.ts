import type Database from 'better-sqlite3';
import type { Figure, FigureProvenance, FigureSummary } from '../contract/figures';

interface FigureRow {
  id: string;
  project_id: string;
  title: string;
  caption: string;
  provenance: string;
  svg?: string;
  created_at: string;
}

const toSummary = (r: FigureRow): FigureSummary => ({
  id: r.id,
  projectId: r.project_id,
  title: r.title,
  caption: r.caption,
  provenance: JSON.parse(r.provenance) as FigureProvenance,
  createdAt: r.created_at,
});

/** A figure as a bundle carries it (with its SVG). */
export type BundleFigureRow = Required<Omit<FigureRow, 'project_id'>>;

export class FiguresRepo {
  private readonly stmts;

  /** Reading the rows a bundle carries, and writing them back on import (services/bundle.service.ts). */
  private readonly bundle;

  constructor(private readonly db: Database.Database) {
    this.bundle = {
      rows: db.prepare<[string], BundleFigureRow>(
        'SELECT id, title, caption, provenance, svg, created_at FROM figures WHERE project_id = ? ORDER BY created_at, id',
      ),
      insert: db.prepare(
        `INSERT INTO figures (id, project_id, title, caption, provenance, svg, created_at)
         VALUES (@id, @project_id, @title, @caption, @provenance, @svg, @created_at)`,
      ),
    };
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO figures (id, project_id, title, caption, provenance, svg, created_at)
         VALUES (@id, @projectId, @title, @caption, @provenance, @svg, @now)`,
      ),
      byId: db.prepare<[string], FigureRow>('SELECT * FROM figures WHERE id = ?'),
      byProject: db.prepare<[string], FigureRow>(
        'SELECT id, project_id, title, caption, provenance, created_at FROM figures WHERE project_id = ? ORDER BY created_at DESC',
      ),
      delete: db.prepare('DELETE FROM figures WHERE id = ?'),
      link: db.prepare('INSERT OR IGNORE INTO note_figures (note_id, figure_id) VALUES (?, ?)'),
      unlink: db.prepare('DELETE FROM note_figures WHERE note_id = ? AND figure_id = ?'),
    };
  }

  insert(f: { id: string; projectId: string; title: string; caption: string; provenance: FigureProvenance; svg: string; now: string }): void {
    this.stmts.insert.run({ ...f, provenance: JSON.stringify(f.provenance) });
  }

  get(id: string): Figure | undefined {
    const row = this.stmts.byId.get(id);
    return row && { ...toSummary(row), svg: row.svg ?? '' };
  }

  list(projectId: string): FigureSummary[] {
    return this.stmts.byProject.all(projectId).map(toSummary);
  }

  delete(id: string): boolean {
    return this.stmts.delete.run(id).changes > 0;
  }

  setNoteLink(noteId: string, figureId: string, linked: boolean): void {
    if (linked) this.stmts.link.run(noteId, figureId);
    else this.stmts.unlink.run(noteId, figureId);
  }

  /** A project's figures for a bundle, oldest first. */
  bundleRows(projectId: string): BundleFigureRow[] {
    return this.bundle.rows.all(projectId);
  }

  insertFromBundle(projectId: string, f: BundleFigureRow): void {
    this.bundle.insert.run({ project_id: projectId, ...f });
  }
}
