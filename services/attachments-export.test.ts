import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Attachment } from '../contract/attachments';
import { dispatch } from '../host/handlers';
import { PNG_1X1 } from '../test/attachment-fixtures';
import { tempContext } from '../test/temp-context';

let ctx: ReturnType<typeof tempContext>;
let projectId: string;
let files: Record<string, Attachment>;
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10" onload="alert(1)"><script>alert(1)</script><rect width="20" height="10"/></svg>';
const PDF = '%PDF-1.4\n%%EOF\n';

beforeEach(async () => {
  ctx = tempContext();
  projectId = ctx.projects.create({ title: 'Report', phenomenon: 'grokking', question: '', tags: [] }).id;
  const note = ctx.notes.create({ projectId, title: 'Curves', body: '', tags: [], runIds: [] });
  files = {};
  for (const [name, bytes] of [['loss.png', PNG_1X1], ['fig.svg', Buffer.from(SVG)], ['paper.pdf', Buffer.from(PDF)]] as const) {
    const r = await dispatch(ctx, 'attachments:add', { projectId, noteId: note.id, name, data: bytes.toString('base64') });
    if (!r.ok) throw new Error(r.error.message);
    files[name] = r.value as Attachment;
  }
  const ref = (a: Attachment, image: boolean) => `${image ? '!' : ''}[${a.name}](attachment:${a.sha256})`;
  ctx.notes.update({ id: note.id, body: `Loss:\n\n${ref(files['loss.png']!, true)}\n\n${ref(files['fig.svg']!, true)}\n\nSee ${ref(files['paper.pdf']!, false)}.` });
});
afterEach(() => ctx.cleanup());

describe('attachments in reports and exports', () => {
  it('embeds images in the HTML report as data: URIs and lists the other files', () => {
    const { html } = ctx.notebook.report(projectId, ctx.checklist, ctx.hypotheses, { hostname: 'h' });
    expect(html).toContain(`<img src="data:image/png;base64,${PNG_1X1.toString('base64')}" alt="loss.png"`);
    const svg = /<img src="data:image\/svg\+xml;base64,([^"]+)"/.exec(html);
    expect(svg).not.toBeNull();
    expect(Buffer.from(svg![1]!, 'base64').toString('utf8')).not.toMatch(/script|onload/i);
    // The PDF: a link to its entry in the Attachments section, which names it with its hash.
    const pdf = files['paper.pdf']!;
    expect(html).toMatch(new RegExp(`<a href="#attachment-${pdf.id}">paper\\.pdf</a>`));
    expect(html).toMatch(new RegExp(`<tr id="attachment-${pdf.id}"><td>paper\\.pdf</td><td>application/pdf</td>[\\s\\S]*?${pdf.sha256}`));
    expect(html).not.toContain('attachment:');
  });

  it('references every attachment by its hash in the Markdown export', () => {
    const { markdown } = ctx.notebook.export(projectId, ctx.checklist, ctx.hypotheses);
    expect(markdown).toContain(`![loss.png](attachment:${files['loss.png']!.sha256})`);
    expect(markdown).toContain('## Attachments');
    for (const a of Object.values(files)) expect(markdown).toContain(`**${a.name}** — ${a.mediaType}, ${a.size} bytes, in “Curves” — \`attachment:${a.sha256}\``);
  });
});
