import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppEvent } from '../contract/events';
import { ProjectCreateSchema, ProjectListQuerySchema } from '../contract/projects';
import { tempContext } from '../test/temp-context';
import { ServiceError } from './errors';

let ctx: ReturnType<typeof tempContext>;
beforeEach(() => (ctx = tempContext()));
afterEach(() => ctx.cleanup());

const create = (input: Record<string, unknown>) => ctx.projects.create(ProjectCreateSchema.parse(input));
const list = (q: Record<string, unknown> = {}) => ctx.projects.list(ProjectListQuerySchema.parse(q));
const titles = (q: Record<string, unknown> = {}) => list(q).map((p) => p.title);

describe('ProjectsService', () => {
  it('creates, reads back and lists a project with its tags', () => {
    const p = create({ title: 'Grokking on mod-59', phenomenon: 'grokking', question: 'Why?', tags: ['wd', 'mlp'] });
    expect(p.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(ctx.projects.get(p.id)).toEqual({
      id: p.id,
      title: 'Grokking on mod-59',
      phenomenon: 'grokking',
      question: 'Why?',
      tags: ['mlp', 'wd'],
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      archivedAt: null,
    });
    expect(list()).toHaveLength(1);
  });

  it('searches title, question and tags case-insensitively, treating % and _ literally', () => {
    create({ title: 'Alpha', phenomenon: 'grokking', question: 'about weight DECAY' });
    create({ title: 'Beta 100%', phenomenon: 'other', tags: ['label_noise'] });
    create({ title: 'Gamma', phenomenon: 'double-descent' });
    expect(titles({ search: 'decay' })).toEqual(['Alpha']);
    expect(titles({ search: 'LABEL_' })).toEqual(['Beta 100%']);
    expect(titles({ search: '%' })).toEqual(['Beta 100%']);
    expect(titles({ search: '_' })).toEqual(['Beta 100%']);
    expect(titles({ search: 'zzz' })).toEqual([]);
  });

  it('sorts by last update, creation time or title', () => {
    const a = create({ title: 'b-second', phenomenon: 'other' });
    create({ title: 'a-first', phenomenon: 'other' });
    create({ title: 'C-third', phenomenon: 'other' });
    ctx.projects.update({ id: a.id, question: 'touched' });
    expect(titles({ sort: 'updated' })).toEqual(['b-second', 'C-third', 'a-first']);
    expect(titles({ sort: 'created' })).toEqual(['C-third', 'a-first', 'b-second']);
    expect(titles({ sort: 'title' })).toEqual(['a-first', 'b-second', 'C-third']);
  });

  it('edits fields and replaces tags', () => {
    const p = create({ title: 'Old', phenomenon: 'other', tags: ['x', 'y'] });
    const updated = ctx.projects.update({ id: p.id, title: 'New', phenomenon: 'lottery-ticket', tags: ['z'] });
    expect(updated).toMatchObject({ title: 'New', phenomenon: 'lottery-ticket', tags: ['z'], question: '' });
    expect(updated.updatedAt > p.updatedAt).toBe(true);
    expect(ctx.db.prepare('SELECT tag FROM project_tags').pluck().all()).toEqual(['z']);
  });

  it('archives and restores; filters see the right projects', () => {
    const p = create({ title: 'Kept', phenomenon: 'other' });
    create({ title: 'Other', phenomenon: 'other' });
    const archived = ctx.projects.setArchived({ id: p.id, archived: true });
    expect(archived.archivedAt).not.toBeNull();
    expect(titles({ filter: 'active' })).toEqual(['Other']);
    expect(titles({ filter: 'archived' })).toEqual(['Kept']);
    expect(titles({ filter: 'all', sort: 'title' })).toEqual(['Kept', 'Other']);
    expect(ctx.projects.setArchived({ id: p.id, archived: false }).archivedAt).toBeNull();
    expect(titles({ filter: 'active', sort: 'title' })).toEqual(['Kept', 'Other']);
  });

  it('deletes a project and its tags', () => {
    const p = create({ title: 'Gone', phenomenon: 'other', tags: ['a'] });
    expect(ctx.projects.delete(p.id)).toEqual({ id: p.id });
    expect(ctx.db.prepare('SELECT count(*) FROM projects').pluck().get()).toBe(0);
    expect(ctx.db.prepare('SELECT count(*) FROM project_tags').pluck().get()).toBe(0);
  });

  it('reports a missing project as not_found for every operation', () => {
    const id = crypto.randomUUID();
    for (const call of [
      () => ctx.projects.get(id),
      () => ctx.projects.update({ id, title: 'x' }),
      () => ctx.projects.setArchived({ id, archived: true }),
      () => ctx.projects.delete(id),
    ]) {
      expect(call).toThrow(ServiceError);
      expect(call).toThrow(`Project ${id} does not exist`);
    }
  });

  it('emits a change event for each write, and none for reads', () => {
    const events: AppEvent[] = [];
    ctx.events.subscribe((e) => events.push(e));
    const p = create({ title: 'E', phenomenon: 'other' });
    list();
    ctx.projects.get(p.id);
    ctx.projects.update({ id: p.id, title: 'F' });
    ctx.projects.setArchived({ id: p.id, archived: true });
    ctx.projects.delete(p.id);
    expect(events).toEqual(Array.from({ length: 4 }, () => ({ type: 'projects:changed', ids: [p.id] })));
  });
});
