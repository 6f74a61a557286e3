import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * How Phenobook reaches SLURM: its client commands on PATH, run without a shell. Nothing is
 * stored about the cluster (no hosts, no credentials): whoever runs `phenobook` is the user
 * SLURM sees. Tests pass a fake.
 */
export interface Scheduler {
  /** Whether a command (sbatch, squeue, sacct) is on PATH. */
  has(command: 'sbatch' | 'squeue' | 'sacct'): boolean;
  /** Runs sbatch; resolves its stdout, rejects with its stderr. */
  sbatch(args: readonly string[]): Promise<string>;
  /** squeue/sacct output, or null when the command is missing or fails (e.g. accounting disabled). */
  query(command: 'squeue' | 'sacct', args: readonly string[]): Promise<string | null>;
}

export function onPath(command: string, env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, command);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

function run(command: string, args: readonly string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 60_000, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ stdout, stderr: stderr || (err ? err.message : ''), code });
    });
  });
}

export function commandScheduler(): Scheduler {
  return {
    has: (command) => onPath(command) !== null,
    async sbatch(args) {
      const r = await run('sbatch', args);
      if (r.code !== 0) throw new Error(`sbatch failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
      return r.stdout;
    },
    async query(command, args) {
      if (!onPath(command)) return null;
      const r = await run(command, args);
      return r.code === 0 ? r.stdout : null;
    },
  };
}
