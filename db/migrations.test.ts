import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseTooNewError, MigrationError } from './errors';
import { assertMonotonic, migrate } from './migrate';
import { LATEST_VERSION, MIGRATIONS, type Migration } from './migrations/index';
import { closeDatabase, dumpSchema, openDatabase } from './open-database';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-db-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('migrations', () => {
  it('migrate an empty database to the committed schema snapshot', async () => {
    const { db, schemaVersion } = openDatabase(path.join(dir, 'a.sqlite'));
    expect(schemaVersion).toBe(LATEST_VERSION);
    await expect(dumpSchema(db)).toMatchFileSnapshot('./schema.snapshot.sql');
    closeDatabase(db);
  });

  it('indexes checklist answers written before the notebook migration for search', () => {
    const file = path.join(dir, 'v30.sqlite');
    const raw = new Database(file);
    migrate(raw, MIGRATIONS.filter((m) => m.version <= 30));
    raw.prepare("INSERT INTO projects VALUES ('p1', 'Old', 'grokking', '', 'x', 'x', NULL)").run();
    raw
      .prepare("INSERT INTO checklist_answers VALUES ('p1', 'early.context.framing', 1, 'answered', 'Memorisation comes first', NULL, 'x')")
      .run();
    raw.close();
    const { db, schemaVersion } = openDatabase(file);
    expect(schemaVersion).toBe(LATEST_VERSION);
    const hits = db.prepare("SELECT kind, ref FROM notebook_fts WHERE notebook_fts MATCH 'memorisation' AND project_id = 'p1'").all();
    expect(hits).toEqual([{ kind: 'answer', ref: 'early.context.framing' }]);
    closeDatabase(db);
  });

  it('keeps evidence links through the rebuild that adds confounder tests', () => {
    const file = path.join(dir, 'v60.sqlite');
    const raw = new Database(file);
    migrate(raw, MIGRATIONS.filter((m) => m.version <= 60));
    raw.prepare("INSERT INTO projects VALUES ('p1', 'Old', 'grokking', '', 'x', 'x', NULL)").run();
    raw.prepare("INSERT INTO notes (id, project_id, title, created_at, updated_at) VALUES ('n1', 'p1', 'N', 'x', 'x')").run();
    raw.prepare("INSERT INTO evidence VALUES ('p1', 'early.context.framing', 'note', 'n1', 'x')").run();
    raw.close();
    const { db } = openDatabase(file);
    expect(db.prepare('SELECT kind, target_id FROM evidence').all()).toEqual([{ kind: 'note', target_id: 'n1' }]);
    db.prepare("DELETE FROM notes WHERE id = 'n1'").run(); // the re-made trigger still cleans up
    expect(db.prepare('SELECT count(*) AS n FROM evidence').get()).toEqual({ n: 0 });
    closeDatabase(db);
  });

  it('keeps sweeps made before SLURM sweeps existed as local ones', () => {
    const file = path.join(dir, 'v70.sqlite');
    const raw = new Database(file);
    migrate(raw, MIGRATIONS.filter((m) => m.version <= 70));
    raw.prepare("INSERT INTO sweeps (id, project_id, experiment, preset, config, grid, seeds, created_at) VALUES ('s1', NULL, 'x', NULL, '{}', '[]', 1, 'x')").run();
    raw.close();
    const { db } = openDatabase(file);
    expect(db.prepare('SELECT executor, slurm FROM sweeps').all()).toEqual([{ executor: 'local', slurm: null }]);
    closeDatabase(db);
  });

  it('keeps runs made before external runs existed as runs of Phenobook\'s own, and refuses an unknown source', () => {
    const file = path.join(dir, 'v100.sqlite');
    const raw = new Database(file);
    migrate(raw, MIGRATIONS.filter((m) => m.version <= 100));
    raw.prepare("INSERT INTO projects VALUES ('p1', 'Old', 'grokking', '', 'x', 'x', NULL)").run();
    raw
      .prepare("INSERT INTO runs (id, project_id, group_id, experiment, config, seed, status, app_version, steps_total, created_at) VALUES ('r1', 'p1', 'g', 'grokking-mlp', '{}', 0, 'done', '1', 10, 'x')")
      .run();
    raw.close();
    const { db } = openDatabase(file);
    expect(db.prepare('SELECT source, origin, content_hash, name FROM runs').all()).toEqual([{ source: 'phenobook', origin: null, content_hash: null, name: null }]);
    expect(() => db.prepare("UPDATE runs SET source = 'wandb'").run()).toThrow(/CHECK/);
    const hash = 'a'.repeat(64);
    const insert = db.prepare(
      "INSERT INTO runs (id, project_id, group_id, experiment, config, seed, status, app_version, steps_total, created_at, source, content_hash) VALUES (?, 'p1', 'g', 'x', '{}', 0, 'done', '1', 0, 'x', 'jsonl', ?)",
    );
    insert.run('r2', hash);
    expect(() => insert.run('r3', hash)).toThrow(/UNIQUE/);
    closeDatabase(db);
  });

  it('keeps sweeps and their runs through the metric-roles migration, as sweeps Phenobook ran', () => {
    const file = path.join(dir, 'v100.sqlite');
    const raw = new Database(file);
    migrate(raw, MIGRATIONS.filter((m) => m.version <= 100));
    raw.prepare("INSERT INTO projects VALUES ('p1', 'Old', 'grokking', '', 'x', 'x', NULL)").run();
    raw.prepare("INSERT INTO sweeps (id, project_id, experiment, preset, config, grid, seeds, created_at) VALUES ('s1', 'p1', 'x', NULL, '{}', '[]', 1, 'x')").run();
    raw.close();
    const { db } = openDatabase(file);
    expect(db.prepare('SELECT id, executor, adopted FROM sweeps').all()).toEqual([{ id: 's1', executor: 'local', adopted: 0 }]);
    db.prepare("INSERT INTO metric_roles VALUES ('p1', 'testAcc', 'val_acc')").run();
    expect(() => db.prepare("INSERT INTO metric_roles VALUES ('p1', 'testAcc', 'test_acc')").run()).toThrow(/UNIQUE/);
    expect(() => db.prepare("INSERT INTO metric_roles VALUES ('p1', 'lr', 'lr')").run()).toThrow(/CHECK/);
    db.prepare("DELETE FROM projects WHERE id = 'p1'").run(); // roles go with their project
    expect(db.prepare('SELECT count(*) AS n FROM metric_roles').get()).toEqual({ n: 0 });
    closeDatabase(db);
  });

  it('turns on WAL, foreign keys and a busy timeout', () => {
    const { db } = openDatabase(path.join(dir, 'a.sqlite'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    closeDatabase(db);
  });

  it('is numbered in increasing order', () => {
    expect(() => assertMonotonic(MIGRATIONS)).not.toThrow();
    expect(() =>
      assertMonotonic([
        { version: 20, name: 'b', sql: '' },
        { version: 10, name: 'a', sql: '' },
      ]),
    ).toThrow(MigrationError);
  });

  it('refuses a database from a newer app and leaves the file byte-for-byte untouched', () => {
    const file = path.join(dir, 'future.sqlite');
    const { db } = openDatabase(file);
    db.prepare("INSERT INTO projects VALUES ('p1', 'Kept', 'other', '', 'x', 'x', NULL)").run();
    db.pragma(`user_version = ${LATEST_VERSION + 10}`);
    closeDatabase(db);
    const before = sha(file);
    const filesBefore = fs.readdirSync(dir).sort();

    expect(() => openDatabase(file)).toThrow(DatabaseTooNewError);
    expect(() => openDatabase(file)).toThrow(/newer Phenobook .* not opened or changed/);
    expect(sha(file)).toBe(before);
    expect(fs.readdirSync(dir).sort()).toEqual(filesBefore);
  });

  it('backs up the file before upgrading, and the backup holds the old data', () => {
    const file = path.join(dir, 'old.sqlite');
    const v10: Migration[] = [MIGRATIONS[0]!];
    const { db } = openDatabase(file, { migrations: v10 });
    db.prepare("INSERT INTO projects VALUES ('p1', 'Old', 'other', '', 'x', 'x', NULL)").run();
    db.close(); // no checkpoint: the row may still sit in the WAL, and must reach the backup anyway

    const v20: Migration[] = [...v10, { version: 20, name: 'extra', sql: 'CREATE TABLE extra (x INTEGER) STRICT;' }];
    let reported = '';
    const opened = openDatabase(file, { migrations: v20, onBackup: (p) => (reported = p) });
    expect(opened.schemaVersion).toBe(20);
    expect(opened.backupPath).toBe(reported);
    expect(fs.existsSync(reported)).toBe(true);
    closeDatabase(opened.db);

    const backup = new Database(reported, { readonly: true });
    expect(backup.pragma('user_version', { simple: true })).toBe(10);
    expect(backup.prepare('SELECT title FROM projects').pluck().all()).toEqual(['Old']);
    backup.close();
  });

  it('makes no backup for a brand-new file', () => {
    const opened = openDatabase(path.join(dir, 'new.sqlite'));
    expect(opened.backupPath).toBeNull();
    closeDatabase(opened.db);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.bak'))).toEqual([]);
  });

  it('applies all pending migrations in one transaction: a failure applies none', () => {
    const db = new Database(':memory:');
    const broken: Migration[] = [
      { version: 10, name: 'ok', sql: 'CREATE TABLE a (x INTEGER);' },
      { version: 20, name: 'bad', sql: 'CREATE TABLE b (x INTEGER); THIS IS NOT SQL;' },
    ];
    expect(() => migrate(db, broken)).toThrow(/Migration 20 \(bad\) failed/);
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").pluck().get()).toBe(0);
    db.close();
  });

  it('leaves a checkpointed, single-file database after a clean close', () => {
    const file = path.join(dir, 'c.sqlite');
    const { db } = openDatabase(file);
    db.prepare("INSERT INTO projects VALUES ('p1', 'T', 'other', '', 'x', 'x', NULL)").run();
    closeDatabase(db);
    const wal = `${file}-wal`;
    expect(!fs.existsSync(wal) || fs.statSync(wal).size === 0).toBe(true);
    const check = new Database(file, { readonly: true });
    expect(check.prepare('SELECT count(*) FROM projects').pluck().get()).toBe(1);
    check.close();
  });
});

describe('opening something that is not a Phenobook database', () => {
  it('fails clearly and leaves the file alone', () => {
    const file = path.join(dir, 'notes.sqlite');
    fs.writeFileSync(file, 'just some text, definitely not SQLite '.repeat(10));
    const before = sha(file);
    expect(() => openDatabase(file)).toThrow(/is not a SQLite database/);
    expect(sha(file)).toBe(before);
  });
});
