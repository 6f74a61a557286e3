// Finds (or fetches once) what desktop mode needs: the Electron binary, which Electron ≥ 42
// downloads lazily on first use, and a better-sqlite3 binary built for Electron's ABI, kept
// beside the Node one so the CLI and browser mode keep working. Every step has a time limit and
// reports why it failed, so `npm start` falls back to browser mode instead of hanging.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT } from './build-if-stale.mjs';

const require = createRequire(import.meta.url);
const ELECTRON_DIR = path.join(ROOT, 'node_modules', 'electron');
/** Upper bound for one preparation step (download or compile); it never waits longer. */
const STEP_LIMIT_MS = 15 * 60_000;
const HEARTBEAT_MS = 5_000;

function electronVersion() {
  return JSON.parse(fs.readFileSync(path.join(ELECTRON_DIR, 'package.json'), 'utf8')).version;
}

function installedBinary() {
  const pathFile = path.join(ELECTRON_DIR, 'path.txt');
  if (!fs.existsSync(pathFile)) return null;
  const bin = path.join(ELECTRON_DIR, 'dist', fs.readFileSync(pathFile, 'utf8').trim());
  return fs.existsSync(bin) ? bin : null;
}

/**
 * Runs one preparation step quietly (its output is kept for the failure reason), printing the
 * elapsed time every few seconds so a long download or compile is visibly alive.
 */
function runStep(cmd, args, { cwd, env, label }) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk) => (tail = (tail + chunk.toString()).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const heartbeat = setInterval(() => {
      process.stderr.write(`  … ${label}: ${Math.round((Date.now() - started) / 1000)} s\n`);
    }, HEARTBEAT_MS);
    const limit = setTimeout(() => {
      tail += `\nstopped after ${STEP_LIMIT_MS / 60_000} minutes`;
      child.kill('SIGKILL');
    }, STEP_LIMIT_MS);
    const done = (result) => {
      clearInterval(heartbeat);
      clearTimeout(limit);
      resolve(result);
    };
    child.on('error', (err) => done({ ok: false, tail: String(err.message) }));
    child.on('close', (code) => done({ ok: code === 0, tail }));
  });
}

function lastMeaningfulLine(text) {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('at '));
  const error = lines.find((l) => /error|failed|ENOTFOUND|EAI_AGAIN|ECONN|stopped after/i.test(l));
  return (error ?? lines.at(-1) ?? 'unknown error').slice(0, 200);
}

/** @returns {Promise<{ ok: true, binary: string } | { ok: false, reason: string }>} */
export async function ensureElectronBinary() {
  if (!fs.existsSync(path.join(ELECTRON_DIR, 'package.json'))) {
    return { ok: false, reason: 'the electron package is not installed' };
  }
  const existing = installedBinary();
  if (existing) return { ok: true, binary: existing };
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    return { ok: false, reason: 'the Electron binary is absent and ELECTRON_SKIP_BINARY_DOWNLOAD is set' };
  }
  process.stderr.write(`Downloading the Electron ${electronVersion()} binary (once)…\n`);
  const res = await runStep(process.execPath, [path.join(ELECTRON_DIR, 'install.js')], {
    cwd: ELECTRON_DIR,
    label: 'downloading Electron',
  });
  const binary = installedBinary();
  if (res.ok && binary) {
    process.stderr.write('Electron downloaded.\n');
    return { ok: true, binary };
  }
  return { ok: false, reason: `the Electron binary could not be downloaded (${lastMeaningfulLine(res.tail)})` };
}

/** Where the Electron-ABI build of better-sqlite3 lives (inside node_modules: a reinstall clears it). */
export function electronSqlitePath() {
  return path.join(ROOT, 'node_modules', '.phenobook', `electron-${electronVersion()}`, 'better_sqlite3.node');
}

/**
 * better-sqlite3 is not a Node-API module, so Electron needs its own build. Try the published
 * prebuilt binary for this Electron first, then compile against Electron's headers.
 * @returns {Promise<{ ok: true, binding: string } | { ok: false, reason: string }>}
 */
export async function ensureElectronSqlite() {
  const target = electronSqlitePath();
  if (fs.existsSync(target)) return { ok: true, binding: target };
  const version = electronVersion();
  const source = path.dirname(require.resolve('better-sqlite3/package.json'));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-sqlite-'));
  process.stderr.write(`Preparing SQLite for Electron ${version} (once; compiling can take a few minutes)…\n`);
  try {
    fs.cpSync(source, work, { recursive: true, filter: (src) => !src.includes(`${path.sep}build${path.sep}`) });
    const env = { npm_config_nodedir: '', npm_config_runtime: 'electron', npm_config_target: version };
    const prebuild = path.join(ROOT, 'node_modules', 'prebuild-install', 'bin.js');
    let res = { ok: false, tail: 'prebuild-install not found' };
    if (fs.existsSync(prebuild)) {
      res = await runStep(
        process.execPath,
        [prebuild, '--runtime', 'electron', '--target', version, '--arch', process.arch],
        { cwd: work, env, label: 'building SQLite for Electron' },
      );
    }
    if (!res.ok) {
      const gyp = findNodeGyp();
      if (!gyp) return { ok: false, reason: 'no prebuilt better-sqlite3 for Electron and node-gyp was not found' };
      res = await runStep(
        process.execPath,
        [gyp, 'rebuild', '--release', `--target=${version}`, '--runtime=electron', `--arch=${process.arch}`, '--dist-url=https://electronjs.org/headers'],
        { cwd: work, env, label: 'building SQLite for Electron' },
      );
    }
    const built = path.join(work, 'build', 'Release', 'better_sqlite3.node');
    if (!res.ok || !fs.existsSync(built)) {
      return { ok: false, reason: `better-sqlite3 could not be built for Electron (${lastMeaningfulLine(res.tail)})` };
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(built, target);
    return { ok: true, binding: target };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(ROOT, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((c) => c && fs.existsSync(c)) ?? null;
}

/** Desktop mode needs a display; a headless box (SSH) gets browser mode at once. */
export function displayProblem() {
  if (process.platform !== 'linux') return null;
  if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return null;
  return 'no display (DISPLAY and WAYLAND_DISPLAY are unset)';
}
