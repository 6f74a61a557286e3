// `npm start`: the Electron window when Electron can run here, otherwise browser mode on
// 127.0.0.1 with one line saying why. It never exits without an app: when Electron dies before
// its window is ready (a sandbox abort, a missing shared library), browser mode starts instead.
// Flags: --web, --port N (0 = any free; without it, the last port when it is free), --no-open, --data-dir DIR.
import './node-version.mjs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureBuilt, ROOT } from './build-if-stale.mjs';
import { sandboxFixes } from './desktop-precheck.mjs';
import { displayProblem, ensureElectronBinary, launchElectron, launchProblem } from './electron-runtime.mjs';

const argv = process.argv.slice(2);

async function startBrowserMode(reason) {
  const { main } = await import(pathToFileURL(path.join(ROOT, 'out', 'main', 'web.js')).href);
  await main(argv, reason);
}

/** @returns {Promise<string | null>} why desktop mode did not start, or null once its window is open */
async function tryDesktop() {
  const noDisplay = displayProblem();
  if (noDisplay) return noDisplay;
  const electron = await ensureElectronBinary();
  if (!electron.ok) return electron.reason;
  const problem = launchProblem(electron.binary);
  const explain = (/** @type {string} */ reason, /** @type {string[]} */ fix) =>
    process.stderr.write(`Desktop mode cannot start: ${reason.replace(/\.$/, '')}.\nTo fix it:\n${fix.map((f) => `  - ${f}`).join('\n')}\n`);
  if (problem) {
    explain(problem.reason, problem.fix);
    return problem.reason;
  }
  const launched = await launchElectron(electron.binary, [ROOT, ...argv]);
  if (launched.state === 'already-running') {
    console.log('Phenobook is already open: its window was brought to the front.');
    process.exit(0);
  }
  if (launched.state === 'exited') {
    // A sandbox abort the pre-check could not foresee still gets the fix.
    if (/setuid_sandbox_host|No usable sandbox/.test(launched.reason)) {
      explain(launched.reason, sandboxFixes(path.join(path.dirname(electron.binary), 'chrome-sandbox'), electron.binary));
    }
    return launched.reason;
  }
  const { child } = launched;
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
