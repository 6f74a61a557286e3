import { createHash } from 'node:crypto';
import { deflateSync, crc32 } from 'node:zlib';
import { type Page } from '@playwright/test';
import { expect, test, type Host } from './host';

/** A PNG of a falling loss curve (so the screenshot shows a real figure), encoded by hand. */
function lossCurvePng(width = 480, height = 260): Buffer {
  const rows: Buffer[] = [];
  const curve = (x: number) => Math.round(height - 20 - (height - 40) * Math.exp(-x / (width / 6)));
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3, 0xff);
    row[0] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const onAxis = x === 30 || y === height - 20;
      const onCurve = x > 30 && Math.abs(y - curve(x - 30)) <= 2;
      if (onAxis || onCurve) row.set(onCurve ? [0x2c, 0x5a, 0x86] : [0x66, 0x66, 0x5f], 1 + x * 3);
    }
    rows.push(row);
  }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const EVIL_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60" onload="alert(1)"><script>alert(1)</script>' +
  '<rect width="120" height="60" fill="#e7eef6"/><circle cx="60" cy="30" r="20" fill="#2c5a86"/></svg>';
const PDF = '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n';

/** Dispatches a paste or a drop of one file on the note's text area, as the browser would (run in the page). */
async function sendFile(page: Page, how: 'paste' | 'drop', file: { name: string; type: string; base64: string }): Promise<void> {
  await page.evaluate(`(() => {
    const file = ${JSON.stringify(file)};
    const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], file.name, { type: file.type }));
    const init = { bubbles: true, cancelable: true };
    const event = ${JSON.stringify(how)} === 'paste'
      ? new ClipboardEvent('paste', { ...init, clipboardData: dt })
      : new DragEvent('drop', { ...init, dataTransfer: dt });
    document.querySelector('textarea.note-body').dispatchEvent(event);
  })()`);
}

/** Width of a decoded image, 0 while it is not loaded. */
const naturalWidth = (img: unknown) => {
  const i = img as { complete: boolean; naturalWidth: number };
  return i.complete ? i.naturalWidth : 0;
};

async function newNote(page: Page, host: Host, title: string): Promise<string> {
  const res = await host.op<{ id: string }>('projects:create', { title: 'Attachments', phenomenon: 'grokking' });
  if (!res.body.ok) throw new Error(res.body.error.message);
  const projectId = res.body.value.id;
  await page.goto(host.url);
  await page.goto(`${host.origin}/#/projects/${projectId}/notes`);
  await expect(page.getByTestId('project-title')).toBeVisible();
  await page.keyboard.press('n');
  await page.getByLabel('Note title').fill(title);
  await page.getByLabel('Note (Markdown)').fill('Train loss of the 1-layer MLP, from matplotlib:\n');
  await expect(page.getByTestId('note-save-state')).toContainText('Saved');
  return projectId;
}

test('attachments: a pasted PNG shows inline, a scripted SVG is inert, a dropped PDF is a download link', async ({ page, host }) => {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  const projectId = await newNote(page, host, 'Loss curve');
  const body = page.getByLabel('Note (Markdown)');

  // Paste an image: uploaded, and a Markdown reference lands at the cursor.
  await body.press('End');
  await body.press('Control+End');
  await sendFile(page, 'paste', { name: 'loss.png', type: 'image/png', base64: lossCurvePng().toString('base64') });
  await expect(body).toHaveValue(/:\n\n!\[loss\.png\]\(attachment:[0-9a-f]{64}\)\n\n$/);
  // A line after it, and the cursor back at that line's start: what comes next lands there.
  await body.press('Control+End');
  await body.pressSequentially('Seeds 0 to 4.');
  await body.press('Home');
  // An SVG with a script and an onload handler, pasted the same way.
  await sendFile(page, 'paste', { name: 'evil.svg', type: 'image/svg+xml', base64: Buffer.from(EVIL_SVG).toString('base64') });
  await expect(body).toHaveValue(/\)\n\n!\[evil\.svg\]\(attachment:[0-9a-f]{64}\)\n\nSeeds 0 to 4\.$/);
  // Drag and drop a PDF: a link, not an image, again at the cursor (now after the SVG).
  await sendFile(page, 'drop', { name: 'paper.pdf', type: 'application/pdf', base64: Buffer.from(PDF).toString('base64') });
  await expect(body).toHaveValue(/\(attachment:[0-9a-f]{64}\)\n\n\[paper\.pdf\]\(attachment:[0-9a-f]{64}\)\n\nSeeds 0 to 4\.$/);
  await expect(page.getByTestId('note-save-state')).toContainText('Saved');

  // A file whose bytes are not what its name says is refused with a message, nothing inserted.
  await sendFile(page, 'drop', { name: 'plot.png', type: 'image/png', base64: Buffer.from('<html><script>alert(2)</script></html>').toString('base64') });
  await expect(page.getByText(/“plot\.png” is named as a PNG image but its bytes are an HTML page/)).toBeVisible();
  await expect(body).not.toHaveValue(/plot\.png/);

  // The saved note, rendered after a reload: images inline from blob: URLs, the PDF a download.
  await page.reload();
  await page.getByRole('tab', { name: 'Preview' }).click();
  const preview = page.locator('.note-preview [data-testid="markdown"]');
  const png = preview.locator('img[alt="loss.png"]');
  await expect(png).toHaveAttribute('src', /^blob:/);
  await expect.poll(() => png.evaluate(naturalWidth)).toBe(480);
  // Decoded, not just sized: the curve's pixels are there.
  const inked = (await page.evaluate(`(() => {
    const img = document.querySelector('.note-preview img[alt="loss.png"]');
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const g = canvas.getContext('2d');
    g.drawImage(img, 0, 0);
    const { data } = g.getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] < 0x80) n++;
    return n;
  })()`)) as number;
  expect(inked).toBeGreaterThan(500);
  const svg = preview.locator('img[alt="evil.svg"]');
  await expect(svg).toHaveAttribute('src', /^blob:/);
  await expect.poll(() => svg.evaluate(naturalWidth)).toBe(120);
  // Shown as an image only: no SVG of it in the page's DOM, no handler anywhere.
  expect(await preview.locator('svg, script, [onload]').count()).toBe(0);
  const pdf = preview.locator('a.attachment-link');
  await expect(pdf).toHaveText('paper.pdf');
  await expect(pdf).toHaveAttribute('href', /^blob:/);
  await expect(pdf).toHaveAttribute('download', 'paper.pdf');
  const download = page.waitForEvent('download');
  await pdf.click();
  expect((await download).suggestedFilename()).toBe('paper.pdf');

  // The stored SVG is the sanitised one.
  const list = await host.op<{ name: string; sha256: string }[]>('attachments:list', { projectId });
  if (!list.body.ok) throw new Error(list.body.error.message);
  const evil = list.body.value.find((a) => a.name === 'evil.svg')!;
  const stored = await host.op<{ data: string }>('attachments:get', { projectId, sha256: evil.sha256 });
  if (!stored.body.ok) throw new Error(stored.body.error.message);
  expect(Buffer.from(stored.body.value.data, 'base64').toString('utf8')).not.toMatch(/script|onload/i);

  await page.screenshot({ path: '/tmp/attachments-note.png' });

  // Leaving the rendered note releases its object URLs: the image's blob: URL no longer loads.
  const src = await png.getAttribute('src');
  const loads = (url: string) => page.evaluate(`new Promise((resolve) => {
    const img = new Image();
    img.onload = () => resolve('loads');
    img.onerror = () => resolve('gone');
    img.src = ${JSON.stringify(url)};
  })`);
  expect(await loads(src!)).toBe('loads');
  await page.getByRole('tab', { name: 'Write' }).click();
  await expect(preview).toHaveCount(0);
  expect(await loads(src!)).toBe('gone');
  await page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
  expect(dialogs).toEqual([]);
});

