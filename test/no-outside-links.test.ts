// The repository stands on its own: no README, doc, help text or source file points to a file
// outside it (the background notes once lived in ../shared, which a clone does not have).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const SKIP = new Set(['node_modules', 'out', '.git', 'test-results', 'playwright-report', 'screenshots']);
const TEXT = /\.(ts|js|mjs|cjs|svelte|md|sh|py|css|html|json|sql|txt)$/;

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (SKIP.has(e.name)) return [];
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return files(p);
    return TEXT.test(e.name) || p.endsWith(path.join('.ci', 'run')) ? [p] : [];
  });
}

/** `../shared…` anywhere, or `shared/…` as a relative path (an absolute `/shared/…` example path is fine). */
const OUTSIDE = /\.\.\/+shared\b|(?<![\w/.-])shared\/[\w.-]/g;
/** The background notes by name: none of them is in the repository (docs/ has its own pages). */
const NOTES = /(?<![\w/-])(DESIGN|EXPERIMENTS|CLI|SLURM|STYLE)\.md\b/g;

describe('links and references', () => {
  const all = [path.join(ROOT, 'README.md'), ...files(ROOT).filter((f) => f !== path.join(ROOT, 'README.md'))];
  const self = path.join(ROOT, 'test', 'no-outside-links.test.ts');

  it('scans the README, docs/ and the sources', () => {
    const rel = all.map((f) => path.relative(ROOT, f));
    expect(rel).toContain('README.md');
    expect(rel).toContain(path.join('docs', 'cli.md'));
    expect(rel).toContain(path.join('cli', 'phenobook.ts'));
    expect(rel.length).toBeGreaterThan(200);
  });

  it('finds no reference to ../shared or to notes the repository lacks', () => {
    const hits: string[] = [];
    for (const f of all) {
      if (f === self) continue;
      fs.readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          for (const m of [...line.matchAll(OUTSIDE), ...line.matchAll(NOTES)]) hits.push(`${path.relative(ROOT, f)}:${i + 1}: ${m[0]}`);
        });
    }
    expect(hits).toEqual([]);
  });

  it('resolves every relative Markdown link in the README and docs/ to a file in the repository', () => {
    const broken: string[] = [];
    for (const f of all.filter((x) => x.endsWith('.md'))) {
      for (const m of fs.readFileSync(f, 'utf8').matchAll(/\]\(([^)\s#]+)(#[^)\s]*)?\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
        const resolved = path.resolve(path.dirname(f), target);
        if (!resolved.startsWith(ROOT + path.sep) || !fs.existsSync(resolved)) broken.push(`${path.relative(ROOT, f)}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('catches what it is for', () => {
    expect('see ../shared/CLI.md'.match(OUTSIDE)).not.toBeNull();
    expect('(shared/DESIGN.md)'.match(OUTSIDE)).not.toBeNull();
    expect("workdir: '/shared/sweeps/6219d444'".match(OUTSIDE)).toBeNull();
    expect('EXPERIMENTS.md §4'.match(NOTES)).not.toBeNull();
    expect('docs/experiments.md §4'.match(NOTES)).toBeNull();
  });
});
