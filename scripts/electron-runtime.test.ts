// The launcher's watch on Electron, with stand-in binaries that behave as real failures do.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as launcherSide from '../main/launcher-signal';
import { ALREADY_RUNNING_MARKER, READY_MARKER, launchElectron, lastMeaningfulLine } from './electron-runtime.mjs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-fake-electron-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function standIn(name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

const SANDBOX_ABORT =
  '[4242:1204/101500.000000:FATAL:setuid_sandbox_host.cc(163)] The SUID sandbox helper binary was found, but is not configured correctly. ' +
  "Rather than run without sandboxing I'm aborting now. You need to make sure that /x/node_modules/electron/dist/chrome-sandbox is owned by root and has mode 4755.";

describe('launchElectron', () => {
  it('reports a sandbox abort at launch with Chromium\'s own line, so the caller can fall back', async () => {
    const bin = standIn('abort', `echo 'Gtk-Message: loading module' >&2\ncat >&2 <<'MSG'\n${SANDBOX_ABORT}\nMSG\nkill -TRAP $$`);
    const r = await launchElectron(bin, []);
    expect(r.state).toBe('exited');
    expect(r.state === 'exited' && r.reason).toBe(`Electron was killed by SIGTRAP before its window opened: ${SANDBOX_ABORT.slice(0, 300)}`);
  });

  it('reports a missing shared library the same way', async () => {
    const bin = standIn('nolib', "echo 'electron: error while loading shared libraries: libnss3.so: cannot open shared object file: No such file or directory' >&2\nexit 127");
    const r = await launchElectron(bin, []);
    expect(r.state === 'exited' && r.reason).toBe(
      'Electron exited with code 127 before its window opened: electron: error while loading shared libraries: libnss3.so: cannot open shared object file: No such file or directory',
    );
  });

  it('commits once the window is ready, passing other output through', async () => {
    const bin = standIn('ready', `echo "args: $*"\necho '${READY_MARKER}'\nexec sleep 30`);
    const r = await launchElectron(bin, ['/app', '--data-dir', '/d']);
    expect(r.state).toBe('ready');
    if (r.state !== 'ready') return;
    const exited = new Promise((resolve) => r.child.on('exit', (_code, signal) => resolve(signal)));
    r.child.kill('SIGTERM');
    expect(await exited).toBe('SIGTERM');
  });

  it('tells a second instance (which hands over to the first and quits) from a failure', async () => {
    const bin = standIn('second', `echo '${ALREADY_RUNNING_MARKER}'\nexit 0`);
    expect(await launchElectron(bin, [])).toEqual({ state: 'already-running' });
  });

  it('tells the launched process that the launcher is watching', async () => {
    const bin = standIn('env', `[ "$PHENOBOOK_LAUNCHER" = 1 ] && [ -z "$ELECTRON_RUN_AS_NODE" ] && echo '${READY_MARKER}'\nexec sleep 30`);
    process.env.ELECTRON_RUN_AS_NODE = '1'; // would turn Electron into plain Node: never passed on
    try {
      const r = await launchElectron(bin, []);
      expect(r.state).toBe('ready');
      if (r.state === 'ready') r.child.kill();
    } finally {
      delete process.env.ELECTRON_RUN_AS_NODE;
    }
  });

  it('says why when the binary cannot be executed at all', async () => {
    const r = await launchElectron(path.join(dir, 'does-not-exist'), []);
    expect(r.state === 'exited' && r.reason).toMatch(/^Electron could not be started \(spawn .* ENOENT\)$/);
  });

  it('uses the same markers as the Electron main process', () => {
    expect([READY_MARKER, ALREADY_RUNNING_MARKER]).toEqual([launcherSide.READY_MARKER, launcherSide.ALREADY_RUNNING_MARKER]);
  });
});

describe('lastMeaningfulLine', () => {
  it('prefers the last error-like line over noise and stack frames', () => {
    expect(lastMeaningfulLine('info: a\nError: first\n    at x (y.js:1)\nFATAL: second\nbye\n')).toBe('FATAL: second');
    expect(lastMeaningfulLine('just this\n')).toBe('just this');
    expect(lastMeaningfulLine('')).toBe('no output');
  });
});
