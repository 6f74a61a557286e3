// A real PyTorch training run, started in a terminal under `phenobook log`, judged by a hypothesis
// locked before it ran: the run shows up live in the open app and ends Done, the locked prediction
// on the name the script prints (`trainAcc`) is decided from its stored metrics, and a second run
// killed mid-run ends Failed with the reason and keeps what it logged. Needs Debian's PyTorch
// (`/usr/bin/python3 -c 'import torch'`; CI installs python3-torch).
import { type Page } from '@playwright/test';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, ROOT, test, type Host } from './host';
import { logCommand, lossPoints, ok, runNamed, runRow, runStatus, watchLossGrowWhileRunning, type LoggedRun as RunSummary } from './logged-runs';

const SCRIPT = path.join(ROOT, 'bench', 'grokking_torch.py');
const PYTHON = '/usr/bin/python3';
const torchMissing = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0;

/**
 * `phenobook log … -- /usr/bin/python3 bench/grokking_torch.py --jsonl …` on the host's data folder,
 * as from a terminal. A 0.6 s pause after each of the 13 evaluations keeps the run going for at
 * least 8 s however fast the machine trains, so the page can see its chart grow while it runs.
 */
const logTorch = (host: Host, projectId: string, name: string, steps: number) =>
  logCommand(host, projectId, name, [PYTHON, SCRIPT, '--jsonl', '--steps', String(steps), '--eval-every', '5', '--eval-sleep', '0.6']);

const section = (page: Page, name: RegExp) => page.getByRole('navigation', { name: 'Project sections' }).getByRole('link', { name });

test('a PyTorch run under phenobook log is judged by a hypothesis locked before it ran; a killed one ends Failed with its metrics', async ({ page, host }) => {
  test.skip(torchMissing, `${PYTHON} cannot import torch: install python3-torch (Debian) to run the PyTorch run`);
  test.setTimeout(300_000);
  const project = await ok<{ id: string }>(host, 'projects:create', { title: 'Grokking in PyTorch', phenomenon: 'grokking' });
  await ok(host, 'hypotheses:create', {
    projectId: project.id,
    statement: 'The modular-addition MLP memorises its training set within 60 steps.',
    theory: 'Memorisation precedes generalisation in grokking',
    relation: 'refines',
    predictions: [{ metric: 'trainAcc', at: { kind: 'final' }, comparison: '>=', threshold: 0.9 }],
  });

  // 1. Lock it in the app, before any run exists.
  await page.goto(host.url);
  await page.getByTestId('project-list').getByRole('link').filter({ hasText: 'Grokking in PyTorch' }).click();
  await section(page, /^Hypotheses/).click();
  const card = page.getByTestId('hypothesis');
  await expect(card).toHaveCount(1);
  await expect(card).toContainText('train accuracy at the end of the run ≥ 0.9');
  await card.getByRole('button', { name: 'Lock…' }).click();
  await page.getByRole('dialog', { name: 'Lock this hypothesis?' }).getByRole('button', { name: 'Lock (preregister)' }).click();
  await expect(card.getByTestId('lock-line')).toContainText('Locked');

  // 2. The PyTorch script trains in a terminal while the app is open on the project's runs.
  await section(page, /^Runs/).click();
  await expect(page.getByRole('heading', { name: 'Runs', level: 2 })).toBeVisible();
  const first = logTorch(host, project.id, 'torch-grokking', 60);
  const run = await runNamed(host, project.id, 'torch-grokking');
  expect(run.source).toBe('script');
  expect(run.origin).toContain('grokking_torch.py --jsonl --steps 60');
  const row = runRow(page, run.id);
  await expect(row).toBeVisible({ timeout: 10_000 });
  await expect(row.getByTestId('run-source-badge')).toHaveText('script');
  await row.getByRole('link', { name: 'torch-grokking' }).click();

  // Its loss chart grows at least twice while it is still Running.
  const seen = await watchLossGrowWhileRunning(page, 90_000);
  test.info().annotations.push({ type: 'loss chart points while running', description: seen.join(' → ') });
  await expect(runStatus(page)).toHaveText('Done', { timeout: 90_000 });
  expect(await first.exited, first.output().stderr).toBe(0);
  const done = await ok<RunSummary>(host, 'runs:get', { id: run.id });
  expect(done.stepsDone).toBe(60);
  // The script's `{"config": …}` line became the run's config, PyTorch's version included.
  expect(done.config).toMatchObject({ steps: 60, eval_every: 5, weight_decay: 1 });
  expect(String(done.config.framework)).toMatch(/^torch /);

  // 3. Link it to the locked hypothesis: the card decides the prediction from the stored metrics.
  await page.getByRole('link', { name: '← Project' }).click();
  await section(page, /^Hypotheses/).click();
  await card.getByRole('button', { name: 'Link runs…' }).click();
  const picker = page.getByTestId('evidence-picker');
  await picker.locator('label', { hasText: 'torch-grokking' }).getByRole('checkbox').check();
  await picker.getByRole('button', { name: 'Done' }).click();
  const verdict = card.locator(`[data-testid="verdict-row"][data-run="${run.id}"]`).first();
  await expect(verdict).toHaveAttribute('data-verdict', 'supported');
  await expect(verdict).toContainText(/Supported: train accuracy at the end of the run = (1|0\.9\d*) \(step 60\) ≥ 0\.9/);
  await expect(card.getByTestId('verdict-tally')).toContainText('1 supported');
  await expect(card.getByTestId('lock-line')).toContainText('Locked');
  await expect(card.getByTestId('condition-warning')).toHaveCount(0);

  // 4. A second run, its python process killed (SIGKILL) once it has logged a few evaluations.
  await section(page, /^Runs/).click();
  const second = logTorch(host, project.id, 'torch-killed', 5000);
  const victim = await runNamed(host, project.id, 'torch-killed');
  await expect(runRow(page, victim.id)).toBeVisible({ timeout: 10_000 });
  await expect.poll(async () => (await ok<RunSummary>(host, 'runs:get', { id: victim.id })).stepsDone, { timeout: 90_000 }).toBeGreaterThanOrEqual(15);
  const python = execFileSync('pgrep', ['-P', String(second.child.pid), 'python3'], { encoding: 'utf8' }).trim();
  process.kill(Number(python), 'SIGKILL');
  expect(await second.exited).toBe(137);

  await runRow(page, victim.id).getByRole('link', { name: 'torch-killed' }).click();
  await expect(runStatus(page)).toHaveText('Failed', { timeout: 15_000 });
  await expect(page.getByTestId('run-error')).toHaveText('Killed by SIGKILL');
  const kept = await ok<RunSummary>(host, 'runs:get', { id: victim.id });
  expect(kept.stepsDone).toBeGreaterThanOrEqual(15);
  const stored = await ok<{ name: string; stored: number }[]>(host, 'runs:metrics', { id: victim.id, names: ['trainAcc', 'testAcc'] });
  // One evaluation every 5 steps from step 0: every one it printed is kept.
  expect(stored.map((s) => s.stored)).toEqual([kept.stepsDone / 5 + 1, kept.stepsDone / 5 + 1]);
  await expect.poll(async () => (await lossPoints(page))[0] ?? 0).toBe(kept.stepsDone / 5 + 1);
});
