// Runs imported from elsewhere as evidence in the app: the confounder lab tests a recorded metric
// against a recorded outcome over all finished runs of their experiment (final values), without
// offering the controls those runs cannot supply; the hypothesis form offers their metric names
// and config keys, and suggests the real name for a typo of either.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, ROOT, test, type Host } from './host';

const BIN = path.join(ROOT, 'bin', 'phenobook.js');

async function ok<T>(host: Host, name: string, input?: unknown): Promise<T> {
  const res = await host.op<T>(name, input);
  if (!res.body.ok) throw new Error(`${name}: ${res.status} ${JSON.stringify(res.body.error)}`);
  return res.body.value;
}

/** Six saved logs in a folder `wd-sweep` (their experiment), imported with `phenobook import` as a researcher would. */
function importSweep(host: Host, projectId: string): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-evidence-'));
  const folder = path.join(dir, 'wd-sweep');
  fs.mkdirSync(folder);
  // grad_norm ranks 1..6; val_loss swaps each neighbouring pair: Spearman r = 1 − 6·6 / (6·35) = 0.83.
  const valLoss = [0.2, 0.1, 0.4, 0.3, 0.6, 0.5];
  try {
    valLoss.forEach((v, i) => {
      const lines = [
        { config: { weight_decay: i / 5, seed: i } },
        { step: 0, grad_norm: 10, val_loss: 9 },
        { step: 100, grad_norm: i + 1, val_loss: v },
      ];
      const file = path.join(folder, `wd${i}.jsonl`);
      fs.writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      execFileSync(process.execPath, [BIN, 'import', file, '--project', projectId, '--data-dir', host.dataDir], { cwd: ROOT, stdio: 'pipe' });
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('imported runs: a confounder test on their recorded metrics, and a hypothesis on their names and config keys', async ({ page, host }) => {
  test.setTimeout(120_000);
  const project = await ok<{ id: string }>(host, 'projects:create', { title: 'Imported sweep', phenomenon: 'other' });
  importSweep(host, project.id);
  expect(await ok<string[]>(host, 'runs:metricNames', { projectId: project.id })).toEqual(['grad_norm', 'val_loss']);

  await page.goto(host.url);
  await page.getByTestId('project-list').getByRole('link').filter({ hasText: 'Imported sweep' }).click();
  const section = (name: RegExp) => page.getByRole('navigation', { name: 'Project sections' }).getByRole('link', { name });

  // 1. The confounder lab on all finished wd-sweep runs, final value per run.
  await section(/^Confounders/).click();
  const form = page.getByTestId('confounder-form');
  await form.getByLabel('Observations').selectOption({ label: 'All finished wd-sweep runs (final values per run)' });
  await form.getByLabel('Outcome').selectOption('val_loss');
  await form.getByLabel('Candidate').selectOption('metric:grad_norm');
  // No L2 norm, no parameter count, no tail count recorded: those controls are not offered.
  for (const name of [/log L2 norm/, /log parameter count/, /tail count/]) await expect(form.getByRole('checkbox', { name })).toBeDisabled();
  await expect(form).toContainText('not recorded by these runs');
  await form.getByRole('button', { name: 'Run the test' }).click();
  const test1 = page.getByTestId('confounder-test');
  await expect(test1).toHaveCount(1, { timeout: 60_000 });
  await expect(test1.locator('h3')).toHaveText('grad_norm vs val_loss — 6 runs (final values)');
  await expect(test1.getByTestId('confounder-verdict')).toContainText('The grad_norm tracks val_loss (Spearman r = 0.83');
  await expect(test1).toContainText('6 runs from 6 seeds');

  // 2. A hypothesis on their metric and config key: offered, and typos get the real names.
  await section(/^Hypotheses/).click();
  await page.keyboard.press('h');
  const h = page.getByTestId('hypothesis-form');
  await h.getByLabel('Statement').fill('Stronger weight decay keeps the validation loss low.');
  await h.getByLabel('Broad theory (paper §3.2)').fill('Weight-norm dynamics explain generalisation');
  await h.getByLabel('Metric', { exact: true }).selectOption('another name…');
  await h.getByLabel('Metric name').fill('val_los');
  await h.getByLabel('Read the metric').selectOption('final');
  await h.getByLabel('Threshold').fill('0.45');
  const warning = h.getByTestId('condition-warning');
  await expect(warning).toContainText('No run of this project records the metric “val_los” — did you mean “val_loss”?');
  await warning.getByRole('button', { name: 'Use “val_loss”' }).click();
  await expect(h.getByLabel('Metric', { exact: true })).toHaveValue('val_loss');
  await h.getByRole('button', { name: "+ condition on the run's config" }).click();
  await h.getByLabel('Config field').fill('weight_decy');
  await h.getByLabel('Condition', { exact: true }).selectOption('>=');
  await h.getByLabel('Config value').fill('0.5');
  await expect(warning).toContainText('did you mean “weight_decay”?');
  await warning.getByRole('button', { name: 'Use “weight_decay”' }).click();
  await expect(h.getByLabel('Config field')).toHaveValue('weight_decay');
  await expect(warning).toHaveCount(0);
  await expect(h).toContainText('Reads: with weight_decay ≥ 0.5, val_loss at the end of the run < 0.45');
  await h.getByRole('button', { name: /^Save/ }).click();
  const card = page.getByTestId('hypothesis');
  await expect(card).toContainText('with weight_decay ≥ 0.5, val_loss at the end of the run < 0.45');
  await expect(card.getByTestId('condition-warning')).toHaveCount(0);
});
