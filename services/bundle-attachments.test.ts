import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { Attachment } from '../contract/attachments';
import type { Bundle } from '../contract/bundle';
import { dispatch } from '../host/handlers';
import { PNG_1X1 } from '../test/attachment-fixtures';
import { snapshotTables, tempContext } from '../test/temp-context';
import { BundleError } from './bundle.service';
import { canonicalJson, sha256Hex } from './content-hash';

type Ctx = ReturnType<typeof tempContext>;
const contexts: Ctx[] = [];
const context = () => {
  const c = tempContext();
  contexts.push(c);
  return c;
};
afterEach(() => {
  for (const c of contexts.splice(0)) c.cleanup();
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10" onload="alert(1)"><script>alert(1)</script><rect width="20" height="10" fill="#2c5a86"/></svg>';
const PDF = '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n';
const CSV = 'step,train_loss\n0,2.30\n100,0.41\n';

/** A project with a note holding four kinds of file (one PNG attached twice) and one cited as evidence. */
async function projectWithAttachments(ctx: Ctx) {
  const projectId = ctx.projects.create({ title: 'With files', phenomenon: 'grokking', question: '', tags: [] }).id;
  const note = ctx.notes.create({ projectId, title: 'Figures from matplotlib', body: '', tags: [], runIds: [] });
  const added: Attachment[] = [];
  for (const [name, bytes, noteId] of [
    ['loss.png', PNG_1X1, note.id],
    ['fig.svg', Buffer.from(SVG), note.id],
    ['paper.pdf', Buffer.from(PDF), note.id],
    ['curve.csv', Buffer.from(CSV), null],
    ['loss-again.png', PNG_1X1, null],
  ] as const) {
    const r = await dispatch(ctx, 'attachments:add', { projectId, noteId, name, data: bytes.toString('base64') });
    if (!r.ok) throw new Error(r.error.message);
    added.push(r.value as Attachment);
  }
  const body = added.map((a) => `![${a.name}](attachment:${a.sha256})`).join('\n');
  ctx.notes.update({ id: note.id, body });
  ctx.notebook.link({ projectId, questionKey: 'early.context.framing', kind: 'attachment', targetId: added[3]!.id, linked: true });
  return { projectId, noteId: note.id, added, body };
}

/** SHA-256 of the stored bytes of every attachment of a project, by name. */
const storedHashes = (ctx: Ctx, projectId: string) =>
  Object.fromEntries(ctx.attachments.list(projectId).map((a) => [a.name, sha(Buffer.from(ctx.attachments.get(projectId, a.sha256).data, 'base64'))]));

const blobCount = (ctx: Ctx) => (ctx.db.prepare('SELECT count(*) AS n FROM attachment_blobs').get() as { n: number }).n;

describe('bundles carry attachments', () => {
  it('byte for byte: every file has the same SHA-256 after the round trip, links and evidence follow', async () => {
    const src = context();
    const { projectId, body } = await projectWithAttachments(src);
    const before = storedHashes(src, projectId);
    expect(Object.keys(before)).toHaveLength(5);
    for (const [name, hash] of Object.entries(before)) expect(src.attachments.list(projectId).find((a) => a.name === name)!.sha256).toBe(hash);

    const file = src.bundles.export(projectId);
    const doc = JSON.parse(gunzipSync(file).toString('utf8')) as Bundle;
    expect(doc.content.attachments).toHaveLength(5);
    expect(doc.content.attachmentFiles).toHaveLength(4); // the PNG attached twice travels once

    const dst = context();
    const result = dst.bundles.import(file);
    expect(result.counts.attachments).toBe(5);
    expect(storedHashes(dst, result.projectId)).toEqual(before);
    expect(blobCount(dst)).toBe(4);
    const [note] = dst.notes.list(result.projectId);
    expect(note!.body).toBe(body);
    const imported = dst.attachments.list(result.projectId);
    expect(imported.filter((a) => a.noteId === note!.id).map((a) => a.name).sort()).toEqual(['fig.svg', 'loss.png', 'paper.pdf']);
    const evidence = dst.checklist.state(result.projectId).evidence;
    expect(evidence).toMatchObject([{ kind: 'attachment', label: 'curve.csv', targetId: imported.find((a) => a.name === 'curve.csv')!.id }]);

    // Imported next to its original, the bytes are not stored a second time.
    src.bundles.import(file);
    expect(blobCount(src)).toBe(4);
  });

  it('leaves attachments out of a bundle without any, and such a bundle (as older ones) imports', () => {
    const src = context();
    const projectId = src.projects.create({ title: 'No files', phenomenon: 'grokking', question: '', tags: [] }).id;
    const doc = JSON.parse(src.bundles.export(projectId, { compress: false }).toString('utf8')) as Bundle;
    expect('attachments' in doc.content || 'attachmentFiles' in doc.content).toBe(false);
    const dst = context();
    const result = dst.bundles.import(Buffer.from(JSON.stringify(doc)));
    expect(result.counts.attachments).toBe(0);
    expect(dst.attachments.list(result.projectId)).toEqual([]);
  });

  describe('refuses a changed attachment and writes nothing', () => {
    /** The bundle edited, its content hash recomputed: only the attachment checks can catch it. */
    async function resealed(edit: (b: Bundle) => void): Promise<Buffer> {
      const src = context();
      const { projectId } = await projectWithAttachments(src);
      const doc = JSON.parse(src.bundles.export(projectId, { compress: false }).toString('utf8')) as Bundle;
      edit(doc);
      doc.contentHash = sha256Hex(canonicalJson(doc.content));
      return Buffer.from(JSON.stringify(doc));
    }
    const fileOf = (b: Bundle, type: string) => b.content.attachmentFiles!.find((f) => f.mediaType === type)!;

    it.each([
      [
        'one byte of a PNG changed',
        (b: Bundle) => {
          const f = fileOf(b, 'image/png');
          const bytes = Buffer.from(f.data, 'base64');
          bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
          f.data = bytes.toString('base64');
        },
        /does not match its SHA-256: it was changed after export/,
      ],
      [
        'a script put back into the SVG (hash recomputed too)',
        (b: Bundle) => {
          const f = fileOf(b, 'image/svg+xml');
          const bytes = Buffer.from(Buffer.from(f.data, 'base64').toString('utf8').replace('<rect', '<script>alert(1)</script><rect'));
          const old = f.sha256;
          f.data = bytes.toString('base64');
          f.sha256 = sha(bytes);
          for (const a of b.content.attachments!) if (a.sha256 === old) a.sha256 = f.sha256;
        },
        /is an SVG that is not sanitised/,
      ],
      [
        'a PDF relabelled as a PNG',
        (b: Bundle) => {
          fileOf(b, 'application/pdf').mediaType = 'image/png';
        },
        /named as a PNG image but its bytes are a PDF/,
      ],
      [
        'an attachment whose file is missing',
        (b: Bundle) => {
          b.content.attachmentFiles = b.content.attachmentFiles!.filter((f) => f.mediaType !== 'text/csv');
        },
        /is not in the bundle/,
      ],
    ])('%s', async (_what, edit, message) => {
      const data = await resealed(edit);
      const dst = context();
      const before = snapshotTables(dst);
      let error: unknown;
      try {
        dst.bundles.import(data);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(BundleError);
      expect((error as BundleError).message).toMatch(message);
      expect(snapshotTables(dst)).toEqual(before);
    });
  });
});
