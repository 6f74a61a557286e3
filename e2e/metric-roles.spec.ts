import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { type Page } from '@playwright/test';
import { contentHash } from '../services/content-hash';
import { expect, test, type Host } from './host';

const STEPS = [0, 10, 20, 100, 500, 600];
const WIDTHS = [8, 16, 32];
/** Final test accuracy per width: the test error peaks at width 16. */
const FINAL_TEST_ACC: Record<number, number> = { 8: 0.93, 16: 0.7, 32: 0.97 };

/**
 * A finished run as a script elsewhere logs it: its own metric names and a {width, seed} config.
 * Train accuracy reaches 1 at step 20, test accuracy 0.9 at step 500: a grokking delay of 480.
 */
function loggedRun(width: number, seed: number) {
  const now = '2026-01-01T00:00:00.000Z';
  const testFinal = FINAL_TEST_ACC[width]! + seed * 0.01;
  const series = (name: string, values: number[]) => ({ name, steps: STEPS, values });
  return {
    id: randomUUID(),
    groupId: randomUUID(),
    experiment: 'my_script',
    preset: null,
    config: { width, seed, lr: 0.001 },
    seed,
    status: 'done',
    error: null,
    backend: null,
    gpu: null,
    backendDetail: null,
    appVersion: 'elsewhere',
    dataHash: null,
    stepsTotal: 600,
    stepsDone: 600,
    trainSeconds: null,
    wallSeconds: null,
    rerunOf: null,
    createdAt: now,
    startedAt: now,
    finishedAt: now,
    sweepId: null,
    sweepPoint: null,
    metrics: [
      series('train_acc', [0.1, 0.9, 1, 1, 1, 1]),
      series('test_acc', [0, 0, 0.01, 0.2, 0.95, testFinal]),
      series('train_loss', [1, 0.5, 0.05, 0.01, 0.001, 0.001]),
      series('test_loss', [1, 0.9, 0.8, 0.09, 0.02, 0.01]),
    ],
  };
}

/** A project whose runs name their metrics train_acc/test_acc/train_loss/test_loss, brought in as a bundle. */
async function importLoggedProject(host: Host): Promise<string> {
  const created = await host.op<{ id: string }>('projects:create', { title: 'Logged elsewhere', phenomenon: 'double-descent' });
  if (!created.body.ok) throw new Error(created.body.error.message);
  const exported = await host.op<{ data: string }>('bundles:export', { projectId: created.body.value.id });
  if (!exported.body.ok) throw new Error(exported.body.error.message);
  const doc = JSON.parse(gunzipSync(Buffer.from(exported.body.value.data, 'base64')).toString('utf8')) as { content: { runs: unknown[] }; contentHash: string };
  doc.content.runs = WIDTHS.flatMap((w) => [0, 1].map((seed) => loggedRun(w, seed)));
  doc.contentHash = contentHash(doc.content);
  const imported = await host.op<{ projectId: string }>('bundles:import', { data: Buffer.from(JSON.stringify(doc)).toString('base64') });
  if (!imported.body.ok) throw new Error(imported.body.error.message);
  await host.op('projects:delete', { id: created.body.value.id });
  return imported.body.value.projectId;
}

/** The Plotly traces drawn in the sweep chart, with their x values. */
const traces = (page: Page) =>
  page.getByTestId('sweep-chart').evaluate((el) => ((el as unknown as { data?: { name: string; x: number[] }[] }).data ?? []).map((t) => ({ name: t.name, x: t.x })));

