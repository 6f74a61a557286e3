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
  // The probed run is started from the form: the preset ticks the probe and picks the binary task.
  await page.goto(host.url);
  await page.goto(`${host.origin}/#/projects/${project.id}/runs`);
  await expect(page.getByRole('heading', { name: 'Effective parameters', level: 1 })).toBeVisible();
  await page.keyboard.press('r');
  const dialog = page.getByRole('dialog', { name: 'Start a run' });
  await dialog.getByLabel('Experiment').selectOption('double-descent');
  await dialog.getByLabel('Preset').selectOption('telescoping');
  // The preset's own sweep fills the sweep fields; a single run is asked for here.
  await expect(dialog.getByLabel('Sweep over')).toHaveValue('width');
  await dialog.getByLabel('Sweep over').selectOption('');
  await dialog.getByLabel('Seeds').fill('1');
  await expect(dialog.getByLabel('probe', { exact: true })).toBeChecked();
  await expect(dialog.getByLabel('task', { exact: true })).toHaveValue('binary-0v1');
  await expect(dialog.getByLabel('loss', { exact: true })).toHaveValue('mse');
  // A setting outside the probe's scope is refused with the reason, on the field.
  await dialog.getByLabel('task', { exact: true }).selectOption('ten-class');
  await dialog.getByRole('button', { name: 'Start run', exact: true }).click();
  await expect(dialog.getByText('this network has 10 outputs (multi-class is not supported yet)')).toBeVisible();
  await dialog.getByLabel('task', { exact: true }).selectOption('binary-0v1');
  await dialog.getByLabel('width', { exact: true }).fill('8');
  await dialog.getByLabel('steps', { exact: true }).fill('300');
  await dialog.getByLabel('evalEvery', { exact: true }).fill('50');
  await dialog.getByRole('button', { name: 'Start run', exact: true }).click();
  await expect(dialog).toBeHidden();
  const [probed] = await op<{ id: string }[]>(host, 'runs:list', { projectId: project.id });
  expect(probed).toBeDefined();
  const [grokking] = await op<{ id: string }[]>(host, 'runs:start', { projectId: project.id, experiment: 'grokking-mlp', config: { steps: 20, evalEvery: 10 } });
  await finished(host, probed!.id);
  await finished(host, grokking!.id);

  await page.goto(`${host.origin}/#/runs/${probed!.id}`);
  for (const [key, traces] of [['effective', 2], ['approximation', 3]] as const) {
    const chart = page.getByTestId(`chart-${key}`);
    await expect(chart).toBeVisible();
    await expect(chart.locator('.scatterlayer .trace')).toHaveCount(traces);
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
  await expect(page.getByTestId('probe-status')).toContainText('not available: the telescoping probe covers SGD/GD with or without momentum; AdamW changes the recursion');

  // Effective parameters are ordinary candidates in the confounder lab.
  await page.goto(`${host.origin}/#/projects/${project.id}/confounders`);
  await expect(page.getByTestId('confounder-form').getByLabel('Candidate').locator('option')).toContainText(['effective parameters on train (p_train, telescoping lens)']);
});
