// Desktop mode: the real Electron window over IPC, loading the same SQLite binary as Node. It
// needs the Electron binary (downloaded by the electron package on first use) and a display;
// without either the test is skipped with the reason printed, since browser mode (the other
// specs) exercises the same renderer.
import { _electron } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { expect, ROOT, test } from './host';

function electronBinary(): { ok: true; binary: string } | { ok: false; reason: string } {
  const dir = path.join(ROOT, 'node_modules', 'electron');
  const pathFile = path.join(dir, 'path.txt');
  if (!fs.existsSync(pathFile)) {
    return { ok: false, reason: `Electron binary not present (${path.relative(ROOT, pathFile)} is missing: the binary was never downloaded)` };
  }
  const binary = path.join(dir, 'dist', fs.readFileSync(pathFile, 'utf8').trim());
  if (!fs.existsSync(binary)) return { ok: false, reason: `Electron binary not present at ${path.relative(ROOT, binary)}` };
  return { ok: true, binary };
}

function displayProblem(): string | null {
  if (process.platform !== 'linux' || process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return null;
  return 'no display (DISPLAY and WAYLAND_DISPLAY are unset; try xvfb-run)';
}

const electron = electronBinary();
const skipReason = !electron.ok ? electron.reason : displayProblem();

test('desktop window: create a project over IPC, with no Node in the page', async ({ dataDir }) => {
  if (skipReason) console.log(`[electron.spec] skipped: ${skipReason}`);
  test.skip(!!skipReason, skipReason ?? '');
  if (!electron.ok) return;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'ELECTRON_RUN_AS_NODE') env[k] = v;
  const args = [ROOT, '--data-dir', dataDir];
  if (process.getuid?.() === 0) args.unshift('--no-sandbox'); // Chromium refuses its sandbox as root

  const app = await _electron.launch({ executablePath: electron.binary, args, env, cwd: ROOT });
  try {
    const win = await app.firstWindow();
    await expect(win.getByRole('heading', { name: 'Projects', level: 1 })).toBeVisible();
    await expect(win.getByText('Desktop', { exact: true })).toBeVisible();

    const globals = await win.evaluate(() => {
      const w = globalThis as unknown as Record<string, unknown>;
      return { api: typeof w.api, require: typeof w.require, process: typeof w.process, module: typeof w.module };
    });
    expect(globals).toEqual({ api: 'object', require: 'undefined', process: 'undefined', module: 'undefined' });

    await win.getByRole('button', { name: /^New project/ }).click();
    const dialog = win.getByRole('dialog', { name: 'New project' });
    await dialog.getByLabel('Title').fill('Grokking in the desktop window');
    await dialog.getByText('Grokking', { exact: true }).click();
    await dialog.getByLabel(/^Tags/).fill('a, b');
    await dialog.getByRole('button', { name: 'Create project' }).click();
    await expect(win.getByTestId('project-title')).toHaveText('Grokking in the desktop window');
  } finally {
    await app.close();
  }
});
