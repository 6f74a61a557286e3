import { type Page } from '@playwright/test';
import { expect, test, type Host } from './host';

interface ProjectFields {
  title: string;
  phenomenon?: 'grokking' | 'double-descent' | 'lottery-ticket' | 'other';
  question?: string;
  tags?: string[];
}

interface Project {
  id: string;
  title: string;
  archivedAt: string | null;
}

/** Creates a project over HTTP, for tests whose subject is not the create form. */
async function seed(host: Host, fields: ProjectFields): Promise<Project> {
  const res = await host.op<Project>('projects:create', { phenomenon: 'other', ...fields });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  if (!res.body.ok) throw new Error(res.body.error.message);
  return res.body.value;
}

async function allProjects(host: Host): Promise<Project[]> {
  const res = await host.op<Project[]>('projects:list', { filter: 'all' });
  if (!res.body.ok) throw new Error(res.body.error.message);
  return res.body.value;
}

/** Opens the app from the link the host printed and waits for the project list. */
async function openApp(page: Page, host: Host): Promise<void> {
  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'Projects', level: 1 })).toBeVisible();
}

const rows = (page: Page) => page.getByTestId('project-list').getByRole('link');
const rowTitles = (page: Page) => page.getByTestId('project-list').locator('.project-title');
const projectDialog = (page: Page, name: 'New project' | 'Edit project') => page.getByRole('dialog', { name });
/** The heading block of a project page: title, phenomenon badge and tags. */
const projectHeading = (page: Page) => page.getByTestId('project-title').locator('..');

async function fillProjectForm(
  page: Page,
  dialogName: 'New project' | 'Edit project',
  fields: { title?: string; phenomenonLabel?: string; question?: string; tags?: string },
): Promise<void> {
  const dialog = projectDialog(page, dialogName);
  if (fields.title !== undefined) await dialog.getByLabel('Title').fill(fields.title);
  if (fields.phenomenonLabel) {
    // The radio itself is visually hidden inside a card; a user clicks the card.
    await dialog.getByText(fields.phenomenonLabel, { exact: true }).click();
    await expect(dialog.getByRole('radio', { name: new RegExp(`^${fields.phenomenonLabel}`) })).toBeChecked();
  }
  if (fields.question !== undefined) await dialog.getByLabel(/Research question/).fill(fields.question);
  if (fields.tags !== undefined) await dialog.getByLabel(/^Tags/).fill(fields.tags);
}

test('a fresh data folder shows the empty state', async ({ page, host }) => {
  await openApp(page, host);
  const empty = page.getByTestId('projects-empty');
  await expect(empty).toBeVisible();
  await expect(empty.getByRole('heading', { name: 'No projects yet' })).toBeVisible();
  await expect(empty.getByRole('button', { name: 'Create your first project' })).toBeVisible();
  await expect(page.getByText('Browser mode', { exact: true })).toBeVisible();
  await expect(page.getByTitle(`Database: ${host.databasePath}`)).toBeVisible();
});

test('create a project with the New project button', async ({ page, host }) => {
  await openApp(page, host);
  await page.getByRole('button', { name: /^New project/ }).click();
  const dialog = projectDialog(page, 'New project');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Title')).toBeFocused();
  await fillProjectForm(page, 'New project', {
    title: 'Does weight decay cause grokking on modular addition?',
    phenomenonLabel: 'Grokking',
    question: 'Is weight decay necessary for delayed generalisation on (a + b) mod 97?',
    tags: 'a, b',
  });
  await dialog.getByRole('button', { name: 'Create project' }).click();

  await expect(dialog).toBeHidden();
  await expect(page).toHaveURL(/#\/projects\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('project-title')).toHaveText('Does weight decay cause grokking on modular addition?');
  const heading = projectHeading(page);
  await expect(heading.getByText('Grokking', { exact: true })).toBeVisible();
  await expect(heading.getByText('a', { exact: true })).toBeVisible();
  await expect(heading.getByText('b', { exact: true })).toBeVisible();
  await expect(page.getByText('Is weight decay necessary for delayed generalisation on (a + b) mod 97?')).toBeVisible();

  await page.getByRole('link', { name: '← Projects' }).click();
  await expect(rows(page)).toHaveCount(1);
  await expect(rowTitles(page)).toHaveText(['Does weight decay cause grokking on modular addition?']);
});

test('create a project with the N shortcut and Enter', async ({ page, host }) => {
  await openApp(page, host);
  await page.keyboard.press('n');
  const dialog = projectDialog(page, 'New project');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Title')).toBeFocused();
  await page.keyboard.type('Winning tickets in small CNNs');
  await fillProjectForm(page, 'New project', {
    phenomenonLabel: 'Lottery ticket',
    question: 'Do winning tickets found by iterative magnitude pruning survive rewinding to step 0?',
    tags: 'a, b',
  });
  await dialog.getByLabel(/^Tags/).press('Enter');

  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('project-title')).toHaveText('Winning tickets in small CNNs');
  const heading = projectHeading(page);
  await expect(heading.getByText('Lottery ticket', { exact: true })).toBeVisible();
  await expect(heading.getByText('a', { exact: true })).toBeVisible();
  await expect(heading.getByText('b', { exact: true })).toBeVisible();
  // Typing "n" in a field must not open another dialog; Escape never leaves the page, Backspace goes up.
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('project-title')).toBeVisible();
  await page.keyboard.press('Backspace');
  await expect(rowTitles(page)).toHaveText(['Winning tickets in small CNNs']);
});

