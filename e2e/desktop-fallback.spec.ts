// `npm start` never exits without an app: when Electron dies before its window is ready (the
// Ubuntu ≥ 23.10 sandbox abort, a missing library), browser mode starts within seconds and says
// why. A stand-in Electron binary dies the way the real one does.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, ROOT, startHost, test, type Host } from './host';

const SANDBOX_ABORT =
  "[4242:1204/101500.000000:FATAL:setuid_sandbox_host.cc(163)] The SUID sandbox helper binary was found, but is not configured correctly. Rather than run without sandboxing I'm aborting now. You need to make sure that chrome-sandbox is owned by root and has mode 4755.";

let scratch: string;
let abortingElectron: string;
test.beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-fallback-'));
  abortingElectron = path.join(scratch, 'electron');
  fs.writeFileSync(abortingElectron, `#!/bin/sh\ncat >&2 <<'MSG'\n${SANDBOX_ABORT}\nMSG\nkill -TRAP $$\n`, { mode: 0o755 });
});
test.afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** As on a desktop: a display, and the (stand-in) Electron binary to try first. */
const desktopEnv = () => ({ DISPLAY: ':99', PHENOBOOK_ELECTRON: abortingElectron, PHENOBOOK_ELECTRON_PRECHECK: '0' });

async function expectWorkingApp(page: Page, host: Host) {
  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'Projects', level: 1 })).toBeVisible();
}

test('an Electron that aborts at launch: browser mode within 5 s, with the reason', async ({ page, dataDir }) => {
  const started = Date.now();
  const host = await startHost(dataDir, { desktopFirst: true, env: desktopEnv() });
  const seconds = (Date.now() - started) / 1000;
  try {
    expect(seconds).toBeLessThan(5);
    expect(host.output()).toContain(`Browser mode: desktop mode unavailable: Electron was killed by SIGTRAP before its window opened: ${SANDBOX_ABORT}`);
    await expectWorkingApp(page, host);
  } finally {
    await host.stop();
  }
});

test('a checkout under a folder named "build" starts the same way', async ({ page, dataDir }) => {
  // Only what the launcher needs at run time: the built app, the scripts and the dependencies.
  const checkout = path.join(scratch, 'build', 'phenobook');
  fs.mkdirSync(checkout, { recursive: true });
  for (const entry of ['out', 'scripts', 'package.json']) {
    fs.cpSync(path.join(ROOT, entry), path.join(checkout, entry), { recursive: true, preserveTimestamps: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(checkout, 'node_modules'));
  const host = await startHost(dataDir, { desktopFirst: true, root: checkout, env: desktopEnv() });
  try {
    expect(host.output()).toContain('Browser mode: desktop mode unavailable: Electron was killed by SIGTRAP');
    await expectWorkingApp(page, host);
  } finally {
    await host.stop();
  }
});

test('as root, the pre-check says so before launching anything', async ({ page, dataDir }) => {
  test.skip(process.getuid?.() !== 0, 'only root trips this pre-check');
  const { PHENOBOOK_ELECTRON_PRECHECK: _on, ...env } = desktopEnv();
  const host = await startHost(dataDir, { desktopFirst: true, env: { ...env, PHENOBOOK_ELECTRON_PRECHECK: undefined } });
  try {
    expect(host.output()).toContain('Desktop mode cannot start: Electron refuses to start its sandbox as root');
    expect(host.output()).toContain('Browser mode: desktop mode unavailable: Electron refuses to start its sandbox as root');
    expect(host.output()).not.toContain('SIGTRAP'); // the stand-in was never launched
    await expectWorkingApp(page, host);
  } finally {
    await host.stop();
  }
});