test('attachments: a checklist answer cites an attached file as evidence', async ({ page, host }) => {
  const res = await host.op<{ id: string }>('projects:create', { title: 'Evidence', phenomenon: 'grokking' });
  if (!res.body.ok) throw new Error(res.body.error.message);
  const projectId = res.body.value.id;
  const csv = Buffer.from('step,train_loss\n0,2.30\n100,0.41\n');
  const added = await host.op('attachments:add', { projectId, name: 'curve.csv', data: csv.toString('base64') });
  expect(added.body.ok).toBe(true);
  const key = 'early.context.framing';
  await page.goto(host.url);
  await page.goto(`${host.origin}/#/projects/${projectId}/checklist/${key}`);
  const evidence = page.getByTestId(`evidence-${key}`);
  await evidence.getByRole('button', { name: 'Cite…' }).click();
  const picker = page.getByTestId('evidence-picker');
  await picker.getByRole('tab', { name: 'Attachments' }).click();
  await picker.locator('label', { hasText: 'curve.csv' }).getByRole('checkbox').check();
  await expect(picker.locator('label', { hasText: 'curve.csv' })).toContainText('text/csv');
  await picker.getByRole('button', { name: 'Done' }).click();
  await expect(evidence.locator('.evidence-attachment')).toHaveText(/attachment: curve\.csv/);
  const state = await host.op<{ evidence: { kind: string; label: string }[] }>('checklist:get', { projectId });
  expect(state.body.ok && state.body.value.evidence).toMatchObject([{ kind: 'attachment', label: 'curve.csv' }]);
});

test('attachments: a bundle carries them byte for byte through the host (import on its worker thread)', async ({ host }) => {
  const res = await host.op<{ id: string }>('projects:create', { title: 'Bundle with files', phenomenon: 'grokking' });
  if (!res.body.ok) throw new Error(res.body.error.message);
  const projectId = res.body.value.id;
  for (const [name, bytes] of [['loss.png', lossCurvePng()], ['evil.svg', Buffer.from(EVIL_SVG)], ['paper.pdf', Buffer.from(PDF)]] as const) {
    const r = await host.op('attachments:add', { projectId, name, data: bytes.toString('base64') });
    if (!r.body.ok) throw new Error(r.body.error.message);
  }
  const hashes = async (id: string) => {
    const list = await host.op<{ name: string; sha256: string }[]>('attachments:list', { projectId: id });
    if (!list.body.ok) throw new Error(list.body.error.message);
    const out: Record<string, string> = {};
    for (const a of list.body.value) {
      const got = await host.op<{ data: string }>('attachments:get', { projectId: id, sha256: a.sha256 });
      if (!got.body.ok) throw new Error(got.body.error.message);
      out[a.name] = createHash('sha256').update(Buffer.from(got.body.value.data, 'base64')).digest('hex');
    }
    return out;
  };
  const before = await hashes(projectId);
  const exported = await host.op<{ data: string }>('bundles:export', { projectId });
  if (!exported.body.ok) throw new Error(exported.body.error.message);
  const imported = await host.op<{ projectId: string; counts: { attachments: number } }>('bundles:import', { data: exported.body.value.data });
  if (!imported.body.ok) throw new Error(imported.body.error.message);
  expect(imported.body.value.counts.attachments).toBe(3);
  expect(await hashes(imported.body.value.projectId)).toEqual(before);
});
