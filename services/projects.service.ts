import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type {
  Project,
  ProjectArchiveSchema,
  ProjectCreateSchema,
  ProjectListQuerySchema,
  ProjectUpdateSchema,
} from '../contract/projects';
import type { ProjectsRepo } from '../db/projects.repo';
import { notFound, ServiceError } from './errors';
import type { EventBus } from './event-bus';

export type Clock = () => string;
export const systemClock: Clock = () => new Date().toISOString();

export class ProjectsService {
  constructor(
    private readonly repo: ProjectsRepo,
    private readonly events: EventBus,
    private readonly clock: Clock = systemClock,
  ) {}

  list(query: z.output<typeof ProjectListQuerySchema>): Project[] {
    return this.repo.list(query);
  }

  get(id: string): Project {
    const project = this.repo.get(id);
    if (!project) throw notFound('Project', id);
    return project;
  }

  create(input: z.output<typeof ProjectCreateSchema>): Project {
    const id = randomUUID();
    this.repo.insert({ id, ...input, now: this.clock() });
    this.changed(id);
    return this.get(id);
  }

  update(input: z.output<typeof ProjectUpdateSchema>): Project {
    const { id, ...patch } = input;
    if (!this.repo.update(id, patch, this.clock())) throw notFound('Project', id);
    this.changed(id);
    return this.get(id);
  }

  setArchived(input: z.output<typeof ProjectArchiveSchema>): Project {
    const now = this.clock();
    if (!this.repo.setArchived(input.id, input.archived ? now : null, now)) throw notFound('Project', input.id);
    this.changed(input.id);
    return this.get(input.id);
  }

  delete(id: string): { id: string } {
    const active = this.repo.activeRunCount(id);
    if (active > 0) {
      throw new ServiceError('conflict', `This project has ${active} queued or running ${active === 1 ? 'run' : 'runs'}: cancel ${active === 1 ? 'it' : 'them'} before deleting the project`);
    }
    if (!this.repo.delete(id)) throw notFound('Project', id);
    this.changed(id);
    return { id };
  }

  private changed(id: string): void {
    this.events.emit({ type: 'projects:changed', ids: [id] });
  }
}
