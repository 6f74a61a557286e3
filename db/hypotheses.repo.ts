import type Database from 'better-sqlite3';
import type { Amendment, HypothesisContent, Prediction, Relation } from '../contract/hypotheses';

interface HypothesisRow {
  id: string;
  project_id: string;
  statement: string;
  theory: string;
  relation: Relation;
  predictions: string;
  locked_at: string | null;
  lock_hash: string | null;
  created_at: string;
  updated_at: string;
}

export interface AmendmentRow {
  number: number;
  statement: string;
  theory: string;
  relation: Relation;
  predictions: string;
  reason: string;
  hash: string;
  created_at: string;
}

/** A hypothesis as stored: the original content, its lock, and its amendments in order. */
export interface StoredHypothesis extends HypothesisContent {
  id: string;
  projectId: string;
  lockedAt: string | null;
  lockHash: string | null;
  createdAt: string;
  updatedAt: string;
  amendments: Amendment[];
  links: { runId: string; linkedAt: string }[];
}

export interface HypothesisInsert extends HypothesisContent {
  id: string;
  projectId: string;
  now: string;
}

const parsePredictions = (json: string) => JSON.parse(json) as Prediction[];

/** A hypothesis as a bundle carries it (amendments and run links travel beside it). */
export type BundleHypothesisRow = Omit<HypothesisRow, 'project_id'>;

/** An amendment as a bundle carries it. */
export interface BundleAmendmentRow extends AmendmentRow {
  hypothesis_id: string;
}

export class HypothesesRepo {
  private readonly stmts;

  /** Reading the rows a bundle carries, and writing them back on import (services/bundle.service.ts). */
  private readonly bundle;

  constructor(private readonly db: Database.Database) {
    this.bundle = {
      rows: db.prepare<[string], BundleHypothesisRow>(
        `SELECT id, statement, theory, relation, predictions, locked_at, lock_hash, created_at, updated_at
         FROM hypotheses WHERE project_id = ? ORDER BY created_at, id`,
      ),
      amendments: db.prepare<[string], BundleAmendmentRow>(
        `SELECT a.hypothesis_id, a.number, a.statement, a.theory, a.relation, a.predictions, a.reason, a.hash, a.created_at
         FROM hypothesis_amendments a JOIN hypotheses h ON h.id = a.hypothesis_id
         WHERE h.project_id = ? ORDER BY a.hypothesis_id, a.number`,
      ),
      runs: db.prepare<[string], { hypothesis_id: string; run_id: string; linked_at: string }>(
        `SELECT l.hypothesis_id, l.run_id, l.linked_at FROM hypothesis_runs l JOIN hypotheses h ON h.id = l.hypothesis_id
         WHERE h.project_id = ? ORDER BY l.hypothesis_id, l.linked_at, l.run_id`,
      ),
      insert: db.prepare(
        `INSERT INTO hypotheses (id, project_id, statement, theory, relation, predictions, locked_at, lock_hash, created_at, updated_at)
         VALUES (@id, @project_id, @statement, @theory, @relation, @predictions, @locked_at, @lock_hash, @created_at, @updated_at)`,
      ),
      insertAmendment: db.prepare(
        `INSERT INTO hypothesis_amendments (hypothesis_id, number, statement, theory, relation, predictions, reason, hash, created_at)
         VALUES (@hypothesis_id, @number, @statement, @theory, @relation, @predictions, @reason, @hash, @created_at)`,
      ),
      linkRun: db.prepare('INSERT INTO hypothesis_runs (hypothesis_id, run_id, linked_at) VALUES (?, ?, ?)'),
    };
    this.stmts = {
      byId: db.prepare<[string], HypothesisRow>('SELECT * FROM hypotheses WHERE id = ?'),
      byProject: db.prepare<[string], HypothesisRow>('SELECT * FROM hypotheses WHERE project_id = ? ORDER BY created_at, id'),
      amendments: db.prepare<[string], AmendmentRow>(
        'SELECT number, statement, theory, relation, predictions, reason, hash, created_at FROM hypothesis_amendments WHERE hypothesis_id = ? ORDER BY number',
      ),
      links: db.prepare<[string], { run_id: string; linked_at: string }>(
        'SELECT run_id, linked_at FROM hypothesis_runs WHERE hypothesis_id = ? ORDER BY linked_at, run_id',
      ),
      insert: db.prepare(
        `INSERT INTO hypotheses (id, project_id, statement, theory, relation, predictions, created_at, updated_at)
         VALUES (@id, @projectId, @statement, @theory, @relation, @predictions, @now, @now)`,
      ),
      update: db.prepare(
        `UPDATE hypotheses SET statement = @statement, theory = @theory, relation = @relation, predictions = @predictions, updated_at = @now
         WHERE id = @id AND locked_at IS NULL`,
      ),
      lock: db.prepare('UPDATE hypotheses SET locked_at = @now, lock_hash = @hash, updated_at = @now WHERE id = @id AND locked_at IS NULL'),
      touch: db.prepare('UPDATE hypotheses SET updated_at = ? WHERE id = ?'),
      nextAmendment: db.prepare<[string], { n: number }>(
        'SELECT coalesce(max(number), 0) + 1 AS n FROM hypothesis_amendments WHERE hypothesis_id = ?',
      ),
      insertAmendment: db.prepare(
        `INSERT INTO hypothesis_amendments (hypothesis_id, number, statement, theory, relation, predictions, reason, hash, created_at)
         VALUES (@id, @number, @statement, @theory, @relation, @predictions, @reason, @hash, @now)`,
      ),
      delete: db.prepare('DELETE FROM hypotheses WHERE id = ? AND locked_at IS NULL'),
      link: db.prepare('INSERT OR IGNORE INTO hypothesis_runs (hypothesis_id, run_id, linked_at) VALUES (?, ?, ?)'),
      unlink: db.prepare('DELETE FROM hypothesis_runs WHERE hypothesis_id = ? AND run_id = ?'),
    };
  }

