// A training script outside Phenobook under `phenobook log`, while the app is open on its project:
// the run appears without a reload, its chart grows while it runs, and it ends Done; a second run
// whose script is killed mid-run ends Failed with the reason and keeps its metrics. The CLI is
// another process on the same data folder, as in a researcher's terminal.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, ROOT, test, type Host } from './host';
import { logCommand, lossPoints, ok, runNamed, runRow, runStatus, watchLossGrowWhileRunning, type LoggedRun as RunSummary } from './logged-runs';

const SCRIPT = path.join(ROOT, 'docs', 'examples', 'log_metrics.py');

/** `phenobook log … -- python3 log_metrics.py POINTS INTERVAL` on the host's data folder. */
const logScript = (host: Host, projectId: string, name: string, points: number, interval: number) =>
  logCommand(host, projectId, name, ['python3', SCRIPT, String(points), String(interval)]);

test('a script under phenobook log shows up live in the open app, then ends Done; a killed one ends Failed with its metrics', async ({ page, host }) => {
  test.setTimeout(150_000);
  const project = await ok<{ id: string }>(host, 'projects:create', { title: 'Scripts from the terminal', phenomenon: 'grokking' });
  await page.goto(host.url);
  await page.getByTestId('project-list').getByRole('link').filter({ hasText: 'Scripts from the terminal' }).click();
  await page.getByRole('navigation', { name: 'Project sections' }).getByRole('link', { name: /^Runs/ }).click();
  await expect(page.getByRole('heading', { name: 'Runs', level: 2 })).toBeVisible();

  // 1. 40 points, a quarter second apart: ~10 s of "training".
  const first = logScript(host, project.id, 'lr0.01', 40, 0.25);
  const run = await runNamed(host, project.id, 'lr0.01');
  expect(run.source).toBe('script');
  expect(run.origin).toContain('log_metrics.py 40 0.25');
  // The runs table of the open page lists it without a reload, with its badge.
  const row = runRow(page, run.id);
  await expect(row).toBeVisible({ timeout: 5_000 });
  await expect(row.getByTestId('run-source-badge')).toHaveText('script');
  await row.getByRole('link', { name: 'lr0.01' }).click();
  await expect(page.getByTestId('run-origin')).toContainText('log_metrics.py');

  // The loss chart gains points at least twice while the status still says Running.
  const seen = await watchLossGrowWhileRunning(page, 30_000);
  test.info().annotations.push({ type: 'loss chart points while running', description: seen.join(' → ') });

  await expect(runStatus(page)).toHaveText('Done', { timeout: 30_000 });
  expect(await first.exited, first.output().stderr).toBe(0);
  if (process.env.PHENOBOOK_SCREENSHOTS === '1') {
    await page.screenshot({ path: path.join(ROOT, 'docs', 'screenshots', 'logged-run.png'), animations: 'disabled', caret: 'hide', fullPage: true });
  }
  // Every point is stored and drawn; the script's own lines reached the terminal unchanged.
  await expect.poll(() => lossPoints(page)).toEqual([40, 40]);
  expect(first.output().stdout).toBe('training started\ntraining finished\n');
  await expect(page.getByTestId('run-backend')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Re-run' })).toHaveCount(0);

  // 2. The same script, killed (SIGKILL) once it has logged a few points.
  await page.getByRole('link', { name: '← Project' }).click();
  const second = logScript(host, project.id, 'killed', 200, 0.1);
  const victim = await runNamed(host, project.id, 'killed');
  await expect(runRow(page, victim.id)).toBeVisible({ timeout: 5_000 });
  await expect.poll(async () => (await ok<RunSummary>(host, 'runs:get', { id: victim.id })).stepsDone, { timeout: 30_000 }).toBeGreaterThanOrEqual(50);
  const python = execFileSync('pgrep', ['-P', String(second.child.pid), 'python3'], { encoding: 'utf8' }).trim();
  process.kill(Number(python), 'SIGKILL');
  expect(await second.exited).toBe(137);

  await runRow(page, victim.id).getByRole('link', { name: 'killed' }).click();
  await expect(runStatus(page)).toHaveText('Failed', { timeout: 10_000 });
  await expect(page.getByTestId('run-error')).toHaveText('Killed by SIGKILL');
  const kept = await ok<RunSummary>(host, 'runs:get', { id: victim.id });
  expect(kept.stepsDone).toBeGreaterThanOrEqual(50);
  await expect.poll(async () => (await lossPoints(page))[0] ?? 0).toBe(kept.stepsDone / 10 + 1);
});

test('the compare page of a run being logged starts on a metric it records and keeps drawing while it runs', async ({ page, host }) => {
  test.setTimeout(90_000);
  const project = await ok<{ id: string }>(host, 'projects:create', { title: 'Compare while logging', phenomenon: 'grokking' });
  // 30 points, 0.4 s apart: ~12 s of "training".
  const logged = logScript(host, project.id, 'live', 30, 0.4);
  const run = await runNamed(host, project.id, 'live');
  await page.goto(host.url);
  await page.goto(`${host.origin}/#/compare/${run.id}`);
  await expect(page.getByLabel('Metric')).toHaveValue('test_acc');
  const points = () =>
    page.getByTestId('compare-chart').evaluate((el) => ((el as unknown as { data?: { x: unknown[] }[] }).data ?? []).map((t) => t.x.length)[0] ?? 0);
  const seen: number[] = [];
  await expect
    .poll(
      async () => {
        const [n, stored] = await Promise.all([points().catch(() => 0), ok<RunSummary>(host, 'runs:get', { id: run.id })]);
        if (stored.status === 'running' && n > (seen.at(-1) ?? 0)) seen.push(n);
        return seen.length;
      },
      { message: 'compare chart point counts seen while the run records', intervals: [250], timeout: 30_000 },
    )
    .toBeGreaterThanOrEqual(3);
  expect(await logged.exited).toBe(0);
  await expect.poll(points).toBe(30);
});
