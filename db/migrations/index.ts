import m0010 from './0010-projects';
import m0020 from './0020-runs';
import m0030 from './0030-checklist';
import m0040 from './0040-notebook';
import m0050 from './0050-sweeps';
import m0060 from './0060-figures';
import m0070 from './0070-confounders';
import m0080 from './0080-slurm';
import m0100 from './0100-experiment-sources';
import m0110 from './0110-external-runs';
import m0120 from './0120-attachments';
import m0130 from './0130-metric-roles';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Numbered in gaps of ten; `PRAGMA user_version` holds the last one applied. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 10, name: 'projects', sql: m0010 },
  { version: 20, name: 'runs', sql: m0020 },
  { version: 30, name: 'checklist', sql: m0030 },
  { version: 40, name: 'notebook', sql: m0040 },
  { version: 50, name: 'sweeps', sql: m0050 },
  { version: 60, name: 'figures', sql: m0060 },
  { version: 70, name: 'confounders', sql: m0070 },
  { version: 80, name: 'slurm', sql: m0080 },
  { version: 100, name: 'experiment-sources', sql: m0100 },
  { version: 110, name: 'external-runs', sql: m0110 },
  { version: 120, name: 'attachments', sql: m0120 },
  { version: 130, name: 'metric-roles', sql: m0130 },
];

export const LATEST_VERSION = MIGRATIONS.at(-1)?.version ?? 0;
