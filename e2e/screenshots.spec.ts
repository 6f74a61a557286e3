// Regenerates the README screenshots from the real UI: PHENOBOOK_SCREENSHOTS=1 npx playwright test screenshots
// Without that variable the test is skipped, so an ordinary run never rewrites docs/.
import fs from 'node:fs';
import path from 'node:path';
import { expect, ROOT, test } from './host';

const OUT = path.join(ROOT, 'docs', 'screenshots');

const PROJECTS = [
  {
    title: 'Lottery tickets at initialisation in small CNNs',
    phenomenon: 'lottery-ticket',
    question:
      'Do winning tickets found by iterative magnitude pruning on CIFAR-10 still train to full accuracy when rewound to step 0 rather than an early iterate?',
    tags: ['pruning', 'cifar-10', 'rewinding'],
  },
  {
    title: 'Epoch-wise double descent on MNIST-1D with label noise',
    phenomenon: 'double-descent',
    question:
      'Does the test-error peak move with the label-noise rate, and does it sit where the model first interpolates the noisy training set?',
    tags: ['mnist-1d', 'label-noise', 'model-width'],
  },
  {
    title: 'Is grokking just slingshot dynamics in disguise?',
    phenomenon: 'grokking',
    question: 'Do the loss spikes seen with Adam precede each jump in test accuracy, or are they incidental?',
    tags: ['adam', 'optimizer'],
    archived: true,
  },
  {
    title: 'Does weight decay cause grokking on modular addition?',
    phenomenon: 'grokking',
    question:
      'On (a + b) mod 97 with a one-layer transformer, is weight decay necessary for delayed generalisation, or does it only shorten the delay?',
    tags: ['modular-arithmetic', 'weight-decay', 'transformer'],
  },
] as const;

test.use({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', deviceScaleFactor: 1 });

test('README screenshots', async ({ page, host }) => {
  test.setTimeout(180_000);
  test.skip(process.env.PHENOBOOK_SCREENSHOTS !== '1', 'set PHENOBOOK_SCREENSHOTS=1 to regenerate docs/screenshots');
  fs.mkdirSync(OUT, { recursive: true });

  let featured = '';
  for (const { archived, ...fields } of PROJECTS.map((p) => ({ archived: false, ...p }))) {
    const res = await host.op<{ id: string }>('projects:create', fields);
    if (!res.body.ok) throw new Error(res.body.error.message);
    if (archived) await host.op('projects:setArchived', { id: res.body.value.id, archived: true });
    if (fields.phenomenon === 'grokking' && !archived) featured = res.body.value.id;
  }

  await page.goto(host.url);
  await page.getByRole('group', { name: 'Show' }).getByRole('button', { name: 'All', exact: true }).click();
  await expect(page.getByTestId('project-list').getByRole('link')).toHaveCount(PROJECTS.length);
  await page.screenshot({ path: path.join(OUT, 'project-list.png'), animations: 'disabled', caret: 'hide' });

  await page.goto(`${host.origin}/#/projects/${featured}`);
  await expect(page.getByTestId('project-title')).toHaveText('Does weight decay cause grokking on modular addition?');
  await page.screenshot({ path: path.join(OUT, 'project-page.png'), animations: 'disabled', caret: 'hide' });

  // A finished grokking run (two seeds) for the runs table and the run page.
  const started = await host.op<{ id: string }[]>('runs:start', {
    projectId: featured,
    experiment: 'grokking-mlp',
    config: { steps: 1000 },
    seeds: 2,
  });
  if (!started.body.ok) throw new Error(started.body.error.message);
  const runId = started.body.value[0]!.id;
  await expect
    .poll(async () => {
      const r = await host.op<{ status: string }[]>('runs:list', { projectId: featured });
      return r.body.ok ? r.body.value.map((x) => x.status).join(',') : '';
    }, { timeout: 120_000 })
    .toBe('done,done');
  await page.reload();
  await expect(page.getByTestId('runs-table')).toBeVisible();
  await page.screenshot({ path: path.join(OUT, 'project-page.png'), animations: 'disabled', caret: 'hide', fullPage: true });
  await page.goto(`${host.origin}/#/runs/${runId}`);
  await expect
    .poll(() => page.getByTestId('chart-accuracy').evaluate((el) => (el as unknown as { data?: { x: number[] }[] }).data?.[0]?.x.length ?? 0))
    .toBeGreaterThan(100);
  await page.screenshot({ path: path.join(OUT, 'run-page.png'), animations: 'disabled', caret: 'hide', fullPage: true });

  await page.goto(`${host.origin}/#/projects/${featured}`);
  await page.getByRole('link', { name: '← Projects' }).click();
  await expect(page.getByRole('heading', { name: 'Projects', level: 1 })).toBeVisible();
  await page.keyboard.press('n');
  const dialog = page.getByRole('dialog', { name: 'New project' });
  await expect(dialog.getByLabel('Title')).toBeFocused();
  await page.keyboard.type('Does grokking need a small training fraction?');
  await page.screenshot({ path: path.join(OUT, 'new-project.png'), animations: 'disabled', caret: 'hide' });
});
