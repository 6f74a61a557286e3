import type Database from 'better-sqlite3';
import type { Phenomenon, Project } from '../contract/projects';

export interface ProjectRow {
  id: string;
  title: string;
  phenomenon: Phenomenon;
  question: string;
  created_at: string;
  updated_at: string;
  archived_at: string | null;
  tags: string | null;
}

export interface ProjectInsert {
  id: string;
  title: string;
  phenomenon: Phenomenon;
  question: string;
  tags: string[];
  now: string;
}

export interface ProjectPatch {
  title?: string;
  phenomenon?: Phenomenon;
  question?: string;
  tags?: string[];
}

export interface ProjectFilter {
  search: string;
  filter: 'active' | 'archived' | 'all';
  sort: 'updated' | 'created' | 'title';
}

// Tags are joined with a character that the tag schema forbids (a control character).
const TAG_SEP = '\u001F';

const SELECT = `
  SELECT p.id, p.title, p.phenomenon, p.question, p.created_at, p.updated_at, p.archived_at,
         (SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM project_tags t WHERE t.project_id = p.id ORDER BY tag)) AS tags
  FROM projects p`;

const ORDER: Record<ProjectFilter['sort'], string> = {
  updated: 'p.updated_at DESC, p.title COLLATE NOCASE',
  created: 'p.created_at DESC, p.title COLLATE NOCASE',
  title: 'p.title COLLATE NOCASE, p.created_at DESC',
};

const ARCHIVED: Record<ProjectFilter['filter'], string> = {
  active: 'p.archived_at IS NULL',
  archived: 'p.archived_at IS NOT NULL',
  all: '1',
};

function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    title: row.title,
    phenomenon: row.phenomenon,
    question: row.question,
    tags: row.tags ? row.tags.split(TAG_SEP) : [],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    archivedAt: row.archived_at,
  };
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A project's row as a bundle carries it (its tags travel beside it). */
export type BundleProjectRow = Omit<ProjectRow, 'tags'>;

export class ProjectsRepo {
  private readonly byId;
  private readonly insertProject;
  private readonly insertTag;
  private readonly deleteTags;
  private readonly deleteProject;
  private readonly setArchivedAt;

  /** Reading the rows a bundle carries, and writing them back on import (services/bundle.service.ts). */
  private readonly bundle;

  constructor(private readonly db: Database.Database) {
    this.bundle = {
      row: db.prepare<[string], BundleProjectRow>(
        'SELECT id, title, phenomenon, question, created_at, updated_at, archived_at FROM projects WHERE id = ?',
      ),
      tags: db.prepare<[string], string>('SELECT tag FROM project_tags WHERE project_id = ? ORDER BY tag').pluck(),
      insert: db.prepare(
        `INSERT INTO projects (id, title, phenomenon, question, created_at, updated_at, archived_at)
         VALUES (@id, @title, @phenomenon, @question, @created_at, @updated_at, @archived_at)`,
      ),
      insertTag: db.prepare('INSERT INTO project_tags (project_id, tag) VALUES (?, ?)'),
    };
    this.byId = db.prepare<[string], ProjectRow>(`${SELECT} WHERE p.id = ?`);
    this.insertProject = db.prepare(
      `INSERT INTO projects (id, title, phenomenon, question, created_at, updated_at)
       VALUES (@id, @title, @phenomenon, @question, @now, @now)`,
    );
    this.insertTag = db.prepare('INSERT OR IGNORE INTO project_tags (project_id, tag) VALUES (?, ?)');
    this.deleteTags = db.prepare('DELETE FROM project_tags WHERE project_id = ?');
    this.deleteProject = db.prepare('DELETE FROM projects WHERE id = ?');
    this.setArchivedAt = db.prepare('UPDATE projects SET archived_at = ?, updated_at = ? WHERE id = ?');
  }

  get(id: string): Project | undefined {
    const row = this.byId.get(id);
    return row && toProject(row);
  }

  list(f: ProjectFilter): Project[] {
    const where = [ARCHIVED[f.filter]];
    const params: string[] = [];
    if (f.search) {
      const like = `%${escapeLike(f.search)}%`;
      where.push(`(p.title LIKE ? ESCAPE '\\' OR p.question LIKE ? ESCAPE '\\'
        OR EXISTS (SELECT 1 FROM project_tags t WHERE t.project_id = p.id AND t.tag LIKE ? ESCAPE '\\'))`);
      params.push(like, like, like);
    }
    const sql = `${SELECT} WHERE ${where.join(' AND ')} ORDER BY ${ORDER[f.sort]}`;
    return this.db.prepare<string[], ProjectRow>(sql).all(...params).map(toProject);
  }

  insert(p: ProjectInsert): void {
    this.db.transaction(() => {
      this.insertProject.run(p);
      for (const tag of p.tags) this.insertTag.run(p.id, tag);
    })();
  }

  update(id: string, patch: ProjectPatch, now: string): boolean {
    return this.db.transaction(() => {
      const params: Record<string, string> = { id, now };
      const sets: string[] = ['updated_at = @now'];
      for (const key of ['title', 'phenomenon', 'question'] as const) {
        const value = patch[key];
        if (value === undefined) continue;
        sets.push(`${key} = @${key}`);
        params[key] = value;
      }
      const changed = this.db.prepare(`UPDATE projects SET ${sets.join(', ')} WHERE id = @id`).run(params).changes;
      if (changed === 0) return false;
      if (patch.tags) {
        this.deleteTags.run(id);
        for (const tag of patch.tags) this.insertTag.run(id, tag);
      }
      return true;
    })();
  }

  setArchived(id: string, archivedAt: string | null, now: string): boolean {
    return this.setArchivedAt.run(archivedAt, now, id).changes > 0;
  }

  delete(id: string): boolean {
    return this.deleteProject.run(id).changes > 0;
  }

  /** Runs of this project that are queued or training (in any process). */
  activeRunCount(id: string): number {
    return this.db
      .prepare("SELECT count(*) FROM runs WHERE project_id = ? AND status IN ('queued', 'running')")
      .pluck()
      .get(id) as number;
  }

  count(): number {
    return this.db.prepare('SELECT count(*) FROM projects').pluck().get() as number;
  }

  /** The project's row for a bundle, or undefined when there is no such project. */
  bundleRow(id: string): BundleProjectRow | undefined {
    return this.bundle.row.get(id);
  }

  /** The project's tags for a bundle, sorted. */
  bundleTags(id: string): string[] {
    return this.bundle.tags.all(id);
  }

  /** A project from a bundle, as carried (times included), with its tags. */
  insertFromBundle(p: BundleProjectRow, tags: readonly string[]): void {
    this.bundle.insert.run(p);
    for (const tag of tags) this.bundle.insertTag.run(p.id, tag);
  }
}
