import type Database from 'better-sqlite3';
import type { AnswerStatus, ChecklistAnswer, ChecklistRevision } from '../contract/checklist';

export interface AnswerRow {
  question_key: string;
  status: AnswerStatus;
  markdown: string;
  na_reason: string | null;
  updated_at: string;
}

export interface AnswerSave {
  projectId: string;
  questionKey: string;
  version: number;
  status: AnswerStatus;
  markdown: string;
  naReason: string | null;
  now: string;
}

/** Saves closer together than this fold into one revision (autosave would otherwise flood history). */
export const REVISION_FOLD_MS = 60_000;

const toAnswer = (r: AnswerRow): ChecklistAnswer => ({
  questionKey: r.question_key,
  status: r.status,
  markdown: r.markdown,
  notApplicableReason: r.na_reason,
  updatedAt: r.updated_at,
});

/** An answer as a bundle carries it: with the checklist version it was given under. */
export interface BundleAnswerRow extends AnswerRow {
  checklist_version: number;
}

/** A saved revision of an answer, as a bundle carries it. */
export type BundleRevisionRow = Omit<AnswerRow, 'updated_at'> & { saved_at: string };

export class ChecklistRepo {
  private readonly stmts;

  /** Reading the rows a bundle carries, and writing them back on import (services/bundle.service.ts). */
  private readonly bundle;

  constructor(private readonly db: Database.Database) {
    this.bundle = {
      answers: db.prepare<[string], BundleAnswerRow>(
        `SELECT question_key, checklist_version, status, markdown, na_reason, updated_at
         FROM checklist_answers WHERE project_id = ? ORDER BY question_key`,
      ),
      revisions: db.prepare<[string], BundleRevisionRow>(
        'SELECT question_key, status, markdown, na_reason, saved_at FROM checklist_revisions WHERE project_id = ? ORDER BY id',
      ),
      insertAnswer: db.prepare(
        `INSERT INTO checklist_answers (project_id, question_key, checklist_version, status, markdown, na_reason, updated_at)
         VALUES (@project_id, @question_key, @checklist_version, @status, @markdown, @na_reason, @updated_at)`,
      ),
      insertRevision: db.prepare(
        `INSERT INTO checklist_revisions (project_id, question_key, status, markdown, na_reason, saved_at)
         VALUES (@project_id, @question_key, @status, @markdown, @na_reason, @saved_at)`,
      ),
    };
    this.stmts = {
      answers: db.prepare<[string], AnswerRow>(
        'SELECT question_key, status, markdown, na_reason, updated_at FROM checklist_answers WHERE project_id = ?',
      ),
      answer: db.prepare<[string, string], AnswerRow>(
        'SELECT question_key, status, markdown, na_reason, updated_at FROM checklist_answers WHERE project_id = ? AND question_key = ?',
      ),
      upsert: db.prepare(
        `INSERT INTO checklist_answers (project_id, question_key, checklist_version, status, markdown, na_reason, updated_at)
         VALUES (@projectId, @questionKey, @version, @status, @markdown, @naReason, @now)
         ON CONFLICT (project_id, question_key) DO UPDATE SET
           checklist_version = excluded.checklist_version, status = excluded.status, markdown = excluded.markdown,
           na_reason = excluded.na_reason, updated_at = excluded.updated_at`,
      ),
      lastRevision: db.prepare<[string, string], { id: number; saved_at: string }>(
        'SELECT id, saved_at FROM checklist_revisions WHERE project_id = ? AND question_key = ? ORDER BY id DESC LIMIT 1',
      ),
      insertRevision: db.prepare(
        `INSERT INTO checklist_revisions (project_id, question_key, status, markdown, na_reason, saved_at)
         VALUES (@projectId, @questionKey, @status, @markdown, @naReason, @now)`,
      ),
      foldRevision: db.prepare(
        'UPDATE checklist_revisions SET status = @status, markdown = @markdown, na_reason = @naReason, saved_at = @now WHERE id = @id',
      ),
      revisions: db.prepare<[string, string], { id: number; status: AnswerStatus; markdown: string; na_reason: string | null; saved_at: string }>(
        'SELECT id, status, markdown, na_reason, saved_at FROM checklist_revisions WHERE project_id = ? AND question_key = ? ORDER BY id DESC',
      ),
    };
  }

  answers(projectId: string): ChecklistAnswer[] {
    return this.stmts.answers.all(projectId).map(toAnswer);
  }

  /** Writes the answer and its revision in one transaction; returns the stored answer. */
  save(a: AnswerSave): ChecklistAnswer {
    const { projectId, questionKey, version, status, markdown, naReason, now } = a;
    const params = { projectId, questionKey, version, status, markdown, naReason, now };
    return this.db.transaction(() => {
      this.stmts.upsert.run(params);
      const last = this.stmts.lastRevision.get(projectId, questionKey);
      if (last && Date.parse(now) - Date.parse(last.saved_at) < REVISION_FOLD_MS) {
        this.stmts.foldRevision.run({ id: last.id, status, markdown, naReason, now });
      } else {
        this.stmts.insertRevision.run({ projectId, questionKey, status, markdown, naReason, now });
      }
      return toAnswer(this.stmts.answer.get(projectId, questionKey)!);
    })();
  }

  revisions(projectId: string, questionKey: string): ChecklistRevision[] {
    return this.stmts.revisions.all(projectId, questionKey).map((r) => ({
      id: r.id,
      status: r.status,
      markdown: r.markdown,
      notApplicableReason: r.na_reason,
      savedAt: r.saved_at,
    }));
  }

  /** A project's answers for a bundle, by question. */
  bundleAnswers(projectId: string): BundleAnswerRow[] {
    return this.bundle.answers.all(projectId);
  }

  /** A project's revisions for a bundle, in the order they were saved. */
  bundleRevisions(projectId: string): BundleRevisionRow[] {
    return this.bundle.revisions.all(projectId);
  }

  insertAnswerFromBundle(projectId: string, a: BundleAnswerRow): void {
    this.bundle.insertAnswer.run({ project_id: projectId, ...a });
  }

  insertRevisionFromBundle(projectId: string, r: BundleRevisionRow): void {
    this.bundle.insertRevision.run({ project_id: projectId, ...r });
  }
}
