import m0010 from './0010-projects';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Numbered in gaps of ten; `PRAGMA user_version` holds the last one applied. */
export const MIGRATIONS: readonly Migration[] = [{ version: 10, name: 'projects', sql: m0010 }];

export const LATEST_VERSION = MIGRATIONS.at(-1)?.version ?? 0;
