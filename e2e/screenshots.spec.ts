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
  test.setTimeout(1_200_000);
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

  // Two real runs of the featured question: with and without weight decay (p 59, fraction 0.3).
  const runIds: string[] = [];
  for (const weightDecay of [1, 0]) {
    const started = await host.op<{ id: string }[]>('runs:start', {
      projectId: featured,
      experiment: 'grokking-mlp',
      config: { weightDecay, steps: 3000 },
    });
    if (!started.body.ok) throw new Error(started.body.error.message);
    runIds.push(started.body.value[0]!.id);
  }
  const op = async <T>(name: string, input: unknown): Promise<T> => {
    const r = await host.op<T>(name, input);
    if (!r.body.ok) throw new Error(`${name}: ${r.body.error.message}`);
    return r.body.value;
  };
  const answers: [string, string, string][] = [
    ['early.context.framing', 'answered', 'Power et al. (2022): generalisation long **after** the training set is fit, on small algorithmic data sets.'],
    ['early.context.observed', 'answered', 'Gromov (2023) sees it in a two-layer MLP on modular addition; Liu et al. (2023) on MNIST with large initialisation.'],
    ['early.value.edge-case', 'answered', 'An edge case of weight-norm dynamics: useful only if it tells us something about ordinary training.'],
    ['throughout.method.hypothesis', 'answered', 'Preregistered: without weight decay, no generalisation within 3,000 steps (see the hypothesis).'],
    ['throughout.utility.confounders', 'in-progress', 'Weight norm is the obvious confounder. Controls so far: weight decay on/off at the same seed.'],
  ];
  for (const [questionKey, status, markdown] of answers) await op('checklist:answer', { projectId: featured, questionKey, status, markdown });
  const note = await op<{ id: string }>('notes:create', {
    projectId: featured,
    title: 'No weight decay: memorisation only',
    tags: ['negative result', 'weight decay'],
    body: [
      'With `weightDecay = 0` the MLP fits the 1,044 training pairs within ~25 steps and then **stays at chance** on the test pairs.',
      '',
      '- train accuracy 1.0 from step ~25',
      '- test accuracy ≈ 0.03 at step 3,000',
      '',
      '> Negative results are results: this is the control the paper asks for.',
    ].join('\n'),
    runIds: [runIds[1]],
  });
  const hypothesis = await op<{ id: string }>('hypotheses:create', {
    projectId: featured,
    statement: 'Weight decay is necessary for delayed generalisation here: without it the network memorises and never generalises within 3,000 steps.',
    theory: 'Weight-norm dynamics explain delayed generalisation (Omnigrok, Liu et al. 2023)',
    relation: 'refines',
    predictions: [
      { metric: 'testAcc', at: { kind: 'step', step: 3000 }, when: [{ field: 'weightDecay', op: '=', value: 0 }], comparison: '<', threshold: 0.2 },
      { metric: 'trainAcc', at: { kind: 'max' }, comparison: '>=', threshold: 0.99 },
    ],
  });
  await op('hypotheses:lock', { id: hypothesis.id });
  for (const [kind, targetId] of [['note', note.id], ['hypothesis', hypothesis.id], ['run', runIds[1]]] as const) {
    await op('evidence:link', { projectId: featured, questionKey: 'throughout.utility.confounders', kind, targetId, linked: true });
  }
  await expect
    .poll(async () => (await op<{ status: string }[]>('runs:list', { projectId: featured })).map((x) => x.status).join(','), { timeout: 240_000 })
    .toBe('done,done');
  for (const runId of runIds) await op('hypotheses:linkRun', { id: hypothesis.id, runId, linked: true });

  await page.goto(`${host.origin}/#/projects/${featured}`);
  await expect(page.getByTestId('dashboard')).toContainText('No weight decay: memorisation only');
  await page.screenshot({ path: path.join(OUT, 'project-page.png'), animations: 'disabled', caret: 'hide', fullPage: true });

  await page.goto(`${host.origin}/#/projects/${featured}/checklist/throughout.utility.confounders`);
  await expect(page.getByTestId('evidence-throughout.utility.confounders')).toContainText('note: No weight decay');
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.screenshot({ path: path.join(OUT, 'checklist-guide.png'), animations: 'disabled', caret: 'hide', fullPage: true });

  await page.goto(`${host.origin}/#/projects/${featured}/hypotheses/${hypothesis.id}`);
  await expect(page.locator('[data-testid="verdict-row"][data-verdict="supported"]').first()).toBeVisible();
  await page.screenshot({ path: path.join(OUT, 'hypothesis-verdicts.png'), animations: 'disabled', caret: 'hide', fullPage: true });

  await page.goto(`${host.origin}/#/projects/${featured}/notes/${note.id}`);
  await expect(page.locator('.note-preview strong')).toHaveText('stays at chance');
  await page.screenshot({ path: path.join(OUT, 'notes.png'), animations: 'disabled', caret: 'hide' });

  await page.goto(`${host.origin}/#/projects/${featured}/runs`);
  await expect(page.getByTestId('runs-table')).toBeVisible();
  await page.screenshot({ path: path.join(OUT, 'runs.png'), animations: 'disabled', caret: 'hide' });
  await page.goto(`${host.origin}/#/runs/${runIds[0]}`);
  await expect
    .poll(() => page.getByTestId('chart-accuracy').evaluate((el) => (el as unknown as { data?: { x: number[] }[] }).data?.[0]?.x.length ?? 0))
    .toBeGreaterThan(100);
  await page.screenshot({ path: path.join(OUT, 'run-page.png'), animations: 'disabled', caret: 'hide', fullPage: true });

  // A cheap double-descent sweep for the sweep page.
  const projects = await op<{ id: string; phenomenon: string }[]>('projects:list', { filter: 'all' });
  const ddProject = projects.find((p) => p.phenomenon === 'double-descent')!.id;
  const sweep = await op<{ id: string }>('sweeps:start', {
    projectId: ddProject,
    experiment: 'double-descent',
    preset: 'cheap',
    grid: [{ key: 'width', values: [4, 8, 12, 16, 24, 32, 64, 96] }],
    seeds: 2,
  });
  await expect
    .poll(async () => (await op<{ status: string }>('sweeps:get', { id: sweep.id })).status, { timeout: 300_000, intervals: [3000] })
    .toBe('done');
  await page.goto(`${host.origin}/#/sweeps/${sweep.id}`);
  await expect(page.getByTestId('sweep-status')).toContainText('Finished');
  await page.waitForTimeout(1000);
  await page.screenshot({ path: path.join(OUT, 'sweep.png'), animations: 'disabled', caret: 'hide', fullPage: true });

  await op('confounders:run', { projectId: ddProject, sweepId: sweep.id, controls: ['logL2', 'logParameters'] });
  await page.goto(`${host.origin}/#/projects/${ddProject}/confounders`);
  await expect(page.getByTestId('confounder-verdict')).toContainText('Conclusion');
  await page.waitForTimeout(1000);
  await page.screenshot({ path: path.join(OUT, 'confounder-lab.png'), animations: 'disabled', caret: 'hide', fullPage: true });

  // A run of the telescoping preset: effective parameters and approximation errors over steps.
  const [probed] = await op<{ id: string }[]>('runs:start', { projectId: ddProject, experiment: 'double-descent', preset: 'telescoping', config: { steps: 2000, evalEvery: 50 } });
  await expect.poll(async () => (await op<{ status: string }>('runs:get', { id: probed!.id })).status, { timeout: 120_000, intervals: [2000] }).toBe('done');
  await page.goto(`${host.origin}/#/runs/${probed!.id}`);
  await expect(page.getByTestId('chart-effective')).toBeVisible();
  await page.waitForTimeout(1500);
  await page.screenshot({ path: path.join(OUT, 'telescoping-run.png'), animations: 'disabled', caret: 'hide', fullPage: true });

  // Grokking through the lens: the quadratic net on y = ½(βᵀx)², p_train and p_test over steps.
  const [lens] = await op<{ id: string }[]>('runs:start', { projectId: ddProject, experiment: 'telescoping-grokking', config: { steps: 3000, evalEvery: 100 } });
  await expect.poll(async () => (await op<{ status: string }>('runs:get', { id: lens!.id })).status, { timeout: 300_000, intervals: [3000] }).toBe('done');
  await page.goto(`${host.origin}/#/runs/${lens!.id}`);
  await expect(page.getByTestId('chart-effective')).toBeVisible();
  await page.waitForTimeout(1500);
  await page.screenshot({ path: path.join(OUT, 'telescoping-grokking-run.png'), animations: 'disabled', caret: 'hide', fullPage: true });

  // The approximation figure: the preset's sweep over the step size, one seed each.
  const approx = await op<{ id: string }>('sweeps:start', { projectId: ddProject, experiment: 'double-descent', preset: 'telescoping-approximation', grid: [{ key: 'lr', values: [0.001, 0.003, 0.01, 0.03] }], seeds: 1 });
  await expect.poll(async () => (await op<{ status: string }>('sweeps:get', { id: approx.id })).status, { timeout: 400_000, intervals: [3000] }).toBe('done');
  await page.goto(`${host.origin}/#/sweeps/${approx.id}`);
  await expect(page.getByTestId('sweep-status')).toContainText('Finished');
  await page.getByLabel('Metric').selectOption('approximation');
  await page.waitForTimeout(1500);
  await page.screenshot({ path: path.join(OUT, 'telescoping-approximation-sweep.png'), animations: 'disabled', caret: 'hide', fullPage: true });

  await page.goto(`${host.origin}/#/projects/${featured}`);
  await page.getByRole('link', { name: '← Projects' }).click();
  await expect(page.getByRole('heading', { name: 'Projects', level: 1 })).toBeVisible();
  await page.keyboard.press('n');
  const dialog = page.getByRole('dialog', { name: 'New project' });
  await expect(dialog.getByLabel('Title')).toBeFocused();
  await page.keyboard.type('Does grokking need a small training fraction?');
  await page.screenshot({ path: path.join(OUT, 'new-project.png'), animations: 'disabled', caret: 'hide' });
});
