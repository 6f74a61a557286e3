import type Database from 'better-sqlite3';
import { MigrationError } from './errors';
import type { Migration } from './migrations/index';

export function assertMonotonic(migrations: readonly Migration[]): void {
  for (let i = 1; i < migrations.length; i++) {
    const prev = migrations[i - 1]!;
    const cur = migrations[i]!;
    if (cur.version <= prev.version) {
      throw new MigrationError(`Migration ${cur.version} (${cur.name}) is not after ${prev.version} (${prev.name})`);
    }
  }
}

/** Applies every pending migration in one transaction; returns the versions applied. */
export function migrate(db: Database.Database, migrations: readonly Migration[]): number[] {
  assertMonotonic(migrations);
  const pendingNow = () => {
    const current = db.pragma('user_version', { simple: true }) as number;
    return migrations.filter((m) => m.version > current);
  };
  if (pendingNow().length === 0) return [];
  let pending: Migration[] = [];
  // IMMEDIATE takes the write lock first, and the version is read again under it: several
  // processes opening a new file at once (parallel CLI jobs) then migrate it exactly once.
  db.transaction(() => {
    pending = pendingNow();
    if (pending.length === 0) return;
    for (const m of pending) {
      try {
        db.exec(m.sql);
      } catch (err) {
        throw new MigrationError(`Migration ${m.version} (${m.name}) failed: ${(err as Error).message}`, { cause: err });
      }
    }
    // user_version cannot be bound as a parameter; the value is an integer we control.
    db.pragma(`user_version = ${pending.at(-1)!.version}`);
  }).immediate();
  return pending.map((m) => m.version);
}
