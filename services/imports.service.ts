import type { ImportCommitResult, ImportPreview } from '../contract/imports';
import type { ProjectsRepo } from '../db/projects.repo';
import type { RunsRepo } from '../db/runs.repo';
import type { EventBus } from './event-bus';
import type { ExternalRunsService } from './external-runs.service';
import { runOffThread } from './offthread';
import type { Clock } from './projects.service';
import { commitImport, previewImport, type CommitInput, type ImportProgressListener, type PreviewInput } from './run-import';

export interface ImportsDeps {
  runs: RunsRepo;
  projects: ProjectsRepo;
  externalRuns: ExternalRunsService;
  events: EventBus;
  clock: Clock;
  appVersion: string;
  /** Where the worker thread opens its own connection; without it, imports run in-thread (tests). */
  worker?: { databasePath: string };
}

/**
 * The app's import of runs from a path on the host (the Runs tab's Import dialog): preview, then
 * commit. Reading a million points takes seconds, so both run on the worker thread, with progress
 * pushed as `imports:progress` events.
 */
export class ImportsService {
  constructor(private readonly d: ImportsDeps) {}

  private readonly progress: ImportProgressListener = (p) => this.d.events.emit({ type: 'imports:progress', ...p });

  preview(input: PreviewInput): Promise<ImportPreview> {
    const w = this.d.worker;
    if (!w) return previewImport(this.d, input, this.progress);
    return runOffThread({ kind: 'import-preview', databasePath: w.databasePath, projectId: input.projectId, path: input.path }, { onProgress: this.progress });
  }

  async commit(input: CommitInput): Promise<ImportCommitResult> {
    const w = this.d.worker;
    // In-thread, the store announces its runs itself.
    if (!w) return commitImport(this.d, input, this.progress);
    const result = await runOffThread(
      {
        kind: 'import-commit',
        databasePath: w.databasePath,
        projectId: input.projectId,
        path: input.path,
        expect: input.expect,
        include: input.include,
        appVersion: this.d.appVersion,
        now: this.d.clock(),
      },
      { onProgress: this.progress },
    );
    // The worker's store wrote over its own connection: this host's lists learn of it here.
    if (result.added.length > 0) this.d.events.emit({ type: 'runs:changed', ids: result.added.map((a) => a.id), projectId: input.projectId });
    return result;
  }
}
