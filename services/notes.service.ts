import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Note, NoteCreateSchema, NoteRunLinkSchema, NoteUpdateSchema } from '../contract/notes';
import type { NotesRepo } from '../db/notes.repo';
import type { ProjectsRepo } from '../db/projects.repo';
import type { RunsRepo } from '../db/runs.repo';
import { notFound, ServiceError } from './errors';
import type { EventBus } from './event-bus';
import type { Clock } from './projects.service';

/** Checks that a run exists and belongs to the project it is being linked within. */
export function requireProjectRun(runs: RunsRepo, projectId: string, runId: string, path: string): void {
  const row = runs.getRow(runId);
  if (!row) throw new ServiceError('invalid_input', `Run ${runId} does not exist`, [{ path, message: 'No such run' }]);
  if (row.project_id !== projectId) {
    throw new ServiceError('invalid_input', `Run ${runId.slice(0, 8)} belongs to ${row.project_id ? 'another project' : 'no project'}; link runs of this project`, [
      { path, message: 'The run is not in this project' },
    ]);
  }
}

/** Markdown notes of a project, linked to its runs. */
export class NotesService {
  constructor(
    private readonly repo: NotesRepo,
    private readonly projects: ProjectsRepo,
    private readonly runs: RunsRepo,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  list(projectId: string): Note[] {
    if (!this.projects.get(projectId)) throw notFound('Project', projectId);
    return this.repo.list(projectId);
  }

  get(id: string): Note {
    const note = this.repo.get(id);
    if (!note) throw notFound('Note', id);
    return note;
  }

  create(input: z.output<typeof NoteCreateSchema>): Note {
    if (!this.projects.get(input.projectId)) throw notFound('Project', input.projectId);
    const runIds = [...new Set(input.runIds)];
    runIds.forEach((runId, i) => requireProjectRun(this.runs, input.projectId, runId, `runIds.${i}`));
    const id = randomUUID();
    this.repo.insert({ id, ...input, runIds, now: this.clock() });
    this.changed(input.projectId);
    return this.get(id);
  }

  update(input: z.output<typeof NoteUpdateSchema>): Note {
    const { id, ...patch } = input;
    const note = this.get(id);
    this.repo.update(id, patch, this.clock());
    this.changed(note.projectId);
    return this.get(id);
  }

  delete(id: string): { id: string } {
    const note = this.get(id);
    this.repo.delete(id);
    this.changed(note.projectId);
    return { id };
  }

  linkRun(input: z.output<typeof NoteRunLinkSchema>): Note {
    const note = this.get(input.id);
    if (input.linked) requireProjectRun(this.runs, note.projectId, input.runId, 'runId');
    this.repo.setRunLink(input.id, input.runId, input.linked, this.clock());
    this.changed(note.projectId);
    return this.get(input.id);
  }

  private changed(projectId: string): void {
    this.events.emit({ type: 'notebook:changed', projectId, what: 'notes' });
  }
}
