import { randomUUID } from 'node:crypto';
import { RunsRepo } from '../db/runs.repo';
import type { AppContext } from '../services/app-context';

/** Curves of a grokking run: train accuracy fits at step 20, test accuracy reaches 0.9 at step 500. */
export const GROKKING_CURVES = {
  steps: [0, 10, 20, 100, 500, 600],
  trainAcc: [0.1, 0.9, 1, 1, 1, 1],
  testAcc: [0, 0, 0.01, 0.2, 0.95, 1],
  trainLoss: [1, 0.5, 0.05, 0.01, 0.001, 0.001],
  testLoss: [1, 0.9, 0.8, 0.09, 0.02, 0.01],
};

type Role = 'trainAcc' | 'testAcc' | 'trainLoss' | 'testLoss';

/**
 * A finished run as a script elsewhere would log it: its own metric names (`names` maps the
 * built-in ones to them) and its own config, stored directly (nothing trains it).
 */
export function addLoggedRun(
  ctx: AppContext,
  projectId: string,
  opts: { config: Record<string, unknown>; final?: Partial<Record<Role, number>>; names?: Partial<Record<Role, string>>; experiment?: string },
): string {
  const repo = new RunsRepo(ctx.db);
  const id = randomUUID();
  const now = '2026-01-01T00:00:00.000Z';
  const names: Partial<Record<Role, string>> = opts.names ?? { trainAcc: 'train_acc', testAcc: 'test_acc', trainLoss: 'train_loss', testLoss: 'test_loss' };
  repo.insert({ id, projectId, groupId: randomUUID(), experiment: opts.experiment ?? 'my-script', preset: null, config: opts.config, seed: Number(opts.config.seed ?? 0), appVersion: 't', stepsTotal: 600, rerunOf: null, ownerPid: 1, now });
  const c = GROKKING_CURVES;
  repo.insertMetrics(
    id,
    c.steps.map((step, i) => {
      const last = i === c.steps.length - 1;
      const value = (k: Role) => (last && opts.final?.[k] !== undefined ? opts.final[k]! : c[k][i]!);
      return { step, values: Object.fromEntries((Object.entries(names) as [Role, string][]).map(([k, n]) => [n, value(k)])) };
    }),
  );
  repo.markFinished(id, { status: 'done', error: null, stepsDone: 600, now });
  return id;
}
