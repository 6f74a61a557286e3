import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Figure, FigureCreateSchema, FigureSummary, NoteFigureLinkSchema } from '../contract/figures';
import type { Note } from '../contract/notes';
import type { FiguresRepo } from '../db/figures.repo';
import type { NotesRepo } from '../db/notes.repo';
import type { ProjectsRepo } from '../db/projects.repo';
import { notFound, ServiceError } from './errors';
import type { EventBus } from './event-bus';
import type { Clock } from './projects.service';
import { sanitizeSvg } from './svg-sanitize';

/** Saved charts with their provenance, citable in checklist answers and attachable to notes. */
export class FiguresService {
  constructor(
    private readonly repo: FiguresRepo,
    private readonly notes: NotesRepo,
    private readonly projects: ProjectsRepo,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  create(input: z.output<typeof FigureCreateSchema>): FigureSummary {
    if (!this.projects.get(input.projectId)) throw notFound('Project', input.projectId);
    const id = randomUUID();
    const svg = sanitizeSvg(input.svg);
    if (!svg) throw new ServiceError('invalid_input', 'The figure has no SVG content left once sanitised', [{ path: 'svg', message: 'no SVG content' }]);
    this.repo.insert({ id, ...input, svg, now: this.clock() });
    this.changed(input.projectId);
    const { svg: _svg, ...summary } = this.get(id);
    return summary;
  }

  get(id: string): Figure {
    const f = this.repo.get(id);
    if (!f) throw notFound('Figure', id);
    // What leaves (Download SVG, reports) is sanitised again: figures stored before the sanitiser existed.
    return { ...f, svg: sanitizeSvg(f.svg) };
  }

  list(projectId: string): FigureSummary[] {
    if (!this.projects.get(projectId)) throw notFound('Project', projectId);
    return this.repo.list(projectId);
  }

  delete(id: string): { id: string } {
    const f = this.get(id);
    this.repo.delete(id);
    this.changed(f.projectId);
    return { id };
  }

  linkToNote(input: z.output<typeof NoteFigureLinkSchema>): Note {
    const note = this.notes.get(input.id);
    if (!note) throw notFound('Note', input.id);
    const figure = this.repo.get(input.figureId);
    if (input.linked && (!figure || figure.projectId !== note.projectId)) {
      throw new ServiceError('invalid_input', figure ? 'That figure belongs to another project' : `No figure ${input.figureId}`, [
        { path: 'figureId', message: figure ? 'The figure is not in this project' : 'No such figure' },
      ]);
    }
    this.repo.setNoteLink(input.id, input.figureId, input.linked);
    this.events.emit({ type: 'notebook:changed', projectId: note.projectId, what: 'notes' });
    return this.notes.get(input.id)!;
  }

  private changed(projectId: string): void {
    this.events.emit({ type: 'notebook:changed', projectId, what: 'figures' });
  }
}
