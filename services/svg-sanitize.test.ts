import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bundle } from '../contract/bundle';
import { FigureSvgSchema, type FigureProvenance } from '../contract/figures';
import type { Project } from '../contract/projects';
import { dispatch } from '../host/handlers';
import { CHART_SVG, SVG_PAYLOADS } from '../test/svg-corpus';
import { snapshotTables, tempContext } from '../test/temp-context';
import { canonicalJson, sha256Hex } from './content-hash';
import { sanitizeSvg } from './svg-sanitize';

/** Issue 18, defects 4 and 5: one validator and one sanitiser for figures on every way in and out. */

/** What must never be left in a figure that leaves the notebook. */
function expectInert(svg: string): void {
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg).not.toMatch(/<(script|foreignObject|iframe|embed|object|style|set|animate|a)\b/i);
  expect(svg).not.toMatch(/\son[a-z]+\s*=/i);
  expect(svg).not.toMatch(/(java|vb)script:/i);
  expect(svg).not.toMatch(/(href|src)\s*=\s*"(?!#|data:image\/)/i);
  expect(svg).not.toMatch(/url\(\s*['"]?(?!#)/i);
  expect(svg).not.toMatch(/<\?xml-stylesheet|xhtml/i);
  expect(FigureSvgSchema.safeParse(svg).success).toBe(true);
}

describe('sanitizeSvg', () => {
  it.each(SVG_PAYLOADS.map((p) => [p.name, p.svg] as const))('%s comes out inert', (_name, svg) => {
    const clean = sanitizeSvg(svg);
    expectInert(clean);
    expect(sanitizeSvg(clean)).toBe(clean); // idempotent: a bundle round trip changes nothing more
  });

  it('keeps what a chart shows: shapes, paths, internal references, text and provenance', () => {
    const clean = sanitizeSvg(CHART_SVG);
    for (const part of ['viewBox="0 0 900 560"', 'clip-path="url(#clip1)"', 'fill="url(#g1)"', 'xlink:href="#clip1"', 'd="M0,10L5,20L10,5"', '<tspan dy="1">(log)</tspan>', '<metadata>{"app":"0.1.0"}</metadata>', 'data-unformatted="width"', "font-family:'Open Sans'"]) {
      expect(clean).toContain(part);
    }
    expectInert(clean);
  });

  it('writes well-formed XML: an empty attribute (Plotly writes transform="") never comes out bare', () => {
    expect(sanitizeSvg('<svg xmlns="http://www.w3.org/2000/svg"><g transform="" class="scrollbox"><rect width="1" height="1"/></g></svg>')).toBe(
      '<svg xmlns="http://www.w3.org/2000/svg"><g class="scrollbox"><rect width="1" height="1"></rect></g></svg>',
    );
  });

  it('drops the entity-decoded javascript: link and the external <use> of defect 5', () => {
    expect(sanitizeSvg('<svg><a href="&#106;avascript:alert(1)"><text>x</text></a></svg>')).toBe('<svg><text>x</text></svg>');
    expect(sanitizeSvg('<svg><use href="http://127.0.0.1/x.svg#a"/></svg>')).toBe('<svg><use></use></svg>');
  });
});

let ctx: ReturnType<typeof tempContext>;
let project: Project;
async function call<T>(op: string, input: unknown): Promise<T> {
  const r = await dispatch(ctx, op, input);
  if (!r.ok) throw new Error(`${op}: ${r.error.message}`);
  return r.value as T;
}
beforeEach(async () => {
  ctx = tempContext();
  project = await call<Project>('projects:create', { title: 'Figures', phenomenon: 'grokking' });
});
afterEach(() => ctx.cleanup());

const provenance = (config: Record<string, unknown> = { steps: 10 }): FigureProvenance => ({
  app: '0.1.0',
  exportedAt: '2026-01-01T00:00:00.000Z',
  experiment: 'grokking-mlp',
  preset: null,
  sweepIds: [],
  runIds: [],
  selection: 'one run',
  shows: 'accuracy',
  config,
});
const figure = (svg: string, prov = provenance()) => ({ projectId: project.id, title: 'Chart', caption: '', provenance: prov, svg });

/** `{a: {a: … 1}}`, `depth` objects deep. */
const deep = (depth: number): Record<string, unknown> => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v as Record<string, unknown>;
};

/** A bundle of the project with its figure's SVG replaced and the content hash recomputed. */
async function tamperedBundle(svg: string): Promise<string> {
  const { data } = await call<{ data: string }>('bundles:export', { projectId: project.id });
  const bundle = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')) as Bundle;
  bundle.content.figures[0]!.svg = svg;
  bundle.contentHash = sha256Hex(canonicalJson(bundle.content));
  return gzipSync(Buffer.from(JSON.stringify(bundle))).toString('base64');
}

describe('figures on every way in and out', () => {
  it.each(SVG_PAYLOADS.map((p) => [p.name, p] as const))('%s: figures:create refuses it or stores it sanitised, and the project still exports', async (_name, p) => {
    const before = snapshotTables(ctx);
    const r = await dispatch(ctx, 'figures:create', figure(p.svg));
    if (p.refused) {
      expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      expect(!r.ok && r.error.issues?.map((i) => i.path)).toContain('svg');
      expect(snapshotTables(ctx)).toEqual(before);
    } else {
      expect(r.ok).toBe(true);
      const id = (r as { value: { id: string } }).value.id;
      const stored = ctx.db.prepare('SELECT svg FROM figures WHERE id = ?').pluck().get(id) as string;
      expectInert(stored);
      expectInert((await call<{ svg: string }>('figures:get', { id })).svg);
    }
    const exported = await dispatch(ctx, 'bundles:export', { projectId: project.id });
    expect(exported.ok).toBe(true);
  });

  it('figures:create refuses provenance nested 20 deep (defect 4: the project could no longer be exported)', async () => {
    const before = snapshotTables(ctx);
    const r = await dispatch(ctx, 'figures:create', figure(CHART_SVG, provenance(deep(20))));
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(snapshotTables(ctx)).toEqual(before);
    expect((await dispatch(ctx, 'bundles:export', { projectId: project.id })).ok).toBe(true);
  });

  it('provenance as deep as figures:create allows still exports and imports', async () => {
    await call('figures:create', figure(CHART_SVG, provenance(deep(12))));
    const { data } = await call<{ data: string }>('bundles:export', { projectId: project.id });
    const imported = await call<{ counts: { figures: number } }>('bundles:import', { data });
    expect(imported.counts.figures).toBe(1);
  });

  it('a figure stored before the sanitiser (written straight to the database) leaves sanitised: get, export, report', async () => {
    const { id } = await call<{ id: string }>('figures:create', figure(CHART_SVG));
    ctx.db.prepare('UPDATE figures SET svg = ? WHERE id = ?').run('<svg onload="alert(1)"><script>alert(2)</script><rect width="5" height="5"/></svg>', id);
    expectInert((await call<{ svg: string }>('figures:get', { id })).svg);
    const exported = await dispatch(ctx, 'bundles:export', { projectId: project.id });
    expect(exported.ok).toBe(true);
    const { html } = await call<{ html: string }>('notebook:report', { projectId: project.id });
    expect(html).not.toMatch(/alert\([12]\)/);
  });

  it.each(SVG_PAYLOADS.filter((p) => !p.refused).map((p) => [p.name, p.svg] as const))('%s in a bundle (hash recomputed) imports sanitised', async (_name, svg) => {
    await call('figures:create', figure(CHART_SVG));
    const data = await tamperedBundle(svg);
    const result = await call<{ projectId: string; idMap: { figures: Record<string, string> } }>('bundles:import', { data });
    const newId = Object.values(result.idMap.figures)[0]!;
    expectInert(ctx.db.prepare('SELECT svg FROM figures WHERE id = ?').pluck().get(newId) as string);
    expect((await dispatch(ctx, 'bundles:export', { projectId: result.projectId })).ok).toBe(true);
  });

  it.each(SVG_PAYLOADS.filter((p) => p.refused).map((p) => [p.name, p.svg] as const))('%s in a bundle is refused with nothing written', async (_name, svg) => {
    await call('figures:create', figure(CHART_SVG));
    const data = await tamperedBundle(svg);
    const before = snapshotTables(ctx);
    const r = await dispatch(ctx, 'bundles:import', { data });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(snapshotTables(ctx)).toEqual(before);
  });
});