test('an empty title shows an inline error and creates nothing', async ({ page, host }) => {
  await openApp(page, host);
  await page.keyboard.press('n');
  const dialog = projectDialog(page, 'New project');
  const title = dialog.getByLabel('Title');
  await fillProjectForm(page, 'New project', { phenomenonLabel: 'Double descent', tags: 'a, b' });
  await dialog.getByRole('button', { name: 'Create project' }).click();

  await expect(dialog.getByText('Title is required')).toBeVisible();
  await expect(title).toHaveAttribute('aria-invalid', 'true');
  await expect(title).toBeFocused();
  await expect(dialog).toBeVisible();

  // Blank is not a title either.
  await title.fill('    ');
  await dialog.getByRole('button', { name: 'Create project' }).click();
  await expect(dialog.getByText('Title is required')).toBeVisible();

  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('projects-empty')).toBeVisible();
  expect(await allProjects(host)).toEqual([]);
});

test('edit a project with the E shortcut and the Edit button', async ({ page, host }) => {
  await seed(host, { title: 'Double descent, first draft', phenomenon: 'double-descent', tags: ['mnist-1d'] });
  await openApp(page, host);
  // Keyboard only: ↓ focuses the first row, Enter opens it.
  await expect(rows(page)).toHaveCount(1);
  await page.keyboard.press('ArrowDown');
  await expect(rows(page).first()).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('project-title')).toHaveText('Double descent, first draft');

  await page.keyboard.press('e');
  const dialog = projectDialog(page, 'Edit project');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Title')).toHaveValue('Double descent, first draft');
  await expect(dialog.getByLabel(/^Tags/)).toHaveValue('mnist-1d');
  await fillProjectForm(page, 'Edit project', { title: 'Epoch-wise double descent under label noise' });
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('project-title')).toHaveText('Epoch-wise double descent under label noise');
  await expect(page.getByRole('status').getByText('Saved', { exact: true })).toBeVisible();

  await page.getByRole('button', { name: /^Edit/ }).click();
  await expect(dialog).toBeVisible();
  await fillProjectForm(page, 'Edit project', { question: 'Does the test-error peak move with the noise rate?' });
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText('Does the test-error peak move with the noise rate?')).toBeVisible();
  await expect(projectHeading(page).getByText('Double descent', { exact: true })).toBeVisible();

  await page.getByRole('link', { name: '← Projects' }).click();
  await expect(rowTitles(page)).toHaveText(['Epoch-wise double descent under label noise']);
});

