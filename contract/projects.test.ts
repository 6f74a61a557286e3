import { describe, expect, it } from 'vitest';
import { OP_NAMES } from './names';
import { operations } from './operations';
import { ProjectCreateSchema, ProjectListQuerySchema, ProjectUpdateSchema } from './projects';

const issuesOf = (input: unknown) => {
  const r = ProjectCreateSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
};

describe('contract', () => {
  it('names every operation exactly once, with a schema each', () => {
    expect(Object.keys(operations).sort()).toEqual([...OP_NAMES].sort());
    expect(new Set(OP_NAMES).size).toBe(OP_NAMES.length);
  });
});

describe('ProjectCreateSchema', () => {
  it('accepts a minimal project and fills defaults', () => {
    expect(ProjectCreateSchema.parse({ title: '  Grokking ', phenomenon: 'grokking' })).toEqual({
      title: 'Grokking',
      phenomenon: 'grokking',
      question: '',
      tags: [],
    });
  });

  it('lowercases and de-duplicates tags', () => {
    const p = ProjectCreateSchema.parse({ title: 't', phenomenon: 'other', tags: ['WD', 'wd', ' mlp '] });
    expect(p.tags).toEqual(['wd', 'mlp']);
  });

  it.each([
    ['missing title', { phenomenon: 'grokking' }, 'title'],
    ['blank title', { title: '   ', phenomenon: 'grokking' }, 'title'],
    ['number title', { title: 42, phenomenon: 'grokking' }, 'title'],
    ['1 MB title', { title: 'x'.repeat(1024 * 1024), phenomenon: 'grokking' }, 'title'],
    ['lone surrogate', { title: 'bad \uD800 text', phenomenon: 'grokking' }, 'title'],
    ['control character', { title: 'bell\u0007', phenomenon: 'grokking' }, 'title'],
    ['newline in title', { title: 'two\nlines', phenomenon: 'grokking' }, 'title'],
    ['unknown phenomenon', { title: 't', phenomenon: 'memorisation' }, 'phenomenon'],
    ['tags not a list', { title: 't', phenomenon: 'other', tags: 'a,b' }, 'tags'],
    ['tag too long', { title: 't', phenomenon: 'other', tags: ['x'.repeat(41)] }, 'tags.0'],
    ['too many tags', { title: 't', phenomenon: 'other', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'tags'],
    ['unknown field', { title: 't', phenomenon: 'other', owner: 'me' }, ''],
  ])('rejects %s with an issue at "%s"', (_label, input, path) => {
    const issues = issuesOf(input);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.map((i) => i.path)).toContain(path);
    expect(issues.every((i) => i.message.length > 0)).toBe(true);
  });

  it('names the allowed values for the phenomenon', () => {
    const [issue] = issuesOf({ title: 't', phenomenon: 'x' });
    expect(issue?.message).toContain('grokking, double-descent, lottery-ticket, other');
  });

  it('allows multi-line research questions', () => {
    expect(ProjectCreateSchema.parse({ title: 't', phenomenon: 'other', question: 'a\nb' }).question).toBe('a\nb');
  });
});

describe('other project schemas', () => {
  it('requires a UUID id for updates', () => {
    expect(ProjectUpdateSchema.safeParse({ id: 'abc', title: 'x' }).success).toBe(false);
    expect(ProjectUpdateSchema.safeParse({ id: crypto.randomUUID(), title: 'x' }).success).toBe(true);
  });

  it('defaults list queries and rejects unknown sorts', () => {
    expect(ProjectListQuerySchema.parse({})).toEqual({ search: '', filter: 'active', sort: 'updated' });
    expect(ProjectListQuerySchema.safeParse({ sort: 'random' }).success).toBe(false);
  });
});