  private hydrate(row: HypothesisRow): StoredHypothesis {
    return {
      id: row.id,
      projectId: row.project_id,
      statement: row.statement,
      theory: row.theory,
      relation: row.relation,
      predictions: parsePredictions(row.predictions),
      lockedAt: row.locked_at,
      lockHash: row.lock_hash,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      amendments: this.stmts.amendments.all(row.id).map((a) => ({
        number: a.number,
        statement: a.statement,
        theory: a.theory,
        relation: a.relation,
        predictions: parsePredictions(a.predictions),
        reason: a.reason,
        hash: a.hash,
        createdAt: a.created_at,
      })),
      links: this.stmts.links.all(row.id).map((l) => ({ runId: l.run_id, linkedAt: l.linked_at })),
    };
  }

  get(id: string): StoredHypothesis | undefined {
    const row = this.stmts.byId.get(id);
    return row && this.hydrate(row);
  }

  list(projectId: string): StoredHypothesis[] {
    return this.stmts.byProject.all(projectId).map((r) => this.hydrate(r));
  }

  insert(h: HypothesisInsert): void {
    this.stmts.insert.run({ ...h, predictions: JSON.stringify(h.predictions) });
  }

  /** Replaces the content of an unlocked hypothesis; false when it is locked (or gone). */
  update(id: string, c: HypothesisContent, now: string): boolean {
    return this.stmts.update.run({ id, ...c, predictions: JSON.stringify(c.predictions), now }).changes > 0;
  }

  lock(id: string, hash: string, now: string): boolean {
    return this.stmts.lock.run({ id, hash, now }).changes > 0;
  }

  addAmendment(id: string, c: HypothesisContent & { reason: string; hash: string }, now: string): number {
    return this.db.transaction(() => {
      const number = this.stmts.nextAmendment.get(id)!.n;
      this.stmts.insertAmendment.run({ id, number, ...c, predictions: JSON.stringify(c.predictions), now });
      this.stmts.touch.run(now, id);
      return number;
    })();
  }

  /** Deletes an unlocked hypothesis; false when locked (or gone). */
  delete(id: string): boolean {
    return this.stmts.delete.run(id).changes > 0;
  }

  setRunLink(id: string, runId: string, linked: boolean, now: string): void {
    this.db.transaction(() => {
      if (linked) this.stmts.link.run(id, runId, now);
      else this.stmts.unlink.run(id, runId);
      this.stmts.touch.run(now, id);
    })();
  }

  /** A project's hypotheses for a bundle, oldest first. */
  bundleRows(projectId: string): BundleHypothesisRow[] {
    return this.bundle.rows.all(projectId);
  }

  /** The amendments of a project's hypotheses for a bundle, in number order. */
  bundleAmendments(projectId: string): BundleAmendmentRow[] {
    return this.bundle.amendments.all(projectId);
  }

  /** The runs each hypothesis of a project is linked to, for a bundle, in the order they were linked. */
  bundleRunLinks(projectId: string): { hypothesis_id: string; run_id: string; linked_at: string }[] {
    return this.bundle.runs.all(projectId);
  }

  /** A hypothesis from a bundle, as carried (lock and times included), its amendments and run links. */
  insertFromBundle(
    projectId: string,
    h: BundleHypothesisRow,
    amendments: readonly AmendmentRow[],
    runs: readonly { run_id: string; linked_at: string }[],
  ): void {
    this.bundle.insert.run({ project_id: projectId, ...h });
    // In number order, so the search index ends on the latest amendment as it does when amending.
    for (const a of [...amendments].sort((x, y) => x.number - y.number)) this.bundle.insertAmendment.run({ hypothesis_id: h.id, ...a });
    for (const r of runs) this.bundle.linkRun.run(h.id, r.run_id, r.linked_at);
  }
}
