// Files the app saves or prints, under the app's own CSP (connect-src 'self', no pop-ups needed):
// a chart as PNG (real pixels, not an empty file), and the report printed in place.
import fs from 'node:fs';
import { expect, test, type Host } from './host';

async function ok<T>(host: Host, name: string, input?: unknown): Promise<T> {
  const res = await host.op<T>(name, input);
  if (!res.body.ok) throw new Error(`${name}: ${res.status} ${JSON.stringify(res.body.error)}`);
  return res.body.value;
}

async function finishedRun(host: Host): Promise<{ projectId: string; runId: string }> {
  const project = await ok<{ id: string }>(host, 'projects:create', { title: 'Exports', phenomenon: 'grokking' });
  const [run] = await ok<{ id: string }[]>(host, 'runs:start', { projectId: project.id, experiment: 'grokking-mlp', config: { steps: 60, evalEvery: 20 } });
  await expect.poll(async () => (await ok<{ status: string }>(host, 'runs:get', { id: run!.id })).status, { timeout: 60_000 }).toBe('done');
  return { projectId: project.id, runId: run!.id };
}

test('a run chart exports as a PNG with the chart drawn in it', async ({ page, host }) => {
  const { runId } = await finishedRun(host);
  const cspErrors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && /Content Security Policy|Refused to connect/i.test(m.text()) && cspErrors.push(m.text()));
  await page.goto(host.url);
  await page.goto(`${host.origin}/#/runs/${runId}`);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: /Export .*accuracy.* as PNG/i }).first().click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/\.png$/);
  const png = fs.readFileSync((await file.path())!);
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([900, 560]); // IHDR width × height
  expect(cspErrors).toEqual([]);

  // Decoded by the browser: most of the image is white paper, but the curves and axes are there.
  const pixels = (await page.evaluate(`(async () => {
    const img = new Image();
    img.src = 'data:image/png;base64,${png.toString('base64')}';
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const { data } = ctx.getImageData(0, 0, img.width, img.height);
    let ink = 0;
    let coloured = 0;
    for (let i = 0; i < data.length; i += 4) {
      const r = data[i], g = data[i + 1], b = data[i + 2];
      if (r < 200 || g < 200 || b < 200) ink++;
      if (Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++; // the train/test curves are blue and orange
    }
    return { ink, coloured, total: data.length / 4 };
  })()`)) as { ink: number; coloured: number; total: number };
  expect(pixels.ink).toBeGreaterThan(2_000);
  expect(pixels.coloured).toBeGreaterThan(300);
  expect(pixels.ink / pixels.total).toBeLessThan(0.5);
});

test('Print / PDF prints the report in place: no new window, the print dialog opens on the report', async ({ page, host }) => {
  const { projectId } = await finishedRun(host);
  await page.goto(host.url);
  await page.goto(`${host.origin}/#/projects/${projectId}`);
  await expect(page.getByRole('heading', { name: 'Exports', level: 1 })).toBeVisible();
  const popups: string[] = [];
  page.on('popup', (p) => popups.push(p.url()));
  // Stands in for the print dialog: records which document print() was called on. A capturing
  // listener on the document (a 'load' event's path stops there) runs before the app's own
  // load listener on the frame.
  await page.evaluate(`
    window.printed = [];
    document.addEventListener('load', (e) => {
      const frame = e.target;
      if (!(frame instanceof HTMLIFrameElement) || !frame.contentWindow) return;
      const doc = frame.contentDocument;
      frame.contentWindow.print = () => void window.printed.push(doc.querySelector('h1')?.textContent ?? '(no title)');
    }, true);
  `);
  await page.getByText('Export ▾').click();
  await page.getByRole('menuitem', { name: /Print \/ PDF/ }).click();
  await expect.poll(() => page.evaluate('window.printed')).toEqual(['Exports']);
  expect(popups).toEqual([]);
  const frame = page.locator('iframe[data-print="report"]');
  await expect(frame).toHaveAttribute('sandbox', 'allow-same-origin allow-modals');
  await expect(page.getByText(/allow pop-ups/)).toHaveCount(0);
});
