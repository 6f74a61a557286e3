import { expect, test, type Host } from './host';

async function op<T>(host: Host, name: string, input: unknown): Promise<T> {
  const r = await host.op<T>(name, input);
  if (!r.body.ok) throw new Error(`${name}: ${r.body.error.message}`);
  return r.body.value;
}

async function finished(host: Host, id: string): Promise<void> {
  await expect.poll(async () => (await op<{ status: string }>(host, 'runs:get', { id })).status, { timeout: 90_000 }).toBe('done');
}

test('telescoping lens: a probed run charts p_train/p_test and both approximation errors; a grokking run says why it has no probe', async ({ page, host }) => {
  test.setTimeout(180_000);
  const project = await op<{ id: string }>(host, 'projects:create', { title: 'Effective parameters', phenomenon: 'double-descent' });
  const [probed] = await op<{ id: string }[]>(host, 'runs:start', {
    projectId: project.id,
    experiment: 'double-descent',
    preset: 'telescoping',
    config: { width: 8, steps: 300, evalEvery: 50 },
  });
  const [grokking] = await op<{ id: string }[]>(host, 'runs:start', { projectId: project.id, experiment: 'grokking-mlp', config: { steps: 20, evalEvery: 10 } });
  await finished(host, probed!.id);
  await finished(host, grokking!.id);

  await page.goto(host.url);
  await page.goto(`${host.origin}/#/runs/${probed!.id}`);
  for (const key of ['effective', 'approximation']) {
    const chart = page.getByTestId(`chart-${key}`);
    await expect(chart).toBeVisible();
    await expect(chart.locator('.scatterlayer .trace')).toHaveCount(2);
  }
  await expect(page.getByTestId('effective-parameters')).toHaveText(/^\d+\.\d\d \/ \d+\.\d\d$/);
  await expect(page.getByTestId('probe-cost')).toHaveText(/^\d+\.\d\d ms per step$/);
  const series = await op<{ name: string; values: number[] }[]>(host, 'runs:metrics', { id: probed!.id, names: ['pTrain', 'telescopeError', 'lazyError'] });
  const last = (name: string) => series.find((s) => s.name === name)!.values.at(-1)!;
  expect(last('pTrain')).toBeGreaterThan(1);
  expect(last('lazyError')).toBeGreaterThan(last('telescopeError'));

  await page.goto(`${host.origin}/#/runs/${grokking!.id}`);
  await expect(page.getByTestId('chart-accuracy')).toBeVisible();
  await expect(page.getByTestId('chart-effective')).toHaveCount(0);
  await expect(page.getByTestId('probe-status')).toContainText('not available: the telescoping probe covers plain SGD/GD; AdamW changes the recursion');

  // Effective parameters are ordinary candidates in the confounder lab.
  await page.goto(`${host.origin}/#/projects/${project.id}/confounders`);
  await expect(page.getByTestId('confounder-form').getByLabel('Candidate').locator('option')).toContainText(['effective parameters on train (p_train, telescoping lens)']);
});
