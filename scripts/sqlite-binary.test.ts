// One SQLite binary for Node and Electron: better-sqlite3 ≥ 13 is a Node-API module whose npm
// package carries a binary per platform, picked at load time from the loading process's own
// platform and arch. So nothing compiles on install, and under Rosetta (x64 Node ran
// `npm install`, arm64 Electron runs the app) Electron still finds its arm64 binary.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const pkgDir = path.dirname(require.resolve('better-sqlite3/package.json'));
const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as {
  version: string;
  gypfile?: boolean;
  scripts?: Record<string, string>;
};

/** The platforms and architectures Electron ships for, with the binary format each needs. */
const TARGETS = [
  { target: 'linux-x64', platform: 'linux', arch: 'x64', format: 'elf', machine: 62 },
  { target: 'linux-arm64', platform: 'linux', arch: 'arm64', format: 'elf', machine: 183 },
  { target: 'darwin-x64', platform: 'darwin', arch: 'x64', format: 'macho', machine: 0x01000007 },
  { target: 'darwin-arm64', platform: 'darwin', arch: 'arm64', format: 'macho', machine: 0x0100000c },
  { target: 'win32-x64', platform: 'win32', arch: 'x64', format: 'pe', machine: 0x8664 },
  { target: 'win32-arm64', platform: 'win32', arch: 'arm64', format: 'pe', machine: 0xaa64 },
] as const;

/** The machine (CPU) field of an ELF, Mach-O or PE file. */
function machineOf(file: string, format: 'elf' | 'macho' | 'pe'): number {
  const b = fs.readFileSync(file);
  if (format === 'elf') {
    expect(b.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    return b.readUInt16LE(18);
  }
  if (format === 'macho') {
    expect(b.readUInt32LE(0)).toBe(0xfeedfacf); // 64-bit Mach-O, little-endian
    return b.readUInt32LE(4);
  }
  expect(b.subarray(0, 2).toString('latin1')).toBe('MZ');
  const pe = b.readUInt32LE(0x3c);
  expect(b.subarray(pe, pe + 4).toString('latin1')).toBe('PE\0\0');
  return b.readUInt16LE(pe + 4);
}

describe('the SQLite binary', () => {
  it('installs without compiling: no install script, no node-gyp build', () => {
    expect(Number(pkg.version.split('.')[0])).toBeGreaterThanOrEqual(13);
    expect(pkg.gypfile).toBe(false);
    for (const hook of ['preinstall', 'install', 'postinstall']) expect(pkg.scripts?.[hook], hook).toBeUndefined();
    // npm still infers `node-gyp rebuild` from the binding.gyp the package carries (it needs
    // Python and a C++ toolchain, and only stamps the prebuilt binary): our package.json denies it.
    const ours = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean> };
    expect(ours.allowScripts['better-sqlite3']).toBe(false);
    expect(fs.existsSync(path.join(pkgDir, 'build'))).toBe(false);
  });

  it('is opened the same way everywhere: no code picks another SQLite binary', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.(ts|mjs|js|svelte)$/.test(e.name) && !e.name.endsWith('.test.ts') && /nativeBinding|SQLITE_BINDING/.test(fs.readFileSync(p, 'utf8'))) offenders.push(p);
      }
    };
    const root = path.join(import.meta.dirname, '..');
    for (const dir of ['db', 'services', 'host', 'main', 'cli', 'trainer', 'scripts']) walk(path.join(root, dir));
    expect(offenders).toEqual([]);
  });

  it.each(TARGETS)('carries a $target binary of the right format and CPU', ({ target, format, machine }) => {
    expect(machineOf(path.join(pkgDir, 'prebuilds', `${target}.node`), format)).toBe(machine);
  });

  it.each(TARGETS)('picks the $target binary in a process that runs as $platform/$arch (Electron under Rosetta included)', ({ target, platform, arch }) => {
    // A separate process whose platform and arch are set before better-sqlite3 decides.
    const script = `
      Object.defineProperty(process, 'platform', { value: ${JSON.stringify(platform)} });
      Object.defineProperty(process, 'arch', { value: ${JSON.stringify(arch)} });
      process.stdout.write(String(require(${JSON.stringify(path.join(pkgDir, 'lib', 'binding.js'))}).getPrebuildPath()));
    `;
    const res = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(res.stderr).toBe('');
    expect(res.stdout).toBe(path.join(pkgDir, 'prebuilds', `${target}.node`));
  });

  it('loads in this Node and opens a database', async () => {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(':memory:');
    expect(db.prepare('select 40 + 2 as v').get()).toEqual({ v: 42 });
    db.close();
  });
});
