import type Database from 'better-sqlite3';
import type { Note } from '../contract/notes';

interface NoteRow {
  id: string;
  project_id: string;
  title: string;
  body: string;
  tags: string;
  created_at: string;
  updated_at: string;
  run_ids: string | null;
  figure_ids: string | null;
  question_keys: string | null;
}

export interface NoteInsert {
  id: string;
  projectId: string;
  title: string;
  body: string;
  tags: string[];
  runIds: string[];
  now: string;
}

export interface NotePatch {
  title?: string;
  body?: string;
  tags?: string[];
}

const SELECT = `
  SELECT n.*,
    (SELECT json_group_array(run_id) FROM (SELECT run_id FROM note_runs WHERE note_id = n.id ORDER BY run_id)) AS run_ids,
    (SELECT json_group_array(figure_id) FROM (SELECT figure_id FROM note_figures WHERE note_id = n.id ORDER BY figure_id)) AS figure_ids,
    (SELECT json_group_array(question_key) FROM (SELECT question_key FROM evidence
       WHERE kind = 'note' AND target_id = n.id ORDER BY question_key)) AS question_keys
  FROM notes n`;

const toNote = (r: NoteRow): Note => ({
  id: r.id,
  projectId: r.project_id,
  title: r.title,
  body: r.body,
  tags: JSON.parse(r.tags) as string[],
  runIds: r.run_ids ? (JSON.parse(r.run_ids) as string[]) : [],
  figureIds: r.figure_ids ? (JSON.parse(r.figure_ids) as string[]) : [],
  questionKeys: r.question_keys ? (JSON.parse(r.question_keys) as string[]) : [],
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** A note as a bundle carries it (its run and figure links travel beside it). */
export type BundleNoteRow = Omit<NoteRow, 'project_id' | 'run_ids' | 'figure_ids' | 'question_keys'>;

export class NotesRepo {
  private readonly stmts;

  /** Reading the rows a bundle carries, and writing them back on import (services/bundle.service.ts). */
  private readonly bundle;

  constructor(private readonly db: Database.Database) {
    this.bundle = {
      rows: db.prepare<[string], BundleNoteRow>(
        'SELECT id, title, body, tags, created_at, updated_at FROM notes WHERE project_id = ? ORDER BY created_at, id',
      ),
      runs: db.prepare<[string], { note_id: string; run_id: string }>(
        `SELECT l.note_id, l.run_id FROM note_runs l JOIN notes n ON n.id = l.note_id
         WHERE n.project_id = ? ORDER BY l.note_id, l.run_id`,
      ),
      figures: db.prepare<[string], { note_id: string; figure_id: string }>(
        `SELECT l.note_id, l.figure_id FROM note_figures l JOIN notes n ON n.id = l.note_id
         WHERE n.project_id = ? ORDER BY l.note_id, l.figure_id`,
      ),
      insert: db.prepare(
        `INSERT INTO notes (id, project_id, title, body, tags, created_at, updated_at)
         VALUES (@id, @project_id, @title, @body, @tags, @created_at, @updated_at)`,
      ),
      linkRun: db.prepare('INSERT INTO note_runs (note_id, run_id) VALUES (?, ?)'),
      linkFigure: db.prepare('INSERT INTO note_figures (note_id, figure_id) VALUES (?, ?)'),
    };
    this.stmts = {
      byId: db.prepare<[string], NoteRow>(`${SELECT} WHERE n.id = ?`),
      byProject: db.prepare<[string], NoteRow>(`${SELECT} WHERE n.project_id = ? ORDER BY n.updated_at DESC, n.id`),
      insert: db.prepare(
        `INSERT INTO notes (id, project_id, title, body, tags, created_at, updated_at)
         VALUES (@id, @projectId, @title, @body, @tags, @now, @now)`,
      ),
      update: db.prepare(
        `UPDATE notes SET title = coalesce(@title, title), body = coalesce(@body, body), tags = coalesce(@tags, tags), updated_at = @now
         WHERE id = @id`,
      ),
      delete: db.prepare('DELETE FROM notes WHERE id = ?'),
      link: db.prepare('INSERT OR IGNORE INTO note_runs (note_id, run_id) VALUES (?, ?)'),
      unlink: db.prepare('DELETE FROM note_runs WHERE note_id = ? AND run_id = ?'),
      touch: db.prepare('UPDATE notes SET updated_at = ? WHERE id = ?'),
    };
  }

  get(id: string): Note | undefined {
    const row = this.stmts.byId.get(id);
    return row && toNote(row);
  }

  list(projectId: string): Note[] {
    return this.stmts.byProject.all(projectId).map(toNote);
  }

  insert(n: NoteInsert): void {
    this.db.transaction(() => {
      this.stmts.insert.run({ id: n.id, projectId: n.projectId, title: n.title, body: n.body, tags: JSON.stringify(n.tags), now: n.now });
      for (const runId of n.runIds) this.stmts.link.run(n.id, runId);
    })();
  }

  update(id: string, patch: NotePatch, now: string): boolean {
    const tags = patch.tags ? JSON.stringify(patch.tags) : null;
    return this.stmts.update.run({ id, title: patch.title ?? null, body: patch.body ?? null, tags, now }).changes > 0;
  }

  delete(id: string): boolean {
    return this.stmts.delete.run(id).changes > 0;
  }

  setRunLink(id: string, runId: string, linked: boolean, now: string): void {
    this.db.transaction(() => {
      if (linked) this.stmts.link.run(id, runId);
      else this.stmts.unlink.run(id, runId);
      this.stmts.touch.run(now, id);
    })();
  }

  /** A project's notes for a bundle, oldest first. */
  bundleRows(projectId: string): BundleNoteRow[] {
    return this.bundle.rows.all(projectId);
  }

  /** Which runs each note of a project links to, for a bundle. */
  bundleRunLinks(projectId: string): { note_id: string; run_id: string }[] {
    return this.bundle.runs.all(projectId);
  }

  /** Which figures each note of a project links to, for a bundle. */
  bundleFigureLinks(projectId: string): { note_id: string; figure_id: string }[] {
    return this.bundle.figures.all(projectId);
  }

  /** A note from a bundle, as carried (times included), with its links (runs and figures first). */
  insertFromBundle(projectId: string, n: BundleNoteRow, runIds: readonly string[], figureIds: readonly string[]): void {
    this.bundle.insert.run({ project_id: projectId, ...n });
    for (const runId of runIds) this.bundle.linkRun.run(n.id, runId);
    for (const figureId of figureIds) this.bundle.linkFigure.run(n.id, figureId);
  }
}
