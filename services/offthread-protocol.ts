import type { ConfounderTest } from '../contract/confounders';
import type { BundleImportResult, BundleProgress } from '../contract/bundle';
import type { ApiErrorCode, FieldIssue } from '../contract/result';
import type { ComputedConfounderTest } from './confounder-job';

/** Messages between the host and its off-thread worker (services/offthread-worker.ts). */

export interface BundleImportJob {
  kind: 'bundle-import';
  databasePath: string;
  /** The bundle file: bytes (transferred, not copied), or base64 as the operation carried it (decoded on the worker). */
  data: Uint8Array | string;
  appVersion: string;
  schemaVersion: number;
  /** The host clock's time, for what the import stamps (closed sweeps). */
  now: string;
}

/** A confounder test's computation (observations and analysis), over the worker's own connection. */
export interface ConfounderJob {
  kind: 'confounders';
  databasePath: string;
  settings: ConfounderTest['settings'];
}

export type Job = BundleImportJob | ConfounderJob;
export type JobResult<J extends Job> = J extends BundleImportJob ? BundleImportResult : ComputedConfounderTest;

export interface SerializedError {
  /** Set for a ServiceError (a BundleError keeps its name). */
  code?: ApiErrorCode;
  name: string;
  message: string;
  issues?: FieldIssue[];
}

export type ToWorker = { id: number; job: Job };
export type FromWorker =
  | { id: number; type: 'progress'; progress: BundleProgress }
  | { id: number; type: 'done'; result: unknown }
  | { id: number; type: 'failed'; error: SerializedError };
