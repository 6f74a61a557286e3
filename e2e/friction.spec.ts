// What a new researcher tripped over: Esc that left the project, a typo'd condition accepted
// without a word, cards wider than the window. Each is checked here in Chromium.
import { type Page } from '@playwright/test';
import { expect, test, type Host } from './host';

async function createProject(host: Host, phenomenon = 'grokking'): Promise<string> {
  const res = await host.op<{ id: string }>('projects:create', {
    title: 'Does weight decay cause grokking on modular addition?',
    phenomenon,
    question: 'Is weight decay necessary for delayed generalisation, or does it only shorten the delay?',
    tags: ['weight-decay', 'modular-arithmetic'],
  });
  if (!res.body.ok) throw new Error(res.body.error.message);
  return res.body.value.id;
}

async function openProject(page: Page, host: Host, projectId: string, tab = 'overview') {
  await page.goto(host.url);
  await page.goto(`${host.origin}/#/projects/${projectId}/${tab}`);
  await expect(page.getByTestId('project-title')).toBeVisible();
}

test('Esc closes the innermost thing — the preview, then the question — and never leaves the project', async ({ page, host }) => {
  const projectId = await createProject(host);
  await openProject(page, host, projectId, 'checklist');
  const projectUrl = page.url();
  const q = page.locator('[data-question="early.context.framing"]');
  await q.getByRole('button').first().click();
  await q.getByLabel('Answer (Markdown)').fill('Power et al. (2022) **framed** it as generalisation long after overfitting.');
  await expect(q.getByTestId('save-state')).toContainText('Saved');
  await q.getByRole('button', { name: 'Preview' }).click();
  await expect(q.locator('.answer-preview strong')).toHaveText('framed');

  await page.keyboard.press('Escape'); // closes the preview, back to the editor
  await expect(q.locator('.answer-preview')).toHaveCount(0);
  await expect(q.getByLabel('Answer (Markdown)')).toBeFocused();
  await expect(page).toHaveURL(projectUrl);

  await page.keyboard.press('Escape'); // closes the question
  await expect(q.getByLabel('Answer (Markdown)')).toHaveCount(0);
  await page.keyboard.press('Escape'); // nothing left open: nothing happens
  await expect(page).toHaveURL(projectUrl);
  await expect(page.getByTestId('project-title')).toBeVisible();

  // Nor on the other tabs.
  await page.keyboard.press('3');
  await expect(page).toHaveURL(/\/runs$/);
  await page.locator('body').press('Escape');
  await expect(page).toHaveURL(/\/runs$/);
});

test("a typo'd condition key is warned about while writing (with the closest field) and at Lock", async ({ page, host }) => {
  const projectId = await createProject(host);
  await openProject(page, host, projectId, 'hypotheses');
  await page.keyboard.press('h');
  const form = page.getByTestId('hypothesis-form');
  await form.getByLabel('Statement').fill('Without weight decay the network memorises and does not generalise within 3000 steps.');
  await form.getByLabel('Broad theory (paper §3.2)').fill('Weight-norm dynamics explain delayed generalisation (Omnigrok)');
  await form.getByLabel('Threshold').fill('0.2');
  await form.getByRole('button', { name: "+ condition on the run's config" }).click();
  await form.getByLabel('Config field').fill('weight_decay');
  await form.getByLabel('Config value').fill('0');
  const warning = form.getByTestId('condition-warning');
  await expect(warning).toContainText('has a config field “weight_decay” — did you mean “weightDecay”?');
  await form.getByLabel('Statement').press('Control+Enter');

  // Saved as written (a warning, not a refusal); the card and the Lock dialog say it.
  const card = page.getByTestId('hypothesis');
  await expect(card.getByTestId('condition-warnings')).toContainText('did you mean “weightDecay”?');
  await card.getByRole('button', { name: 'Lock…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Lock this hypothesis?' });
  await expect(dialog.getByTestId('lock-warning')).toContainText('No run could test this condition as written');
  await expect(dialog.getByTestId('lock-warning')).toContainText('“weight_decay”');
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // Fixing it with the suggestion clears the warning; Lock then reads as usual.
  await card.getByRole('button', { name: 'Edit' }).click();
  await form.getByRole('button', { name: 'Use “weightDecay”' }).click();
  await expect(form.getByLabel('Config field')).toHaveValue('weightDecay');
  await expect(warning).toHaveCount(0);
  await form.getByLabel('Statement').press('Control+Enter');
  await expect(card.getByTestId('condition-warnings')).toHaveCount(0);
  await card.getByRole('button', { name: 'Lock…' }).click();
  await expect(dialog.getByTestId('lock-warning')).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Lock (preregister)' }).click();
  await expect(card.getByTestId('lock-line')).toContainText('Locked');
});

