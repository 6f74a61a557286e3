import os from 'node:os';
import path from 'node:path';
import { ImportError, type ImportPlan } from '../common/external-run';
import {
  PREVIEW_CONFIG_KEYS,
  PREVIEW_CONFIG_VALUE_CHARS,
  PREVIEW_METRICS,
  PREVIEW_NOTES,
  type ImportCommitResult,
  type ImportPreview,
  type ImportProgressEvent,
} from '../contract/imports';
import type { ProjectsRepo } from '../db/projects.repo';
import type { RunsRepo } from '../db/runs.repo';
import { notFound, ServiceError } from './errors';
import type { ExternalRunsService } from './external-runs.service';

/**
 * The two steps of importing runs from a path on the host: look (a summary, nothing written) and
 * store exactly what was looked at. Runs on the worker thread (offthread-worker.ts) or, in tests,
 * in-thread (imports.service.ts); either way the points never leave this side.
 */

export type ImportProgressListener = (p: ImportProgressEvent) => void;

/** `~/…` is the host user's home; anything else is taken as given (the schema requires it absolute). */
export function expandHome(p: string): string {
  return p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p;
}

/** At most one event per interval, but always the last one (done === total): progress must not flood the event stream. */
function throttled(listener: ImportProgressListener | undefined, ms = 50): ImportProgressListener {
  let last = 0;
  return (p) => {
    const now = performance.now();
    if (p.done < p.total && now - last < ms) return;
    last = now;
    listener?.(p);
  };
}

/** Reads the path with the reader it needs (JSON lines by extension, the rest by readImport); a refusal is invalid input. */
export async function readForImport(input: string, onProgress?: ImportProgressListener): Promise<ImportPlan> {
  const file = expandHome(input);
  const report = throttled(onProgress);
  try {
    if (/\.(jsonl|ndjson)$/i.test(file)) {
      report({ phase: 'reading', done: 0, total: 1 });
      const plan = await (await import('./importers/jsonl')).readJsonLines(file);
      report({ phase: 'reading', done: 1, total: 1 });
      return plan;
    }
    // The readers (protobufjs, yaml, csv-parse) load only when an import runs.
    const { readImport } = await import('./importers/index');
    return await readImport(file, { onProgress: ({ done, total }) => report({ phase: 'reading', done, total }) });
  } catch (err) {
    if (err instanceof ImportError) throw new ServiceError('invalid_input', err.message, [{ path: 'path', message: err.message }]);
    throw err;
  }
}

const shown = (value: unknown): string => {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > PREVIEW_CONFIG_VALUE_CHARS ? `${text.slice(0, PREVIEW_CONFIG_VALUE_CHARS - 1)}…` : text;
};

/** The plan as the researcher sees it: names, sizes, trimmed configs, hashes; never the points. */
export function previewOf(file: string, plan: ImportPlan, has: (contentHash: string) => boolean): ImportPreview {
  const seen = new Set<string>();
  const runs = plan.runs.map((run) => {
    const metrics = Object.keys(run.metrics);
    const config = Object.entries(run.config);
    // A second run of this import with the same content is skipped by the store as well.
    const alreadyImported = seen.has(run.contentHash) || has(run.contentHash);
    seen.add(run.contentHash);
    return {
      name: run.name,
      experiment: run.experiment,
      metrics: metrics.slice(0, PREVIEW_METRICS),
      metricCount: metrics.length,
      points: Object.values(run.metrics).reduce((n, s) => n + s.steps.length, 0),
      config: config.slice(0, PREVIEW_CONFIG_KEYS).map(([key, value]) => ({ key, value: shown(value) })),
      configCount: config.length,
      contentHash: run.contentHash,
      alreadyImported,
    };
  });
  return { path: file, source: plan.source, runs, notes: plan.notes.slice(0, PREVIEW_NOTES), notesOmitted: Math.max(0, plan.notes.length - PREVIEW_NOTES) };
}

export interface PreviewInput {
  projectId: string;
  path: string;
}

export async function previewImport(
  d: { runs: RunsRepo; projects: ProjectsRepo },
  input: PreviewInput,
  onProgress?: ImportProgressListener,
): Promise<ImportPreview> {
  if (!d.projects.get(input.projectId)) throw notFound('Project', input.projectId);
  const plan = await readForImport(input.path, onProgress);
  return previewOf(expandHome(input.path), plan, (hash) => d.runs.hasContent(input.projectId, hash));
}

export interface CommitInput extends PreviewInput {
  expect: string[];
  include?: string[];
}

const sorted = (hashes: readonly string[]): string => [...hashes].sort().join(',');

/**
 * Reads the path again and stores it, but only if it still holds exactly the runs the preview
 * showed: files that changed in between are refused whole, nothing written.
 */
export async function commitImport(
  d: { projects: ProjectsRepo; externalRuns: ExternalRunsService },
  input: CommitInput,
  onProgress?: ImportProgressListener,
): Promise<ImportCommitResult> {
  if (!d.projects.get(input.projectId)) throw notFound('Project', input.projectId);
  const expected = new Set(input.expect);
  const stray = input.include?.find((h) => !expected.has(h));
  if (stray) throw new ServiceError('invalid_input', `include names a run the preview did not show (${stray.slice(0, 12)}…)`, [{ path: 'include', message: 'not in expect' }]);
  const plan = await readForImport(input.path, onProgress);
  if (sorted(plan.runs.map((r) => r.contentHash)) !== sorted(input.expect)) {
    throw new ServiceError(
      'conflict',
      `${expandHome(input.path)} changed since you looked (it now holds ${plan.runs.length} ${plan.runs.length === 1 ? 'run' : 'runs'}, not the ${input.expect.length} shown): nothing was imported. Look again.`,
    );
  }
  const include = input.include ? new Set(input.include) : expected;
  const chosen = { ...plan, runs: plan.runs.filter((r) => include.has(r.contentHash)) };
  const report = throttled(onProgress);
  const result = d.externalRuns.store(input.projectId, chosen, ({ done, total }) => report({ phase: 'writing', done, total }));
  return { source: plan.source, ...result, leftOut: plan.runs.length - chosen.runs.length };
}
