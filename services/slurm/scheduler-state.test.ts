import { describe, expect, it } from 'vitest';
import { mergeStates, parseSacct, parseSbatchJobId, parseSqueue } from './scheduler-state';

// Captured on the one-node test cluster (SLURM 22.05, Debian 12) while a 4-task array ran two at a time.
const SQUEUE_R = `5_2|PENDING
5_3|PENDING
5_0|RUNNING
5_1|RUNNING
`;
const SQUEUE_COLLAPSED = `5_[2-3%2]|PENDING
5_0|RUNNING
5_1|RUNNING
`;
// sacct -n -P -X -o JobID,State,ExitCode in SLURM's documented format: the test cluster runs without
// accounting (sacct says "Slurm accounting storage is disabled"), so this one is not captured.
const SACCT = `5_0|CANCELLED by 0|0:15
5_1|COMPLETED|0:0
5_2|FAILED|1:0
5_3|TIMEOUT|0:0
5_[4-5]|PENDING|0:0
`;

describe('scheduler state parsing', () => {
  it('reads squeue -r lines, one per task', () => {
    expect(parseSqueue(SQUEUE_R).map((t) => [t.jobId, t.index, t.state])).toEqual([
      ['5', 2, 'pending'],
      ['5', 3, 'pending'],
      ['5', 0, 'running'],
      ['5', 1, 'running'],
    ]);
  });

  it('expands the collapsed pending line squeue prints without -r', () => {
    expect(parseSqueue(SQUEUE_COLLAPSED).map((t) => [t.index, t.state])).toEqual([
      [2, 'pending'],
      [3, 'pending'],
      [0, 'running'],
      [1, 'running'],
    ]);
  });

  it('reads sacct states and exit codes; anything ended but COMPLETED is a failure', () => {
    const tasks = parseSacct(SACCT);
    expect(tasks.map((t) => [t.index, t.state, t.raw, t.exitCode])).toEqual([
      [0, 'failed', 'CANCELLED by 0', '0:15'],
      [1, 'completed', 'COMPLETED', '0:0'],
      [2, 'failed', 'FAILED', '1:0'],
      [3, 'failed', 'TIMEOUT', '0:0'],
      [4, 'pending', 'PENDING', '0:0'],
      [5, 'pending', 'PENDING', '0:0'],
    ]);
  });

  it('ignores headers, steps and blank lines', () => {
    expect(parseSqueue('JOBID|STATE\n\n5|RUNNING\n5_1.batch|RUNNING\n')).toEqual([]);
    expect(parseSacct('5_1.batch|COMPLETED|0:0\n5_1.extern|COMPLETED|0:0\n')).toEqual([]);
  });

  it('lets live squeue win over sacct for the same task', () => {
    const merged = mergeStates(parseSqueue('5_1|RUNNING\n'), parseSacct('5_1|PENDING|0:0\n5_0|COMPLETED|0:0\n'));
    expect(merged.get('5_1')?.state).toBe('running');
    expect(merged.get('5_0')?.state).toBe('completed');
  });

  it('reads the job id sbatch --parsable prints', () => {
    expect(parseSbatchJobId('1234\n')).toBe('1234');
    expect(parseSbatchJobId('1234;cluster\n')).toBe('1234');
    expect(parseSbatchJobId('sbatch: error: invalid partition\n')).toBeNull();
  });
});