test('search with / filters the list, and sorting by title orders it', async ({ page, host }) => {
  await seed(host, { title: 'Zeta: grokking with AdamW', phenomenon: 'grokking', tags: ['optimizer'] });
  await seed(host, {
    title: 'alpha: double descent in width',
    phenomenon: 'double-descent',
    question: 'Where is the interpolation threshold under label noise?',
  });
  await seed(host, { title: 'Mid: winning tickets at init', phenomenon: 'lottery-ticket', tags: ['pruning'] });
  await openApp(page, host);
  await expect(rows(page)).toHaveCount(3);

  const search = page.getByRole('searchbox', { name: 'Search projects' });
  await page.keyboard.press('/');
  await expect(search).toBeFocused();
  await page.keyboard.type('pruning'); // a tag
  await expect(rowTitles(page)).toHaveText(['Mid: winning tickets at init']);
  await page.keyboard.press('Escape');
  await expect(search).toHaveValue('');
  await expect(rows(page)).toHaveCount(3);

  await search.fill('label noise'); // the research question
  await expect(rowTitles(page)).toHaveText(['alpha: double descent in width']);
  await search.fill('ALPHA'); // the title, case-insensitively
  await expect(rowTitles(page)).toHaveText(['alpha: double descent in width']);
  await search.fill('100%_no_match');
  await expect(page.getByText('No active projects match “100%_no_match”.')).toBeVisible();
  await page.getByRole('button', { name: 'Clear search' }).click();
  await expect(rows(page)).toHaveCount(3);

  const sort = page.getByRole('combobox', { name: 'Sort projects' });
  await sort.selectOption({ label: 'Title A–Z' });
  await expect(rowTitles(page)).toHaveText([
    'alpha: double descent in width',
    'Mid: winning tickets at init',
    'Zeta: grokking with AdamW',
  ]);
  // The sort choice is remembered.
  await page.reload();
  await expect(sort).toHaveValue('title');
  await expect(rowTitles(page)).toHaveText([
    'alpha: double descent in width',
    'Mid: winning tickets at init',
    'Zeta: grokking with AdamW',
  ]);
});

test('archive from the list, find it under Archived, and undo from the toast', async ({ page, host }) => {
  await seed(host, { title: 'Keep me active', phenomenon: 'grokking' });
  await seed(host, { title: 'Lottery tickets in transformers', phenomenon: 'lottery-ticket' });
  await openApp(page, host);
  await expect(rows(page)).toHaveCount(2);
  const show = page.getByRole('group', { name: 'Show' });

  await page.getByRole('button', { name: 'Archive Lottery tickets in transformers', exact: true }).click();
  await expect(rowTitles(page)).toHaveText(['Keep me active']);
  const toast = page.getByRole('status').filter({ hasText: 'Archived “Lottery tickets in transformers”' });
  await expect(toast).toBeVisible();

  await show.getByRole('button', { name: 'Archived', exact: true }).click();
  await expect(show.getByRole('button', { name: 'Archived', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expect(rowTitles(page)).toHaveText(['Lottery tickets in transformers']);
  await expect(rows(page).first().getByText('archived', { exact: true })).toBeVisible();

  await toast.getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByText('No archived projects.')).toBeVisible();
  await expect(page.getByRole('status').getByText('Restored “Lottery tickets in transformers”')).toBeVisible();

  await show.getByRole('button', { name: 'Active', exact: true }).click();
  await expect(rows(page)).toHaveCount(2);
  await expect(rowTitles(page)).toContainText(['Lottery tickets in transformers']);
  expect((await allProjects(host)).every((p) => p.archivedAt === null)).toBe(true);
});

test('delete asks for confirmation: Cancel keeps the project, Delete removes it', async ({ page, host }) => {
  await seed(host, { title: 'Survivor', phenomenon: 'other' });
  await seed(host, { title: 'Doomed project', phenomenon: 'grokking' });
  await openApp(page, host);
  await rows(page).filter({ hasText: 'Doomed project' }).click();
  await expect(page.getByTestId('project-title')).toHaveText('Doomed project');

  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete “Doomed project”?' });
  await expect(confirm).toBeVisible();
  // Cancel takes focus, so a stray Enter destroys nothing.
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByTestId('project-title')).toHaveText('Doomed project');
  expect(await allProjects(host)).toHaveLength(2);

  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await confirm.getByRole('button', { name: 'Delete project' }).click();
  await expect(page).toHaveURL(/#\/$/);
  await expect(page.getByRole('status').getByText('Deleted “Doomed project”')).toBeVisible();
  await expect(rowTitles(page)).toHaveText(['Survivor']);
  expect((await allProjects(host)).map((p) => p.title)).toEqual(['Survivor']);
});

test('a reload keeps the session (token in sessionStorage) and the data', async ({ page, host }) => {
  await openApp(page, host);
  await page.keyboard.press('n');
  await fillProjectForm(page, 'New project', { title: 'Grokking survives a reload', phenomenonLabel: 'Grokking' });
  await projectDialog(page, 'New project').getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByTestId('project-title')).toHaveText('Grokking survives a reload');

  // The token left the address bar as soon as the page read it.
  expect(page.url()).not.toContain('token=');
  expect(await page.evaluate('sessionStorage.getItem("phenobook.token")')).toBe(host.token);

  await page.reload();
  await expect(page.getByTestId('project-title')).toHaveText('Grokking survives a reload');
  await page.getByRole('link', { name: '← Projects' }).click();
  await page.reload();
  await expect(rowTitles(page)).toHaveText(['Grokking survives a reload']);
  await expect(page.getByTestId('access-needed')).toHaveCount(0);
});

test('projects survive a host restart on the same data folder', async ({ page, host, launchHost }) => {
  await openApp(page, host);
  await page.keyboard.press('n');
  await fillProjectForm(page, 'New project', {
    title: 'Double descent on MNIST-1D with label noise',
    phenomenonLabel: 'Double descent',
    tags: 'mnist-1d, label-noise',
  });
  await projectDialog(page, 'New project').getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByTestId('project-title')).toHaveText('Double descent on MNIST-1D with label noise');
  const archived = await seed(host, { title: 'An archived idea', phenomenon: 'other' });
  expect((await host.op('projects:setArchived', { id: archived.id, archived: true })).status).toBe(200);

  await host.stop(); // asserts exit code 0 and the checkpoint line
  const next = await launchHost(host.dataDir);
  expect(next.token).not.toBe(host.token);

  await openApp(page, next);
  await expect(rowTitles(page)).toHaveText(['Double descent on MNIST-1D with label noise']);
  await expect(rows(page).first().getByText('label-noise', { exact: true })).toBeVisible();
  await page.getByRole('group', { name: 'Show' }).getByRole('button', { name: 'Archived', exact: true }).click();
  await expect(rowTitles(page)).toHaveText(['An archived idea']);

  // The old launch's token opens nothing on the new host.
  const stale = await fetch(`${next.origin}/api/op/projects:list`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' },
    body: '{}',
  });
  expect(stale.status).toBe(401);
});

