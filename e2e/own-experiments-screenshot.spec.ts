// Regenerates docs/screenshots/own-experiments.png (README "Your own experiments"): the start form
// listing one of the researcher's experiments and one file that does not load.
// PHENOBOOK_SCREENSHOTS=1 npx playwright test own-experiments-screenshot — skipped otherwise.
import fs from 'node:fs';
import path from 'node:path';
import { expect, ROOT, test } from './host';

test.use({ viewport: { width: 1280, height: 900 }, colorScheme: 'light', deviceScaleFactor: 1 });

test('screenshot: own experiments in the start form', async ({ page, dataDir, launchHost }) => {
  test.skip(process.env.PHENOBOOK_SCREENSHOTS !== '1', 'set PHENOBOOK_SCREENSHOTS=1 to regenerate the screenshot');
  const dir = path.join(dataDir, 'experiments');
  fs.mkdirSync(dir);
  fs.copyFileSync(path.join(ROOT, 'docs', 'examples', 'experiments', 'mnist1d-cnn.ts'), path.join(dir, 'mnist1d-cnn.ts'));
  const broken = fs.readFileSync(path.join(ROOT, 'docs', 'examples', 'experiments', 'modular-subtraction-grokking.ts'), 'utf8').replace("key: 'modular-subtraction-grokking',", "key: 'modular-subtraction-grokking'");
  fs.writeFileSync(path.join(dir, 'modular-subtraction-grokking.ts'), broken);
  const host = await launchHost();
  const res = await host.op<{ id: string }>('projects:create', { title: 'Convolutions on MNIST-1D', phenomenon: 'other' });
  if (!res.body.ok) throw new Error('project not created');
  await page.goto(host.url);
  await page.getByTestId('project-list').getByRole('link').filter({ hasText: 'Convolutions on MNIST-1D' }).click();
  await page.getByRole('navigation', { name: 'Project sections' }).getByRole('link', { name: /^Runs/ }).click();
  await page.keyboard.press('r');
  const dialog = page.getByRole('dialog', { name: 'Start a run' });
  await expect(dialog.getByRole('status', { name: 'Experiment files that do not load' })).toBeVisible({ timeout: 30_000 });
  await dialog.getByLabel('Experiment', { exact: true }).selectOption({ label: 'MNIST-1D: a small 1-D CNN (Layers API) — yours' });
  await expect(dialog.getByText('Your experiment, from')).toBeVisible();
  await dialog.screenshot({ path: path.join(ROOT, 'docs', 'screenshots', 'own-experiments.png'), animations: 'disabled', caret: 'hide' });
});
