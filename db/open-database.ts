import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseTooNewError } from './errors';
import { migrate } from './migrate';
import { readWalUserVersion } from './wal-version';
import { LATEST_VERSION, MIGRATIONS, type Migration } from './migrations/index';

export const DATABASE_FILE = 'phenobook.sqlite';

export interface OpenOptions {
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

/**
 * Reads `user_version` from the file header (offset 60, big-endian) without opening the database:
 * even a read-only open of a WAL database creates -wal/-shm files, and a refused file must stay
 * exactly as it was.
 */
export function readHeaderUserVersion(file: string): number {
  const fd = fs.openSync(file, 'r');
  try {
    const header = Buffer.alloc(100);
    const read = fs.readSync(fd, header, 0, 100, 0);
    if (read < 100 || header.toString('latin1', 0, 15) !== 'SQLite format 3') {
      throw new Error(`${file} is not a SQLite database`);
    }
    return header.readUInt32BE(60);
  } finally {
    fs.closeSync(fd);
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
  const fileVersion = exists ? readHeaderUserVersion(file) : 0;
  if (fileVersion > latest) throw new DatabaseTooNewError(file, fileVersion, latest);
  // The header lags behind a WAL that was never checkpointed: read the version the WAL commits
  // too, before opening (which could replay, checkpoint or delete it, and would create -shm).
  const walVersion = readWalUserVersion(file);
  if (walVersion !== null && walVersion > latest) throw new DatabaseTooNewError(file, walVersion, latest);

  const db = new Database(file);
  try {
    // busy_timeout first: other processes (the CLI, a second host) may hold the lock right now.
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');

    let backupPath: string | null = null;
    if (exists && fileVersion < latest && fileVersion > 0) {
      backupPath = backupName(file, fileVersion);
      // VACUUM INTO writes a consistent copy, WAL contents included.
      db.prepare('VACUUM INTO ?').run(backupPath);
      options.onBackup?.(backupPath);
    }
    // Belt and braces: the WAL was read above; check again now it is open.
    const openedVersion = db.pragma('user_version', { simple: true }) as number;
    if (openedVersion > latest) throw new DatabaseTooNewError(file, openedVersion, latest);
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
