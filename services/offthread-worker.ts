import Database from 'better-sqlite3';
import { parentPort } from 'node:worker_threads';
import { BundleRepo } from '../db/bundle.repo';
import { BundleService, decodeBase64 } from './bundle.service';
import { computeConfounderTest } from './confounder-job';
import { ProjectsRepo } from '../db/projects.repo';
import { RunsRepo } from '../db/runs.repo';
import { SweepsRepo } from '../db/sweeps.repo';
import { EXPERIMENTS } from '../experiments/registry';
import { ServiceError } from './errors';
import { EventBus } from './event-bus';
import { ExternalRunsService } from './external-runs.service';
import type { BundleImportJob, ConfounderJob, FromWorker, ImportCommitJob, ImportPreviewJob, Job, SerializedError, ToWorker } from './offthread-protocol';
import { commitImport, previewImport, type ImportProgressListener } from './run-import';

/**
 * The host's worker thread: bundle imports (inflate, parse, hash, validate, store), confounder
 * analyses and run imports from a path (read, summarise, store) run here, so the host's event loop
 * keeps serving while they work. An import opens its
 * own connection to the notebook (WAL: the host keeps reading meanwhile) and writes in one
 * transaction, exactly as an import on the host thread would.
 */

const port = parentPort;
if (!port) throw new Error('offthread-worker runs as a worker thread');

function open(job: { databasePath: string }): Database.Database {
  const db = new Database(job.databasePath);
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return db;
}

/** Reads only: the runs and their metrics, over a connection of its own (WAL: a consistent snapshot). */
function confounders(job: ConfounderJob): unknown {
  const db = open(job);
  try {
    return computeConfounderTest({ runsRepo: new RunsRepo(db), sweeps: new SweepsRepo(db), definition: (e) => EXPERIMENTS.get(e) }, job.settings);
  } finally {
    db.close();
  }
}

function importBundle(job: BundleImportJob, id: number): unknown {
  const db = open(job);
  try {
    const service = new BundleService({
      repo: new BundleRepo(db),
      events: new EventBus(),
      clock: () => job.now,
      appVersion: job.appVersion,
      schemaVersion: job.schemaVersion,
    });
    const bytes = typeof job.data === 'string' ? decodeBase64(job.data) : job.data;
    return service.import(bytes, (progress) => port!.postMessage({ id, type: 'progress', progress } satisfies FromWorker));
  } finally {
    db.close();
  }
}

const progressOf = (id: number): ImportProgressListener => (progress) => port!.postMessage({ id, type: 'progress', progress } satisfies FromWorker);

/** Reads the path and summarises it; only the summary (no points) goes back to the host. */
async function previewRuns(job: ImportPreviewJob, id: number): Promise<unknown> {
  const db = open(job);
  try {
    return await previewImport({ runs: new RunsRepo(db), projects: new ProjectsRepo(db) }, job, progressOf(id));
  } finally {
    db.close();
  }
}

/** Reads the path again and stores it; the host announces the new runs (this thread's events go nowhere). */
async function commitRuns(job: ImportCommitJob, id: number): Promise<unknown> {
  const db = open(job);
  try {
    const runs = new RunsRepo(db);
    const projects = new ProjectsRepo(db);
    const externalRuns = new ExternalRunsService({ runs, projects, events: new EventBus(), clock: () => job.now, appVersion: job.appVersion });
    return await commitImport({ projects, externalRuns }, job, progressOf(id));
  } finally {
    db.close();
  }
}

function serialize(err: unknown): SerializedError {
  if (err instanceof ServiceError) return { code: err.code, name: err.name, message: err.message, issues: err.issues };
  return { name: (err as Error)?.name ?? 'Error', message: (err as Error)?.message ?? String(err) };
}

function run(job: Job, id: number): unknown {
  switch (job.kind) {
    case 'bundle-import':
      return importBundle(job, id);
    case 'confounders':
      return confounders(job);
    case 'import-preview':
      return previewRuns(job, id);
    case 'import-commit':
      return commitRuns(job, id);
  }
}

// Reading files is asynchronous: a job may answer after later ones (answers go by id).
port.on('message', async ({ id, job }: ToWorker) => {
  try {
    port.postMessage({ id, type: 'done', result: await run(job, id) } satisfies FromWorker);
  } catch (err) {
    port.postMessage({ id, type: 'failed', error: serialize(err) } satisfies FromWorker);
  }
});