test('without a token the app asks to be opened from its link', async ({ page, host }) => {
  await page.goto(`${host.origin}/`);
  const access = page.getByTestId('access-needed');
  await expect(access).toBeVisible();
  await expect(access.getByRole('heading', { name: 'Open Phenobook from its link' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Projects', level: 1 })).toHaveCount(0);
});

test('a wrong token is reported as not accepted', async ({ page, host }) => {
  await page.goto(`${host.origin}/#token=${'A'.repeat(43)}`);
  const access = page.getByTestId('access-needed');
  await expect(access).toBeVisible();
  await expect(access).toContainText('did not accept this page’s token');
});

test('two pages stay in sync through the event stream', async ({ context, host }) => {
  const first = await context.newPage();
  const second = await context.newPage();
  await openApp(first, host);
  await openApp(second, host);
  await expect(second.getByTestId('projects-empty')).toBeVisible();

  await first.getByRole('button', { name: /^New project/ }).click();
  await fillProjectForm(first, 'New project', { title: 'Seen from the other tab', phenomenonLabel: 'Other' });
  await projectDialog(first, 'New project').getByRole('button', { name: 'Create project' }).click();
  await expect(first.getByTestId('project-title')).toHaveText('Seen from the other tab');

  // No reload: the second page hears projects:changed and re-queries.
  await expect(rowTitles(second)).toHaveText(['Seen from the other tab']);

  await first.getByRole('button', { name: 'Archive', exact: true }).click();
  await expect(first.getByRole('status').filter({ hasText: 'Archived “Seen from the other tab”' })).toBeVisible();
  await expect(second.getByTestId('projects-empty')).toBeVisible();

  await first.getByRole('button', { name: 'Restore', exact: true }).first().click();
  await expect(rowTitles(second)).toHaveText(['Seen from the other tab']);
});

test('markup in user text is shown as text, never run', async ({ page, host }) => {
  const title = '<img src=x onerror="window.__pwned=1"> & <b>bold</b>';
  await seed(host, { title, phenomenon: 'other', question: '<script>window.__pwned=2</script>', tags: ['<i>tag</i>'] });
  await openApp(page, host);
  await expect(rowTitles(page)).toHaveText([title]);
  await rows(page).first().click();
  await expect(page.getByTestId('project-title')).toHaveText(title);
  await expect(page.getByText('<script>window.__pwned=2</script>')).toBeVisible();
  await expect(projectHeading(page).getByText('<i>tag</i>', { exact: true })).toBeVisible();
  expect(await page.evaluate('window.__pwned')).toBeUndefined();
  await expect(page.locator('main img, main b, main i')).toHaveCount(0);
});
