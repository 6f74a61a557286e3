import fs from 'node:fs';
import { type Page } from '@playwright/test';
import { expect, test, type Host } from './host';

async function createProject(host: Host, title: string): Promise<string> {
  const res = await host.op<{ id: string }>('projects:create', { title, phenomenon: 'grokking' });
  if (!res.body.ok) throw new Error(res.body.error.message);
  return res.body.value.id;
}

async function open(page: Page, host: Host, hashPath: string): Promise<void> {
  await page.goto(host.url);
  await page.goto(`${host.origin}/#${hashPath}`);
  await expect(page.getByTestId('project-title')).toBeVisible();
}

/** Every dialog the page opens (alert, confirm, prompt) — a sanitiser failure shows up here. */
function recordDialogs(page: Page): string[] {
  const seen: string[] = [];
  page.on('dialog', (d) => {
    seen.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  return seen;
}

test('a note with script payloads renders as inert Markdown in Chromium', async ({ page, host }) => {
  const dialogs = recordDialogs(page);
  const projectId = await createProject(host, 'Sanitiser probe');
  await open(page, host, `/projects/${projectId}/notes`);
  await page.keyboard.press('n');
  await expect(page.getByLabel('Note title')).toBeFocused();
  await page.getByLabel('Note title').fill('Payloads');
  const body = [
    '**bold** and a [web link](https://example.org)',
    '<img src=x onerror=alert(1)>',
    '[markdown link](javascript:alert(2))',
    '<a href="javascript:alert(3)">raw link</a>',
    '<script>alert(4)</script>',
    '<svg onload=alert(5)><circle r=4 /></svg>',
    '<iframe src="javascript:alert(6)"></iframe>',
    '<a href="JaVaScRiPt:alert(7)" onclick="alert(8)">mixed case</a>',
  ].join('\n\n');
  await page.getByLabel('Note (Markdown)').fill(body);
  await expect(page.getByTestId('note-save-state')).toContainText('Saved');
  await page.getByRole('tab', { name: 'Preview' }).click();

  const preview = page.locator('.note-preview [data-testid="markdown"]');
  await expect(preview.locator('strong')).toHaveText('bold');
  await expect(preview.locator('a[href="https://example.org"]')).toHaveAttribute('rel', 'noopener noreferrer');
  // The image survives without its handler; scripts, iframes and handlers are gone.
  await expect(preview.locator('img')).toHaveCount(1);
  const dangerous = await preview.evaluate((root) => {
    const all = [...root.querySelectorAll('*')];
    return {
      handlers: all.flatMap((el) => [...el.attributes].filter((a) => a.name.startsWith('on')).map((a) => `${el.tagName}.${a.name}`)),
      scriptLinks: all.filter((el) => /^\s*javascript:/i.test(el.getAttribute('href') ?? el.getAttribute('src') ?? '')).length,
      tags: all.filter((el) => ['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED'].includes(el.tagName)).length,
    };
  });
  expect(dangerous).toEqual({ handlers: [], scriptLinks: 0, tags: 0 });
  // Clicking the defused links does nothing; reloading renders the stored note again.
  for (const name of ['markdown link', 'raw link', 'mixed case']) await preview.getByText(name).click();
  await page.reload();
  await expect(page.locator('.note-preview [data-testid="markdown"] strong')).toHaveText('bold');
  await page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
  expect(dialogs).toEqual([]);
});

test('hypothesis: invalid input is refused, lock, link wd=0 and wd=1 runs, verdicts with values, amendment keeps the original', async ({ page, host }) => {
  test.setTimeout(300_000);
  const projectId = await createProject(host, 'Weight decay and grokking');
  // Two real grokking-mlp runs train while the hypothesis is written (p = 59, fraction 0.3).
  const runIds: Record<string, string> = {};
  for (const weightDecay of [0, 1]) {
    const r = await host.op<{ id: string }[]>('runs:start', {
      projectId,
      experiment: 'grokking-mlp',
      config: { p: 59, trainFraction: 0.3, weightDecay, steps: 3000 },
    });
    if (!r.body.ok) throw new Error(r.body.error.message);
    runIds[`wd${weightDecay}`] = r.body.value[0]!.id;
  }

  // Bad input over HTTP: a clear message and nothing written.
  const bad = await host.op('hypotheses:create', {
    projectId,
    statement: 'x',
    theory: 'y',
    relation: 'refines',
    predictions: [{ metric: '__proto__', at: { kind: 'step', step: 3000 }, comparison: '<', threshold: 0.2 }],
  });
  expect(bad.status).toBe(400);
  expect(JSON.stringify(bad.body)).toContain('Metric must be a metric name (not __proto__');

  await open(page, host, `/projects/${projectId}/hypotheses`);
  await expect(page.getByText('No hypotheses yet.')).toBeVisible();
  await page.keyboard.press('h');
  const form = page.getByTestId('hypothesis-form');
  await expect(form.getByLabel('Statement')).toBeFocused();

  // Empty statement and a threshold that is not a number: named at the fields, nothing saved.
  await form.getByLabel('Broad theory (paper §3.2)').fill('Weight-norm dynamics explain delayed generalisation (Omnigrok)');
  await form.getByLabel('Threshold').fill('low');
  await form.getByRole('button', { name: /^Save/ }).click();
  await expect(form).toContainText('Statement is required');
  await expect(form).toContainText('Threshold must be a number');
  const none = await host.op<unknown[]>('hypotheses:list', { projectId });
  expect(none.body.ok && none.body.value).toEqual([]);

  await form.getByLabel('Statement').fill('Without weight decay the network memorises and does not generalise within 3000 steps.');
  await form.getByLabel('Threshold').fill('0.2');
  await form.getByRole('button', { name: '+ condition on the run\'s config' }).click();
  await form.getByLabel('Config field').fill('weightDecay');
  await form.getByLabel('Config value').fill('0');
  await expect(form).toContainText('Reads: with weightDecay = 0, test accuracy at step 3000 < 0.2');
  await form.getByLabel('Statement').press('Control+Enter');

  const card = page.getByTestId('hypothesis');
  await expect(card).toHaveCount(1);
  await expect(card.getByTestId('lock-line')).toContainText('Draft');
  await card.getByRole('button', { name: 'Lock…' }).click();
  await page.getByRole('dialog', { name: 'Lock this hypothesis?' }).getByRole('button', { name: 'Lock (preregister)' }).click();
  await expect(card.getByTestId('lock-line')).toContainText('Locked');
  const hash = await card.getByTestId('lock-hash').getAttribute('title');
  expect(hash).toMatch(/^[0-9a-f]{64} /);

  // Wait for both runs to finish training, then link them from the card.
  await expect
    .poll(async () => {
      const r = await host.op<{ status: string }[]>('runs:list', { projectId });
      return r.body.ok ? r.body.value.map((x) => x.status).sort().join(',') : '';
    }, { timeout: 240_000, intervals: [2000] })
    .toBe('done,done');
  await card.getByRole('button', { name: 'Link runs…' }).click();
  const picker = page.getByTestId('evidence-picker');
  for (const id of Object.values(runIds)) {
    await picker.locator('label', { hasText: id.slice(0, 8) }).getByRole('checkbox').check();
    await expect(picker.locator('label', { hasText: id.slice(0, 8) }).getByRole('checkbox')).toBeChecked();
  }
  await picker.getByRole('button', { name: 'Done' }).click();

  const row = (id: string) => card.locator(`[data-testid="verdict-row"][data-run="${id}"]`).first();
  await expect(row(runIds.wd0!)).toHaveAttribute('data-verdict', 'supported');
  await expect(row(runIds.wd0!)).toContainText(/Supported: test accuracy at step 3000 = 0\.0\d+ < 0\.2/);
  await expect(row(runIds.wd1!)).toHaveAttribute('data-verdict', 'refuted');
  await expect(row(runIds.wd1!)).toContainText(/Refuted: test accuracy at step 3000 = (1|0\.9\d+), not < 0\.2/);
  await expect(row(runIds.wd1!)).toContainText('outside condition');
  await expect(card).toContainText('1 supported');
  await expect(card.getByTestId('verdict-tally')).toContainText('0 refuted');
  await expect(card.getByTestId('verdict-tally')).toContainText('1 outside the condition');

  // Editing after lock is an amendment: a reason is required, the locked text and hash stay.
  await card.getByRole('button', { name: 'Amend' }).click();
  const amend = page.getByTestId('hypothesis-form');
  await amend.getByLabel('Statement').fill('Without weight decay the network memorises for at least 3000 steps.');
  await amend.getByRole('button', { name: /^Save amendment/ }).click();
  await expect(amend).toContainText('Say why you amend a locked hypothesis');
  await amend.getByLabel('Why amend it?').fill('Sharper wording; same prediction.');
  await amend.getByRole('button', { name: /^Save amendment/ }).click();
  await expect(card.locator('.hypothesis-statement')).toHaveText('Without weight decay the network memorises for at least 3000 steps.');
  await expect(card.getByTestId('lock-hash')).toHaveAttribute('title', hash!);
  await card.getByText('As originally locked, and the amendments').click();
  await expect(card.locator('.original-statement')).toContainText('does not generalise within 3000 steps');
  await expect(card).toContainText('Sharper wording; same prediction.');

  const stored = await host.op<{ statement: string; lock: { hash: string; intact: boolean }; amendments: unknown[] }[]>('hypotheses:list', { projectId });
  if (!stored.body.ok) throw new Error('list failed');
  expect(stored.body.value[0]).toMatchObject({
    statement: 'Without weight decay the network memorises and does not generalise within 3000 steps.',
    lock: { hash: hash!.split(' ')[0], intact: true },
  });
  expect(stored.body.value[0]!.amendments).toHaveLength(1);
});

test('notes cite into the checklist, search finds notes and answers, the dashboard and Markdown export show it all', async ({ page, host }) => {
  const projectId = await createProject(host, 'Notebook tour');
  await open(page, host, `/projects/${projectId}/notes/new`);
  await page.getByLabel('Note title').fill('Memorisation without weight decay');
  await page.getByLabel('Tags').fill('negative result, wd');
  await page.getByLabel('Note (Markdown)').fill('Test accuracy stays at chance: the network *memorises* the training pairs.');
  await expect(page.getByTestId('note-save-state')).toContainText('Saved');
  await expect(page).toHaveURL(/\/notes\/[0-9a-f-]{36}$/);
  await page.getByLabel('Cite this note in a checklist question').selectOption('throughout.utility.confounders');
  await expect(page.locator('.note-links')).toContainText('Have I controlled for confounding factors');

  // The question shows the note as evidence; its answer is searchable next to the note.
  await page.getByRole('link', { name: /Have I controlled for confounding factors/ }).click();
  const q = page.locator('[data-question="throughout.utility.confounders"]');
  await expect(q.getByTestId('evidence-throughout.utility.confounders')).toContainText('note: Memorisation without weight decay');
  await q.getByLabel('Answer (Markdown)').fill('Weight norm is the confounder; the memorising run is the control.');
  await expect(q.getByTestId('save-state')).toContainText('Saved');

  await page.keyboard.press('Escape');
  await page.locator('body').press('/');
  await expect(page.locator('#notebook-search')).toBeFocused();
  await page.keyboard.type('memoris');
  const results = page.getByTestId('search-results');
  await expect(results.getByRole('option')).toHaveCount(2);
  await expect(results.locator('mark').first()).toHaveText(/memoris/i);
  await results.getByRole('option', { name: /Note/ }).click();
  await expect(page.getByLabel('Note title')).toHaveValue('Memorisation without weight decay');

  // Overview: checklist progress and the note at a glance.
  await page.keyboard.press('1');
  await expect(page.getByTestId('dashboard')).toContainText('Memorisation without weight decay');
  await expect(page.getByTestId('dash-phase-throughout')).toHaveText('0/8');

  const download = page.waitForEvent('download');
  await page.getByText('Export ▾').click();
  await page.getByRole('menuitem', { name: /^Markdown/ }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('notebook-tour-notebook.md');
  const markdown = fs.readFileSync((await file.path())!, 'utf8');
  expect(markdown).toContain('# Notebook tour');
  expect(markdown).toContain('> Weight norm is the confounder; the memorising run is the control.');
  expect(markdown).toContain('- note: Memorisation without weight decay (negative result, wd)');
  expect(markdown).toContain('### Memorisation without weight decay');
});
