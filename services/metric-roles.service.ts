import type { z } from 'zod';
import type { MetricRolesSetSchema, MetricRolesState } from '../contract/metric-roles';
import { resolveRoles, suggestRoles, type RoleMap } from '../common/metric-roles';
import type { MetricRolesRepo } from '../db/metric-roles.repo';
import type { ProjectsRepo } from '../db/projects.repo';
import { notFound } from './errors';
import type { EventBus } from './event-bus';

/** A project's metric roles: read, suggested, saved, and the map readers translate through. */
export class MetricRolesService {
  constructor(
    private readonly repo: MetricRolesRepo,
    private readonly projects: ProjectsRepo,
    private readonly events: EventBus,
  ) {}

  get(projectId: string): MetricRolesState {
    if (!this.projects.get(projectId)) throw notFound('Project', projectId);
    const saved = this.repo.get(projectId);
    const names = this.repo.metricNames(projectId);
    return { projectId, saved, effective: resolveRoles(saved), suggested: suggestRoles(names), names };
  }

  set(input: z.output<typeof MetricRolesSetSchema>): MetricRolesState {
    if (!this.projects.get(input.projectId)) throw notFound('Project', input.projectId);
    this.repo.set(input.projectId, input.roles);
    // Run pages, sweep results and charts read through the roles: tell them to read again.
    this.events.emit({ type: 'runs:changed', ids: [], projectId: input.projectId });
    this.events.emit({ type: 'sweeps:changed', ids: [], projectId: input.projectId });
    return this.get(input.projectId);
  }

  /** The map a reader of this project's runs uses (runs outside a project read the built-in names). */
  map(projectId: string | null): RoleMap {
    return resolveRoles(projectId ? this.repo.get(projectId) : {});
  }
}
