// @ts-check
// What desktop mode needs before and while Electron launches: the Electron binary (Electron ≥ 42
// downloads it lazily on first use), a display, a sandbox Chromium can start, and a watch on the
// launched process that tells "window open" from "died at launch", so `npm start` falls back to
// browser mode instead of exiting without an app. better-sqlite3 ≥ 13 is a Node-API module whose
// package carries binaries for every platform, so Electron loads the same binary as Node: there
// is nothing to build for Electron.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { ROOT } from './build-if-stale.mjs';
import { gatherSandboxFacts, sandboxProblem } from './desktop-precheck.mjs';

const ELECTRON_DIR = path.join(ROOT, 'node_modules', 'electron');
/** Upper bound for the one-time download; it never waits longer. */
const DOWNLOAD_LIMIT_MS = 15 * 60_000;
const HEARTBEAT_MS = 5_000;
/** Lines the Electron main process prints on stdout for the launcher (main/launcher-signal.ts). */
export const READY_MARKER = 'phenobook:window-ready';
export const ALREADY_RUNNING_MARKER = 'phenobook:already-running';

function electronVersion() {
  return JSON.parse(fs.readFileSync(path.join(ELECTRON_DIR, 'package.json'), 'utf8')).version;
}

function installedBinary() {
  const pathFile = path.join(ELECTRON_DIR, 'path.txt');
  if (!fs.existsSync(pathFile)) return null;
  const bin = path.join(ELECTRON_DIR, 'dist', fs.readFileSync(pathFile, 'utf8').trim());
  return fs.existsSync(bin) ? bin : null;
}

/** The last line of a tool's output worth showing as a reason. @param {string} text */
export function lastMeaningfulLine(text) {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('at '));
  const error = lines.findLast((l) => /fatal|error|failed|ENOTFOUND|EAI_AGAIN|ECONN|stopped after|cannot|not found/i.test(l));
  return (error ?? lines.at(-1) ?? 'no output').slice(0, 300);
}

/** Runs Electron's own installer, printing the elapsed time so a slow download is visibly alive. */
function downloadElectron() {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [path.join(ELECTRON_DIR, 'install.js')], { cwd: ELECTRON_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (/** @type {Buffer} */ chunk) => (tail = (tail + chunk.toString()).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const heartbeat = setInterval(() => {
      process.stderr.write(`  … downloading Electron: ${Math.round((Date.now() - started) / 1000)} s\n`);
    }, HEARTBEAT_MS);
    const limit = setTimeout(() => {
      tail += `\nstopped after ${DOWNLOAD_LIMIT_MS / 60_000} minutes`;
      child.kill('SIGKILL');
    }, DOWNLOAD_LIMIT_MS);
    const done = (/** @type {{ ok: boolean, tail: string }} */ result) => {
      clearInterval(heartbeat);
      clearTimeout(limit);
      resolve(result);
    };
    child.on('error', (err) => done({ ok: false, tail: String(err.message) }));
    child.on('close', (code) => done({ ok: code === 0, tail }));
  });
}

/**
 * The Electron binary to launch: PHENOBOOK_ELECTRON when set (a distribution's own electron, or a
 * build you trust), else the electron package's, downloaded once when missing.
 * @returns {Promise<{ ok: true, binary: string } | { ok: false, reason: string }>}
 */
export async function ensureElectronBinary() {
  const override = process.env.PHENOBOOK_ELECTRON;
  if (override) {
    return fs.existsSync(override) ? { ok: true, binary: override } : { ok: false, reason: `PHENOBOOK_ELECTRON points at ${override}, which does not exist` };
  }
  if (!fs.existsSync(path.join(ELECTRON_DIR, 'package.json'))) {
    return { ok: false, reason: 'the electron package is not installed' };
  }
  const existing = installedBinary();
  if (existing) return { ok: true, binary: existing };
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    return { ok: false, reason: 'the Electron binary is absent and ELECTRON_SKIP_BINARY_DOWNLOAD is set' };
  }
  process.stderr.write(`Downloading the Electron ${electronVersion()} binary (once)…\n`);
  const res = /** @type {{ ok: boolean, tail: string }} */ (await downloadElectron());
  const binary = installedBinary();
  if (res.ok && binary) {
    process.stderr.write('Electron downloaded.\n');
    return { ok: true, binary };
  }
  const proxyHint = process.env.HTTPS_PROXY || process.env.https_proxy ? ' (behind a proxy, set ELECTRON_GET_USE_PROXY=true)' : '';
  return { ok: false, reason: `the Electron binary could not be downloaded (${lastMeaningfulLine(res.tail)})${proxyHint}` };
}

/** Desktop mode needs a display; a headless box (SSH) gets browser mode at once. */
export function displayProblem() {
  if (process.platform !== 'linux') return null;
  if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return null;
  return 'no display (DISPLAY and WAYLAND_DISPLAY are unset)';
}

/**
 * Why Chromium's sandbox would abort Electron here, with the fix; null when it can start.
 * PHENOBOOK_ELECTRON_PRECHECK=0 skips the check (a distribution's Electron with its own profile).
 * @param {string} binary
 * @returns {import('./desktop-precheck.mjs').SandboxProblem | null}
 */
export function launchProblem(binary) {
  if (process.env.PHENOBOOK_ELECTRON_PRECHECK === '0') return null;
  return sandboxProblem(gatherSandboxFacts({ electronBinary: binary }));
}

/**
 * Launches Electron and watches it until its window is ready or it exits.
 * Resolves `ready` (the caller then mirrors Electron's exit), `already-running` (another
 * instance took focus) or `exited` with the reason, for the caller to fall back.
 * @param {string} binary
 * @param {string[]} args
 * @returns {Promise<{ state: 'ready', child: import('node:child_process').ChildProcess } | { state: 'already-running' } | { state: 'exited', reason: string }>}
 */
export function launchElectron(binary, args) {
  return new Promise((resolve) => {
    const child = spawn(binary, args, {
      stdio: ['inherit', 'pipe', 'pipe'],
      env: { ...process.env, PHENOBOOK_LAUNCHER: '1', ELECTRON_RUN_AS_NODE: undefined },
    });
    let settled = false;
    let alreadyRunning = false;
    let stderrTail = '';
    const settle = (/** @type {any} */ value) => {
      if (!settled) resolve(value);
      settled = true;
    };
    readline.createInterface({ input: /** @type {NodeJS.ReadableStream} */ (child.stdout) }).on('line', (line) => {
      if (line === READY_MARKER) settle({ state: 'ready', child });
      else if (line === ALREADY_RUNNING_MARKER) alreadyRunning = true;
      else process.stdout.write(`${line}\n`);
    });
    child.stderr?.on('data', (chunk) => {
      process.stderr.write(chunk);
      if (!settled) stderrTail = (stderrTail + chunk.toString()).slice(-8000);
    });
    child.on('error', (err) => settle({ state: 'exited', reason: `Electron could not be started (${err.message})` }));
    child.on('exit', (code, signal) => {
      if (alreadyRunning) return settle({ state: 'already-running' });
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      settle({ state: 'exited', reason: `Electron ${how} before its window opened: ${lastMeaningfulLine(stderrTail)}` });
    });
  });
}
