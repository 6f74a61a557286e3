import type { ConfounderTest } from '../contract/confounders';
import type { BundleImportResult, BundleProgress } from '../contract/bundle';
import type { ImportCommitResult, ImportPreview, ImportProgressEvent } from '../contract/imports';
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

/** Runs read from a path on the host: looked at (preview) or stored (commit), over the worker's own connection. */
export interface ImportPreviewJob {
  kind: 'import-preview';
  databasePath: string;
  projectId: string;
  path: string;
}

export interface ImportCommitJob {
  kind: 'import-commit';
  databasePath: string;
  projectId: string;
  path: string;
  expect: string[];
  include?: string[];
  appVersion: string;
  /** The host clock's time, for what the store stamps. */
  now: string;
}

export type Job = BundleImportJob | ConfounderJob | ImportPreviewJob | ImportCommitJob;
export type JobResult<J extends Job> = J extends BundleImportJob
  ? BundleImportResult
  : J extends ImportPreviewJob
    ? ImportPreview
    : J extends ImportCommitJob
      ? ImportCommitResult
      : ComputedConfounderTest;
export type JobProgress<J extends Job> = J extends ImportPreviewJob | ImportCommitJob ? ImportProgressEvent : BundleProgress;

export interface SerializedError {
  /** Set for a ServiceError (a BundleError keeps its name). */
  code?: ApiErrorCode;
  name: string;
  message: string;
  issues?: FieldIssue[];
}

export type ToWorker = { id: number; job: Job };
export type FromWorker =
  | { id: number; type: 'progress'; progress: BundleProgress | ImportProgressEvent }
  | { id: number; type: 'done'; result: unknown }
  | { id: number; type: 'failed'; error: SerializedError };
