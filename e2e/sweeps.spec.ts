import fs from 'node:fs';
import { type Page } from '@playwright/test';
import { expect, test, type Host } from './host';

async function createProject(host: Host, title: string): Promise<string> {
  const res = await host.op<{ id: string }>('projects:create', { title, phenomenon: 'double-descent' });
  if (!res.body.ok) throw new Error(res.body.error.message);
  return res.body.value.id;
}

interface SweepView {
  status: string;
  progress: { runs: number; byStatus: Record<string, number> };
}
async function getSweep(host: Host, id: string): Promise<SweepView> {
  const r = await host.op<SweepView>('sweeps:get', { id });
  if (!r.body.ok) throw new Error(r.body.error.message);
  return r.body.value;
}

/** The Plotly traces drawn in the sweep chart. */
const traces = (page: Page) =>
  page.getByTestId('sweep-chart').evaluate((el) => ((el as unknown as { data?: { name: string; y: number[]; fill?: string }[] }).data ?? []).map((t) => ({ name: t.name, n: t.y.length, fill: t.fill ?? null })));

test('a 2-width × 2-seed double-descent sweep from the UI: the chart fills in with bands, the SVG carries its provenance', async ({ page, host }) => {
  test.setTimeout(180_000);
  const projectId = await createProject(host, 'Double descent, cheap');
  await page.goto(host.url);
  await page.goto(`${host.origin}/#/projects/${projectId}/runs`);
  // The R shortcut belongs to the project page: wait for it before pressing.
  await expect(page.getByRole('heading', { name: 'Double descent, cheap', level: 1 })).toBeVisible();
  await page.keyboard.press('r');
  const dialog = page.getByRole('dialog', { name: 'Start a run' });
  await dialog.getByLabel('Experiment').selectOption('double-descent');
  await dialog.getByLabel('Preset').selectOption('cheap');
  await dialog.getByLabel('Seeds').fill('2');
  await dialog.getByLabel('Sweep over').selectOption('width');
  await dialog.getByLabel('Sweep values').fill('8, 96');
  await dialog.getByRole('button', { name: 'Start sweep' }).click();

  await expect(page).toHaveURL(/#\/sweeps\/[0-9a-f-]{36}$/);
  const sweepId = page.url().split('/').at(-1)!;
  await expect(page.getByTestId('sweep-title')).toHaveText('Sweep · double-descent · cheap');
  await expect(page.getByTestId('sweep-status')).toContainText(/Running · \d\/4 runs/);
  // Finished points appear as the runs end; at the end both widths carry a band over two seeds.
  await expect(page.getByTestId('sweep-status')).toContainText('Finished · 4/4 runs', { timeout: 150_000 });
  await expect
    .poll(() => traces(page))
    .toEqual([
      { name: 'test error upper', n: 2, fill: null },
      { name: 'test error lower', n: 2, fill: 'tonexty' },
      { name: 'test error', n: 2, fill: null },
      { name: 'train error upper', n: 2, fill: null },
      { name: 'train error lower', n: 2, fill: 'tonexty' },
      { name: 'train error', n: 2, fill: null },
    ]);
  const points = page.getByTestId('sweep-points');
  await expect(points.locator('tbody tr')).toHaveCount(2);
  await expect(points.locator('tbody tr').first()).toContainText('8');

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export SVG' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`double-descent-sweep-${sweepId.slice(0, 8)}.svg`);
  const svg = fs.readFileSync((await file.path())!, 'utf8');
  expect(svg).toMatch(/^<svg/);
  const caption = `sweep ${sweepId.slice(0, 8)} · double-descent (preset cheap) · width 8, 96 × 2 seeds · mean ± std over seeds of error (test, train)`;
  expect(svg).toContain(`<desc>${caption}`);
  expect(svg).toContain('sweep '); // drawn under the chart as well
  expect(svg).toMatch(/<metadata>.*&quot;sweepIds&quot;:\[&quot;[0-9a-f-]{36}&quot;\]/s);

  // Saved as a figure, it can be cited in the checklist.
  await page.getByRole('button', { name: 'Save as figure' }).click();
  await expect(page.getByRole('status').getByText(/Saved figure/)).toBeVisible();
  const figures = await host.op<{ id: string; caption: string }[]>('figures:list', { projectId });
  expect(figures.body.ok && figures.body.value[0]!.caption).toContain(`sweep ${sweepId.slice(0, 8)}`);
});

test('a sweep resumes after the host restarts: finished runs are kept, the rest run again', async ({ page, host, launchHost }) => {
  test.setTimeout(180_000);
  const projectId = await createProject(host, 'Restart mid sweep');
  // One run at a time, set before the sweep is queued, and runs of several seconds each (~2,000
  // steps/s here): so the host is stopped while a run trains. With 400 steps and two at once, all
  // three runs could finish between two polls on a fast machine.
  await host.op('settings:update', { parallelRuns: 1 });
  const started = await host.op<{ id: string }>('sweeps:start', {
    projectId,
    experiment: 'double-descent',
    preset: 'cheap',
    config: { steps: 10_000, evalEvery: 500 },
    grid: [{ key: 'width', values: [8, 12, 16] }],
    seeds: 1,
  });
  if (!started.body.ok) throw new Error(started.body.error.message);
  const id = started.body.value.id;
  // Stop (Ctrl-C) once the first run is done and the second is training.
  await expect.poll(async () => (await getSweep(host, id)).progress.byStatus.done ?? 0, { timeout: 90_000 }).toBeGreaterThanOrEqual(1);
  const before = await getSweep(host, id);
  expect(before.progress.byStatus.done).toBeLessThan(3);
  await host.stop();

  const next = await launchHost(host.dataDir);
  const resumed = await getSweep(next, id);
  expect(resumed.status).toBe('running');
  expect(resumed.progress.byStatus.done).toBe(before.progress.byStatus.done);
  expect(resumed.progress.byStatus.interrupted ?? 0).toBe(0);

  await page.goto(next.url);
  await page.goto(`${next.origin}/#/sweeps/${id}`);
  await expect(page.getByTestId('sweep-status')).toContainText('Finished · 3/3 runs', { timeout: 120_000 });
  const after = await getSweep(next, id);
  expect(after.progress.byStatus).toEqual({ done: 3 });
});

test('compare runs: init-scale curves per α, seeds aggregated into bands, only differing config fields shown, SVG export', async ({ page, host }) => {
  test.setTimeout(120_000);
  const projectId = await createProject(host, 'Init scale');
  const started = await host.op<{ id: string }>('sweeps:start', {
    projectId,
    experiment: 'init-scale',
    config: { steps: 200, evalEvery: 20 },
    grid: [{ key: 'alpha', values: [1, 8] }],
    seeds: 2,
  });
  if (!started.body.ok) throw new Error(started.body.error.message);
  await expect.poll(async () => (await getSweep(host, started.body.ok ? started.body.value.id : '')).status, { timeout: 90_000 }).toBe('done');

  await page.goto(host.url);
  await page.goto(`${host.origin}/#/sweeps/${started.body.value.id}`);
  await page.getByRole('link', { name: 'Compare curves' }).click();
  await expect(page.getByRole('heading', { name: 'Compare 4 runs' })).toBeVisible();
  await expect(page.getByLabel('Group by')).toHaveValue('alpha');
  const config = page.getByTestId('compare-config');
  await expect(config.locator('thead th')).toHaveText(['Run', 'alpha', 'seed']);
  const drawn = () =>
    page.getByTestId('compare-chart').evaluate((el) => ((el as unknown as { data?: { name: string }[] }).data ?? []).map((t) => t.name).filter((n) => !n.endsWith(' raw')));
  await expect.poll(drawn).toEqual(['alpha = 1 upper', 'alpha = 1 lower', 'alpha = 1 (mean of 2)', 'alpha = 8 upper', 'alpha = 8 lower', 'alpha = 8 (mean of 2)']);
  await page.getByLabel('Aggregate seeds').selectOption('none');
  await expect.poll(drawn).toEqual(['alpha = 1 · seed 0', 'alpha = 1 · seed 1', 'alpha = 8 · seed 0', 'alpha = 8 · seed 1']);

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export SVG' }).click();
  const svg = fs.readFileSync((await (await download).path())!, 'utf8');
  expect(svg).toContain('<desc>init-scale · 4 runs grouped by alpha · test accuracy vs step');
});
