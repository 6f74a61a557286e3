import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Host } from './host';

async function op<T>(host: Host, name: string, input: unknown): Promise<T> {
  const r = await host.op<T>(name, input);
  if (!r.body.ok) throw new Error(`${name}: ${r.body.error.message}`);
  return r.body.value;
}

test('confounder lab: run the test from the UI, cite its verdict in the checklist, export the report and open it offline', async ({ page, host, dataDir }) => {
  test.setTimeout(240_000);
  const project = await op<{ id: string }>(host, 'projects:create', { title: 'Prime parameters', phenomenon: 'double-descent' });
  const sweep = await op<{ id: string }>(host, 'sweeps:start', {
    projectId: project.id,
    experiment: 'double-descent',
    preset: 'cheap',
    config: { steps: 300, evalEvery: 100 },
    grid: [{ key: 'width', values: [8, 16, 32] }],
    seeds: 2,
  });
  await expect.poll(async () => (await op<{ status: string }>(host, 'sweeps:get', { id: sweep.id })).status, { timeout: 150_000 }).toBe('done');

  // A saved figure of the sweep, made from its page.
  await page.goto(host.url);
  await page.goto(`${host.origin}/#/sweeps/${sweep.id}`);
  await expect(page.getByTestId('sweep-chart')).toBeVisible();
  await page.getByRole('button', { name: 'Save as figure' }).click();
  await expect(page.getByRole('status').getByText(/Saved figure/)).toBeVisible();

  await page.goto(`${host.origin}/#/projects/${project.id}/confounders`);
  const form = page.getByTestId('confounder-form');
  await expect(form.getByLabel('Observations')).toHaveValue(`sweep:${sweep.id}`);
  // After 300 steps no weight has grown past 1.5, so the prime count is 0 everywhere: test the norm.
  await form.getByLabel('Candidate').selectOption('l2');
  await form.getByRole('button', { name: 'Run the test' }).click();
  const card = page.getByTestId('confounder-test');
  await expect(card).toHaveCount(1);
  const verdict = card.getByTestId('confounder-verdict');
  await expect(verdict).toContainText('parameter L2 norm');
  await expect(verdict).toContainText('6 runs from 2 seeds');
  await expect(verdict).toContainText('Conclusion:');
  await expect(card.locator('tbody tr')).toHaveCount(5); // candidate, two placebos, the candidate given each placebo
  const verdictText = (await verdict.textContent())!.trim();

  await card.getByRole('button', { name: 'Cite in the checklist' }).click();
  await page.goto(`${host.origin}/#/projects/${project.id}/checklist/throughout.utility.confounders`);
  await expect(page.getByTestId('evidence-throughout.utility.confounders')).toContainText('confounder: Confounder test: parameter L2 norm vs test error');

  const download = page.waitForEvent('download');
  await page.getByText('Export ▾').click();
  await page.getByRole('menuitem', { name: /^Report \(HTML\)/ }).click();
  const file = await download.catch((err: Error) => {
    throw new Error(`${err.message}\nHost output:\n${host.output()}`);
  });
  expect(file.suggestedFilename()).toBe('prime-parameters-report.html');
  const reportPath = path.join(dataDir, 'report.html');
  await file.saveAs(reportPath);
  const html = fs.readFileSync(reportPath, 'utf8');
  expect(html).toContain(verdictText.slice(0, 60));
  expect(html).toContain('<img src="data:image/svg+xml;base64,');
  expect(html).not.toContain('<script');

  // Offline: every request but the file itself fails, and the page still shows the figure and the verdict.
  const viewer = await page.context().newPage();
  const requests: string[] = [];
  await viewer.route('**/*', (route) => {
    if (route.request().url().startsWith('file://')) return route.continue();
    requests.push(route.request().url());
    return route.abort();
  });
  await viewer.goto(`file://${reportPath}`);
  await expect(viewer.getByText('Confounder test', { exact: false }).first()).toBeVisible();
  await expect(viewer.getByText(verdictText.slice(0, 60)).first()).toBeVisible();
  const figure = viewer.locator('img[src^="data:image/svg+xml"]').first();
  await expect(figure).toBeVisible();
  expect(await figure.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(100);
  expect(requests).toEqual([]);
});
