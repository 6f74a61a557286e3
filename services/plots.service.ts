import type { MetricRead, RunValue } from '../contract/plots';
import type { PlotsRepo } from '../db/plots.repo';
import type { ProjectsRepo } from '../db/projects.repo';
import { notFound } from './errors';

/** What the plot builder reads from the database: one number per run and metric. */
export class PlotsService {
  constructor(
    private readonly repo: PlotsRepo,
    private readonly projects: ProjectsRepo,
  ) {}

  values(projectId: string, read: MetricRead): RunValue[] {
    if (!this.projects.get(projectId)) throw notFound('Project', projectId);
    return this.repo.values(projectId, read);
  }
}
