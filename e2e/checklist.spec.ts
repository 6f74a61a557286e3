import { type Page } from '@playwright/test';
import { expect, test, type Host } from './host';

async function openProject(page: Page, host: Host): Promise<string> {
  const res = await host.op<{ id: string }>('projects:create', { title: 'Checklist walk', phenomenon: 'grokking' });
  if (!res.body.ok) throw new Error(res.body.error.message);
  await page.goto(host.url);
  await page.goto(`${host.origin}/#/projects/${res.body.value.id}/checklist`);
  await expect(page.getByTestId('checklist')).toBeVisible();
  return res.body.value.id;
}

const question = (page: Page, key: string) => page.locator(`[data-question="${key}"]`);

/** Opens a question, types an answer and waits until the autosave confirms it. */
async function answer(page: Page, key: string, text: string, status?: string) {
  const q = question(page, key);
  if ((await q.getByRole('button').first().getAttribute('aria-expanded')) !== 'true') await q.getByRole('button').first().click();
  if (status) await q.getByLabel('Status').selectOption({ label: status });
  await q.getByLabel('Answer (Markdown)').fill(text);
  await expect(q.getByTestId('save-state')).toContainText('Saved');
}

test('answer questions across two phases, mark one not applicable, see progress, reload, read the history', async ({ page, host }) => {
  await openProject(page, host);
  const checklist = page.getByTestId('checklist');
  await expect(checklist.getByRole('heading', { name: /Checklist · 0 of 25 done/ })).toBeVisible();
  await expect(checklist).toContainText('Jeffares & van der Schaar, ICML 2025, Table 1');

  // "Next open question" starts at the paper's first question.
  await checklist.getByRole('button', { name: 'Next open question' }).click();
  await expect(question(page, 'early.context.framing').getByLabel('Answer (Markdown)')).toBeFocused();
  await answer(page, 'early.context.framing', 'Power et al. (2022) framed it as generalisation beyond overfitting.', 'Answered');
  await answer(page, 'early.value.edge-case', 'An edge case: small algorithmic data sets.', 'Answered');
  // Typing into an open question moves it to "in progress" on its own.
  await answer(page, 'throughout.utility.predictions', 'Weight decay should shorten the delay.');
  await expect(page.getByTestId('status-throughout.utility.predictions')).toHaveText('In progress');

  // Not applicable needs a reason; without one nothing is saved and the editor says so.
  const hyp = question(page, 'throughout.method.hypothesis');
  await hyp.getByRole('button').first().click();
  await hyp.getByLabel('Status').selectOption({ label: 'Not applicable' });
  await expect(hyp.getByTestId('save-state')).toContainText('Say why the question does not apply');
  await hyp.getByLabel('Reason it does not apply').fill('Exploratory replication first');
  await expect(hyp.getByTestId('save-state')).toContainText('Saved');

  await expect(page.getByTestId('phase-progress-early')).toHaveText('2 / 8');
  await expect(page.getByTestId('phase-progress-throughout')).toHaveText('1 / 8');
  await expect(checklist.getByRole('heading', { name: /3 of 25 done/ })).toBeVisible();

  // A second edit of the same answer, then reload: everything is there.
  await answer(page, 'early.context.framing', 'Power et al. (2022): generalisation long after overfitting, on modular arithmetic.');
  await page.reload();
  await expect(page.getByTestId('phase-progress-early')).toHaveText('2 / 8');
  await expect(page.getByTestId('status-throughout.method.hypothesis')).toHaveText('Not applicable');
  await expect(page.getByTestId('status-early.value.edge-case')).toHaveText('Answered');
  const framing = question(page, 'early.context.framing');
  await framing.getByRole('button').first().click();
  await expect(framing.getByLabel('Answer (Markdown)')).toHaveValue(/on modular arithmetic/);
  await framing.getByRole('button', { name: 'History' }).click();
  await expect(framing.getByTestId('history')).toContainText('on modular arithmetic');

  // Alt+↓ moves to the next question; the gentle hint appears for a later phase, never a block.
  await framing.getByLabel('Answer (Markdown)').press('Alt+ArrowDown');
  await expect(question(page, 'early.context.observed').getByLabel('Answer (Markdown)')).toBeFocused();
  await question(page, 'concluding.cataloging.negative').getByRole('button').first().click();
  await expect(page.getByRole('note')).toContainText('Most early-stage questions are still open');
  await answer(page, 'concluding.cataloging.negative', 'Logged: wd=0 never generalised at fraction 0.3.');
  await expect(page.getByTestId('phase-progress-concluding')).toHaveText('0 / 9');
});

test('an answer over the length limit is refused with a message and not stored', async ({ page, host }) => {
  const projectId = await openProject(page, host);
  const res = await host.op('checklist:answer', {
    projectId,
    questionKey: 'early.context.framing',
    status: 'answered',
    markdown: 'x'.repeat(100_000),
  });
  expect(res.status).toBe(400);
  expect(JSON.stringify(res.body)).toContain('Answer must be at most 20000 characters');
  const state = await host.op<{ answers: unknown[] }>('checklist:get', { projectId });
  expect(state.body.ok && state.body.value.answers).toEqual([]);
});
