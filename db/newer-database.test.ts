import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseTooNewError } from './errors';
import { LATEST_VERSION } from './migrations/index';
import { closeDatabase, openDatabase, readHeaderUserVersion } from './open-database';
import { readWalUserVersion } from './wal-version';

/** Issue 18, defect 6: refusing a newer database must leave the main file, -wal and -shm exactly as they were. */

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-newer-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Name → SHA-256 of every file in the folder (what "byte-identical, or absent as before" compares). */
function filesOf(folder: string): Record<string, string> {
  return Object.fromEntries(
    fs
      .readdirSync(folder)
      .sort()
      .map((name) => [name, createHash('sha256').update(fs.readFileSync(path.join(folder, name))).digest('hex')]),
  );
}

/**
 * A database whose header says LATEST_VERSION while its un-checkpointed WAL commits `walVersion`:
 * the files of a connection left open (a newer app still running, or killed), copied as they are.
 */
function databaseWithNewerWal(walVersion: number): string {
  const source = path.join(dir, 'source');
  fs.mkdirSync(source);
  const live = path.join(source, 'phenobook.sqlite');
  const { db } = openDatabase(live);
  closeDatabase(db); // header now says LATEST_VERSION, nothing in the WAL
  const writer = new Database(live);
  writer.pragma('journal_mode = WAL');
  writer.pragma('wal_autocheckpoint = 0');
  writer.prepare("INSERT INTO projects VALUES ('p1', 'Kept', 'other', '', 'x', 'x', NULL)").run();
  writer.pragma(`user_version = ${walVersion}`);
  writer.prepare("INSERT INTO projects VALUES ('p2', 'After', 'other', '', 'x', 'x', NULL)").run();
  const target = path.join(dir, 'data');
  fs.mkdirSync(target);
  for (const name of fs.readdirSync(source)) fs.copyFileSync(path.join(source, name), path.join(target, name));
  writer.close();
  return path.join(target, 'phenobook.sqlite');
}

describe('refusing a database from a newer Phenobook', () => {
  it('reads the version a WAL commits, and none from a missing or empty WAL', () => {
    const file = databaseWithNewerWal(LATEST_VERSION + 1);
    expect(readHeaderUserVersion(file)).toBe(LATEST_VERSION);
    expect(readWalUserVersion(file)).toBe(LATEST_VERSION + 1);
    expect(readWalUserVersion(path.join(dir, 'nothing.sqlite'))).toBeNull();
    fs.writeFileSync(path.join(dir, 'empty.sqlite-wal'), '');
    expect(readWalUserVersion(path.join(dir, 'empty.sqlite'))).toBeNull();
  });

  it('ignores WAL frames whose checksum is broken (a torn write is not committed)', () => {
    const file = databaseWithNewerWal(LATEST_VERSION + 1);
    const wal = fs.readFileSync(`${file}-wal`);
    wal[32 + 24 + 100] = wal[32 + 24 + 100]! ^ 0xff; // inside the first frame's page
    fs.writeFileSync(`${file}-wal`, wal);
    expect(readWalUserVersion(file)).toBeNull();
  });

  it('header 80, WAL 81: refused, and the main file, -wal and -shm are byte-identical', () => {
    const file = databaseWithNewerWal(LATEST_VERSION + 1);
    const folder = path.dirname(file);
    const before = filesOf(folder);
    expect(Object.keys(before)).toEqual(['phenobook.sqlite', 'phenobook.sqlite-shm', 'phenobook.sqlite-wal']);
    expect(() => openDatabase(file)).toThrow(DatabaseTooNewError);
    expect(() => openDatabase(file)).toThrow(new RegExp(`schema ${LATEST_VERSION + 1}.*not opened or changed`));
    expect(filesOf(folder)).toEqual(before);
    expect(readHeaderUserVersion(file)).toBe(LATEST_VERSION);
  });

  it('the same WAL without its -shm: refused, and no -shm is created', () => {
    const file = databaseWithNewerWal(LATEST_VERSION + 1);
    fs.rmSync(`${file}-shm`);
    const before = filesOf(path.dirname(file));
    expect(() => openDatabase(file)).toThrow(DatabaseTooNewError);
    expect(filesOf(path.dirname(file))).toEqual(before);
  });

  it('header newer: refused, nothing created next to it', () => {
    const file = path.join(dir, 'phenobook.sqlite');
    const { db } = openDatabase(file);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    closeDatabase(db);
    const before = filesOf(dir);
    expect(Object.keys(before)).toEqual(['phenobook.sqlite']);
    expect(() => openDatabase(file)).toThrow(DatabaseTooNewError);
    expect(filesOf(dir)).toEqual(before);
  });

  it('a WAL that commits the current version opens normally, with every committed row', () => {
    const file = databaseWithNewerWal(LATEST_VERSION);
    const { db } = openDatabase(file);
    expect(db.prepare('SELECT id FROM projects ORDER BY id').pluck().all()).toEqual(['p1', 'p2']);
    closeDatabase(db);
  });
});
