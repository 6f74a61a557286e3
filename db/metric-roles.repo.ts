import type Database from 'better-sqlite3';
import type { MetricRole, SavedRoles } from '../common/metric-roles';

/** A metric role as a bundle carries it. */
export interface BundleMetricRoleRow {
  role: string;
  metric: string;
}

/** A project's metric roles, and the metric names its runs recorded (what a role can be mapped to). */
export class MetricRolesRepo {
  private readonly stmts;

  /** Reading the rows a bundle carries, and writing them back on import (services/bundle.service.ts). */
  private readonly bundle;

  constructor(private readonly db: Database.Database) {
    this.bundle = {
      rows: db.prepare<[string], BundleMetricRoleRow>('SELECT role, metric FROM metric_roles WHERE project_id = ? ORDER BY role'),
      insert: db.prepare<[string, string, string]>('INSERT INTO metric_roles (project_id, role, metric) VALUES (?, ?, ?)'),
    };
    this.stmts = {
      get: db.prepare<[string], { role: MetricRole; metric: string }>('SELECT role, metric FROM metric_roles WHERE project_id = ?'),
      clear: db.prepare<[string]>('DELETE FROM metric_roles WHERE project_id = ?'),
      insert: db.prepare<[string, string, string]>('INSERT INTO metric_roles (project_id, role, metric) VALUES (?, ?, ?)'),
      // Per name and run, one probe of the metrics primary key (run_id, name_id, step): no scan of the values.
      names: db.prepare<[string], string>(
        `SELECT n.name FROM metric_names n
         WHERE EXISTS (SELECT 1 FROM runs r WHERE r.project_id = ?
                       AND EXISTS (SELECT 1 FROM metrics m WHERE m.run_id = r.id AND m.name_id = n.id))
         ORDER BY n.name`,
      ),
    };
  }

  get(projectId: string): SavedRoles {
    return Object.fromEntries(this.stmts.get.all(projectId).map((r) => [r.role, r.metric]));
  }

  /** Replaces the project's roles with these, in one transaction. */
  set(projectId: string, roles: SavedRoles): void {
    this.db.transaction(() => {
      this.stmts.clear.run(projectId);
      for (const [role, metric] of Object.entries(roles)) if (metric !== undefined) this.stmts.insert.run(projectId, role, metric);
    })();
  }

  metricNames(projectId: string): string[] {
    return this.stmts.names.pluck().all(projectId) as unknown as string[];
  }

  /** A project's roles for a bundle, by role. */
  bundleRows(projectId: string): BundleMetricRoleRow[] {
    return this.bundle.rows.all(projectId);
  }

  insertFromBundle(projectId: string, role: string, metric: string): void {
    this.bundle.insert.run(projectId, role, metric);
  }
}
