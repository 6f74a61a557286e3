/**
 * How long a CLI command that does not train takes to answer, wall clock, this checkout against
 * the commit before it was made lazy (PHENOBOOK_CLI_BASELINE, default below) checked out into a
 * temporary git worktree — the same commands on the same data folder, alternately, median of the
 * repeats after two warm-up calls each; with GNU time, CPU seconds too (a busy machine inflates wall
 * time, not CPU time). Target: < 0.3 s.
 *
 *   npx tsx bench/cli-start.bench.ts [--quick]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './host.bench';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The last commit that loaded mathjs, marked and the backend module with every command. */
const BASELINE = process.env.PHENOBOOK_CLI_BASELINE ?? 'a985060';
const COMMANDS = [['projects', 'list'], ['runs', 'list', '--json'], ['experiments'], ['--help']];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** GNU time reports the child's CPU seconds (user + system), which a busy machine does not inflate as it does wall time. */
const GNU_TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const CPU_MARK = 'phenobook-cpu-seconds=';

function call(tree: string, args: string[], dataDir: string): { wall: number; cpu: number } {
  const command = [process.execPath, path.join(tree, 'bin', 'phenobook.js'), ...args, '--data-dir', dataDir];
  const t0 = performance.now();
  const r = GNU_TIME
    ? spawnSync(GNU_TIME, ['-f', `${CPU_MARK}%U %S`, ...command], { cwd: tree, encoding: 'utf8' })
    : spawnSync(command[0]!, command.slice(1), { cwd: tree, encoding: 'utf8' });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0 && !(args[0] === '--help' && r.status === 2)) throw new Error(`phenobook ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(0, 300)}`);
  const mark = r.stderr.split('\n').find((l) => l.startsWith(CPU_MARK));
  const cpu = mark ? mark.slice(CPU_MARK.length).split(' ').reduce((sum, v) => sum + Number(v), 0) : Number.NaN;
  return { wall, cpu };
}

function baselineTree(log: (line: string) => void): { dir: string; remove: () => void } | { reason: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-cli-baseline-'));
  const add = spawnSync('git', ['worktree', 'add', '--detach', dir, BASELINE], { cwd: ROOT, encoding: 'utf8' });
  if (add.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    return { reason: `no baseline: git worktree add ${BASELINE} failed (${add.stderr.trim().split('\n').at(-1)})` };
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  log(`building ${BASELINE} in ${dir} (once)…`);
  const built = spawnSync(process.execPath, [path.join(dir, 'scripts', 'build-if-stale.mjs')], { cwd: dir, encoding: 'utf8' });
  const remove = () => {
    spawnSync('git', ['worktree', 'remove', '--force', dir], { cwd: ROOT });
    fs.rmSync(dir, { recursive: true, force: true });
  };
  if (built.status !== 0) {
    remove();
    return { reason: `no baseline: building ${BASELINE} failed` };
  }
  return { dir, remove };
}

export function benchCliStart(options: { quick: boolean; log: (line: string) => void }): BenchRow[] {
  const repeats = options.quick ? 3 : 7;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-cli-bench-'));
  call(ROOT, ['projects', 'create', '--title', 'Bench'], dataDir);
  const base = baselineTree(options.log);
  const rows: BenchRow[] = [];
  try {
    for (const args of COMMANDS) {
      const ours: { wall: number; cpu: number }[] = [];
      const theirs: { wall: number; cpu: number }[] = [];
      for (let i = 0; i < repeats + 2; i++) {
        const a = call(ROOT, args, dataDir);
        const b = 'dir' in base ? call(base.dir, args, dataDir) : { wall: Number.NaN, cpu: Number.NaN };
        if (i < 2) continue; // warm-up: the file cache, and the compile cache where there is one
        ours.push(a);
        theirs.push(b);
      }
      const name = `phenobook ${args.join(' ')}`;
      const m = (xs: { wall: number; cpu: number }[], k: 'wall' | 'cpu') => median(xs.map((x) => x[k]));
      options.log(
        `${name}: ${m(ours, 'wall').toFixed(3)} s wall (${m(ours, 'cpu').toFixed(2)} s CPU) here, ` +
          ('dir' in base ? `${m(theirs, 'wall').toFixed(3)} s wall (${m(theirs, 'cpu').toFixed(2)} s CPU) at ${BASELINE}` : base.reason),
      );
      for (const k of ['wall', 'cpu'] as const) {
        if (k === 'cpu' && !GNU_TIME) continue;
        rows.push({
          name: `${name} (${k === 'wall' ? 'wall clock' : 'CPU time'})`,
          ours: m(ours, k),
          unit: 's',
          reference: 'dir' in base ? m(theirs, k) : null,
          referenceLabel: 'dir' in base ? `the same command at ${BASELINE}, before${k === 'wall' ? ' (target: < 0.3 s)' : ''}` : base.reason,
          higherIsBetter: false,
        });
      }
    }
  } finally {
    if ('dir' in base) base.remove();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const quick = process.argv.includes('--quick');
  for (const r of benchCliStart({ quick, log: (line) => console.error(`  … ${line}`) })) {
    const ratio = r.reference === null ? '' : ` (${(r.reference / r.ours).toFixed(2)}× faster)`;
    console.log(`${r.name}: ${r.ours.toFixed(3)} ${r.unit} vs ${r.reference?.toFixed(3) ?? '—'}${ratio} — ${r.referenceLabel}`);
  }
}
