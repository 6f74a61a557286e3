// The plot builder: final test accuracy against weightDecay over six real runs (2 values × 3 seeds),
// bands over the seeds, exported as SVG with its provenance and saved as a citable figure.
import fs from 'node:fs';
import path from 'node:path';
import { expect, ROOT, test, type Host } from './host';

async function op<T>(host: Host, name: string, input: unknown): Promise<T> {
  const r = await host.op<T>(name, input);
  if (!r.body.ok) throw new Error(`${name}: ${r.body.error.message}`);
  return r.body.value;
}

interface Trace {
  name: string;
  mode?: string;
  fill?: string;
  x: (number | string)[];
  y: number[];
}

test('plot builder: final test accuracy against weightDecay over six runs, with seed bands, exported as SVG with provenance', async ({ page, host }) => {
  test.setTimeout(180_000);
  const project = await op<{ id: string }>(host, 'projects:create', { title: 'Weight decay and grokking', phenomenon: 'grokking' });
  const sweep = await op<{ id: string }>(host, 'sweeps:start', {
    projectId: project.id,
    experiment: 'grokking-mlp',
    config: { steps: 60, evalEvery: 20 },
    grid: [{ key: 'weightDecay', values: [0, 1] }],
    seeds: 3,
  });
  await expect.poll(async () => (await op<{ status: string }>(host, 'sweeps:get', { id: sweep.id })).status, { timeout: 150_000 }).toBe('done');
  const runs = await op<{ id: string; config: { weightDecay: number }; final: Record<string, number> }[]>(host, 'runs:list', { projectId: project.id });
  expect(runs).toHaveLength(6);
  const meanAt = (wd: number) => {
    const v = runs.filter((r) => r.config.weightDecay === wd).map((r) => r.final.testAcc!);
    return v.reduce((a, b) => a + b, 0) / v.length;
  };

  await page.goto(host.url);
  await page.goto(`${host.origin}/#/projects/${project.id}`);
  await expect(page.getByTestId('project-title')).toHaveText('Weight decay and grokking');
  await page.keyboard.press('7');
  const builder = page.getByTestId('plot-builder');
  await expect(builder.getByTestId('plot-selection')).toHaveText('6 runs');
  await builder.getByLabel('y metric').selectOption('testAcc');
  await builder.getByLabel('y reduction').selectOption('final');
  await builder.getByLabel('x axis').selectOption('field:weightDecay');
  await expect(builder.getByTestId('plot-shows')).toHaveText('final testAcc against weightDecay, mean ± std over up to 3 runs per point');

  // What Plotly drew: a band (two edges, the lower filled), the six runs' own dots, and the means.
  const chart = builder.getByTestId('plot-chart');
  await expect.poll(() => chart.evaluate((el) => ((el as unknown as { data?: unknown[] }).data ?? []).length)).toBe(4);
  const traces = (await chart.evaluate((el) => (el as unknown as { data: Trace[] }).data.map((t) => ({ name: t.name, mode: t.mode, fill: t.fill, x: [...t.x], y: [...t.y] })))) as Trace[];
  const mean = traces.find((t) => t.mode === 'lines+markers')!;
  expect(mean.x).toEqual([0, 1]);
  expect(mean.y[0]).toBeCloseTo(meanAt(0), 9);
  expect(mean.y[1]).toBeCloseTo(meanAt(1), 9);
  expect(traces.filter((t) => t.fill === 'tonexty')).toHaveLength(1);
  expect(traces.find((t) => t.mode === 'markers')!.y).toHaveLength(6);
  // Drawn on screen: the band's filled path and the markers exist in the SVG.
  await expect(chart.locator('path.js-fill')).toHaveCount(1);
  await expect(chart.locator('.scatterlayer .point')).toHaveCount(8);
  if (process.env.PHENOBOOK_SCREENSHOTS === '1') {
    await page.screenshot({ path: path.join(ROOT, 'docs', 'screenshots', 'plot-builder.png'), animations: 'disabled', caret: 'hide', fullPage: true });
  }

  const download = page.waitForEvent('download');
  await builder.getByRole('button', { name: 'Export SVG' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^plot-final-testAcc-vs-weightDecay\.svg$/);
  const svg = fs.readFileSync((await file.path())!, 'utf8');
  const metadata = /<metadata>([\s\S]*?)<\/metadata>/.exec(svg)![1]!.replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
  const provenance = JSON.parse(metadata) as { runIds: string[]; shows: string; experiment: string; config: { x: { field: string } } };
  expect(provenance.runIds.sort()).toEqual(runs.map((r) => r.id).sort());
  expect(provenance.experiment).toBe('grokking-mlp');
  expect(provenance.shows).toBe('final testAcc against weightDecay, mean ± std over up to 3 runs per point');
  expect(provenance.config.x.field).toBe('weightDecay');
  expect(svg).toContain('<desc>');

  await builder.getByRole('button', { name: 'Save as figure' }).click();
  await expect(page.getByRole('status').getByText(/Saved figure “final testAcc vs weightDecay”/)).toBeVisible();
  const figures = await op<{ title: string; provenance: { runIds: string[] } }[]>(host, 'figures:list', { projectId: project.id });
  expect(figures.map((f) => [f.title, f.provenance.runIds.length])).toEqual([['final testAcc vs weightDecay', 6]]);
});

test('plot builder: an empty project says how to get runs', async ({ page, host }) => {
  const project = await op<{ id: string }>(host, 'projects:create', { title: 'Empty', phenomenon: 'grokking' });
  await page.goto(host.url);
  await page.goto(`${host.origin}/#/projects/${project.id}/plots`);
  await expect(page.getByTestId('plot-builder')).toContainText('No runs in this project yet');
});
