import { describe, expect, it } from 'vitest';
import { describeSlurmJob } from './sweep-format';

describe('describeSlurmJob', () => {
  const cmd = 'sbatch --parsable --array=0-3 /scratch/w/sweep.sbatch';
  it('names the jobs of a submitted sweep (the latest one in lists)', () => {
    expect(describeSlurmJob({ jobIds: ['100', '101'], handCommand: null, awaitingSubmission: false })).toBe('SLURM job 100, 101');
    expect(describeSlurmJob({ jobIds: ['100', '101'], handCommand: null, awaitingSubmission: false }, { latest: true })).toBe('SLURM job 101');
  });
  it('a sweep written for submission by hand shows the command until a job id is recorded or tasks report', () => {
    expect(describeSlurmJob({ jobIds: [], handCommand: cmd, awaitingSubmission: true })).toBe(`SLURM · awaiting submission (run: ${cmd})`);
    expect(describeSlurmJob({ jobIds: [], handCommand: cmd, awaitingSubmission: true }, { latest: true })).toBe('SLURM · awaiting submission');
    expect(describeSlurmJob({ jobIds: [], handCommand: cmd, awaitingSubmission: false })).toBe('SLURM · submitted by hand (no job id recorded)');
    expect(describeSlurmJob({ jobIds: ['7'], handCommand: cmd, awaitingSubmission: false })).toBe('SLURM job 7');
  });
});
