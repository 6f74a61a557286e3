import { z } from 'zod';
import { ProjectIdSchema } from './projects';

/** The roles a measure reads; "test" covers validation too. */
export const METRIC_ROLES = ['trainLoss', 'testLoss', 'trainAcc', 'testAcc'] as const;
export type MetricRole = (typeof METRIC_ROLES)[number];

export const ROLE_LABELS: Record<MetricRole, string> = {
  trainLoss: 'Train loss',
  testLoss: 'Test (or validation) loss',
  trainAcc: 'Train accuracy',
  testAcc: 'Test (or validation) accuracy',
};

/** A project's roles as saved: only the roles the researcher mapped. */
export type SavedRoles = Partial<Record<MetricRole, string>>;
/** Every role with the metric name it reads. */
export type RoleMap = Record<MetricRole, string>;

export const MetricRolesRefSchema = z.strictObject({ projectId: ProjectIdSchema });

const MetricNameSchema = z
  .string({ error: 'metric must be text' })
  .trim()
  .min(1, { error: 'metric name is required' })
  .max(100, { error: 'metric name must be at most 100 characters' });

/**
 * `metricRoles:set`: the project's whole mapping (roles left out read the built-in name). Keys
 * outside the fixed list are refused by name.
 */
export const MetricRolesSetSchema = z.strictObject({
  projectId: ProjectIdSchema,
  roles: z.strictObject(
    Object.fromEntries(METRIC_ROLES.map((r) => [r, MetricNameSchema.optional()])) as Record<MetricRole, z.ZodOptional<typeof MetricNameSchema>>,
    { error: `roles must be an object whose keys are among ${METRIC_ROLES.join(', ')}` },
  ),
});

export interface MetricRolesState {
  projectId: string;
  /** What the researcher saved. */
  saved: SavedRoles;
  /** What a reader uses: saved roles over the built-in names. */
  effective: RoleMap;
  /** Suggested from the project's metric names (for roles not saved yet, pre-selected in the dialog). */
  suggested: SavedRoles;
  /** Every metric name the project's runs recorded. */
  names: string[];
}