test('runs logged under their own metric names: map the roles, see the grokking delay, treat them as a sweep over width', async ({ page, host }) => {
  test.setTimeout(120_000);
  const projectId = await importLoggedProject(host);
  const listed = await host.op<{ id: string; config: { width: number; seed: number } }[]>('runs:list', { projectId });
  if (!listed.body.ok) throw new Error(listed.body.error.message);
  const firstRun = listed.body.value.find((r) => r.config.width === 8 && r.config.seed === 0)!;

  await page.goto(host.url);
  // Before the roles are set the run page has no accuracy to read a delay from.
  await page.goto(`${host.origin}/#/runs/${firstRun.id}`);
  await expect(page.getByTestId('run-title')).toContainText('my_script');
  await expect(page.getByTestId('delay-accuracy')).toHaveCount(0);

  await page.goto(`${host.origin}/#/projects/${projectId}/runs`);
  await page.getByRole('button', { name: 'Metric roles' }).click();
  const dialog = page.getByRole('dialog', { name: 'Metric roles' });
  // The suggestion is pre-selected; the first role has the focus; Esc closes without saving.
  await expect(dialog.getByLabel('Train accuracy')).toHaveValue('train_acc');
  await expect(dialog.getByLabel('Train loss')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  const unsaved = await host.op<{ saved: object }>('metricRoles:get', { projectId });
  expect(unsaved.body.ok && unsaved.body.value.saved).toEqual({});

  await page.getByRole('button', { name: 'Metric roles' }).click();
  await expect(dialog.getByLabel('Test (or validation) accuracy')).toHaveValue('test_acc');
  await expect(dialog.getByLabel('Train loss')).toHaveValue('train_loss');
  await expect(dialog.getByLabel('Test (or validation) loss')).toHaveValue('test_loss');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toHaveCount(0);
  const saved = await host.op<{ saved: object }>('metricRoles:get', { projectId });
  expect(saved.body.ok && saved.body.value.saved).toEqual({ trainAcc: 'train_acc', testAcc: 'test_acc', trainLoss: 'train_loss', testLoss: 'test_loss' });

  await page.goto(`${host.origin}/#/runs/${firstRun.id}`);
  await expect(page.getByTestId('delay-accuracy')).toHaveText('480 steps (20 → 500)');
  // The facts read the final values through the roles too.
  await expect(page.locator('dt', { hasText: 'Train / test accuracy' }).locator('xpath=following-sibling::dd[1]')).toHaveText('1 / 0.930');

  await page.goto(`${host.origin}/#/projects/${projectId}/runs`);
  const boxes = page.getByTestId('runs-table').getByRole('checkbox');
  await expect(boxes).toHaveCount(6);
  for (const box of await boxes.all()) await box.check();
  await page.getByRole('button', { name: 'Treat as sweep…' }).click();
  const adopt = page.getByRole('dialog', { name: 'Treat 6 runs as a sweep' });
  // Only the field that differs (seed aside) is offered.
  await expect(adopt.getByLabel('Sweep over').locator('option')).toHaveText(['width']);
  await expect(adopt.getByTestId('adopt-preview')).toContainText('3 values of width (8, 16, 32), up to 2 runs each');
  await adopt.getByRole('button', { name: 'Create sweep' }).click();

  await expect(page).toHaveURL(/#\/sweeps\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('sweep-status')).toContainText('Finished · 6/6 runs');
  await expect(page.getByTestId('sweep-executor')).toContainText('Made of 6 existing runs over width');
  await expect.poll(async () => (await traces(page)).find((t) => t.name === 'test error')?.x).toEqual([8, 16, 32]);
  await expect(page.getByTestId('sweep-points').locator('tbody tr')).toHaveCount(3);
  await expect(page.getByTestId('sweep-measures')).toContainText('8 (width; train error 0 from here)');
  await expect(page.getByTestId('sweep-measures')).toContainText('at width 16');

  // Deleting it says the runs stay, and they do.
  await page.getByRole('button', { name: 'Delete' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete this sweep?' });
  await expect(confirm).toContainText('the runs and their metrics stay in the project');
  await confirm.getByRole('button', { name: 'Delete sweep, keep runs' }).click();
  await expect(page.getByTestId('runs-table').locator('tbody tr')).toHaveCount(6);
});
