// `npm start`: the Electron window when Electron can run here, otherwise browser mode on
// 127.0.0.1 with one line saying why. Flags: --web, --port N (0 = any free), --no-open, --data-dir DIR.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureBuilt, ROOT } from './build-if-stale.mjs';
import { displayProblem, ensureElectronBinary, ensureElectronSqlite } from './electron-runtime.mjs';

const argv = process.argv.slice(2);

async function startBrowserMode(reason) {
  const { main } = await import(pathToFileURL(path.join(ROOT, 'out', 'main', 'web.js')).href);
  await main(argv, reason);
}

/** @returns {Promise<string | null>} why desktop mode cannot start, or null once it has started */
async function tryDesktop() {
  const noDisplay = displayProblem();
  if (noDisplay) return noDisplay;
  const electron = await ensureElectronBinary();
  if (!electron.ok) return electron.reason;
  const sqlite = await ensureElectronSqlite();
  if (!sqlite.ok) return sqlite.reason;
  const child = spawn(electron.binary, [ROOT, ...argv], {
    stdio: 'inherit',
    env: { ...process.env, PHENOBOOK_SQLITE_BINDING: sqlite.binding },
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return null;
}

try {
  ensureBuilt();
} catch (err) {
  console.error(err.message);
  process.exit(1);
}

if (argv.includes('--web')) {
  await startBrowserMode();
} else {
  const reason = await tryDesktop();
  if (reason) await startBrowserMode(`desktop mode unavailable: ${reason}`);
}
