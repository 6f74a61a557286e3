import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAppContext, type AppContext, type ContextOptions } from '../services/app-context';

/** A fresh app context over a database in a new temporary folder. */
export function tempContext(
  overrides: Partial<ContextOptions> = {},
): AppContext & { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-test-'));
  let tick = 0;
  // A deterministic clock: each call is one second later, so sort orders are testable.
  const clock = () => new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)).toISOString();
  // In-thread by default: a worker started from TypeScript source (tsx) takes seconds under load;
  // services/offthread.test.ts and the e2e tests (built app) cover the worker path.
  // Not watching for other processes' writes unless a test asks (services/outside-writes.test.ts).
  const ctx = createAppContext({ dataDir: dir, mode: 'browser', clock, offThread: false, watchOutsideWrites: false, ...overrides });
  return Object.assign(ctx, {
    dir,
    cleanup() {
      ctx.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  });
}

/** Every row of every user table, for "nothing changed" assertions. */
export function snapshotTables(ctx: AppContext): Record<string, unknown[]> {
  const tables = ctx.db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  return Object.fromEntries(
    tables.map((t) => [t, ctx.db.prepare(`SELECT * FROM "${t}"`).all().map((r) => JSON.stringify(r)).sort()]),
  );
}
