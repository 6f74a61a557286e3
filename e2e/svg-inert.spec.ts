// Figures that arrive in a bundle (issue 18, defect 5): what "Download SVG" saves — figures:get's
// svg, byte for byte — is opened on its own in Chromium (file://, no app, no CSP) and every shape
// clicked: no dialog, no request leaves the file. The same payloads unsanitised do run, so the
// check can fail.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Page } from '@playwright/test';
import { canonicalJson, sha256Hex } from '../services/content-hash';
import { CHART_SVG, SVG_PAYLOADS } from '../test/svg-corpus';
import { expect, test, type Host } from './host';

async function ok<T>(host: Host, name: string, input?: unknown): Promise<T> {
  const res = await host.op<T>(name, input);
  if (!res.body.ok) throw new Error(`${name}: ${res.body.error.message}`);
  return res.body.value;
}

/** Opens an SVG file on its own and clicks every element; returns the dialogs and non-file requests it caused. */
async function openAndClick(page: Page, file: string): Promise<string[]> {
  const events: string[] = [];
  const onDialog = (d: { message(): string; dismiss(): Promise<void> }) => {
    events.push(`dialog: ${d.message()}`);
    void d.dismiss();
  };
  const onRequest = (r: { url(): string }) => {
    if (!r.url().startsWith('file:')) events.push(`request: ${r.url()}`);
  };
  page.on('dialog', onDialog);
  page.on('request', onRequest);
  try {
    await page.goto(`file://${file}`);
    // Well-formed XML too: Chromium shows a parsererror for a file it cannot read (a broken figure).
    if ((await page.locator('parsererror').count()) > 0) events.push('parse error');
    const shapes = page.locator('svg *');
    const count = await shapes.count();
    for (let i = 0; i < count; i++) {
      const box = await shapes.nth(i).boundingBox();
      if (box && box.width > 0 && box.height > 0) await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    }
    await page.mouse.click(100, 50);
    await page.waitForTimeout(300); // a navigation to javascript: or a load event runs asynchronously
  } finally {
    page.off('dialog', onDialog);
    page.off('request', onRequest);
  }
  return events;
}

test('figures from a bundle are inert when their downloaded SVG is opened on its own', async ({ page, host }) => {
  test.setTimeout(120_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-svg-'));
  try {
    const project = await ok<{ id: string }>(host, 'projects:create', { title: 'Figures', phenomenon: 'other' });
    await ok(host, 'figures:create', {
      projectId: project.id,
      title: 'Chart',
      caption: '',
      svg: CHART_SVG,
      provenance: { app: '0', exportedAt: 'x', experiment: 'grokking-mlp', preset: null, sweepIds: [], runIds: [], selection: '', shows: '', config: {} },
    });
    const { data } = await ok<{ data: string }>(host, 'bundles:export', { projectId: project.id });
    const bundle = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')) as { contentHash: string; content: { figures: Record<string, unknown>[] } };
    const base = bundle.content.figures[0]!;
    const accepted = SVG_PAYLOADS.filter((p) => !p.refused);
    bundle.content.figures = accepted.map((p) => ({ ...base, id: randomUUID(), title: p.name, svg: p.svg }));
    bundle.contentHash = sha256Hex(canonicalJson(bundle.content));
    const result = await ok<{ projectId: string }>(host, 'bundles:import', { data: gzipSync(Buffer.from(JSON.stringify(bundle))).toString('base64') });

    const figures = await ok<{ id: string; title: string }[]>(host, 'figures:list', { projectId: result.projectId });
    expect(figures).toHaveLength(accepted.length);
    for (const f of figures) {
      const { svg } = await ok<{ svg: string }>(host, 'figures:get', { id: f.id });
      const file = path.join(dir, `${f.id}.svg`);
      fs.writeFileSync(file, svg);
      expect(await openAndClick(page, file), f.title).toEqual([]);
    }

    // The control: unsanitised, the entity-encoded link of defect 5 runs on one click.
    const raw = path.join(dir, 'raw.svg');
    fs.writeFileSync(raw, SVG_PAYLOADS.find((p) => p.name.startsWith('entity-encoded javascript'))!.svg);
    expect(await openAndClick(page, raw)).toContain('dialog: 1');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
