import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChecklistAnswerInputSchema } from '../contract/checklist';
import { dispatch } from '../host/handlers';
import { snapshotTables, tempContext } from '../test/temp-context';

let ctx: ReturnType<typeof tempContext>;
let projectId: string;
beforeEach(() => {
  ctx = tempContext();
  projectId = ctx.projects.create({ title: 'P', phenomenon: 'grokking', question: '', tags: [] }).id;
});
afterEach(() => ctx.cleanup());

const answer = (input: Record<string, unknown>) => ctx.checklist.answer(ChecklistAnswerInputSchema.parse({ projectId, ...input }));

describe('ChecklistService', () => {
  it('starts with every question open, the first one next, and 0 done per phase', () => {
    const s = ctx.checklist.state(projectId);
    expect(s.answers).toEqual([]);
    expect(s.nextOpen).toBe('early.context.framing');
    expect(s.progress.map((p) => [p.key, p.done, p.total])).toEqual([
      ['early', 0, 8],
      ['throughout', 0, 8],
      ['concluding', 0, 9],
    ]);
  });

  it('stores answers across phases, counts answered and not-applicable as done, and moves "next open"', () => {
    answer({ questionKey: 'early.context.framing', status: 'answered', markdown: 'Power et al. 2022 framed it as…' });
    answer({ questionKey: 'early.context.observed', status: 'in-progress', markdown: 'MLPs, transformers' });
    answer({ questionKey: 'throughout.method.hypothesis', status: 'not-applicable', notApplicableReason: 'Exploratory phase' });
    const s = ctx.checklist.state(projectId);
    expect(s.answers).toHaveLength(3);
    expect(s.progress.find((p) => p.key === 'early')).toMatchObject({ done: 1, total: 8 });
    expect(s.progress.find((p) => p.key === 'throughout')?.categories.find((c) => c.key === 'method')).toEqual({ key: 'method', done: 1, total: 3 });
    expect(s.nextOpen).toBe('early.context.observed');
    expect(s.answers.find((a) => a.questionKey === 'throughout.method.hypothesis')?.notApplicableReason).toBe('Exploratory phase');
  });

  it('keeps revisions, folding saves within a minute into one', () => {
    // The test clock advances one second per call: three quick saves fold into one revision.
    answer({ questionKey: 'early.value.edge-case', status: 'in-progress', markdown: 'draft 1' });
    answer({ questionKey: 'early.value.edge-case', status: 'in-progress', markdown: 'draft 2' });
    answer({ questionKey: 'early.value.edge-case', status: 'answered', markdown: 'final' });
    const revisions = ctx.checklist.revisions(projectId, 'early.value.edge-case');
    expect(revisions).toHaveLength(1);
    expect(revisions[0]).toMatchObject({ status: 'answered', markdown: 'final' });
    // A save a minute later starts a new revision.
    ctx.db.prepare("UPDATE checklist_revisions SET saved_at = '2025-01-01T00:00:00.000Z'").run();
    answer({ questionKey: 'early.value.edge-case', status: 'answered', markdown: 'final, revised' });
    expect(ctx.checklist.revisions(projectId, 'early.value.edge-case').map((r) => r.markdown)).toEqual(['final, revised', 'final']);
  });

  it('drops a stale not-applicable reason when the question is answered after all', () => {
    answer({ questionKey: 'early.value.synthetic', status: 'not-applicable', notApplicableReason: 'Not an edge case' });
    const a = answer({ questionKey: 'early.value.synthetic', status: 'answered', markdown: 'It is, after all', notApplicableReason: 'old' });
    expect(a.notApplicableReason).toBeNull();
  });

  it.each([
    [{ questionKey: 'made.up.key', status: 'answered' }, 'questionKey'],
    [{ questionKey: 'early.context.framing', status: 'done' }, 'status'],
    [{ questionKey: 'early.context.framing', status: 'not-applicable' }, 'notApplicableReason'],
    [{ questionKey: 'early.context.framing', status: 'answered', markdown: 'x'.repeat(100_000) }, 'markdown'],
    [{ questionKey: 'early.context.framing', status: 'answered', markdown: 42 }, 'markdown'],
  ])('rejects %j with an issue at %s and writes nothing', async (input, path) => {
    const before = snapshotTables(ctx);
    const r = await dispatch(ctx, 'checklist:answer', { projectId, ...input });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.issues?.map((i) => i.path)).toContain(path);
    expect(snapshotTables(ctx)).toEqual(before);
  });

  it('refuses answers for a project that does not exist, and deletes answers with their project', async () => {
    const r = await dispatch(ctx, 'checklist:get', { projectId: '00000000-0000-4000-8000-000000000000' });
    expect(r).toMatchObject({ ok: false, error: { code: 'not_found' } });
    answer({ questionKey: 'early.context.framing', status: 'answered', markdown: 'x' });
    ctx.projects.delete(projectId);
    expect(ctx.db.prepare('SELECT count(*) FROM checklist_answers').pluck().get()).toBe(0);
    expect(ctx.db.prepare('SELECT count(*) FROM checklist_revisions').pluck().get()).toBe(0);
  });
});
