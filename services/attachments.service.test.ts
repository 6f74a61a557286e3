import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ATTACHMENT_LIMITS, attachmentMarkdown } from '../contract/attachments';
import type { Result } from '../contract/result';
import { dispatch } from '../host/handlers';
import { PNG_1X1 } from '../test/attachment-fixtures';
import { snapshotTables, tempContext } from '../test/temp-context';
import { sniff, typeOfName } from './attachment-check';

let ctx: ReturnType<typeof tempContext>;
let projectId: string;
beforeEach(() => {
  ctx = tempContext();
  projectId = ctx.projects.create({ title: 'P', phenomenon: 'grokking', question: '', tags: [] }).id;
});
afterEach(() => ctx.cleanup());

const b64 = (s: string | Uint8Array) => Buffer.from(s).toString('base64');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const add = (input: Record<string, unknown>) => dispatch(ctx, 'attachments:add', { projectId, ...input });
const count = (table: string) => (ctx.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
const errorOf = (r: Result<unknown>) => {
  if (r.ok) throw new Error('expected a refusal');
  return r.error;
};

describe('attachments', () => {
  it('stores the same bytes once, however often they are attached (one blob, two links)', async () => {
    const note = ctx.notes.create({ projectId, title: 'N', body: '', tags: [], runIds: [] });
    const first = await add({ name: 'loss.png', data: b64(PNG_1X1), noteId: note.id });
    const second = await add({ name: 'same-plot.png', data: b64(PNG_1X1) });
    expect(first.ok && second.ok).toBe(true);
    expect(count('attachment_blobs')).toBe(1);
    expect(count('attachments')).toBe(2);
    const list = ctx.attachments.list(projectId);
    expect(list.map((a) => [a.name, a.noteId, a.sha256, a.mediaType, a.size])).toEqual([
      ['loss.png', note.id, sha(PNG_1X1), 'image/png', PNG_1X1.length],
      ['same-plot.png', null, sha(PNG_1X1), 'image/png', PNG_1X1.length],
    ]);
    const got = ctx.attachments.get(projectId, sha(PNG_1X1));
    expect(Buffer.from(got.data, 'base64').equals(PNG_1X1)).toBe(true);
  });

  it('names the type from the bytes and the name, and both must agree', () => {
    expect(sniff(PNG_1X1)).toBe('image/png');
    expect(sniff(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toBe('image/jpeg');
    expect(sniff(Buffer.from('%PDF-1.7\n'))).toBe('application/pdf');
    expect(sniff(Buffer.from('<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">\n<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBe('image/svg+xml');
    expect(sniff(Buffer.from('<!doctype html><script>alert(1)</script>'))).toBe('html');
    expect(sniff(Buffer.from('step,loss\n1,0.5\n'))).toBe('text');
    expect(sniff(Buffer.from([0, 1, 2, 3]))).toBe('binary');
    expect(typeOfName('Fig 1.JPEG')).toBe('image/jpeg');
    expect(typeOfName('run.exe')).toBeNull();
  });

  it('refuses a "PNG" that is HTML, an unknown type, and a file over the size limit, writing nothing', async () => {
    const before = snapshotTables(ctx);
    const html = errorOf(await add({ name: 'plot.png', data: b64('<html><body><script>alert(1)</script></body></html>') }));
    expect(html.message).toMatch(/named as a PNG image but its bytes are an HTML page/);
    const unknown = errorOf(await add({ name: 'tool.exe', data: b64('MZ\u0090\u0000') }));
    expect(unknown.message).toMatch(/not a type that can be attached/);
    const textAsCsv = errorOf(await add({ name: 'data.csv', data: b64(PNG_1X1) }));
    expect(textAsCsv.message).toMatch(/named as a text file but its bytes are a PNG image/);
    const badJson = errorOf(await add({ name: 'x.json', data: b64('{"a":') }));
    expect(badJson.message).toMatch(/not valid JSON/);
    const big = Buffer.alloc(ATTACHMENT_LIMITS.bytes + 1);
    PNG_1X1.copy(big);
    const tooBig = errorOf(await add({ name: 'huge.png', data: b64(big) }));
    expect(tooBig.code).toBe('payload_too_large');
    expect(tooBig.message).toMatch(/at most 20 MiB/);
    const bigCsv = errorOf(await add({ name: 'huge.csv', data: b64('1,2\n'.repeat(ATTACHMENT_LIMITS.dataBytes / 4 + 1)) }));
    expect(bigCsv.message).toMatch(/at most 5 MiB/);
    const notBase64 = errorOf(await add({ name: 'a.png', data: 'not base64!' }));
    expect(notBase64.code).toBe('invalid_input');
    expect(snapshotTables(ctx)).toEqual(before);
  });

  it('sanitises an SVG on the way in: no script, no event handler is stored', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)"><script>alert(1)</script><rect width="10" height="10" fill="red"/></svg>';
    const r = await add({ name: 'evil.svg', data: b64(svg) });
    if (!r.ok) throw new Error(r.error.message);
    const stored = Buffer.from(ctx.attachments.get(projectId, (r.value as { sha256: string }).sha256).data, 'base64').toString('utf8');
    expect(stored).toContain('<rect');
    expect(stored).not.toMatch(/script|onload|alert/i);
    expect((r.value as { sha256: string }).sha256).toBe(sha(Buffer.from(stored)));
    // matplotlib's prologue (XML declaration, doctype, style sheet) is dropped, the drawing kept.
    const mpl = '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"\n  "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="460.8pt" height="345.6pt" viewBox="0 0 460.8 345.6" xmlns="http://www.w3.org/2000/svg" version="1.1">\n <defs>\n  <style type="text/css">*{stroke-linejoin: round; stroke-linecap: butt}</style>\n </defs>\n <g id="figure_1"><path d="M 0 345.6 L 460.8 345.6 z" style="fill: #ffffff"/></g>\n</svg>\n';
    const m = await add({ name: 'fig.svg', data: b64(mpl) });
    if (!m.ok) throw new Error(m.error.message);
    const kept = Buffer.from(ctx.attachments.get(projectId, (m.value as { sha256: string }).sha256).data, 'base64').toString('utf8');
    expect(kept).toMatch(/^<svg[^>]*viewBox="0 0 460.8 345.6"/);
    expect(kept).toContain('id="figure_1"');
    expect(kept).not.toContain('<style');
    // Not an SVG once read as one (an HTML page named .svg): refused.
    expect(errorOf(await add({ name: 'page.svg', data: b64('<html><svg></svg></html>') })).message).toMatch(/HTML page/);
  });

  it('serves only the attachments of the project asked about', async () => {
    const other = ctx.projects.create({ title: 'Q', phenomenon: 'grokking', question: '', tags: [] }).id;
    await add({ name: 'a.png', data: b64(PNG_1X1) });
    const r = await dispatch(ctx, 'attachments:get', { projectId: other, sha256: sha(PNG_1X1) });
    expect(errorOf(r).code).toBe('not_found');
  });

  it('refuses a note of another project', async () => {
    const other = ctx.projects.create({ title: 'Q', phenomenon: 'grokking', question: '', tags: [] }).id;
    const note = ctx.notes.create({ projectId: other, title: 'N', body: '', tags: [], runIds: [] });
    expect(errorOf(await add({ name: 'a.png', data: b64(PNG_1X1), noteId: note.id })).message).toMatch(/another project/);
  });

  it('can be cited as checklist evidence, and the blob goes with the last attachment', async () => {
    const r = await add({ name: 'a.csv', data: b64('step,loss\n1,0.5\n') });
    if (!r.ok) throw new Error(r.error.message);
    const id = (r.value as { id: string }).id;
    const cited = ctx.notebook.link({ projectId, questionKey: 'early.context.framing', kind: 'attachment', targetId: id, linked: true });
    expect(cited).toMatchObject([{ kind: 'attachment', targetId: id, label: 'a.csv' }]);
    expect(ctx.checklist.state(projectId).evidence.map((e) => e.kind)).toEqual(['attachment']);
    ctx.projects.delete(projectId);
    expect([count('attachments'), count('attachment_blobs'), count('evidence')]).toEqual([0, 0, 0]);
  });

  it('writes Markdown references: an image inline, any other file as a link', () => {
    const h = 'a'.repeat(64);
    expect(attachmentMarkdown({ name: 'loss [final].png', sha256: h, mediaType: 'image/png' })).toBe(`![loss \\[final\\].png](attachment:${h})`);
    expect(attachmentMarkdown({ name: 'paper.pdf', sha256: h, mediaType: 'application/pdf' })).toBe(`[paper.pdf](attachment:${h})`);
  });
});