/** Every card, and the page itself, fits its width: nothing scrolls sideways. */
async function overflows(page: Page): Promise<string[]> {
  type Box = { scrollWidth: number; clientWidth: number; className: string; tagName: string };
  const page_ = await page.locator('html').evaluate((el) => {
    const b = el as unknown as Box;
    return b.scrollWidth > b.clientWidth ? [`page ${b.scrollWidth} > ${b.clientWidth}`] : [];
  });
  const cards = await page.locator('.card').evaluateAll((els) =>
    els
      .map((el) => el as unknown as Box)
      .filter((b) => b.scrollWidth > b.clientWidth)
      .map((b) => `${b.tagName.toLowerCase()}.${b.className.replace(/ /g, '.')} ${b.scrollWidth} > ${b.clientWidth}`),
  );
  return [...page_, ...cards];
}

test('no page scrolls sideways, and no card is wider than itself, at 1280×800 and 1024×768', async ({ page, host }) => {
  test.setTimeout(240_000);
  const projectId = await createProject(host);
  const done = await host.op<{ id: string }[]>('runs:start', { projectId, experiment: 'grokking-mlp', config: { steps: 60, evalEvery: 10, weightDecay: 0 }, seeds: 2 });
  const sweep = await host.op<{ id: string }>('sweeps:start', {
    projectId,
    experiment: 'double-descent',
    preset: 'cheap',
    config: { steps: 40, evalEvery: 20 },
    grid: [{ key: 'width', values: [4, 16] }],
    seeds: 1,
  });
  if (!done.body.ok || !sweep.body.ok) throw new Error('could not start the runs');
  await host.op('hypotheses:create', {
    projectId,
    statement: 'Without weight decay the network memorises and never generalises within 3000 steps.',
    theory: 'Weight-norm dynamics explain delayed generalisation (Omnigrok)',
    relation: 'refines',
    predictions: [{ metric: 'testAcc', at: { kind: 'step', step: 3000 }, when: [{ field: 'weightDecay', op: '=', value: 0 }], comparison: '<', threshold: 0.2 }],
  });
  await expect
    .poll(async () => {
      const r = await host.op<{ status: string }[]>('runs:list', { projectId });
      return r.body.ok ? r.body.value.filter((x) => x.status === 'done').length : 0;
    }, { timeout: 180_000, intervals: [2000] })
    .toBe(4);
  // One run left training, so the runs table shows its progress bar, ETA and Cancel.
  await host.op('settings:update', { parallelRuns: 1 });
  const long = await host.op<{ id: string }[]>('runs:start', { projectId, experiment: 'grokking-mlp', config: { steps: 200_000, evalEvery: 1000 } });
  if (!long.body.ok) throw new Error('could not start the long run');
  const runIds = done.body.value.map((r) => r.id);

  const routes = [
    '/',
    ...['overview', 'checklist', 'runs', 'hypotheses', 'notes', 'confounders', 'plots'].map((t) => `/projects/${projectId}/${t}`),
    `/runs/${runIds[0]}`,
    `/sweeps/${sweep.body.value.id}`,
    `/compare/${runIds.join(',')}`,
  ];
  await page.goto(host.url);
  for (const [width, height] of [[1280, 800], [1024, 768]] as const) {
    await page.setViewportSize({ width, height });
    for (const route of routes) {
      await page.goto(`${host.origin}/#${route}`);
      await expect(page.locator('.page').first()).toBeVisible();
      await expect(page.getByText('Loading…')).toHaveCount(0);
      if (/^\/(runs|sweeps|compare)\//.test(route)) await expect(page.locator('.js-plotly-plot .main-svg').first()).toBeVisible();
      expect(await overflows(page), `${route} at ${width}×${height}`).toEqual([]);
      if (process.env.PHENOBOOK_LAYOUT_SHOTS) await page.screenshot({ path: `${process.env.PHENOBOOK_LAYOUT_SHOTS}/${width}${route.replace(/[/,]/g, '_').slice(0, 40)}.png` });
      if (route.startsWith('/sweeps/')) {
        // The chart toolbar stays on one line: Export PNG does not wrap below the selects.
        const top = async (name: string) => (await page.getByRole('button', { name }).boundingBox())!.y;
        expect(await top('Export PNG')).toBe(await top('Export SVG'));
        expect(await top('Export PNG')).toBe(await top('Save as figure'));
      }
    }
    // Re-run and Cancel stay inside the runs card, before and after a cancel.
    await page.goto(`${host.origin}/#/projects/${projectId}/runs`);
    await expect(page.getByRole('button', { name: /^Re-run seed/ }).first()).toBeInViewport();
    await expect(page.getByTestId('run-progress').first()).toBeVisible();
    expect(await overflows(page), `runs with one training at ${width}×${height}`).toEqual([]);
  }
  // Chart axes fit the data: a 60-step run's log x axis ends near step 60 (not 1M), and the loss
  // axis names the run's own loss.
  type Plot = { _fullLayout: { xaxis: { range: [number, number] }; yaxis: { title: { text: string } } } };
  await page.goto(`${host.origin}/#/runs/${runIds[0]}`);
  const accuracy = page.getByTestId('chart-accuracy');
  await expect(accuracy.locator('.main-svg').first()).toBeVisible();
  await expect
    .poll(() => accuracy.evaluate((el) => 10 ** (el as unknown as Plot)._fullLayout.xaxis.range[1]))
    .toBeLessThan(100);
  expect(await page.getByTestId('chart-loss').evaluate((el) => (el as unknown as Plot)._fullLayout.yaxis.title.text)).toBe('MSE loss');

  await page.goto(`${host.origin}/#/projects/${projectId}/runs`);
  // The ETA follows from the rate beside it (or says "estimating…" before a few steps are measured).
  const progressText = page.locator(`tr[data-run-id="${long.body.value[0]!.id}"] .progress-text`);
  await expect(progressText).toContainText(/estimating…|ETA/);
  await expect(progressText).toContainText('ETA', { timeout: 30_000 });
  const text = (await progressText.textContent())!.replace(/\s+/g, ' ');
  const m = text.match(/([\d,]+) \/ ([\d,]+) · ([\d.]+) steps\/s · ETA (?:(\d+) h )?(?:(\d+) min ?)?(?:([\d.]+) s)?/)!;
  expect(m, text).not.toBeNull();
  const [step, total, rate] = [m[1]!, m[2]!, m[3]!].map((v) => Number(v.replace(/,/g, '')));
  const eta = Number(m[4] ?? 0) * 3600 + Number(m[5] ?? 0) * 60 + Number(m[6] ?? 0);
  expect(Math.abs(eta - (total! - step!) / rate!) / eta, text).toBeLessThan(0.03);

  await page.getByRole('button', { name: 'Cancel run seed 0' }).click();
  await expect(page.locator(`tr[data-run-id="${long.body.value[0]!.id}"]`)).toContainText('Cancelled');
  expect(await overflows(page), 'runs after Cancel').toEqual([]);
  // The overview's checklist card shows its counts in full.
  await page.goto(`${host.origin}/#/projects/${projectId}`);
  await expect(page.getByTestId('dash-phase-early')).toHaveText('0/8');
  await expect(page.getByTestId('dash-phase-early')).toBeInViewport({ ratio: 1 });
});

test("the start dialog names every invalid field at once, sweep values by value, and a preset's own grid fills the sweep", async ({ page, host }) => {
  const projectId = await createProject(host, 'double-descent');
  await openProject(page, host, projectId, 'runs');
  await page.keyboard.press('r');
  const dialog = page.getByRole('dialog', { name: 'Start a run' });
  await dialog.getByLabel('Experiment').selectOption('double-descent');
  await dialog.getByLabel('Preset').selectOption('cheap');
  // The cheap preset's 14 widths fill the sweep field.
  await expect(dialog.getByLabel('Sweep over')).toHaveValue('width');
  await expect(dialog.getByLabel('Sweep values')).toHaveValue('2, 4, 6, 8, 10, 12, 14, 16, 20, 24, 32, 48, 64, 96');

  await dialog.getByLabel('Seeds').fill('two');
  await dialog.getByLabel('lr', { exact: true }).fill('fast');
  await dialog.getByLabel('Sweep values').fill('8, 12.5, 16');
  await dialog.getByRole('button', { name: 'Start sweep' }).click();
  await expect(dialog.locator('.field-error')).toHaveText([
    'seeds must be an integer',
    "width: '12.5' must be an integer from 1 to 4096",
    'lr must be a number greater than 0 and at most 10',
  ]);
  await expect(dialog.getByLabel('Seeds')).toBeFocused();
  // The dialog, errors and all, fits the smaller window without scrolling sideways.
  await page.setViewportSize({ width: 1024, height: 768 });
  const box = await dialog.evaluate((el) => ({ scroll: (el as unknown as { scrollWidth: number }).scrollWidth, client: (el as unknown as { clientWidth: number }).clientWidth }));
  expect(box.scroll).toBeLessThanOrEqual(box.client);
  const sweeps = await host.op<unknown[]>('sweeps:list', { projectId });
  expect(sweeps.body.ok && sweeps.body.value).toEqual([]);
});

test('a tab showing "Open Phenobook from its link" takes a pasted link in place, without a reload by hand', async ({ page, host }) => {
  await page.goto(`${host.origin}/`);
  await expect(page.getByTestId('access-needed')).toBeVisible();
  // Pasting the printed link into the same tab only changes the hash: a same-document navigation.
  await page.goto(host.url);
  await expect(page.getByTestId('access-needed')).toHaveCount(0);
  await expect(page.getByRole('searchbox', { name: 'Search projects' })).toBeVisible();
  await expect(page).toHaveURL(`${host.origin}/#/`);
});
