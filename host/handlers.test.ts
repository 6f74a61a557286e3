import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { snapshotTables, tempContext } from '../test/temp-context';
import { dispatch } from './handlers';

let ctx: ReturnType<typeof tempContext>;
beforeEach(async () => {
  ctx = tempContext();
  await dispatch(ctx, 'projects:create', { title: 'Existing', phenomenon: 'grokking', tags: ['keep'] });
});
afterEach(() => ctx.cleanup());

describe('dispatch', () => {
  it('returns the created project for valid input', async () => {
    const r = await dispatch(ctx, 'projects:create', { title: 'New', phenomenon: 'other' });
    expect(r.ok && (r.value as { title: string }).title).toBe('New');
  });

  it('returns a structured not_found for unknown operations', async () => {
    const r = await dispatch(ctx, 'projects:drop', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  const someId = '00000000-0000-4000-8000-000000000000';
  it.each([
    ['projects:create', undefined, ''],
    ['projects:create', null, ''],
    ['projects:create', 'a string', ''],
    ['projects:create', [], ''],
    ['projects:create', { title: 42, phenomenon: 'grokking' }, 'title'],
    ['projects:create', { phenomenon: 'grokking' }, 'title'],
    ['projects:create', { title: 'x'.repeat(1_000_000), phenomenon: 'grokking' }, 'title'],
    ['projects:create', { title: '\uDC00 broken', phenomenon: 'grokking' }, 'title'],
    ['projects:create', { title: 'ok', phenomenon: 'grokking', tags: [1, 2] }, 'tags.0'],
    ['projects:create', { title: 'ok', phenomenon: 'grokking', __proto__: { admin: true }, extra: 1 }, ''],
    ['projects:update', { id: 'not-a-uuid', title: 'x' }, 'id'],
    ['projects:update', { id: someId, title: '' }, 'title'],
    ['projects:setArchived', { id: someId, archived: 'yes' }, 'archived'],
    ['projects:delete', {}, 'id'],
    ['projects:list', { sort: 'DROP TABLE projects' }, 'sort'],
  ])('%s rejects %j with an issue at "%s" and changes nothing', async (op, input, path) => {
    const before = snapshotTables(ctx);
    const r = await dispatch(ctx, op, input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('invalid_input');
    expect(r.error.issues?.map((i) => i.path)).toContain(path);
    expect(r.error.message).toContain(op);
    expect(snapshotTables(ctx)).toEqual(before);
  });

  it('maps a missing project to not_found without changing anything', async () => {
    const before = snapshotTables(ctx);
    const r = await dispatch(ctx, 'projects:delete', { id: someId });
    expect(r).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(snapshotTables(ctx)).toEqual(before);
  });
});
