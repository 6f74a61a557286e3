import type { SlurmSweepInfo, Sweep, SweepStatus } from '../../../contract/sweeps';
import { duration } from './runs-format';

/** "width × 2 seeds" / "width 8, 16 × 2 seeds" */
export function describeGrid(s: Pick<Sweep, 'grid' | 'seeds'>): string {
  const axes = s.grid.map((a) => (a.values.length <= 6 ? `${a.key} ${a.values.join(', ')}` : `${a.key} (${a.values.length} values)`));
  return `${axes.join(' × ') || 'one config'} × ${s.seeds} ${s.seeds === 1 ? 'seed' : 'seeds'}`;
}

/** "3/8 runs · 41% · ETA 2 min 10 s" */
export function describeProgress(s: Pick<Sweep, 'progress' | 'status'>): string {
  const p = s.progress;
  const finished = p.runs - (p.byStatus.queued ?? 0) - (p.byStatus.running ?? 0);
  const parts = [`${finished}/${p.runs} runs`, `${p.stepsTotal ? Math.floor((100 * p.stepsDone) / p.stepsTotal) : 0}%`];
  const failed = (p.byStatus.failed ?? 0) + (p.byStatus.diverged ?? 0);
  if (failed) parts.push(`${failed} failed`);
  if (s.status === 'running' && p.etaSeconds !== null) parts.push(`ETA ${duration(p.etaSeconds)}`);
  return parts.join(' · ');
}

const STATUS_WORDS: Record<SweepStatus, string> = {
  running: 'Running',
  done: 'Finished',
  cancelled: 'Cancelled',
  submitted: 'Submitted',
  partial: 'Waiting for collect',
  failed: 'Finished with failures',
};

export function describeStatus(status: SweepStatus): string {
  return STATUS_WORDS[status];
}

/**
 * Which SLURM job a sweep runs as: "SLURM job 4242" (every job, or the latest with `latest`), or for
 * a sweep written with --no-submit "SLURM · awaiting submission (run: sbatch …)" until a job id is
 * recorded or a task reports (the command is left out with `latest`, for lists).
 */
export function describeSlurmJob(s: Pick<SlurmSweepInfo, 'jobIds' | 'handCommand' | 'awaitingSubmission'>, opts: { latest?: boolean } = {}): string {
  if (s.awaitingSubmission) return opts.latest || !s.handCommand ? 'SLURM · awaiting submission' : `SLURM · awaiting submission (run: ${s.handCommand})`;
  if (s.jobIds.length === 0) return 'SLURM · submitted by hand (no job id recorded)';
  return `SLURM job ${opts.latest ? s.jobIds.at(-1)! : s.jobIds.join(', ')}`;
}
