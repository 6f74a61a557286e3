import fs from 'node:fs';
import path from 'node:path';
import { expect, newDataDir, test } from './host';

test('export a project as a bundle from its page and import it into another Phenobook from the project list', async ({ page, host, launchHost, dataDir }) => {
  test.setTimeout(120_000);
  const created = await host.op<{ id: string }>('projects:create', { title: 'Travelling project', phenomenon: 'grokking', tags: ['bundle'] });
  if (!created.body.ok) throw new Error(created.body.error.message);
  const projectId = created.body.value.id;
  await host.op('notes:create', { projectId, title: 'Carried along', body: 'Memorisation first, then **generalisation**.' });
  await host.op('checklist:answer', { projectId, questionKey: 'early.context.framing', status: 'answered', markdown: 'Framed by Power et al.' });

  await page.goto(host.url);
  await page.goto(`${host.origin}/#/projects/${projectId}`);
  await page.getByText('Export ▾').click();
  const download = page.waitForEvent('download');
  await page.getByRole('menuitem', { name: /^Bundle/ }).click();
  const file = path.join(dataDir, 'travelling.phenobook.json.gz');
  await (await download).saveAs(file);
  expect(fs.statSync(file).size).toBeGreaterThan(100);

  const other = await launchHost(newDataDir());
  await page.goto(other.url);
  await expect(page.getByRole('heading', { name: 'Projects', level: 1 })).toBeVisible();
  await page.getByLabel('Import bundle').setInputFiles(file);
  await expect(page.getByTestId('project-title')).toHaveText('Travelling project');
  await page.keyboard.press('5');
  await expect(page.getByRole('link', { name: /Carried along/ })).toBeVisible();

  // A file that is not a bundle is refused with a message, and nothing appears.
  const junk = path.join(dataDir, 'junk.json');
  fs.writeFileSync(junk, '{"format":"something-else"}');
  await page.goto(`${other.origin}/#/`);
  await page.getByLabel('Import bundle').setInputFiles(junk);
  await expect(page.getByRole('status').getByText(/Not imported/)).toBeVisible();
  const list = await other.op<unknown[]>('projects:list', { filter: 'all' });
  expect(list.body.ok && list.body.value).toHaveLength(1);
});
