// The Runs tab's Import dialog (issue 16): a TensorBoard log folder on the host is looked at (a
// summary of its runs, nothing written), imported, and its runs appear in the runs table with their
// source badge and open with their charts. The same folder again shows every run as already
// imported, with nothing to import. At 1024×768, without horizontal scroll.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, ROOT, test } from './host';

const FIXTURE = path.join(ROOT, 'services', 'importers', 'fixtures', 'tensorboard');
const RUN_NAMES = ['tbwriter-run', 'tbx-hparams', 'tbx-run', 'torch-hparams', 'torch-run'];

test.use({ viewport: { width: 1024, height: 768 }, colorScheme: 'light', deviceScaleFactor: 1 });

test('import a TensorBoard folder from the Runs tab: look, import, see the runs; again, all already imported', async ({ page, host }) => {
  test.setTimeout(120_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-e2e-import-'));
  const logs = path.join(tmp, 'tb-logs');
  fs.cpSync(FIXTURE, logs, { recursive: true });
  try {
    const created = await host.op<{ id: string }>('projects:create', { title: 'Runs from TensorBoard', phenomenon: 'grokking' });
    if (!created.body.ok) throw new Error(created.body.error.message);
    await page.goto(host.url);
    await page.goto(`${host.origin}/#/projects/${created.body.value.id}`);
    await page.getByRole('navigation', { name: 'Project sections' }).getByRole('link', { name: /^Runs/ }).click();
    await page.getByRole('button', { name: 'Import runs…' }).click();

    const dialog = page.getByRole('dialog', { name: 'Import runs' });
    await expect(dialog).toBeVisible();
    const field = dialog.getByLabel('Path');
    await expect(field).toBeFocused();
    await expect(dialog.getByText('a path on the machine Phenobook runs on', { exact: false })).toBeVisible();

    // A relative path is refused inline, and the field keeps what was typed.
    await field.fill('tb-logs');
    await field.press('Enter');
    await expect(dialog.getByRole('alert')).toContainText('absolute');
    await expect(field).toHaveValue('tb-logs');

    // A malformed file is refused inline with its file and line.
    const bad = path.join(tmp, 'bad.csv');
    fs.writeFileSync(bad, 'step,acc\n0,0.1\n1,high\n');
    await field.fill(bad);
    await dialog.getByRole('button', { name: 'Look' }).click();
    await expect(dialog.getByRole('alert')).toContainText(`${bad}:3`);
    await expect(field).toHaveValue(bad);
    await expect(field).toBeFocused();

    // Enter in the field looks.
    await field.fill(logs);
    await field.press('Enter');
    const summary = dialog.getByTestId('import-summary');
    await expect(summary).toBeVisible();
    await expect(dialog.getByRole('alert')).toHaveCount(0);
    for (const name of RUN_NAMES) await expect(summary.locator(`tr[data-run-name="${name}"]`)).toBeVisible();
    const tbx = summary.locator('tr[data-run-name="tbx-run"]');
    await expect(tbx).toContainText('tb-logs');
    await expect(tbx).toContainText('12');
    await expect(tbx).toContainText('acc/test');
    await expect(summary.locator('tr[data-run-name="torch-hparams"]')).toContainText('optimizer=adam');
    await expect(dialog.getByText(/What the reader left out/)).toBeVisible();
    // Nothing was written by looking.
    const before = await host.op<unknown[]>('runs:list', { projectId: created.body.value.id });
    expect(before.body.ok && before.body.value).toEqual([]);

    // It fits 1024×768 without horizontal scroll.
    expect(await dialog.evaluate((el) => el.scrollWidth - el.clientWidth)).toBe(0);
    expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBe(0);
    if (process.env.PHENOBOOK_SCREENSHOTS === '1') {
      await page.screenshot({ path: path.join(ROOT, 'docs', 'screenshots', 'import-dialog.png'), animations: 'disabled', caret: 'hide' });
    }

    await dialog.getByRole('button', { name: 'Import 5 runs' }).click();
    await expect(dialog).toBeHidden({ timeout: 30_000 });
    await expect(page.getByText('Imported 5 runs (0 skipped)')).toBeVisible();

    // The runs table lists them, each with its source badge.
    const table = page.getByTestId('runs-table');
    for (const name of RUN_NAMES) {
      const row = table.locator('tr', { has: page.getByRole('link', { name, exact: true }) });
      await expect(row).toBeVisible();
      await expect(row.getByTestId('run-source-badge')).toHaveAttribute('data-source', 'tensorboard');
    }

    // One opens with its chart: the four points of each loss series.
    await table.getByRole('link', { name: 'tbx-run', exact: true }).click();
    await expect(page.getByTestId('run-origin')).toContainText('tb-logs');
    const chart = page.locator('[data-testid^="chart-"]').first();
    await expect(chart).toBeVisible();
    await expect
      .poll(() => chart.evaluate((el) => ((el as unknown as { data?: { x: unknown[] }[] }).data ?? []).map((t) => t.x.length)))
      .toContain(4);

    // The same folder again: every run already imported, unticked, and nothing to import.
    await page.getByRole('link', { name: '← Project' }).click();
    await page.getByRole('button', { name: 'Import runs…' }).click();
    await dialog.getByLabel('Path').fill(logs);
    await dialog.getByRole('button', { name: 'Look' }).click();
    await expect(summary).toBeVisible();
    await expect(summary.getByText('already imported')).toHaveCount(5);
    for (const box of await summary.getByRole('checkbox').all()) {
      await expect(box).not.toBeChecked();
      await expect(box).toBeDisabled();
    }
    await expect(dialog.getByRole('button', { name: 'Import 0 runs' })).toBeDisabled();
    // Esc closes.
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    const after = await host.op<unknown[]>('runs:list', { projectId: created.body.value.id });
    expect(after.body.ok && after.body.value).toHaveLength(5);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
