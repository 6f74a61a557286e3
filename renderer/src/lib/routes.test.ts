import { describe, expect, it } from 'vitest';
import { fieldErrors } from './field-errors';
import { parseRoute, projectPath } from './routes';

describe('parseRoute', () => {
  const id = '0b7c9a8e-3f7c-4c55-9d7e-1a2b3c4d5e6f';
  it.each([
    ['', { name: 'projects' }],
    ['#/', { name: 'projects' }],
    ['#/projects', { name: 'projects' }],
    [`#/projects/${id}`, { name: 'project', id, tab: 'overview', item: null }],
    [`#/projects/${id.toUpperCase()}`, { name: 'project', id, tab: 'overview', item: null }],
    [`#/projects/${id}/notes`, { name: 'project', id, tab: 'notes', item: null }],
    [`#/projects/${id}/checklist/throughout.utility.confounders`, { name: 'project', id, tab: 'checklist', item: 'throughout.utility.confounders' }],
    [`#/projects/${id}/hypotheses/${id}`, { name: 'project', id, tab: 'hypotheses', item: id }],
    [`#/projects/${id}/settings`, { name: 'missing', path: `/projects/${id}/settings` }],
    [`#/projects/${id}/notes/<img>`, { name: 'missing', path: `/projects/${id}/notes/<img>` }],
    ['#/projects/<script>', { name: 'missing', path: '/projects/<script>' }],
    ['#/elsewhere', { name: 'missing', path: '/elsewhere' }],
    [`#/runs/${id}`, { name: 'run', id }],
    ['#/runs/123', { name: 'missing', path: '/runs/123' }],
  ])('%s', (hash, route) => expect(parseRoute(hash)).toEqual(route));

  it('round-trips project paths', () => {
    expect(parseRoute(`#${projectPath(id)}`)).toEqual({ name: 'project', id, tab: 'overview', item: null });
    expect(parseRoute(`#${projectPath(id, 'hypotheses', id)}`)).toEqual({ name: 'project', id, tab: 'hypotheses', item: id });
  });
});

describe('fieldErrors', () => {
  it('keeps the first message per top-level field', () => {
    expect(
      fieldErrors({
        code: 'invalid_input',
        message: 'x',
        issues: [
          { path: 'title', message: 'Title is required' },
          { path: 'title', message: 'second' },
          { path: 'tags.3', message: 'Tag too long' },
          { path: '', message: 'whole input' },
        ],
      }),
    ).toEqual({ title: 'Title is required', tags: 'Tag too long', _: 'whole input' });
    expect(fieldErrors(null)).toEqual({});
  });
});
