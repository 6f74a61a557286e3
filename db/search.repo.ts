import type Database from 'better-sqlite3';
import { MARK_END, MARK_START, type SearchHit } from '../contract/notebook';

/**
 * The user's words as an FTS5 query: each word quoted (so operators and punctuation are plain
 * text) and prefix-matched, all required. Returns null when nothing searchable remains.
 */
export function toFtsQuery(text: string): string | null {
  const words = text.split(/\s+/u).map((w) => w.replace(/"/g, '')).filter((w) => /[\p{L}\p{N}]/u.test(w));
  if (words.length === 0) return null;
  return words.slice(0, 20).map((w) => `"${w}"*`).join(' ');
}

interface HitRow {
  kind: SearchHit['kind'];
  ref: string;
  title: string;
  snippet: string;
}

export class SearchRepo {
  private readonly stmt;

  constructor(db: Database.Database) {
    // Title matches weigh more than body matches (bm25 column weights: unindexed columns first).
    this.stmt = db.prepare<[string, string, number], HitRow>(
      `SELECT kind, ref, highlight(notebook_fts, 3, '${MARK_START}', '${MARK_END}') AS title,
              snippet(notebook_fts, 4, '${MARK_START}', '${MARK_END}', '…', 16) AS snippet
       FROM notebook_fts
       WHERE notebook_fts MATCH ? AND project_id = ?
       ORDER BY bm25(notebook_fts, 0, 0, 0, 4, 1)
       LIMIT ?`,
    );
  }

  search(projectId: string, text: string, limit: number): SearchHit[] {
    const query = toFtsQuery(text);
    if (!query) return [];
    return this.stmt.all(query, projectId, limit);
  }
}
