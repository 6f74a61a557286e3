import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseTooNewError } from './errors';
import { migrate } from './migrate';
import { LATEST_VERSION, MIGRATIONS, type Migration } from './migrations/index';

export const DATABASE_FILE = 'phenobook.sqlite';

export interface OpenOptions {
  /** Path to a better-sqlite3 binary built for this runtime (Electron has its own ABI). */
  nativeBinding?: string;
  migrations?: readonly Migration[];
  /** Called with the backup's path when an existing database is upgraded. */
  onBackup?: (backupPath: string) => void;
}

export interface OpenedDatabase {
  db: Database.Database;
  path: string;
  schemaVersion: number;
  backupPath: string | null;
}

function readUserVersion(file: string, nativeBinding?: string): number {
  // Read-only and without touching the journal mode, so a refused file stays byte-for-byte intact.
  const probe = new Database(file, { readonly: true, fileMustExist: true, nativeBinding });
  try {
    return probe.pragma('user_version', { simple: true }) as number;
  } finally {
    probe.close();
  }
}

function backupName(file: string, fromVersion: number): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return `${file}.v${fromVersion}.${stamp}.bak`;
}

/** Opens (creating if needed) and migrates the database file. */
export function openDatabase(file: string, options: OpenOptions = {}): OpenedDatabase {
  const migrations = options.migrations ?? MIGRATIONS;
  const latest = migrations.at(-1)?.version ?? LATEST_VERSION;
  fs.mkdirSync(path.dirname(file), { recursive: true });

  const exists = fs.existsSync(file) && fs.statSync(file).size > 0;
  const fileVersion = exists ? readUserVersion(file, options.nativeBinding) : 0;
  if (fileVersion > latest) throw new DatabaseTooNewError(file, fileVersion, latest);

  const db = new Database(file, { nativeBinding: options.nativeBinding });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');

    let backupPath: string | null = null;
    if (exists && fileVersion < latest && fileVersion > 0) {
      backupPath = backupName(file, fileVersion);
      // VACUUM INTO writes a consistent copy, WAL contents included.
      db.prepare('VACUUM INTO ?').run(backupPath);
      options.onBackup?.(backupPath);
    }
    migrate(db, migrations);
    return { db, path: file, schemaVersion: db.pragma('user_version', { simple: true }) as number, backupPath };
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Checkpoints the WAL into the main file and closes: a clean shutdown leaves one file to back up. */
export function closeDatabase(db: Database.Database): void {
  if (!db.open) return;
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/** The schema as SQL text, for the committed snapshot. */
export function dumpSchema(db: Database.Database): string {
  const rows = db
    .prepare(
      "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type DESC, name",
    )
    .pluck()
    .all() as string[];
  const version = db.pragma('user_version', { simple: true }) as number;
  return `-- user_version = ${version}\n${rows.map((s) => `${s.trim()};`).join('\n\n')}\n`;
}
