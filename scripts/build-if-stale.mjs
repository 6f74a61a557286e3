// Builds out/ when it is missing or older than any source file, so `npm start` and
// `npx phenobook` work straight after a clone or a `git pull` without a separate build step.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['contract', 'common', 'db', 'services', 'host', 'main', 'preload', 'renderer', 'cli', 'trainer', 'experiments'];
const CONFIGS = ['electron.vite.config.ts', 'package.json', 'svelte.config.js', 'tsconfig.base.json', 'tsconfig.node.json', 'tsconfig.web.json'];
const STAMP = path.join(ROOT, 'out', '.build-stamp');

function newestMtime(entry) {
  if (!fs.existsSync(entry)) return 0;
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const child of fs.readdirSync(entry)) {
    if (child === 'node_modules' || child.endsWith('.test.ts')) continue;
    newest = Math.max(newest, newestMtime(path.join(entry, child)));
  }
  return newest;
}

export function isStale() {
  if (!fs.existsSync(STAMP)) return true;
  const built = fs.statSync(STAMP).mtimeMs;
  return [...SOURCES, ...CONFIGS].some((s) => newestMtime(path.join(ROOT, s)) > built);
}

export function build({ log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  log('Building Phenobook (electron-vite build)…');
  const bin = path.join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  const res = spawnSync(process.execPath, [bin, 'build'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (res.status !== 0) {
    process.stderr.write(res.stdout + res.stderr);
    throw new Error('Build failed (see output above)');
  }
  fs.writeFileSync(STAMP, new Date().toISOString());
}

export function ensureBuilt(opts) {
  if (isStale()) build(opts);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    ensureBuilt();
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
