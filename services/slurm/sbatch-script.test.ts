import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { arraySpec, renderSbatchScript, sbatchArgs, shellQuote, workdirProblem } from './sbatch-script';

const base = {
  sweepId: '6219d444-7dea-496e-ba61-daac423b21f0',
  experiment: 'double-descent',
  tasks: 4,
  workdir: '/shared/sweeps/6219d444',
  node: '/usr/bin/node',
  cli: '/home/me/phenobook/bin/phenobook.js',
};

describe('sbatch script', () => {
  it('runs phenobook by absolute path on the task spec of $SLURM_ARRAY_TASK_ID, with a database per task', () => {
    const script = renderSbatchScript(base);
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(script).toContain('#SBATCH --job-name=phenobook-6219d444');
    expect(script).toContain('#SBATCH --output="/shared/sweeps/6219d444/tasks/%a/slurm-%A_%a.log"');
    expect(script).toContain('TASK="$WORKDIR/tasks/$SLURM_ARRAY_TASK_ID"');
    expect(script).toContain('/usr/bin/node /home/me/phenobook/bin/phenobook.js run --spec "$TASK/spec.json" --data-dir "$TASK/data" --json');
    expect(script).toContain('mv -f "$TASK/result.json.part" "$TASK/result.json"');
    expect(script).toContain('#   sbatch --array=0-3 /shared/sweeps/6219d444/sweep.sbatch');
    expect(script).not.toMatch(/--partition|--time|--cpus-per-task|--gpus-per-task/);
  });

  it('adds resource directives only when asked', () => {
    const script = renderSbatchScript({ ...base, partition: 'gpu', time: '02:00:00', cpusPerTask: 2, gpusPerTask: 1, maxParallel: 8 });
    expect(script).toContain('#SBATCH --partition=gpu\n#SBATCH --time=02:00:00\n#SBATCH --cpus-per-task=2\n#SBATCH --gpus-per-task=1\n');
    expect(script).toContain('#   sbatch --array=0-3%8 ');
  });

  it('quotes paths with spaces and quotes safely for the shell', () => {
    const script = renderSbatchScript({ ...base, workdir: "/shared/my sweeps/it's", cli: '/opt/pheno book/bin/phenobook.js' });
    expect(script).toContain(`WORKDIR='/shared/my sweeps/it'\\''s'`);
    expect(script).toContain(`'/opt/pheno book/bin/phenobook.js' run`);
    expect(shellQuote('plain/path-1.2')).toBe('plain/path-1.2');
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote('$HOME')).toBe("'$HOME'");
  });

  it('runs under bash as an array task: quoted paths arrive whole, the result moves into place with the exit status', () => {
    const workdir = fs.mkdtempSync(path.join(os.tmpdir(), "phenobook sbatch it's-"));
    try {
      fs.mkdirSync(path.join(workdir, 'tasks', '1'), { recursive: true });
      // `node` is a stand-in that prints its arguments one per line, then fails.
      const fake = path.join(workdir, 'fake node');
      fs.writeFileSync(fake, '#!/bin/sh\nfor a in "$@"; do echo "$a"; done\nexit 3\n', { mode: 0o755 });
      const file = path.join(workdir, 'sweep.sbatch');
      fs.writeFileSync(file, renderSbatchScript({ ...base, workdir, node: fake, cli: '/opt/pheno book/bin/phenobook.js' }));
      expect(spawnSync('bash', ['-n', file]).status).toBe(0);
      const run = spawnSync('bash', [file], { env: { ...process.env, SLURM_ARRAY_TASK_ID: '1' }, encoding: 'utf8' });
      expect(run.status).toBe(3);
      const task = path.join(workdir, 'tasks', '1');
      expect(fs.readFileSync(path.join(task, 'result.json'), 'utf8').split('\n')).toEqual([
        '/opt/pheno book/bin/phenobook.js', 'run', '--spec', `${task}/spec.json`, '--data-dir', `${task}/data`, '--json', '',
      ]);
      const outside = spawnSync('bash', [file], { env: { ...process.env, SLURM_ARRAY_TASK_ID: '' }, encoding: 'utf8' });
      expect(outside.status).not.toBe(0);
      expect(outside.stderr).toMatch(/runs as a job array/);
    } finally {
      fs.rmSync(workdir, { recursive: true, force: true });
    }
  });

  it('refuses work directories sbatch cannot take', () => {
    expect(workdirProblem('relative/dir')).toMatch(/absolute/);
    expect(workdirProblem('/a%b')).toMatch(/%/);
    expect(workdirProblem('/a"b')).toMatch(/"/);
    expect(workdirProblem('/a\nb')).toMatch(/line break/);
    expect(workdirProblem('/fine dir/x')).toBeNull();
    expect(() => renderSbatchScript({ ...base, workdir: '/x%y' })).toThrow(/workdir/);
  });

  it('writes array specs as ranges with an optional parallel limit', () => {
    expect(arraySpec([0, 1, 2, 3])).toBe('0-3');
    expect(arraySpec([0, 1, 2, 3], 2)).toBe('0-3%2');
    expect(arraySpec([3, 1])).toBe('1,3');
    expect(arraySpec([0, 1, 2, 5, 7, 8], 4)).toBe('0-2,5,7-8%4');
    expect(arraySpec([4])).toBe('4');
    expect(() => arraySpec([])).toThrow();
    expect(sbatchArgs('/w/sweep.sbatch', [0, 1], 1)).toEqual(['--parsable', '--array=0-1%1', '/w/sweep.sbatch']);
  });
});
