import Database from 'better-sqlite3';
import { parentPort } from 'node:worker_threads';
import { BundleRepo } from '../db/bundle.repo';
import { BundleService, decodeBase64 } from './bundle.service';
import { computeConfounderTest } from './confounder-job';
import { RunsRepo } from '../db/runs.repo';
import { SweepsRepo } from '../db/sweeps.repo';
import { EXPERIMENTS } from '../experiments/registry';
import { ServiceError } from './errors';
import { EventBus } from './event-bus';
import type { BundleImportJob, ConfounderJob, FromWorker, Job, SerializedError, ToWorker } from './offthread-protocol';

/**
 * The host's worker thread: bundle imports (inflate, parse, hash, validate, store) and confounder
 * analyses run here, so the host's event loop keeps serving while they work. An import opens its
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

function serialize(err: unknown): SerializedError {
  if (err instanceof ServiceError) return { code: err.code, name: err.name, message: err.message, issues: err.issues };
  return { name: (err as Error)?.name ?? 'Error', message: (err as Error)?.message ?? String(err) };
}

function run(job: Job, id: number): unknown {
  return job.kind === 'bundle-import' ? importBundle(job, id) : confounders(job);
}

port.on('message', ({ id, job }: ToWorker) => {
  try {
    port.postMessage({ id, type: 'done', result: run(job, id) } satisfies FromWorker);
  } catch (err) {
    port.postMessage({ id, type: 'failed', error: serialize(err) } satisfies FromWorker);
  }
});
